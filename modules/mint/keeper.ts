// Inflation (whitepaper §2.1, design.md §4). Keys live here only:
//   mint/ph/<end_time: 8 bytes big-endian> → InflationPhase (protobuf); key order = end_time order
//   mint/minted                            → Σ ever minted by this module (decimal ASCII), == Σ applied
//   mint/last                              → uqos minted in the current block (decimal ASCII; absent = 0)
//   mint/clock                             → JSON {genesis_time, first_height?, first_time?} (unix seconds)
//   mint/p                                 → params (JSON)
//
// The per-block inflation (roll-over of ended phases, then this block's mint) is in abci.ts.
import { storedParams } from "../../app/params.js";
import { moduleAddress } from "../../app/address.js";
import type { Coin } from "../../app/coins.js";
import type { Event } from "../../app/events.js";
import type { ModuleAccount } from "../../app/module.js";
import { Item, StoreMap, bigintValue, jsonValue, protoValue, u64Key } from "../../app/state/collections.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { z } from "zod";
import { InflationPhase } from "../../gen/qos/mint/v1/types.js";
import { FeeCollectorAccount } from "../auth/index.js";
import { MintErrors } from "./errors.js";
import {
  DefaultParams, DefaultPhaseShares, DefaultTotalSupply, ParamsSchema, PhaseSeconds, ShareDenominator, type Params,
} from "./params.js";

/** the clock as stored: unix seconds as decimal strings, first_* only once a block was measured */
const StoredClock = z.object({ genesis_time: z.string(), first_height: z.string().optional(), first_time: z.string().optional() });
const phasesByEnd = new StoreMap("mint/ph/", u64Key, protoValue(InflationPhase));
const mintedTotal = new Item("mint/minted", bigintValue);
const lastMinted = new Item("mint/last", bigintValue);
const clockItem = new Item("mint/clock", jsonValue(StoredClock));
const paramsItem = storedParams("mint/p", ParamsSchema, DefaultParams);
/** The account that collects fees (auth's module account); distribution empties it every block. */
export const feeCollector = moduleAddress(FeeCollectorAccount.name);
/** mint's module account: the only one whose permission creates uqos each block */
export const MintModuleAccount = { name: "mint", permissions: ["minter"] } as const satisfies ModuleAccount;
const MaxInt64 = (1n << 63n) - 1n;

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


export const toPhaseProto = (p: Phase): InflationPhase => ({
  endTime: p.endTime,
  totalAmount: p.total.toString(),
  appliedAmount: p.applied.toString(),
});

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
    for (const [, p] of phasesByEnd.entries(store)) out.push({ endTime: p.endTime, total: BigInt(p.totalAmount), applied: BigInt(p.appliedAmount) });
    return out;
  }

  /** Stores one phase (under its end time) as it is; BeginBlock writes the phases it changed. */
  writePhase(store: KVStore, p: Phase): void {
    phasesByEnd.set(store, p.endTime, toPhaseProto(p));
  }

  /** Replaces the schedule (genesis; governance after validatePhaseChange). Does not touch the minted counter:
   *  a change that alters Σ applied breaks the invariant. */
  setPhases(store: KVStore, phases: readonly Phase[]): void {
    validatePhases(phases);
    for (const endTime of [...phasesByEnd.keys(store)]) phasesByEnd.delete(store, endTime);
    for (const p of phases) this.writePhase(store, p);
  }

  /** Σ applied over all phases: everything inflation has minted. */
  appliedTotal(store: KVReader): bigint {
    return this.phases(store).reduce((sum, p) => sum + p.applied, 0n);
  }

  /** uqos minted in the current block (0 if none); distribution gives the proposer its share of it. */
  lastMint(store: KVReader): bigint {
    return lastMinted.getOr(store, 0n);
  }

  /** absent rather than 0: a block without inflation leaves no key behind */
  setLastMint(store: KVStore, amount: bigint): void {
    if (amount > 0n) lastMinted.set(store, amount);
    else if (lastMinted.has(store)) lastMinted.delete(store);
  }

  /** The module's own counter of everything it minted. */
  minted(store: KVReader): bigint {
    return mintedTotal.getOr(store, 0n);
  }

  setMinted(store: KVStore, amount: bigint): void {
    mintedTotal.set(store, amount);
  }

  // ---- clock ----

  clock(store: KVReader): Clock {
    const json = clockItem.get(store);
    if (!json) return { genesisTime: 0n };
    return {
      genesisTime: BigInt(json.genesis_time),
      ...(json.first_height !== undefined && json.first_time !== undefined
        ? { first: { height: BigInt(json.first_height), time: BigInt(json.first_time) } }
        : {}),
    };
  }

  setClock(store: KVStore, clock: Clock): void {
    clockItem.set(store, {
      genesis_time: clock.genesisTime.toString(),
      ...(clock.first ? { first_height: clock.first.height.toString(), first_time: clock.first.time.toString() } : {}),
    });
  }

  // ---- params ----

  getParams(store: KVReader): Params {
    return paramsItem.get(store);
  }

  setParams(store: KVStore, params: Params): void {
    const parsed = ParamsSchema.safeParse(params);
    if (!parsed.success) throw MintErrors.invalidParams.with(parsed.error.message);
    paramsItem.set(store, parsed.data);
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
