// The endpoints Keplr and Ping.pub call (issue 15 part 7), against a real one-validator node (qosd + CometBFT, the
// validator from a gentx, so it signs blocks and earns rewards), with real state made the way Keplr makes it:
// txs signed by the wallet, simulated and broadcast over REST (a delegation, an undelegation, a proposal with a
// second deposit and a vote), then every page's reads. Each answer is checked for the fields those clients read,
// with exact values: amounts from what was sent, rewards and commission against qos.distribution's own query at
// the same height (x-cosmos-block-height). Bad input (bad addresses, unknown statuses, huge limits) → the SDK's
// error body with a 4xx.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromBase64, toBase64, toBech32 } from "@cosmjs/encoding";
import { QueryClient } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { MsgDelegate, MsgUndelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgVote } from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { parseAccAddress } from "../../app/address.js";
import { consensusAddress, toValAddress } from "../../modules/stake/index.js";
import { TypeUrl } from "../../gen/names.js";
import * as govTx from "../../gen/qos/gov/v1/tx.js";
import * as dq from "../../gen/qos/distribution/v1/query.js";
import { createTestnet, type Testnet } from "../../testnet/testnet.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const QOS = 1_000_000n;
const chainId = "qos-explorers-1";
const level = {
  min_deposit: String(10n * QOS), min_initial_deposit_rate: "0.5", max_deposit_period_secs: 600, voting_period_secs: 600,
  quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.2",
};
registry.register(TypeUrl.qos.gov.v1.MsgSubmitProposal, govTx.MsgSubmitProposal as never);
registry.register(TypeUrl.qos.gov.v1.MsgDeposit, govTx.MsgDeposit as never);
const dec18 = (whole: bigint) => `${whole}.000000000000000000`;
const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

interface Reply {
  status: number;
  height: number;
  body: any;
}

describe("Keplr's and Ping.pub's endpoints on a real node", () => {
  let net: Testnet;
  let base = "";
  let abci: QueryClient;
  let comet: Comet38Client;
  let me: TestAccount, friend: TestAccount;
  let validator = "";
  let owner = "";
  let proposalId = "";
  let unbondHeight = "";

  const get = async (path: string, headers: Record<string, string> = {}): Promise<Reply> => {
    const res = await fetch(base + path, { headers, signal: AbortSignal.timeout(15_000) });
    return { status: res.status, height: Number(res.headers.get("x-cosmos-block-height")), body: await res.json() };
  };
  const ok = async (path: string, headers: Record<string, string> = {}): Promise<Reply> => {
    const res = await get(path, headers);
    assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
    return res;
  };
  const post = async (path: string, body: unknown): Promise<Reply> => {
    const res = await fetch(base + path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" }, signal: AbortSignal.timeout(15_000) });
    return { status: res.status, height: Number(res.headers.get("x-cosmos-block-height")), body: await res.json() };
  };

  /** Keplr's send path: account → simulate (gas) → sign → POST txs (SYNC) → poll the tx by hash. */
  async function keplrSend(signer: TestAccount, msgs: { typeUrl: string; value: unknown }[]): Promise<any> {
    const { body } = await ok(`/cosmos/auth/v1beta1/accounts/${signer.address}`);
    const { account_number: accountNumber, sequence } = body.account;
    const draft = await signTx(signer, msgs as never, { chainId, accountNumber: BigInt(accountNumber), sequence: BigInt(sequence), fee: { amount: [], gas: "0" } });
    const sim = await post("/cosmos/tx/v1beta1/simulate", { tx_bytes: toBase64(draft) });
    assert.equal(sim.status, 200, JSON.stringify(sim.body));
    const gas = (BigInt(sim.body.gas_info.gas_used) * 13n) / 10n;
    const tx = await signTx(signer, msgs as never, {
      chainId, accountNumber: BigInt(accountNumber), sequence: BigInt(sequence),
      fee: { amount: [{ denom: "uqos", amount: String((gas * 25n + 999n) / 1000n) }], gas: String(gas) },
    });
    const sent = await post("/cosmos/tx/v1beta1/txs", { tx_bytes: toBase64(tx), mode: "BROADCAST_MODE_SYNC" });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.tx_response.code, 0, sent.body.tx_response.raw_log);
    for (let i = 0; i < 150; i++) {
      const found = await get(`/cosmos/tx/v1beta1/txs/${sent.body.tx_response.txhash}`);
      if (found.status === 200) {
        assert.equal(found.body.tx_response.code, 0, found.body.tx_response.raw_log);
        return found.body.tx_response;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`tx ${sent.body.tx_response.txhash} not found in a block`);
  }
  const attribute = (r: any, type: string, key: string) => r.events.find((e: any) => e.type === type)?.attributes.find((a: any) => a.key === key)?.value;

  before(async () => {
    me = await testAccount("explorers-me");
    friend = await testAccount("explorers-friend");
    net = await createTestnet({
      validators: 1,
      chainId,
      accounts: [{ address: me.address, coins: `${1000n * QOS}uqos` }, { address: friend.address, coins: `${100n * QOS}uqos` }],
      timeoutCommit: "300ms",
      genesisPatch: (genesis) => {
        genesis.app_state.gov = { ...genesis.app_state.gov, params: { normal: level, important: level, critical: level } };
      },
    });
    await net.startAll();
    base = `http://${net.nodes[0].manifest.appListen.rest_address}`;
    owner = net.nodes[0].owner!;
    validator = toValAddress(parseAccAddress(owner));
    comet = await Comet38Client.connect(net.nodes[0].rpcUrl);
    abci = QueryClient.withExtensions(comet);

    await keplrSend(me, [{ typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgDelegate, value: MsgDelegate.fromPartial({ delegatorAddress: me.address, validatorAddress: validator, amount: { denom: "uqos", amount: String(30n * QOS) } }) }]);
    const unbond = await keplrSend(me, [{ typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgUndelegate, value: MsgUndelegate.fromPartial({ delegatorAddress: me.address, validatorAddress: validator, amount: { denom: "uqos", amount: String(5n * QOS) } }) }]);
    unbondHeight = unbond.height;
    const submit = await keplrSend(me, [{
      typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposal,
      value: govTx.MsgSubmitProposal.fromPartial({ proposer: me.address, content: { title: "Explorers", description: "Read by Ping.pub", text: {} }, initialDeposit: String(10n * QOS) }),
    }]);
    proposalId = attribute(submit, "submit_proposal", "proposal_id");
    await keplrSend(friend, [{ typeUrl: TypeUrl.qos.gov.v1.MsgDeposit, value: govTx.MsgDeposit.fromPartial({ proposalId: BigInt(proposalId), depositor: friend.address, amount: String(3n * QOS) }) }]);
    await keplrSend(me, [{ typeUrl: TypeUrl.cosmos.gov.v1beta1.MsgVote, value: MsgVote.fromPartial({ proposalId: BigInt(proposalId), voter: me.address, option: 1 }) }]);
  });
  after(async () => {
    comet?.disconnect();
    await net?.destroy();
  });

  test("Keplr: staking pages (bonded validators, my delegations and unbondings, params, pool)", async () => {
    const bonded = await ok("/cosmos/staking/v1beta1/validators?status=BOND_STATUS_BONDED&pagination.limit=200");
    assert.equal(bonded.body.validators.length, 1);
    const v = bonded.body.validators[0];
    assert.equal(v.operator_address, validator);
    assert.equal(v.status, "BOND_STATUS_BONDED");
    assert.equal(v.jailed, false);
    assert.equal(v.consensus_pubkey["@type"], "/cosmos.crypto.ed25519.PubKey");
    assert.deepEqual(fromBase64(v.consensus_pubkey.key), net.nodes[0].consensusPubkey);
    assert.equal(v.delegator_shares, `${v.tokens}.000000000000000000`);
    assert.match(v.commission.commission_rates.rate, /^0\.\d{18}$/);
    assert.equal(typeof v.description.moniker, "string");
    const selfBond = BigInt(v.tokens) - 25n * QOS;
    assert.ok(selfBond > 0n);

    const mine = await ok(`/cosmos/staking/v1beta1/delegations/${me.address}`);
    assert.deepEqual(mine.body.delegation_responses, [{
      delegation: { delegator_address: me.address, validator_address: validator, shares: dec18(25n * QOS) }, balance: { denom: "uqos", amount: String(25n * QOS) },
    }]);
    const unbonding = await ok(`/cosmos/staking/v1beta1/delegators/${me.address}/unbonding_delegations`);
    assert.equal(unbonding.body.unbonding_responses.length, 1);
    const u = unbonding.body.unbonding_responses[0];
    assert.deepEqual([u.delegator_address, u.validator_address, u.entries.length], [me.address, validator, 1]);
    assert.deepEqual([u.entries[0].creation_height, u.entries[0].balance, u.entries[0].initial_balance], [unbondHeight, String(5n * QOS), String(5n * QOS)]);
    assert.match(u.entries[0].completion_time, iso);
    const params = await ok("/cosmos/staking/v1beta1/params");
    assert.deepEqual(params.body.params.bond_denom, "uqos");
    assert.match(params.body.params.unbonding_time, /^\d+s$/);
    const pool = await ok("/cosmos/staking/v1beta1/pool");
    assert.deepEqual(pool.body.pool, { bonded_tokens: v.tokens, not_bonded_tokens: String(5n * QOS) });
  });

  test("Keplr: my rewards, equal to qos.distribution's at the same height; Ping.pub: commission and outstanding rewards", async () => {
    const rewards = await ok(`/cosmos/distribution/v1beta1/delegators/${me.address}/rewards`);
    const pending = dq.QueryPendingRewardsResponse.decode((await abci.queryAbci("/qos.distribution.v1.Query/PendingRewards", dq.QueryPendingRewardsRequest.encode({ delegator: me.address, validator }).finish(), rewards.height)).value);
    assert.ok(BigInt(pending.rewards) > 0n, "the validator signed blocks since the delegation");
    assert.deepEqual(rewards.body, {
      rewards: [{ validator_address: validator, reward: [{ denom: "uqos", amount: dec18(BigInt(pending.rewards)) }] }],
      total: [{ denom: "uqos", amount: dec18(BigInt(pending.rewards)) }],
    });
    const at = { "x-cosmos-block-height": String(rewards.height) };
    const qosValidator = dq.QueryValidatorResponse.decode((await abci.queryAbci("/qos.distribution.v1.Query/Validator", dq.QueryValidatorRequest.encode({ validator }).finish(), rewards.height)).value);
    assert.deepEqual((await ok(`/cosmos/distribution/v1beta1/validators/${validator}/commission`, at)).body, { commission: { commission: [{ denom: "uqos", amount: dec18(BigInt(qosValidator.commission)) }] } });
    assert.deepEqual((await ok(`/cosmos/distribution/v1beta1/validators/${validator}/outstanding_rewards`, at)).body, { rewards: { rewards: [{ denom: "uqos", amount: dec18(BigInt(qosValidator.outstanding)) }] } });
    const pool = dq.QueryCommunityPoolResponse.decode((await abci.queryAbci("/qos.distribution.v1.Query/CommunityPool", new Uint8Array(), rewards.height)).value);
    assert.deepEqual((await ok("/cosmos/distribution/v1beta1/community_pool", at)).body, { pool: BigInt(pool.amount) === 0n ? [] : [{ denom: "uqos", amount: dec18(BigInt(pool.amount)) }] });
    const delegators = await ok(`/cosmos/staking/v1beta1/validators/${validator}/delegations`);
    assert.deepEqual(delegators.body.delegation_responses.map((d: any) => d.delegation.delegator_address).sort(), [me.address, owner].sort());
  });

  test("Ping.pub: supply, denoms metadata, mint inflation and annual provisions", async () => {
    const supply = await ok("/cosmos/bank/v1beta1/supply");
    const uqos = supply.body.supply.find((c: any) => c.denom === "uqos");
    assert.match(uqos.amount, /^[1-9]\d*$/);
    const at = { "x-cosmos-block-height": String(supply.height) };
    assert.deepEqual((await ok("/cosmos/bank/v1beta1/supply/by_denom?denom=uqos", at)).body, { amount: uqos });
    assert.deepEqual((await ok("/cosmos/bank/v1beta1/supply/uqos", at)).body, { amount: uqos });
    const metadata = await ok("/cosmos/bank/v1beta1/denoms_metadata");
    assert.deepEqual(metadata.body.metadatas[0], {
      description: "The native token of the QOS public chain: fees, staking and governance.",
      denom_units: [{ denom: "uqos", exponent: 0, aliases: [] }, { denom: "qos", exponent: 6, aliases: [] }],
      base: "uqos", display: "qos", name: "QOS", symbol: "QOS", uri: "", uri_hash: "",
    });
    // inflation = annual provisions ÷ the uqos supply, both 18-digit decimals rounded down, at one height
    const atomics = (dec: string) => BigInt(dec.replace(".", ""));
    const inflation = await ok("/cosmos/mint/v1beta1/inflation", at);
    const provisions = await ok("/cosmos/mint/v1beta1/annual_provisions", at);
    assert.match(inflation.body.inflation, /^\d+\.\d{18}$/);
    assert.match(provisions.body.annual_provisions, /^[1-9]\d*\.\d{18}$/);
    assert.equal(atomics(inflation.body.inflation), atomics(provisions.body.annual_provisions) / BigInt(uqos.amount));
    assert.ok(atomics(inflation.body.inflation) > 0n);
    const mintParams = await ok("/cosmos/mint/v1beta1/params");
    assert.equal(mintParams.body.params.mint_denom, "uqos");
    assert.equal(mintParams.body.params.blocks_per_year, "10519200");
  });

  test("Ping.pub: the proposal with its deposits, votes and live tally; params of staking, mint, gov, distribution, slashing", async () => {
    const list = await ok("/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_VOTING_PERIOD");
    assert.deepEqual(list.body.proposals.map((p: any) => p.id), [proposalId]);
    const p = (await ok(`/cosmos/gov/v1/proposals/${proposalId}`)).body.proposal;
    assert.deepEqual(p, list.body.proposals[0]);
    assert.deepEqual([p.title, p.summary, p.proposer, p.status], ["Explorers", "Read by Ping.pub", me.address, "PROPOSAL_STATUS_VOTING_PERIOD"]);
    assert.deepEqual(p.total_deposit, [{ denom: "uqos", amount: String(13n * QOS) }]);
    assert.equal(p.messages[0]["@type"], "/cosmos.gov.v1.MsgExecLegacyContent");
    for (const t of [p.submit_time, p.deposit_end_time, p.voting_start_time, p.voting_end_time]) assert.match(t, iso);
    const deposits = await ok(`/cosmos/gov/v1/proposals/${proposalId}/deposits`);
    assert.deepEqual(deposits.body.deposits.map((d: any) => [d.depositor, d.amount]).sort(), [
      [me.address, [{ denom: "uqos", amount: String(10n * QOS) }]], [friend.address, [{ denom: "uqos", amount: String(3n * QOS) }]],
    ].sort());
    assert.deepEqual((await ok(`/cosmos/gov/v1/proposals/${proposalId}/votes`)).body.votes, [
      { proposal_id: proposalId, voter: me.address, options: [{ option: "VOTE_OPTION_YES", weight: "1.000000000000000000" }], metadata: "" },
    ]);
    // my 25 QOS delegated vote yes; the validator has not voted
    assert.deepEqual((await ok(`/cosmos/gov/v1/proposals/${proposalId}/tally`)).body.tally, { yes_count: String(25n * QOS), abstain_count: "0", no_count: "0", no_with_veto_count: "0" });
    assert.deepEqual((await ok("/cosmos/gov/v1/params/voting")).body.voting_params, { voting_period: "600s" });
    assert.deepEqual((await ok("/cosmos/gov/v1/params/deposit")).body.deposit_params, { min_deposit: [{ denom: "uqos", amount: String(10n * QOS) }], max_deposit_period: "600s" });
    assert.deepEqual((await ok("/cosmos/gov/v1/params/tally")).body.tally_params, { quorum: "0.334000000000000000", threshold: "0.500000000000000000", veto_threshold: "0.334000000000000000" });
    assert.equal((await ok("/cosmos/staking/v1beta1/params")).body.params.max_validators, 21);
    assert.equal((await ok("/cosmos/mint/v1beta1/params")).body.params.inflation_rate_change, "0.000000000000000000");
    assert.equal((await ok("/cosmos/distribution/v1beta1/params")).body.params.base_proposer_reward, "0.040000000000000000");
    const slashing = (await ok("/cosmos/slashing/v1beta1/params")).body.params;
    const stake = JSON.parse((await ok("/qos/stake/v1/params")).body.params_json);
    assert.equal(slashing.signed_blocks_window, String(stake.voting_status_len));
    assert.equal(BigInt(slashing.min_signed_per_window.replace(".", "")), (BigInt(stake.voting_status_least) * 10n ** 18n) / BigInt(stake.voting_status_len));
  });

  test("Ping.pub: signing infos of the validator set (the keep-alive window)", async () => {
    const infos = await ok("/cosmos/slashing/v1beta1/signing_infos");
    const address = toBech32("qoscons", consensusAddress(net.nodes[0].consensusPubkey));
    assert.deepEqual(infos.body.info.map((i: any) => i.address), [address]);
    assert.equal(infos.body.info[0].missed_blocks_counter, "0");
    assert.equal(infos.body.info[0].tombstoned, false);
    // at the list's height: index_offset counts blocks, so a block between the two reads would move it
    const at = { "x-cosmos-block-height": String(infos.height) };
    assert.deepEqual((await ok(`/cosmos/slashing/v1beta1/signing_infos/${address}`, at)).body.val_signing_info, infos.body.info[0]);
    // the validator set Ping.pub joins them with: the same consensus address
    const set = await ok("/cosmos/base/tendermint/v1beta1/validatorsets/latest");
    assert.deepEqual(set.body.validators.map((v: any) => v.address), [address]);
  });

  test("pagination and bad input: SDK error bodies with 4xx; blocks go on", async () => {
    const accounts = await ok("/cosmos/auth/v1beta1/accounts?pagination.limit=1&pagination.count_total=true");
    assert.equal(accounts.body.accounts.length, 1);
    assert.equal(accounts.body.accounts[0]["@type"], "/cosmos.auth.v1beta1.BaseAccount");
    assert.ok(Number(accounts.body.pagination.total) >= 3);
    const next = await ok(`/cosmos/auth/v1beta1/accounts?pagination.limit=1&pagination.key=${encodeURIComponent(accounts.body.pagination.next_key)}`);
    assert.notEqual(next.body.accounts[0].address, accounts.body.accounts[0].address);
    assert.deepEqual((await ok("/cosmos/auth/v1beta1/bech32")).body, { bech32_prefix: "qosacc" });
    const height = await net.nodes[0].height();
    const cases: Array<[string, number, number]> = [
      ["/cosmos/staking/v1beta1/validators?status=BOND_STATUS_SOMETHING", 400, 3],
      ["/cosmos/staking/v1beta1/delegations/qosacc1bad", 400, 3],
      ["/cosmos/staking/v1beta1/delegators/cosmos1abc/unbonding_delegations", 400, 3],
      [`/cosmos/staking/v1beta1/validators/${toValAddress(new Uint8Array(20).fill(7))}`, 404, 5],
      [`/cosmos/distribution/v1beta1/delegators/${me.address}/rewards/qosval1bad`, 400, 3],
      [`/cosmos/staking/v1beta1/validators?pagination.limit=${"9".repeat(30)}`, 400, 3],
      ["/cosmos/gov/v1/proposals/424242", 404, 5],
      ["/cosmos/gov/v1/params/everything", 400, 3],
      ["/cosmos/bank/v1beta1/denoms_metadata/nosuchdenom", 404, 5],
    ];
    for (const [path, status, code] of cases) {
      const res = await get(path);
      assert.equal(res.status, status, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, code, path);
      assert.equal(typeof res.body.message, "string");
      assert.deepEqual(res.body.details, []);
    }
    // a limit above the maximum is clamped: an answer, not an unbounded one
    assert.equal((await ok("/cosmos/staking/v1beta1/validators?pagination.limit=100000000")).body.validators.length, 1);
    await net.nodes[0].waitForHeight(height + 2, 30_000);
  });
});
