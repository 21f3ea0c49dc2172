// Mining scenarios (issue 19, whitepaper §2.2). Keys live here only, as collections:
//   mining/s/<denom>                    → Scenario (protobuf)
//   mining/p/<denom>/<period u64>       → Period: a settled period
//   mining/h/<denom>/<address 20>       → Holder: dividend state (absent: unchanged since creation)
//   mining/m/<denom>/<address 20>       → Miner: commission credit and unclaimed rewards
//   mining/r/<denom>/<height u64>       → RatePoint: the banker's published rates
//   mining/q/<period end u64><denom>    → (empty): the settlement queue, by period end
//   mining/params                       → params (JSON; absent = the defaults)
// Denoms are QSC names (no '/'), so the '/' after one ends it (delimitedStringKey).
//
// Dividends (docs/mining.md): a holder earns on the LEAST balance it held through a period (so buying
// just before a settlement and selling after earns nothing). Σ least balances is kept per scenario: it
// starts each period at the eligible supply (balances outside module accounts) and falls when a holder's
// balance falls below its least. At settlement the holders' amount is spread per token of that sum
// (dividend_per_token, rounded down; the dust to the community account), and the per-token figures
// are summed over periods; a holder catches up lazily, on its next balance change or claim:
// least × per_token(its period) + balance × Σ per_token of the periods after it (its balance did not
// change through them). Work per balance change and per settlement is O(1): no loop over holders or
// payments anywhere but the invariants.
//
// Mining rewards: every payment credits its commission to the payer and to the payee (per account, per
// period); a settled credit converts at the period's average price to credit ÷ (2 · price) QSC, minted
// when claimed.
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { BaseDenom, type Coin } from "../../app/coins.js";
import { One } from "../../app/decimal.js";
import type { Event } from "../../app/events.js";
import type { ModuleAccount } from "../../app/module.js";
import { unmetered } from "../../app/gas.js";
import { storedParams } from "../../app/params.js";
import type { Page, PageRequest } from "../../app/query.js";
import { StoreMap, bytesKey, delimitedStringKey, keyPrefix, protoValue, stringKey, tupleKey, u64Key, type ValueCodec } from "../../app/state/collections.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { Holder, Miner, Period, RatePoint, Scenario } from "../../gen/qos/mining/v1/types.js";
import { MiningErrors } from "./errors.js";
import * as events from "./events.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";

/** A scenario as the keeper works on it: amounts, fractions and prices as bigints (fractions and prices
 *  scaled by 1e18), times in unix seconds. */
export interface ScenarioState {
  denom: string;
  banker: string;
  community: string;
  commissionRate: bigint;
  minCommission: bigint;
  holderShare: bigint;
  periodSecs: bigint;
  team: string;
  teamReserve: bigint;
  teamUnlocked: bigint;
  teamUnlockRate: bigint;
  teamUnlockCap: bigint;
  rate: bigint;
  rateTime: bigint;
  rateCumulative: bigint;
  rateHeight: bigint;
  period: bigint;
  periodStart: bigint;
  periodEnd: bigint;
  rateCumulativeAtStart: bigint;
  referencePrice: bigint;
  periodCommission: bigint;
  periodVolume: bigint;
  periodMinHoldings: bigint;
  eligibleSupply: bigint;
  collected: bigint;
  dividendsClaimed: bigint;
  communityPaid: bigint;
  rewardsMinted: bigint;
  dividendsSettled: bigint;
}

export interface PeriodState {
  index: bigint;
  start: bigint;
  end: bigint;
  commission: bigint;
  volume: bigint;
  dividendPerToken: bigint;
  cumulativeDividendPerToken: bigint;
  holdersAmount: bigint;
  communityAmount: bigint;
  minHoldings: bigint;
  price: bigint;
  priceSource: "pool" | "banker" | "none";
  teamUnlocked: bigint;
}

export interface HolderState { period: bigint; leastBalance: bigint; owed: bigint }
export interface MinerState { period: bigint; credit: bigint; owed: bigint }
export interface RatePointState { time: bigint; height: bigint; rate: bigint }

/** the scenario fields kept as decimal strings in protobuf */
const ScenarioAmounts = [
  "commissionRate", "minCommission", "holderShare", "teamReserve", "teamUnlocked", "teamUnlockRate", "teamUnlockCap", "rate", "rateCumulative",
  "rateCumulativeAtStart", "referencePrice", "periodCommission", "periodVolume", "periodMinHoldings", "eligibleSupply", "collected",
  "dividendsClaimed", "communityPaid", "rewardsMinted", "dividendsSettled",
] as const;
const PeriodAmounts = ["commission", "volume", "dividendPerToken", "cumulativeDividendPerToken", "holdersAmount", "communityAmount", "minHoldings", "price", "teamUnlocked"] as const;

/** protobuf ⇄ state: the listed fields are decimal strings on the wire and bigints here */
function converted<W extends object, S>(codec: { encode(m: W): { finish(): Uint8Array }; decode(b: Uint8Array): W }, amounts: readonly string[]): ValueCodec<S> & { toWire(s: S): W; fromWire(w: W): S } {
  const toWire = (s: S): W => {
    const w: Record<string, unknown> = { ...(s as object) };
    for (const f of amounts) w[f] = String(w[f]);
    return w as W;
  };
  const fromWire = (w: W): S => {
    const s: Record<string, unknown> = { ...(w as object) };
    for (const f of amounts) s[f] = BigInt((s[f] as string) || "0");
    return s as S;
  };
  return { toWire, fromWire, encode: (s) => codec.encode(toWire(s)).finish(), decode: (b) => fromWire(codec.decode(b)) };
}

export const scenarioCodec = converted<Scenario, ScenarioState>(Scenario, ScenarioAmounts);
export const periodCodec = converted<Period, PeriodState>(Period, PeriodAmounts);
const holderCodec = converted<Holder, HolderState>(Holder, ["leastBalance", "owed"]);
const minerCodec = converted<Miner, MinerState>(Miner, ["credit", "owed"]);
export const ratePointCodec = converted<RatePoint, RatePointState>(RatePoint, ["rate"]);

const denomKey = delimitedStringKey("/");
const scenarios = new StoreMap("mining/s/", stringKey, scenarioCodec);
const periods = new StoreMap("mining/p/", tupleKey(denomKey, u64Key), periodCodec);
const holders = new StoreMap("mining/h/", tupleKey(denomKey, bytesKey(20)), holderCodec);
const miners = new StoreMap("mining/m/", tupleKey(denomKey, bytesKey(20)), minerCodec);
const rates = new StoreMap("mining/r/", tupleKey(denomKey, u64Key), ratePointCodec);
const queue = new StoreMap("mining/q/", tupleKey(u64Key, stringKey), protoValue({ encode: () => ({ finish: () => new Uint8Array() }), decode: () => true }));
const params = storedParams("mining/params", ParamsSchema, DefaultParams);

export const MiningAccountName = "mining";
/** holds the commission until it is claimed or paid to the community, and the locked team reserves;
 *  mints the mining rewards */
export const MiningModuleAccount = { name: MiningAccountName, permissions: ["minter"] } as const satisfies ModuleAccount;

/** What mining needs from bank: its module account's handle, a user's send, and whether an address is a
 *  module account (their balances earn no dividends). */
export interface MiningBank {
  readonly address: Uint8Array;
  mint(store: KVStore, events: Event[] | undefined, to: Uint8Array, coins: readonly Coin[]): void;
  sendFromAccountToModule(store: KVStore, events: Event[], from: Uint8Array, coins: readonly Coin[]): void;
  sendFromModuleToAccount(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
  send(store: KVStore, events: Event[], from: Uint8Array, to: Uint8Array, coins: readonly Coin[]): void;
  getBalance(store: KVReader, address: Uint8Array, denom: string): bigint;
  getSupply(store: KVReader, denom: string): bigint;
  isModuleAccount(address: Uint8Array): boolean;
  /** throws bank 12 when `address` is a module account */
  checkRecipient(address: Uint8Array, field?: string): void;
  /** every module account's address (at a scenario's creation their balances leave the eligible supply) */
  moduleAccounts(): readonly Uint8Array[];
  /** every non-zero balance of a denom: for the invariants only */
  holdersOf(store: KVReader, denom: string): Iterable<[Uint8Array, bigint]>;
}

/** What mining needs from qsc: the token (banker, pause) and an account's frozen amount. */
export interface MiningTokens {
  token(store: KVReader, denom: string): { banker: string; paused: boolean } | undefined;
  frozen(store: KVReader, denom: string, address: Uint8Array): bigint;
}

/** What mining needs from the exchange: the time-weighted average price of the token's pool over
 *  [t1, t2] at block time `now`, or undefined when there is no pool or its prices do not cover it. */
export interface MiningPrices {
  average(store: KVReader, denom: string, t1: bigint, t2: bigint, now: bigint): bigint | undefined;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

export class MiningKeeper {
  constructor(
    readonly bank: MiningBank,
    readonly tokens: MiningTokens,
    readonly prices: MiningPrices,
  ) {}

  getScenario(store: KVReader, denom: string): ScenarioState | undefined {
    return scenarios.get(store, denom);
  }

  requireScenario(store: KVReader, denom: string): ScenarioState {
    const s = this.getScenario(store, denom);
    if (!s) throw MiningErrors.scenarioNotFound.with(`${JSON.stringify(denom.slice(0, 130))} has no mining scenario`);
    return s;
  }

  hasScenario(store: KVReader, denom: string): boolean {
    return scenarios.has(store, denom);
  }

  setScenario(store: KVStore, s: ScenarioState): void {
    scenarios.set(store, s.denom, s);
  }

  *allScenarios(store: KVReader): IterableIterator<ScenarioState> {
    for (const [, s] of scenarios.entries(store)) yield s;
  }

  getPeriod(store: KVReader, denom: string, index: bigint): PeriodState | undefined {
    return periods.get(store, [denom, index]);
  }

  setPeriod(store: KVStore, denom: string, p: PeriodState): void {
    periods.set(store, [denom, p.index], p);
  }

  *allPeriods(store: KVReader, denom: string): IterableIterator<PeriodState> {
    for (const [, p] of periods.entries(store, { within: keyPrefix([denomKey, denom]) })) yield p;
  }

  periodsPage(store: KVReader, denom: string, page: PageRequest | undefined): Page<PeriodState> {
    return periods.page(store, page, (_, p) => p, keyPrefix([denomKey, denom]));
  }

  getHolder(store: KVReader, denom: string, address: Uint8Array): HolderState | undefined {
    return holders.get(store, [denom, address]);
  }

  setHolder(store: KVStore, denom: string, address: Uint8Array, h: HolderState): void {
    holders.set(store, [denom, address], h);
  }

  *allHolders(store: KVReader, denom: string): IterableIterator<[Uint8Array, HolderState]> {
    for (const [[, address], h] of holders.entries(store, { within: keyPrefix([denomKey, denom]) })) yield [address, h];
  }

  getMiner(store: KVReader, denom: string, address: Uint8Array): MinerState | undefined {
    return miners.get(store, [denom, address]);
  }

  setMiner(store: KVStore, denom: string, address: Uint8Array, m: MinerState): void {
    miners.set(store, [denom, address], m);
  }

  *allMiners(store: KVReader, denom: string): IterableIterator<[Uint8Array, MinerState]> {
    for (const [[, address], m] of miners.entries(store, { within: keyPrefix([denomKey, denom]) })) yield [address, m];
  }

  addRatePoint(store: KVStore, denom: string, point: RatePointState): void {
    rates.set(store, [denom, point.height], point);
  }

  *allRatePoints(store: KVReader, denom: string): IterableIterator<RatePointState> {
    for (const [, r] of rates.entries(store, { within: keyPrefix([denomKey, denom]) })) yield r;
  }

  ratesPage(store: KVReader, denom: string, page: PageRequest | undefined): Page<RatePointState> {
    return rates.page(store, page, (_, r) => r, keyPrefix([denomKey, denom]));
  }

  enqueue(store: KVStore, end: bigint, denom: string): void {
    queue.set(store, [end, denom], true);
  }

  private dequeue(store: KVStore, end: bigint, denom: string): void {
    queue.delete(store, [end, denom]);
  }

  /** the scenarios whose period ended at or before `now`, by end then denom */
  due(store: KVReader, now: bigint): Array<[bigint, string]> {
    return [...queue.keys(store, { to: u64Key.encode(now + 1n) })];
  }

  getParams(store: KVReader): Params {
    return params.get(store);
  }

  setParams(store: KVStore, value: Params): void {
    params.set(store, value);
  }

  /** Σ banker rate · seconds from the scenario's creation up to `time` (not before rate_time). */
  rateCumulativeAt(s: ScenarioState, time: bigint): bigint {
    return s.rateCumulative + s.rate * (time - s.rateTime);
  }

  /** Σ dividend per token of the settled periods up to and including `index` (0 before the first). */
  private cumulativeThrough(store: KVReader, denom: string, index: bigint): bigint {
    if (index < 0n) return 0n;
    const p = this.getPeriod(store, denom, index);
    if (!p) throw MiningErrors.invariantBroken.with(`${denom}: period ${index} is not settled`);
    return p.cumulativeDividendPerToken;
  }

  /** A holder brought to the scenario's current period: dividends of the periods since its record's
   *  settled into `owed`; `balance` is its balance now (unchanged since its last record). An account
   *  without a record has held `balance` since the scenario's creation (every change makes a record). */
  holderNow(store: KVReader, s: ScenarioState, address: Uint8Array, balance: bigint): HolderState {
    const h = this.getHolder(store, s.denom, address) ?? { period: 0n, leastBalance: balance, owed: 0n };
    if (h.period === s.period) return h;
    const ownPeriod = this.getPeriod(store, s.denom, h.period);
    if (!ownPeriod) throw MiningErrors.invariantBroken.with(`${s.denom}: period ${h.period} is not settled`);
    const later = this.cumulativeThrough(store, s.denom, s.period - 1n) - ownPeriod.cumulativeDividendPerToken;
    const owed = h.owed + (h.leastBalance * ownPeriod.dividendPerToken) / One + (balance * later) / One;
    return { period: s.period, leastBalance: balance, owed };
  }

  /** A miner brought to the current period: the credit of a settled period converted into QSC owed. */
  minerNow(store: KVReader, s: ScenarioState, address: Uint8Array): MinerState {
    const m = this.getMiner(store, s.denom, address) ?? { period: s.period, credit: 0n, owed: 0n };
    if (m.period === s.period) return m;
    const p = this.getPeriod(store, s.denom, m.period);
    if (!p) throw MiningErrors.invariantBroken.with(`${s.denom}: period ${m.period} is not settled`);
    return { period: s.period, credit: 0n, owed: m.owed + rewardOf(m.credit, p.price) };
  }

  /**
   * bank's balance hook: before an account's balance of a mined QSC changes, settle its dividends and
   * keep Σ least balances and the eligible supply. Module accounts hold no dividend-earning balance.
   * Whether the denom is mined is read without gas (see app/gas.ts `unmetered`); the rest is metered.
   */
  balanceChanged(store: KVStore, address: Uint8Array, denom: string, before: bigint, after: bigint): void {
    // every balance change of every denom comes here: uqos costs a comparison, a QSC without a scenario
    // one point read, and neither allocates more than the unmetered view
    if (denom === BaseDenom || !scenarios.has(unmetered(store), denom)) return;
    if (this.bank.isModuleAccount(address)) return;
    const s = this.requireScenario(store, denom);
    const h = this.holderNow(store, s, address, before);
    const least = min(h.leastBalance, after);
    s.periodMinHoldings -= h.leastBalance - least;
    s.eligibleSupply += after - before;
    this.setHolder(store, denom, address, { ...h, leastBalance: least });
    this.setScenario(store, s);
  }

  /** The average price of the scenario's current period, which ends at s.periodEnd ≤ now: the pool's
   *  TWAP when the pool covers the whole period, else the banker's rate averaged over time. */
  periodPrice(store: KVReader, s: ScenarioState, now: bigint): { price: bigint; source: "pool" | "banker" } {
    const pool = this.prices.average(store, s.denom, s.periodStart, s.periodEnd, now);
    if (pool !== undefined && pool > 0n) return { price: pool, source: "pool" };
    const span = s.periodEnd - s.periodStart;
    return { price: (this.rateCumulativeAt(s, s.periodEnd) - s.rateCumulativeAtStart) / span, source: "banker" };
  }

  /**
   * Settles the scenario's current period (its end ≤ now): the holders' share spread per token of Σ least
   * balances, the community share and the dust to the community account, the team reserve's unlock, the
   * period's price for the mining rewards; opens the next period (the one containing `now`: periods with
   * no block in them are skipped, nothing happened in them). O(1): no holder or payment is visited.
   */
  settle(store: KVStore, events_: Event[], denom: string, now: bigint): void {
    const s = this.requireScenario(store, denom);
    this.dequeue(store, s.periodEnd, denom);
    const { price, source } = this.periodPrice(store, s, now);
    const holderPool = (s.periodCommission * s.holderShare) / One;
    const perToken = s.periodMinHoldings > 0n ? (holderPool * One) / s.periodMinHoldings : 0n;
    // rounded UP: a holder catching up over several periods rounds the sum once, which may exceed the
    // per-period amounts rounded down; the reserve never falls short (perToken · Σ least ≤ holderPool · 1e18)
    const holdersAmount = (perToken * s.periodMinHoldings + One - 1n) / One;
    const communityAmount = s.periodCommission - holdersAmount;
    const remaining = s.teamReserve - s.teamUnlocked;
    const unlock = min(min(remaining, (s.periodVolume * s.teamUnlockRate) / One), s.teamUnlockCap);
    const period: PeriodState = {
      index: s.period, start: s.periodStart, end: s.periodEnd, commission: s.periodCommission, volume: s.periodVolume,
      dividendPerToken: perToken, cumulativeDividendPerToken: this.cumulativeThrough(store, denom, s.period - 1n) + perToken,
      holdersAmount, communityAmount, minHoldings: s.periodMinHoldings, price, priceSource: source, teamUnlocked: unlock,
    };
    this.setPeriod(store, denom, period);
    const skipped = (now - s.periodEnd) / s.periodSecs;
    const start = s.periodEnd + skipped * s.periodSecs;
    const next: ScenarioState = {
      ...s, period: s.period + 1n, periodStart: start, periodEnd: start + s.periodSecs, rateCumulativeAtStart: this.rateCumulativeAt(s, start),
      referencePrice: price > 0n ? price : s.referencePrice, periodCommission: 0n, periodVolume: 0n, periodMinHoldings: s.eligibleSupply,
      teamUnlocked: s.teamUnlocked + unlock, communityPaid: s.communityPaid + communityAmount, dividendsSettled: s.dividendsSettled + holdersAmount,
    };
    this.setScenario(store, next);
    this.enqueue(store, next.periodEnd, denom);
    // the scenario is stored before coins move: bank's balance hook reads and updates it
    if (communityAmount > 0n) this.bank.sendFromModuleToAccount(store, events_, parseAccAddress(s.community), [{ denom: BaseDenom, amount: communityAmount }]);
    if (unlock > 0n) this.bank.sendFromModuleToAccount(store, events_, parseAccAddress(s.team), [{ denom, amount: unlock }]);
    events_.push(events.settleEvent(denom, s.period.toString(), s.periodCommission.toString(), holdersAmount.toString(), communityAmount.toString(), price.toString(), source, unlock.toString()));
  }

  /** Per scenario: the module account's uqos is what was collected less what was claimed and paid to
   *  the community; its QSC is the locked team reserve; Σ of what holders can claim never exceeds the
   *  settled dividends not yet claimed, Σ least balances and the eligible supply match the balances;
   *  QSC minted by mining plus what miners can claim never exceeds the rewards of the settled periods. */
  checkInvariants(store: KVReader): void {
    let qos = 0n;
    for (const s of this.allScenarios(store)) {
      const fail = (what: string): never => {
        throw MiningErrors.invariantBroken.with(`scenario ${s.denom}: ${what}`);
      };
      qos += s.collected - s.dividendsClaimed - s.communityPaid;
      if (s.periodCommission > s.collected) fail(`period commission ${s.periodCommission} above all collected ${s.collected}`);
      const heldQsc = this.bank.getBalance(store, this.bank.address, s.denom);
      if (heldQsc !== s.teamReserve - s.teamUnlocked) fail(`module account holds ${heldQsc}${s.denom}, the locked reserve is ${s.teamReserve - s.teamUnlocked}`);
      let eligible = 0n;
      let least = 0n;
      let claimable = 0n;
      for (const [address, balance] of this.bank.holdersOf(store, s.denom)) {
        if (this.bank.isModuleAccount(address)) continue;
        eligible += balance;
        const h = this.holderNow(store, s, address, balance);
        if (h.leastBalance > balance) fail(`${toAccAddress(address)}: least balance ${h.leastBalance} above its balance ${balance}`);
        least += h.leastBalance;
        claimable += h.owed;
      }
      for (const [address, h] of this.allHolders(store, s.denom)) {
        if (this.bank.getBalance(store, address, s.denom) === 0n) claimable += this.holderNow(store, s, address, 0n).owed;
      }
      if (eligible !== s.eligibleSupply) fail(`eligible supply ${s.eligibleSupply}, balances outside module accounts sum to ${eligible}`);
      if (least !== s.periodMinHoldings) fail(`Σ least balances ${s.periodMinHoldings}, holders' records sum to ${least}`);
      if (claimable > s.dividendsSettled - s.dividendsClaimed) fail(`holders can claim ${claimable} uqos, only ${s.dividendsSettled - s.dividendsClaimed} settled and unclaimed`);
      let rewards = 0n;
      let owedRewards = 0n;
      for (const p of this.allPeriods(store, s.denom)) rewards += rewardOf(2n * p.commission, p.price);
      for (const [address] of this.allMiners(store, s.denom)) owedRewards += this.minerNow(store, s, address).owed;
      if (s.rewardsMinted + owedRewards > rewards) fail(`${s.rewardsMinted} minted and ${owedRewards} owed as mining rewards, the settled periods give ${rewards}`);
    }
    const held = this.bank.getBalance(store, this.bank.address, BaseDenom);
    if (held !== qos) throw MiningErrors.invariantBroken.with(`commission not yet paid out sums to ${qos}uqos, the module account holds ${held}`);
  }
}

/** QSC a commission credit earns at a period's price: credit ÷ (2 · price), rounded down; nothing when
 *  the period had no price. */
export function rewardOf(credit: bigint, price: bigint): bigint {
  return price > 0n ? (credit * One) / (2n * price) : 0n;
}
