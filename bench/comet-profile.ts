// CometBFT's own CPU profile (its pprof server, `[rpc] pprof_laddr`) over the measured window, for the
// node behind qosd and the one running kvstore, summarised per committed tx so the two compare: issue 16
// asks why the engine costs more behind qosd than behind kvstore for same-sized txs. `go tool pprof`
// reads the profile (Go profiles carry their symbols, so the binary is not needed).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";

export interface PprofEntry {
  fn: string;
  ms: number;
  /** CPU µs of this function per committed tx in the profiled window */
  usPerTx: number;
}

/** Where CometBFT's time goes, by the parts issue 16 names: CPU of the samples whose stack holds one of
 *  these functions (`go tool pprof -focus`), so nested and repeated frames count once. Areas overlap
 *  (the indexer runs its own goroutine, but block execution contains saving the responses). */
export const CometAreas: ReadonlyArray<[area: string, focus: string]> = [
  ["RPC server (HTTP, JSON-RPC, broadcast_tx)", String.raw`rpc/jsonrpc/server\.Serve\.`],
  ["  of which mempool CheckTx (send to the app)", String.raw`mempool\.\(\*CListMempool\)\.CheckTx$`],
  ["ABCI socket client: flush timer firing (stock: 20 ns)", String.raw`libs/timer\.\(\*ThrottleTimer\)\.fireRoutine`],
  ["Go scheduler and timers (finding work, idle)", String.raw`runtime\.(schedule|findRunnable|mcall)$`],
  ["ABCI socket client (write requests, read responses)", String.raw`abci/client\.\(\*socketClient\)\.(sendRequestsRoutine|recvResponseRoutine)`],
  ["mempool: new tx answered (add to the mempool)", String.raw`mempool\.\(\*CListMempool\)\.resCbFirstTime`],
  ["mempool: recheck (send, answers)", String.raw`mempool\.\(\*CListMempool\)\.(recheckTxs|resCbRecheck|globalCb)`],
  ["mempool: update after a block", String.raw`mempool\.\(\*CListMempool\)\.Update$`],
  ["consensus (receive routine: proposals, votes, commit)", String.raw`consensus\.\(\*State\)\.receiveRoutine`],
  ["  of which block execution (FinalizeBlock, Commit)", String.raw`state\.\(\*BlockExecutor\)\.applyBlock`],
  ["  of which saving FinalizeBlock responses", String.raw`state\.dbStore\.SaveFinalizeBlockResponse`],
  ["  of which saving the block", String.raw`store\.\(\*BlockStore\)\.SaveBlock`],
  ["  of which firing events (event bus)", String.raw`state\.fireEvents`],
  ["indexer service (tx and block indexers)", String.raw`txindex\.\(\*IndexerService\)\.OnStart`],
  ["  of which tx indexer (kv)", String.raw`txindex/kv\.\(\*TxIndex\)\.AddBatch`],
  ["  of which block indexer (kv)", String.raw`indexer/block/kv\.\(\*BlockerIndexer\)\.Index`],
  ["event bus subscriptions (pubsub)", String.raw`libs/pubsub\.`],
  ["LevelDB compaction", String.raw`goleveldb/leveldb\.\(\*DB\)\.(tCompaction|mCompaction)`],
  ["garbage collection (background)", String.raw`runtime\.gcBgMarkWorker`],
  ["kvstore app (in the kvstore node only)", String.raw`abci/example/kvstore\.`],
];

export interface CometProfileSummary {
  /** the node's label in the bench: qos, kvstore, or either +flushfix (the patched CometBFT) */
  node: string;
  file: string;
  seconds: number;
  /** CPU time in the profile, ms */
  totalMs: number;
  committedTxs: number;
  usPerTx: number;
  areas: Array<{ area: string; ms: number; usPerTx: number }>;
  flat: PprofEntry[];
  cum: PprofEntry[];
}

/** Fetches a CPU profile of `seconds` from CometBFT's pprof server into `file`. */
export async function fetchCometProfile(pprofAddress: string, seconds: number, file: string): Promise<void> {
  const res = await fetch(`http://${pprofAddress}/debug/pprof/profile?seconds=${seconds}`, { signal: AbortSignal.timeout((seconds + 60) * 1000) });
  if (!res.ok) throw new Error(`pprof ${pprofAddress}: HTTP ${res.status}`);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
}

interface TopRow {
  flat: number;
  cum: number;
  fn: string;
}

function pprof(args: string[]): string {
  return execFileSync("go", ["tool", "pprof", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
}

/** CPU ms of the samples with a frame matching `focus` (all nodes shown, so the shown total is theirs). */
function focusedMs(file: string, focus: string): number {
  const out = pprof(["-top", "-unit=ms", "-nodefraction=0", "-nodecount=1000000", `-focus=${focus}`, file]);
  const m = /Showing nodes accounting for ([\d.]+)(ms)?,/.exec(out);
  return m ? Number(m[1]) : 0;
}

/** Rows of `go tool pprof -top -unit=ms`: flat flat% sum% cum cum% name. */
function pprofTop(file: string, cum: boolean, nodes: number): { totalMs: number; rows: TopRow[] } {
  const out = pprof(["-top", "-unit=ms", `-nodecount=${nodes}`, ...(cum ? ["-cum"] : []), file]);
  const total = /Total samples = ([\d.]+)ms/.exec(out);
  const rows: TopRow[] = [];
  for (const line of out.split("\n")) {
    const m = /^\s*([\d.]+)ms\s+[\d.]+%\s+[\d.]+%\s+([\d.]+)ms\s+[\d.]+%\s+(.+)$/.exec(line);
    if (m) rows.push({ flat: Number(m[1]), cum: Number(m[2]), fn: m[3].trim() });
  }
  return { totalMs: total ? Number(total[1]) : rows.reduce((n, r) => n + r.flat, 0), rows };
}

export function summarizeCometProfile(node: string, file: string, seconds: number, committedTxs: number, top = 25): CometProfileSummary {
  const per = (ms: number) => (committedTxs > 0 ? (ms * 1000) / committedTxs : NaN);
  const flat = pprofTop(file, false, top);
  const cum = pprofTop(file, true, top);
  const areas = CometAreas.map(([area, focus]) => {
    const ms = focusedMs(file, focus);
    return { area, ms, usPerTx: per(ms) };
  });
  const entry = (r: TopRow, v: number): PprofEntry => ({ fn: r.fn, ms: v, usPerTx: per(v) });
  return {
    node,
    file,
    seconds,
    totalMs: flat.totalMs,
    committedTxs,
    usPerTx: per(flat.totalMs),
    areas,
    flat: flat.rows.slice(0, top).map((r) => entry(r, r.flat)),
    cum: cum.rows.slice(0, top).map((r) => entry(r, r.cum)),
  };
}
