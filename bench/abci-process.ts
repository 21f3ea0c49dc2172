// npm run bench:abci -- --process: the same ABCI flow as the in-process benchmark (bench/abci.ts), sent to a
// real `qosd start --abci-only` over its ABCI socket the way a loaded CometBFT sends it, without CometBFT:
// CPU of the qosd process (all its threads, /proc/<pid>/stat) per committed tx by phase, comparable under
// load where wall time is not (bench/README.md "The process").
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { readFileSync, rmSync } from "node:fs";
import { CheckTxType, Request, Response, type RequestFinalizeBlock, type RequestInitChain } from "cosmjs-types/tendermint/abci/types";
import { FrameDecoder, encodeFrame } from "../app/abci/framing.js";
import { cometbftBinary } from "../cmd/common/cometbft.js";
import { readAppConfig } from "../cmd/qosd/home.js";
import { BenchNode, qosdBin, sleep, type BenchConfig } from "./nodes.js";

/** How CometBFT's socket client interleaves Flush with the mempool's CheckTx requests. */
export type FlushShape = "pairs" | "chunk";

export interface ProcessBenchOptions {
  /** signed transfers by round: round r holds one tx per account at sequence r */
  rounds: Uint8Array[][];
  initChain: RequestInitChain;
  /** FinalizeBlock request of `height` for `txs` (the in-process benchmark's, field for field) */
  finalizeRequest(height: number, txs: Uint8Array[]): RequestFinalizeBlock;
  /** CheckTx requests per socket write */
  chunk: number;
  /** writes of CheckTx in flight (unanswered) at most */
  window: number;
  /** pairs: a Flush after every CheckTx (the stock CometBFT, whose 20 ns flush throttle fires after
   *  each request, docs/cometbft-flush-throttle.md); chunk: one Flush per write (the patched one) */
  flush: FlushShape;
  /** node flags for the qosd process (e.g. --max-semi-space-size=N for an A/B) */
  nodeFlags: string[];
  /** qosd start's --verify-workers (undefined: the config's) */
  verifyWorkers?: number;
  /** how long qosd is left idle to measure its background CPU */
  idleMs: number;
}

export interface ProcessPhases {
  proposal: number[];
  finalize: number[];
  commit: number[];
  recheck: number[];
  checkTx: number[];
}

export interface ProcessBenchResult {
  /** µs of qosd CPU per tx, one entry per measured block */
  phases: ProcessPhases;
  /** the same, of qosd's main thread only (the consensus thread: what limits tx/s behind CometBFT) */
  mainPhases: ProcessPhases;
  /** committed txs per second of wall time over the measured blocks (CheckTx, blocks, rechecks) */
  txPerSecond: number;
  appHash: string;
  /** qosd's GC time over the measured blocks by kind (prom-client's nodejs_gc_duration_seconds), ms */
  gcMs: Record<string, number>;
  /** qosd CPU over the measured blocks, ms: all threads, and the main thread */
  cpuMs: number;
  mainCpuMs: number;
  /** qosd's CPU while idle, % of a core */
  idlePercent: number;
  /** qosd's resident set at the end, MiB */
  rssMiB: number;
  verifier: string;
}

/** utime + stime of a process in clock ticks (USER_HZ = 100: 10 ms), all its threads */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** utime + stime of a process's main thread (its tid is the pid) in clock ticks */
function mainThreadTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** process and main-thread ticks, read together */
function ticks(pid: number): { all: number; main: number } {
  return { all: cpuTicks(pid), main: mainThreadTicks(pid) };
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}

const FlushFrame = encodeFrame(Request.encode(Request.fromPartial({ flush: {} })).finish());

function frameOf(req: Record<string, unknown>): Uint8Array {
  return encodeFrame(Request.encode(Request.fromPartial(req as Parameters<typeof Request.fromPartial>[0])).finish());
}

/** One ABCI connection as CometBFT's socket client holds it: requests written in order, answers FIFO. */
class Connection {
  private readonly decoder = new FrameDecoder();
  private readonly waiting: { count: number; got: Response[]; resolve(r: Response[]): void; reject(e: Error): void }[] = [];
  private failure: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (e) => this.fail(e));
    socket.on("close", () => this.fail(new Error("qosd closed the ABCI connection")));
  }

  static open(address: string): Promise<Connection> {
    const m = /^tcp:\/\/(.*):(\d+)$/.exec(address);
    const opts: net.NetConnectOpts = address.startsWith("unix://") ? { path: address.slice(7) } : { host: m![1], port: Number(m![2]) };
    return new Promise((resolve, reject) => {
      const socket = net.connect(opts);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new Connection(socket));
      });
      socket.once("error", reject);
    });
  }

  /** Writes `bytes` holding `count` requests; resolves with their answers. */
  send(bytes: Uint8Array, count: number): Promise<Response[]> {
    if (this.failure) return Promise.reject(this.failure);
    const answered = new Promise<Response[]>((resolve, reject) => this.waiting.push({ count, got: [], resolve, reject }));
    this.socket.write(bytes);
    return answered;
  }

  /** One request and a Flush, as CometBFT's synchronous calls; resolves with the request's answer. */
  async call(req: Record<string, unknown>): Promise<Response> {
    const [res] = await this.send(Buffer.concat([frameOf(req), FlushFrame]), 2);
    if (res.exception) throw new Error(`qosd answered ${Object.keys(req)[0]} with an exception: ${res.exception.error}`);
    return res;
  }

  close(): void {
    this.failure ??= new Error("closed");
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    for (const body of this.decoder.push(chunk)) {
      const head = this.waiting[0];
      if (!head) return this.fail(new Error("unsolicited ABCI answer"));
      head.got.push(Response.decode(body));
      if (head.got.length === head.count) {
        this.waiting.shift();
        head.resolve(head.got);
      }
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }
}

/** CheckTx writes for one round: `chunk` txs per write, Flush after each tx or after each write. */
function checkTxWrites(txs: Uint8Array[], type: CheckTxType, chunk: number, flush: FlushShape): { bytes: Buffer; count: number }[] {
  const writes: { bytes: Buffer; count: number }[] = [];
  for (let i = 0; i < txs.length; i += chunk) {
    const frames: Uint8Array[] = [];
    for (const tx of txs.slice(i, i + chunk)) {
      frames.push(frameOf({ checkTx: { tx, type } }));
      if (flush === "pairs") frames.push(FlushFrame);
    }
    if (flush === "chunk") frames.push(FlushFrame);
    writes.push({ bytes: Buffer.concat(frames), count: frames.length });
  }
  return writes;
}

/** Sends the writes with at most `window` unanswered; every CheckTx must pass. */
async function runCheckTx(conn: Connection, writes: { bytes: Buffer; count: number }[], window: number, what: string): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < writes.length) {
      const w = writes[next++];
      for (const res of await conn.send(w.bytes, w.count)) {
        const r = res.checkTx;
        if (res.exception) throw new Error(`CheckTx (${what}): exception ${res.exception.error}`);
        if (r && r.code !== 0) throw new Error(`CheckTx (${what}) refused a transfer: ${r.codespace} ${r.code} ${r.log}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, window) }, lane));
}

/** prom-client's GC histogram sums by kind, from qosd's metrics endpoint (seconds) */
async function gcSeconds(metricsAddress: string): Promise<Record<string, number>> {
  const text = await (await fetch(`http://${metricsAddress}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^qosd_nodejs_gc_duration_seconds_sum\{kind="(\w+)"\} ([\d.e+-]+)$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

/** The bench nodes' settings (bench/run.ts defaults); CometBFT's part is unused here: qosd runs --abci-only */
const NodeConfig: BenchConfig = {
  timeoutCommit: "1s", mempoolSize: 10_000, mempoolCacheSize: 20_000, maxTxBytes: 1_048_576, recheck: true,
  indexer: "kv", rpcMaxBatch: 10_000, rpcMaxBodyBytes: 1_000_000_000, abci: "tcp",
};

export async function runProcessBench(o: ProcessBenchOptions): Promise<ProcessBenchResult> {
  const node = await BenchNode.createQos(o.initChain.chainId, NodeConfig, "0.025uqos", cometbftBinary(), []);
  const config = readAppConfig(node.home);
  let child: ChildProcess | undefined;
  const conns: Connection[] = [];
  try {
    const env = { ...process.env };
    delete env.QOS_CHECK_INVARIANTS;
    const qosdFlags = o.verifyWorkers === undefined ? [] : ["--verify-workers", String(o.verifyWorkers)];
    child = spawn(process.execPath, [...o.nodeFlags, qosdBin, "start", "--abci-only", "--home", node.home, ...qosdFlags], { stdio: ["ignore", "pipe", "pipe"], env });
    let output = "";
    const started = new Promise<{ abci: string; verifier: string }>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        const m = /ABCI on (\S+), signature verifier: (.*)$/m.exec(output);
        if (m) resolve({ abci: m[1], verifier: m[2].trim() });
      };
      child!.stdout!.on("data", onData);
      child!.stderr!.on("data", onData);
      child!.once("exit", (code) => reject(new Error(`qosd exited (${code}) before serving ABCI:\n${output.slice(-3000)}`)));
    });
    const { abci, verifier } = await started;
    const pid = child.pid!;
    // CometBFT dials query, snapshot, mempool and consensus, in that order
    const [query, , mempool, consensus] = [await Connection.open(abci), await Connection.open(abci), await Connection.open(abci), await Connection.open(abci)];
    conns.push(query, mempool, consensus);
    await query.call({ info: { version: "0.38.25", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" } });
    await consensus.call({ initChain: o.initChain });
    let height = 0;
    const block = async (txs: Uint8Array[]) => {
      height++;
      const req = o.finalizeRequest(height, txs);
      const header = { txs, misbehavior: [], height: req.height, time: req.time, nextValidatorsHash: req.nextValidatorsHash, proposerAddress: req.proposerAddress };
      // a single validator proposes every block: PrepareProposal, then ProcessProposal of its own proposal
      await consensus.call({ prepareProposal: { ...header, maxTxBytes: 1n << 40n, localLastCommit: { round: 0, votes: [] } } });
      await consensus.call({ processProposal: { ...header, hash: req.hash, proposedLastCommit: { round: 0, votes: [] } } });
      const tProposal = ticks(pid);
      const fin = (await consensus.call({ finalizeBlock: req })).finalizeBlock!;
      const failed = fin.txResults.filter((x) => x.code !== 0);
      if (failed.length > 0) throw new Error(`${failed.length} transfers failed in block ${height}: ${failed[0].code} ${failed[0].log}`);
      const tFinalize = ticks(pid);
      // before Commit CometBFT locks the mempool and flushes its connection (BlockExecutor.Commit)
      await mempool.send(FlushFrame, 1);
      await consensus.call({ commit: {} });
      return { tProposal, tFinalize };
    };
    const rounds = o.rounds;
    const perTx = rounds[0].length;
    const writes = (r: number, type: CheckTxType) => checkTxWrites(rounds[r], type, o.chunk, o.flush);
    await block([]);
    await runCheckTx(mempool, writes(0, CheckTxType.NEW), o.window, "new");
    await runCheckTx(mempool, writes(1, CheckTxType.NEW), o.window, "new");
    const phases: ProcessPhases = { proposal: [], finalize: [], commit: [], recheck: [], checkTx: [] };
    const mainPhases: ProcessPhases = { proposal: [], finalize: [], commit: [], recheck: [], checkTx: [] };
    const metricsAddress = config.metrics_address;
    let gcBefore: Record<string, number> = {};
    let cpuFrom = { all: 0, main: 0 };
    let wallFrom = 0;
    for (let r = 0; r + 2 < rounds.length; r++) {
      const recheckWrites = writes(r + 1, CheckTxType.RECHECK);
      const newWrites = writes(r + 2, CheckTxType.NEW);
      if (r === 1) {
        gcBefore = await gcSeconds(metricsAddress);
        cpuFrom = ticks(pid);
        wallFrom = performance.now();
      }
      const t0 = ticks(pid);
      const { tProposal, tFinalize } = await block(rounds[r]);
      const t2 = ticks(pid);
      await runCheckTx(mempool, recheckWrites, o.window, "recheck");
      const t3 = ticks(pid);
      await runCheckTx(mempool, newWrites, o.window, "new");
      const t4 = ticks(pid);
      if (r === 0) continue; // warm-up
      for (const [into, of] of [[phases, "all"], [mainPhases, "main"]] as const) {
        const us = (from: { all: number; main: number }, to: { all: number; main: number }) => ((to[of] - from[of]) * 10_000) / perTx;
        into.proposal.push(us(t0, tProposal));
        into.finalize.push(us(tProposal, tFinalize));
        into.commit.push(us(tFinalize, t2));
        into.recheck.push(us(t2, t3));
        into.checkTx.push(us(t3, t4));
      }
    }
    const wallMs = performance.now() - wallFrom;
    const cpuTo = ticks(pid);
    const cpuMs = (cpuTo.all - cpuFrom.all) * 10;
    const mainCpuMs = (cpuTo.main - cpuFrom.main) * 10;
    const txPerSecond = (perTx * phases.checkTx.length * 1000) / wallMs;
    const gcAfter = await gcSeconds(metricsAddress);
    const gcMs = Object.fromEntries(Object.entries(gcAfter).map(([k, v]) => [k, (v - (gcBefore[k] ?? 0)) * 1000]));
    const appHash = Buffer.from((await query.call({ info: {} })).info!.lastBlockAppHash).toString("hex");
    const idle0 = cpuTicks(pid);
    await sleep(o.idleMs);
    const idlePercent = ((cpuTicks(pid) - idle0) * 10 * 100) / o.idleMs;
    return { phases, mainPhases, txPerSecond, appHash, gcMs, cpuMs, mainCpuMs, idlePercent, rssMiB: rssMiB(pid), verifier };
  } finally {
    for (const c of conns) c.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGINT");
      await Promise.race([exited, sleep(20_000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    rmSync(node.home, { recursive: true, force: true });
  }
}
