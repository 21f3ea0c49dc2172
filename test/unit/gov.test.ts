// Governance through the app's ABCI methods, with a gentx validator and delegators (like stake.test.ts):
// parameter changes (passing, failing, refused at submit), an inflation change and the mint of the
// following blocks, the tally with delegators overriding their validator (computed here from the stakes),
// quorum, veto, deposit refund/burn (each level with its own params), community pool spends, and a software upgrade that stops the chain at
// its height until the app is restarted with the upgrade marked done. Invariants are checked every block.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { toBase64 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { openApp } from "../../chain/index.js";
import { moduleAddress, parseAccAddress, toAccAddress } from "../../app/address.js";
import { parseDec } from "../../app/decimal.js";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { stakeMsg } from "../helpers/stake.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { consensusAddress, toValAddress } from "../../modules/stake/index.js";
import * as govTx from "../../gen/qos/gov/v1/tx.js";
import * as gq from "../../gen/qos/gov/v1/query.js";
import { ProposalStatus, VoteOption, type ProposalContent } from "../../gen/qos/gov/v1/types.js";
import * as pq from "../../gen/qos/params/v1/query.js";
import * as mq from "../../gen/qos/mint/v1/query.js";
import * as dq from "../../gen/qos/distribution/v1/query.js";
import { headerHash, type LightBlock } from "../../app/light/index.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { QueryClientRequest, QueryClientResponse, QueryConsensusStateRequest } from "../../gen/qos/qcp/v1/query.js";
import { MsgUpdateClient } from "../../gen/qos/qcp/v1/tx.js";
import { at, key, makeBlock, protoValidatorSet } from "../helpers/light-chain.js";

for (const [url, type] of [
  ["/qos.gov.v1.MsgSubmitProposal", govTx.MsgSubmitProposal], ["/qos.gov.v1.MsgDeposit", govTx.MsgDeposit], ["/qos.gov.v1.MsgVote", govTx.MsgVote],
] as const) registry.register(url, type as never);
registry.register(TypeUrl.qos.qcp.v1.MsgUpdateClient, MsgUpdateClient as never);

const chainId = "qos-gov-1";
const QOS = 1_000_000n;
const consKey = (seed: string) => new Uint8Array(createHash("sha256").update(`cons-${seed}`).digest());
// Each level has its own params (every one differs between the levels), so a test of one level proves
// that level's own deposit, periods, quorum, threshold, veto and burn rate are the ones applied.
const levels = {
  normal: {
    min_deposit: String(10n * QOS), min_initial_deposit_rate: "0.5", max_deposit_period_secs: 9, voting_period_secs: 9,
    quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.2",
  },
  important: {
    min_deposit: String(50n * QOS), min_initial_deposit_rate: "0.4", max_deposit_period_secs: 12, voting_period_secs: 12,
    quorum: "0.4", threshold: "0.6", veto: "0.25", burn_rate: "0.3",
  },
  critical: {
    min_deposit: String(20n * QOS), min_initial_deposit_rate: "0.75", max_deposit_period_secs: 15, voting_period_secs: 15,
    quorum: "0.5", threshold: "0.75", veto: "0.1", burn_rate: "0.5",
  },
};
const PoolAtGenesis = 5n * QOS;
const distributionAccount = toAccAddress(moduleAddress("distribution"));

export const govMsg = {
  submit: (proposer: string, content: Partial<ProposalContent>, deposit: bigint): EncodeObject => ({
    typeUrl: "/qos.gov.v1.MsgSubmitProposal",
    value: govTx.MsgSubmitProposal.fromPartial({ proposer, content: { title: "t", description: "d", ...content }, initialDeposit: deposit.toString() }),
  }),
  vote: (voter: string, proposalId: bigint, option: VoteOption): EncodeObject => ({
    typeUrl: "/qos.gov.v1.MsgVote", value: govTx.MsgVote.fromPartial({ voter, proposalId, option }),
  }),
  deposit: (depositor: string, proposalId: bigint, amount: bigint): EncodeObject => ({
    typeUrl: "/qos.gov.v1.MsgDeposit", value: govTx.MsgDeposit.fromPartial({ depositor, proposalId, amount: amount.toString() }),
  }),
};

describe("governance", () => {
  let alice: TestAccount, bob: TestAccount, carol: TestAccount, dave: TestAccount;
  let t: TestApp;
  let aliceVal: string;
  const aliceCons = consKey("gov-alice");
  let timeSeconds = GenesisTime.seconds;
  const numbers = new Map<string, number>();
  const Fee = 10_000n;

  const query = <T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => {
    const res = t.app.query({ path, data, height: 0n, prove: false });
    assert.equal(res.code, 0, `${path}: ${res.log}`);
    return decode(res.value);
  };
  const balance = (address: string) => BigInt(query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "uqos" }).finish(), QueryBalanceResponse.decode).balance!.amount);
  const supply = () => BigInt(query("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom: "uqos" }).finish(), QuerySupplyOfResponse.decode).amount!.amount);
  const sequence = (address: string) => BaseAccount.decode(query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish(), QueryAccountResponse.decode).account!.value).sequence;
  const proposal = (id: bigint) => query("/qos.gov.v1.Query/Proposal", gq.QueryProposalRequest.encode({ proposalId: id }).finish(), gq.QueryProposalResponse.decode).proposal!;
  const params = (module: string) => JSON.parse(query("/qos.params.v1.Query/Params", pq.QueryParamsRequest.encode({ module }).finish(), pq.QueryParamsResponse.decode).paramsJson);
  const phases = () => query("/qos.mint.v1.Query/Phases", mq.QueryPhasesRequest.encode({}).finish(), mq.QueryPhasesResponse.decode).phases;
  const lastMint = () => BigInt(query("/qos.mint.v1.Query/Applied", mq.QueryAppliedRequest.encode({}).finish(), mq.QueryAppliedResponse.decode).lastMint);
  const pool = () => BigInt(query("/qos.distribution.v1.Query/CommunityPool", dq.QueryCommunityPoolRequest.encode({}).finish(), dq.QueryCommunityPoolResponse.decode).amount);

  /** one block, 3 s after the last; returns the tx results (not asserted) and the block */
  async function block(msgs: Array<[TestAccount, EncodeObject[]]> = []) {
    timeSeconds += 3n;
    const txs = [];
    const seqs = new Map<string, bigint>();
    for (const [signer, m] of msgs) {
      const seq = seqs.get(signer.address) ?? sequence(signer.address);
      seqs.set(signer.address, seq + 1n);
      txs.push(await signTx(signer, m, { chainId, accountNumber: numbers.get(signer.address)!, sequence: seq, fee: { amount: [{ denom: "uqos", amount: String(Fee) }], gas: "600000" } }));
    }
    return t.block(txs, { votes: [{ address: consensusAddress(aliceCons), signed: true }], proposer: consensusAddress(aliceCons), timeSeconds });
  }
  async function ok(msgs: Array<[TestAccount, EncodeObject[]]>) {
    const res = await block(msgs);
    res.results.forEach((r, i) => assert.equal(r.code, 0, `tx ${i}: ${r.log}`));
    return res;
  }
  /** submits a proposal with the full deposit (it enters voting at once) and returns its id */
  async function propose(content: Partial<ProposalContent>, deposit = 10n * QOS, proposer = dave): Promise<bigint> {
    const res = await ok([[proposer, [govMsg.submit(proposer.address, content, deposit)]]]);
    const attr = res.results[0].events.find((e) => e.type === "submit_proposal")!.attributes.find((a) => a.key === "proposal_id")!;
    return BigInt(attr.value);
  }
  /** runs the proposal to the block that ends its voting period; what dave got back and what was burned in that block */
  async function decideInOneBlock(id: bigint) {
    while (timeSeconds + 3n < proposal(id).votingEndTime) await block();
    const daveBefore = balance(dave.address);
    const supplyBefore = supply();
    const res = await block();
    assert.notEqual(proposal(id).status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, "decided in this block");
    return { p: proposal(id), res, daveGot: balance(dave.address) - daveBefore, burned: supplyBefore + lastMint() - supply() };
  }
  /** blocks until the proposal's voting period has ended */
  async function untilDecided(id: bigint) {
    for (let i = 0; i < 10 && proposal(id).status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD; i++) await block();
    assert.notEqual(proposal(id).status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    return proposal(id);
  }

  before(async () => {
    [alice, bob, carol, dave] = await Promise.all(["g-alice", "g-bob", "g-carol", "g-dave"].map(testAccount));
    [alice, bob, carol, dave].forEach((a, i) => numbers.set(a.address, i));
    aliceVal = toValAddress(parseAccAddress(alice.address));
    const gentx = await signTx(alice, [stakeMsg.createValidator(alice.address, aliceCons, String(100n * QOS), "alice-node")], {
      chainId, accountNumber: 0, sequence: 0, fee: { amount: [], gas: "400000" },
    });
    t = await createTestApp(
      {
        auth: { accounts: [alice, bob, carol, dave].map((a) => ({ address: a.address })) },
        bank: {
          balances: [
            ...[alice, bob, carol, dave].map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: String(1000n * QOS) }] })),
            { address: distributionAccount, coins: [{ denom: "uqos", amount: String(PoolAtGenesis) }] },
          ],
        },
        // a community pool to spend from
        distribution: { community_pool: String(PoolAtGenesis) },
        mint: {
          phases: [
            { end_time: String(GenesisTime.seconds + 300n), total_amount: String(600n * QOS) },
            { end_time: String(GenesisTime.seconds + 100_000n), total_amount: String(1000n * QOS) },
          ],
        },
        gov: { params: levels },
        genutil: { gen_txs: [toBase64(gentx)] },
      },
      { chainId },
    );
    await block();
    await ok([[bob, [stakeMsg.delegate(bob.address, aliceVal, String(50n * QOS))]], [carol, [stakeMsg.delegate(carol.address, aliceVal, String(30n * QOS))]]]);
  });
  after(() => t.destroy());

  test("a parameter change passes and takes effect at the end of voting, not before", async () => {
    assert.equal(params("stake").max_validators, 21);
    const id = await propose({ parameterChange: { changes: [{ module: "stake", key: "max_validators", value: "30" }, { module: "distribution", key: "proposer_reward_rate", value: "0.05" }] } }, 50n * QOS);
    assert.equal(proposal(id).level, 2, "parameter changes are important-level");
    assert.equal(proposal(id).status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    assert.equal(proposal(id).votingEndTime, timeSeconds + 12n, "the important level's own voting period (12 s)");
    await ok([[alice, [govMsg.vote(alice.address, id, VoteOption.VOTE_OPTION_YES)]]]);
    assert.equal(params("stake").max_validators, 21, "unchanged while voting");
    const daveBefore = balance(dave.address);
    const p = await untilDecided(id);
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_PASSED, p.result);
    assert.equal(params("stake").max_validators, 30);
    assert.equal(parseDec(params("distribution").proposer_reward_rate), parseDec("0.05"));
    assert.equal(balance(dave.address), daveBefore + 50n * QOS, "a passed proposal's deposit is refunded in full");
  });

  test("a rejected parameter change changes nothing and refunds the deposit", async () => {
    const id = await propose({ parameterChange: { changes: [{ module: "stake", key: "max_validators", value: "5" }] } }, 50n * QOS);
    await ok([[alice, [govMsg.vote(alice.address, id, VoteOption.VOTE_OPTION_NO)]]]);
    const daveBefore = balance(dave.address);
    const p = await untilDecided(id);
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.match(p.result, /^rejected/);
    assert.equal(params("stake").max_validators, 30);
    assert.equal(balance(dave.address), daveBefore + 50n * QOS);
  });

  test("an invalid value, an unknown key or module is refused at submit time (nothing is created)", async () => {
    const before = [...(await listProposals())].length;
    const res = await block([
      [dave, [govMsg.submit(dave.address, { parameterChange: { changes: [{ module: "stake", key: "max_validators", value: "0" }] } }, 50n * QOS)]],
      [dave, [govMsg.submit(dave.address, { parameterChange: { changes: [{ module: "stake", key: "no_such_key", value: "1" }] } }, 50n * QOS)]],
      [dave, [govMsg.submit(dave.address, { parameterChange: { changes: [{ module: "nomodule", key: "x", value: "1" }] } }, 50n * QOS)]],
      [dave, [govMsg.submit(dave.address, { parameterChange: { changes: [{ module: "distribution", key: "proposer_reward_rate", value: "1.5" }] } }, 50n * QOS)]],
    ]);
    assert.deepEqual(res.results.map((r) => [r.codespace, r.code]), [["params", 4], ["params", 3], ["params", 2], ["params", 4]]);
    assert.equal([...(await listProposals())].length, before);
  });

  async function listProposals() {
    return query("/qos.gov.v1.Query/Proposals", gq.QueryProposalsRequest.encode({ status: 0, pagination: undefined }).finish(), gq.QueryProposalsResponse.decode).proposals;
  }

  test("the initial deposit is the proposal's own level's min_deposit × min_initial_deposit_rate", async () => {
    const upgrade = (name: string) => ({ softwareUpgrade: { plan: { name, height: 1_000_000n, info: "", version: "" } } });
    // normal 10 × 0.5 = 5 QOS; important 50 × 0.4 = 20 QOS; critical 20 × 0.75 = 15 QOS. One uqos below its own
    // level's minimum is refused, each time with an amount another level would accept.
    const before = (await listProposals()).length;
    const res = await block([
      [dave, [govMsg.submit(dave.address, { text: {} }, 5n * QOS - 1n)]],
      [dave, [govMsg.submit(dave.address, { parameterChange: { changes: [{ module: "stake", key: "max_validators", value: "22" }] } }, 20n * QOS - 1n)]],
      [dave, [govMsg.submit(dave.address, upgrade("too-little"), 15n * QOS - 1n)]],
    ]);
    assert.deepEqual(res.results.map((r) => [r.codespace, r.code]), [["gov", 6], ["gov", 6], ["gov", 6]]);
    assert.match(res.results[0].log, /a normal proposal needs an initial deposit of at least 5000000uqos \(min_deposit 10000000 × 0\.5\), got 4999999/);
    assert.match(res.results[1].log, /an? important proposal needs an initial deposit of at least 20000000uqos \(min_deposit 50000000 × 0\.4\), got 19999999/);
    assert.match(res.results[2].log, /a critical proposal needs an initial deposit of at least 15000000uqos \(min_deposit 20000000 × 0\.75\), got 14999999/);
    assert.equal((await listProposals()).length, before);
  });

  test("critical level: its own deposit period, min deposit and voting period; its threshold 0.75 rejects 130 of 180 yes", async () => {
    const daveBefore = balance(dave.address);
    const bobBefore = balance(bob.address);
    // exactly 15 QOS (critical's initial minimum; important's 20 would refuse it): accepted, still in its deposit period
    const id = await propose({ softwareUpgrade: { plan: { name: "crit-threshold", height: 1_000_000n, info: "", version: "" } } }, 15n * QOS);
    const submitted = timeSeconds;
    assert.equal(proposal(id).level, 3);
    assert.equal(proposal(id).status, ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD, "15 QOS is below critical's min_deposit 20 QOS");
    assert.equal(proposal(id).depositEndTime, submitted + 15n, "critical's max_deposit_period_secs");
    // 19.999999 QOS in total is still below 20 QOS; one more uqos reaches it and the voting period starts
    await ok([[bob, [govMsg.deposit(bob.address, id, 5n * QOS - 1n)]]]);
    assert.equal(proposal(id).status, ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    await ok([[bob, [govMsg.deposit(bob.address, id, 1n)]]]);
    assert.equal(proposal(id).status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    assert.equal(proposal(id).totalDeposit, String(20n * QOS));
    assert.equal(proposal(id).votingStartTime, timeSeconds);
    assert.equal(proposal(id).votingEndTime, timeSeconds + 15n, "critical's voting_period_secs");
    // alice 100 yes, carol 30 follows alice (yes), bob 50 no: 130 of 180 non-abstaining = 0.7222… ≤ 0.75
    // (normal's 0.5 and important's 0.6 would pass it); quorum 180/180 ≥ 0.5, no veto → rejected, refunded
    await ok([[alice, [govMsg.vote(alice.address, id, VoteOption.VOTE_OPTION_YES)]], [bob, [govMsg.vote(bob.address, id, VoteOption.VOTE_OPTION_NO)]]]);
    const p = await untilDecided(id);
    assert.deepEqual([p.finalTally!.yes, p.finalTally!.no, p.finalTally!.abstain, p.finalTally!.noWithVeto, p.finalTally!.totalPower], [String(130n * QOS), String(50n * QOS), "0", "0", String(180n * QOS)]);
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(p.result, "rejected: yes 130000000 of 180000000 non-abstaining is not over 0.75");
    // each depositor got exactly its deposit back; each paid one fee per tx (dave 1, bob 3)
    assert.equal(balance(dave.address), daveBefore - Fee);
    assert.equal(balance(bob.address), bobBefore - 3n * Fee);
  });

  test("critical level: quorum 0.5 fails with 80 of 180 voting and burns critical's burn_rate 0.5 of the deposit", async () => {
    const id = await propose({ softwareUpgrade: { plan: { name: "crit-quorum", height: 1_000_000n, info: "", version: "" } } }, 20n * QOS);
    assert.equal(proposal(id).status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    // bob 50 + carol 30 vote yes, alice does not: voted 80 of 180 = 0.444… < 0.5 (normal's 0.334 and important's 0.4 would pass it)
    await ok([[bob, [govMsg.vote(bob.address, id, VoteOption.VOTE_OPTION_YES)]], [carol, [govMsg.vote(carol.address, id, VoteOption.VOTE_OPTION_YES)]]]);
    const { p, daveGot, burned } = await decideInOneBlock(id);
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(p.result, "quorum_not_reached: 80000000 of 180000000 voted: quorum 0.5 not reached; 0.5 of deposits burned");
    // 20 QOS × 0.5 = 10 QOS burned (normal would burn 4, important 6), 10 QOS refunded
    assert.deepEqual([daveGot, burned], [10n * QOS, 10n * QOS]);
  });

  test("critical level: veto 0.1 rejects 30 of 180 no_with_veto and burns every deposit", async () => {
    const id = await propose({ softwareUpgrade: { plan: { name: "crit-veto", height: 1_000_000n, info: "", version: "" } } }, 20n * QOS);
    // alice 100 + bob 50 yes, carol 30 no_with_veto: 30/180 = 0.1666… > 0.1 (normal's 0.334 and important's 0.25 would not veto)
    await ok([[alice, [govMsg.vote(alice.address, id, VoteOption.VOTE_OPTION_YES)]], [carol, [govMsg.vote(carol.address, id, VoteOption.VOTE_OPTION_NO_WITH_VETO)]]]);
    const { p, daveGot, burned } = await decideInOneBlock(id);
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(p.result, "vetoed: no_with_veto 30000000 of 180000000 is over 0.1: deposits burned");
    assert.deepEqual([daveGot, burned], [0n, 20n * QOS]);
  });

  test("tally: delegators who vote override their validator; the chain's tally equals the one computed from the stakes", async () => {
    const id = await propose({ text: {} });
    // alice (validator, self-bond 100) votes yes; bob (50) votes no himself; carol (30) does not vote → counts with alice
    await ok([[alice, [govMsg.vote(alice.address, id, VoteOption.VOTE_OPTION_YES)]], [bob, [govMsg.vote(bob.address, id, VoteOption.VOTE_OPTION_NO)]]]);
    const stakes = { alice: 100n * QOS, bob: 50n * QOS, carol: 30n * QOS };
    const expected = { yes: stakes.alice + stakes.carol, no: stakes.bob, abstain: 0n, noWithVeto: 0n, total: stakes.alice + stakes.bob + stakes.carol };
    const live = query("/qos.gov.v1.Query/Tally", gq.QueryTallyRequest.encode({ proposalId: id }).finish(), gq.QueryTallyResponse.decode).tally!;
    assert.deepEqual([live.yes, live.no, live.abstain, live.noWithVeto, live.totalPower].map(BigInt), [expected.yes, expected.no, 0n, 0n, expected.total]);
    const p = await untilDecided(id);
    const final = p.finalTally!;
    assert.deepEqual([final.yes, final.no, final.abstain, final.noWithVeto, final.totalPower].map(BigInt), [expected.yes, expected.no, 0n, 0n, expected.total]);
    // yes/(yes+no) = 130/180 = 0.7222… > normal's threshold 0.5 → passed
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.equal(p.result, "passed: yes 130000000 of 180000000 non-abstaining");
    // the other way round: bob and carol vote no and outweigh nothing of alice's own 100, but now carol counts for no
    const id2 = await propose({ text: {} });
    await ok([[alice, [govMsg.vote(alice.address, id2, VoteOption.VOTE_OPTION_YES)]], [bob, [govMsg.vote(bob.address, id2, VoteOption.VOTE_OPTION_NO)]], [carol, [govMsg.vote(carol.address, id2, VoteOption.VOTE_OPTION_ABSTAIN)]]]);
    const p2 = await untilDecided(id2);
    assert.deepEqual([p2.finalTally!.yes, p2.finalTally!.no, p2.finalTally!.abstain, p2.finalTally!.noWithVeto, p2.finalTally!.totalPower].map(BigInt), [stakes.alice, stakes.bob, stakes.carol, 0n, expected.total]);
    // abstain does not count: yes 100 of 150 non-abstaining = 0.666… > 0.5 → passed
    assert.equal(p2.status, ProposalStatus.PROPOSAL_STATUS_PASSED);
    assert.equal(p2.result, "passed: yes 100000000 of 150000000 non-abstaining");
  });

  test("quorum not reached: rejected, burn_rate of the deposit burned (supply falls by it), the rest refunded", async () => {
    const id = await propose({ text: {} }, 10n * QOS);
    await ok([[dave, [govMsg.vote(dave.address, id, VoteOption.VOTE_OPTION_YES)]]]); // dave has no bonded stake
    const { p, res, daveGot, burned } = await decideInOneBlock(id);
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(p.result, "quorum_not_reached: 0 of 180000000 voted: quorum 0.334 not reached; 0.2 of deposits burned");
    // normal's burn_rate: 10 QOS × 0.2 = 2 QOS burned, 8 QOS refunded
    assert.deepEqual([daveGot, burned], [8n * QOS, 2n * QOS]);
    const result = res.events.find((e) => e.type === "proposal_result")!;
    assert.equal(result.attributes.find((a) => a.key === "result")!.value, "quorum_not_reached");
  });

  test("veto: more than a third votes no_with_veto → rejected and every deposit burned", async () => {
    const id = await propose({ text: {} }, 6n * QOS);
    await ok([[bob, [govMsg.deposit(bob.address, id, 4n * QOS)]]]);
    await ok([[alice, [govMsg.vote(alice.address, id, VoteOption.VOTE_OPTION_YES)]], [bob, [govMsg.vote(bob.address, id, VoteOption.VOTE_OPTION_NO_WITH_VETO)]], [carol, [govMsg.vote(carol.address, id, VoteOption.VOTE_OPTION_NO_WITH_VETO)]]]);
    const daveBefore = balance(dave.address);
    const bobBefore = balance(bob.address);
    const supplyBefore = supply();
    let minted = 0n;
    while (proposal(id).status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      await block();
      minted += lastMint();
    }
    const p = proposal(id);
    // veto: bob 50 + carol 30 = 80 of 180 voted = 0.444… > normal's 0.334
    assert.deepEqual([p.finalTally!.yes, p.finalTally!.no, p.finalTally!.abstain, p.finalTally!.noWithVeto, p.finalTally!.totalPower], [String(100n * QOS), "0", "0", String(80n * QOS), String(180n * QOS)]);
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.equal(p.result, "vetoed: no_with_veto 80000000 of 180000000 is over 0.334: deposits burned");
    assert.equal(balance(dave.address), daveBefore);
    assert.equal(balance(bob.address), bobBefore);
    assert.equal(supply(), supplyBefore + minted - 10n * QOS, "both deposits (6 + 4 QOS) burned");
  });

  test("a deposit period that ends below min_deposit burns the deposits", async () => {
    const res = await ok([[dave, [govMsg.submit(dave.address, { text: {} }, 5n * QOS)]]]);
    const id = BigInt(res.results[0].events.find((e) => e.type === "submit_proposal")!.attributes.find((a) => a.key === "proposal_id")!.value);
    assert.equal(proposal(id).status, ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    const daveBefore = balance(dave.address);
    for (let i = 0; i < 4; i++) await block();
    assert.equal(proposal(id).status, ProposalStatus.PROPOSAL_STATUS_REJECTED);
    assert.match(proposal(id).result, /^expired/);
    assert.equal(balance(dave.address), daveBefore);
  });

  test("a community pool spend moves exactly the amount; a spend above the pool fails and moves nothing", async () => {
    const recipient = (await testAccount("g-recipient")).address;
    const amount = 3n * QOS + 7n;
    // nothing else feeds the pool here: alice is the only validator and signs every block, so her share of
    // every block is the whole remainder (remaining × 100 ÷ 100) and no rounding dust is left for the pool
    assert.equal(pool(), PoolAtGenesis);
    const id = await propose({ communityPoolSpend: { recipient, amount: amount.toString() } });
    await ok([[alice, [govMsg.vote(alice.address, id, VoteOption.VOTE_OPTION_YES)]]]);
    const p = await untilDecided(id);
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_PASSED, p.result);
    assert.equal(balance(recipient), amount);
    assert.equal(pool(), PoolAtGenesis - amount);

    const tooMuch = pool() + 1000n * QOS;
    const id2 = await propose({ communityPoolSpend: { recipient, amount: tooMuch.toString() } });
    await ok([[alice, [govMsg.vote(alice.address, id2, VoteOption.VOTE_OPTION_YES)]]]);
    const daveBefore = balance(dave.address);
    const p2 = await untilDecided(id2);
    assert.equal(p2.status, ProposalStatus.PROPOSAL_STATUS_FAILED);
    assert.match(p2.result, /community pool is smaller/);
    assert.equal(balance(recipient), amount, "nothing more moved");
    assert.equal(pool(), PoolAtGenesis - amount, "the pool is unchanged by the failed spend");
    assert.equal(balance(dave.address), daveBefore + 10n * QOS, "a passed proposal whose execution fails is refunded");
  });

  test("an inflation change replaces the future phases; the following blocks mint exactly as the new phases say", async () => {
    const g = GenesisTime.seconds;
    const future = [{ endTime: g + 200_000n, totalAmount: String(5000n * QOS) }, { endTime: g + 300_000n, totalAmount: String(7n * QOS) }];
    // a phase ending before the running one is refused at submit time
    const bad = await block([[dave, [govMsg.submit(dave.address, { inflationChange: { phases: [{ endTime: g + 10n, totalAmount: "5" }] } }, 20n * QOS)]]]);
    assert.equal(bad.results[0].codespace, "gov");
    assert.equal(bad.results[0].code, 11);
    assert.ok(timeSeconds + 30n < g + 300n, "the first phase is still running when the proposal passes");
    const id = await propose({ inflationChange: { phases: future } }, 20n * QOS);
    assert.equal(proposal(id).level, 3, "inflation changes are critical-level");
    await ok([[alice, [govMsg.vote(alice.address, id, VoteOption.VOTE_OPTION_YES)]]]);
    const p = await untilDecided(id);
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_PASSED, p.result);
    const after = phases();
    assert.deepEqual(after.map((x) => [x.endTime, x.totalAmount, x.appliedAmount]), [
      [g + 300n, String(600n * QOS), after[0].appliedAmount],
      [g + 200_000n, String(5000n * QOS), "0"],
      [g + 300_000n, String(7n * QOS), "0"],
    ]);
    // run past the end of the first phase: its leftover rolls into the new phase, which then mints
    // ⌊(total − applied) ÷ ⌊(end − t) ÷ 3⌋⌋ per block (blocks are exactly 3 s apart since block 1)
    while (timeSeconds < g + 300n) await block();
    for (let i = 0; i < 5; i++) {
      const before = phases();
      await block();
      const now = phases();
      const running = now.findIndex((x) => x.endTime > timeSeconds && BigInt(x.appliedAmount) < BigInt(x.totalAmount));
      assert.equal(now[running].endTime, g + 200_000n, "the new phase is the one minting");
      const appliedBefore = BigInt(before[running].appliedAmount);
      const blocksLeft = (now[running].endTime - timeSeconds) / 3n;
      const expected = (BigInt(now[running].totalAmount) - appliedBefore) / blocksLeft;
      assert.equal(lastMint(), expected);
      assert.equal(BigInt(now[running].appliedAmount) - appliedBefore, expected);
      if (i === 0) assert.equal(BigInt(now[running].totalAmount), 5000n * QOS + (600n * QOS - BigInt(before[0].appliedAmount)), "the total is the proposal's plus the first phase's leftover");
      else assert.equal(now[running].totalAmount, before[running].totalAmount);
    }
  });

  test("a qcp_client proposal creates a counterpart's light client; an active client cannot be replaced; a frozen one is, its consensus states deleted", async () => {
    const Cp = "cp-gov";
    const members = ["g0", "g1", "g2", "g3"].map((n) => ({ key: key(`gov ${n}`), power: 10n }));
    /** counterpart header h, a little before this chain's block times */
    const base = timeSeconds - 1000n;
    const hdr = (h: bigint, appHash?: Uint8Array) => makeBlock({ height: h, members, nextMembers: members, chainId: Cp, time: at(base + 10n * h), appHash });
    const qcpClient = (b: LightBlock) => ({ qcpClient: { chainId: Cp, signedHeader: b.signedHeader, validatorSet: protoValidatorSet(b.validatorSet) } });
    const client = () => QueryClientResponse.decode(t.app.query({ path: Method.qos.qcp.v1.Query.Client, data: QueryClientRequest.encode({ chainId: Cp }).finish(), height: 0n, prove: false }).value);
    const stateCode = (h: bigint) => t.app.query({ path: Method.qos.qcp.v1.Query.ConsensusState, data: QueryConsensusStateRequest.encode({ chainId: Cp, height: h }).finish(), height: 0n, prove: false }).code;
    const update = (b: LightBlock, trustedHeight: bigint) => ({
      typeUrl: TypeUrl.qos.qcp.v1.MsgUpdateClient,
      value: MsgUpdateClient.fromPartial({ signer: bob.address, chainId: Cp, header: { signedHeader: b.signedHeader, validatorSet: protoValidatorSet(b.validatorSet), trustedHeight, trustedValidators: protoValidatorSet(b.validatorSet) } }),
    });

    // a header under 2/3 is refused at submission (qcp's code)
    const weak = makeBlock({ height: 1n, members, nextMembers: members, chainId: Cp, time: at(base + 10n), vote: (pk) => (pk === Buffer.from(members[0].key.pubKey).toString("hex") ? "commit" : "absent") });
    const refused = (await block([[dave, [govMsg.submit(dave.address, qcpClient(weak), 20n * QOS)]]])).results[0];
    assert.deepEqual([refused.codespace, refused.code], ["qcp", 37], refused.log);

    const id = await propose(qcpClient(hdr(1n)), 20n * QOS);
    assert.equal(proposal(id).level, 3, "qcp_client proposals are critical-level");
    await ok([[alice, [govMsg.vote(alice.address, id, VoteOption.VOTE_OPTION_YES)]]]);
    const p = await untilDecided(id);
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_PASSED, p.result);
    assert.deepEqual([client().clientState!.latestHeight, client().status], [1n, "active"]);

    // an active client is not replaced
    const active = (await block([[dave, [govMsg.submit(dave.address, qcpClient(hdr(3n)), 20n * QOS)]]])).results[0];
    assert.deepEqual([active.codespace, active.code], ["qcp", 26], active.log);

    // 2 stored, then a conflicting 2 freezes it
    await ok([[bob, [update(hdr(2n), 1n)]]]);
    await ok([[bob, [update(hdr(2n, new Uint8Array(32).fill(9)), 1n)]]]);
    assert.equal(client().status, "frozen");
    assert.equal(stateCode(2n), 0);

    const replace = await propose(qcpClient(hdr(5n)), 20n * QOS);
    await ok([[alice, [govMsg.vote(alice.address, replace, VoteOption.VOTE_OPTION_YES)]]]);
    const r = await untilDecided(replace);
    assert.equal(r.status, ProposalStatus.PROPOSAL_STATUS_PASSED, r.result);
    const c = client();
    assert.deepEqual([c.clientState!.latestHeight, c.clientState!.frozenHeight, c.status], [5n, 0n, "active"]);
    assert.deepEqual(c.latestConsensusState!.headerHash, headerHash(hdr(5n).signedHeader.header));
    assert.deepEqual([1n, 2n, 5n].map(stateCode), [25, 25, 0], "the old client's consensus states are gone");
  });

  test("a software upgrade stops the chain at its height until the app restarts with the upgrade marked done", async () => {
    const id = await propose({ softwareUpgrade: { plan: { name: "v2", height: BigInt(t.height + 8), info: "new binary", version: "" } } }, 20n * QOS);
    await ok([[alice, [govMsg.vote(alice.address, id, VoteOption.VOTE_OPTION_YES)]]]);
    const p = await untilDecided(id);
    assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_PASSED, p.result);
    const plan = query("/qos.gov.v1.Query/Upgrade", gq.QueryUpgradeRequest.encode({}).finish(), gq.QueryUpgradeResponse.decode).plan!;
    assert.equal(plan.name, "v2");
    while (t.height + 1 < Number(plan.height)) await block();
    const heightBefore = t.height;
    await assert.rejects(block(), /UPGRADE v2 NEEDED at height/);
    assert.equal(t.app.lastHeight, heightBefore, "nothing was committed");
    // restart with the upgrade done: the same height runs
    await t.app.close();
    t.app = await openApp({ dbPath: join(t.dir, "app.db"), minGasPrice: "0.025uqos", checkInvariants: true, upgradesDone: ["v2"], log: () => {} });
    timeSeconds -= 3n;
    const res = await block();
    assert.equal(t.app.lastHeight, heightBefore + 1);
    assert.ok(res.events.some((e) => e.type === "upgrade_applied"));
    const after = query("/qos.gov.v1.Query/Upgrade", gq.QueryUpgradeRequest.encode({}).finish(), gq.QueryUpgradeResponse.decode);
    assert.equal(after.plan, undefined);
    assert.deepEqual(after.applied.map((a) => [a.name, Number(a.height)]), [["v2", heightBefore + 1]]);
    await block();
  });
});
