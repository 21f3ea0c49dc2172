// qosd's Prometheus metrics (config/app.json metrics_address, default 127.0.0.1:26661; "" = off), with
// prom-client. Every name starts with qosd_ (CometBFT's own endpoint, turned on by `qosd init`, has the
// cometbft_ ones). Label values come from fixed sets only (module names, codes the app defines, cache
// names), so no sender can grow the registry. Nothing here is read by the state machine (D7).
import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AppObserver, CacheUsage, QosApp } from "../../app/app.js";
import type { AbciServer } from "../../app/abci/server.js";
import type { AppWatchers, BlockStats, CheckTxStats } from "./instrument.js";

export const MetricsPrefix = "qosd_";

/** seconds: 0.5 ms … 10 s, for a block's execution and commit and for one CheckTx */
const TimeBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** gas of one block: empty … the largest blocks */
const GasBuckets = [0, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

export class NodeMetrics {
  readonly registry = new Registry();
  private readonly height: Gauge;
  private readonly finalizeSeconds: Histogram;
  private readonly commitSeconds: Histogram;
  private readonly blockGas: Histogram;
  private readonly blockTxs: Gauge;
  private readonly txs: Counter;
  private readonly checkTxSeconds: Histogram;
  private readonly checkTxRejected: Counter;
  private app?: QosApp;
  private abci?: AbciServer;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: MetricsPrefix });
    this.height = new Gauge({ name: "qosd_height", help: "Height of the last block the app committed", registers });
    this.finalizeSeconds = new Histogram({ name: "qosd_block_finalize_seconds", help: "FinalizeBlock time: executing a block", buckets: TimeBuckets, registers });
    this.commitSeconds = new Histogram({ name: "qosd_block_commit_seconds", help: "Commit time: writing a block's state to disk", buckets: TimeBuckets, registers });
    this.blockGas = new Histogram({ name: "qosd_block_gas_used", help: "Gas used by the txs of a block", buckets: GasBuckets, registers });
    this.blockTxs = new Gauge({ name: "qosd_block_txs", help: "Txs in the last committed block", registers });
    this.txs = new Counter({
      name: "qosd_txs_total",
      help: "Block txs by result (code 0 = success) and module of the first message (\"\": the tx did not decode)",
      labelNames: ["code", "codespace", "module"],
      registers,
    });
    this.checkTxSeconds = new Histogram({ name: "qosd_checktx_seconds", help: "CheckTx time, new txs and rechecks after a block", labelNames: ["type"], buckets: TimeBuckets, registers });
    this.checkTxRejected = new Counter({ name: "qosd_checktx_rejected_total", help: "Txs CheckTx refused, by reason (codespace and code)", labelNames: ["type", "codespace", "code"], registers });
    // bound: sampled when scraped
    const metrics = this;
    new Gauge({
      name: "qosd_state_keys",
      help: "Key-value pairs in the latest committed state",
      registers,
      collect() {
        const stats = metrics.app?.store.latest.stats;
        if (stats) this.set(stats.keys);
      },
    });
    new Gauge({
      name: "qosd_state_bytes",
      help: "Bytes of keys and values in the latest committed state",
      registers,
      collect() {
        const stats = metrics.app?.store.latest.stats;
        if (stats) this.set(stats.bytes);
      },
    });
    const cacheGauge = (name: string, help: string, value: (c: CacheUsage) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ["cache"],
        registers,
        collect() {
          for (const c of metrics.app?.cacheUsage ?? []) this.set({ cache: c.name }, value(c));
        },
      });
    cacheGauge("qosd_cache_entries", "Entries held by a cache of the app", (c) => c.entries);
    cacheGauge("qosd_cache_bytes", "Bytes held by a cache of the app", (c) => c.bytes);
    cacheGauge("qosd_cache_max_bytes", "Bytes a cache of the app may hold (config/app.json)", (c) => c.maxBytes);
    const cacheCounter = (name: string, help: string, value: (c: CacheUsage) => number) =>
      new Counter({
        name,
        help,
        labelNames: ["cache"],
        registers,
        collect() {
          // the cache counts; the metric shows its count
          this.reset();
          for (const c of metrics.app?.cacheUsage ?? []) this.inc({ cache: c.name }, value(c));
        },
      });
    cacheCounter("qosd_cache_hits_total", "Lookups a cache answered (hit rate: hits / (hits + misses))", (c) => c.hits);
    cacheCounter("qosd_cache_misses_total", "Lookups a cache could not answer", (c) => c.misses);
    new Gauge({
      name: "qosd_abci_queue_depth",
      help: "ABCI requests from CometBFT received and not yet answered, when scraped",
      registers,
      collect() {
        if (metrics.abci) this.set(metrics.abci.queueDepth);
      },
    });
    new Gauge({
      name: "qosd_abci_queue_depth_peak",
      help: "Most ABCI requests waiting at once since the previous scrape",
      registers,
      collect() {
        if (metrics.abci) this.set(metrics.abci.takeQueuePeak());
      },
    });
  }

  /** What the app tells per tx: counted by result and module (block txs only; CheckTx by its watcher). */
  readonly observer: AppObserver = {
    txResult: (mode, r) => {
      if (mode === "deliver") this.txs.inc({ code: String(r.code), codespace: r.codespace, module: r.module });
    },
  };

  readonly watchers: AppWatchers = {
    block: (b: BlockStats) => {
      this.height.set(b.height);
      this.blockTxs.set(b.txs);
      this.finalizeSeconds.observe(b.finalizeMs / 1000);
      this.commitSeconds.observe(b.commitMs / 1000);
      this.blockGas.observe(Number(b.gasUsed));
    },
    checkTx: (c: CheckTxStats) => {
      this.checkTxSeconds.observe({ type: c.type }, c.ms / 1000);
      if (c.code !== 0) this.checkTxRejected.inc({ type: c.type, codespace: c.codespace, code: String(c.code) });
    },
  };

  /** The app and ABCI server whose state is sampled at each scrape. */
  attach(app: QosApp, abci?: AbciServer): void {
    this.app = app;
    this.abci = abci;
    this.height.set(app.lastHeight);
  }

  /** Every metric name qosd exports (the Grafana dashboard's test checks its panels against it). */
  async names(): Promise<string[]> {
    const names = new Set<string>();
    for (const m of await this.registry.getMetricsAsJSON()) {
      names.add(m.name);
      if (String(m.type) === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(m.name + suffix);
    }
    return [...names].sort();
  }
}

export interface MetricsServer {
  /** host:port it listens on */
  readonly address: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` in the Prometheus text format on `address` (host:port). */
export async function startMetricsServer(metrics: NodeMetrics, address: string): Promise<MetricsServer> {
  const m = /^(?:tcp:\/\/)?(.*):(\d{1,5})$/.exec(address);
  if (!m) throw new Error(`metrics address ${JSON.stringify(address)} must be host:port`);
  const host = m[1].replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: GET /metrics\n");
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
      (e: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`${e.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(m[2]), host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address();
  const port = typeof bound === "object" && bound ? bound.port : Number(m[2]);
  return {
    address: `${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a scraper's kept-alive connection must not hold up a stop
      }),
  };
}
