// The QSC exchange (issue 18) through the app: worked examples whose expected amounts are computed here
// from x·y = k with the fee (not by the module's formulas), every route and exact output, the sandwich,
// the oracle under a one-block manipulation, and bad input refused with distinct codes, nothing moved.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { formatDec } from "../../app/decimal.js";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { msg as qscMsg } from "../helpers/qsc.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { MsgAddLiquidity, MsgCreatePool, MsgRemoveLiquidity, MsgSwap, MsgSwapResponse } from "../../gen/qos/exchange/v1/tx.js";
import {
  QueryAveragePriceRequest, QueryAveragePriceResponse, QueryPoolRequest, QueryPoolResponse, QueryQuoteRequest, QueryQuoteResponse,
  QuerySharesRequest, QuerySharesResponse,
} from "../../gen/qos/exchange/v1/query.js";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { ExchangeErrors, exchangeAccount } from "../../modules/exchange/index.js";

const Urls = TypeUrl.qos.exchange.v1;
const Q = Method.qos.exchange.v1.Query;
for (const [url, type] of [[Urls.MsgCreatePool, MsgCreatePool], [Urls.MsgAddLiquidity, MsgAddLiquidity], [Urls.MsgRemoveLiquidity, MsgRemoveLiquidity], [Urls.MsgSwap, MsgSwap]] as const) {
  registry.register(url, type as never);
}

const chainId = "qos-exchange-1";
const Fee = 30n; // default swap_fee_bps
const Bps = 10_000n;
const E18 = 10n ** 18n;

// ---- the expected values, from x·y = k (independent of modules/exchange/amm.ts) ----
/** the largest out with (x + in·(1 − fee))·(y − out) ≥ x·y: y minus the smallest reserve k allows */
function expectOut(amountIn: bigint, x: bigint, y: bigint): bigint {
  const k = x * y * Bps;
  const xAfter = x * Bps + amountIn * (Bps - Fee); // scaled by Bps
  const yAfterMin = (k + xAfter - 1n) / xAfter; // ⌈k / x'⌉
  return y - yAfterMin;
}
/** the smallest in with (x + in·(1 − fee))·(y − out) ≥ x·y */
function expectIn(amountOut: bigint, x: bigint, y: bigint): bigint {
  const need = x * y * Bps - (y - amountOut) * x * Bps; // (y − out)·in·(Bps − fee) must cover this
  const per = (y - amountOut) * (Bps - Fee);
  return (need + per - 1n) / per;
}
const satisfiesK = (amountIn: bigint, amountOut: bigint, x: bigint, y: bigint) => (x * Bps + amountIn * (Bps - Fee)) * (y - amountOut) >= x * y * Bps;

describe("exchange", () => {
  let alice: TestAccount, bob: TestAccount, carol: TestAccount, banker: TestAccount;
  let t: TestApp;
  const numbers = new Map<string, number>();

  const sequence = (address: string) =>
    BaseAccount.decode(QueryAccountResponse.decode(t.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false }).value).account!.value).sequence;
  async function sign(signer: TestAccount, m: EncodeObject, seqOffset = 0n) {
    return signTx(signer, [m], { chainId, accountNumber: numbers.get(signer.address)!, sequence: sequence(signer.address) + seqOffset, fee: { amount: [{ denom: "uqos", amount: "20000" }], gas: "800000" } });
  }
  async function run(signer: TestAccount, m: EncodeObject, timeSeconds?: bigint) {
    const { results } = await t.block([await sign(signer, m)], { timeSeconds });
    return results[0];
  }
  const query = <T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => {
    const res = t.app.query({ path, data, height: 0n, prove: false });
    assert.equal(res.code, 0, res.log);
    return decode(res.value);
  };
  const queryCode = (path: string, data: Uint8Array) => {
    const res = t.app.query({ path, data, height: 0n, prove: false });
    return [res.codespace, res.code];
  };
  const balance = (address: string, denom: string) => t.app.keepers.bank.getBalance(t.app.store.latest.reader, parseAccAddress(address), denom);
  const pool = (denom: string) => query(Q.Pool, QueryPoolRequest.encode({ denom }).finish(), QueryPoolResponse.decode).pool!;
  const reserves = (denom: string) => {
    const p = pool(denom);
    return { qsc: BigInt(p.reserveQsc), qos: BigInt(p.reserveQos), shares: BigInt(p.shares) };
  };
  const m = {
    create: (creator: string, denom: string, amountQsc: string, amountQos: string) => ({ typeUrl: Urls.MsgCreatePool, value: MsgCreatePool.fromPartial({ creator, denom, amountQsc, amountQos }) }),
    add: (sender: string, denom: string, maxQsc: string, maxQos: string, minShares = "") => ({ typeUrl: Urls.MsgAddLiquidity, value: MsgAddLiquidity.fromPartial({ sender, denom, maxQsc, maxQos, minShares }) }),
    remove: (sender: string, denom: string, shares: string, minQsc = "", minQos = "") => ({ typeUrl: Urls.MsgRemoveLiquidity, value: MsgRemoveLiquidity.fromPartial({ sender, denom, shares, minQsc, minQos }) }),
    swapIn: (sender: string, route: string[], amountIn: string, minAmountOut = "0") => ({ typeUrl: Urls.MsgSwap, value: MsgSwap.fromPartial({ sender, route, amountIn, minAmountOut }) }),
    swapOut: (sender: string, route: string[], amountOut: string, maxAmountIn: string) => ({ typeUrl: Urls.MsgSwap, value: MsgSwap.fromPartial({ sender, route, amountOut, maxAmountIn }) }),
  };
  const swapResponse = (data: Uint8Array) => MsgSwapResponse.decode(TxMsgData.decode(data).msgResponses[0].value);
  const events = (result: { events: Array<{ type: string; attributes: Array<{ key: string; value: string }> }> }, type: string) =>
    result.events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.filter((a) => a.key !== "msg_index").map((a) => [a.key, a.value])));
  /** what no refused message may change: the exchange's state and every balance but the fee payers' uqos */
  const snapshot = () => {
    const s = t.app.exportAppState() as { exchange: unknown; bank: { balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }>; supply: unknown } };
    const module = toAccAddress(exchangeAccount);
    const balances = s.bank.balances
      .map((b) => [b.address, b.coins.filter((c) => c.denom !== "uqos" || b.address === module)] as const)
      .filter(([, coins]) => coins.length > 0);
    return JSON.stringify([s.exchange, balances]);
  };

  before(async () => {
    [alice, bob, carol, banker] = await Promise.all(["ex-alice", "ex-bob", "ex-carol", "ex-banker"].map(testAccount));
    [alice, bob, carol, banker].forEach((a, i) => numbers.set(a.address, i));
    const rich = (address: string) => ({ address, coins: [{ denom: "MOON", amount: "100000000000" }, { denom: "NOPOOL", amount: "1000000" }, { denom: "STAR", amount: "100000000000" }, { denom: "uqos", amount: "1000000000000" }] });
    t = await createTestApp(
      {
        auth: { accounts: [alice, bob, carol, banker].map((a) => ({ address: a.address })) },
        bank: { balances: [rich(alice.address), rich(bob.address), rich(carol.address), { address: banker.address, coins: [{ denom: "uqos", amount: "100000000" }] }] },
        qsc: { tokens: ["MOON", "NOPOOL", "STAR"].map((name) => ({ name, symbol: name, banker: banker.address })) },
        exchange: { params: { swap_fee_bps: 30, max_price_impact_bps: 10_000, twap_window_secs: 600 } },
      },
      { chainId },
    );
    await t.block([]);
  });
  after(() => t.destroy());

  test("create pools: shares = ⌊√(x·y)⌋ with 1000 locked in the module account; events and price", async () => {
    const res = await run(alice, m.create(alice.address, "STAR", "1000000", "4000000"));
    assert.equal(res.code, 0, res.log);
    // √(1e6 · 4e6) = 2e6 exactly
    assert.equal(balance(alice.address, "pool/STAR"), 2_000_000n - 1000n);
    assert.equal(balance(toAccAddress(exchangeAccount), "pool/STAR"), 1000n);
    assert.deepEqual(events(res, "exchange_create_pool"), [{ pool: "STAR", creator: alice.address, amount_qsc: "1000000", amount_qos: "4000000", shares: "1999000", price_after: "4.000000000000000000" }]);
    const res2 = await run(alice, m.create(alice.address, "MOON", "2000000", "1000000"));
    assert.equal(res2.code, 0, res2.log);
    // ⌊√(2e12)⌋ = 1414213 (1414213² = 1999998409369 ≤ 2e12 < 1414214²)
    assert.ok(1414213n * 1414213n <= 2_000_000_000_000n && 1414214n * 1414214n > 2_000_000_000_000n);
    assert.equal(reserves("MOON").shares, 1_414_213n);
    assert.equal(pool("MOON").lastPrice, (E18 / 2n).toString());
    const again = await run(bob, m.create(bob.address, "STAR", "10", "10"));
    assert.deepEqual([again.codespace, again.code], ["exchange", ExchangeErrors.poolExists.code]);
  });

  test("worked examples: QSC→QOS, QOS→QSC and X→QOS→Y exact input; reserves, balances, events exact", async () => {
    // STAR → uqos, 10,000 in
    let r = reserves("STAR");
    let before = { star: balance(bob.address, "STAR"), qos: balance(bob.address, "uqos") };
    let res = await run(bob, m.swapIn(bob.address, ["STAR", "uqos"], "10000", "1"));
    assert.equal(res.code, 0, res.log);
    const out1 = expectOut(10_000n, r.qsc, r.qos);
    assert.equal(out1, 39_486n); // ⌊10000·0.997·4e6 / (1e6 + 9970)⌋ = ⌊39486.3…⌋
    assert.deepEqual(swapResponse(res.data), { amountIn: "10000", amountOut: "39486" });
    assert.equal(balance(bob.address, "STAR"), before.star - 10_000n);
    assert.equal(balance(bob.address, "uqos"), before.qos + out1 - 20_000n); // fee 20000uqos
    assert.deepEqual(reserves("STAR"), { qsc: r.qsc + 10_000n, qos: r.qos - out1, shares: r.shares });
    assert.deepEqual(events(res, "exchange_swap"), [{
      pool: "STAR", sender: bob.address, denom_in: "STAR", amount_in: "10000", denom_out: "uqos", amount_out: "39486",
      price_after: formatDec(((r.qos - out1) * E18) / (r.qsc + 10_000n)),
    }]);

    // uqos → STAR, 100,000 in
    r = reserves("STAR");
    before = { star: balance(bob.address, "STAR"), qos: balance(bob.address, "uqos") };
    res = await run(bob, m.swapIn(bob.address, ["uqos", "STAR"], "100000"));
    assert.equal(res.code, 0, res.log);
    const out2 = expectOut(100_000n, r.qos, r.qsc);
    assert.ok(satisfiesK(100_000n, out2, r.qos, r.qsc) && !satisfiesK(100_000n, out2 + 1n, r.qos, r.qsc));
    assert.equal(balance(bob.address, "STAR"), before.star + out2);
    assert.equal(balance(bob.address, "uqos"), before.qos - 100_000n - 20_000n);
    assert.deepEqual(reserves("STAR"), { qsc: r.qsc - out2, qos: r.qos + 100_000n, shares: r.shares });

    // STAR → uqos → MOON in one message: the uqos of the first hop is the input of the second
    const rs = reserves("STAR");
    const rm = reserves("MOON");
    before = { star: balance(bob.address, "STAR"), qos: balance(bob.address, "uqos") };
    const moonBefore = balance(bob.address, "MOON");
    const qosMid = expectOut(50_000n, rs.qsc, rs.qos);
    const moonOut = expectOut(qosMid, rm.qos, rm.qsc);
    const quote = query(Q.Quote, QueryQuoteRequest.encode(QueryQuoteRequest.fromPartial({ route: ["STAR", "uqos", "MOON"], amountIn: "50000" })).finish(), QueryQuoteResponse.decode);
    assert.deepEqual(quote.hopAmountsOut, [qosMid.toString(), moonOut.toString()]);
    res = await run(bob, m.swapIn(bob.address, ["STAR", "uqos", "MOON"], "50000", moonOut.toString()));
    assert.equal(res.code, 0, res.log);
    assert.deepEqual(swapResponse(res.data), { amountIn: "50000", amountOut: moonOut.toString() });
    assert.equal(balance(bob.address, "STAR"), before.star - 50_000n);
    assert.equal(balance(bob.address, "MOON"), moonBefore + moonOut);
    assert.equal(balance(bob.address, "uqos"), before.qos - 20_000n, "the intermediate QOS never reaches the trader");
    assert.deepEqual(reserves("STAR"), { qsc: rs.qsc + 50_000n, qos: rs.qos - qosMid, shares: rs.shares });
    assert.deepEqual(reserves("MOON"), { qsc: rm.qsc - moonOut, qos: rm.qos + qosMid, shares: rm.shares });
    assert.deepEqual(events(res, "exchange_swap").map((e) => [e.pool, e.amount_in, e.amount_out]), [["STAR", "50000", qosMid.toString()], ["MOON", qosMid.toString(), moonOut.toString()]]);
  });

  test("worked examples, exact output: one hop and two hops; the input is the least that keeps x·y = k with the fee", async () => {
    let r = reserves("MOON");
    let res = await run(bob, m.swapOut(bob.address, ["uqos", "MOON"], "7777", "1000000"));
    assert.equal(res.code, 0, res.log);
    const in1 = expectIn(7777n, r.qos, r.qsc);
    assert.ok(satisfiesK(in1, 7777n, r.qos, r.qsc) && !satisfiesK(in1 - 1n, 7777n, r.qos, r.qsc));
    assert.deepEqual(swapResponse(res.data), { amountIn: in1.toString(), amountOut: "7777" });
    assert.deepEqual(reserves("MOON"), { qsc: r.qsc - 7777n, qos: r.qos + in1, shares: r.shares });

    // MOON → uqos → STAR, exactly 3,000 STAR: backwards, the uqos STAR's pool needs, then the MOON that buys it
    const rm = reserves("MOON");
    const rs = reserves("STAR");
    const qosNeeded = expectIn(3000n, rs.qos, rs.qsc);
    const moonIn = expectIn(qosNeeded, rm.qsc, rm.qos);
    const starBefore = balance(bob.address, "STAR");
    const moonBefore = balance(bob.address, "MOON");
    res = await run(bob, m.swapOut(bob.address, ["MOON", "uqos", "STAR"], "3000", moonIn.toString()));
    assert.equal(res.code, 0, res.log);
    assert.deepEqual(swapResponse(res.data), { amountIn: moonIn.toString(), amountOut: "3000" });
    assert.equal(balance(bob.address, "STAR"), starBefore + 3000n);
    assert.equal(balance(bob.address, "MOON"), moonBefore - moonIn);
    assert.deepEqual(reserves("MOON"), { qsc: rm.qsc + moonIn, qos: rm.qos - qosNeeded, shares: rm.shares });
    assert.deepEqual(reserves("STAR"), { qsc: rs.qsc - 3000n, qos: rs.qos + qosNeeded, shares: rs.shares });
    r = reserves("STAR");
    // a max_amount_in one below what it costs is refused (exchange 10) and moves nothing
    const cost = expectIn(1000n, r.qos, r.qsc);
    const snap = snapshot();
    res = await run(bob, m.swapOut(bob.address, ["uqos", "STAR"], "1000", (cost - 1n).toString()));
    assert.deepEqual([res.codespace, res.code], ["exchange", ExchangeErrors.inputAboveMaximum.code], res.log);
    assert.equal(snapshot(), snap);
  });

  test("liquidity: add at the pool's ratio (shares down, amounts up), remove proportionally (down), shares query", async () => {
    const r = reserves("STAR");
    const before = { star: balance(carol.address, "STAR"), qos: balance(carol.address, "uqos") };
    let res = await run(carol, m.add(carol.address, "STAR", "100000", "100000000"));
    assert.equal(res.code, 0, res.log);
    // the STAR side binds: shares = ⌊100000·S/R_qsc⌋; paid ⌈shares·R/S⌉ of each
    const shares = (100_000n * r.shares) / r.qsc;
    const paidQsc = (shares * r.qsc + r.shares - 1n) / r.shares;
    const paidQos = (shares * r.qos + r.shares - 1n) / r.shares;
    assert.ok(paidQsc <= 100_000n);
    assert.equal(balance(carol.address, "pool/STAR"), shares);
    assert.equal(balance(carol.address, "STAR"), before.star - paidQsc);
    assert.equal(balance(carol.address, "uqos"), before.qos - paidQos - 20_000n);
    assert.deepEqual(reserves("STAR"), { qsc: r.qsc + paidQsc, qos: r.qos + paidQos, shares: r.shares + shares });
    const worth = query(Q.Shares, QuerySharesRequest.encode({ address: carol.address, denom: "STAR" }).finish(), QuerySharesResponse.decode);
    const r2 = reserves("STAR");
    assert.deepEqual(worth, { shares: shares.toString(), amountQsc: ((shares * r2.qsc) / r2.shares).toString(), amountQos: ((shares * r2.qos) / r2.shares).toString() });
    assert.ok(BigInt(worth.amountQsc) <= paidQsc && BigInt(worth.amountQos) <= paidQos, "a deposit taken straight back is never worth more than was paid");

    // min_shares above what the deposit gives: exchange 14
    const snap = snapshot();
    res = await run(carol, m.add(carol.address, "STAR", "100000", "100000000", (shares + 1n).toString()));
    assert.deepEqual([res.codespace, res.code], ["exchange", ExchangeErrors.sharesBelowMinimum.code], res.log);
    assert.equal(snapshot(), snap);

    res = await run(carol, m.remove(carol.address, "STAR", shares.toString(), worth.amountQsc, worth.amountQos));
    assert.equal(res.code, 0, res.log);
    assert.equal(balance(carol.address, "pool/STAR"), 0n);
    assert.deepEqual(reserves("STAR"), { qsc: r2.qsc - BigInt(worth.amountQsc), qos: r2.qos - BigInt(worth.amountQos), shares: r2.shares - shares });
    assert.deepEqual(events(res, "exchange_remove_liquidity").map((e) => [e.pool, e.amount_qsc, e.amount_qos, e.shares]), [["STAR", worth.amountQsc, worth.amountQos, shares.toString()]]);
  });

  test("sandwich: a swap with a tight minimum fails after a front-run moved the price; the victim loses only the fee", async () => {
    const r = reserves("STAR");
    const quoted = expectOut(20_000n, r.qsc, r.qos);
    const victimStar = balance(bob.address, "STAR");
    const victimQos = balance(bob.address, "uqos");
    // the attacker's sell lands first in the same block
    const frontRun = await sign(carol, m.swapIn(carol.address, ["STAR", "uqos"], "200000"));
    const victim = await sign(bob, m.swapIn(bob.address, ["STAR", "uqos"], "20000", quoted.toString()));
    const { results } = await t.block([frontRun, victim]);
    assert.equal(results[0].code, 0, results[0].log);
    assert.deepEqual([results[1].codespace, results[1].code], ["exchange", ExchangeErrors.outputBelowMinimum.code], results[1].log);
    const afterFront = expectOut(20_000n, r.qsc + 200_000n, r.qos - expectOut(200_000n, r.qsc, r.qos));
    assert.match(results[1].log, new RegExp(`${afterFront}uqos out, at least ${quoted} asked`));
    assert.equal(balance(bob.address, "STAR"), victimStar);
    assert.equal(balance(bob.address, "uqos"), victimQos - 20_000n, "only the tx fee");
    assert.equal(reserves("STAR").qsc, r.qsc + 200_000n, "only the front-run moved the pool");
  });

  test("oracle: a one-block manipulation moves the average only by its time-weighted share; one inside a block not at all", async () => {
    // settle the price with an action, then let it hold
    const t0 = GenesisTime.seconds + 1000n;
    assert.equal((await run(bob, m.swapIn(bob.address, ["uqos", "STAR"], "1000"), t0)).code, 0);
    const p0 = BigInt(pool("STAR").lastPrice);
    // at t1 the attacker dumps STAR (price falls to p1); at t1 + 5 (the next block) it buys back
    const t1 = t0 + 100n;
    assert.equal((await run(carol, m.swapIn(carol.address, ["STAR", "uqos"], "300000"), t1)).code, 0);
    const p1 = BigInt(pool("STAR").lastPrice);
    assert.ok(p1 < (p0 * 8n) / 10n, "the dump moved the spot price by more than 20%");
    const t2 = t1 + 5n;
    const back = await run(carol, m.swapOut(carol.address, ["uqos", "STAR"], "300000", "100000000"), t2);
    assert.equal(back.code, 0, back.log);
    const p2 = BigInt(pool("STAR").lastPrice);
    const t3 = t2 + 95n;
    await t.block([], { timeSeconds: t3 });
    const average = (start: bigint, end: bigint) =>
      query(Q.AveragePrice, QueryAveragePriceRequest.encode({ denom: "STAR", startTime: start, endTime: end }).finish(), QueryAveragePriceResponse.decode).price;
    // [t0, t3]: p0 for 100 s, p1 for the 5 s between the two blocks, p2 for 95 s
    const expected = (p0 * 100n + p1 * 5n + p2 * 95n) / 200n;
    assert.equal(average(t0, t3), formatDec(expected));
    // the manipulation adds (p1 − p2)·5 to Σ price·seconds against a price that went straight to p2: its
    // weight in the average is 5 s of the period's 200
    const keeper = t.app.keepers.exchange;
    const state = keeper.requirePool(t.app.store.latest.reader, "STAR");
    const sum = keeper.cumulativeAt(t.app.store.latest.reader, state, t3) - keeper.cumulativeAt(t.app.store.latest.reader, state, t0);
    assert.equal(sum - (p0 * 100n + p2 * 100n), (p1 - p2) * 5n);
    // periods that start or end between observations
    assert.equal(average(t0 + 50n, t1 + 2n), formatDec((p0 * 50n + p1 * 2n) / 52n));
    assert.equal(average(t1 + 1n, t1 + 4n), formatDec(p1));
    // the keeper function the mining module will call, with the block time as `now`
    assert.equal(t.app.keepers.exchange.averagePrice(t.app.store.latest.reader, "STAR", t0, t3, t3), expected);

    // the same dump and buy-back inside one block: no block boundary passes with the dumped price
    const before = BigInt(pool("STAR").priceCumulative);
    const t4 = t3 + 10n;
    const dump = await sign(carol, m.swapIn(carol.address, ["STAR", "uqos"], "300000"));
    const buy = await sign(carol, m.swapOut(carol.address, ["uqos", "STAR"], "300000", "100000000"), 1n);
    const { results } = await t.block([dump, buy], { timeSeconds: t4 });
    assert.deepEqual(results.map((x) => x.code), [0, 0], results.map((x) => x.log).join("; "));
    const p4 = BigInt(pool("STAR").lastPrice);
    await t.block([], { timeSeconds: t4 + 20n });
    assert.equal(BigInt(pool("STAR").priceCumulative), before + p2 * (t4 - t2), "accumulated with the price that held since t2");
    assert.equal(average(t3, t4 + 20n), formatDec((p2 * 10n + p4 * 20n) / 30n), "the in-block dump's price never counts");
    assert.ok(p4 >= p2, "the round trip paid fees into the pool");

    // bad ranges: exchange 15
    for (const [start, end] of [[t3, t3], [t3 + 1n, t3], [GenesisTime.seconds, t3], [t3, t4 + 21n]]) {
      assert.deepEqual(queryCode(Q.AveragePrice, QueryAveragePriceRequest.encode({ denom: "STAR", startTime: start, endTime: end }).finish()), ["exchange", ExchangeErrors.invalidTimeRange.code]);
    }
    assert.deepEqual(queryCode(Q.AveragePrice, QueryAveragePriceRequest.encode({ denom: "NOPOOL", startTime: t3, endTime: t4 }).finish()), ["exchange", ExchangeErrors.poolNotFound.code]);
  });

  test("oracle retention: observations older than twap_window_secs are pruned (at most two per action); averages before them are refused", async () => {
    const keeper = t.app.keepers.exchange;
    const count = () => [...keeper.allObservations(t.app.store.latest.reader, "STAR")].length;
    const old = [...keeper.allObservations(t.app.store.latest.reader, "STAR")].map(([at]) => at);
    assert.ok(old.length > 0 && old.length <= 12, `${old.length} observations from the tests before: six actions can prune them all`);
    let time = BigInt(t.times.get(t.height)!) + 1000n;
    for (let i = 0; i < 6; i++) {
      time += 100n;
      assert.equal((await run(bob, m.swapIn(bob.address, ["uqos", "STAR"], "1000"), time)).code, 0);
    }
    // window 600 s, one action per 100 s: the six new observations stay, every older one went
    const times = [...keeper.allObservations(t.app.store.latest.reader, "STAR")].map(([at]) => at);
    assert.deepEqual(times, [1n, 2n, 3n, 4n, 5n, 6n].map((i) => time - 600n + i * 100n));
    assert.equal(count(), 6);
    const from = keeper.getPool(t.app.store.latest.reader, "STAR")!.twapFrom;
    assert.equal(from, old[old.length - 1], "prices are known from the newest pruned observation on");
    assert.deepEqual(queryCode(Q.AveragePrice, QueryAveragePriceRequest.encode({ denom: "STAR", startTime: from - 1n, endTime: time }).finish()), ["exchange", ExchangeErrors.invalidTimeRange.code]);
    assert.equal(queryCode(Q.AveragePrice, QueryAveragePriceRequest.encode({ denom: "STAR", startTime: from, endTime: time }).finish())[1], 0);
  });

  test("bad input: zero, overflow, unknown token, paused token, missing pool, bad route, too many shares, no liquidity, price impact — distinct codes, nothing moved", async () => {
    const over = (1n << 256n).toString();
    const cases: Array<[string, TestAccount, EncodeObject, string, number]> = [
      ["zero amount in", bob, m.swapIn(bob.address, ["STAR", "uqos"], "0"), "exchange", ExchangeErrors.invalidAmount.code],
      ["zero deposit", bob, m.add(bob.address, "STAR", "0", "100"), "exchange", ExchangeErrors.invalidAmount.code],
      ["overflow amount in", bob, m.swapIn(bob.address, ["STAR", "uqos"], over), "exchange", ExchangeErrors.amountOverflow.code],
      ["overflow pool creation", bob, m.create(bob.address, "NOPOOL", over, "1"), "exchange", ExchangeErrors.amountOverflow.code],
      ["both exact in and exact out", bob, { typeUrl: Urls.MsgSwap, value: MsgSwap.fromPartial({ sender: bob.address, route: ["STAR", "uqos"], amountIn: "5", amountOut: "5", maxAmountIn: "9" }) }, "exchange", ExchangeErrors.invalidAmount.code],
      ["unknown token", bob, m.swapIn(bob.address, ["NOSUCH", "uqos"], "100"), "exchange", ExchangeErrors.unknownToken.code],
      ["pool of uqos", bob, m.create(bob.address, "uqos", "100", "100"), "exchange", ExchangeErrors.unknownToken.code],
      ["route through a missing pool", bob, m.swapIn(bob.address, ["STAR", "uqos", "NOPOOL"], "100"), "exchange", ExchangeErrors.poolNotFound.code],
      ["remove from a missing pool", bob, m.remove(bob.address, "NOPOOL", "1"), "exchange", ExchangeErrors.poolNotFound.code],
      ["three hops", bob, m.swapIn(bob.address, ["STAR", "uqos", "MOON", "uqos"], "100"), "exchange", ExchangeErrors.invalidRoute.code],
      ["QSC to QSC without QOS", bob, m.swapIn(bob.address, ["STAR", "MOON"], "100"), "exchange", ExchangeErrors.invalidRoute.code],
      ["round trip X→QOS→X", bob, m.swapIn(bob.address, ["STAR", "uqos", "STAR"], "100"), "exchange", ExchangeErrors.invalidRoute.code],
      ["one denom", bob, m.swapIn(bob.address, ["STAR"], "100"), "exchange", ExchangeErrors.invalidRoute.code],
      ["more shares than held", bob, m.remove(bob.address, "STAR", "1"), "exchange", ExchangeErrors.insufficientShares.code],
      ["all of a reserve out", bob, m.swapOut(bob.address, ["uqos", "MOON"], reserves("MOON").qsc.toString(), over.slice(0, 70)), "exchange", ExchangeErrors.insufficientLiquidity.code],
      ["buys nothing", bob, m.swapIn(bob.address, ["MOON", "uqos"], "1"), "exchange", ExchangeErrors.insufficientLiquidity.code],
      ["pool below the locked minimum", bob, m.create(bob.address, "NOPOOL", "1000", "1000"), "exchange", ExchangeErrors.insufficientLiquidity.code],
      ["price impact over the limit", bob, m.swapIn(bob.address, ["STAR", "uqos"], (reserves("STAR").qsc * 2n).toString()), "exchange", ExchangeErrors.priceImpact.code],
      ["min out not met", bob, m.swapIn(bob.address, ["STAR", "uqos"], "1000", "1000000"), "exchange", ExchangeErrors.outputBelowMinimum.code],
      ["more than the balance", bob, m.swapIn(bob.address, ["STAR", "uqos"], "100000000001", "0"), "exchange", ExchangeErrors.priceImpact.code],
    ];
    for (const [name, signer, message, codespace, code] of cases) {
      const snap = snapshot();
      const res = await run(signer, message);
      assert.deepEqual([res.codespace, res.code], [codespace, code], `${name}: ${res.log}`);
      assert.equal(snapshot(), snap, `${name}: nothing moved`);
    }
    // a balance too small for an otherwise valid swap: bank's insufficient funds, nothing moved
    const snap = snapshot();
    const poor = await run(banker, m.swapIn(banker.address, ["STAR", "uqos"], "10"));
    assert.deepEqual([poor.codespace, poor.code], ["sdk", 5], poor.log);
    assert.equal(snapshot(), snap);

    // paused: every exchange action on the token is refused with exchange 5, nothing moves; unpause lifts it
    assert.equal((await run(banker, qscMsg.pause(banker.address, "STAR", true))).code, 0);
    const shares = balance(alice.address, "pool/STAR");
    const paused: Array<[TestAccount, EncodeObject]> = [
      [bob, m.swapIn(bob.address, ["STAR", "uqos"], "100")],
      [bob, m.swapIn(bob.address, ["MOON", "uqos", "STAR"], "100")],
      [bob, m.add(bob.address, "STAR", "100", "1000")],
      [alice, m.remove(alice.address, "STAR", (shares / 10n).toString())],
    ];
    for (const [signer, message] of paused) {
      const before = snapshot();
      const res = await run(signer, message);
      assert.deepEqual([res.codespace, res.code], ["exchange", ExchangeErrors.tokenPaused.code], res.log);
      assert.equal(snapshot(), before);
    }
    assert.equal((await run(banker, qscMsg.pause(banker.address, "STAR", false))).code, 0);
    assert.equal((await run(bob, m.swapIn(bob.address, ["STAR", "uqos"], "100"))).code, 0);
  });
});

