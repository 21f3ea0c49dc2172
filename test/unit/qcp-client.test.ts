// The on-chain light client (modules/qcp/client.ts) through the app's ABCI methods: a counterpart chain
// "cp-1" made of synthetic signed headers (test/helpers/light-chain.ts), a client created by a root CA
// certificate, updated by anyone, and every attack refused with its own code, nothing stored.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { toBase64 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { issueCertificate, newCaKeyPair } from "../../app/certificate.js";
import { headerHash, lightBlockFromRpc, verifyBisection, type LightBlock, type ValidatorSet } from "../../app/light/index.js";
import { Method, TypeUrl } from "../../gen/names.js";
import {
  MsgCreateClient, MsgCreateClientResponse, MsgSubmitMisbehaviour, MsgSubmitMisbehaviourResponse, MsgUpdateClient, MsgUpdateClientResponse,
} from "../../gen/qos/qcp/v1/tx.js";
import {
  QueryClientRequest, QueryClientResponse, QueryConsensusStateRequest, QueryConsensusStateResponse,
} from "../../gen/qos/qcp/v1/query.js";
import { clientJson, consensusStateJson } from "../../modules/qcp/cli.js";
import { createTestApp, GenesisTime } from "../helpers/app.js";
import { at, key, makeBlock, protoValidatorSet, setOf, type Member } from "../helpers/light-chain.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const Urls = TypeUrl.qos.qcp.v1;
const Paths = Method.qos.qcp.v1.Query;
registry.register(Urls.MsgCreateClient, MsgCreateClient as never);
registry.register(Urls.MsgUpdateClient, MsgUpdateClient as never);
registry.register(Urls.MsgSubmitMisbehaviour, MsgSubmitMisbehaviour as never);

const Cp = "cp-1";
/** counterpart header h has time HeaderT0 + 10 h s, well inside the trusting period at this chain's block times */
const HeaderT0 = GenesisTime.seconds - 5_000n;
const v = [0, 1, 2, 3, 4].map((i) => ({ key: key(`cp validator ${i}`), power: 10n }));
const genesisSet: Member[] = v.slice(0, 4);
/** the set from height 7: v4 joins with 50 (so the 4 old ones hold 40 of 90: 44%) */
const grownSet: Member[] = [...v.slice(0, 4), { key: v[4].key, power: 50n }];
const membersAt = (h: bigint): Member[] => (h >= 7n ? grownSet : genesisSet);

function cpBlock(h: bigint, over: Partial<Parameters<typeof makeBlock>[0]> = {}): LightBlock {
  return makeBlock({ height: h, members: membersAt(h), nextMembers: membersAt(h + 1n), time: at(HeaderT0 + 10n * h), chainId: Cp, ...over });
}

const protoSet = protoValidatorSet;
const setOfHeight = (h: bigint) => cpBlock(h).validatorSet;

/** the first message's response in a tx result's TxMsgData */
const response = (res: { data: Uint8Array }) => TxMsgData.decode(res.data).msgResponses[0].value;
const events = (res: { events: { type: string; attributes: { key: string; value: string }[] }[] }, type: string) =>
  res.events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));

/** A chain "dst" whose qcp trusts a fresh root CA, two funded accounts, and helpers to send client messages. */
async function clientEnv(params: Record<string, unknown> = {}) {
  const ca = newCaKeyPair();
  const [creator, anyone] = await Promise.all(["lc-creator", "lc-anyone"].map(testAccount));
  const numbers = new Map([creator, anyone].map((a, i) => [a.address, i]));
  const t = await createTestApp({
    auth: { accounts: [creator, anyone].map((a) => ({ address: a.address })) },
    bank: { balances: [creator, anyone].map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: "100000000" }] })) },
    qcp: { root_ca_public_key: toBase64(ca.publicKey), params: { max_payload_bytes: 65_536, max_execute_msgs: 16, ...params } },
  }, { chainId: "dst" });
  await t.block([]);

  const q = (path: string, data: Uint8Array) => t.app.query({ path, data, height: 0n, prove: false });
  const clientOf = (chain: string) => QueryClientResponse.decode(q(Paths.Client, QueryClientRequest.encode({ chainId: chain }).finish()).value);
  const stateAt = (chain: string, height: bigint) => q(Paths.ConsensusState, QueryConsensusStateRequest.encode({ chainId: chain, height }).finish());

  /** one block with one tx of `msgs` by `signer`, at block time `timeSeconds` (default genesis + height) */
  async function run(signer: TestAccount, msgs: EncodeObject[], timeSeconds?: bigint) {
    const res = q("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: signer.address }).finish());
    const sequence = BaseAccount.decode(QueryAccountResponse.decode(res.value).account!.value).sequence;
    const tx = await signTx(signer, msgs, {
      chainId: "dst", accountNumber: numbers.get(signer.address)!, sequence,
      fee: { amount: [{ denom: "uqos", amount: "50000" }], gas: "2000000" },
    });
    return (await t.block([tx], { timeSeconds })).results[0];
  }

  const cert = (header: LightBlock, over: { chainId?: string; qcpChain?: string; hash?: Uint8Array; relayerKey?: Uint8Array } = {}) =>
    issueCertificate(ca, {
      qcp: { chainId: over.chainId ?? "dst", qcpChain: over.qcpChain ?? header.signedHeader.header.chainId, relayerPublicKey: over.relayerKey ?? new Uint8Array(), trustedHeaderHash: over.hash ?? headerHash(header.signedHeader.header) },
      notBefore: GenesisTime.seconds - 10n, notAfter: GenesisTime.seconds + 100_000_000n,
    });
  const createMsg = (block: LightBlock, certificate = cert(block)) => ({
    typeUrl: Urls.MsgCreateClient,
    value: MsgCreateClient.fromPartial({ creator: creator.address, certificate, signedHeader: block.signedHeader, validatorSet: protoSet(block.validatorSet) }),
  });
  const clientHeader = (block: LightBlock, trustedHeight: bigint, trustedValidators: ValidatorSet) =>
    ({ signedHeader: block.signedHeader, validatorSet: protoSet(block.validatorSet), trustedHeight, trustedValidators: protoSet(trustedValidators) });
  const updateMsg = (block: LightBlock, trustedHeight: bigint, trustedValidators = setOfHeight(trustedHeight + 1n), chain = block.signedHeader.header.chainId) => ({
    typeUrl: Urls.MsgUpdateClient,
    value: MsgUpdateClient.fromPartial({ signer: anyone.address, chainId: chain, header: clientHeader(block, trustedHeight, trustedValidators) }),
  });
  /** two headers, each [block, trusted height, trusted next set] */
  const misbehaviourMsg = (chain: string, one: [LightBlock, bigint, ValidatorSet], two: [LightBlock, bigint, ValidatorSet]) => ({
    typeUrl: Urls.MsgSubmitMisbehaviour,
    value: MsgSubmitMisbehaviour.fromPartial({ signer: anyone.address, chainId: chain, header1: clientHeader(...one), header2: clientHeader(...two) }),
  });
  const expectCode = async (msg: EncodeObject, code: number, log?: RegExp, timeSeconds?: bigint) => {
    const res = await run(msg.typeUrl === Urls.MsgCreateClient ? creator : anyone, [msg], timeSeconds);
    assert.equal(res.codespace, "qcp", res.log);
    assert.equal(res.code, code, res.log);
    if (log) assert.match(res.log, log);
    return res;
  };
  return { t, creator, anyone, q, clientOf, stateAt, run, cert, createMsg, updateMsg, misbehaviourMsg, expectCode };
}
type ClientEnv = Awaited<ReturnType<typeof clientEnv>>;

describe("QCP light client (MsgCreateClient, MsgUpdateClient)", () => {
  let e: ClientEnv;
  before(async () => {
    e = await clientEnv();
  });
  after(() => e.t.destroy());
  const run: ClientEnv["run"] = (...a) => e.run(...a);
  const expectCode: ClientEnv["expectCode"] = (...a) => e.expectCode(...a);
  const createMsg: ClientEnv["createMsg"] = (...a) => e.createMsg(...a);
  const updateMsg: ClientEnv["updateMsg"] = (...a) => e.updateMsg(...a);
  const cert: ClientEnv["cert"] = (...a) => e.cert(...a);
  const clientOf: ClientEnv["clientOf"] = (...a) => e.clientOf(...a);
  const stateAt: ClientEnv["stateAt"] = (...a) => e.stateAt(...a);

  test("attack: MsgCreateClient with a certificate for another header, another chain, a relayer key, or a header under 2/3 is refused; a good one creates the client once", async () => {
    const h1 = cpBlock(1n);
    await expectCode(createMsg(h1, cert(h1, { hash: headerHash(cpBlock(2n).signedHeader.header) })), 10, /certificate trusts header [0-9A-F]{64}, the message carries/);
    await expectCode(createMsg(h1, cert(h1, { chainId: "other" })), 10, /certificate is for chain other, this is dst/);
    await expectCode(createMsg(h1, cert(h1, { qcpChain: "dst" })), 10, /qcp_chain is this chain/);
    await expectCode(createMsg(h1, cert(h1, { relayerKey: e.anyone.pubkey })), 10, /names no relayer key/);
    // a certificate naming cp-1 for a header of another chain
    const foreign = cpBlock(1n, { chainId: "cp-2" });
    await expectCode(createMsg(foreign, cert(foreign, { qcpChain: Cp })), 28, /header belongs to another chain "cp-2", not "cp-1"/);
    // two of four signed
    const weak = cpBlock(1n, { vote: (pk) => (pk === Buffer.from(v[0].key.pubKey).toString("hex") || pk === Buffer.from(v[1].key.pubKey).toString("hex") ? "commit" : "absent") });
    await expectCode(createMsg(weak, cert(weak)), 37, /insufficient voting power: got 20, needed more than 26/);
    assert.equal(e.q(Paths.Client, QueryClientRequest.encode({ chainId: Cp }).finish()).code, 22);

    const ok = await run(e.creator, [createMsg(h1)]);
    assert.equal(ok.code, 0, ok.log);
    assert.deepEqual(events(ok, "qcp_client_created"), [{ chain: Cp, height: "1", msg_index: "0" }]);
    assert.deepEqual(MsgCreateClientResponse.decode(response(ok)), { chainId: Cp, height: 1n });
    const c = clientOf(Cp);
    assert.deepEqual(c.clientState, {
      chainId: Cp, trustLevelNumerator: 1n, trustLevelDenominator: 3n, trustingPeriodSeconds: 1_209_600n, maxClockDriftSeconds: 10n, latestHeight: 1n, frozenHeight: 0n,
    });
    assert.equal(c.status, "active");
    const h = h1.signedHeader.header;
    assert.deepEqual(c.latestConsensusState, { timestamp: h.time, appHash: h.appHash, nextValidatorsHash: h.nextValidatorsHash, headerHash: headerHash(h) });
    await expectCode(createMsg(h1), 26, /chain cp-1 has a client; governance replaces it/);
  });

  test("MsgUpdateClient: adjacent and skipping headers are stored; the same header again changes nothing; the client's latest height moves up only", async () => {
    const res = await run(e.anyone, [updateMsg(cpBlock(2n), 1n)]);
    assert.equal(res.code, 0, res.log);
    assert.deepEqual(events(res, "qcp_client_updated"), [{ chain: Cp, height: "2", trusted_height: "1", msg_index: "0" }]);
    console.log(`# gas of one adjacent update of a 4-validator header: ${res.gasUsed}`);
    const again = await run(e.anyone, [updateMsg(cpBlock(2n), 1n)]);
    assert.equal(again.code, 0, again.log);
    assert.deepEqual(events(again, "qcp_client_updated"), []);
    assert.ok(again.gasUsed < res.gasUsed, "a replay verifies no signature");
    // skipping 2 -> 5 (same set: trust level met), then 5 -> 9 across the set change (the old 4 hold 40 of 90 > 1/3)
    assert.equal((await run(e.anyone, [updateMsg(cpBlock(5n), 2n)])).code, 0);
    const skip = await run(e.anyone, [updateMsg(cpBlock(9n), 5n)]);
    assert.equal(skip.code, 0, skip.log);
    // filling in a height below the latest keeps latest_height
    assert.equal((await run(e.anyone, [updateMsg(cpBlock(7n), 5n)])).code, 0);
    assert.equal(clientOf(Cp).clientState!.latestHeight, 9n);
    const s7 = QueryConsensusStateResponse.decode(stateAt(Cp, 7n).value);
    assert.equal(s7.height, 7n);
    assert.deepEqual(s7.consensusState!.headerHash, headerHash(cpBlock(7n).signedHeader.header));
    const latest = QueryConsensusStateResponse.decode(stateAt(Cp, 0n).value);
    assert.equal(latest.height, 9n);
    assert.equal(stateAt(Cp, 3n).code, 25);
  });

  test("qoscli query qcp client / consensus-state print the query answers as JSON (exact values)", () => {
    const res = e.clientOf(Cp);
    const h9 = cpBlock(9n).signedHeader.header;
    const hex = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();
    const latest = {
      height: "9", time: "2027-01-15T06:38:10.000000000Z", app_hash: hex(h9.appHash), next_validators_hash: hex(h9.nextValidatorsHash), header_hash: hex(headerHash(h9)),
    };
    assert.deepEqual(clientJson(res.clientState!, res.status, res.latestConsensusState), {
      chain_id: Cp, status: "active", trust_level: "1/3", trusting_period_seconds: "1209600", max_clock_drift_seconds: "10",
      latest_height: "9", frozen_height: "0", latest_consensus_state: latest,
    });
    const s9 = QueryConsensusStateResponse.decode(stateAt(Cp, 0n).value);
    assert.deepEqual(consensusStateJson(s9.height, s9.consensusState!), latest);
    assert.equal(stateAt(Cp, 1n).code, 0);
    assert.equal(consensusStateJson(1n, QueryConsensusStateResponse.decode(stateAt(Cp, 1n).value).consensusState!).time, "2027-01-15T06:36:50.000000000Z");
  });

  test("attack: headers under 2/3, of another chain id, with a forged signature, with wrong trusted validators, out of time order or from the future are refused with distinct codes, nothing stored", async () => {
    const pkHex = (i: number) => Buffer.from(v[i].key.pubKey).toString("hex");
    const h10 = (over: Partial<Parameters<typeof makeBlock>[0]> = {}) => cpBlock(10n, over);
    await expectCode(updateMsg(h10({ vote: (pk) => (pk === pkHex(4) ? "commit" : "absent") }), 9n), 37, /insufficient voting power: got 50, needed more than 60/);
    await expectCode(updateMsg(h10({ chainId: "cp-2" }), 9n, undefined, Cp), 28, /header belongs to another chain "cp-2", not "cp-1"/);
    const forged = h10();
    forged.signedHeader.commit.signatures[0].signature[5] ^= 1;
    await expectCode(updateMsg(forged, 9n), 36, /wrong signature \(#0\)/);
    await expectCode(updateMsg(h10(), 9n, setOfHeight(1n)), 35, /do not match the next validators .* of the trusted state at height 9/);
    // skipping from 2 (the genesis set) to a header signed by an entirely new set: < 1/3 of the trusted set
    const strangers = [5, 6, 7, 8].map((i) => ({ key: key(`stranger ${i}`), power: 10n }));
    await expectCode(updateMsg(cpBlock(4n, { members: strangers, nextMembers: strangers }), 2n), 38, /insufficient old voting power: got 0, needed more than 13/);
    // adjacent to 9 but signed by another set than 9 named as next
    await expectCode(updateMsg(cpBlock(10n, { members: strangers }), 9n, setOfHeight(10n)), 34, /expected old header next validators/);
    // the validator set does not hash to validators_hash
    const swapped = h10();
    swapped.validatorSet = setOf([...v.slice(0, 4), { key: v[4].key, power: 60n }]);
    await expectCode(updateMsg(swapped, 9n), 33, /to match those that were supplied/);
    await expectCode(updateMsg(h10({ time: at(HeaderT0 + 80n) }), 9n), 30, /expected new header time .* to be after old header time/);
    await expectCode(updateMsg(h10({ time: at(GenesisTime.seconds + 1_000n) }), 9n), 31, /new header has a time from the future/);
    await expectCode(updateMsg(cpBlock(8n), 9n), 29, /expected new header height 8 to be greater than one of old header 9/);
    await expectCode(updateMsg(h10(), 3n), 25, /no consensus state at trusted height 3/);
    await expectCode(updateMsg(h10(), 9n, undefined, "cp-9"), 22, /chain "cp-9" has no light client here/);
    assert.equal(stateAt(Cp, 10n).code, 25);
    assert.equal(clientOf(Cp).clientState!.latestHeight, 9n);
  });

  test("attack: a set over 175 validators, or a commit with more signatures than validators, is refused before any signature is checked (27), nothing stored", async () => {
    const crowd: Member[] = Array.from({ length: 176 }, (_, i) => ({ key: key(`crowd ${i}`), power: 1n }));
    await expectCode(updateMsg(cpBlock(10n, { members: crowd, nextMembers: crowd }), 9n), 27, /validator_set has 176 validators, 1-175 allowed/);
    const padded = cpBlock(10n);
    padded.signedHeader.commit.signatures.push({ ...padded.signedHeader.commit.signatures[0] });
    await expectCode(updateMsg(padded, 9n), 27, /commit has 6 signatures for 5 validators/);
    assert.equal(stateAt(Cp, 10n).code, 25);
  });

  test("attack: a verified header conflicting with a stored one freezes the client (the tx succeeds), and a frozen client refuses updates", async () => {
    const conflicting = cpBlock(7n, { appHash: new Uint8Array(32).fill(7) });
    const res = await run(e.anyone, [updateMsg(conflicting, 5n)]);
    assert.equal(res.code, 0, res.log);
    assert.deepEqual(MsgUpdateClientResponse.decode(response(res)), { height: 7n, frozen: true });
    assert.deepEqual(events(res, "qcp_client_frozen"), [{ chain: Cp, height: "7", reason: "conflicting_header", msg_index: "0" }]);
    assert.deepEqual(events(res, "qcp_client_updated"), []);
    const c = clientOf(Cp);
    assert.equal(c.clientState!.frozenHeight, 7n);
    assert.equal(c.status, "frozen");
    // the stored state at 7 is the first one
    assert.deepEqual(QueryConsensusStateResponse.decode(stateAt(Cp, 7n).value).consensusState!.headerHash, headerHash(cpBlock(7n).signedHeader.header));
    await expectCode(updateMsg(cpBlock(10n), 9n), 23, /the client of cp-1 is frozen \(misbehaviour at height 7\)/);
  });

  test("genesis round trip: the export carries the client and its consensus states, and a chain started from it answers the same", async () => {
    const state = e.t.app.exportAppState() as { qcp: { chains: Array<{ chain_id: string; client?: { consensus_states: unknown[]; latest_height: string; frozen_height: string } }> } };
    const chain = state.qcp.chains.find((c) => c.chain_id === Cp)!;
    assert.equal(chain.client!.consensus_states.length, 5);
    assert.equal(chain.client!.latest_height, "9");
    assert.equal(chain.client!.frozen_height, "7");
    const t2 = await createTestApp(state, { chainId: "dst" });
    try {
      await t2.block([]);
      assert.deepEqual(t2.app.exportAppState().qcp, state.qcp);
      for (const h of [0n, 1n, 2n, 5n, 7n, 9n]) {
        const a = stateAt(Cp, h), b = t2.app.query({ path: Paths.ConsensusState, data: QueryConsensusStateRequest.encode({ chainId: Cp, height: h }).finish(), height: 0n, prove: false });
        assert.deepEqual(b.value, a.value);
      }
      assert.deepEqual(QueryClientResponse.decode(t2.app.query({ path: Paths.Client, data: QueryClientRequest.encode({ chainId: Cp }).finish(), height: 0n, prove: false }).value).clientState, clientOf(Cp).clientState);
    } finally {
      await t2.destroy();
    }
  });
});

const loadFixture = (name: string): Map<bigint, LightBlock> => {
  const f = JSON.parse(readFileSync(join(repoRoot, "test/fixtures/light", name), "utf8")) as { heights: { height: string; commit: unknown; validators: { validators: unknown } }[] };
  return new Map(f.heights.map((r) => [BigInt(r.height), lightBlockFromRpc(r.commit, r.validators.validators)]));
};

describe("QCP light client: misbehaviour on the recorded fork (qos-light-fork-a/-b: one genesis, two chains of fully signed headers)", () => {
  const A = loadFixture("qos-light-fork-a.json");
  const B = loadFixture("qos-light-fork-b.json");
  const Fork = "qos-light-fork-1";
  /** the fixtures' headers are ~47 days before these block times: a trusting period of a year keeps them usable */
  const params = { client_trusting_period_seconds: 365 * 86_400 };
  /** [block, trusted height 1, the set it names as next] (the set never changes on this chain) */
  const from1 = (b: LightBlock): [LightBlock, bigint, ValidatorSet] => [b, 1n, A.get(2n)!.validatorSet];
  const envs: ClientEnv[] = [];
  const created = async () => {
    const e = await clientEnv(params);
    envs.push(e);
    assert.equal((await e.run(e.creator, [e.createMsg(A.get(1n)!)])).code, 0);
    return e;
  };
  after(() => Promise.all(envs.map((e) => e.t.destroy())));

  test("attack: two conflicting headers at one height freeze the client (event, frozen_height); the same pair again is refused as already frozen; non-conflicting pairs are not misbehaviour", async () => {
    const e = await created();
    await e.expectCode(e.misbehaviourMsg(Fork, from1(A.get(3n)!), from1(A.get(3n)!)), 39, /both headers are the same block at height 3/);
    await e.expectCode(e.misbehaviourMsg(Fork, from1(A.get(3n)!), from1(A.get(5n)!)), 39, /header 5 is after header 3 in time/);
    // a conflicting pair whose second header is forged is refused by verification, nothing frozen
    const forged = loadFixture("qos-light-fork-b.json").get(5n)!; // a fresh copy to damage
    forged.signedHeader.commit.signatures[0].signature[0] ^= 1;
    await e.expectCode(e.misbehaviourMsg(Fork, from1(A.get(5n)!), from1(forged)), 36, /wrong signature \(#0\)/);
    assert.equal(e.clientOf(Fork).clientState!.frozenHeight, 0n);

    const res = await e.run(e.anyone, [e.misbehaviourMsg(Fork, from1(A.get(5n)!), from1(B.get(5n)!))]);
    assert.equal(res.code, 0, res.log);
    assert.deepEqual(MsgSubmitMisbehaviourResponse.decode(response(res)), { frozenHeight: 5n });
    assert.deepEqual(events(res, "qcp_client_frozen"), [{ chain: Fork, height: "5", reason: "conflicting_header", msg_index: "0" }]);
    assert.equal(e.clientOf(Fork).status, "frozen");
    await e.expectCode(e.misbehaviourMsg(Fork, from1(A.get(5n)!), from1(B.get(5n)!)), 23, /is frozen \(misbehaviour at height 5\)/);
    await e.expectCode(e.updateMsg(A.get(6n)!, 1n, A.get(2n)!.validatorSet), 23);
  });

  test("attack: a higher header not later in time (B's 4 is older than A's 3) freezes the client, by MsgSubmitMisbehaviour in either order", async () => {
    for (const order of [0, 1]) {
      const e = await created();
      const pair: [LightBlock, bigint, ValidatorSet][] = [from1(A.get(3n)!), from1(B.get(4n)!)];
      if (order) pair.reverse();
      const res = await e.run(e.anyone, [e.misbehaviourMsg(Fork, pair[0], pair[1])]);
      assert.equal(res.code, 0, res.log);
      assert.deepEqual(events(res, "qcp_client_frozen"), [{ chain: Fork, height: "4", reason: "time_monotonicity", msg_index: "0" }]);
      assert.equal(e.clientOf(Fork).clientState!.frozenHeight, 4n);
    }
  });

  test("attack: MsgUpdateClient with a header whose time breaks the order of the stored neighbours freezes the client (the tx succeeds)", async () => {
    const e = await created();
    assert.equal((await e.run(e.anyone, [e.updateMsg(A.get(3n)!, 1n, A.get(2n)!.validatorSet)])).code, 0);
    // B's 4 verifies from 1, but A's 3 (stored) is later than it
    const res = await e.run(e.anyone, [e.updateMsg(B.get(4n)!, 1n, A.get(2n)!.validatorSet)]);
    assert.equal(res.code, 0, res.log);
    assert.deepEqual(MsgUpdateClientResponse.decode(response(res)), { height: 4n, frozen: true });
    assert.deepEqual(events(res, "qcp_client_frozen"), [{ chain: Fork, height: "4", reason: "time_monotonicity", msg_index: "0" }]);
    assert.equal(e.stateAt(Fork, 4n).code, 25);
    // the other way round: B's 4 stored first, then A's 3 (verified from 1) is later than its stored successor
    const e2 = await created();
    assert.equal((await e2.run(e2.anyone, [e2.updateMsg(B.get(4n)!, 1n, A.get(2n)!.validatorSet)])).code, 0);
    const low = await e2.run(e2.anyone, [e2.updateMsg(A.get(3n)!, 1n, A.get(2n)!.validatorSet)]);
    assert.equal(low.code, 0, low.log);
    assert.deepEqual(events(low, "qcp_client_frozen"), [{ chain: Fork, height: "3", reason: "time_monotonicity", msg_index: "0" }]);
  });
});

describe("QCP light client across validator-set changes (recorded qos-light-1: 4 validators, one joins, three leave)", () => {
  const L = loadFixture("qos-light-1.json");
  let e: ClientEnv;
  before(async () => {
    e = await clientEnv({ client_trusting_period_seconds: 365 * 86_400 });
  });
  after(() => e.t.destroy());

  test("a skip with too little of the trusted set is refused (38); the bisection trace the library finds, submitted step by step, is accepted", async () => {
    assert.equal((await e.run(e.creator, [e.createMsg(L.get(1n)!)])).code, 0);
    const nextOf = (h: bigint) => L.get(h + 1n)!.validatorSet;
    // 1 -> 29: of the genesis set (40) only node0 (10) still signs
    await e.expectCode(e.updateMsg(L.get(29n)!, 1n, nextOf(1n)), 38, /insufficient old voting power: got 10, needed more than 13/);
    const opts = { trustingPeriod: 365n * 86_400n * 1_000_000_000n, maxClockDrift: 10n * 1_000_000_000n };
    const trace = await verifyBisection(L.get(1n)!, L.get(29n)!, (h) => L.get(h)!, opts, { seconds: GenesisTime.seconds, nanos: 0 });
    assert.deepEqual(trace.map((b) => b.signedHeader.header.height), [1n, 15n, 29n]);
    for (let i = 1; i < trace.length; i++) {
      const trusted = trace[i - 1].signedHeader.header.height;
      const res = await e.run(e.anyone, [e.updateMsg(trace[i], trusted, nextOf(trusted))]);
      assert.equal(res.code, 0, res.log);
      assert.deepEqual(events(res, "qcp_client_updated"), [{ chain: "qos-light-1", height: String(trace[i].signedHeader.header.height), trusted_height: String(trusted), msg_index: "0" }]);
    }
    const c = e.clientOf("qos-light-1");
    assert.equal(c.clientState!.latestHeight, 29n);
    assert.deepEqual(c.latestConsensusState!.headerHash, headerHash(L.get(29n)!.signedHeader.header));
    assert.deepEqual(c.latestConsensusState!.appHash, L.get(29n)!.signedHeader.header.appHash);
  });
});

describe("QCP light client: expiry by block time and pruning", () => {
  const Base = GenesisTime.seconds;
  /** counterpart header h at Base + 10 h s (after this chain's genesis, so block times only move forward) */
  const hdr = (h: bigint) => cpBlock(h, { time: at(Base + 10n * h) });
  const envs: ClientEnv[] = [];
  after(() => Promise.all(envs.map((e) => e.t.destroy())));

  test("a trusted state older than the trusting period cannot verify (32); a client whose latest state is that old is expired (24, status \"expired\")", async () => {
    const e = await clientEnv();
    envs.push(e);
    const P = 14n * 86_400n;
    assert.equal((await e.run(e.creator, [e.createMsg(hdr(1n))], Base + 15n)).code, 0);
    assert.equal((await e.run(e.anyone, [e.updateMsg(hdr(2n), 1n)], Base + 25n)).code, 0);
    // 1 expired (Base + 10 + P <= now), 2 not
    await e.expectCode(e.updateMsg(hdr(3n), 1n), 32, /old header has expired/, Base + 15n + P);
    assert.equal(e.clientOf(Cp).status, "active");
    assert.equal((await e.run(e.anyone, [e.updateMsg(hdr(3n), 2n)], Base + 16n + P)).code, 0);
    await e.expectCode(e.updateMsg(hdr(4n), 3n), 24, /the client of cp-1 was not updated within its trusting period/, Base + 30n + P);
    assert.equal(e.clientOf(Cp).status, "expired");
  });

  test("pruning: each update removes at most client_max_prune_per_update consensus states past the trusting period, oldest first, never the latest", async () => {
    const e = await clientEnv({ client_trusting_period_seconds: 600, client_max_prune_per_update: 2 });
    envs.push(e);
    assert.equal((await e.run(e.creator, [e.createMsg(hdr(1n))], Base + 15n)).code, 0);
    assert.equal(e.clientOf(Cp).clientState!.trustingPeriodSeconds, 600n);
    for (let h = 2n; h <= 6n; h++) assert.equal((await e.run(e.anyone, [e.updateMsg(hdr(h), h - 1n)], Base + 10n * h + 5n)).code, 0);
    const stored = () => [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n].filter((h) => e.stateAt(Cp, h).code === 0);
    assert.deepEqual(stored(), [1n, 2n, 3n, 4n, 5n, 6n]);
    // at Base + 645 the states up to Base + 45 are past 600 s: 1..4 (times 10..40); two go per update
    assert.equal((await e.run(e.anyone, [e.updateMsg(hdr(7n), 6n)], Base + 645n)).code, 0);
    assert.deepEqual(stored(), [3n, 4n, 5n, 6n, 7n]);
    assert.equal((await e.run(e.anyone, [e.updateMsg(hdr(8n), 7n)], Base + 646n)).code, 0);
    assert.deepEqual(stored(), [5n, 6n, 7n, 8n]);
    assert.equal((await e.run(e.anyone, [e.updateMsg(hdr(9n), 8n)], Base + 647n)).code, 0);
    assert.deepEqual(stored(), [5n, 6n, 7n, 8n, 9n]);
  });
});
