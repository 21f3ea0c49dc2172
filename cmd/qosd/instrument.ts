// Wall-clock timings of the app's ABCI methods for operators (metrics, the block log, the benchmark).
// The wrappers only watch: they pass the request and the app's answer through untouched, and what they
// measure never reaches the state machine (D7).
import type { RequestCheckTx, RequestFinalizeBlock, ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { timestampNs, type QosApp } from "../../app/app.js";

/** One committed block as operators see it. */
export interface BlockStats {
  height: number;
  /** the block header's time, ns since the epoch */
  timeNs: bigint;
  /** the chain's first block (its time is the genesis time, however long ago that was) */
  first: boolean;
  txs: number;
  /** txs with a non-zero code */
  failedTxs: number;
  /** Σ gas used by the block's txs */
  gasUsed: bigint;
  finalizeMs: number;
  commitMs: number;
  appHash: string;
}

export interface CheckTxStats {
  type: "new" | "recheck";
  ms: number;
  code: number;
  codespace: string;
}

export interface AppWatchers {
  block?(stats: BlockStats): void;
  checkTx?(stats: CheckTxStats): void;
}

/** Replaces the app's checkTx, finalizeBlock and commit by timed pass-throughs that tell `watchers`. */
export function instrumentApp(app: QosApp, watchers: AppWatchers): void {
  const checkTx = app.checkTx.bind(app);
  const finalize = app.finalizeBlock.bind(app);
  const commit = app.commit.bind(app);
  let block: Omit<BlockStats, "commitMs" | "appHash"> | undefined;
  if (watchers.checkTx) {
    const watch = watchers.checkTx;
    app.checkTx = (req: RequestCheckTx): ResponseCheckTx => {
      const started = performance.now();
      const res = checkTx(req);
      watch({ type: req.type === CheckTxType.RECHECK ? "recheck" : "new", ms: performance.now() - started, code: res.code, codespace: res.codespace });
      return res;
    };
  }
  app.finalizeBlock = (req: RequestFinalizeBlock) => {
    const started = performance.now();
    const res = finalize(req);
    let failedTxs = 0;
    let gasUsed = 0n;
    for (const r of res.txResults) {
      if (r.code !== 0) failedTxs++;
      gasUsed += r.gasUsed;
    }
    block = { height: Number(req.height), timeNs: timestampNs(req.time), first: Number(req.height) === app.chain.initialHeight, txs: req.txs.length, failedTxs, gasUsed, finalizeMs: performance.now() - started };
    return res;
  };
  app.commit = async () => {
    const started = performance.now();
    const res = await commit();
    const commitMs = performance.now() - started;
    if (block) watchers.block?.({ ...block, commitMs, appHash: Buffer.from(app.store.latest.appHash).toString("hex").toUpperCase() });
    block = undefined;
    return res;
  };
}
