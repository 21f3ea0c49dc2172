// What was committed: block headers (time, tx count) from RPC `blockchain`, tx result codes from
// `block_results`, and qosd's own per-block timing lines.
import type { BenchNode, BlockLog } from "./nodes.js";

export interface BlockInfo {
  height: number;
  timeMs: number;
  txs: number;
  okTxs: number;
}

/** RFC 3339 with up to nanoseconds → milliseconds (fractional). */
export function parseTimeMs(text: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(text);
  if (!m) return Date.parse(text);
  return Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? "0"}`) * 1000;
}

export async function fetchBlocks(node: BenchNode, fromHeight: number, toHeight: number): Promise<BlockInfo[]> {
  const blocks: BlockInfo[] = [];
  for (let max = toHeight; max >= fromHeight; max -= 20) {
    const min = Math.max(fromHeight, max - 19);
    const res = await node.rpc<{ block_metas: Array<{ header: { height: string; time: string }; num_txs: string }> }>("blockchain", {
      minHeight: String(min),
      maxHeight: String(max),
    });
    for (const meta of res.block_metas) {
      blocks.push({ height: Number(meta.header.height), timeMs: parseTimeMs(meta.header.time), txs: Number(meta.num_txs), okTxs: 0 });
    }
  }
  blocks.sort((a, b) => a.height - b.height);
  return blocks;
}

/** Fills okTxs (code 0 in block_results) for the given blocks. */
export async function fillResults(node: BenchNode, blocks: BlockInfo[]): Promise<void> {
  for (const block of blocks) {
    if (block.txs === 0) continue;
    // The block is stored before its results: the newest height may need a moment.
    let res: { txs_results: Array<{ code?: number }> | null } | undefined;
    for (let attempt = 0; !res; attempt++) {
      try {
        res = await node.rpc<{ txs_results: Array<{ code?: number }> | null }>("block_results", { height: String(block.height) });
      } catch (e) {
        if (attempt >= 120) throw e;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    block.okTxs = (res.txs_results ?? []).filter((r) => (r.code ?? 0) === 0).length;
  }
}

export interface Throughput {
  /** committed txs with code 0 per second over the window */
  tps: number;
  /** all txs included in blocks (any code) per second over the window */
  includedTps: number;
  blocks: number;
  okTxs: number;
  spanSec: number;
  blockIntervalMs: { p50: number; min: number; max: number };
  txsPerBlock: { p50: number; max: number };
  firstHeight: number;
  lastHeight: number;
}

/**
 * Committed TPS over blocks whose time lies in [startMs, endMs]: txs of all blocks but the first ÷
 * (time of the last − time of the first). The first block's txs were gathered before the span began.
 */
export function throughput(all: BlockInfo[], startMs: number, endMs: number): Throughput | undefined {
  const w = all.filter((b) => b.timeMs >= startMs && b.timeMs <= endMs);
  if (w.length < 2) return undefined;
  const spanSec = (w[w.length - 1].timeMs - w[0].timeMs) / 1000;
  const counted = w.slice(1);
  const ok = counted.reduce((n, b) => n + b.okTxs, 0);
  const included = counted.reduce((n, b) => n + b.txs, 0);
  const intervals = w.slice(1).map((b, i) => b.timeMs - w[i].timeMs);
  return {
    tps: ok / spanSec,
    includedTps: included / spanSec,
    blocks: w.length,
    okTxs: ok,
    spanSec,
    blockIntervalMs: { p50: percentile(intervals, 50), min: Math.min(...intervals), max: Math.max(...intervals) },
    txsPerBlock: { p50: percentile(w.map((b) => b.txs), 50), max: Math.max(...w.map((b) => b.txs)) },
    firstHeight: w[0].height,
    lastHeight: w[w.length - 1].height,
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export interface SizeClassTiming {
  sizeClass: string;
  blocks: number;
  meanTxs: number;
  finalizeMs: { p50: number; p99: number };
  commitMs: { p50: number; p99: number };
  /** FinalizeBlock time per tx, p50 over the class's blocks */
  finalizeUsPerTx: number;
  commitUsPerTx: number;
}

const SizeClasses: Array<[string, number, number]> = [
  ["0", 0, 0],
  ["1-249", 1, 249],
  ["250-999", 250, 999],
  ["1000-1999", 1000, 1999],
  ["2000-3999", 2000, 3999],
  ["4000-7999", 4000, 7999],
  ["8000+", 8000, Infinity],
];

/** FinalizeBlock and Commit time p50/p99 per block size class, from qosd's log lines. */
export function timingBySize(logs: BlockLog[]): SizeClassTiming[] {
  const out: SizeClassTiming[] = [];
  for (const [name, lo, hi] of SizeClasses) {
    const b = logs.filter((l) => l.txs >= lo && l.txs <= hi);
    if (b.length === 0) continue;
    const withTxs = b.filter((l) => l.txs > 0);
    out.push({
      sizeClass: name,
      blocks: b.length,
      meanTxs: b.reduce((n, l) => n + l.txs, 0) / b.length,
      finalizeMs: { p50: percentile(b.map((l) => l.finalizeMs), 50), p99: percentile(b.map((l) => l.finalizeMs), 99) },
      commitMs: { p50: percentile(b.map((l) => l.commitMs), 50), p99: percentile(b.map((l) => l.commitMs), 99) },
      finalizeUsPerTx: withTxs.length ? percentile(withTxs.map((l) => (l.finalizeMs * 1000) / l.txs), 50) : NaN,
      commitUsPerTx: withTxs.length ? percentile(withTxs.map((l) => (l.commitMs * 1000) / l.txs), 50) : NaN,
    });
  }
  return out;
}
