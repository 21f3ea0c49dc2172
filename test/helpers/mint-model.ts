// The whitepaper's per-block mint rule written out a second time, apart from modules/mint on purpose, so
// tests compare the chain against an independent computation (unit tests with chosen block times, e2e
// tests with the real blocks' header times).
import type { Phase } from "../../modules/mint/index.js";

const NS = 1_000_000_000n;

/** The default schedule's totals (whitepaper §2.1): 25.5%, 12.75%, … of 1e16 uqos, 51% in all. */
export const DefaultPhaseTotals = [
  2_550_000_000_000_000n, 1_275_000_000_000_000n, 637_500_000_000_000n, 318_750_000_000_000n, 159_375_000_000_000n, 79_687_500_000_000n, 79_687_500_000_000n,
];
/** 4 years of 365.25 days */
export const PhaseSecs = 1461n * 86_400n;

/** The spec's per-block rule, kept apart from the keeper's code on purpose. */
export class Model {
  phases: Phase[];
  first?: { height: bigint; time: bigint };
  constructor(
    phases: Array<[bigint, bigint]>,
    readonly genesisTime: bigint,
    readonly target = 3n,
  ) {
    this.phases = phases.map(([endTime, total]) => ({ endTime, total, applied: 0n }));
  }

  /** what a block at `timeNs` mints, from which phase, and how many ended phases roll over */
  step(height: number, timeNs: bigint): { minted: bigint; rollovers: number; phaseEnd?: bigint } {
    const h = BigInt(height);
    const t = timeNs / NS;
    if (this.first === undefined && t > this.genesisTime) this.first = { height: h, time: t };
    let rollovers = 0;
    for (let i = 0; i < this.phases.length - 1; i++) {
      const p = this.phases[i];
      if (p.endTime <= t && p.applied < p.total) {
        this.phases[i + 1].total += p.total - p.applied;
        p.total = p.applied;
        rollovers++;
      }
    }
    const current = this.phases.find((p) => p.endTime > t && p.applied < p.total);
    if (!current) return { minted: 0n, rollovers };
    let avg = this.target;
    if (this.first && h > this.first.height) avg = (t - this.first.time) / (h - this.first.height);
    if (avg < 1n) avg = 1n;
    let blocksLeft = (current.endTime - t) / avg;
    if (blocksLeft < 1n) blocksLeft = 1n;
    const left = current.total - current.applied;
    let minted = left / blocksLeft;
    if (minted > left) minted = left;
    current.applied += minted;
    return { minted, rollovers, phaseEnd: current.endTime };
  }
}

/** The default schedule from a genesis time (unix seconds). */
export const defaultModel = (genesisSecs: bigint) => new Model(DefaultPhaseTotals.map((total, i) => [genesisSecs + BigInt(i + 1) * PhaseSecs, total] as [bigint, bigint]), genesisSecs);
