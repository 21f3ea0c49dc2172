// Rewards, F1-style (as Cosmos SDK x/distribution): per validator a current period accumulates rewards;
// closing a period adds rewards ÷ bonded tokens to a cumulative ratio; a delegation remembers the period
// it started in, so its rewards are stake × (ratio_now − ratio_start), computed only when it is touched.
// Per-block work (abci.ts) is per validator, never per delegator. Keys live here only (amounts decimal ASCII):
//   dist/pool                         → community pool (uqos)
//   dist/cur/<owner 20>               → "<period>:<rewards>" of the current period
//   dist/h/<owner 20><period 8 BE>    → cumulative reward ratio (×10^18) at the end of that period
//   dist/s/<owner 20><delegator 20>   → "<previous period>:<stake>" of a delegation
//   dist/o/<owner 20>                 → outstanding: rewards and commission allocated, not yet paid
//   dist/c/<owner 20>                 → accumulated commission (part of outstanding)
//   dist/q/<height 8 BE><owner 20><delegator 20> → compounding due at that height
//   dist/qd/<owner 20><delegator 20>  → the height its compounding is due (one queue entry per delegation),
//                                       its 8 BE bytes UTF-8 encoded (as first written; never read back but by genesis)
//   dist/p                            → params
// All coins sit in the module account "distribution": its uqos == pool + Σ outstanding.
import { storedParams } from "../../app/params.js";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import { BaseDenom, type Coin } from "../../app/coins.js";
import { One } from "../../app/decimal.js";
import type { Event } from "../../app/events.js";
import type { ModuleAccount } from "../../app/module.js";
import {
  Item, KeySet, StoreMap, bigintValue, bytesKey, keyPrefix, stringValue, tupleKey, u64Key, type ValueCodec,
} from "../../app/state/collections.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import type { StakeHooks, StakeKeeper } from "../stake/index.js";
import { toValAddress } from "../stake/index.js";
import { DistributionErrors } from "./errors.js";
import * as events from "./events.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";

export const DistributionAccountName = "distribution";
export const distributionAccount = moduleAddress(DistributionAccountName);
/** distribution's module account: rewards not yet withdrawn and the community pool; no mint or burn */
export const DistributionModuleAccount = { name: DistributionAccountName, permissions: [] } as const satisfies ModuleAccount;

/** "<period>:<amount>": a validator's current period with its rewards, a delegation's starting period with its stake */
export interface PeriodAmount {
  period: bigint;
  amount: bigint;
}
const periodAmountValue: ValueCodec<PeriodAmount> = {
  encode: (v) => stringValue.encode(`${v.period}:${v.amount}`),
  decode(bytes) {
    const [period, amount] = stringValue.decode(bytes).split(":");
    return { period: BigInt(period), amount: BigInt(amount) };
  },
};
/** the due height's 8 big-endian bytes, UTF-8 encoded as a string of latin1 chars (the format this key
 *  was first written in: bytes ≥ 0x80 take two bytes) */
const dueHeightValue: ValueCodec<bigint> = {
  encode: (height) => stringValue.encode(u64Key.encode(height)),
  decode: (bytes) => u64Key.decode(stringValue.decode(bytes)),
};

const address = bytesKey(20);
/** The module's collections (genesis.ts imports and exports through them; nothing else touches them). */
export const DistributionState = {
  pool: new Item("dist/pool", bigintValue),
  current: new StoreMap("dist/cur/", address, periodAmountValue),
  history: new StoreMap("dist/h/", tupleKey(address, u64Key), bigintValue),
  starts: new StoreMap("dist/s/", tupleKey(address, address), periodAmountValue),
  outstanding: new StoreMap("dist/o/", address, bigintValue),
  commission: new StoreMap("dist/c/", address, bigintValue),
  queue: new KeySet("dist/q/", tupleKey(u64Key, address, address)),
  due: new StoreMap("dist/qd/", tupleKey(address, address), dueHeightValue),
};
const S = DistributionState;
const params = storedParams("dist/p", ParamsSchema, DefaultParams);

/** An amount that is 0 is not stored (the pool, outstanding rewards, commission). */
function setAmount<K>(map: StoreMap<K, bigint>, store: KVStore, key: K, value: bigint): void {
  if (value === 0n) map.delete(store, key);
  else map.set(store, key, value);
}

/** What distribution needs from bank: its module account's handle (pays rewards and pool spends to
 *  accounts, never to a module account) ... */
export interface DistributionBank {
  sendFromModuleToAccount(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
  getBalance(store: KVReader, address: Uint8Array, denom: string): bigint;
}
/** ... and the fee collector's, which it empties into its own account every block. */
export interface FeeCollectorBank {
  readonly address: Uint8Array;
  getBalance(store: KVReader, address: Uint8Array, denom: string): bigint;
  sendFromModuleToModule(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
}

/** What distribution needs from mint: how much was minted in this block (for the proposer's 4%). */
export interface MintInfo {
  lastMint(store: KVReader): bigint;
}

export class DistributionKeeper implements StakeHooks {
  readonly communityPoolAccount = distributionAccount;

  constructor(
    readonly bank: DistributionBank,
    readonly fees: FeeCollectorBank,
    readonly stake: StakeKeeper,
    readonly mint?: MintInfo,
  ) {}

  getParams(store: KVReader): Params {
    return params.get(store);
  }
  setParams(store: KVStore, value: Params): void {
    params.set(store, value);
  }

  communityPool(store: KVReader): bigint {
    return S.pool.getOr(store, 0n);
  }
  private setCommunityPool(store: KVStore, amount: bigint): void {
    if (amount === 0n) S.pool.delete(store);
    else S.pool.set(store, amount);
  }
  addToCommunityPool(store: KVStore, amount: bigint): void {
    this.setCommunityPool(store, this.communityPool(store) + amount);
  }
  /** Pays from the community pool (governance spends); throws if the pool is too small. */
  spendCommunityPool(store: KVStore, events_: Event[], to: Uint8Array, amount: bigint): void {
    const pool = this.communityPool(store);
    if (amount > pool) throw DistributionErrors.poolTooSmall.with(`pool holds ${pool}uqos, asked ${amount}uqos`);
    this.setCommunityPool(store, pool - amount);
    this.bank.sendFromModuleToAccount(store, events_, to, [{ denom: BaseDenom, amount }]);
  }

  outstanding(store: KVReader, owner: Uint8Array): bigint {
    return S.outstanding.get(store, owner) ?? 0n;
  }
  commission(store: KVReader, owner: Uint8Array): bigint {
    return S.commission.get(store, owner) ?? 0n;
  }
  current(store: KVReader, owner: Uint8Array): { period: bigint; rewards: bigint } {
    const p = S.current.get(store, owner);
    return p ? { period: p.period, rewards: p.amount } : { period: 1n, rewards: 0n };
  }
  private setCurrent(store: KVStore, owner: Uint8Array, period: bigint, rewards: bigint): void {
    S.current.set(store, owner, { period, amount: rewards });
  }
  private ratio(store: KVReader, owner: Uint8Array, period: bigint): bigint {
    return S.history.get(store, [owner, period]) ?? 0n;
  }

  /** Closes the validator's current period; returns its number. Rewards with no stake go to the pool. */
  private incrementPeriod(store: KVStore, owner: Uint8Array): bigint {
    const { period, rewards } = this.current(store, owner);
    const v = this.stake.getValidator(store, owner);
    const tokens = v ? this.stake.tokens(v) : 0n;
    let step = 0n;
    if (tokens > 0n) step = (rewards * One) / tokens;
    else if (rewards > 0n) {
      this.addToCommunityPool(store, rewards);
      setAmount(S.outstanding, store, owner, this.outstanding(store, owner) - rewards);
    }
    S.history.set(store, [owner, period], this.ratio(store, owner, period - 1n) + step);
    this.setCurrent(store, owner, period + 1n, 0n);
    return period;
  }

  /** What a delegation has earned and not been paid (read-only: the current period counts as closed). */
  pendingRewards(store: KVReader, owner: Uint8Array, delegator: Uint8Array): bigint {
    const start = S.starts.get(store, [owner, delegator]);
    if (!start) return 0n;
    const { period, rewards } = this.current(store, owner);
    const v = this.stake.getValidator(store, owner);
    const tokens = v ? this.stake.tokens(v) : 0n;
    const now = this.ratio(store, owner, period - 1n) + (tokens > 0n ? (rewards * One) / tokens : 0n);
    return (start.amount * (now - this.ratio(store, owner, start.period))) / One;
  }

  /** Pays a delegation's rewards (and the commission if the delegator owns the validator); returns them. */
  withdraw(store: KVStore, events_: Event[], owner: Uint8Array, delegator: Uint8Array): { rewards: bigint; commission: bigint } {
    const start = S.starts.get(store, [owner, delegator]);
    let rewards = 0n;
    if (start) {
      const end = this.incrementPeriod(store, owner);
      rewards = (start.amount * (this.ratio(store, owner, end) - this.ratio(store, owner, start.period))) / One;
      S.starts.set(store, [owner, delegator], { period: end, amount: start.amount });
    }
    const commission = Buffer.from(owner).equals(Buffer.from(delegator)) ? this.commission(store, owner) : 0n;
    if (commission > 0n) S.commission.delete(store, owner);
    const paid = rewards + commission;
    if (paid > 0n) {
      setAmount(S.outstanding, store, owner, this.outstanding(store, owner) - paid);
      this.bank.sendFromModuleToAccount(store, events_, delegator, [{ denom: BaseDenom, amount: paid }]);
    }
    events_.push(events.withdrawEvent(toValAddress(owner), toAccAddress(delegator), rewards.toString(), commission.toString()));
    return { rewards, commission };
  }

  // ---- stake hooks ----
  afterValidatorCreated(store: KVStore, owner: Uint8Array): void {
    S.history.set(store, [owner, 0n], 0n);
    this.setCurrent(store, owner, 1n, 0n);
  }
  /** Called before the validator's tokens change: the period so far is closed with the old tokens
   *  (and an existing delegation is paid what it earned in it). */
  beforeDelegationChange(store: KVStore, events_: Event[], owner: Uint8Array, delegator: Uint8Array): void {
    // a read, not a has: the gas a delegation pays is that of reading the starting point
    if (S.starts.get(store, [owner, delegator])) this.withdraw(store, events_, owner, delegator);
    else this.incrementPeriod(store, owner);
  }
  /** After the change: the delegation's stake starts at the period just closed. */
  afterDelegationChange(store: KVStore, owner: Uint8Array, delegator: Uint8Array, amount: bigint): void {
    if (amount === 0n) S.starts.delete(store, [owner, delegator]);
    else S.starts.set(store, [owner, delegator], { period: this.current(store, owner).period - 1n, amount });
  }
  beforeValidatorRemoved(store: KVStore, events_: Event[], owner: Uint8Array): void {
    const commission = this.commission(store, owner);
    if (commission > 0n) {
      S.commission.delete(store, owner);
      setAmount(S.outstanding, store, owner, this.outstanding(store, owner) - commission);
      this.bank.sendFromModuleToAccount(store, events_, owner, [{ denom: BaseDenom, amount: commission }]);
    }
    // what rounding left behind joins the community pool
    const left = this.outstanding(store, owner);
    if (left > 0n) this.addToCommunityPool(store, left);
    S.outstanding.delete(store, owner);
    S.current.delete(store, owner);
    for (const key of [...S.history.keys(store, { within: keyPrefix([address, owner]) })]) S.history.delete(store, key);
  }

  /** An active validator with tokens: it can earn rewards this block. */
  isActive(store: KVReader, owner: Uint8Array): boolean {
    const v = this.stake.getValidator(store, owner);
    return v !== undefined && v.status === 1 && this.stake.tokens(v) > 0n;
  }

  /** Adds to a validator's current-period rewards (its delegators') and commission (its owner's). */
  credit(store: KVStore, owner: Uint8Array, delegatorsShare: bigint, commission: bigint): void {
    const { period, rewards } = this.current(store, owner);
    this.setCurrent(store, owner, period, rewards + delegatorsShare);
    if (commission > 0n) setAmount(S.commission, store, owner, this.commission(store, owner) + commission);
    setAmount(S.outstanding, store, owner, this.outstanding(store, owner) + delegatorsShare + commission);
  }

  // ---- auto-compound queue ----
  /** A delegation asked to compound (MsgDelegate or MsgSetAutoCompound): the first compounding is one
   *  period from now, unless one is queued already (switching off and on again must not queue a second). */
  autoCompoundEnabled(store: KVStore, owner: Uint8Array, delegator: Uint8Array, height: number): void {
    if (!S.due.has(store, [owner, delegator])) this.scheduleCompound(store, owner, delegator, height);
  }
  /** Queues the delegation's next compounding one compound period after `height`. */
  scheduleCompound(store: KVStore, owner: Uint8Array, delegator: Uint8Array, height: number): void {
    const due = BigInt(height + this.getParams(store).compound_period_blocks);
    S.queue.add(store, [due, owner, delegator]);
    S.due.set(store, [owner, delegator], due);
  }
  /** The delegations whose compounding is due at `height`, in key order, each taken off the queue just
   *  before it is yielded. */
  *takeDueCompoundings(store: KVStore, height: number): IterableIterator<[owner: Uint8Array, delegator: Uint8Array]> {
    for (const key of [...S.queue.keys(store, { within: keyPrefix([u64Key, BigInt(height)]) })]) {
      S.queue.delete(store, key);
      S.due.delete(store, [key[1], key[2]]);
      yield [key[1], key[2]];
    }
  }

  /** The distribution account holds exactly the pool plus every validator's outstanding rewards. */
  checkInvariants(store: KVReader): void {
    let outstanding = 0n;
    for (const [, value] of S.outstanding.entries(store)) outstanding += value;
    const held = this.bank.getBalance(store, distributionAccount, BaseDenom);
    const pool = this.communityPool(store);
    if (held !== pool + outstanding) {
      throw DistributionErrors.invariantBroken.with(`distribution holds ${held}uqos, pool ${pool} + outstanding ${outstanding}`);
    }
  }
}
