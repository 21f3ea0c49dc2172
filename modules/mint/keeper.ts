// Inflation (whitepaper §2.1, design.md §4). Keys live here only:
//   mint/ph/<end_time: 8 bytes big-endian> → InflationPhase (protobuf); key order = end_time order
//   mint/minted                            → Σ ever minted by this module (decimal ASCII), == Σ applied
//   mint/last                              → uqos minted in the current block (decimal ASCII; absent = 0)
//   mint/clock                             → JSON {genesis_time, first_height?, first_time?} (unix seconds)
//   mint/p                                 → params (JSON)
//
// Per block (BeginBlock), integer arithmetic only (D7):
//   1. roll-over: a phase whose end_time ≤ block time with applied < total gives its leftover
//      (total − applied) to the next phase's total and keeps total = applied; the last phase has no next
//      phase, so its leftover is never minted ("nothing after the last phase");
//   2. current phase = earliest end_time strictly after the block time with applied < total;
//   3. avg = max(1, ⌊(t − first_time) / (height − first_height)⌋) once a later block than the first
//      measured one is seen, else params.target_block_time_secs;
//      blocks_left = max(1, ⌊(end_time − t) / avg⌋); mint = min(⌊(total − applied) / blocks_left⌋, total − applied);
//   4. mint > 0: bank.mint into the fee collector, applied += mint, minted += mint, last = mint, event.
// The first measured block is the first one whose time is after the genesis time: CometBFT gives block 1
// the genesis time itself, which says nothing about how fast blocks come.
import { moduleAddress } from "../../app/address.js";
import type { Coin } from "../../app/coins.js";
import type { Event } from "../../app/events.js";
import { blockSeconds, type Context, type ModuleAccount } from "../../app/module.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { bytesToKey, prefixEnd } from "../../app/state/kv.js";
import { InflationPhase } from "../../gen/qos/mint/v1/types.js";
import { MintErrors } from "./errors.js";
import * as events from "./events.js";
import {
  DefaultParams, DefaultPhaseShares, DefaultTotalSupply, MintDenom, ParamsSchema, PhaseSeconds, ShareDenominator, type Params,
} from "./params.js";

const PhasePrefix = "mint/ph/";
const MintedKey = "mint/minted";
const LastMintKey = "mint/last";
const ClockKey = "mint/clock";
const ParamsKey = "mint/p";
/** The account that collects fees; distribution empties it every block. Same name as app/app.ts FeeCollectorName. */
export const FeeCollectorName = "fee_collector";
export const feeCollector = moduleAddress(FeeCollectorName);
/** mint's module account: the only one whose permission creates uqos each block */
export const MintModuleAccount = { name: "mint", permissions: ["minter"] } as const satisfies ModuleAccount;
const MaxInt64 = (1n << 63n) - 1n;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An inflation phase in uqos; end_time in unix seconds. */
export interface Phase {
  endTime: bigint;
  total: bigint;
  applied: bigint;
}

/** Where the average block time is measured from. */
export interface Clock {
  genesisTime: bigint;
  first?: { height: bigint; time: bigint };
}

/** What mint needs from bank (its module account's handle): new coins into its account (raising
 *  supply), moved on to the fee collector; the supply, only when params.total_supply_cap is set. */
export interface MintBank {
  /** the mint module account (new coins land here, then go on to the fee collector) */
  readonly address: Uint8Array;
  mint(store: KVStore, events: Event[] | undefined, to: Uint8Array, coins: readonly Coin[]): void;
  sendFromModuleToModule(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
  getSupply?(store: KVReader, denom: string): bigint;
}

const phaseKey = (endTime: bigint) => {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, endTime);
  return PhasePrefix + bytesToKey(bytes);
};
const readAmount = (raw: Uint8Array | undefined) => (raw ? BigInt(decoder.decode(raw)) : 0n);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

export const toPhaseProto = (p: Phase): InflationPhase => ({
  endTime: p.endTime,
  totalAmount: p.total.toString(),
  appliedAmount: p.applied.toString(),
});

/** Block time (ns) → whole unix seconds, rounded down. */

/** The default schedule (design.md §4): 7 phases of 1461 days from the genesis time minting 25.5%, 12.75%,
 *  6.375%, 3.1875%, 1.59375%, 0.796875%, 0.796875% of `totalSupply` (51% in all). */
export function defaultPhases(genesisTime: bigint, totalSupply: bigint = DefaultTotalSupply): Phase[] {
  return DefaultPhaseShares.map((share, i) => ({
    endTime: genesisTime + PhaseSeconds * BigInt(i + 1),
    total: (totalSupply * share) / ShareDenominator,
    applied: 0n,
  }));
}

/** A phase list as the keeper stores it: end times unique, ascending, within int64 and ≥ 0; 0 ≤ applied ≤ total;
 *  total > 0 unless the phase is finished with nothing left (total == applied, e.g. rolled over). */
export function validatePhases(phases: readonly Phase[]): void {
  phases.forEach((p, i) => {
    const at = `phase ${i} (end_time ${p.endTime})`;
    if (p.endTime < 0n || p.endTime > MaxInt64) throw MintErrors.invalidPhases.with(`${at}: end_time must be unix seconds in [0, 2^63)`);
    if (i > 0 && p.endTime <= phases[i - 1].endTime) throw MintErrors.invalidPhases.with(`${at}: end times must be unique and ascending`);
    if (p.applied < 0n) throw MintErrors.invalidPhases.with(`${at}: applied_amount is negative`);
    if (p.total < p.applied) throw MintErrors.invalidPhases.with(`${at}: total_amount ${p.total} is below applied_amount ${p.applied}`);
    if (p.total <= 0n && p.total !== p.applied) throw MintErrors.invalidPhases.with(`${at}: total_amount must be positive`);
  });
}

/** Index of the phase that mints at `blockTime`: earliest end_time strictly after it with something left; -1 if none. */
export function currentPhaseIndex(phases: readonly Phase[], blockTime: bigint): number {
  return phases.findIndex((p) => p.endTime > blockTime && p.applied < p.total);
}

/** The rules a governance change of the schedule must keep (next issue): every phase that has ended or is
 *  running at `blockTime` stays as it is (end_time, total and applied amount); phases after the running one
 *  are free (their totals, their end times, new ones, removed ones) but start with nothing applied. When no
 *  phase is running any more, the ended ones stay and new phases may follow. */
export function validatePhaseChange(old: readonly Phase[], next: readonly Phase[], blockTime: bigint): void {
  validatePhases(next);
  const running = old.findIndex((p) => p.endTime > blockTime);
  const fixed = running === -1 ? old : old.slice(0, running + 1);
  for (let i = 0; i < fixed.length; i++) {
    const o = fixed[i];
    const n = next[i];
    if (!n || n.endTime !== o.endTime || n.total !== o.total || n.applied !== o.applied) {
      throw MintErrors.invalidPhaseChange.with(
        `phase ${i} (end_time ${o.endTime}) has ${o.endTime <= blockTime ? "ended" : "started"}: it must stay {end_time ${o.endTime}, total ${o.total}, applied ${o.applied}}`,
      );
    }
  }
  for (let i = fixed.length; i < next.length; i++) {
    const n = next[i];
    if (n.endTime <= blockTime) throw MintErrors.invalidPhaseChange.with(`new phase ${i} would end at ${n.endTime}, not after the block time ${blockTime}`);
    if (n.applied !== 0n) throw MintErrors.invalidPhaseChange.with(`future phase ${i} (end_time ${n.endTime}) must have applied_amount 0`);
    if (n.total <= 0n) throw MintErrors.invalidPhaseChange.with(`future phase ${i} (end_time ${n.endTime}) must have a positive total_amount`);
  }
}

export class MintKeeper {
  constructor(readonly bank: MintBank) {}

  // ---- phases ----

  /** Every phase, by end_time. */
  phases(store: KVReader): Phase[] {
    const out: Phase[] = [];
    for (const [, value] of store.iterate(PhasePrefix, prefixEnd(PhasePrefix))) {
      const p = InflationPhase.decode(value);
      out.push({ endTime: p.endTime, total: BigInt(p.totalAmount), applied: BigInt(p.appliedAmount) });
    }
    return out;
  }

  private writePhase(store: KVStore, p: Phase): void {
    store.set(phaseKey(p.endTime), InflationPhase.encode(toPhaseProto(p)).finish());
  }

  /** Replaces the schedule (genesis; governance after validatePhaseChange). Does not touch the minted counter:
   *  a change that alters Σ applied breaks the invariant. */
  setPhases(store: KVStore, phases: readonly Phase[]): void {
    validatePhases(phases);
    const keys = [...store.iterate(PhasePrefix, prefixEnd(PhasePrefix))].map(([key]) => key);
    for (const key of keys) store.delete(key);
    for (const p of phases) this.writePhase(store, p);
  }

  /** Σ applied over all phases: everything inflation has minted. */
  appliedTotal(store: KVReader): bigint {
    return this.phases(store).reduce((sum, p) => sum + p.applied, 0n);
  }

  /** uqos minted in the current block (0 if none); distribution gives the proposer its share of it. */
  lastMint(store: KVReader): bigint {
    return readAmount(store.get(LastMintKey));
  }

  private setLastMint(store: KVStore, amount: bigint): void {
    if (amount > 0n) store.set(LastMintKey, encoder.encode(amount.toString()));
    else if (store.has(LastMintKey)) store.delete(LastMintKey);
  }

  /** The module's own counter of everything it minted. */
  minted(store: KVReader): bigint {
    return readAmount(store.get(MintedKey));
  }

  setMinted(store: KVStore, amount: bigint): void {
    store.set(MintedKey, encoder.encode(amount.toString()));
  }

  // ---- clock ----

  clock(store: KVReader): Clock {
    const raw = store.get(ClockKey);
    if (!raw) return { genesisTime: 0n };
    const json = JSON.parse(decoder.decode(raw)) as { genesis_time: string; first_height?: string; first_time?: string };
    return {
      genesisTime: BigInt(json.genesis_time),
      ...(json.first_height !== undefined && json.first_time !== undefined
        ? { first: { height: BigInt(json.first_height), time: BigInt(json.first_time) } }
        : {}),
    };
  }

  setClock(store: KVStore, clock: Clock): void {
    const json = {
      genesis_time: clock.genesisTime.toString(),
      ...(clock.first ? { first_height: clock.first.height.toString(), first_time: clock.first.time.toString() } : {}),
    };
    store.set(ClockKey, encoder.encode(JSON.stringify(json)));
  }

  // ---- params ----

  getParams(store: KVReader): Params {
    const raw = store.get(ParamsKey);
    return raw ? ParamsSchema.parse(JSON.parse(decoder.decode(raw))) : DefaultParams;
  }

  setParams(store: KVStore, params: Params): void {
    const parsed = ParamsSchema.safeParse(params);
    if (!parsed.success) throw MintErrors.invalidParams.with(parsed.error.message);
    store.set(ParamsKey, encoder.encode(JSON.stringify(parsed.data)));
  }

  // ---- per block ----

  /** BeginBlock: roll-over of ended phases, then this block's inflation into the fee collector. */
  beginBlock(ctx: Context): void {
    const store = ctx.store;
    const height = BigInt(ctx.block.height);
    const t = blockSeconds(ctx.block);

    const clock = this.clock(store);
    if (!clock.first && t > clock.genesisTime) {
      clock.first = { height, time: t };
      this.setClock(store, clock);
    }

    const phases = this.phases(store);
    const dirty = new Set<number>();

    for (let i = 0; i + 1 < phases.length; i++) {
      const p = phases[i];
      if (p.endTime > t || p.applied >= p.total) continue;
      const leftover = p.total - p.applied;
      p.total = p.applied;
      phases[i + 1].total += leftover;
      dirty.add(i).add(i + 1);
      ctx.events.push(events.rolloverEvent(height, p.endTime, leftover, phases[i + 1].endTime));
    }

    let amount = 0n;
    const i = currentPhaseIndex(phases, t);
    if (i >= 0) {
      const p = phases[i];
      const remaining = p.total - p.applied;
      const params = this.getParams(store);
      let avg = BigInt(params.target_block_time_secs);
      if (clock.first && height > clock.first.height) avg = (t - clock.first.time) / (height - clock.first.height);
      avg = max(1n, avg);
      const blocksLeft = max(1n, (p.endTime - t) / avg);
      amount = remaining / blocksLeft;
      if (amount > remaining) amount = remaining;
      if (params.total_supply_cap !== undefined && amount > 0n) {
        if (!this.bank.getSupply) throw MintErrors.noSupplyReader.with();
        const room = BigInt(params.total_supply_cap) - this.bank.getSupply(store, MintDenom);
        if (amount > room) amount = max(0n, room);
      }
      if (amount > 0n) {
        // into mint's own account, then on to the fee collector (the Cosmos SDK's way: only an account
        // with the minter permission receives new coins from the mint module)
        this.bank.mint(store, ctx.events, this.bank.address, [{ denom: MintDenom, amount }]);
        this.bank.sendFromModuleToModule(store, ctx.events, feeCollector, [{ denom: MintDenom, amount }]);
        p.applied += amount;
        dirty.add(i);
        this.setMinted(store, this.minted(store) + amount);
        ctx.events.push(events.mintEvent(height, amount, p.endTime));
      }
    }

    for (const index of [...dirty].sort((a, b) => a - b)) this.writePhase(store, phases[index]);
    this.setLastMint(store, amount);
  }

  /** Σ applied == minted counter; each phase 0 ≤ applied ≤ total; end times ascending (by key order). */
  checkInvariants(store: KVReader): void {
    const phases = this.phases(store);
    let sum = 0n;
    for (const p of phases) {
      if (p.applied < 0n || p.applied > p.total) {
        throw MintErrors.invariantBroken.with(`phase ending ${p.endTime}: applied ${p.applied} outside [0, total ${p.total}]`);
      }
      sum += p.applied;
    }
    const minted = this.minted(store);
    if (sum !== minted) throw MintErrors.invariantBroken.with(`phases have applied ${sum} in all, the module minted ${minted}`);
  }
}
