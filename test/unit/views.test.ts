// The cosmos.* compatibility views (chain/views, D13) over an in-process app with real staking state: two
// validators (one revoked, so inactive), a delegation, an unbonding, rewards accrued over signed blocks, a proposal
// with deposits and votes. Each answer is read through the REST gateway in the SDK's JSON (what Keplr and Ping.pub
// parse) and checked field by field against the qos module's own query of the same state; bad input gets the
// SDK's error body.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { toBase64, toBech32 } from "@cosmjs/encoding";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { stakeMsg } from "../helpers/stake.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { consensusAddress, toValAddress } from "../../modules/stake/index.js";
import { parseAccAddress, toAccAddress, moduleAddress } from "../../app/address.js";
import { startRestServer, type RestServer } from "../../app/rest/server.js";
import { toCosmosJson } from "../../app/rest/json.js";
import * as govTx from "../../gen/qos/gov/v1/tx.js";
import * as dq from "../../gen/qos/distribution/v1/query.js";
import * as gq from "../../gen/qos/gov/v1/query.js";
import { QueryInflationResponse } from "../../gen/cosmos/mint/v1beta1/query.js";
import { QueryValidatorRequest, QueryValidatorResponse } from "../../gen/cosmos/staking/v1beta1/query.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { YearSeconds } from "../../chain/views/mint.js";
import { tokenMetadata } from "../../chain/views/denoms.js";

registry.register(TypeUrl.qos.gov.v1.MsgSubmitProposal, govTx.MsgSubmitProposal as never);
registry.register(TypeUrl.qos.gov.v1.MsgVote, govTx.MsgVote as never);
registry.register(TypeUrl.qos.gov.v1.MsgDeposit, govTx.MsgDeposit as never);

const chainId = "qos-views-1";
const QOS = 1_000_000n;
const consKey = (seed: string) => new Uint8Array(createHash("sha256").update(`cons-${seed}`).digest());
const level = {
  min_deposit: String(10n * QOS), min_initial_deposit_rate: "0.5", max_deposit_period_secs: 600, voting_period_secs: 600,
  quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.2",
};
const dec18 = (whole: bigint) => `${whole}.000000000000000000`;

function get(base: string, path: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    httpRequest(base + path, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    }).on("error", reject).end();
  });
}

describe("cosmos.* views over qos state", () => {
  let t: TestApp;
  let server: RestServer;
  let base: string;
  let alice: TestAccount, bob: TestAccount, carol: TestAccount, dave: TestAccount;
  let aliceVal: string, carolVal: string;
  const aliceCons = consKey("views-alice");
  const carolCons = consKey("views-carol");
  const numbers = new Map<string, number>();
  const sequences = new Map<string, number>();
  let time = GenesisTime.seconds;
  let unbondTime = 0n;

  const blockOptions = () => ({ votes: [{ address: consensusAddress(aliceCons), signed: true }], proposer: consensusAddress(aliceCons), timeSeconds: (time += 3n) });
  async function send(signer: TestAccount, msgs: { typeUrl: string; value: unknown }[]) {
    const sequence = sequences.get(signer.address) ?? 0;
    const tx = await signTx(signer, msgs as never, { chainId, accountNumber: numbers.get(signer.address)!, sequence, fee: { amount: [{ denom: "uqos", amount: "20000" }], gas: "800000" } });
    const { results } = await t.block([tx], blockOptions());
    assert.equal(results[0].code, 0, results[0].log);
    sequences.set(signer.address, sequence + 1);
  }
  const ok = async (path: string) => {
    const res = await get(base, path);
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const query = (path: string, data: Uint8Array) => t.app.runQuery(path, data, 0);

  before(async () => {
    [alice, bob, carol, dave] = await Promise.all(["v-alice", "v-bob", "v-carol", "v-dave"].map(testAccount));
    [alice, bob, carol, dave].forEach((a, i) => numbers.set(a.address, i));
    aliceVal = toValAddress(parseAccAddress(alice.address));
    carolVal = toValAddress(parseAccAddress(carol.address));
    const gentx = await signTx(alice, [stakeMsg.createValidator(alice.address, aliceCons, String(100n * QOS), "alice-node")], {
      chainId, accountNumber: 0, sequence: 0, fee: { amount: [], gas: "400000" },
    });
    sequences.set(alice.address, 1);
    t = await createTestApp({
      auth: { accounts: [alice, bob, carol, dave].map((a) => ({ address: a.address })) },
      bank: { balances: [alice, bob, carol, dave].map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: String(1000n * QOS) }] })) },
      stake: { params: { max_validators: 21, voting_status_len: 10, voting_status_least: 7, survival_secs: 600, unbonding_secs: 300, slash_fraction_double_sign: "0.2", power_reduction: "1000000", min_self_bond: "1000000", max_commission_rate: "1.0" } },
      mint: { phases: [{ end_time: String(GenesisTime.seconds + 100_000n), total_amount: String(1000n * QOS) }] },
      gov: { params: { normal: level, important: level, critical: level } },
      genutil: { gen_txs: [toBase64(gentx)] },
    }, { chainId });
    await t.block([], blockOptions());
    await send(carol, [stakeMsg.createValidator(carol.address, carolCons, String(50n * QOS), "carol-node", "0.2")]);
    await send(bob, [stakeMsg.delegate(bob.address, aliceVal, String(40n * QOS))]);
    await send(bob, [stakeMsg.unbond(bob.address, aliceVal, String(15n * QOS))]);
    unbondTime = time + 300n;
    await send(carol, [stakeMsg.revoke(carol.address)]);
    await send(dave, [{ typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposal, value: govTx.MsgSubmitProposal.fromPartial({ proposer: dave.address, content: { title: "Views", description: "Read by explorers", text: {} }, initialDeposit: String(6n * QOS) }) }]);
    await send(bob, [{ typeUrl: TypeUrl.qos.gov.v1.MsgDeposit, value: govTx.MsgDeposit.fromPartial({ proposalId: 1n, depositor: bob.address, amount: String(5n * QOS) }) }]);
    await send(bob, [{ typeUrl: TypeUrl.qos.gov.v1.MsgVote, value: govTx.MsgVote.fromPartial({ proposalId: 1n, voter: bob.address, option: 1 }) }]);
    await send(alice, [{ typeUrl: TypeUrl.qos.gov.v1.MsgVote, value: govTx.MsgVote.fromPartial({ proposalId: 1n, voter: alice.address, option: 3 }) }]);
    for (let i = 0; i < 3; i++) await t.block([], blockOptions());
    server = await startRestServer(t.app, { address: "127.0.0.1:0", log: () => {} });
    base = `http://${server.address}`;
  });
  after(async () => {
    await server?.close();
    await t?.destroy();
  });

  test("staking: validators by status, one validator, the SDK's fields", async () => {
    const bonded = await ok("/cosmos/staking/v1beta1/validators?status=BOND_STATUS_BONDED");
    assert.deepEqual(bonded.validators.map((v: any) => v.operator_address), [aliceVal]);
    const a = bonded.validators[0];
    assert.deepEqual(a, {
      operator_address: aliceVal,
      consensus_pubkey: { "@type": "/cosmos.crypto.ed25519.PubKey", key: toBase64(aliceCons) },
      jailed: false,
      status: "BOND_STATUS_BONDED",
      tokens: String(125n * QOS),
      delegator_shares: dec18(125n * QOS),
      description: { moniker: "alice-node", identity: "", website: "", security_contact: "", details: "" },
      unbonding_height: "0",
      unbonding_time: "1970-01-01T00:00:00Z",
      commission: { commission_rates: { rate: "0.100000000000000000", max_rate: "0.500000000000000000", max_change_rate: "0.050000000000000000" }, update_time: a.commission.update_time },
      min_self_delegation: "1000000",
      unbonding_on_hold_ref_count: "0",
      unbonding_ids: [],
    });
    const unbonding = await ok("/cosmos/staking/v1beta1/validators?status=BOND_STATUS_UNBONDING");
    assert.deepEqual(unbonding.validators.map((v: any) => [v.operator_address, v.status, v.jailed, v.tokens]), [[carolVal, "BOND_STATUS_UNBONDING", true, String(50n * QOS)]]);
    assert.equal(unbonding.validators[0].commission.commission_rates.rate, "0.200000000000000000");
    assert.deepEqual((await ok("/cosmos/staking/v1beta1/validators?status=BOND_STATUS_UNBONDED")).validators, []);
    const all = await ok("/cosmos/staking/v1beta1/validators?pagination.count_total=true");
    assert.equal(all.validators.length, 2);
    assert.equal(all.pagination.total, "2");
    const one = await ok(`/cosmos/staking/v1beta1/validators/${aliceVal}`);
    assert.deepEqual(one.validator, a);
    // the gRPC/ABCI form carries the decimals as atomics, as the SDK's does (CosmJS decodes them so)
    const wire = QueryValidatorResponse.decode(query(Method.cosmos.staking.v1beta1.Query.Validator, QueryValidatorRequest.encode({ validatorAddr: aliceVal }).finish())).validator!;
    assert.equal(wire.commission!.commissionRates!.rate, "100000000000000000");
    assert.equal(wire.delegatorShares, (125n * QOS * 10n ** 18n).toString());
  });

  test("staking: delegations, unbondings, pool, params", async () => {
    const mine = await ok(`/cosmos/staking/v1beta1/delegations/${bob.address}`);
    assert.deepEqual(mine, {
      delegation_responses: [{ delegation: { delegator_address: bob.address, validator_address: aliceVal, shares: dec18(25n * QOS) }, balance: { denom: "uqos", amount: String(25n * QOS) } }],
      pagination: { next_key: null, total: "0" },
    });
    const ofAlice = await ok(`/cosmos/staking/v1beta1/validators/${aliceVal}/delegations`);
    assert.deepEqual(ofAlice.delegation_responses.map((d: any) => [d.delegation.delegator_address, d.balance.amount]).sort(), [[alice.address, String(100n * QOS)], [bob.address, String(25n * QOS)]].sort());
    const single = await ok(`/cosmos/staking/v1beta1/validators/${aliceVal}/delegations/${bob.address}`);
    assert.deepEqual(single.delegation_response, mine.delegation_responses[0]);
    const unbondings = await ok(`/cosmos/staking/v1beta1/delegators/${bob.address}/unbonding_delegations`);
    assert.deepEqual(unbondings.unbonding_responses, [{
      delegator_address: bob.address, validator_address: aliceVal,
      entries: [{ creation_height: "4", completion_time: new Date(Number(unbondTime) * 1000).toISOString().replace(".000Z", "Z"), initial_balance: String(15n * QOS), balance: String(15n * QOS), unbonding_id: "0", unbonding_on_hold_ref_count: "0" }],
    }]);
    const pool = await ok("/cosmos/staking/v1beta1/pool");
    // bonded: alice's 125; not bonded: carol's 50 (inactive) and bob's 15 unbonding
    assert.deepEqual(pool, { pool: { not_bonded_tokens: String(65n * QOS), bonded_tokens: String(125n * QOS) } });
    assert.deepEqual(await ok("/cosmos/staking/v1beta1/params"), {
      params: { unbonding_time: "300s", max_validators: 21, max_entries: 0, historical_entries: 0, bond_denom: "uqos", min_commission_rate: "0.000000000000000000" },
    });
  });

  test("distribution: rewards of a delegator equal qos.distribution's pending rewards; commission, outstanding, pool, params", async () => {
    const pending = dq.QueryPendingRewardsResponse.decode(query(Method.qos.distribution.v1.Query.PendingRewards, dq.QueryPendingRewardsRequest.encode({ delegator: bob.address, validator: aliceVal }).finish()));
    const bobRewards = BigInt(pending.rewards);
    assert.ok(bobRewards > 0n, "rewards accrued over the signed blocks");
    const total = await ok(`/cosmos/distribution/v1beta1/delegators/${bob.address}/rewards`);
    assert.deepEqual(total, { rewards: [{ validator_address: aliceVal, reward: [{ denom: "uqos", amount: dec18(bobRewards) }] }], total: [{ denom: "uqos", amount: dec18(bobRewards) }] });
    assert.deepEqual(await ok(`/cosmos/distribution/v1beta1/delegators/${bob.address}/rewards/${aliceVal}`), { rewards: [{ denom: "uqos", amount: dec18(bobRewards) }] });
    // no delegation: nothing to sum, and none to ask about
    assert.deepEqual(await ok(`/cosmos/distribution/v1beta1/delegators/${dave.address}/rewards`), { rewards: [], total: [] });
    const none = await get(base, `/cosmos/distribution/v1beta1/delegators/${dave.address}/rewards/${aliceVal}`);
    assert.equal(none.status, 404);
    assert.deepEqual(none.body, { code: 5, message: `${dave.address} has no delegation to ${aliceVal}: delegation not found`, details: [] });

    const validator = dq.QueryValidatorResponse.decode(query(Method.qos.distribution.v1.Query.Validator, dq.QueryValidatorRequest.encode({ validator: aliceVal }).finish()));
    assert.ok(BigInt(validator.commission) > 0n);
    assert.deepEqual(await ok(`/cosmos/distribution/v1beta1/validators/${aliceVal}/commission`), { commission: { commission: [{ denom: "uqos", amount: dec18(BigInt(validator.commission)) }] } });
    assert.deepEqual(await ok(`/cosmos/distribution/v1beta1/validators/${aliceVal}/outstanding_rewards`), { rewards: { rewards: [{ denom: "uqos", amount: dec18(BigInt(validator.outstanding)) }] } });
    const pool = dq.QueryCommunityPoolResponse.decode(query(Method.qos.distribution.v1.Query.CommunityPool, new Uint8Array())).amount;
    assert.deepEqual(await ok("/cosmos/distribution/v1beta1/community_pool"), { pool: BigInt(pool) === 0n ? [] : [{ denom: "uqos", amount: dec18(BigInt(pool)) }] });
    assert.deepEqual(await ok("/cosmos/distribution/v1beta1/params"), {
      params: { community_tax: "0.000000000000000000", base_proposer_reward: "0.040000000000000000", bonus_proposer_reward: "0.000000000000000000", withdraw_addr_enabled: false },
    });
  });

  test("mint: inflation and annual provisions from the current phase, exact", async () => {
    // one phase of 1000 QOS over 100,000 s from genesis: 1000 QOS × year ÷ 100,000 s a year
    const annual = (1000n * QOS * YearSeconds * 10n ** 18n) / 100_000n;
    const body = await ok("/cosmos/mint/v1beta1/annual_provisions");
    assert.deepEqual(body, { annual_provisions: `${annual / 10n ** 18n}.${(annual % 10n ** 18n).toString().padStart(18, "0")}` });
    const inflation = QueryInflationResponse.decode(query(Method.cosmos.mint.v1beta1.Query.Inflation, new Uint8Array())).inflation;
    const atomics = BigInt(new TextDecoder().decode(inflation));
    const supplyNow = BigInt((await ok("/cosmos/bank/v1beta1/supply/by_denom?denom=uqos")).amount.amount);
    assert.equal(atomics, (1000n * QOS * YearSeconds * 10n ** 18n) / (100_000n * supplyNow));
    assert.deepEqual(await ok("/cosmos/mint/v1beta1/inflation"), { inflation: `${atomics / 10n ** 18n}.${(atomics % 10n ** 18n).toString().padStart(18, "0")}` });
    const params = await ok("/cosmos/mint/v1beta1/params");
    assert.deepEqual(params, { params: {
      mint_denom: "uqos", inflation_rate_change: "0.000000000000000000", inflation_max: (await ok("/cosmos/mint/v1beta1/inflation")).inflation,
      inflation_min: (await ok("/cosmos/mint/v1beta1/inflation")).inflation, goal_bonded: "0.000000000000000000", blocks_per_year: String(YearSeconds / 3n),
    } });
  });

  test("slashing: signing infos from the keep-alive window, params", async () => {
    const infos = await ok("/cosmos/slashing/v1beta1/signing_infos");
    const aliceCons32 = toBech32("qoscons", consensusAddress(aliceCons));
    const carolCons32 = toBech32("qoscons", consensusAddress(carolCons));
    assert.deepEqual(infos.info.map((i: any) => i.address).sort(), [aliceCons32, carolCons32].sort());
    const a = infos.info.find((i: any) => i.address === aliceCons32);
    assert.deepEqual(Object.keys(a), ["address", "start_height", "index_offset", "jailed_until", "tombstoned", "missed_blocks_counter"]);
    assert.equal(a.missed_blocks_counter, "0");
    assert.equal(a.tombstoned, false);
    assert.equal(a.jailed_until, "1970-01-01T00:00:00Z");
    assert.deepEqual((await ok(`/cosmos/slashing/v1beta1/signing_infos/${aliceCons32}`)).val_signing_info, a);
    assert.deepEqual(await ok("/cosmos/slashing/v1beta1/params"), { params: {
      signed_blocks_window: "10", min_signed_per_window: "0.700000000000000000", downtime_jail_duration: "0s",
      slash_fraction_double_sign: "0.200000000000000000", slash_fraction_downtime: "0.000000000000000000",
    } });
  });

  test("gov v1: proposals, one proposal, deposits, votes, tally, params by type", async () => {
    const raw = gq.QueryProposalResponse.decode(query(Method.qos.gov.v1.Query.Proposal, gq.QueryProposalRequest.encode({ proposalId: 1n }).finish())).proposal!;
    const iso = (s: bigint) => new Date(Number(s) * 1000).toISOString().replace(".000Z", "Z");
    const expected = {
      id: "1",
      messages: [{
        "@type": "/cosmos.gov.v1.MsgExecLegacyContent",
        content: { "@type": "/qos.gov.v1.ProposalContent", title: "Views", description: "Read by explorers", text: {} },
        authority: toAccAddress(moduleAddress("gov")),
      }],
      status: "PROPOSAL_STATUS_VOTING_PERIOD",
      final_tally_result: { yes_count: "0", abstain_count: "0", no_count: "0", no_with_veto_count: "0" },
      submit_time: iso(raw.submitTime),
      deposit_end_time: iso(raw.depositEndTime),
      total_deposit: [{ denom: "uqos", amount: String(11n * QOS) }],
      voting_start_time: iso(raw.votingStartTime),
      voting_end_time: iso(raw.votingEndTime),
      metadata: "",
      title: "Views",
      summary: "Read by explorers",
      proposer: dave.address,
      expedited: false,
      failed_reason: "",
    };
    assert.deepEqual((await ok("/cosmos/gov/v1/proposals/1")).proposal, expected);
    assert.deepEqual(await ok("/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_VOTING_PERIOD"), { proposals: [expected], pagination: { next_key: null, total: "0" } });
    assert.deepEqual((await ok("/cosmos/gov/v1/proposals?proposal_status=2")).proposals.length, 1);
    assert.deepEqual((await ok("/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_PASSED")).proposals, []);
    assert.deepEqual((await ok(`/cosmos/gov/v1/proposals?voter=${bob.address}`)).proposals.length, 1);
    assert.deepEqual((await ok(`/cosmos/gov/v1/proposals?voter=${dave.address}`)).proposals, []);
    assert.deepEqual((await ok(`/cosmos/gov/v1/proposals?depositor=${bob.address}`)).proposals.length, 1);
    const deposits = await ok("/cosmos/gov/v1/proposals/1/deposits");
    assert.deepEqual(deposits.deposits.map((d: any) => [d.depositor, d.amount]).sort(), [[bob.address, [{ denom: "uqos", amount: String(5n * QOS) }]], [dave.address, [{ denom: "uqos", amount: String(6n * QOS) }]]].sort());
    const votes = await ok("/cosmos/gov/v1/proposals/1/votes");
    assert.deepEqual(votes.votes.sort((x: any, y: any) => (x.voter < y.voter ? -1 : 1)), [
      { proposal_id: "1", voter: alice.address, options: [{ option: "VOTE_OPTION_NO", weight: "1.000000000000000000" }], metadata: "" },
      { proposal_id: "1", voter: bob.address, options: [{ option: "VOTE_OPTION_YES", weight: "1.000000000000000000" }], metadata: "" },
    ].sort((x, y) => (x.voter < y.voter ? -1 : 1)));
    // the live tally: bob's 25 yes overrides alice's vote for his stake; alice's own 100 no
    assert.deepEqual(await ok("/cosmos/gov/v1/proposals/1/tally"), { tally: { yes_count: String(25n * QOS), abstain_count: "0", no_count: String(100n * QOS), no_with_veto_count: "0" } });
    const voting = await ok("/cosmos/gov/v1/params/voting");
    assert.deepEqual(voting.voting_params, { voting_period: "600s" });
    assert.equal(voting.deposit_params, null);
    assert.equal(voting.tally_params, null);
    assert.deepEqual((await ok("/cosmos/gov/v1/params/deposit")).deposit_params, { min_deposit: [{ denom: "uqos", amount: String(10n * QOS) }], max_deposit_period: "600s" });
    const tally = await ok("/cosmos/gov/v1/params/tally");
    assert.deepEqual(tally.tally_params, { quorum: "0.334000000000000000", threshold: "0.500000000000000000", veto_threshold: "0.334000000000000000" });
    assert.equal(tally.params.min_initial_deposit_ratio, "0.500000000000000000");
    assert.equal(tally.params.voting_period, "600s");
  });

  test("bad input: the SDK's error bodies with 4xx", async () => {
    const cases: Array<[string, number, number, RegExp]> = [
      ["/cosmos/staking/v1beta1/validators?status=BOND_STATUS_UNSPECIFIED", 400, 3, /^validator status "BOND_STATUS_UNSPECIFIED" is not one of "BOND_STATUS_BONDED", "BOND_STATUS_UNBONDING", "BOND_STATUS_UNBONDED": invalid request$/],
      ["/cosmos/staking/v1beta1/validators?status=bonded", 400, 3, /^validator status "bonded" is not one of/],
      ["/cosmos/staking/v1beta1/validators/qosval1nothing", 400, 3, /invalid address$/],
      [`/cosmos/staking/v1beta1/validators/${toValAddress(new Uint8Array(20))}`, 404, 5, /validator not found$/],
      ["/cosmos/staking/v1beta1/delegations/qosacc1bad", 400, 3, /invalid address$/],
      [`/cosmos/staking/v1beta1/delegations/${bob.address}?pagination.limit=99999999999999999999999`, 400, 3, /limit/],
      [`/cosmos/staking/v1beta1/delegations/${bob.address}?pagination.limit=-5`, 400, 3, /limit/],
      [`/cosmos/staking/v1beta1/delegations/${bob.address}?pagination.key=AA&pagination.offset=1`, 400, 3, /either key or offset/],
      ["/cosmos/distribution/v1beta1/delegators/xyz/rewards", 400, 3, /invalid address$/],
      ["/cosmos/gov/v1/proposals/99", 404, 5, /no proposal 99/],
      ["/cosmos/gov/v1/proposals/abc", 400, 3, /proposal_id/],
      ["/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_NOPE", 400, 3, /cosmos.gov.v1.ProposalStatus/],
      ["/cosmos/gov/v1/proposals?proposal_status=9", 400, 3, /^proposal_status "9" is not one of/],
      ["/cosmos/gov/v1/params/everything", 400, 3, /^params_type "everything" is not one of "voting", "deposit", "tally": invalid request$/],
      ["/cosmos/slashing/v1beta1/signing_infos/qosacc1xyz", 400, 3, /cons_address/],
      [`/cosmos/slashing/v1beta1/signing_infos/${toBech32("qoscons", new Uint8Array(20))}`, 404, 5, /no validator signs with/],
    ];
    for (const [path, status, code, message] of cases) {
      const res = await get(base, path);
      assert.equal(res.status, status, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, code, path);
      assert.match(res.body.message, message, path);
      assert.deepEqual(res.body.details, [], path);
    }
    // a page larger than the maximum is clamped (as every list query), never refused or unbounded
    const huge = await ok(`/cosmos/staking/v1beta1/validators?pagination.limit=1000000`);
    assert.equal(huge.validators.length, 2);
  });

  test("a legacy decimal's JSON is its atomics with the point; a malformed one is an internal error, not a wrong number", () => {
    assert.deepEqual(toCosmosJson("cosmos.base.v1beta1.DecCoin", new Uint8Array([10, 1, 0x61, 18, 1, 0x35])), { denom: "a", amount: "0.000000000000000005" });
    assert.throws(() => toCosmosJson("cosmos.base.v1beta1.DecCoin", new Uint8Array([10, 1, 0x61, 18, 3, 0x30, 0x2e, 0x35])), /is not a decimal's atomics/);
  });

  test("auth and bank: accounts by page, bech32 prefix, spendable balances, params, supply by path, denom metadata", async () => {
    const first = await ok("/cosmos/auth/v1beta1/accounts?pagination.limit=2&pagination.count_total=true");
    assert.equal(first.accounts.length, 2);
    assert.ok(first.accounts.every((a: any) => a["@type"] === "/cosmos.auth.v1beta1.BaseAccount"));
    const rest = await ok(`/cosmos/auth/v1beta1/accounts?pagination.key=${encodeURIComponent(first.pagination.next_key)}&pagination.limit=1000`);
    const all = [...first.accounts, ...rest.accounts].map((a: any) => a.address);
    assert.equal(all.length, Number(first.pagination.total));
    assert.deepEqual(all, [...all].sort((x, y) => (Buffer.compare(parseAccAddress(x), parseAccAddress(y)))));
    for (const a of [alice, bob, carol, dave]) assert.ok(all.includes(a.address));
    const bobAccount = [...first.accounts, ...rest.accounts].find((a: any) => a.address === bob.address);
    assert.deepEqual(bobAccount, (await ok(`/cosmos/auth/v1beta1/accounts/${bob.address}`)).account);
    assert.deepEqual(await ok("/cosmos/auth/v1beta1/bech32"), { bech32_prefix: "qosacc" });

    assert.deepEqual(await ok(`/cosmos/bank/v1beta1/spendable_balances/${bob.address}`), await ok(`/cosmos/bank/v1beta1/balances/${bob.address}`));
    assert.deepEqual(await ok("/cosmos/bank/v1beta1/params"), { params: { send_enabled: [], default_send_enabled: true } });
    const byDenom = await ok("/cosmos/bank/v1beta1/supply/by_denom?denom=uqos");
    assert.deepEqual(await ok("/cosmos/bank/v1beta1/supply/uqos"), byDenom);
    assert.match(byDenom.amount.amount, /^[1-9]\d*$/);

    const uqos = {
      description: "The native token of the QOS public chain: fees, staking and governance.",
      denom_units: [{ denom: "uqos", exponent: 0, aliases: [] }, { denom: "qos", exponent: 6, aliases: [] }],
      base: "uqos", display: "qos", name: "QOS", symbol: "QOS", uri: "", uri_hash: "",
    };
    assert.deepEqual(await ok("/cosmos/bank/v1beta1/denoms_metadata"), { metadatas: [uqos], pagination: { next_key: null, total: "0" } });
    assert.deepEqual(await ok("/cosmos/bank/v1beta1/denoms_metadata/uqos"), { metadata: uqos });
    const missing = await get(base, "/cosmos/bank/v1beta1/denoms_metadata/ustar");
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { code: 5, message: 'no metadata for denom "ustar": not found', details: [] });
    // a QSC: its name is the base unit, its symbol the display unit when it has decimals
    assert.deepEqual(tokenMetadata({ name: "STAR", symbol: "STR", decimals: 4, description: "d", banker: "", creator: "", paused: false }), {
      description: "d", denomUnits: [{ denom: "STAR", exponent: 0, aliases: [] }, { denom: "STR", exponent: 4, aliases: [] }],
      base: "STAR", display: "STR", name: "STAR", symbol: "STR", uri: "", uriHash: "",
    });
    assert.deepEqual(tokenMetadata({ name: "MOON", symbol: "MOON", decimals: 0, description: "", banker: "", creator: "", paused: false }).denomUnits, [{ denom: "MOON", exponent: 0, aliases: [] }]);
  });
});
