// The block lines of qosd's log. At info: one concise line per committed block ("committed height H txs
// T finalize_ms … commit_ms … app_hash …", the line scripts and the benchmark read), or, with
// log_empty_blocks false, only for blocks with txs; and every `summaryEvery` heights a summary of those
// blocks, which is what a quiet chain shows. While the node replays or syncs old blocks (their time is
// more than CatchUpSeconds behind the wall clock) the per-block lines go to debug and a progress line
// every few seconds says how far it got.
import { Progress } from "../../app/log.js";
import type { BlockStats } from "./instrument.js";
import type { Logger } from "./logger.js";

/** A block older than this (by its header time) is being caught up with, not made now. */
export const CatchUpSeconds = 60;

export interface BlockLogOptions {
  /** a summary line every this many heights (0: none) */
  summaryEvery: number;
  /** a line for every empty block at info (false: only at debug) */
  emptyBlocks: boolean;
  /** wall clock in ms since the epoch (tests give their own) */
  now?: () => number;
  /** progress pacing (tests give their own) */
  progress?: Progress;
}

interface Window {
  from: number;
  blocks: number;
  txs: number;
  failedTxs: number;
  gasUsed: bigint;
  finalizeMs: number;
  finalizeMaxMs: number;
  commitMs: number;
  commitMaxMs: number;
  firstTimeNs: bigint;
}

export class BlockLog {
  private window?: Window;
  private catchingUp?: { from: number; blocks: number; startedMs: number };
  private readonly now: () => number;
  private readonly progress: Progress;

  constructor(
    private readonly log: Logger,
    private readonly options: BlockLogOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.progress = options.progress ?? new Progress((line) => log.info(line));
  }

  block(b: BlockStats): void {
    const behindSeconds = (this.now() - Number(b.timeNs / 1_000_000n)) / 1000;
    const old = !b.first && behindSeconds > CatchUpSeconds;
    const line =
      `committed height ${b.height} txs ${b.txs} finalize_ms ${b.finalizeMs.toFixed(1)} commit_ms ${b.commitMs.toFixed(1)} app_hash ${b.appHash}`;
    const fields = {
      event: "block", height: b.height, txs: b.txs, failed_txs: b.failedTxs, gas_used: Number(b.gasUsed),
      finalize_ms: round(b.finalizeMs), commit_ms: round(b.commitMs), app_hash: b.appHash, block_time: isoTime(b.timeNs),
    };
    const quiet = old || (b.txs === 0 && !this.options.emptyBlocks);
    this.catchUp(b, old, behindSeconds);
    this.log.log(quiet ? "debug" : "info", line, fields);
    this.summarise(b);
  }

  private catchUp(b: BlockStats, old: boolean, behindSeconds: number): void {
    if (old) {
      if (!this.catchingUp) {
        this.catchingUp = { from: b.height, blocks: 0, startedMs: this.now() };
        this.log.info(`catching up (replay or block sync) from height ${b.height}: its block time ${isoTime(b.timeNs)} is ${Math.round(behindSeconds)} s behind`, { event: "catch_up_start", height: b.height });
      }
      const c = this.catchingUp;
      c.blocks++;
      this.progress.step(() => {
        const seconds = (this.now() - c.startedMs) / 1000;
        return `catching up: height ${b.height}, block time ${isoTime(b.timeNs)} (${Math.round(behindSeconds)} s behind), ${c.blocks} blocks in ${seconds.toFixed(0)} s (${(c.blocks / Math.max(seconds, 0.001)).toFixed(1)} blocks/s)`;
      });
    } else if (this.catchingUp) {
      const c = this.catchingUp;
      this.catchingUp = undefined;
      const seconds = (this.now() - c.startedMs) / 1000;
      this.log.info(`caught up at height ${b.height}: ${c.blocks} old blocks (from height ${c.from}) in ${seconds.toFixed(1)} s`, {
        event: "catch_up_done", height: b.height, blocks: c.blocks, seconds: round(seconds),
      });
    }
  }

  private summarise(b: BlockStats): void {
    const every = this.options.summaryEvery;
    if (every <= 0) return;
    const w = (this.window ??= {
      from: b.height, blocks: 0, txs: 0, failedTxs: 0, gasUsed: 0n, finalizeMs: 0, finalizeMaxMs: 0, commitMs: 0, commitMaxMs: 0, firstTimeNs: b.timeNs,
    });
    w.blocks++;
    w.txs += b.txs;
    w.failedTxs += b.failedTxs;
    w.gasUsed += b.gasUsed;
    w.finalizeMs += b.finalizeMs;
    w.finalizeMaxMs = Math.max(w.finalizeMaxMs, b.finalizeMs);
    w.commitMs += b.commitMs;
    w.commitMaxMs = Math.max(w.commitMaxMs, b.commitMs);
    if (b.height % every !== 0) return;
    this.window = undefined;
    const seconds = Number(b.timeNs - w.firstTimeNs) / 1e9;
    const interval = w.blocks > 1 ? seconds / (w.blocks - 1) : 0;
    this.log.info(
      `heights ${w.from}-${b.height}: ${w.blocks} blocks, ${w.txs} txs (${w.failedTxs} failed), gas ${w.gasUsed}, ` +
        `block interval ${interval.toFixed(2)} s, finalize_ms mean ${(w.finalizeMs / w.blocks).toFixed(1)} max ${w.finalizeMaxMs.toFixed(1)}, ` +
        `commit_ms mean ${(w.commitMs / w.blocks).toFixed(1)} max ${w.commitMaxMs.toFixed(1)}, app_hash ${b.appHash}`,
      {
        event: "summary", from_height: w.from, height: b.height, blocks: w.blocks, txs: w.txs, failed_txs: w.failedTxs, gas_used: Number(w.gasUsed),
        block_interval_s: round(interval), finalize_ms_mean: round(w.finalizeMs / w.blocks), finalize_ms_max: round(w.finalizeMaxMs),
        commit_ms_mean: round(w.commitMs / w.blocks), commit_ms_max: round(w.commitMaxMs), app_hash: b.appHash,
      },
    );
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
const isoTime = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
