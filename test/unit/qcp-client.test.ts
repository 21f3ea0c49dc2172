// The on-chain light client (modules/qcp/client.ts) through the app's ABCI methods: a counterpart chain
// "cp-1" made of synthetic signed headers (test/helpers/light-chain.ts), a client created by a root CA
// certificate, updated by anyone, and every attack refused with its own code, nothing stored.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { toBase64 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { issueCertificate, newCaKeyPair, type CaKeyPair } from "../../app/certificate.js";
import { headerHash, validatorAddress, type LightBlock, type ValidatorSet } from "../../app/light/index.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { MsgCreateClient, MsgCreateClientResponse, MsgUpdateClient, MsgUpdateClientResponse } from "../../gen/qos/qcp/v1/tx.js";
import {
  QueryClientRequest, QueryClientResponse, QueryConsensusStateRequest, QueryConsensusStateResponse,
} from "../../gen/qos/qcp/v1/query.js";
import type { ValidatorSet as ProtoValidatorSet } from "../../gen/tendermint/types/validator.js";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { at, key, makeBlock, setOf, type Member } from "../helpers/light-chain.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const Urls = TypeUrl.qos.qcp.v1;
const Paths = Method.qos.qcp.v1.Query;
registry.register(Urls.MsgCreateClient, MsgCreateClient as never);
registry.register(Urls.MsgUpdateClient, MsgUpdateClient as never);

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

const protoSet = (vals: ValidatorSet): ProtoValidatorSet => ({
  validators: vals.validators.map((x) => ({ address: validatorAddress(x.pubKey), pubKey: { ed25519: x.pubKey }, votingPower: x.votingPower, proposerPriority: 0n })),
  proposer: undefined,
  totalVotingPower: 0n,
});
const setOfHeight = (h: bigint) => cpBlock(h).validatorSet;

/** the first message's response in a tx result's TxMsgData */
const response = (res: { data: Uint8Array }) => TxMsgData.decode(res.data).msgResponses[0].value;
const events = (res: { events: { type: string; attributes: { key: string; value: string }[] }[] }, type: string) =>
  res.events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));

describe("QCP light client (MsgCreateClient, MsgUpdateClient)", () => {
  let ca: CaKeyPair;
  let creator: TestAccount, anyone: TestAccount;
  let t: TestApp;
  const numbers = new Map<string, number>();

  before(async () => {
    ca = newCaKeyPair();
    [creator, anyone] = await Promise.all(["lc-creator", "lc-anyone"].map(testAccount));
    [creator, anyone].forEach((a, i) => numbers.set(a.address, i));
    t = await createTestApp({
      auth: { accounts: [creator, anyone].map((a) => ({ address: a.address })) },
      bank: { balances: [creator, anyone].map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: "100000000" }] })) },
      qcp: { root_ca_public_key: toBase64(ca.publicKey) },
    }, { chainId: "dst" });
    await t.block([]);
  });
  after(() => t.destroy());

  const q = (path: string, data: Uint8Array) => {
    const res = t.app.query({ path, data, height: 0n, prove: false });
    return res;
  };
  const clientOf = (chain: string) => QueryClientResponse.decode(q(Paths.Client, QueryClientRequest.encode({ chainId: chain }).finish()).value);
  const stateAt = (chain: string, height: bigint) => q(Paths.ConsensusState, QueryConsensusStateRequest.encode({ chainId: chain, height }).finish());

  async function run(signer: TestAccount, msgs: EncodeObject[]) {
    const res = t.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address: signer.address }).finish(), height: 0n, prove: false });
    const sequence = BaseAccount.decode(QueryAccountResponse.decode(res.value).account!.value).sequence;
    const tx = await signTx(signer, msgs, {
      chainId: "dst", accountNumber: numbers.get(signer.address)!, sequence,
      fee: { amount: [{ denom: "uqos", amount: "50000" }], gas: "2000000" },
    });
    return (await t.block([tx])).results[0];
  }

  const cert = (header: LightBlock, over: { chainId?: string; qcpChain?: string; hash?: Uint8Array; relayerKey?: Uint8Array } = {}) =>
    issueCertificate(ca, {
      qcp: { chainId: over.chainId ?? "dst", qcpChain: over.qcpChain ?? Cp, relayerPublicKey: over.relayerKey ?? new Uint8Array(), trustedHeaderHash: over.hash ?? headerHash(header.signedHeader.header) },
      notBefore: GenesisTime.seconds - 10n, notAfter: GenesisTime.seconds + 1_000_000n,
    });
  const createMsg = (block: LightBlock, certificate = cert(block)) => ({
    typeUrl: Urls.MsgCreateClient,
    value: MsgCreateClient.fromPartial({ creator: creator.address, certificate, signedHeader: block.signedHeader, validatorSet: protoSet(block.validatorSet) }),
  });
  const updateMsg = (block: LightBlock, trustedHeight: bigint, trustedValidators = setOfHeight(trustedHeight + 1n), chain = Cp) => ({
    typeUrl: Urls.MsgUpdateClient,
    value: MsgUpdateClient.fromPartial({
      signer: anyone.address, chainId: chain,
      header: { signedHeader: block.signedHeader, validatorSet: protoSet(block.validatorSet), trustedHeight, trustedValidators: protoSet(trustedValidators) },
    }),
  });
  const expectCode = async (msg: EncodeObject, code: number, log?: RegExp) => {
    const res = await run(msg.typeUrl === Urls.MsgCreateClient ? creator : anyone, [msg]);
    assert.equal(res.codespace, "qcp", res.log);
    assert.equal(res.code, code, res.log);
    if (log) assert.match(res.log, log);
    return res;
  };

  test("attack: MsgCreateClient with a certificate for another header, another chain, a relayer key, or a header under 2/3 is refused; a good one creates the client once", async () => {
    const h1 = cpBlock(1n);
    await expectCode(createMsg(h1, cert(h1, { hash: headerHash(cpBlock(2n).signedHeader.header) })), 10, /certificate trusts header [0-9A-F]{64}, the message carries/);
    await expectCode(createMsg(h1, cert(h1, { chainId: "other" })), 10, /certificate is for chain other, this is dst/);
    await expectCode(createMsg(h1, cert(h1, { qcpChain: "dst" })), 10, /qcp_chain is this chain/);
    await expectCode(createMsg(h1, cert(h1, { relayerKey: anyone.pubkey })), 10, /names no relayer key/);
    // a certificate naming cp-1 for a header of another chain
    const foreign = cpBlock(1n, { chainId: "cp-2" });
    await expectCode(createMsg(foreign, cert(foreign)), 28, /header belongs to another chain "cp-2", not "cp-1"/);
    // two of four signed
    const weak = cpBlock(1n, { vote: (pk) => (pk === Buffer.from(v[0].key.pubKey).toString("hex") || pk === Buffer.from(v[1].key.pubKey).toString("hex") ? "commit" : "absent") });
    await expectCode(createMsg(weak, cert(weak)), 37, /insufficient voting power: got 20, needed more than 26/);
    assert.equal(q(Paths.Client, QueryClientRequest.encode({ chainId: Cp }).finish()).code, 22);

    const ok = await run(creator, [createMsg(h1)]);
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
    const res = await run(anyone, [updateMsg(cpBlock(2n), 1n)]);
    assert.equal(res.code, 0, res.log);
    assert.deepEqual(events(res, "qcp_client_updated"), [{ chain: Cp, height: "2", trusted_height: "1", msg_index: "0" }]);
    console.log(`# gas of one adjacent update of a 4-validator header: ${res.gasUsed}`);
    const again = await run(anyone, [updateMsg(cpBlock(2n), 1n)]);
    assert.equal(again.code, 0, again.log);
    assert.deepEqual(events(again, "qcp_client_updated"), []);
    assert.ok(again.gasUsed < res.gasUsed, "a replay verifies no signature");
    // skipping 2 -> 5 (same set: trust level met), then 5 -> 9 across the set change (the old 4 hold 40 of 90 > 1/3)
    assert.equal((await run(anyone, [updateMsg(cpBlock(5n), 2n)])).code, 0);
    const skip = await run(anyone, [updateMsg(cpBlock(9n), 5n)]);
    assert.equal(skip.code, 0, skip.log);
    // filling in a height below the latest keeps latest_height
    assert.equal((await run(anyone, [updateMsg(cpBlock(7n), 5n)])).code, 0);
    assert.equal(clientOf(Cp).clientState!.latestHeight, 9n);
    const s7 = QueryConsensusStateResponse.decode(stateAt(Cp, 7n).value);
    assert.equal(s7.height, 7n);
    assert.deepEqual(s7.consensusState!.headerHash, headerHash(cpBlock(7n).signedHeader.header));
    const latest = QueryConsensusStateResponse.decode(stateAt(Cp, 0n).value);
    assert.equal(latest.height, 9n);
    assert.equal(stateAt(Cp, 3n).code, 25);
  });

  test("attack: headers under 2/3, of another chain id, with a forged signature, with wrong trusted validators, out of time order or from the future are refused with distinct codes, nothing stored", async () => {
    const pkHex = (i: number) => Buffer.from(v[i].key.pubKey).toString("hex");
    const h10 = (over: Partial<Parameters<typeof makeBlock>[0]> = {}) => cpBlock(10n, over);
    await expectCode(updateMsg(h10({ vote: (pk) => (pk === pkHex(4) ? "commit" : "absent") }), 9n), 37, /insufficient voting power: got 50, needed more than 60/);
    await expectCode(updateMsg(h10({ chainId: "cp-2" }), 9n), 28, /header belongs to another chain "cp-2", not "cp-1"/);
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
    await expectCode(updateMsg(h10(), 9n, undefined, "cp-9"), 22);
    assert.equal(stateAt(Cp, 10n).code, 25);
    assert.equal(clientOf(Cp).clientState!.latestHeight, 9n);
  });

  test("attack: a verified header conflicting with a stored one freezes the client (the tx succeeds), and a frozen client refuses updates", async () => {
    const conflicting = cpBlock(7n, { appHash: new Uint8Array(32).fill(7) });
    const res = await run(anyone, [updateMsg(conflicting, 5n)]);
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
    const state = t.app.exportAppState() as { qcp: { chains: Array<{ chain_id: string; client?: { consensus_states: unknown[]; latest_height: string; frozen_height: string } }> } };
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
