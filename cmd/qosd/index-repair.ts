// Index completeness: CometBFT indexes a block's txs only after the block is committed (its indexer
// follows the event bus), so a CometBFT that dies right after a commit — kill -9, or even a clean stop,
// which stops the event bus before consensus — leaves the last heights committed but not findable by
// hash or tx_search, and nothing in CometBFT ever indexes them later. Before qosd starts CometBFT it
// looks for such a gap at the top of the index (offline, through `cometbft inspect` on a private unix
// socket) and fills it with `cometbft reindex-event`, which writes the same entries the indexer would.
import { spawn, execFile } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { getTomlValue } from "../common/cometbft.js";
import { sleep } from "../common/processes.js";

/** Heights below the top that are checked at most: the indexer runs at most a block or two behind the
 *  commits, so a gap deeper than this is not one an unclean stop left (e.g. an indexer that was off). */
export const IndexCheckDepth = 1000;

export interface IndexGap {
  /** first and last height that were not (fully) indexed */
  from: number;
  to: number;
  /** txs in those heights */
  txs: number;
  /** the gap reaches IndexCheckDepth: heights below `from` were not checked */
  deeper: boolean;
}

export interface IndexCheck {
  /** the highest height the block store and the app both have (what is checked down from) */
  top: number;
  gap?: IndexGap;
}

/** One JSON-RPC call to an RPC server listening on a unix socket. */
function unixRpc<T>(socket: string, method: string, params: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
    const req = http.request(
      { socketPath: socket, path: "/", method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { result?: T; error?: { message: string; data?: string } };
            if (parsed.error) reject(new Error(`${method}: ${parsed.error.message} ${parsed.error.data ?? ""}`));
            else resolve(parsed.result as T);
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method}: no answer in 10 s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Finds the heights at the top of CometBFT's kv index that are missing, with CometBFT stopped: a height
 * is indexed when its block events are (block_search) and all its txs are (tx_search). The indexer
 * works in height order, so the first complete height going down ends the gap.
 */
export async function findIndexGap(binary: string, home: string, appHeight: number, signal?: AbortSignal): Promise<IndexCheck> {
  // A short path: unix socket paths are limited to ~108 bytes, a home path may be long.
  const socket = join(tmpdir(), `qosd-${process.pid}-inspect.sock`);
  rmSync(socket, { force: true });
  const inspect = spawn(binary, ["inspect", "--home", home, "--rpc.laddr", `unix://${socket}`], { stdio: ["ignore", "pipe", "pipe"], signal });
  inspect.on("error", () => {}); // an abort; the exit below is what is waited for
  let output = "";
  const keep = (d: Buffer) => (output = (output + d.toString("utf8")).slice(-4000));
  inspect.stdout.on("data", keep);
  inspect.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) => inspect.once("exit", () => resolve()));
  try {
    let chain: { last_height: string } | undefined;
    const deadline = Date.now() + 60_000;
    while (!chain) {
      if (inspect.exitCode !== null || inspect.signalCode !== null) throw new Error(`cometbft inspect exited (${inspect.signalCode ?? `code ${inspect.exitCode}`}): ${output.trim()}`);
      if (Date.now() > deadline) throw new Error(`cometbft inspect did not answer in 60 s: ${output.trim()}`);
      if (existsSync(socket)) chain = await unixRpc<{ last_height: string }>(socket, "blockchain", {}).catch(() => undefined);
      if (!chain) await sleep(20);
    }
    const top = Math.min(Number(chain.last_height), appHeight);
    const rpc = <T>(method: string, params: Record<string, unknown>) => unixRpc<T>(socket, method, params);
    let txs = 0;
    let lowestMissing = 0;
    const bottom = Math.max(1, top - IndexCheckDepth + 1);
    for (let upper = top; upper >= bottom; upper -= 20) {
      // block metas come 20 at a time, newest first; heights below the store's base are simply absent
      const lower = Math.max(bottom, upper - 19);
      const { block_metas: metas } = await rpc<{ block_metas: { header: { height: string }; num_txs: string }[] }>("blockchain", { minHeight: String(lower), maxHeight: String(upper) });
      for (const meta of metas) {
        const height = Number(meta.header.height);
        const numTxs = Number(meta.num_txs);
        const blocks = await rpc<{ total_count: string }>("block_search", { query: `block.height = ${height}`, per_page: "1" });
        const indexedTxs = numTxs === 0 ? 0 : Number((await rpc<{ total_count: string }>("tx_search", { query: `tx.height = ${height}`, per_page: "1" })).total_count);
        if (Number(blocks.total_count) === 1 && indexedTxs === numTxs) {
          return { top, gap: lowestMissing ? { from: lowestMissing, to: top, txs, deeper: false } : undefined };
        }
        lowestMissing = height;
        txs += numTxs;
      }
      if (metas.length < upper - lower + 1) break; // below the base: nothing further down to check
    }
    return { top, gap: lowestMissing ? { from: lowestMissing, to: top, txs, deeper: lowestMissing === bottom && bottom > 1 } : undefined };
  } finally {
    inspect.kill("SIGTERM");
    await exited;
    rmSync(socket, { force: true });
  }
}

/** `cometbft reindex-event` over [from, to]; it reports a failure on stdout with exit code 0. */
export async function reindexEvents(binary: string, home: string, from: number, to: number, signal?: AbortSignal): Promise<void> {
  const { stdout, stderr } = await promisify(execFile)(binary, ["reindex-event", "--home", home, "--start-height", String(from), "--end-height", String(to)], {
    encoding: "utf8",
    maxBuffer: 16 << 20,
    signal,
  });
  if (!/event re-index finished/.test(stdout) || /re-index failed/.test(stdout)) {
    throw new Error(`cometbft reindex-event ${from}-${to}: ${(stdout + stderr).trim().slice(-2000)}`);
  }
}

/**
 * Checks the index and repairs a gap before CometBFT starts; says what it did in one log line. A
 * failure is logged, not thrown: the node still starts (its blocks and state are whole either way).
 */
export async function repairTxIndex(
  binary: string,
  home: string,
  cometConfigToml: string,
  appHeight: number,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<IndexCheck | undefined> {
  const indexer = getTomlValue(cometConfigToml, "tx_index", "indexer") ?? "kv";
  if (indexer !== "kv" || appHeight === 0) return undefined;
  const started = performance.now();
  try {
    const check = await findIndexGap(binary, home, appHeight, signal);
    const gap = check.gap;
    if (!gap) {
      log(`tx index complete up to height ${check.top} (checked in ${(performance.now() - started).toFixed(0)} ms)`);
      return check;
    }
    await reindexEvents(binary, home, gap.from, gap.to, signal);
    log(
      `tx index gap repaired: heights ${gap.from}-${gap.to} (${gap.to - gap.from + 1} blocks, ${gap.txs} txs) were committed but not indexed; reindexed in ${(performance.now() - started).toFixed(0)} ms` +
        (gap.deeper ? `; heights below ${gap.from} were not checked (run \`cometbft reindex-event --end-height ${gap.from - 1}\` with the node stopped)` : ""),
    );
    return check;
  } catch (e) {
    log(`tx index not checked: ${(e as Error).message}`);
    return undefined;
  }
}
