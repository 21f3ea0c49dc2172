// The chaos run's report: what was injected, what the load saw, what the checks found, and the verdict.
import type { Divergence } from "./watcher.js";
import type { TxRecord } from "./load.js";

export type FaultKind = "kill-qosd" | "kill-cometbft" | "pause" | "lag" | "upgrade";
export const FaultKinds: readonly FaultKind[] = ["kill-qosd", "kill-cometbft", "pause", "lag", "upgrade"];

export interface FaultRecord {
  id: number;
  kind: FaultKind;
  /** the node the fault hit (upgrade: the validator killed around the upgrade height) */
  node: string;
  lane: "validator" | "full-node";
  /** ms since the run started */
  start: number;
  lifted?: number;
  recovered?: number;
  recoveryMs?: number;
  heightAtStart: number;
  heightAtLift?: number;
  detail: string;
  liveness: "ok" | "failed" | "pending";
}

export interface LostTx {
  hash: string;
  height: number;
  node: string;
  reason: string;
}

export interface ChaosReport {
  seed: string;
  minutes: number;
  validators: number;
  fullNodes: number;
  /** the fault rule this run kept */
  rule: string;
  wallMs: number;
  heights: { first: number; last: number };
  faults: { total: number; byKind: Record<FaultKind, number>; list: FaultRecord[] };
  txs: {
    signed: number;
    committed: number;
    committedOk: number;
    /** committed with a non-zero result code, by code */
    committedFailed: Record<string, number>;
    expired: number;
    refused: number;
    unresolved: number;
    /** committed (found in a block) but not found by hash on some node after catch-up */
    lost: number;
    lostList: LostTx[];
    /** expired (past timeout height) and yet found in a later block: must be 0 */
    expiredThenCommitted: number;
    byOp: Record<string, { signed: number; committedOk: number }>;
  };
  divergences: { count: number; list: Divergence[] };
  liveness: { failures: number; boundMs: number; recoveryMs: { count: number; median: number; p99: number; max: number } };
  unexpectedExits: Array<{ node: string; at: number; log: string }>;
  /** restarts retried because another process held one of the node's ports for a moment (not a finding) */
  portRetries: string[];
  logProblems: string[];
  invariants: { perBlock: string; finalChecks: string[] };
  ok: boolean;
  failures: string[];
}

/** nearest-rank percentile of sorted values (0 when empty) */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function countTxs(records: readonly TxRecord[]): Omit<ChaosReport["txs"], "lost" | "lostList" | "expiredThenCommitted"> {
  const committedFailed: Record<string, number> = {};
  const byOp: Record<string, { signed: number; committedOk: number }> = {};
  let committed = 0, committedOk = 0, expired = 0, refused = 0, unresolved = 0;
  for (const r of records) {
    const op = (byOp[r.op] ??= { signed: 0, committedOk: 0 });
    op.signed++;
    if (r.status === "committed") {
      committed++;
      if (r.code === 0) {
        committedOk++;
        op.committedOk++;
      } else committedFailed[String(r.code)] = (committedFailed[String(r.code)] ?? 0) + 1;
    } else if (r.status === "expired") expired++;
    else if (r.status === "refused") refused++;
    else unresolved++;
  }
  return { signed: records.length, committed, committedOk, committedFailed, expired, refused, unresolved, byOp };
}

export function summary(r: ChaosReport): string {
  const kinds = Object.entries(r.faults.byKind).map(([k, n]) => `${k} ${n}`).join(", ");
  const failed = Object.entries(r.txs.committedFailed).map(([c, n]) => `code ${c}: ${n}`).join(", ") || "none";
  return [
    `chaos seed ${r.seed}: ${r.minutes} min, ${r.validators} validators + ${r.fullNodes} full node, heights ${r.heights.first}..${r.heights.last}, ${(r.wallMs / 1000).toFixed(0)} s wall`,
    `rule: ${r.rule}`,
    `faults: ${r.faults.total} (${kinds})`,
    `txs: ${r.txs.signed} signed, ${r.txs.committed} committed (${r.txs.committedOk} ok; failed ${failed}), ${r.txs.expired} expired, ${r.txs.refused} refused at CheckTx, ${r.txs.unresolved} unresolved`,
    `lost: ${r.txs.lost}${r.txs.lostList.slice(0, 5).map((l) => `\n  ${l.hash} (height ${l.height}) on ${l.node}: ${l.reason}`).join("")}`,
    `divergences: ${r.divergences.count}${r.divergences.list.slice(0, 5).map((d) => `\n  height ${d.height} ${d.node} ${d.field}: ${d.got} vs ${d.expected}`).join("")}`,
    `recovery after a fault is lifted: median ${r.liveness.recoveryMs.median} ms, p99 ${r.liveness.recoveryMs.p99} ms, max ${r.liveness.recoveryMs.max} ms (${r.liveness.recoveryMs.count} faults; bound ${r.liveness.boundMs} ms, ${r.liveness.failures} over it)`,
    `unexpected exits: ${r.unexpectedExits.length}; restarts retried for a port in use: ${r.portRetries.length}; log problems: ${r.logProblems.length}${r.logProblems.slice(0, 5).map((p) => `\n  ${p}`).join("")}`,
    `invariants: ${r.invariants.perBlock}; ${r.invariants.finalChecks.join("; ")}`,
    r.ok ? "RESULT: ok" : `RESULT: FAILED (${r.failures.join("; ")})`,
  ].join("\n");
}
