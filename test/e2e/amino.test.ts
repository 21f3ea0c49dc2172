// Keplr's and Ledger's signing path against a real node (a one-validator testnet: qosd + CometBFT, the
// validator from a gentx, so it earns rewards): @cosmjs/amino's Secp256k1HdWallet through a connected
// SigningStargateClient, SIGN_MODE_LEGACY_AMINO_JSON, sends a MsgSend, a cosmos.staking MsgDelegate, a
// qos/MsgSubmitProposal and a cosmos.gov MsgVote, and a cosmos.distribution MsgWithdrawDelegatorReward; each
// result is read back exactly (balances, the delegation, the vote, the rewards paid). A tampered amino
// signature is refused by the node in CheckTx.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { AminoTypes, GasPrice, QueryClient, SigningStargateClient, createDefaultAminoConverters, type DeliverTxResponse } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { MsgDelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgVote } from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { MsgWithdrawDelegatorReward } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { qosAminoConverters } from "../../client/amino.js";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { toValAddress } from "../../modules/stake/index.js";
import { TypeUrl } from "../../gen/names.js";
import * as govTx from "../../gen/qos/gov/v1/tx.js";
import * as gq from "../../gen/qos/gov/v1/query.js";
import * as sq from "../../gen/qos/stake/v1/query.js";
import * as dq from "../../gen/qos/distribution/v1/query.js";
import { createTestnet, type Testnet } from "../../testnet/testnet.js";
import { hdPath, registry } from "../helpers/wallet.js";

const QOS = 1_000_000n;
const mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const level = {
  min_deposit: String(10n * QOS), min_initial_deposit_rate: "0.5", max_deposit_period_secs: 60, voting_period_secs: 600,
  quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.2",
};
registry.register(TypeUrl.qos.gov.v1.MsgSubmitProposal, govTx.MsgSubmitProposal as never);

type Attr = { key: string; value: string };
const eventAttrs = (r: DeliverTxResponse, type: string) =>
  r.events.filter((e) => e.type === type).map((e) => Object.fromEntries((e.attributes as Attr[]).filter((a) => a.key !== "msg_index").map((a) => [a.key, a.value])));

describe("amino JSON signing (Keplr / Ledger path) against a real node", () => {
  let net: Testnet;
  let client: SigningStargateClient;
  let query: QueryClient;
  let me = "";
  let validator = "";
  const other = toAccAddress(new Uint8Array(20).fill(9));

  const abci = async <T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T) => decode((await query.queryAbci(path, data)).value);
  const uqos = async (address: string) => BigInt((await client.getBalance(address, "uqos")).amount);
  /** the fee the tx paid (the tx event the ante emits) */
  const feeOf = (r: DeliverTxResponse) => BigInt(eventAttrs(r, "tx").find((a) => a.fee !== undefined)!.fee.replace(/uqos$/, "") || "0");

  before(async () => {
    const wallet = await Secp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "qosacc", hdPaths: [hdPath] });
    [{ address: me }] = await wallet.getAccounts();
    net = await createTestnet({
      validators: 1,
      chainId: "qos-amino-e2e-1",
      accounts: [{ address: me, coins: `${1000n * QOS}uqos` }],
      timeoutCommit: "300ms",
      genesisPatch: (genesis) => {
        genesis.app_state.gov = { ...genesis.app_state.gov, params: { normal: level, important: level, critical: level } };
      },
    });
    await net.startAll();
    validator = toValAddress(parseAccAddress(net.nodes[0].owner!));
    client = await SigningStargateClient.connectWithSigner(net.nodes[0].rpcUrl, wallet, {
      registry,
      aminoTypes: new AminoTypes({ ...createDefaultAminoConverters(), ...qosAminoConverters() }),
      gasPrice: GasPrice.fromString("0.025uqos"),
    });
    query = QueryClient.withExtensions(await Comet38Client.connect(net.nodes[0].rpcUrl));
  });
  after(async () => {
    client?.disconnect();
    await net?.destroy();
  });

  test("a send: the amount arrives, the sender pays amount + fee", async () => {
    const before = await uqos(me);
    const r = await client.signAndBroadcast(me, [{ typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend, value: MsgSend.fromPartial({ fromAddress: me, toAddress: other, amount: [{ denom: "uqos", amount: "777" }] }) }], "auto", "amino send");
    assert.equal(r.code, 0, r.rawLog);
    assert.equal(await uqos(other), 777n);
    assert.equal(await uqos(me), before - 777n - feeOf(r));
  });

  test("a cosmos.staking delegation: the qos delegation holds exactly the amount", async () => {
    const r = await client.signAndBroadcast(me, [{ typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgDelegate, value: MsgDelegate.fromPartial({ delegatorAddress: me, validatorAddress: validator, amount: { denom: "uqos", amount: String(25n * QOS) } }) }], "auto");
    assert.equal(r.code, 0, r.rawLog);
    assert.deepEqual(eventAttrs(r, "delegate"), [{ validator, delegator: me, amount: "25000000uqos" }]);
    const d = await abci("/qos.stake.v1.Query/Delegation", sq.QueryDelegationRequest.encode({ delegator: me, validator }).finish(), sq.QueryDelegationResponse.decode);
    assert.equal(d.delegation!.amount, String(25n * QOS));
  });

  test("a qos/MsgSubmitProposal and a cosmos.gov vote: the vote is stored with its option", async () => {
    const submit = await client.signAndBroadcast(me, [{
      typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposal,
      value: govTx.MsgSubmitProposal.fromPartial({ proposer: me, content: { title: "amino", description: "signed in amino JSON", text: {} }, initialDeposit: String(10n * QOS) }),
    }], "auto");
    assert.equal(submit.code, 0, submit.rawLog);
    const id = BigInt(eventAttrs(submit, "submit_proposal")[0].proposal_id);
    const r = await client.signAndBroadcast(me, [{ typeUrl: TypeUrl.cosmos.gov.v1beta1.MsgVote, value: MsgVote.fromPartial({ proposalId: id, voter: me, option: 3 }) }], "auto");
    assert.equal(r.code, 0, r.rawLog);
    const votes = await abci("/qos.gov.v1.Query/Votes", gq.QueryVotesRequest.encode({ proposalId: id, pagination: undefined }).finish(), gq.QueryVotesResponse.decode);
    assert.deepEqual(votes.votes.map((v) => [v.voter, v.option]), [[me, 3]]);
  });

  test("a reward withdrawal pays exactly what the withdraw_rewards event says, and nothing stays pending", async () => {
    const before = await uqos(me);
    const r = await client.signAndBroadcast(me, [{ typeUrl: TypeUrl.cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward, value: MsgWithdrawDelegatorReward.fromPartial({ delegatorAddress: me, validatorAddress: validator }) }], "auto");
    assert.equal(r.code, 0, r.rawLog);
    const [paid] = eventAttrs(r, "withdraw_rewards");
    const rewards = BigInt(paid.amount.replace(/uqos$/, ""));
    assert.ok(rewards > 0n, "the validator signed blocks since the delegation");
    assert.equal(await uqos(me), before + rewards - feeOf(r));
    const pending = await query.queryAbci("/qos.distribution.v1.Query/PendingRewards", dq.QueryPendingRewardsRequest.encode({ delegator: me, validator }).finish(), r.height);
    assert.deepEqual(dq.QueryPendingRewardsResponse.decode(pending.value), { rewards: "0", commission: "0" });
  });

  test("a tampered amino signature is refused in CheckTx (sdk 4) and the sequence stays", async () => {
    const { accountNumber, sequence } = await client.getSequence(me);
    const signed = await client.sign(me, [{ typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend, value: MsgSend.fromPartial({ fromAddress: me, toAddress: other, amount: [{ denom: "uqos", amount: "1" }] }) }],
      { amount: [{ denom: "uqos", amount: "10000" }], gas: "200000" }, "", { accountNumber: BigInt(accountNumber), sequence, chainId: net.chainId });
    signed.signatures[0][5] ^= 1;
    await assert.rejects(client.broadcastTx(TxRaw.encode(signed).finish()), /code 4\b|unauthorized|signature verification failed/);
    assert.equal((await client.getSequence(me)).sequence, sequence);
  });
});
