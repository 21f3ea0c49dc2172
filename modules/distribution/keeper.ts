// Rewards, F1-style (as Cosmos SDK x/distribution): per validator a current period accumulates rewards;
// closing a period adds rewards ÷ bonded tokens to a cumulative ratio; a delegation remembers the period
// it started in, so its rewards are stake × (ratio_now − ratio_start), computed only when it is touched.
// Per-block work is per validator, never per delegator. Keys live here only:
//   dist/pool                         → community pool (uqos)
//   dist/cur/<owner 20>               → "<period>:<rewards>" of the current period
//   dist/h/<owner 20><period 8 BE>    → cumulative reward ratio (×10^18) at the end of that period
//   dist/s/<owner 20><delegator 20>   → "<previous period>:<stake>" of a delegation
//   dist/o/<owner 20>                 → outstanding: rewards and commission allocated, not yet paid
//   dist/c/<owner 20>                 → accumulated commission (part of outstanding)
//   dist/q/<height 8 BE><owner 20><delegator 20> → compounding due at that height
//   dist/qd/<owner 20><delegator 20>  → the height its compounding is due (one queue entry per delegation)
//   dist/p                            → params
// All coins sit in the module account "distribution": its uqos == pool + Σ outstanding.
import { storedParams } from "../../app/params.js";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import { BaseDenom, type Coin } from "../../app/coins.js";
import { One, mulDecFloor, parseDec } from "../../app/decimal.js";
import type { Event } from "../../app/events.js";
import type { ModuleAccount } from "../../app/module.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { bytesToKey, keyToBytes, prefixEnd } from "../../app/state/kv.js";
import type { StakeHooks, StakeKeeper } from "../stake/index.js";
import { toValAddress, ValidatorStatus } from "../stake/index.js";
import { DistributionErrors } from "./errors.js";
import * as events from "./events.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";

const P = "dist/";
const PoolKey = `${P}pool`;
const CurrentPrefix = `${P}cur/`;
const HistoryPrefix = `${P}h/`;
const StartPrefix = `${P}s/`;
const OutstandingPrefix = `${P}o/`;
const CommissionPrefix = `${P}c/`;
const QueuePrefix = `${P}q/`;
const DuePrefix = `${P}qd/`;
const ParamsKey = `${P}p`;
const params = storedParams(ParamsKey, ParamsSchema, DefaultParams);
export const DistributionAccountName = "distribution";
export const distributionAccount = moduleAddress(DistributionAccountName);
/** distribution's module account: rewards not yet withdrawn and the community pool; no mint or burn */
export const DistributionModuleAccount = { name: DistributionAccountName, permissions: [] } as const satisfies ModuleAccount;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

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

const be64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b.toString("latin1");
};
const readInt = (raw: Uint8Array | undefined) => (raw ? BigInt(decoder.decode(raw)) : 0n);
const writeInt = (store: KVStore, key: string, value: bigint) => (value === 0n ? store.delete(key) : store.set(key, encoder.encode(value.toString())));
const pair = (raw: Uint8Array | undefined): [bigint, bigint] | undefined => {
  if (!raw) return undefined;
  const [a, b] = decoder.decode(raw).split(":");
  return [BigInt(a), BigInt(b)];
};

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
    return readInt(store.get(PoolKey));
  }
  addToCommunityPool(store: KVStore, amount: bigint): void {
    writeInt(store, PoolKey, this.communityPool(store) + amount);
  }
  /** Pays from the community pool (governance spends); throws if the pool is too small. */
  spendCommunityPool(store: KVStore, events_: Event[], to: Uint8Array, amount: bigint): void {
    const pool = this.communityPool(store);
    if (amount > pool) throw DistributionErrors.poolTooSmall.with(`pool holds ${pool}uqos, asked ${amount}uqos`);
    writeInt(store, PoolKey, pool - amount);
    this.bank.sendFromModuleToAccount(store, events_, to, [{ denom: BaseDenom, amount }]);
  }

  outstanding(store: KVReader, owner: Uint8Array): bigint {
    return readInt(store.get(OutstandingPrefix + bytesToKey(owner)));
  }
  commission(store: KVReader, owner: Uint8Array): bigint {
    return readInt(store.get(CommissionPrefix + bytesToKey(owner)));
  }
  current(store: KVReader, owner: Uint8Array): { period: bigint; rewards: bigint } {
    const p = pair(store.get(CurrentPrefix + bytesToKey(owner)));
    return p ? { period: p[0], rewards: p[1] } : { period: 1n, rewards: 0n };
  }
  private setCurrent(store: KVStore, owner: Uint8Array, period: bigint, rewards: bigint): void {
    store.set(CurrentPrefix + bytesToKey(owner), encoder.encode(`${period}:${rewards}`));
  }
  private ratio(store: KVReader, owner: Uint8Array, period: bigint): bigint {
    return readInt(store.get(HistoryPrefix + bytesToKey(owner) + be64(period)));
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
      writeInt(store, OutstandingPrefix + bytesToKey(owner), this.outstanding(store, owner) - rewards);
    }
    store.set(HistoryPrefix + bytesToKey(owner) + be64(period), encoder.encode((this.ratio(store, owner, period - 1n) + step).toString()));
    this.setCurrent(store, owner, period + 1n, 0n);
    return period;
  }

  /** What a delegation has earned and not been paid (read-only: the current period counts as closed). */
  pendingRewards(store: KVReader, owner: Uint8Array, delegator: Uint8Array): bigint {
    const start = pair(store.get(StartPrefix + bytesToKey(owner) + bytesToKey(delegator)));
    if (!start) return 0n;
    const { period, rewards } = this.current(store, owner);
    const v = this.stake.getValidator(store, owner);
    const tokens = v ? this.stake.tokens(v) : 0n;
    const now = this.ratio(store, owner, period - 1n) + (tokens > 0n ? (rewards * One) / tokens : 0n);
    return (start[1] * (now - this.ratio(store, owner, start[0]))) / One;
  }

  /** Pays a delegation's rewards (and the commission if the delegator owns the validator); returns them. */
  withdraw(store: KVStore, events_: Event[], owner: Uint8Array, delegator: Uint8Array): { rewards: bigint; commission: bigint } {
    const startKey = StartPrefix + bytesToKey(owner) + bytesToKey(delegator);
    const start = pair(store.get(startKey));
    let rewards = 0n;
    if (start) {
      const end = this.incrementPeriod(store, owner);
      rewards = (start[1] * (this.ratio(store, owner, end) - this.ratio(store, owner, start[0]))) / One;
      store.set(startKey, encoder.encode(`${end}:${start[1]}`));
    }
    const commission = Buffer.from(owner).equals(Buffer.from(delegator)) ? this.commission(store, owner) : 0n;
    if (commission > 0n) store.delete(CommissionPrefix + bytesToKey(owner));
    const paid = rewards + commission;
    if (paid > 0n) {
      writeInt(store, OutstandingPrefix + bytesToKey(owner), this.outstanding(store, owner) - paid);
      this.bank.sendFromModuleToAccount(store, events_, delegator, [{ denom: BaseDenom, amount: paid }]);
    }
    events_.push(events.withdrawEvent(toValAddress(owner), toAccAddress(delegator), rewards.toString(), commission.toString()));
    return { rewards, commission };
  }

  // ---- stake hooks ----
  afterValidatorCreated(store: KVStore, owner: Uint8Array): void {
    store.set(HistoryPrefix + bytesToKey(owner) + be64(0n), encoder.encode("0"));
    this.setCurrent(store, owner, 1n, 0n);
  }
  /** Called before the validator's tokens change: the period so far is closed with the old tokens
   *  (and an existing delegation is paid what it earned in it). */
  beforeDelegationChange(store: KVStore, events_: Event[], owner: Uint8Array, delegator: Uint8Array): void {
    if (store.get(StartPrefix + bytesToKey(owner) + bytesToKey(delegator))) this.withdraw(store, events_, owner, delegator);
    else this.incrementPeriod(store, owner);
  }
  /** After the change: the delegation's stake starts at the period just closed. */
  afterDelegationChange(store: KVStore, owner: Uint8Array, delegator: Uint8Array, amount: bigint): void {
    const key = StartPrefix + bytesToKey(owner) + bytesToKey(delegator);
    if (amount === 0n) store.delete(key);
    else store.set(key, encoder.encode(`${this.current(store, owner).period - 1n}:${amount}`));
  }
  beforeValidatorRemoved(store: KVStore, events_: Event[], owner: Uint8Array): void {
    const commission = this.commission(store, owner);
    if (commission > 0n) {
      store.delete(CommissionPrefix + bytesToKey(owner));
      writeInt(store, OutstandingPrefix + bytesToKey(owner), this.outstanding(store, owner) - commission);
      this.bank.sendFromModuleToAccount(store, events_, owner, [{ denom: BaseDenom, amount: commission }]);
    }
    // what rounding left behind joins the community pool
    const left = this.outstanding(store, owner);
    if (left > 0n) this.addToCommunityPool(store, left);
    store.delete(OutstandingPrefix + bytesToKey(owner));
    store.delete(CurrentPrefix + bytesToKey(owner));
    const history = HistoryPrefix + bytesToKey(owner);
    for (const [key] of [...store.iterate(history, prefixEnd(history))]) store.delete(key);
  }

  /** Every block: the fee collector's uqos (this block's mint + the previous block's fees) is shared out. */
  allocate(store: KVStore, events_: Event[], proposer: Uint8Array | undefined, lastCommit: ReadonlyArray<{ address: Uint8Array; signed: boolean }>): void {
    const total = this.fees.getBalance(store, this.fees.address, BaseDenom);
    if (total === 0n) return;
    this.fees.sendFromModuleToModule(store, events_, distributionAccount, [{ denom: BaseDenom, amount: total }]);
    const params = this.getParams(store);
    let remaining = total;

    // the proposer's extra: proposer_reward_rate (4%) of this block's mint, as commission to its owner
    const proposerOwner = proposer ? this.stake.ownerByConsensusAddress(store, proposer) : undefined;
    const bonus = mulDecFloor(this.mint?.lastMint(store) ?? 0n, parseDec(params.proposer_reward_rate));
    if (bonus > 0n && proposerOwner && this.isActive(store, proposerOwner)) {
      this.credit(store, proposerOwner, 0n, bonus);
      remaining -= bonus;
      events_.push(events.proposerRewardEvent(toValAddress(proposerOwner), bonus.toString()));
    }

    // the rest by bonded tokens among the active validators that signed the last block
    const signers = lastCommit
      .filter((vote) => vote.signed)
      .map((vote) => this.stake.ownerByConsensusAddress(store, vote.address))
      .filter((owner): owner is Uint8Array => owner !== undefined && this.isActive(store, owner))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const bonded = signers.reduce((sum, owner) => sum + this.stake.tokens(this.stake.getValidator(store, owner)!), 0n);
    let handedOut = 0n;
    if (bonded > 0n) {
      for (const owner of signers) {
        const v = this.stake.getValidator(store, owner)!;
        const share = (remaining * this.stake.tokens(v)) / bonded;
        const commission = mulDecFloor(share, parseDec(v.commission?.rate ?? "0"));
        this.credit(store, owner, share - commission, commission);
        handedOut += share;
        events_.push(events.rewardsEvent(toValAddress(owner), share.toString(), commission.toString()));
      }
    }
    const toPool = remaining - handedOut; // rounding dust, or everything when no managed validator signed
    if (toPool > 0n) {
      this.addToCommunityPool(store, toPool);
      events_.push(events.communityPoolEvent(toPool.toString(), this.communityPool(store).toString()));
    }
  }

  private isActive(store: KVReader, owner: Uint8Array): boolean {
    const v = this.stake.getValidator(store, owner);
    return v !== undefined && v.status === 1 && this.stake.tokens(v) > 0n;
  }

  private credit(store: KVStore, owner: Uint8Array, delegatorsShare: bigint, commission: bigint): void {
    const { period, rewards } = this.current(store, owner);
    this.setCurrent(store, owner, period, rewards + delegatorsShare);
    if (commission > 0n) writeInt(store, CommissionPrefix + bytesToKey(owner), this.commission(store, owner) + commission);
    writeInt(store, OutstandingPrefix + bytesToKey(owner), this.outstanding(store, owner) + delegatorsShare + commission);
  }

  // ---- auto-compound queue ----
  /** A delegation asked to compound (MsgDelegate or MsgSetAutoCompound): the first compounding is one
   *  period from now, unless one is queued already (switching off and on again must not queue a second). */
  autoCompoundEnabled(store: KVStore, owner: Uint8Array, delegator: Uint8Array, height: number): void {
    if (!store.has(DuePrefix + bytesToKey(owner) + bytesToKey(delegator))) this.scheduleCompound(store, owner, delegator, height);
  }
  private scheduleCompound(store: KVStore, owner: Uint8Array, delegator: Uint8Array, height: number): void {
    const due = be64(BigInt(height + this.getParams(store).compound_period_blocks));
    store.set(QueuePrefix + due + bytesToKey(owner) + bytesToKey(delegator), new Uint8Array());
    store.set(DuePrefix + bytesToKey(owner) + bytesToKey(delegator), encoder.encode(due));
  }
  /** Compounds the delegations due at this height: their rewards (and the commission, for the owner's
   *  own delegation) are re-delegated to the same validator, so the balance does not change. */
  compoundDue(store: KVStore, events_: Event[], height: number): void {
    const prefix = QueuePrefix + be64(BigInt(height));
    for (const [key] of [...store.iterate(prefix, prefixEnd(prefix))]) {
      store.delete(key);
      const rest = key.slice(prefix.length);
      store.delete(DuePrefix + rest);
      const owner = keyToBytes(rest.slice(0, 20));
      const delegator = keyToBytes(rest.slice(20));
      const d = this.stake.getDelegation(store, delegator, owner);
      // switched off or gone: the queue forgets it until the delegator asks again
      if (!d || !d.autoCompound) continue;
      const v = this.stake.getValidator(store, owner);
      // an inactive validator cannot be delegated to: the rewards stay pending (not paid out) until a later period
      if (v?.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE) {
        const { rewards, commission } = this.withdraw(store, events_, owner, delegator);
        const amount = rewards + commission;
        if (amount > 0n) {
          this.stake.delegate(store, events_, delegator, owner, amount);
          events_.push(events.compoundEvent(toValAddress(owner), toAccAddress(delegator), amount.toString()));
        }
      }
      this.scheduleCompound(store, owner, delegator, height);
    }
  }

  /** The distribution account holds exactly the pool plus every validator's outstanding rewards. */
  checkInvariants(store: KVReader): void {
    let outstanding = 0n;
    for (const [, value] of store.iterate(OutstandingPrefix, prefixEnd(OutstandingPrefix))) outstanding += readInt(value);
    const held = this.bank.getBalance(store, distributionAccount, BaseDenom);
    const pool = this.communityPool(store);
    if (held !== pool + outstanding) {
      throw DistributionErrors.invariantBroken.with(`distribution holds ${held}uqos, pool ${pool} + outstanding ${outstanding}`);
    }
  }

  /** The module's whole state as raw pairs, for an exact export/import. */
  *rawEntries(store: KVReader): IterableIterator<[string, Uint8Array]> {
    yield* store.iterate(P, prefixEnd(P));
  }
}
