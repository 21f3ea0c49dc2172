// Amounts in one spelling (issue 14): an amount string in a message ("007", "+7", " 7", "7 ", "") is refused
// wherever a module reads one, with that module's invalid-amount code, so that one amount has one encoding
// and a signed message one meaning per string. Before, an inflation-change proposal took "007" (and the
// exchange took leading zeros in every amount); a commission rate took " 0.1" and "00.1".
// Decimals likewise: a rate in a message is written the shortest way ("0.1", not "0.10",
// "0.100000000000000000", "00.1" or " 0.1"), else stake 9, mining 13 or params 4. Before, stake took trailing
// zeros and the SDK's 18-digit form, mining took every spelling parseDec reads, and so did a parameter change.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { toBech32 } from "@cosmjs/encoding";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { createTestApp, genesisWith, GenesisTime, type TestApp } from "../helpers/app.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { stakeMsg } from "../helpers/stake.js";
import { fuzzRouter, msgOutcome } from "../helpers/fuzz.js";
import { Method, TypeUrl } from "../../gen/names.js";
import * as govTx from "../../gen/qos/gov/v1/tx.js";
import * as exchangeTx from "../../gen/qos/exchange/v1/tx.js";
import * as qscTx from "../../gen/qos/qsc/v1/tx.js";
import * as stakeTx from "../../gen/qos/stake/v1/tx.js";
import * as miningTx from "../../gen/qos/mining/v1/tx.js";
import { canonicalDec, formatDec, isCanonicalDec, parseDec } from "../../app/decimal.js";
import fc from "fast-check";
import { ParamsSchema as GovParams } from "../../modules/gov/params.js";
import { ParamsSchema as MintParams } from "../../modules/mint/params.js";

for (const [url, type] of [
  [TypeUrl.qos.gov.v1.MsgSubmitProposal, govTx.MsgSubmitProposal], [TypeUrl.qos.exchange.v1.MsgCreatePool, exchangeTx.MsgCreatePool],
  [TypeUrl.qos.mining.v1.MsgSetRate, miningTx.MsgSetRate], [TypeUrl.qos.stake.v1.MsgEditValidator, stakeTx.MsgEditValidator],
] as const) if (!registry.lookupType(url)) registry.register(url, type as never);

const chainId = "qos-amounts-1";
const QOS = 1_000_000n;
const NonCanonical = ["007", "+7", " 7", "7 ", "", "0x7", "7e0"];
const digits = (s: string) => `${JSON.stringify(s)} is not a non-negative integer of at most 78 digits`;

/** spellings of 0.5 other than "0.5" that parseDec reads */
const OtherSpellings = ["0.50", "0.500000000000000000", "00.5", " 0.5", "0.5 "];

test("canonicalDec is the one spelling: it reads back to its value, and no other spelling of a value passes isCanonicalDec", () => {
  assert.deepEqual([0n, 1n, 10n ** 17n, 10n ** 18n, 25n * 10n ** 17n, 10n ** 19n].map(canonicalDec), ["0", "0.000000000000000001", "0.1", "1", "2.5", "10"]);
  for (const t of ["0.10", "1.0", "1.", ".1", "00.1", "-0.1", "+0.1", " 0.1", "0.1 ", "", "0.0", "-0", "0.1000000000000000000", "1e1"]) assert.equal(isCanonicalDec(t), false, t);
  fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.integer({ min: 0, max: 3 }), (value, extraZeros) => {
    const text = canonicalDec(value);
    assert.ok(isCanonicalDec(text), text);
    assert.equal(parseDec(text), value);
    // the SDK's form and trailing zeros are the same value, spelled another way
    const padded = formatDec(value) + "0".repeat(extraZeros);
    if (padded.length - padded.indexOf(".") - 1 <= 18) assert.equal(isCanonicalDec(padded), padded === text);
  }));
});

describe("amounts have one spelling", () => {
  let alice: TestAccount;
  let t: TestApp;
  let sequence = 0;

  before(async () => {
    alice = await testAccount("amounts-alice");
    const bootKey = new Uint8Array(createHash("sha256").update("amounts-boot").digest());
    t = await createTestApp(
      { ...genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: String(1000n * QOS) }] }]),
        mint: { phases: [{ end_time: String(GenesisTime.seconds + 100_000n), total_amount: String(1000n * QOS) }] } },
      { chainId, validators: [{ pubKey: bootKey, power: 10n }] },
    );
    await t.block([]);
  });
  after(() => t.destroy());

  const fee = { amount: [{ denom: "uqos", amount: "20000" }], gas: "800000" };
  const balance = () => BigInt(QueryBalanceResponse.decode(t.app.query({
    path: Method.cosmos.bank.v1beta1.Query.Balance, data: QueryBalanceRequest.encode({ address: alice.address, denom: "uqos" }).finish(), height: 0n, prove: false,
  }).value).balance!.amount);

  /** a signed tx of alice's: `expected` in CheckTx and in a block, and her balance (no fee) unchanged */
  async function refused(msg: { typeUrl: string; value: unknown }, expected: { code: number; codespace: string; log: string }) {
    const tx = await signTx(alice, [msg], { chainId, accountNumber: 0, sequence, fee });
    const before = balance();
    const r = t.app.checkTx({ tx, type: 0 });
    assert.deepEqual({ code: r.code, codespace: r.codespace, log: r.log }, expected);
    const { results } = await t.block([tx]);
    assert.deepEqual(results.map((x) => ({ code: x.code, codespace: x.codespace, log: x.log })), [expected]);
    assert.equal(balance(), before, "no fee, nothing moved");
  }

  test("an inflation-change proposal whose total_amount is \"007\" is refused with gov 10 in CheckTx and in a block", async () => {
    const url = TypeUrl.qos.gov.v1.MsgSubmitProposal;
    const msg = govTx.MsgSubmitProposal.fromPartial({
      proposer: alice.address, initialDeposit: String(20n * QOS),
      content: { title: "t", description: "d", inflationChange: { phases: [{ endTime: GenesisTime.seconds + 200_000n, totalAmount: "007" }] } },
    });
    await refused({ typeUrl: url, value: msg }, { code: 10, codespace: "gov", log: `message 0 (${url}): phases[0].total_amount ${digits("007")}: invalid coins: invalid amount` });
  });

  test("a pool whose amount_qsc has a leading zero is refused with exchange 2 in CheckTx and in a block", async () => {
    const url = TypeUrl.qos.exchange.v1.MsgCreatePool;
    const msg = exchangeTx.MsgCreatePool.fromPartial({ creator: alice.address, denom: "STAR", amountQsc: "0100", amountQos: "100" });
    await refused({ typeUrl: url, value: msg }, { code: 2, codespace: "exchange", log: `message 0 (${url}): amount_qsc "0100" is not a whole number without leading zeros: invalid amount` });
  });

  test("a commission rate with a space or a leading zero is refused with stake 9 in CheckTx and in a block", async () => {
    const url = TypeUrl.qos.stake.v1.MsgCreateValidator;
    for (const rate of [" 0.1", "0.1 ", "00.1", "+0.1", "-0.1", ".1"]) {
      const msg = stakeMsg.createValidator(alice.address, new Uint8Array(32).fill(9), String(10n * QOS), "v", rate);
      await refused(msg, { code: 9, codespace: "stake", log: `message 0 (${url}): commission_rate: ${JSON.stringify(rate)} is not a decimal without sign, spaces or leading zeros: invalid commission` });
    }
  });

  // Every other amount field, through the path every message takes (decodeMsg, signers, checkStateless).
  const outcome = (url: string, value: Uint8Array) => msgOutcome(fuzzRouter.msg(url), value);
  const a = toBech32("qosacc", new Uint8Array(20).fill(1));

  test("gov: a deposit, a pool spend and an initial deposit refuse every non-canonical spelling (gov 10)", () => {
    const G = TypeUrl.qos.gov.v1;
    for (const s of NonCanonical) {
      assert.equal(outcome(G.MsgDeposit, govTx.MsgDeposit.encode({ proposalId: 1n, depositor: a, amount: s }).finish()), `error gov/10: amount ${digits(s)}: invalid coins: invalid amount`);
      const spend = { title: "t", description: "d", communityPoolSpend: { recipient: a, amount: s } };
      assert.equal(outcome(G.MsgSubmitProposal, govTx.MsgSubmitProposal.encode(govTx.MsgSubmitProposal.fromPartial({ proposer: a, initialDeposit: "1", content: spend })).finish()), `error gov/10: amount ${digits(s)}: invalid coins: invalid amount`);
      if (s !== "") {
        const text = { title: "t", description: "d", text: {} };
        assert.equal(outcome(G.MsgSubmitProposal, govTx.MsgSubmitProposal.encode(govTx.MsgSubmitProposal.fromPartial({ proposer: a, initialDeposit: s, content: text })).finish()), `error gov/10: initial_deposit ${digits(s)}: invalid coins: invalid amount`);
      }
    }
  });

  test("exchange: every amount field of a swap refuses every non-canonical spelling (exchange 2)", () => {
    const url = TypeUrl.qos.exchange.v1.MsgSwap;
    for (const s of NonCanonical) {
      const swap = exchangeTx.MsgSwap.fromPartial({ sender: a, route: ["STAR", "uqos"], amountIn: s, minAmountOut: "1" });
      assert.equal(outcome(url, exchangeTx.MsgSwap.encode(swap).finish()), `error exchange/2: amount_in ${JSON.stringify(s)} is not a whole number without leading zeros: invalid amount`);
      const limit = exchangeTx.MsgSwap.fromPartial({ sender: a, route: ["STAR", "uqos"], amountIn: "5", minAmountOut: s });
      if (s !== "") assert.equal(outcome(url, exchangeTx.MsgSwap.encode(limit).finish()), `error exchange/2: min_amount_out ${JSON.stringify(s)} is not a whole number without leading zeros: invalid amount`);
    }
  });

  test("qsc and stake amounts refuse every non-canonical spelling (sdk 10, as before for other malformed amounts)", () => {
    for (const s of NonCanonical) {
      assert.equal(outcome(TypeUrl.qos.qsc.v1.MsgIssueQsc, qscTx.MsgIssueQsc.encode(qscTx.MsgIssueQsc.fromPartial({ name: "STAR", banker: a, amount: s })).finish()), `error sdk/10: amount ${digits(s)}: invalid coins`);
      const delegate = stakeTx.MsgDelegate.fromPartial({ delegator: a, validator: a, amount: s });
      assert.equal(outcome(TypeUrl.qos.stake.v1.MsgDelegate, stakeTx.MsgDelegate.encode(delegate).finish()), `error sdk/10: amount ${digits(s)}: invalid coins`);
    }
  });

  test("amount parameters (set by governance) refuse leading zeros: gov min_deposit, mint total_supply_cap", () => {
    const level = { min_deposit: "007", min_initial_deposit_rate: "0.1", max_deposit_period_secs: 10, voting_period_secs: 10, quorum: "0.3", threshold: "0.5", veto: "0.3", burn_rate: "0.5" };
    assert.equal(GovParams.safeParse({ normal: level, important: level, critical: level }).success, false);
    assert.equal(GovParams.safeParse({ normal: { ...level, min_deposit: "7" }, important: { ...level, min_deposit: "7" }, critical: { ...level, min_deposit: "7" } }).success, true);
    assert.equal(MintParams.safeParse({ total_supply_cap: "007" }).success, false);
    assert.equal(MintParams.safeParse({ total_supply_cap: "7" }).success, true);
  });

  test("a commission rate with trailing zeros, or in the SDK's 18-digit form, is refused with stake 9 in CheckTx and in a block", async () => {
    const url = TypeUrl.qos.stake.v1.MsgCreateValidator;
    for (const [rate, one] of [["0.10", "0.1"], ["0.100000000000000000", "0.1"], ["1.0", "1"], ["0.0", "0"]]) {
      const msg = stakeMsg.createValidator(alice.address, new Uint8Array(32).fill(9), String(10n * QOS), "v", rate);
      await refused(msg, { code: 9, codespace: "stake", log: `message 0 (${url}): commission_rate: ${JSON.stringify(rate)} is spelled ${JSON.stringify(one)} in a message (no sign, spaces, leading or trailing zeros): invalid commission` });
    }
    const edit = { typeUrl: TypeUrl.qos.stake.v1.MsgEditValidator, value: stakeTx.MsgEditValidator.fromPartial({ owner: alice.address, commissionRate: "0.20" }) };
    await refused(edit, { code: 9, codespace: "stake", log: `message 0 (${edit.typeUrl}): commission_rate: "0.20" is spelled "0.2" in a message (no sign, spaces, leading or trailing zeros): invalid commission` });
  });

  test("a banker's rate in another spelling is refused with mining 13 in CheckTx and in a block (before its token is looked at)", async () => {
    const url = TypeUrl.qos.mining.v1.MsgSetRate;
    for (const [rate, one] of [["2.50", "2.5"], ["2.500000000000000000", "2.5"], ["02.5", "2.5"], ["3.0", "3"]]) {
      const msg = { typeUrl: url, value: miningTx.MsgSetRate.fromPartial({ banker: alice.address, denom: "STAR", rate }) };
      await refused(msg, { code: 13, codespace: "mining", log: `message 0 (${url}): rate ${JSON.stringify(rate)} is spelled ${JSON.stringify(one)} in a message (no sign, spaces, leading or trailing zeros): invalid field` });
    }
  });

  test("a parameter change that spells a decimal another way is refused with params 4 in CheckTx and in a block; the same change in the one spelling passes CheckTx", async () => {
    const url = TypeUrl.qos.gov.v1.MsgSubmitProposal;
    const proposal = (changes: Array<{ module: string; key: string; value: string }>) => ({ typeUrl: url, value: govTx.MsgSubmitProposal.fromPartial({
      proposer: alice.address, initialDeposit: String(50n * QOS), content: { title: "t", description: "d", parameterChange: { changes } },
    }) });
    const why = "in a proposal (no sign, spaces, leading or trailing zeros): invalid parameter value";
    // the value a params query shows (the genesis default, in the SDK's form) is not the spelling a proposal takes
    await refused(proposal([{ module: "distribution", key: "proposer_reward_rate", value: "0.040000000000000000" }]),
      { code: 4, codespace: "params", log: `message 0 (${url}): distribution.proposer_reward_rate "0.040000000000000000" is spelled "0.04" ${why}` });
    await refused(proposal([{ module: "mining", key: "max_rate_change", value: "\"0.20\"" }]),
      { code: 4, codespace: "params", log: `message 0 (${url}): mining.max_rate_change "0.20" is spelled "0.2" ${why}` });
    const level = { min_deposit: "10000000", min_initial_deposit_rate: "0.5", max_deposit_period_secs: 60, voting_period_secs: 60, quorum: "0.3340", threshold: "0.5", veto: "00.334", burn_rate: "0.2" };
    await refused(proposal([{ module: "gov", key: "normal", value: JSON.stringify(level) }]),
      { code: 4, codespace: "params", log: `message 0 (${url}): gov.normal.quorum "0.3340" is spelled "0.334"; gov.normal.veto "00.334" is spelled "0.334" ${why}` });

    const ok = await signTx(alice, [proposal([{ module: "distribution", key: "proposer_reward_rate", value: "0.04" }, { module: "gov", key: "normal", value: JSON.stringify({ ...level, quorum: "0.334", veto: "0.334" }) }])], { chainId, accountNumber: 0, sequence, fee });
    const r = t.app.checkTx({ tx: ok, type: 0 });
    assert.deepEqual({ code: r.code, log: r.code ? r.log : "" }, { code: 0, log: "" });
  });

  // Every decimal field of mining's scenario, through the path every message takes.
  const scenario = (v: Partial<miningTx.MsgCreateScenario>) => miningTx.MsgCreateScenario.encode(miningTx.MsgCreateScenario.fromPartial({
    banker: a, denom: "STAR", community: a, commissionRate: "0.01", minCommission: "0", holderShare: "0.8", periodSecs: 100n, initialRate: "2.5", ...v,
  })).finish();

  test("mining: every decimal of a scenario refuses every other spelling of its value (mining 13)", () => {
    const create = TypeUrl.qos.mining.v1.MsgCreateScenario;
    assert.match(outcome(create, scenario({})), /^ok /);
    for (const field of ["commissionRate", "holderShare", "initialRate", "teamUnlockRate"] as const) {
      const name = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      for (const s of OtherSpellings) {
        assert.equal(outcome(create, scenario({ [field]: s })), `error mining/13: ${name} ${JSON.stringify(s)} is spelled "0.5" in a message (no sign, spaces, leading or trailing zeros): invalid field`);
      }
      assert.match(outcome(create, scenario({ [field]: "0.5" })), /^ok /);
    }
  });

  test("mining: an optional team_unlock_rate or min_commission of \"\" and of \"0\" is one thing, zero (no unlock, no minimum)", () => {
    const parsed = (v: Partial<miningTx.MsgCreateScenario>) => fuzzRouter.msg(TypeUrl.qos.mining.v1.MsgCreateScenario).checkStateless(miningTx.MsgCreateScenario.decode(scenario(v)), { maxParties: 100, maxCoins: 16 }) as { teamUnlockRate: bigint; minCommission: bigint };
    for (const empty of ["", "0"]) {
      const p = parsed({ teamUnlockRate: empty, minCommission: empty });
      assert.deepEqual([p.teamUnlockRate, p.minCommission], [0n, 0n]);
    }
  });
});
