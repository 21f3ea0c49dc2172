// The cosmos.* message aliases (D13) against the qos messages they stand for: one scenario (delegate,
// withdraw, undelegate, redelegate, vote v1beta1 and v1) runs in two apps, one sending the qos messages and
// one the aliases. After every block both apps have the same app hash (the same state), and each alias tx
// used exactly the gas of its qos twin plus 10 per extra tx byte (the ante's size gas): the handler work is
// the same. Then the alias's SDK events, and what cannot map or is not signed by the delegator/voter.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { toBase64 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { MsgDelegate, MsgUndelegate, MsgBeginRedelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgWithdrawDelegatorReward } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { MsgVote as MsgVoteV1beta1 } from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { MsgVote as MsgVoteV1 } from "cosmjs-types/cosmos/gov/v1/tx";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import type { Event, ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { stakeMsg } from "../helpers/stake.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { consensusAddress, toValAddress } from "../../modules/stake/index.js";
import { parseAccAddress } from "../../app/address.js";
import * as govTx from "../../gen/qos/gov/v1/tx.js";
import * as sq from "../../gen/qos/stake/v1/query.js";
import { TypeUrl } from "../../gen/names.js";

registry.register(TypeUrl.qos.gov.v1.MsgSubmitProposal, govTx.MsgSubmitProposal as never);
registry.register(TypeUrl.qos.gov.v1.MsgVote, govTx.MsgVote as never);

const chainId = "qos-alias-1";
const QOS = 1_000_000n;
const Fee = 10_000n;
const consKey = (seed: string) => new Uint8Array(createHash("sha256").update(`cons-${seed}`).digest());
const level = {
  min_deposit: String(10n * QOS), min_initial_deposit_rate: "0.5", max_deposit_period_secs: 9, voting_period_secs: 30,
  quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.2",
};

const cosmos = {
  delegate: (delegatorAddress: string, validatorAddress: string, amount: { denom: string; amount: string } | undefined): EncodeObject => ({
    typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgDelegate, value: MsgDelegate.fromPartial({ delegatorAddress, validatorAddress, amount }),
  }),
  undelegate: (delegatorAddress: string, validatorAddress: string, amount: string): EncodeObject => ({
    typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgUndelegate, value: MsgUndelegate.fromPartial({ delegatorAddress, validatorAddress, amount: { denom: "uqos", amount } }),
  }),
  redelegate: (delegatorAddress: string, validatorSrcAddress: string, validatorDstAddress: string, amount: string): EncodeObject => ({
    typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgBeginRedelegate,
    value: MsgBeginRedelegate.fromPartial({ delegatorAddress, validatorSrcAddress, validatorDstAddress, amount: { denom: "uqos", amount } }),
  }),
  withdraw: (delegatorAddress: string, validatorAddress: string): EncodeObject => ({
    typeUrl: TypeUrl.cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward, value: MsgWithdrawDelegatorReward.fromPartial({ delegatorAddress, validatorAddress }),
  }),
  vote: (voter: string, proposalId: bigint, option: number): EncodeObject => ({
    typeUrl: TypeUrl.cosmos.gov.v1beta1.MsgVote, value: MsgVoteV1beta1.fromPartial({ voter, proposalId, option }),
  }),
  voteV1: (voter: string, proposalId: bigint, option: number, metadata = ""): EncodeObject => ({
    typeUrl: TypeUrl.cosmos.gov.v1.MsgVote, value: MsgVoteV1.fromPartial({ voter, proposalId, option, metadata }),
  }),
};
const qosVote = (voter: string, proposalId: bigint, option: number): EncodeObject => ({
  typeUrl: TypeUrl.qos.gov.v1.MsgVote, value: govTx.MsgVote.fromPartial({ voter, proposalId, option }),
});
const submitText = (proposer: string): EncodeObject => ({
  typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposal,
  value: govTx.MsgSubmitProposal.fromPartial({ proposer, content: { title: "t", description: "d", text: {} }, initialDeposit: String(10n * QOS) }),
});

/** an event's attributes without the msg_index the app appends */
const attrs = (e: Event) => Object.fromEntries(e.attributes.filter((a) => a.key !== "msg_index").map((a) => [a.key, a.value]));
const eventsOf = (r: ExecTxResult, type: string) => r.events.filter((e) => e.type === type).map(attrs);

describe("cosmos.* message aliases", () => {
  let alice: TestAccount, bob: TestAccount, carol: TestAccount, dave: TestAccount;
  let aliceVal: string, carolVal: string;
  const aliceCons = consKey("alias-alice");
  const carolCons = consKey("alias-carol");
  const numbers = new Map<string, number>();
  const apps: { qos?: TestApp; cosmos?: TestApp } = {};
  let timeSeconds = GenesisTime.seconds;

  const sequence = (t: TestApp, address: string) => {
    const res = t.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false });
    return BaseAccount.decode(QueryAccountResponse.decode(res.value).account!.value).sequence;
  };
  const sign = (t: TestApp, signer: TestAccount, msgs: EncodeObject[], as = signer) =>
    signTx(signer, msgs, { chainId, accountNumber: numbers.get(as.address)!, sequence: sequence(t, as.address), fee: { amount: [{ denom: "uqos", amount: String(Fee) }], gas: "600000" } });
  const blockOptions = () => ({ votes: [{ address: consensusAddress(aliceCons), signed: true }], proposer: consensusAddress(aliceCons), timeSeconds });

  /** One block in each app: the qos messages in one, their cosmos aliases in the other. Both succeed, the
   *  app hashes are equal and the alias tx used the qos tx's gas plus 10 per extra byte. */
  async function twin(signer: TestAccount, qosMsgs: EncodeObject[], cosmosMsgs: EncodeObject[]): Promise<ExecTxResult> {
    timeSeconds += 3n;
    const qosTx = await sign(apps.qos!, signer, qosMsgs);
    const cosmosTx = await sign(apps.cosmos!, signer, cosmosMsgs);
    const q = await apps.qos!.block([qosTx], blockOptions());
    const c = await apps.cosmos!.block([cosmosTx], blockOptions());
    assert.equal(q.results[0].code, 0, q.results[0].log);
    assert.equal(c.results[0].code, 0, c.results[0].log);
    assert.equal(c.results[0].gasUsed - q.results[0].gasUsed, 10n * BigInt(cosmosTx.length - qosTx.length), "same handler gas");
    assert.equal(Buffer.from(c.appHash).toString("hex"), Buffer.from(q.appHash).toString("hex"), "same state");
    return c.results[0];
  }
  /** one block with these txs in the cosmos app only */
  async function cosmosBlock(txs: Uint8Array[]) {
    timeSeconds += 3n;
    return (await apps.cosmos!.block(txs, blockOptions())).results;
  }

  before(async () => {
    [alice, bob, carol, dave] = await Promise.all(["a-alice", "a-bob", "a-carol", "a-dave"].map(testAccount));
    [alice, bob, carol, dave].forEach((a, i) => numbers.set(a.address, i));
    aliceVal = toValAddress(parseAccAddress(alice.address));
    carolVal = toValAddress(parseAccAddress(carol.address));
    const gentx = await signTx(alice, [stakeMsg.createValidator(alice.address, aliceCons, String(100n * QOS), "alice-node")], {
      chainId, accountNumber: 0, sequence: 0, fee: { amount: [], gas: "400000" },
    });
    const genesis = {
      auth: { accounts: [alice, bob, carol, dave].map((a) => ({ address: a.address })) },
      bank: { balances: [alice, bob, carol, dave].map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: String(1000n * QOS) }] })) },
      stake: { params: { max_validators: 21, voting_status_len: 10, voting_status_least: 7, survival_secs: 60, unbonding_secs: 30, slash_fraction_double_sign: "0.2", power_reduction: "1000000", min_self_bond: "1000000", max_commission_rate: "1.0" } },
      mint: { phases: [{ end_time: String(GenesisTime.seconds + 100_000n), total_amount: String(1000n * QOS) }] },
      gov: { params: { normal: level, important: level, critical: level } },
      genutil: { gen_txs: [toBase64(gentx)] },
    };
    apps.qos = await createTestApp(genesis, { chainId });
    apps.cosmos = await createTestApp(genesis, { chainId });
    timeSeconds += 3n;
    await apps.qos.block([], blockOptions());
    await apps.cosmos.block([], blockOptions());
    await twin(carol, [stakeMsg.createValidator(carol.address, carolCons, String(100n * QOS), "carol-node")], [stakeMsg.createValidator(carol.address, carolCons, String(100n * QOS), "carol-node")]);
  });
  after(async () => {
    await apps.qos?.destroy();
    await apps.cosmos?.destroy();
  });

  test("MsgDelegate: the same delegation, SDK delegate event, message.module staking", async () => {
    const r = await twin(bob, [stakeMsg.delegate(bob.address, aliceVal, String(50n * QOS))], [cosmos.delegate(bob.address, aliceVal, { denom: "uqos", amount: String(50n * QOS) })]);
    assert.deepEqual(eventsOf(r, "message"), [{ action: "/cosmos.staking.v1beta1.MsgDelegate", sender: bob.address, module: "staking" }]);
    assert.deepEqual(eventsOf(r, "delegate"), [{ validator: aliceVal, delegator: bob.address, amount: "50000000uqos" }]);
    const d = apps.cosmos!.app.query({ path: "/qos.stake.v1.Query/Delegation", data: sq.QueryDelegationRequest.encode({ delegator: bob.address, validator: aliceVal }).finish(), height: 0n, prove: false });
    assert.equal(sq.QueryDelegationResponse.decode(d.value).delegation!.amount, String(50n * QOS));
  });

  test("MsgWithdrawDelegatorReward: the same payout, SDK withdraw_rewards event with a coin amount", async () => {
    const r = await twin(bob, [stakeMsg.withdraw(bob.address, aliceVal)], [cosmos.withdraw(bob.address, aliceVal)]);
    const [withdrawn] = eventsOf(r, "withdraw_rewards");
    assert.deepEqual(Object.keys(withdrawn), ["amount", "validator", "delegator"]);
    assert.match(withdrawn.amount, /^[1-9]\d*uqos$/);
    assert.deepEqual({ ...withdrawn, amount: "" }, { amount: "", validator: aliceVal, delegator: bob.address });
    assert.deepEqual(eventsOf(r, "message")[0], { action: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", sender: bob.address, module: "distribution" });
  });

  test("MsgUndelegate: the same unbonding, SDK unbond event with an RFC 3339 completion time", async () => {
    const r = await twin(bob, [stakeMsg.unbond(bob.address, aliceVal, String(20n * QOS))], [cosmos.undelegate(bob.address, aliceVal, String(20n * QOS))]);
    const completion = new Date(Number(timeSeconds + 30n) * 1000).toISOString().replace(".000Z", "Z");
    assert.deepEqual(eventsOf(r, "unbond"), [{ validator: aliceVal, delegator: bob.address, amount: "20000000uqos", completion_time: completion }]);
  });

  test("MsgBeginRedelegate: the same move, SDK redelegate event", async () => {
    const r = await twin(bob, [stakeMsg.redelegate(bob.address, aliceVal, carolVal, String(10n * QOS))], [cosmos.redelegate(bob.address, aliceVal, carolVal, String(10n * QOS))]);
    assert.deepEqual(eventsOf(r, "redelegate"), [{ source_validator: aliceVal, destination_validator: carolVal, delegator: bob.address, amount: "10000000uqos" }]);
  });

  test("gov v1beta1 and v1 MsgVote: the same votes, SDK proposal_vote events", async () => {
    await twin(dave, [submitText(dave.address)], [submitText(dave.address)]);
    const r1 = await twin(bob, [qosVote(bob.address, 1n, 1)], [cosmos.vote(bob.address, 1n, 1)]);
    assert.deepEqual(eventsOf(r1, "proposal_vote"), [{ option: '[{"option":1,"weight":"1.000000000000000000"}]', proposal_id: "1", voter: bob.address }]);
    assert.deepEqual(eventsOf(r1, "message")[0], { action: "/cosmos.gov.v1beta1.MsgVote", sender: bob.address, module: "gov" });
    const r2 = await twin(carol, [qosVote(carol.address, 1n, 4)], [cosmos.voteV1(carol.address, 1n, 4)]);
    assert.deepEqual(eventsOf(r2, "proposal_vote"), [{ option: '[{"option":4,"weight":"1.000000000000000000"}]', proposal_id: "1", voter: carol.address }]);
  });

  test("what cannot map is refused with the module's code; the delegator or voter must sign", async () => {
    const bobAcc = bob.address;
    const cases: Array<[string, EncodeObject, string, number]> = [
      ["validator as an account address", cosmos.delegate(bobAcc, alice.address, { denom: "uqos", amount: "1" }), "stake", 20],
      ["another denom", cosmos.delegate(bobAcc, aliceVal, { denom: "uatom", amount: "1" }), "stake", 21],
      // CosmJS writes an absent Coin as an empty one (gogoproto's non-nullable field): no denom
      ["an empty coin", cosmos.delegate(bobAcc, aliceVal, undefined), "stake", 21],
      ["zero amount", cosmos.delegate(bobAcc, aliceVal, { denom: "uqos", amount: "0" }), "stake", 17],
      ["undelegate from an account address", cosmos.undelegate(bobAcc, alice.address, "1"), "stake", 20],
      ["redelegate to an account address", cosmos.redelegate(bobAcc, aliceVal, carol.address, "1"), "stake", 20],
      ["withdraw from an account address", cosmos.withdraw(bobAcc, alice.address), "distribution", 6],
      ["v1 vote with metadata", cosmos.voteV1(bobAcc, 1n, 1, "ipfs://x"), "gov", 13],
      ["vote option unspecified", cosmos.vote(bobAcc, 1n, 0), "gov", 7],
    ];
    for (const [name, msg, codespace, code] of cases) {
      const [r] = await cosmosBlock([await sign(apps.cosmos!, bob, [msg])]);
      assert.deepEqual([r.codespace, r.code], [codespace, code], `${name}: ${r.log}`);
    }
    // carol signs bob's delegation: the tx's signer is bob, and carol's key is not his
    const [forged] = await cosmosBlock([await sign(apps.cosmos!, carol, [cosmos.delegate(bobAcc, aliceVal, { denom: "uqos", amount: "1" })], bob)]);
    assert.deepEqual([forged.codespace, forged.code], ["sdk", 8], forged.log);
    assert.match(forged.log, /public key does not belong to/);
  });
});
