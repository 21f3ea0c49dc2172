// Governance recovery of a frozen or expired QCP light client from a substitute client (issue 12, IBC's
// MsgRecoverClient idea), through the app's ABCI methods: "src" (in-process, headers signed by its
// synthetic validators, test/helpers/qcp-deliver.ts) sends transfers to "dst" (a gentx validator, so its
// governance votes); dst's client of src is frozen by a real conflicting header; a substitute is created
// by a stranger and updated past the old client's trusting period by advancing block time; a
// qcp_recover proposal passes and the waiting deliveries cross exactly once. Every refusal (subject
// active, substitute missing, of another chain, frozen, expired, not newer, too many) has its own code
// and changes nothing; a proposal that passes but whose substitute expired before execution fails and
// leaves the state as it was.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { toBase64 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { issueCertificate, newCaKeyPair, type CaKeyPair } from "../../app/certificate.js";
import { headerHash, type LightBlock } from "../../app/light/index.js";
import { Method, TypeUrl } from "../../gen/names.js";
import * as govTx from "../../gen/qos/gov/v1/tx.js";
import * as gq from "../../gen/qos/gov/v1/query.js";
import { ProposalStatus, VoteOption, type ProposalContent } from "../../gen/qos/gov/v1/types.js";
import {
  MsgCreateClient, MsgCreateSubstitute, MsgCreateSubstituteResponse, MsgRecvQcp, MsgTransfer, MsgUpdateClient,
} from "../../gen/qos/qcp/v1/tx.js";
import {
  QueryClientRequest, QueryClientResponse, QueryConsensusStateRequest, QuerySequencesRequest, QuerySequencesResponse, QuerySubstitutesRequest,
  QuerySubstitutesResponse,
} from "../../gen/qos/qcp/v1/query.js";
import { voucherDenom } from "../../modules/qcp/keeper.js";
import { consensusAddress } from "../../modules/stake/index.js";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { key, makeBlock, type Member } from "../helpers/light-chain.js";
import { clientHeader, clientHeight, createClientMsg, lightSource, recvMsg, sourceBlock, toProtoValidatorSet, type LightSource } from "../helpers/qcp-deliver.js";
import { stakeMsg } from "../helpers/stake.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const Urls = TypeUrl.qos.qcp.v1;
const Paths = Method.qos.qcp.v1.Query;
for (const [url, type] of [
  [Urls.MsgCreateClient, MsgCreateClient], [Urls.MsgUpdateClient, MsgUpdateClient], [Urls.MsgCreateSubstitute, MsgCreateSubstitute],
  [Urls.MsgRecvQcp, MsgRecvQcp], [Urls.MsgTransfer, MsgTransfer],
  [TypeUrl.qos.gov.v1.MsgSubmitProposal, govTx.MsgSubmitProposal], [TypeUrl.qos.gov.v1.MsgVote, govTx.MsgVote],
] as const) registry.register(url, type as never);

const QOS = 1_000_000n;
/** the clients' trusting period here: short, so block time can pass it */
const Trusting = 600n;
const VotingSeconds = 30;
const critical = {
  min_deposit: String(20n * QOS), min_initial_deposit_rate: "0.5", max_deposit_period_secs: VotingSeconds, voting_period_secs: VotingSeconds,
  quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.5",
};
const events = (res: { events: { type: string; attributes: { key: string; value: string }[] }[] }, type: string) =>
  res.events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));

describe("QCP client recovery from a substitute client (qcp_recover)", () => {
  let ca: CaKeyPair;
  let alice: TestAccount, bob: TestAccount, relayer: TestAccount, mallory: TestAccount;
  let src: TestApp, dst: TestApp;
  let srcLight: LightSource, dstLight: LightSource;
  const aliceCons = new Uint8Array(createHash("sha256").update("cons-recover-alice").digest());
  const numbers = new Map<string, number>();
  /** one clock for both chains (unix seconds): a header of src is never ahead of dst's block time */
  let now = GenesisTime.seconds;
  /** a third chain known only by its headers (a client here, no app) */
  const otherMembers: Member[] = [0, 1, 2, 3].map((i) => ({ key: key(`recover other ${i}`), power: 10n }));
  const otherBlock = (h: bigint, seconds: bigint) => makeBlock({ height: h, chainId: "other-1", members: otherMembers, nextMembers: otherMembers, time: { seconds, nanos: 0 } });

  const query = (t: TestApp, path: string, data: Uint8Array) => t.app.query({ path, data, height: 0n, prove: false });
  const ok = <T>(t: TestApp, path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => {
    const res = query(t, path, data);
    assert.equal(res.code, 0, `${path}: ${res.log}`);
    return decode(res.value);
  };
  const accountSeq = (t: TestApp, address: string) =>
    BaseAccount.decode(ok(t, "/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish(), QueryAccountResponse.decode).account!.value).sequence;
  const balance = (t: TestApp, address: string, denom: string) =>
    BigInt(ok(t, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom }).finish(), QueryBalanceResponse.decode).balance!.amount);
  const inSequence = () => ok(dst, Paths.Sequences, QuerySequencesRequest.encode({ chainId: "src" }).finish(), QuerySequencesResponse.decode).inSequence;
  const client = () => ok(dst, Paths.Client, QueryClientRequest.encode({ chainId: "src" }).finish(), QueryClientResponse.decode);
  const substitutes = (chainId = "src") => ok(dst, Paths.Substitutes, QuerySubstitutesRequest.encode({ chainId }).finish(), QuerySubstitutesResponse.decode).substitutes;
  const stateCode = (h: bigint) => query(dst, Paths.ConsensusState, QueryConsensusStateRequest.encode({ chainId: "src", height: h }).finish()).code;
  const proposal = (id: bigint) => ok(dst, "/qos.gov.v1.Query/Proposal", gq.QueryProposalRequest.encode({ proposalId: id }).finish(), gq.QueryProposalResponse.decode).proposal!;
  /** what a refused message must leave as it was: dst's client of src, its substitutes, deliveries, vouchers */
  const snapshot = () => ({
    client: client(), substitutes: substitutes(), other: substitutes("other-1"), in: inSequence(), bob: balance(dst, bob.address, voucherDenom("src", "STAR")),
  });

  async function tx(t: TestApp, chainId: string, signer: TestAccount, msgs: EncodeObject[]) {
    return signTx(signer, msgs, {
      chainId, accountNumber: numbers.get(signer.address)!, sequence: accountSeq(t, signer.address),
      fee: { amount: [{ denom: "uqos", amount: "50000" }], gas: "3000000" },
    });
  }
  /** one src block at the clock (1 s on), with `msgs` by `signer` if given */
  async function srcBlock(signer?: TestAccount, msgs: EncodeObject[] = []) {
    now += 1n;
    const txs = signer ? [await tx(src, "src", signer, msgs)] : [];
    const res = await src.block(txs, { timeSeconds: now });
    if (signer) assert.equal(res.results[0].code, 0, res.results[0].log);
  }
  /** one dst block at the clock (1 s on), alice's validator signing; the tx result when there is one */
  async function dstBlock(signer?: TestAccount, msgs: EncodeObject[] = []) {
    now += 1n;
    const txs = signer ? [await tx(dst, "dst", signer, msgs)] : [];
    const res = await dst.block(txs, { votes: [{ address: consensusAddress(aliceCons), signed: true }], proposer: consensusAddress(aliceCons), timeSeconds: now });
    return res.results[0];
  }
  async function dstOk(signer: TestAccount, msgs: EncodeObject[]) {
    const res = await dstBlock(signer, msgs);
    assert.equal(res.code, 0, res.log);
    return res;
  }
  /** `msgs` refused with qcp `code` (log matching `log`), nothing of the snapshot changed */
  async function refused(signer: TestAccount, msgs: EncodeObject[], code: number, log: RegExp) {
    const before = snapshot();
    const res = await dstBlock(signer, msgs);
    assert.deepEqual([res.codespace, res.code], ["qcp", code], res.log);
    assert.match(res.log, log);
    assert.deepEqual(snapshot(), before);
  }

  const transfer = (amount: string) => ({ typeUrl: Urls.MsgTransfer, value: MsgTransfer.fromPartial({ sender: alice.address, toChain: "dst", receiver: bob.address, denom: "STAR", amount }) });
  const createSubstitute = (block: LightBlock) => ({
    typeUrl: Urls.MsgCreateSubstitute,
    value: MsgCreateSubstitute.fromPartial({ creator: mallory.address, signedHeader: block.signedHeader as never, validatorSet: toProtoValidatorSet(block.validatorSet) }),
  });
  /** src's header `height` into substitute `id`, verified from its state at `trustedHeight` */
  const updateSubstitute = (id: bigint, height: bigint, trustedHeight: bigint, header = clientHeader(srcLight, height, trustedHeight)) =>
    ({ typeUrl: Urls.MsgUpdateClient, value: MsgUpdateClient.fromPartial({ signer: relayer.address, chainId: "src", header, substituteId: id }) });
  const substituteHeight = (id: bigint) => substitutes().find((s) => s.substitute!.id === id)!.substitute!.client!.latestHeight;
  /** creates a substitute of src's `height` (default: src's latest) by a stranger; returns its id */
  async function newSubstitute(height = BigInt(src.height)) {
    const res = await dstOk(mallory, [createSubstitute(sourceBlock(srcLight, height))]);
    const { substituteId, height: at } = MsgCreateSubstituteResponse.decode(TxMsgData.decode(res.data).msgResponses[0].value);
    assert.equal(at, height);
    assert.deepEqual(events(res, "qcp_substitute_created"), [{ chain: "src", substitute: String(substituteId), height: String(height), creator: mallory.address, msg_index: "0" }]);
    return substituteId;
  }
  /** a src block, then substitute `id` updated to it (what a relayer does during the vote) */
  async function keepUpdated(id: bigint) {
    await srcBlock();
    await dstOk(relayer, [updateSubstitute(id, BigInt(src.height), substituteHeight(id))]);
  }
  const recover = (substituteId: bigint, chainId = "src"): Partial<ProposalContent> => ({ qcpRecover: { chainId, substituteId } });
  const submit = (content: Partial<ProposalContent>) => ({
    typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposal,
    value: govTx.MsgSubmitProposal.fromPartial({ proposer: alice.address, content: { title: "recover src", description: "d", ...content }, initialDeposit: String(20n * QOS) }),
  });
  async function propose(content: Partial<ProposalContent>): Promise<bigint> {
    const res = await dstOk(alice, [submit(content)]);
    const id = BigInt(events(res, "submit_proposal")[0].proposal_id);
    await dstOk(alice, [{ typeUrl: TypeUrl.qos.gov.v1.MsgVote, value: govTx.MsgVote.fromPartial({ voter: alice.address, proposalId: id, option: VoteOption.VOTE_OPTION_YES }) }]);
    return id;
  }
  /** dst blocks (src following, substitute `keep` updated each time) until proposal `id` is decided */
  async function untilDecided(id: bigint, keep?: bigint) {
    while (proposal(id).status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      if (keep !== undefined) await keepUpdated(keep);
      else await dstBlock();
    }
    return proposal(id);
  }
  /** the messages that deliver src's entries `seqs` at src's latest header (the client updated first) */
  function deliveries(seqs: bigint[]) {
    const height = BigInt(src.height);
    const trusted = clientHeight(dst, "src");
    const update = trusted < height ? [{ typeUrl: Urls.MsgUpdateClient, value: MsgUpdateClient.fromPartial({ signer: relayer.address, chainId: "src", header: clientHeader(srcLight, height, trusted) }) }] : [];
    return [...update, ...seqs.map((s) => recvMsg(srcLight, "dst", s, relayer.address, height))];
  }

  before(async () => {
    ca = newCaKeyPair();
    [alice, bob, relayer, mallory] = await Promise.all(["r-alice", "r-bob", "r-relayer", "r-mallory"].map(testAccount));
    const all = [alice, bob, relayer, mallory];
    all.forEach((a, i) => numbers.set(a.address, i));
    const qcp = { root_ca_public_key: toBase64(ca.publicKey), params: { max_payload_bytes: 65_536, max_execute_msgs: 16, client_trusting_period_seconds: Number(Trusting), client_max_substitutes: 3 } };
    const genesis = {
      auth: { accounts: all.map((a) => ({ address: a.address })) },
      bank: { balances: all.map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: String(1000n * QOS) }, { denom: "STAR", amount: "1000" }] })) },
      qcp,
    };
    const gentx = await signTx(alice, [stakeMsg.createValidator(alice.address, aliceCons, String(100n * QOS), "alice-node")], { chainId: "dst", accountNumber: 0, sequence: 0, fee: { amount: [], gas: "400000" } });
    src = await createTestApp(genesis, { chainId: "src" });
    dst = await createTestApp({ ...genesis, gov: { params: { normal: critical, important: critical, critical } }, genutil: { gen_txs: [toBase64(gentx)] } }, { chainId: "dst" });
    srcLight = lightSource("src", src);
    dstLight = lightSource("dst", dst);
    await srcBlock();
    await dstBlock();
    // each chain's client of the other from header 1 (a QCP root CA certificate), and dst's of other-1
    now += 1n;
    const res = await src.block([await tx(src, "src", alice, [createClientMsg(dstLight, "src", alice.address, ca, 1n)])], { timeSeconds: now });
    assert.equal(res.results[0].code, 0, res.results[0].log);
    await dstOk(alice, [createClientMsg(srcLight, "dst", alice.address, ca, 1n)]);
    const other = otherBlock(1n, now - 5n);
    const certificate = issueCertificate(ca, {
      qcp: { chainId: "dst", qcpChain: "other-1", relayerPublicKey: new Uint8Array(), trustedHeaderHash: headerHash(other.signedHeader.header) },
      notBefore: GenesisTime.seconds - 10n, notAfter: GenesisTime.seconds + 10_000_000n,
    });
    await dstOk(alice, [{ typeUrl: Urls.MsgCreateClient, value: MsgCreateClient.fromPartial({ creator: alice.address, certificate, signedHeader: other.signedHeader as never, validatorSet: toProtoValidatorSet(other.validatorSet) }) }]);
  });
  after(async () => {
    await src.destroy();
    await dst.destroy();
  });

  test("frozen by a conflicting header, recovered from a substitute kept updated past the old trusting period; every refusal has its own code; deliveries resume exactly once", async () => {
    const Star = voucherDenom("src", "STAR");
    // #1 crosses while the client is active
    await srcBlock(alice, [transfer("10")]);
    await srcBlock();
    await dstOk(relayer, deliveries([1n]));
    assert.equal(balance(dst, bob.address, Star), 10n);

    // an active client: no substitute is created and no recovery proposed (54)
    await refused(mallory, [createSubstitute(sourceBlock(srcLight, BigInt(src.height)))], 54, /the client of src is active: a substitute is for a frozen or expired one/);
    await refused(alice, [submit(recover(1n))], 54, /the client of src is active: nothing to recover/);

    // src's own validators sign a second header at the client's latest height: the update freezes it
    const frozenAt = clientHeight(dst, "src");
    const real = sourceBlock(srcLight, frozenAt).signedHeader.header;
    const members = srcLight.membersAt(frozenAt);
    const evil = makeBlock({ height: frozenAt, chainId: "src", members, nextMembers: members, time: real.time, appHash: new Uint8Array(32).fill(9) });
    const evilHeader = { ...clientHeader(srcLight, 1n, 1n), signedHeader: evil.signedHeader as never, validatorSet: toProtoValidatorSet(evil.validatorSet) };
    const froze = await dstOk(mallory, [{ typeUrl: Urls.MsgUpdateClient, value: MsgUpdateClient.fromPartial({ signer: mallory.address, chainId: "src", header: evilHeader }) }]);
    assert.deepEqual(events(froze, "qcp_client_frozen"), [{ chain: "src", height: String(frozenAt), reason: "conflicting_header", msg_index: "0" }]);
    assert.deepEqual([client().status, client().clientState!.frozenHeight], ["frozen", frozenAt]);

    // #2 and #3 wait: the frozen client refuses them (23)
    await srcBlock(alice, [transfer("20")]);
    await srcBlock(alice, [transfer("30")]);
    await srcBlock();
    await refused(relayer, deliveries([2n, 3n]).slice(-2), 23, /the client of src is frozen/);

    // no substitute 99 (50)
    await refused(alice, [submit(recover(99n))], 50, /there is no substitute client 99/);
    // substitute 1 from the frozen client's own height: not newer (53)
    const sameHeight = await newSubstitute(frozenAt);
    assert.equal(sameHeight, 1n);
    await refused(alice, [submit(recover(1n))], 53, new RegExp(`substitute client 1 is at height ${frozenAt}, the client of src at ${frozenAt}`));

    // substitute 2 frozen by a conflicting header (its own update path, the same rule as the client's)
    const frozenSub = await newSubstitute();
    const h2 = substituteHeight(frozenSub);
    await srcBlock();
    await srcBlock();
    await dstOk(relayer, [updateSubstitute(frozenSub, h2 + 2n, h2)]);
    const realNext = sourceBlock(srcLight, h2 + 2n).signedHeader.header;
    const evilNext = makeBlock({ height: h2 + 2n, chainId: "src", members, nextMembers: members, time: realNext.time, appHash: new Uint8Array(32).fill(7) });
    const subFroze = await dstOk(relayer, [updateSubstitute(frozenSub, 0n, 0n, { ...clientHeader(srcLight, h2 + 2n, h2), signedHeader: evilNext.signedHeader as never, validatorSet: toProtoValidatorSet(evilNext.validatorSet) })]);
    assert.deepEqual(events(subFroze, "qcp_substitute_frozen"), [{ chain: "src", substitute: "2", height: String(h2 + 2n), reason: "conflicting_header", msg_index: "0" }]);
    assert.deepEqual(events(subFroze, "qcp_client_frozen"), [], "the client's own events are not used for substitutes");
    await refused(alice, [submit(recover(2n))], 23, /substitute client 2 is frozen/);
    await refused(relayer, [updateSubstitute(2n, BigInt(src.height), h2 + 2n)], 23, /substitute client 2 is frozen/);

    // substitute 3, the one to recover from; the limit (3) is reached, so the frozen 2 makes room for 4;
    // a fifth finds no frozen or expired one to drop (51)
    const good = await newSubstitute();
    assert.equal(good, 3n);
    const spare = await newSubstitute();
    assert.equal(spare, 4n);
    assert.deepEqual(substitutes().map((s) => s.substitute!.id), [1n, 3n, 4n], "the frozen substitute 2 was dropped");
    await refused(mallory, [createSubstitute(sourceBlock(srcLight, BigInt(src.height)))], 51, /src has 3 active substitute clients/);

    // a substitute of another chain cannot recover src (52); an update naming src for it is refused too
    now += Trusting;
    await dstBlock();
    assert.equal(ok(dst, Paths.Client, QueryClientRequest.encode({ chainId: "other-1" }).finish(), QueryClientResponse.decode).status, "expired");
    await srcBlock();
    // (substitutes 1, 3 and 4 of src expired with that jump; 3 is made again below)
    const otherSub = MsgCreateSubstituteResponse.decode(TxMsgData.decode((await dstOk(mallory, [createSubstitute(otherBlock(2n, now - 2n))])).data).msgResponses[0].value).substituteId;
    assert.equal(otherSub, 5n);
    await refused(alice, [submit(recover(otherSub))], 52, /substitute client 5 is of other-1, not src/);
    await refused(relayer, [updateSubstitute(otherSub, BigInt(src.height), 1n)], 52, /substitute client 5 is of other-1, not src/);

    // the substitutes of src were not updated for a trusting period: expired (24), also for updates
    assert.deepEqual(substitutes().map((s) => s.status), ["expired", "expired", "expired"]);
    await refused(alice, [submit(recover(good))], 24, /substitute client 3 was not updated within its trusting period/);
    await refused(relayer, [updateSubstitute(good, BigInt(src.height), substituteHeight(good))], 24, /substitute client 3 was not updated/);

    // a fresh substitute (6; an expired one, 1, made room), kept updated by a relayer well past the
    // frozen client's trusting period; a header of another chain id is refused as the client refuses it (28)
    const fresh = await newSubstitute();
    assert.equal(fresh, 6n);
    assert.deepEqual(substitutes().map((s) => s.substitute!.id), [3n, 4n, 6n]);
    await srcBlock();
    const foreign = makeBlock({ height: BigInt(src.height), chainId: "src-fork", members, nextMembers: members, time: { seconds: now, nanos: 0 } });
    await refused(relayer, [updateSubstitute(fresh, 0n, 0n, { ...clientHeader(srcLight, BigInt(src.height), substituteHeight(fresh)), signedHeader: foreign.signedHeader as never })], 28, /another chain/);
    for (let i = 0; i < 4; i++) {
      now += Trusting / 3n;
      await keepUpdated(fresh);
    }
    assert.equal(substitutes().find((s) => s.substitute!.id === fresh)!.status, "active");
    const oldLatest = client().clientState!.latestHeight;

    // a proposal that passes but whose substitute expired by its execution fails and changes nothing:
    // substitute 7 (the expired 3 made room) trusts a header 20 s short of the trusting period's end
    await srcBlock();
    const aging = BigInt(src.height);
    now += Trusting - 20n;
    await keepUpdated(fresh);
    const spareAgain = await newSubstitute(aging);
    assert.equal(spareAgain, 7n);
    const doomed = await propose(recover(spareAgain));
    const before = snapshot();
    const failed = await untilDecided(doomed, fresh);
    assert.equal(failed.status, ProposalStatus.PROPOSAL_STATUS_FAILED, failed.result);
    assert.match(failed.result, new RegExp(`passed, but execution failed: substitute client ${spareAgain} was not updated within its trusting period`));
    assert.deepEqual({ ...snapshot(), substitutes: undefined }, { ...before, substitutes: undefined });
    assert.deepEqual(client().clientState!.frozenHeight, frozenAt);
    assert.ok(substitutes().some((s) => s.substitute!.id === spareAgain), "the failed proposal removed no substitute");

    // a chain exported now keeps its substitutes (each with its states), and never reuses an id
    const exported = dst.app.exportAppState() as { qcp: { last_substitute_id: string; chains: Array<{ chain_id: string; substitutes: Array<{ id: string }> }> } };
    assert.equal(exported.qcp.last_substitute_id, "7");
    assert.deepEqual(exported.qcp.chains.find((c) => c.chain_id === "src")!.substitutes.map((sub) => sub.id), substitutes().map((sub) => sub.substitute!.id.toString()));
    const restarted = await createTestApp(exported, { chainId: "dst" });
    try {
      await restarted.block([]);
      assert.deepEqual(restarted.app.exportAppState().qcp, exported.qcp);
      for (const chainId of ["src", "other-1"]) {
        const request = QuerySubstitutesRequest.encode({ chainId }).finish();
        // (the status depends on the last block's time, which differs: the stored substitute and states do not)
        const stored = (t: TestApp) => ok(t, Paths.Substitutes, request, QuerySubstitutesResponse.decode).substitutes.map((sub) => ({ ...sub, status: undefined }));
        assert.deepEqual(stored(restarted), stored(dst));
      }
    } finally {
      await restarted.destroy();
    }

    // the recovery: proposed, the substitute kept updated through the vote, passed
    const id = await propose(recover(fresh));
    assert.equal(proposal(id).level, 3, "qcp_recover proposals are critical-level");
    const passed = await untilDecided(id, fresh);
    assert.equal(passed.status, ProposalStatus.PROPOSAL_STATUS_PASSED, passed.result);
    // (the relayer's last update of the substitute ran in the block that executed the proposal)
    const recoveredAt = BigInt(src.height);
    const c = client();
    assert.deepEqual([c.status, c.clientState!.frozenHeight, c.clientState!.latestHeight], ["active", 0n, recoveredAt]);
    assert.deepEqual(c.latestConsensusState!.headerHash, headerHash(sourceBlock(srcLight, recoveredAt).signedHeader.header), "the substitute's latest header, src's own");
    assert.deepEqual([1n, frozenAt, oldLatest].map(stateCode), [25, 25, 25], "the frozen client's consensus states are gone");
    assert.deepEqual(substitutes(), [], "every substitute of src is removed");
    assert.equal(substitutes("other-1").length, 1, "another chain's substitute stays");
    assert.equal(inSequence(), 1n, "the route's sequences are untouched");

    // deliveries resume: #2 and #3 exactly once; again is refused (3), nothing minted twice
    await srcBlock();
    await dstOk(relayer, deliveries([2n, 3n]));
    assert.equal(inSequence(), 3n);
    assert.equal(balance(dst, bob.address, Star), 60n);
    await srcBlock();
    const again = await dstBlock(relayer, deliveries([3n]));
    assert.deepEqual([again.codespace, again.code], ["qcp", 3], again.log);
    assert.equal(balance(dst, bob.address, Star), 60n);
  });
});
