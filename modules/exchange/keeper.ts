// The exchange's pools, price observations and params. Keys live here only, as collections:
//   exchange/p/<denom>              → Pool (protobuf; amounts and prices as decimal strings)
//   exchange/o/<denom>/<time u64>   → Observation: cumulative price at the first action of a block
//   exchange/params                 → params (JSON; absent = the defaults)
// Denoms are QSC names (no '/'), so the '/' after one ends it (delimitedStringKey).
//
// Reserves are coins of the module account "exchange": per QSC, the pool's reserve; in uqos, the sum of
// every pool's QOS reserve. Pool shares are a coin, `pool/<denom>`, minted and burnt by this module;
// MinimumLiquidity of each pool's shares stay in the module account forever.
//
// The oracle (like Uniswap v2): each pool keeps Σ price · seconds. At the first action of a block whose
// time is later than the pool's last, the price that held since then (the pool's price after the last
// action of an earlier block) is accumulated and one observation is written; actions later in the same
// block only change the price that will hold from then on. So a price counts by how long it held between
// blocks, never by what happened inside one. Observations are kept `twap_window_secs` after a newer
// action: each accumulation deletes at most two expired ones (it adds at most one), so the state per pool
// stays bounded by the window's number of blocks with an action, and no action pays for a long backlog.
import { moduleAddress, toAccAddress } from "../../app/address.js";
import { BaseDenom, type Coin } from "../../app/coins.js";
import type { Event } from "../../app/events.js";
import type { ModuleAccount } from "../../app/module.js";
import { storedParams } from "../../app/params.js";
import type { Page, PageRequest } from "../../app/query.js";
import { StoreMap, delimitedStringKey, keyPrefix, protoValue, stringKey, tupleKey, u64Key, type ValueCodec } from "../../app/state/collections.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { Observation, Pool } from "../../gen/qos/exchange/v1/types.js";
import { ExchangeErrors } from "./errors.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";
import { MinimumLiquidity } from "./amm.js";

/** A pool as the keeper works on it: every amount and price a bigint, times in unix seconds. */
export interface PoolState {
  denom: string;
  reserveQsc: bigint;
  reserveQos: bigint;
  shares: bigint;
  createdTime: bigint;
  lastTime: bigint;
  cumulative: bigint;
  lastPrice: bigint;
  twapFrom: bigint;
}

export interface ObservationState {
  cumulative: bigint;
  priceBefore: bigint;
}

const poolValue: ValueCodec<PoolState> = {
  encode: (p) =>
    Pool.encode({
      denom: p.denom, reserveQsc: p.reserveQsc.toString(), reserveQos: p.reserveQos.toString(), shares: p.shares.toString(),
      createdTime: p.createdTime, lastTime: p.lastTime, priceCumulative: p.cumulative.toString(), lastPrice: p.lastPrice.toString(), twapFrom: p.twapFrom,
    }).finish(),
  decode: (bytes) => poolFromProto(Pool.decode(bytes)),
};
const observationValue: ValueCodec<ObservationState> = {
  encode: (o) => Observation.encode({ priceCumulative: o.cumulative.toString(), priceBefore: o.priceBefore.toString() }).finish(),
  decode(bytes) {
    const o = Observation.decode(bytes);
    return { cumulative: BigInt(o.priceCumulative), priceBefore: BigInt(o.priceBefore) };
  },
};
const poolDenom = delimitedStringKey("/");
const pools = new StoreMap("exchange/p/", stringKey, poolValue);
const observations = new StoreMap("exchange/o/", tupleKey(poolDenom, u64Key), observationValue);
const params = storedParams("exchange/params", ParamsSchema, DefaultParams);
/** expired observations one accumulation deletes at most (it writes at most one) */
const PrunePerAction = 2;

export const ExchangeAccountName = "exchange";
export const exchangeAccount = moduleAddress(ExchangeAccountName);
/** holds the reserves and the locked shares; mints and burns share coins */
export const ExchangeModuleAccount = { name: ExchangeAccountName, permissions: ["minter", "burner"] } as const satisfies ModuleAccount;

/** The share coin of a pool. */
export function shareDenom(denom: string): string {
  return `pool/${denom}`;
}

export function poolFromProto(p: Pool): PoolState {
  return {
    denom: p.denom, reserveQsc: BigInt(p.reserveQsc), reserveQos: BigInt(p.reserveQos), shares: BigInt(p.shares),
    createdTime: p.createdTime, lastTime: p.lastTime, cumulative: BigInt(p.priceCumulative), lastPrice: BigInt(p.lastPrice), twapFrom: p.twapFrom,
  };
}

export function poolToProto(p: PoolState): Pool {
  return Pool.decode(poolValue.encode(p));
}

/** What the exchange needs from bank: its module account's handle (moves in and out, share coins). */
export interface ExchangeBank {
  readonly address: Uint8Array;
  mint(store: KVStore, events: Event[] | undefined, to: Uint8Array, coins: readonly Coin[]): void;
  burn(store: KVStore, events: Event[] | undefined, from: Uint8Array, coins: readonly Coin[]): void;
  sendFromAccountToModule(store: KVStore, events: Event[], from: Uint8Array, coins: readonly Coin[]): void;
  sendFromModuleToAccount(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
  getBalance(store: KVReader, address: Uint8Array, denom: string): bigint;
  getSupply(store: KVReader, denom: string): bigint;
}

/** What the exchange needs from qsc: whether a denom is a token, and whether it is paused. */
export interface ExchangeTokens {
  token(store: KVReader, denom: string): { paused: boolean } | undefined;
}

export class ExchangeKeeper {
  constructor(
    readonly bank: ExchangeBank,
    readonly tokens: ExchangeTokens,
  ) {}

  getPool(store: KVReader, denom: string): PoolState | undefined {
    return pools.get(store, denom);
  }

  requirePool(store: KVReader, denom: string): PoolState {
    const pool = this.getPool(store, denom);
    if (!pool) throw ExchangeErrors.poolNotFound.with(`no pool of ${JSON.stringify(denom)} against ${BaseDenom}`);
    return pool;
  }

  setPool(store: KVStore, pool: PoolState): void {
    pools.set(store, pool.denom, pool);
  }

  *allPools(store: KVReader): IterableIterator<PoolState> {
    for (const [, pool] of pools.entries(store)) yield pool;
  }

  poolsPage(store: KVReader, page: PageRequest | undefined): Page<PoolState> {
    return pools.page(store, page, (_, pool) => pool);
  }

  /** A QSC that may trade: a token of qsc (exchange 4) and not paused (exchange 5). */
  requireTradable(store: KVReader, denom: string): void {
    const token = this.tokens.token(store, denom);
    if (!token) throw ExchangeErrors.unknownToken.with(`${JSON.stringify(denom)} is not a QSC token of this chain`);
    if (token.paused) throw ExchangeErrors.tokenPaused.with(`${denom} is paused by its banker: it cannot be traded until unpaused`);
  }

  getObservation(store: KVReader, denom: string, time: bigint): ObservationState | undefined {
    return observations.get(store, [denom, time]);
  }

  setObservation(store: KVStore, denom: string, time: bigint, observation: ObservationState): void {
    observations.set(store, [denom, time], observation);
  }

  /** Every observation of a pool: [time, observation], oldest first. */
  *allObservations(store: KVReader, denom: string): IterableIterator<[bigint, ObservationState]> {
    for (const [[, time], o] of observations.entries(store, { within: keyPrefix([poolDenom, denom]) })) yield [time, o];
  }

  /** Brings the pool's cumulative price up to `now` before an action changes its reserves (see the
   *  file's header): the pool returned has lastTime = now; the caller stores it with its new reserves
   *  and price. */
  accumulate(store: KVStore, pool: PoolState, now: bigint): PoolState {
    if (now <= pool.lastTime) return pool;
    const cumulative = pool.cumulative + pool.lastPrice * (now - pool.lastTime);
    this.setObservation(store, pool.denom, now, { cumulative, priceBefore: pool.lastPrice });
    const twapFrom = this.prune(store, pool.denom, now - BigInt(this.getParams(store).twap_window_secs), pool.twapFrom);
    return { ...pool, cumulative, lastTime: now, twapFrom };
  }

  /** Deletes up to PrunePerAction observations older than `before`; returns the new twapFrom (the time
   *  of the newest deleted: cumulative prices from then on are still computable). */
  private prune(store: KVStore, denom: string, before: bigint, twapFrom: bigint): bigint {
    const within = keyPrefix([poolDenom, denom]);
    const expired: bigint[] = [];
    for (const [, time] of observations.keys(store, { within, to: within + u64Key.encode(before < 0n ? 0n : before) })) {
      expired.push(time);
      if (expired.length === PrunePerAction) break;
    }
    for (const time of expired) observations.delete(store, [denom, time]);
    return expired.length > 0 ? expired[expired.length - 1] : twapFrom;
  }

  /** Σ price · seconds from the pool's creation up to `time` (twapFrom ≤ time; time not after the
   *  current block, whose actions would otherwise not be known yet). From the first observation at or
   *  after `time`, back by the price that held before it; after the last one, forward from the pool. */
  cumulativeAt(store: KVReader, pool: PoolState, time: bigint): bigint {
    const within = keyPrefix([poolDenom, pool.denom]);
    for (const [[, at], o] of observations.entries(store, { within, from: within + u64Key.encode(time) })) {
      return o.cumulative - o.priceBefore * (at - time);
    }
    return pool.cumulative + pool.lastPrice * (time - pool.lastTime);
  }

  /**
   * The time-weighted average price of a pool over [t1, t2] (unix seconds of block time), uqos per unit
   * of the QSC with 18 decimals, rounded down: (cumulative(t2) − cumulative(t1)) ÷ (t2 − t1). For other
   * modules (mining, issue 19): in a block, pass the block's time as `now`; without `now` the period must
   * end by the pool's last action. Refused (exchange 15) unless twapFrom ≤ t1 < t2 ≤ now.
   */
  averagePrice(store: KVReader, denom: string, t1: bigint, t2: bigint, now?: bigint): bigint {
    const pool = this.requirePool(store, denom);
    const end = now ?? pool.lastTime;
    if (t1 >= t2) throw ExchangeErrors.invalidTimeRange.with(`start ${t1} is not before end ${t2}`);
    if (t1 < pool.twapFrom) {
      throw ExchangeErrors.invalidTimeRange.with(`${denom}'s prices are known from ${pool.twapFrom} (creation or retention window), the period starts at ${t1}`);
    }
    if (t2 > end) throw ExchangeErrors.invalidTimeRange.with(`the period ends at ${t2}, after the latest known time ${end}`);
    return (this.cumulativeAt(store, pool, t2) - this.cumulativeAt(store, pool, t1)) / (t2 - t1);
  }

  /** An account's shares of a pool (its balance of the share coin). */
  sharesOf(store: KVReader, address: Uint8Array, denom: string): bigint {
    return this.bank.getBalance(store, address, shareDenom(denom));
  }

  getParams(store: KVReader): Params {
    return params.get(store);
  }

  setParams(store: KVStore, value: Params): void {
    params.set(store, value);
  }

  /** Per pool: its QSC reserve is the module account's balance of the QSC, its shares are the share
   *  coin's supply with MinimumLiquidity of them in the module account, both reserves positive; the QOS
   *  reserves sum to the module account's uqos. (k never decreasing is checked on every swap.) */
  checkInvariants(store: KVReader): void {
    const account = this.bank.address;
    let qos = 0n;
    for (const pool of this.allPools(store)) {
      const fail = (what: string) => {
        throw ExchangeErrors.invariantBroken.with(`pool ${pool.denom}: ${what}`);
      };
      if (pool.reserveQsc <= 0n || pool.reserveQos <= 0n) fail(`a reserve is not positive (${pool.reserveQsc}, ${pool.reserveQos})`);
      const heldQsc = this.bank.getBalance(store, account, pool.denom);
      if (heldQsc !== pool.reserveQsc) fail(`reserve ${pool.reserveQsc}${pool.denom}, module account holds ${heldQsc}`);
      const supply = this.bank.getSupply(store, shareDenom(pool.denom));
      if (supply !== pool.shares) fail(`${pool.shares} shares outstanding, share coin supply ${supply}`);
      const locked = this.bank.getBalance(store, account, shareDenom(pool.denom));
      if (locked !== MinimumLiquidity) fail(`${locked} shares locked in the module account, not ${MinimumLiquidity}`);
      qos += pool.reserveQos;
    }
    const heldQos = this.bank.getBalance(store, account, BaseDenom);
    if (heldQos !== qos) throw ExchangeErrors.invariantBroken.with(`QOS reserves sum to ${qos}, module account ${toAccAddress(account)} holds ${heldQos}`);
  }
}

/** One hop of a swap: which pool, which way, how much, and the pool's reserves after. */
export interface Hop {
  pool: PoolState;
  /** true: the QSC is paid in and uqos comes out */
  sellsQsc: boolean;
  denomIn: string;
  denomOut: string;
  amountIn: bigint;
  amountOut: bigint;
  reserveQscAfter: bigint;
  reserveQosAfter: bigint;
  priceAfter: bigint;
}
