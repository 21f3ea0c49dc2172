// Dual-layer mining (issue 19) through the app: a worked example over two periods whose expected amounts
// are computed here from the rules (docs/mining.md), not by the module's code — a pool price move
// mid-period, a holder who sells mid-period, rounding down with the dust to the community account —
// and bad input refused with distinct codes, nothing moved. The app checks every module's invariants
// (mining's included) after every block.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { moduleAddress } from "../../app/address.js";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { msg as qscMsg, qscRegistryTypes } from "../helpers/qsc.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { MsgCreatePool, MsgSwap } from "../../gen/qos/exchange/v1/tx.js";
import { MsgClaim, MsgClaimResponse, MsgCreateScenario, MsgPay, MsgPayResponse, MsgSetRate } from "../../gen/qos/mining/v1/tx.js";
import { QueryPendingRequest, QueryPendingResponse, QueryPeriodsRequest, QueryPeriodsResponse, QueryScenarioRequest, QueryScenarioResponse } from "../../gen/qos/mining/v1/query.js";
import { QueryPoolRequest, QueryPoolResponse } from "../../gen/qos/exchange/v1/query.js";
import { MiningErrors } from "../../modules/mining/index.js";

const Urls = TypeUrl.qos.mining.v1;
const Q = Method.qos.mining.v1.Query;
for (const [url, type] of [[Urls.MsgCreateScenario, MsgCreateScenario], [Urls.MsgPay, MsgPay], [Urls.MsgSetRate, MsgSetRate], [Urls.MsgClaim, MsgClaim], [TypeUrl.qos.exchange.v1.MsgSwap, MsgSwap], [TypeUrl.qos.exchange.v1.MsgCreatePool, MsgCreatePool], ...qscRegistryTypes] as const) {
  registry.register(url, type as never);
}

const chainId = "qos-mining-1";
const E18 = 10n ** 18n;
const G = GenesisTime.seconds;
const miningAccount = toAccAddress(moduleAddress("mining"));
const exchangeAccount = toAccAddress(moduleAddress("exchange"));

describe("mining", () => {
  let banker: TestAccount, h1: TestAccount, h2: TestAccount, p1: TestAccount, p2: TestAccount, shop: TestAccount, bob: TestAccount, lp: TestAccount;
  let community: TestAccount, team: TestAccount;
  let t: TestApp;
  const numbers = new Map<string, number>();

  const sequence = (address: string) =>
    BaseAccount.decode(QueryAccountResponse.decode(t.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false }).value).account!.value).sequence;
  async function run(signer: TestAccount, m: EncodeObject, timeSeconds: bigint) {
    const tx = await signTx(signer, [m], { chainId, accountNumber: numbers.get(signer.address)!, sequence: sequence(signer.address), fee: { amount: [{ denom: "uqos", amount: "20000" }], gas: "800000" } });
    const { results, events } = await t.block([tx], { timeSeconds });
    return { ...results[0], blockEvents: events };
  }
  const query = <T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => {
    const res = t.app.query({ path, data, height: 0n, prove: false });
    assert.equal(res.code, 0, res.log);
    return decode(res.value);
  };
  const balance = (address: string, denom: string) => t.app.keepers.bank.getBalance(t.app.store.latest.reader, parseAccAddress(address), denom);
  const pending = (address: string, denom = "STAR") => {
    const r = query(Q.Pending, QueryPendingRequest.encode({ denom, address }).finish(), QueryPendingResponse.decode);
    return { dividends: BigInt(r.dividends), rewards: BigInt(r.rewards), least: BigInt(r.leastBalance), credit: BigInt(r.credit) };
  };
  const scenario = (denom = "STAR") => query(Q.Scenario, QueryScenarioRequest.encode({ denom }).finish(), QueryScenarioResponse.decode).scenario!;
  const periods = (denom = "STAR") => query(Q.Periods, QueryPeriodsRequest.encode({ denom, pagination: undefined }).finish(), QueryPeriodsResponse.decode).periods;
  const poolPrice = () => BigInt(query(Method.qos.exchange.v1.Query.Pool, QueryPoolRequest.encode({ denom: "STAR" }).finish(), QueryPoolResponse.decode).pool!.lastPrice);
  const attrs = (list: Array<{ type: string; attributes: Array<{ key: string; value: string }> }>, type: string) =>
    list.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.filter((a) => a.key !== "msg_index").map((a) => [a.key, a.value])));
  const m = {
    create: (v: Partial<MsgCreateScenario>) => ({
      typeUrl: Urls.MsgCreateScenario,
      value: MsgCreateScenario.fromPartial({
        banker: banker.address, denom: "STAR", community: community.address, commissionRate: "0.01", minCommission: "1000", holderShare: "0.8",
        periodSecs: 100n, initialRate: "2.5", team: team.address, teamReserve: "50000", teamUnlockRate: "0.1", teamUnlockCap: "3000", ...v,
      }),
    }),
    pay: (payer: string, payee: string, amount: string, denom = "STAR", memo = "order") => ({ typeUrl: Urls.MsgPay, value: MsgPay.fromPartial({ payer, payee, denom, amount, memo }) }),
    setRate: (rate: string, denom = "STAR", who = banker.address) => ({ typeUrl: Urls.MsgSetRate, value: MsgSetRate.fromPartial({ banker: who, denom, rate }) }),
    claim: (claimer: string, denom = "STAR") => ({ typeUrl: Urls.MsgClaim, value: MsgClaim.fromPartial({ claimer, denom }) }),
  };
  const payCommission = (data: Uint8Array) => BigInt(MsgPayResponse.decode(TxMsgData.decode(data).msgResponses[0].value).commission);

  before(async () => {
    [banker, h1, h2, p1, p2, shop, bob, lp, community, team] = await Promise.all(
      ["mi-banker", "mi-h1", "mi-h2", "mi-p1", "mi-p2", "mi-shop", "mi-bob", "mi-lp", "mi-community", "mi-team"].map(testAccount),
    );
    const all = [banker, h1, h2, p1, p2, shop, bob, lp, community, team];
    all.forEach((a, i) => numbers.set(a.address, i));
    const coins = (star: string, other = "0") => [
      ...(other === "0" ? [] : [{ denom: "NOPOOL", amount: other }]), ...(star === "0" ? [] : [{ denom: "STAR", amount: star }]), { denom: "uqos", amount: "1000000000" },
    ];
    t = await createTestApp(
      {
        auth: { accounts: all.map((a) => ({ address: a.address })) },
        bank: {
          balances: [
            { address: banker.address, coins: coins("200000", "1000000") }, { address: h1.address, coins: coins("1000000") }, { address: h2.address, coins: coins("3000000") },
            { address: p1.address, coins: coins("500000", "100000") }, { address: p2.address, coins: coins("300000") }, { address: shop.address, coins: coins("0") },
            { address: bob.address, coins: coins("0") }, { address: lp.address, coins: coins("2000000") }, { address: community.address, coins: coins("0") },
            { address: team.address, coins: coins("0") },
          ],
        },
        qsc: { tokens: ["FRESH", "NOPOOL", "PAUSED", "STAR"].map((name) => ({ name, symbol: name, banker: banker.address, paused: name === "PAUSED" })) },
        mining: { params: { max_commission_rate: "0.05", min_holder_share: "0.5", min_period_secs: 10, max_period_secs: 86400, rate_interval_blocks: 2, max_rate_change: "0.1", max_team_unlock_rate: "1" } },
      },
      { chainId },
    );
    await t.block([], { timeSeconds: G + 1n });
  });
  after(() => t.destroy());

  test("worked example: two periods, a pool price move mid-period, a holder selling mid-period, dividends and rewards exact", async () => {
    // the pool (1,000,000 STAR : 2,000,000 uqos, price 2) exists before the scenario and covers both periods
    const pool = await run(lp, { typeUrl: TypeUrl.qos.exchange.v1.MsgCreatePool, value: MsgCreatePool.fromPartial({ creator: lp.address, denom: "STAR", amountQsc: "1000000", amountQos: "2000000" }) }, G + 2n);
    assert.equal(pool.code, 0, pool.log);
    const start = G + 10n;
    const created = await run(banker, m.create({}), start);
    assert.equal(created.code, 0, created.log);
    assert.deepEqual(attrs(created.events, "mining_create_scenario"), [{ denom: "STAR", banker: banker.address, community: community.address, period_end: String(start + 100n), team_reserve: "50000" }]);
    // the reserve is locked in the module account; everything outside module accounts earns
    assert.equal(balance(miningAccount, "STAR"), 50_000n);
    const supply = 200_000n + 1_000_000n + 3_000_000n + 500_000n + 300_000n + 2_000_000n;
    let eligible = supply - 1_000_000n /* the pool's reserve */ - 50_000n /* the reserve */;
    assert.equal(BigInt(scenario().eligibleSupply), eligible);

    // period 0: [start, start+100). The reference price is the initial rate 2.5 uqos per STAR.
    // P1 pays the shop 100,000: value 250,000 uqos, commission 1% = 2,500
    const pay1 = await run(p1, m.pay(p1.address, shop.address, "100000"), start + 10n);
    assert.equal(pay1.code, 0, pay1.log);
    assert.equal(payCommission(pay1.data), 2_500n);
    assert.deepEqual(attrs(pay1.events, "mining_pay"), [{ denom: "STAR", payer: p1.address, payee: shop.address, amount: "100000", commission: "2500", memo: "order" }]);
    // the pool's price moves at start+40: the LP buys STAR with 500,000 uqos
    const priceBefore = poolPrice();
    assert.equal(priceBefore, 2n * E18);
    const lpBefore = balance(lp.address, "STAR");
    const swap = await run(lp, { typeUrl: TypeUrl.qos.exchange.v1.MsgSwap, value: MsgSwap.fromPartial({ sender: lp.address, route: ["uqos", "STAR"], amountIn: "500000", minAmountOut: "1" }) }, start + 40n);
    assert.equal(swap.code, 0, swap.log);
    const priceAfter = poolPrice();
    const bought = balance(lp.address, "STAR") - lpBefore; // out of the pool's reserve (a module account): eligible from now on
    // H1 sells 400,000 mid-period (a plain send: it does not mine) to bob
    const sell = await run(h1, qscMsg.send(h1.address, bob.address, "400000", "STAR"), start + 50n);
    assert.equal(sell.code, 0, sell.log);
    // P2 pays the shop 30,000: 1% of 75,000 = 750, below the minimum: 1,000
    const pay2 = await run(p2, m.pay(p2.address, shop.address, "30000"), start + 60n);
    assert.equal(payCommission(pay2.data), 1_000n);
    assert.equal(balance(miningAccount, "uqos"), 3_500n);
    assert.equal(pending(h1.address).least, 600_000n);
    assert.equal(pending(bob.address).least, 0n);
    assert.equal(pending(shop.address).credit, 3_500n);

    // settlement of period 0 in the first block at or after start+100; in that block P1 pays again (period 1)
    const twap0 = (priceBefore * 40n + priceAfter * 60n) / 100n; // the pool's price held 2 for 40 s, then priceAfter for 60 s
    const least0 = eligible - 100_000n /* P1 paid */ - 400_000n /* H1 sold */ - 30_000n /* P2 paid */; // the LP's STAR grew: its least did not
    const holderPool0 = (3_500n * 8n) / 10n; // 2,800
    const perToken0 = (holderPool0 * E18) / least0;
    const holders0 = (perToken0 * least0 + E18 - 1n) / E18; // kept for the holders: rounded up (docs/mining.md)
    const community0 = 3_500n - holders0; // 700 and the dust
    const value3 = (20_000n * twap0) / E18;
    const commission3 = (value3 / 100n > 1000n ? value3 / 100n : 1000n);
    const settle = await run(p1, m.pay(p1.address, shop.address, "20000"), start + 100n);
    assert.equal(settle.code, 0, settle.log);
    assert.equal(payCommission(settle.data), commission3);
    assert.deepEqual(attrs(settle.blockEvents, "mining_settle"), [{
      denom: "STAR", period: "0", commission: "3500", holders: String(holders0), community: String(community0), price: String(twap0), price_source: "pool", team_unlocked: "3000",
    }]);
    assert.equal(balance(community.address, "uqos"), 1_000_000_000n + community0);
    // team: 10% of 130,000 paid = 13,000, capped at 3,000
    assert.equal(balance(team.address, "STAR"), 3_000n);
    eligible += bought + 3_000n;
    // rewards of period 0: credit ÷ (2 · price): P1 2,500, the shop 3,500, P2 1,000
    const reward = (credit: bigint, price: bigint) => (credit * E18) / (2n * price);
    assert.equal(pending(p1.address).rewards, reward(2_500n, twap0));
    assert.equal(pending(shop.address).rewards, reward(3_500n, twap0));
    assert.equal(pending(p2.address).rewards, reward(1_000n, twap0));
    // dividends of period 0 on the least balance held through it
    const div = (least: bigint, perToken: bigint) => (least * perToken) / E18;
    assert.equal(pending(h1.address).dividends, div(600_000n, perToken0));
    assert.equal(pending(h2.address).dividends, div(3_000_000n, perToken0));
    assert.equal(pending(bob.address).dividends, 0n);
    assert.equal(pending(p1.address).dividends, div(400_000n, perToken0));
    assert.equal(pending(shop.address).dividends, 0n);

    // period 1: [start+100, start+200). H2 sells 1,000,000 to H1 at start+150 (H1's least stays 600,000)
    const h2sell = await run(h2, qscMsg.send(h2.address, h1.address, "1000000", "STAR"), start + 150n);
    assert.equal(h2sell.code, 0, h2sell.log);
    // H1 claims period 0 mid-period 1: its dividends paid, its least unchanged
    const h1Before = balance(h1.address, "uqos");
    const claimH1 = await run(h1, m.claim(h1.address), start + 160n);
    assert.equal(claimH1.code, 0, claimH1.log);
    assert.deepEqual(MsgClaimResponse.decode(TxMsgData.decode(claimH1.data).msgResponses[0].value), { dividends: String(div(600_000n, perToken0)), rewards: "0" });
    assert.equal(balance(h1.address, "uqos"), h1Before - 20_000n + div(600_000n, perToken0));

    // the price held at priceAfter through period 1; settlement at start+205 (a block later than the end)
    const eligible1 = eligible; // at the start of period 1 (P1's payment moved STAR between holders)
    // the team's 3,000 arrived in the settling block, after period 1 began: its least through period 1 is 0
    const least1 = eligible1 - 3_000n - 20_000n /* P1 paid */ - 1_000_000n /* H2 sold */;
    const holderPool1 = (commission3 * 8n) / 10n;
    const perToken1 = (holderPool1 * E18) / least1;
    const holders1 = (perToken1 * least1 + E18 - 1n) / E18;
    const end = await t.block([], { timeSeconds: start + 205n });
    assert.deepEqual(attrs(end.events, "mining_settle"), [{
      denom: "STAR", period: "1", commission: String(commission3), holders: String(holders1), community: String(commission3 - holders1), price: String(priceAfter),
      price_source: "pool", team_unlocked: "2000",
    }]);
    // the next period is the one containing start+205: [start+200, start+300)
    assert.equal(scenario().periodStart, start + 200n);
    assert.deepEqual(periods().map((p) => [p.index, p.dividendPerToken, p.cumulativeDividendPerToken]), [[0n, String(perToken0), String(perToken0)], [1n, String(perToken1), String(perToken0 + perToken1)]]);
    assert.equal(pending(h1.address).dividends, div(600_000n, perToken1));
    assert.equal(pending(h2.address).dividends, div(3_000_000n, perToken0) + div(2_000_000n, perToken1));
    assert.equal(pending(bob.address).dividends, div(400_000n, perToken1));
    assert.equal(pending(p1.address).rewards, reward(2_500n, twap0) + reward(commission3, priceAfter));
    assert.equal(pending(shop.address).rewards, reward(3_500n, twap0) + reward(commission3, priceAfter)); // payee in both periods
    assert.equal(pending(shop.address).credit, 0n);

    // the shop claims: rewards of both periods minted, dividends of period 1 on the 130,000 it held from its start
    const shopReward = reward(3_500n, twap0) + reward(commission3, priceAfter);
    const shopDividends = div(130_000n, perToken1);
    const supplyBefore = t.app.keepers.bank.getSupply(t.app.store.latest.reader, "STAR");
    const claimShop = await run(shop, m.claim(shop.address), start + 210n);
    assert.equal(claimShop.code, 0, claimShop.log);
    assert.deepEqual(attrs(claimShop.events, "mining_claim"), [{ denom: "STAR", claimer: shop.address, dividends: String(shopDividends), rewards: String(shopReward) }]);
    assert.equal(balance(shop.address, "STAR"), 150_000n + shopReward);
    assert.equal(t.app.keepers.bank.getSupply(t.app.store.latest.reader, "STAR"), supplyBefore + shopReward);
    assert.equal(BigInt(scenario().rewardsMinted), shopReward);
    // nothing left: a second claim is refused
    const again = await run(shop, m.claim(shop.address), start + 211n);
    assert.deepEqual([again.codespace, again.code], ["mining", MiningErrors.nothingToClaim.code]);
  });

  test("a token without a pool: the banker's rate averaged over time prices the period; rate changes bounded and spaced", async () => {
    const start = G + 1000n;
    const created = await run(banker, m.create({ denom: "NOPOOL", initialRate: "1", team: "", teamReserve: "0", teamUnlockRate: "0", teamUnlockCap: "0", periodSecs: 100n }), start);
    assert.equal(created.code, 0, created.log);
    // one block after creation: too soon (rate_interval_blocks 2)
    const soon = await run(banker, m.setRate("1.05", "NOPOOL"), start + 1n);
    assert.deepEqual([soon.codespace, soon.code], ["mining", MiningErrors.rateTooSoon.code]);
    const pay = await run(p1, m.pay(p1.address, bob.address, "100000", "NOPOOL"), start + 5n);
    assert.equal(pay.code, 0, pay.log);
    assert.equal(payCommission(pay.data), 1_000n); // 1% of 100,000 uqos
    const far = await run(banker, m.setRate("1.2", "NOPOOL"), start + 20n);
    assert.deepEqual([far.codespace, far.code], ["mining", MiningErrors.rateChangeTooLarge.code]);
    const notBanker = await run(p1, m.setRate("1.1", "NOPOOL", p1.address), start + 30n);
    assert.deepEqual([notBanker.codespace, notBanker.code], ["mining", MiningErrors.notBanker.code]);
    const ok = await run(banker, m.setRate("1.1", "NOPOOL"), start + 40n);
    assert.equal(ok.code, 0, ok.log);
    // rate 1 for 40 s, 1.1 for 60 s: average 1.06
    const settle = await t.block([], { timeSeconds: start + 100n });
    const ev = attrs(settle.events, "mining_settle");
    assert.equal(ev.length, 1);
    assert.equal(ev[0].price, String((E18 * 40n + (11n * E18) / 10n * 60n) / 100n));
    assert.equal(ev[0].price_source, "banker");
    assert.equal(pending(p1.address, "NOPOOL").rewards, (1_000n * E18) / (2n * 1_060_000_000_000_000_000n)); // 471
    assert.equal(pending(bob.address, "NOPOOL").rewards, 471n);
  });

  test("bad input: distinct codes, nothing moved", async () => {
    const snapshot = () => {
      const s = t.app.exportAppState() as { mining: unknown; bank: { balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }> } };
      // every balance but the fee payers' uqos
      const kept = s.bank.balances.map((b) => [b.address, b.coins.filter((c) => c.denom !== "uqos" || b.address === miningAccount || b.address === community.address)] as const);
      return JSON.stringify([s.mining, kept.filter(([, coins]) => coins.length > 0)]);
    };
    // settle what is due first, then stay inside one period of both scenarios ([G+2010, G+2100))
    let time = G + 2010n;
    await t.block([], { timeSeconds: time });
    const refused = async (signer: TestAccount, message: EncodeObject, code: number, codespace = "mining") => {
      const before = snapshot();
      const res = await run(signer, message, (time += 1n));
      assert.deepEqual([res.codespace, res.code], [codespace, code], res.log);
      assert.equal(snapshot(), before, `nothing moved (${res.log})`);
    };
    await refused(p1, m.create({ banker: p1.address, denom: "FRESH" }), MiningErrors.notBanker.code);
    await refused(p1, m.create({ banker: p1.address, denom: "PAUSED" }), MiningErrors.tokenPaused.code);
    await refused(p1, m.create({ banker: p1.address, denom: "GHOST" }), MiningErrors.unknownToken.code);
    await refused(banker, m.create({ denom: "STAR" }), MiningErrors.scenarioExists.code);
    await refused(banker, m.create({ denom: "uqos" }), MiningErrors.unknownToken.code);
    await refused(banker, m.create({ denom: "PAUSED", commissionRate: "0.5" }), MiningErrors.tokenPaused.code);
    await refused(banker, m.create({ denom: "STAR", commissionRate: "1.5" }), MiningErrors.invalidField.code);
    await refused(banker, m.create({ denom: "STAR", teamReserve: "1".repeat(79) }), MiningErrors.amountOverflow.code);
    await refused(p1, m.pay(p1.address, shop.address, "1".repeat(79)), MiningErrors.amountOverflow.code);
    await refused(p1, m.pay(p1.address, shop.address, String(2n ** 256n)), MiningErrors.amountOverflow.code);
    await refused(p1, m.pay(p1.address, shop.address, "0"), MiningErrors.invalidAmount.code);
    // one spelling per amount (one hash per tx): "007" was paid as 7 before
    for (const spelling of ["007", "+7", " 7", ""]) await refused(p1, m.pay(p1.address, shop.address, spelling), MiningErrors.invalidAmount.code);
    await refused(banker, m.create({ denom: "STAR", teamReserve: "0100" }), MiningErrors.invalidAmount.code);
    // a team reserve that nothing could ever unlock (zero rate or cap, "" meaning zero) would lock the banker's QSC for good
    for (const v of [{ teamUnlockRate: "0" }, { teamUnlockCap: "0" }, { teamUnlockRate: "" }, { teamUnlockCap: "" }]) {
      await refused(banker, m.create({ denom: "FRESH", ...v }), MiningErrors.invalidField.code);
    }
    await refused(p1, m.pay(p1.address, p1.address, "10"), MiningErrors.invalidField.code);
    await refused(p1, m.pay(p1.address, shop.address, "10", "PAUSED"), MiningErrors.scenarioNotFound.code);
    await refused(p1, m.pay(p1.address, shop.address, "10", "STAR", "x".repeat(257)), MiningErrors.invalidField.code);
    await refused(p1, m.pay(p1.address, miningAccount, "10"), 12, "bank");
    await refused(p1, m.pay(p1.address, shop.address, "100000000"), 5, "sdk"); // more STAR than held
    // a frozen account does not mine
    const freeze = await run(banker, qscMsg.freeze(banker.address, "STAR", p2.address, "1"), (time += 1n));
    assert.equal(freeze.code, 0, freeze.log);
    await refused(p2, m.pay(p2.address, shop.address, "10"), MiningErrors.accountFrozen.code);
    await refused(p1, m.pay(p1.address, p2.address, "10"), MiningErrors.accountFrozen.code);
    // a paused token does not mine: payments, rate changes and claims refused
    const pause = await run(banker, qscMsg.pause(banker.address, "STAR", true), (time += 1n));
    assert.equal(pause.code, 0, pause.log);
    await refused(p1, m.pay(p1.address, shop.address, "10"), MiningErrors.tokenPaused.code);
    await refused(h2, m.claim(h2.address), MiningErrors.tokenPaused.code);
    await refused(banker, m.setRate("2.5"), MiningErrors.tokenPaused.code);
    const unpause = await run(banker, qscMsg.pause(banker.address, "STAR", false), (time += 1n));
    assert.equal(unpause.code, 0, unpause.log);
    await refused(bob, m.claim(bob.address, "GHOST"), MiningErrors.scenarioNotFound.code);
    await refused(banker, m.create({ denom: "NOPOOL" }), MiningErrors.scenarioExists.code);
  });

  test("bounds: a scenario outside the governance bounds is refused (mining 10)", async () => {
    let time = G + 3000n;
    for (const v of [{ commissionRate: "0.06" }, { holderShare: "0.4" }, { periodSecs: 9n }, { periodSecs: 86401n }, { teamUnlockRate: "1.5" }]) {
      const res = await run(banker, m.create({ denom: "FRESH", ...v }), (time += 1n));
      const expected = "teamUnlockRate" in v ? MiningErrors.invalidField.code : MiningErrors.outOfBounds.code;
      assert.deepEqual([res.codespace, res.code], ["mining", expected], res.log);
    }
    const notBanker = await run(p1, m.create({ banker: p1.address, denom: "FRESH" }), (time += 1n));
    assert.deepEqual([notBanker.codespace, notBanker.code], ["mining", MiningErrors.notBanker.code]);
    assert.equal(t.app.keepers.mining.getScenario(t.app.store.latest.reader, "FRESH"), undefined);
  });
});
