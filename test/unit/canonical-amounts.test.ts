// Amounts in one spelling (issue 14): an amount string in a message ("007", "+7", " 7", "7 ", "") is refused
// wherever a module reads one, with that module's invalid-amount code, so that one amount has one encoding
// and a signed message one meaning per string. Before, an inflation-change proposal took "007" (and the
// exchange took leading zeros in every amount); a commission rate took " 0.1" and "00.1".
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
import { ParamsSchema as GovParams } from "../../modules/gov/params.js";
import { ParamsSchema as MintParams } from "../../modules/mint/params.js";

for (const [url, type] of [
  [TypeUrl.qos.gov.v1.MsgSubmitProposal, govTx.MsgSubmitProposal], [TypeUrl.qos.exchange.v1.MsgCreatePool, exchangeTx.MsgCreatePool],
] as const) if (!registry.lookupType(url)) registry.register(url, type as never);

const chainId = "qos-amounts-1";
const QOS = 1_000_000n;
const NonCanonical = ["007", "+7", " 7", "7 ", "", "0x7", "7e0"];
const digits = (s: string) => `${JSON.stringify(s)} is not a non-negative integer of at most 78 digits`;

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
});
