// npm run bench: committed signed-transfer throughput of one qosd node, and of CometBFT's built-in
// kvstore app under the same load shape on the same machine, as a ratio. See bench/README.md.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cometbftBinary, repoRoot } from "../cmd/common/cometbft.js";
import { readAppConfig, SearchedEventAttributes, writeAppConfig } from "../cmd/qosd/home.js";
import { runLoad, type LoadResult } from "./load.js";
import { fetchBlocks, fillResults, median, throughput, timingBySize, type SizeClassTiming, type Throughput } from "./measure.js";
import { fetchCometProfile, summarizeCometProfile, type CometProfileSummary } from "./comet-profile.js";
import { BenchNode, cpuSeconds, cometSettings, freePort, machineCpu, sleep, type BenchConfig } from "./nodes.js";
import { summarizeProfile, type ProfileSummary } from "./profile.js";
import { fundInGenesis, kvstoreTx, makeAccounts, presignTransfers, signerName, type BenchAccount } from "./txs.js";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "30" },
    warmup: { type: "string", default: "5" },
    accounts: { type: "string", default: "5000" },
    rate: { type: "string", default: "0" },
    txs: { type: "string" },
    runs: { type: "string", default: "3" },
    concurrency: { type: "string", default: "256" },
    batch: { type: "string", default: "10" },
    method: { type: "string", default: "sync" },
    "high-water": { type: "string" },
    "timeout-commit": { type: "string", default: "1s" },
    "mempool-size": { type: "string", default: "10000" },
    indexer: { type: "string", default: "kv" },
    abci: { type: "string", default: "tcp" },
    "no-recheck": { type: "boolean", default: false },
    "skip-kvstore": { type: "boolean", default: false },
    "skip-qos": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "comet-profile": { type: "boolean", default: false },
    cometbft: { type: "string" },
    "patched-cometbft": { type: "boolean", default: false },
    "patched-kvstore": { type: "boolean", default: false },
    "index-events": { type: "string" },
    "keep-homes": { type: "boolean", default: false },
    backend: { type: "string", default: "memory" },
    "verify-workers": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (args.help) {
  console.log(`npm run bench -- [options]
  --duration S        seconds of load per run (default 30)
  --warmup S          seconds at the start of the load not measured, less than --duration (default 5)
  --accounts N        funded genesis accounts, one transfer each per round (default 5000)
  --rate N            txs/s offered (default 0 = as fast as the node accepts them)
  --txs N             transfers pre-signed (default: rate × duration × 1.1, or 3,500 × duration)
  --runs N            runs of each node; medians are reported (default 3)
  --concurrency N     HTTP requests in flight (default 256)
  --batch N           broadcast calls per JSON-RPC batch request (default 10)
  --method sync|async broadcast_tx_sync or broadcast_tx_async (default sync; async needs a
                      small --high-water: its txs wait in CometBFT's CheckTx queue, unseen)
  --high-water N      hold back while the mempool holds N txs (default mempool size − 2 × batch × concurrency)
  --timeout-commit D  CometBFT consensus.timeout_commit for both nodes (default 1s)
  --mempool-size N    CometBFT mempool.size (default 10000)
  --indexer kv|null   CometBFT tx_index.indexer (default kv, as qosd init sets it)
  --abci tcp|unix     qosd's ABCI socket: loopback TCP (default, as qosd init sets it) or a unix socket
  --no-recheck        mempool.recheck = false (only sound with one tx per account in the mempool)
  --skip-kvstore      measure qosd only; --skip-qos: kvstore only
  --profile           run qosd with node --cpu-prof (first run) and print where its time goes
  --comet-profile     CPU profile of CometBFT (its pprof server) over the measured window of run 1, for
                      both nodes; prints CometBFT's µs per committed tx by area and function, side by side
  --cometbft PATH     the CometBFT binary of every node (default: the pinned stock one, .bin/cometbft)
  --patched-cometbft  also run qosd behind .bin/cometbft-flushfix (npm run install:cometbft-patched:
                      the ABCI socket client's 20 ns flush throttle made 20 ms) in every run, beside the
                      stock binary; --patched-kvstore: kvstore on it too (its app is in-process: no socket)
  --index-events L    qosd's config/app.json index_events: a comma-separated list of type.attribute, or
                      "searched" (what the project's tools search by); default [] (as qosd init writes)
  --keep-homes        keep the temporary node homes
  --backend B         qosd's config/app.json state_backend: memory (default, as qosd init writes) or disk
  --verify-workers N  qosd's config/app.json verify_workers: threads that decode and verify new txs for
                      CheckTx (default: as qosd init writes, 1; 0: all on the main thread)`);
  process.exit(0);
}

const num = (name: keyof typeof args) => {
  const v = Number(args[name]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${String(name)} must be a non-negative number`);
  return v;
};
const durationMs = num("duration") * 1000;
const warmupMs = num("warmup") * 1000;
// the warm-up lies inside the load's duration: with nothing left to measure the report would read "committed -"
if (warmupMs >= durationMs) {
  throw new Error(`--warmup (${warmupMs / 1000} s) must be shorter than --duration (${durationMs / 1000} s): the warm-up is the first part of the load, not measured`);
}
const accountCount = Math.max(1, Math.floor(num("accounts")));
if (args.backend !== "memory" && args.backend !== "disk") throw new Error(`--backend must be memory or disk, got ${args.backend}`);
const stateBackend: "memory" | "disk" = args.backend;
const verifyWorkers = args["verify-workers"] === undefined ? undefined : Number(args["verify-workers"]);
if (verifyWorkers !== undefined && !(Number.isInteger(verifyWorkers) && verifyWorkers >= 0 && verifyWorkers <= 64)) throw new Error(`--verify-workers must be an integer from 0 to 64, got ${args["verify-workers"]}`);
const rate = num("rate");
const runs = Math.max(1, Math.floor(num("runs")));
const concurrency = Math.max(1, Math.floor(num("concurrency")));
const batch = Math.max(1, Math.floor(num("batch")));
const method = args.method === "async" ? "broadcast_tx_async" : "broadcast_tx_sync";
const totalTxs = args.txs ? Math.floor(Number(args.txs)) : Math.ceil(rate > 0 ? rate * num("duration") * 1.1 : 3500 * num("duration"));
if (args.indexer !== "kv" && args.indexer !== "null") throw new Error("--indexer must be kv or null");
if (args.abci !== "tcp" && args.abci !== "unix") throw new Error("--abci must be tcp or unix");
const config: BenchConfig = {
  timeoutCommit: args["timeout-commit"]!,
  mempoolSize: Math.floor(num("mempool-size")),
  mempoolCacheSize: Math.max(10_000, Math.floor(num("mempool-size")) * 2),
  maxTxBytes: 1_048_576,
  recheck: !args["no-recheck"],
  indexer: args.indexer,
  abci: args.abci,
  rpcMaxBatch: Math.max(batch, 10),
  rpcMaxBodyBytes: Math.max(1_000_000, batch * 2_000),
};
const indexEvents =
  args["index-events"] === undefined ? [] : args["index-events"] === "searched" ? [...SearchedEventAttributes] : args["index-events"].split(",").map((s) => s.trim()).filter(Boolean);
const highWater = args["high-water"] !== undefined ? Math.floor(num("high-water")) : Math.max(batch, config.mempoolSize - 2 * batch * concurrency);
const ChainId = "qos-bench-1";

/** A node of the comparison: which app, behind which CometBFT binary. */
interface NodeVariant {
  /** "qos", "kvstore", or either with "+flushfix" when it runs the patched CometBFT */
  label: string;
  kind: "qos" | "kvstore";
  cometbft: string;
  /** what the binary says it is (`cometbft version`): the patched build carries its patch's stamp */
  cometbftVersion: string;
}

const binaryVersion = (bin: string) => execFileSync(bin, ["version"], { encoding: "utf8" }).trim().split("\n")[0];
const stockBin = cometbftBinary(args.cometbft);
const patchedBin = join(repoRoot, ".bin/cometbft-flushfix");
if ((args["patched-cometbft"] || args["patched-kvstore"]) && !existsSync(patchedBin)) {
  throw new Error(`${patchedBin} is missing: build it with \`npm run install:cometbft-patched\``);
}
const variant = (kind: "qos" | "kvstore", patched: boolean): NodeVariant => {
  const bin = patched ? patchedBin : stockBin;
  return { label: patched ? `${kind}+flushfix` : kind, kind, cometbft: bin, cometbftVersion: binaryVersion(bin) };
};
const qosVariants = args["skip-qos"] ? [] : [variant("qos", false), ...(args["patched-cometbft"] ? [variant("qos", true)] : [])];
const kvVariants = args["skip-kvstore"] ? [] : [variant("kvstore", false), ...(args["patched-kvstore"] ? [variant("kvstore", true)] : [])];
const MinGasPrice = "0.025uqos";

const log = (line: string) => console.error(`bench: ${line}`);

interface RunResult {
  /** the variant's label */
  node: string;
  kind: "qos" | "kvstore";
  cometbft: { binary: string; version: string };
  run: number;
  load: LoadResult & { offeredTps: number };
  window: { startMs: number; endMs: number };
  committed?: Throughput;
  timings?: SizeClassTiming[];
  cpu: Record<string, number>;
  mempool: { p50: number; max: number };
  verifier?: string;
  cometProfile?: CometProfileSummary;
}

/** --comet-profile: where CometBFT's pprof listens and where its profile goes */
interface CometProfileTarget {
  address: string;
  file: string;
}

async function measureNode(
  node: BenchNode,
  variant: NodeVariant,
  run: number,
  tx: (t: number) => string,
  tickets: number,
  ordered: number,
  profileDir?: string,
  cometProfile?: CometProfileTarget,
): Promise<RunResult> {
  // InitChain writes every genesis account: allow ~1 ms each (a million accounts take minutes)
  await node.start({ cpuProfileDir: profileDir, waitHeight: 2, timeoutMs: 120_000 + accountCount });
  const startHeight = await node.height();
  log(`${variant.label} run ${run}: node at height ${startHeight} (CometBFT ${variant.cometbftVersion}), offering load for ${durationMs / 1000}s`);

  // Mempool size once a second; CPU of each process over the measured window.
  const mempoolSamples: number[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      try {
        const r = await node.rpc<{ n_txs: string }>("num_unconfirmed_txs", { limit: "1" });
        mempoolSamples.push(Number(r.n_txs));
      } catch {
        // ignore
      }
      await sleep(1000);
    }
  })();
  const cpuStart: Record<string, number> = {};
  let machineStart: ReturnType<typeof machineCpu>;
  let selfStart = process.cpuUsage();
  // the profile covers the measured window but the last second (the load stops at durationMs)
  const profileSec = Math.max(1, Math.floor((durationMs - warmupMs) / 1000) - 1);
  let profileFetch: Promise<void> | undefined;
  const cpuTimer = setTimeout(() => {
    for (const [name, pid] of Object.entries(node.processes())) cpuStart[name] = cpuSeconds(pid) ?? NaN;
    machineStart = machineCpu();
    selfStart = process.cpuUsage();
    if (cometProfile) profileFetch = fetchCometProfile(cometProfile.address, profileSec, cometProfile.file);
  }, warmupMs);

  const loadStarted = Date.now();
  const load = await runLoad({ rpcUrl: node.rpcUrl, tx, totalTickets: tickets, durationMs, rate, concurrency, batch, method, accounts: ordered, mempoolHighWater: highWater });
  clearTimeout(cpuTimer);
  const cpu: Record<string, number> = {};
  const windowSec = (load.stoppedAt - (loadStarted + warmupMs)) / 1000;
  for (const [name, pid] of Object.entries(node.processes())) cpu[name] = (100 * ((cpuSeconds(pid) ?? NaN) - cpuStart[name])) / windowSec;
  const self = process.cpuUsage(selfStart);
  cpu.generator = (100 * (self.user + self.system)) / 1e6 / windowSec;
  const machineEnd = machineCpu();
  if (machineStart && machineEnd) {
    cpu.machine = (100 * cpus().length * (machineEnd.busy - machineStart.busy)) / (machineEnd.total - machineStart.total);
    // CPU taken by processes outside this benchmark (other jobs on the machine skew the figures)
    cpu.other = Math.max(0, cpu.machine - Object.entries(cpu).filter(([k]) => k !== "machine").reduce((n, [, v]) => n + (Number.isFinite(v) ? v : 0), 0));
  }
  sampling = false;
  await sampler;

  const endHeight = await node.waitForHeight((await node.height()) + 1);
  const window = { startMs: loadStarted + warmupMs, endMs: load.stoppedAt };
  const blocks = await fetchBlocks(node, startHeight, endHeight);
  const inWindow = blocks.filter((b) => b.timeMs >= window.startMs && b.timeMs <= window.endMs);
  await fillResults(node, inWindow);
  const committed = throughput(blocks, window.startMs, window.endMs);
  const heights = new Set(inWindow.map((b) => b.height));
  const timings = node.kind === "qos" ? timingBySize([...node.blocks.values()].filter((b) => heights.has(b.height))) : undefined;
  const offeredTps = load.accepted / ((load.stoppedAt - load.startedAt) / 1000);
  let cometSummary: CometProfileSummary | undefined;
  if (profileFetch) {
    try {
      await profileFetch;
      const profileStart = window.startMs;
      const profiled = blocks.filter((b) => b.timeMs > profileStart && b.timeMs <= profileStart + profileSec * 1000);
      await fillResults(node, profiled);
      cometSummary = summarizeCometProfile(variant.label, cometProfile!.file, profileSec, profiled.reduce((n, b) => n + b.okTxs, 0));
    } catch (e) {
      log(`${variant.label} run ${run}: CometBFT profile failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const result: RunResult = {
    node: variant.label,
    kind: variant.kind,
    cometbft: { binary: variant.cometbft, version: variant.cometbftVersion },
    run,
    load: { ...load, offeredTps },
    window,
    committed,
    timings,
    cpu,
    mempool: { p50: median(mempoolSamples), max: Math.max(0, ...mempoolSamples) },
    verifier: node.verifier,
    cometProfile: cometSummary,
  };
  log(
    `${variant.label} run ${run}: committed ${committed?.tps.toFixed(0) ?? "?"} tx/s (accepted ${offeredTps.toFixed(0)}/s, ` +
      `rejected ${load.rejected}, blocks ${committed?.blocks ?? 0}, interval p50 ${committed?.blockIntervalMs.p50.toFixed(0) ?? "?"} ms, ` +
      `batch of ${batch} p50 ${load.batchMs.p50.toFixed(0)} ms p99 ${load.batchMs.p99.toFixed(0)} ms, ` +
      `cpu ${Object.entries(cpu).map(([k, v]) => `${k} ${v.toFixed(0)}%`).join(" ")})`,
  );
  if (load.rejected > 0) log(`  reject reasons: ${JSON.stringify(load.rejectReasons).slice(0, 500)}`);
  if (load.exhausted) log(`  all ${tickets} pre-signed txs were sent before the duration ended: raise --txs`);
  return result;
}

async function main() {
  const startedAt = new Date();
  log(`${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  let presigned: string[] = [];
  let signUsPerTx = NaN;
  let avgTxBytes = 300;
  let accounts: BenchAccount[] = [];
  if (!args["skip-qos"]) {
    const t0 = performance.now();
    accounts = makeAccounts(accountCount, Math.min(accountCount, totalTxs));
    const t1 = performance.now();
    presigned = presignTransfers(accounts, totalTxs, ChainId);
    const t2 = performance.now();
    signUsPerTx = ((t2 - t1) * 1000) / totalTxs;
    avgTxBytes = Math.round(presigned.reduce((n, s) => n + Buffer.from(s, "base64").length, 0) / presigned.length);
    log(`${accountCount} accounts in ${(t1 - t0).toFixed(0)} ms; ${totalTxs} transfers pre-signed in ${(t2 - t1).toFixed(0)} ms (${signUsPerTx.toFixed(0)} µs/tx, ${signerName}), ${avgTxBytes} bytes each`);
  }
  const kvTickets = Math.max(totalTxs, 12_000 * num("duration"));
  const salt = Date.now().toString(36);

  const results: RunResult[] = [];
  let profile: ProfileSummary | undefined;
  const profileDir = join(repoRoot, "bench/results", `profile-${startedAt.toISOString().replace(/[:.]/g, "-")}`);
  for (let run = 1; run <= runs; run++) {
    const wantCometProfile = args["comet-profile"] && run === 1;
    if (wantCometProfile) mkdirSync(profileDir, { recursive: true });
    const cometTarget = async (label: string): Promise<CometProfileTarget | undefined> =>
      wantCometProfile ? { address: `127.0.0.1:${await freePort()}`, file: join(profileDir, `cometbft-${label}.pprof.gz`) } : undefined;
    // stock and patched alternate which goes first, so a drift in the machine's load hits both alike
    const ordered = <T,>(vs: T[]) => (run % 2 === 0 ? [...vs].reverse() : vs);
    for (const v of ordered(qosVariants)) {
      const target = await cometTarget(v.label);
      const node = await BenchNode.createQos(ChainId, { ...config, pprofLaddr: target?.address }, MinGasPrice, v.cometbft, indexEvents);
      if (args.backend !== "memory") writeAppConfig(node.home, { ...readAppConfig(node.home), state_backend: stateBackend });
      if (verifyWorkers !== undefined) writeAppConfig(node.home, { ...readAppConfig(node.home), verify_workers: verifyWorkers });
      fundInGenesis(node.home, accounts);
      // one qosd CPU profile per bench: of the first qosd node of run 1
      const wantProfile = args.profile && run === 1 && v === qosVariants[0];
      if (wantProfile) mkdirSync(profileDir, { recursive: true });
      try {
        results.push(await measureNode(node, v, run, (t) => presigned[t], presigned.length, accountCount, wantProfile ? profileDir : undefined, target));
      } finally {
        await node.destroy(args["keep-homes"]);
      }
      if (wantProfile) {
        const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
        if (file) profile = summarizeProfile(join(profileDir, file));
        else log(`no .cpuprofile written in ${profileDir}`);
      }
    }
    for (const v of ordered(kvVariants)) {
      const target = await cometTarget(v.label);
      const node = await BenchNode.createKvstore({ ...config, pprofLaddr: target?.address }, v.cometbft);
      try {
        results.push(await measureNode(node, v, run, (t) => kvstoreTx(t, avgTxBytes, `${salt}${v.label}r${run}`), kvTickets, 0, undefined, target));
      } finally {
        await node.destroy(args["keep-homes"]);
      }
    }
  }

  const summary = summarize(results);
  const report = {
    startedAt: startedAt.toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, note: "load generator, CometBFT and qosd share these CPUs" },
    options: { durationSec: durationMs / 1000, warmupSec: warmupMs / 1000, accounts: accountCount, stateBackend, verifyWorkers: verifyWorkers ?? "default", abci: config.abci, indexEvents, rate, txs: totalTxs, runs, concurrency, batch, method, mempoolHighWater: highWater },
    cometbft: Object.fromEntries(cometSettings(config).map(([s, k, v]) => [`${s}.${k}`, v])),
    binaries: Object.fromEntries([...qosVariants, ...kvVariants].map((v) => [v.label, { binary: v.cometbft, version: v.cometbftVersion }])),
    load: { txBytes: avgTxBytes, signUsPerTx, signer: signerName, kvstoreTxBytes: avgTxBytes },
    summary,
    profile,
    runs: results,
  };
  mkdirSync(join(repoRoot, "bench/results"), { recursive: true });
  const file = join(repoRoot, "bench/results", `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  printReport(report, results, summary, profile);
  printCometProfiles(results.flatMap((r) => (r.cometProfile ? [r.cometProfile] : [])));
  console.log(`\nJSON: ${file}`);
}

function summarize(results: RunResult[]) {
  const stats = (rs: RunResult[]) => ({
    runs: rs.length,
    cometbft: rs[0].cometbft.version,
    committedTps: median(rs.map((r) => r.committed?.tps ?? NaN)),
    committedTpsPerRun: rs.map((r) => Math.round(r.committed?.tps ?? NaN)),
    acceptedTps: median(rs.map((r) => r.load.offeredTps)),
    blockIntervalMs: median(rs.map((r) => r.committed?.blockIntervalMs.p50 ?? NaN)),
    txsPerBlock: median(rs.map((r) => r.committed?.txsPerBlock.p50 ?? NaN)),
    mempoolP50: median(rs.map((r) => r.mempool.p50)),
    /** wall ms of a JSON-RPC batch of broadcasts (the CheckTx wait included), medians of the runs' p50/p99 */
    batchMs: { p50: median(rs.map((r) => r.load.batchMs.p50)), p99: median(rs.map((r) => r.load.batchMs.p99)) },
    rejected: rs.reduce((n, r) => n + r.load.rejected, 0),
    cpu: Object.fromEntries(Object.keys(rs[0].cpu).map((k) => [k, median(rs.map((r) => r.cpu[k]))])),
    /** CPU µs per committed tx, per process (CPU % ÷ committed tx/s; contention inflates it less than wall time) */
    cpuUsPerTx: Object.fromEntries(
      ["qosd", "cometbft", "generator"]
        .filter((k) => k in rs[0].cpu)
        .map((k) => [k, median(rs.map((r) => (r.cpu[k] * 10_000) / (r.committed?.tps ?? NaN)))]),
    ),
    verifier: rs[0].verifier,
  });
  const labels = [...new Set(results.map((r) => r.node))];
  const nodes = Object.fromEntries(labels.map((label) => [label, stats(results.filter((r) => r.node === label))]));
  const kvstore = nodes.kvstore as ReturnType<typeof stats> | undefined;
  const qosLabels = labels.filter((l) => results.some((r) => r.node === l && r.kind === "qos"));
  // every qosd variant against kvstore on the stock binary (kvstore's app is in-process: no ABCI socket)
  const ratios = Object.fromEntries(kvstore ? qosLabels.map((l) => [l, nodes[l].committedTps / kvstore.committedTps]) : []);
  const targets = Object.fromEntries(
    qosLabels.map((l) => [l, { tps1000: nodes[l].committedTps >= 1000, tps3000: nodes[l].committedTps >= 3000, ratio07: ratios[l] !== undefined ? ratios[l] >= 0.7 : undefined }]),
  );
  return { nodes, qos: nodes.qos, kvstore, ratio: ratios.qos, ratios, targets };
}

function printReport(report: any, results: RunResult[], summary: ReturnType<typeof summarize>, profile?: ProfileSummary) {
  const f = (x: number | undefined, d = 0) => (x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(d));
  const out: string[] = [];
  out.push("");
  out.push(`QOS benchmark, ${report.startedAt}: ${report.machine.cpus} CPUs (${report.machine.model}), Node ${report.machine.node}; generator, CometBFT and qosd share them`);
  out.push(
    `load: ${report.options.accounts} accounts (state on ${report.options.stateBackend}, verify_workers ${report.options.verifyWorkers}), MsgSend ${report.load.txBytes} B (kvstore key=value of the same size), ${report.options.rate ? `${report.options.rate} tx/s` : "as fast as accepted"}, ` +
      `${report.options.durationSec}s (first ${report.options.warmupSec}s not measured), ${report.options.method} in JSON-RPC batches of ${report.options.batch}, ${report.options.concurrency} in flight, held back at ${report.options.mempoolHighWater} txs in the mempool, ${report.options.runs} run(s)`,
  );
  out.push(`CometBFT: ${Object.entries(report.cometbft).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  out.push(`qosd index_events: ${report.options.indexEvents.length ? report.options.indexEvents.join(",") : "[] (each attribute as its module marks it)"}`);
  out.push(`CometBFT binaries: ${Object.entries(report.binaries as Record<string, { binary: string; version: string }>).map(([l, b]) => `${l} ${b.version} (${b.binary})`).join("; ")}`);
  out.push(`signing (pre-run, not measured): ${f(report.load.signUsPerTx)} µs/tx with ${report.load.signer}`);
  if (summary.qos) out.push(`qosd signature verifier: ${summary.qos.verifier ?? "(not seen in the log)"}`);
  out.push("");
  out.push("per run:");
  out.push(pad(["node", "run", "committed tx/s", "accepted tx/s", "blocks", "interval p50 ms", "txs/block p50", "mempool p50", "rejected", "batch ms p50/p99", "CPU % (window)"]));
  for (const r of results) {
    out.push(
      pad([
        r.node, String(r.run), f(r.committed?.tps), f(r.load.offeredTps), String(r.committed?.blocks ?? 0), f(r.committed?.blockIntervalMs.p50),
        f(r.committed?.txsPerBlock.p50), f(r.mempool.p50), String(r.load.rejected), `${f(r.load.batchMs.p50)}/${f(r.load.batchMs.p99)}`,
        Object.entries(r.cpu).map(([k, v]) => `${k} ${f(v)}`).join(", "),
      ]),
    );
  }
  out.push("");
  out.push("medians:");
  for (const [name, s] of Object.entries(summary.nodes)) {
    out.push(
      `  ${name.padEnd(16)} committed ${f(s.committedTps)} tx/s (runs: ${s.committedTpsPerRun.join(", ")}), block interval ${f(s.blockIntervalMs)} ms, ${f(s.txsPerBlock)} txs/block, ` +
        `batch p50 ${f(s.batchMs.p50)} ms p99 ${f(s.batchMs.p99)} ms, ` +
        `CPU ${Object.entries(s.cpu).map(([k, v]) => `${k} ${f(v)}%`).join(" ")}; CPU per committed tx ${Object.entries(s.cpuUsPerTx).map(([k, v]) => `${k} ${f(v)} µs`).join(" ")}`,
    );
  }
  for (const [name, ratio] of Object.entries(summary.ratios)) out.push(`  ${name} / kvstore = ${f(ratio, 2)}`);
  for (const [name, t] of Object.entries(summary.targets)) {
    out.push(
      `  targets (${name}): ≥1,000 tx/s ${t.tps1000 ? "met" : "MISSED"}; 3,000 tx/s ${t.tps3000 ? "met" : "not yet"}` +
        (t.ratio07 !== undefined ? `; ≥0.7 × kvstore ${t.ratio07 ? "met" : "MISSED"}` : ""),
    );
  }
  for (const label of Object.keys(summary.targets)) {
    const timings = results.filter((r) => r.node === label).flatMap((r) => r.timings ?? []);
    if (timings.length === 0) continue;
    out.push("");
    out.push(`${label}: qosd FinalizeBlock / Commit per block size (blocks in the measured windows, all runs; ms, and µs per tx at p50):`);
    out.push(pad(["txs/block", "blocks", "mean txs", "finalize p50", "finalize p99", "commit p50", "commit p99", "finalize µs/tx", "commit µs/tx"]));
    const byClass = new Map<string, SizeClassTiming[]>();
    for (const t of timings) byClass.set(t.sizeClass, [...(byClass.get(t.sizeClass) ?? []), t]);
    for (const [cls, ts] of byClass) {
      out.push(
        pad([
          cls, String(ts.reduce((n, t) => n + t.blocks, 0)), f(median(ts.map((t) => t.meanTxs))),
          f(median(ts.map((t) => t.finalizeMs.p50)), 1), f(Math.max(...ts.map((t) => t.finalizeMs.p99)), 1),
          f(median(ts.map((t) => t.commitMs.p50)), 1), f(Math.max(...ts.map((t) => t.commitMs.p99)), 1),
          f(median(ts.map((t) => t.finalizeUsPerTx))), f(median(ts.map((t) => t.commitUsPerTx))),
        ]),
      );
    }
  }
  if (profile) {
    out.push("");
    out.push(`qosd CPU profile (${qosVariants[0]?.label}, run 1, whole process life): busy ${f(profile.busyMs)} ms, idle ${f(profile.idleMs)} ms; ${profile.file}`);
    out.push("  inclusive:");
    for (const e of profile.inclusive.slice(0, 20)) out.push(`    ${f(e.pct, 1).padStart(5)}%  ${e.fn}`);
    out.push("  self:");
    for (const e of profile.self.slice(0, 20)) out.push(`    ${f(e.pct, 1).padStart(5)}%  ${e.fn}`);
  }
  console.log(out.join("\n"));
}

/** CometBFT behind qosd beside CometBFT running kvstore: µs of CometBFT CPU per committed tx. */
function printCometProfiles(profiles: CometProfileSummary[]) {
  if (profiles.length === 0) return;
  const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "-");
  const out: string[] = ["", "CometBFT CPU profile (run 1, measured window), µs of CometBFT CPU per committed tx:"];
  out.push(`  ${profiles.map((p) => `${p.node}: ${f(p.usPerTx)} µs/tx (${f(p.totalMs)} ms over ${p.seconds}s, ${p.committedTxs} txs; ${p.file})`).join("\n  ")}`);
  const names = profiles.map((p) => p.node);
  const areaNames = [...new Set(profiles.flatMap((p) => p.areas.map((a) => a.area)))];
  out.push(`  by area (inclusive):${" ".repeat(34)}${names.map((n) => n.padStart(14)).join("")}`);
  for (const area of areaNames) {
    out.push(`    ${area.padEnd(52)}${profiles.map((p) => f(p.areas.find((a) => a.area === area)?.usPerTx ?? 0).padStart(14)).join("")}`);
  }
  for (const p of profiles) {
    out.push(`  ${p.node}, self (flat) time, top 15:`);
    for (const e of p.flat.slice(0, 15)) out.push(`    ${f(e.usPerTx, 1).padStart(7)} µs/tx  ${e.fn}`);
  }
  console.log(out.join("\n"));
}

function pad(cells: string[]): string {
  const widths = [16, 4, 15, 14, 7, 16, 14, 12, 9, 17, 0];
  return "  " + cells.map((c, i) => (widths[i] ? c.padEnd(widths[i]) : c)).join(" ");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
