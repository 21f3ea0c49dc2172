// QCP through the app's ABCI methods, with two in-process chains: "src" writes outbox entries, their
// proofs come from src's own /store/key query, and "dst" judges deliveries: sequence rules, proofs,
// relayer registration, duplicates and gaps consuming nothing, payload failures consuming the sequence
// with a failure result, results refunding on the source, and conservation of escrow/vouchers.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { toBase64 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { issueCertificate, newCaKeyPair, type CaKeyPair } from "../../app/certificate.js";
import { MsgExecute, MsgInitQcp, MsgRecvQcp, MsgTransfer } from "../../gen/qos/qcp/v1/tx.js";
import { OutboxEntry, ResultPayload, TransferPayload } from "../../gen/qos/qcp/v1/types.js";
import {
  QueryEntryRequest, QueryEntryResponse, QueryInterchainAccountRequest, QueryInterchainAccountResponse, QueryResultRequest, QueryResultResponse,
  QuerySequencesRequest, QuerySequencesResponse,
} from "../../gen/qos/qcp/v1/query.js";
import { voucherDenom } from "../../modules/qcp/keeper.js";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

for (const [url, type] of [
  ["/qos.qcp.v1.MsgInitQcp", MsgInitQcp], ["/qos.qcp.v1.MsgRecvQcp", MsgRecvQcp], ["/qos.qcp.v1.MsgTransfer", MsgTransfer], ["/qos.qcp.v1.MsgExecute", MsgExecute],
] as const) registry.register(url, type as never);

interface Chain {
  id: string;
  t: TestApp;
  numbers: Map<string, number>;
}

const q = (c: Chain, path: string, data: Uint8Array, height = 0n) => {
  const res = c.t.app.query({ path, data, height, prove: false });
  if (res.code !== 0) throw new Error(`${path}: ${res.log}`);
  return res.value;
};
const seqs = (c: Chain, other: string) => QuerySequencesResponse.decode(q(c, "/qos.qcp.v1.Query/Sequences", QuerySequencesRequest.encode({ chainId: other }).finish()));
const balance = (c: Chain, address: string, denom: string) =>
  BigInt(QueryBalanceResponse.decode(q(c, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom }).finish())).balance!.amount);
const accountSeq = (c: Chain, address: string) =>
  BaseAccount.decode(QueryAccountResponse.decode(q(c, "/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish())).account!.value).sequence;

async function run(c: Chain, signer: TestAccount, msgs: EncodeObject[]) {
  const tx = await signTx(signer, msgs, {
    chainId: c.id, accountNumber: c.numbers.get(signer.address)!, sequence: accountSeq(c, signer.address),
    fee: { amount: [{ denom: "uqos", amount: "50000" }], gas: "2000000" },
  });
  const { results } = await c.t.block([tx]);
  return results[0];
}

/** The delivery message for entry `seq` of `src`'s outbox toward `to`, proven at src's latest height. */
function delivery(src: Chain, to: string, seq: bigint, relayer: string) {
  const height = BigInt(src.t.height);
  const { entry, key } = QueryEntryResponse.decode(q(src, "/qos.qcp.v1.Query/Entry", QueryEntryRequest.encode({ chainId: to, sequence: seq }).finish()));
  const proofRes = src.t.app.query({ path: "/store/key", data: key, height, prove: true });
  assert.equal(proofRes.code, 0);
  assert.deepEqual(proofRes.value, entry);
  return {
    typeUrl: "/qos.qcp.v1.MsgRecvQcp",
    value: MsgRecvQcp.fromPartial({ relayer, entry, proofHeight: height, appHash: src.t.app.store.latest.appHash, proof: proofRes.proofOps!.ops[0].data }),
  };
}

/** src's STAR as minted on dst: a voucher namespaced by its route */
const StarOnDst = voucherDenom("src", "STAR");

const events = (res: { events: { type: string; attributes: { key: string; value: string }[] }[] }, type: string) =>
  res.events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));

describe("QCP module", () => {
  let ca: CaKeyPair;
  let alice: TestAccount, bob: TestAccount, relayer: TestAccount, mallory: TestAccount, creator: TestAccount;
  let src: Chain, dst: Chain;

  before(async () => {
    ca = newCaKeyPair();
    [alice, bob, relayer, mallory, creator] = await Promise.all(["c-alice", "c-bob", "c-relayer", "c-mallory", "c-creator"].map(testAccount));
    const all = [alice, bob, relayer, mallory, creator];
    const genesis = (extra: Record<string, unknown>) => ({
      auth: { accounts: all.map((a) => ({ address: a.address })) },
      bank: { balances: all.map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: "100000000" }, { denom: "STAR", amount: "1000" }] })) },
      qcp: { root_ca_public_key: toBase64(ca.publicKey) },
      ...extra,
    });
    const numbers = new Map(all.map((a, i) => [a.address, i]));
    src = { id: "src", t: await createTestApp(genesis({}), { chainId: "src" }), numbers };
    dst = { id: "dst", t: await createTestApp(genesis({}), { chainId: "dst" }), numbers };
    await src.t.block([]);
    await dst.t.block([]);
  });
  after(async () => {
    await src.t.destroy();
    await dst.t.destroy();
  });

  const cert = (chainId: string, qcpChain: string, key: Uint8Array, over: { ca?: CaKeyPair; notAfter?: bigint } = {}) =>
    issueCertificate(over.ca ?? ca, { qcp: { chainId, qcpChain, relayerPublicKey: key, trustedHeaderHash: new Uint8Array() }, notBefore: GenesisTime.seconds - 10n, notAfter: over.notAfter ?? GenesisTime.seconds + 100_000n });
  const init = (certificate: Uint8Array) => ({ typeUrl: "/qos.qcp.v1.MsgInitQcp", value: MsgInitQcp.fromPartial({ creator: creator.address, certificate }) });
  const transfer = (to: string, sender: string, receiver: string, amount: string, denom = "STAR") =>
    ({ typeUrl: "/qos.qcp.v1.MsgTransfer", value: MsgTransfer.fromPartial({ sender, toChain: to, receiver, denom, amount }) });

  test("MsgInitQcp: certificates from another CA, for another chain, or expired are refused; a good one registers the relayer once", async () => {
    const bad: Array<[Uint8Array, number]> = [
      [cert("dst", "src", relayer.pubkey, { ca: newCaKeyPair() }), 10],
      [cert("other", "src", relayer.pubkey), 10],
      [cert("dst", "src", relayer.pubkey, { notAfter: GenesisTime.seconds }), 11],
    ];
    for (const [c, code] of bad) {
      const res = await run(dst, creator, [init(c)]);
      assert.equal(res.codespace, "qcp");
      assert.equal(res.code, code, res.log);
    }
    const ok = await run(dst, creator, [init(cert("dst", "src", relayer.pubkey))]);
    assert.equal(ok.code, 0, ok.log);
    assert.deepEqual(events(ok, "qcp_init")[0], { chain: "src", relayer: relayer.address, creator: creator.address, msg_index: "0" });
    const again = await run(dst, creator, [init(cert("dst", "src", relayer.pubkey))]);
    assert.equal(again.code, 13);
    // the reverse route: src trusts the same relayer for messages from dst
    assert.equal((await run(src, creator, [init(cert("src", "dst", relayer.pubkey))])).code, 0);
  });

  test("a transfer escrows on the source, enqueues entry #1 with a qcp event, and is delivered once with a proof", async () => {
    const res = await run(src, alice, [transfer("dst", alice.address, bob.address, "100")]);
    assert.equal(res.code, 0, res.log);
    const [ev] = events(res, "qcp");
    assert.equal(ev.to, "dst");
    assert.equal(ev.from, "src");
    assert.equal(ev.sequence, "1");
    assert.match(ev.hash, /^[0-9a-f]{64}$/);
    assert.equal(balance(src, alice.address, "STAR"), 900n);
    assert.equal(seqs(src, "dst").outSequence, 1n);

    // an unregistered relayer is refused and consumes nothing
    const stranger = await run(dst, mallory, [delivery(src, "dst", 1n, mallory.address)]);
    assert.equal(stranger.codespace, "qcp");
    assert.equal(stranger.code, 6);
    assert.equal(seqs(dst, "src").inSequence, 0n);

    const ok = await run(dst, relayer, [delivery(src, "dst", 1n, relayer.address)]);
    assert.equal(ok.code, 0, ok.log);
    assert.equal(seqs(dst, "src").inSequence, 1n);
    assert.equal(events(ok, "qcp_recv")[0].hash, ev.hash);
    assert.equal(events(ok, "qcp_recv")[0].code, "0");
    // the voucher is minted on dst and the result goes back in dst's outbox toward src
    assert.equal(balance(dst, bob.address, StarOnDst), 100n);
    const back = events(ok, "qcp");
    assert.equal(back.length, 1);
    assert.deepEqual([back[0].to, back[0].sequence, back[0].is_result], ["src", "1", "true"]);

    // duplicate: distinct code, nothing consumed
    const dup = await run(dst, relayer, [delivery(src, "dst", 1n, relayer.address)]);
    assert.equal(dup.codespace, "qcp");
    assert.equal(dup.code, 3);
    assert.equal(seqs(dst, "src").inSequence, 1n);
    assert.equal(seqs(dst, "src").outSequence, 1n);
    assert.equal(balance(dst, bob.address, StarOnDst), 100n);

    // the result arrives at the source and is recorded
    const result = await run(src, relayer, [delivery(dst, "src", 1n, relayer.address)]);
    assert.equal(result.code, 0, result.log);
    assert.equal(events(result, "qcp_result")[0].code, "0");
    const recorded = QueryResultResponse.decode(q(src, "/qos.qcp.v1.Query/Result", QueryResultRequest.encode({ chainId: "dst", sequence: 1n }).finish())).result!;
    assert.deepEqual(recorded, { origSequence: 1n, code: 0, codespace: "", log: "" });
    // a result makes no further result
    assert.equal(seqs(src, "dst").outSequence, 1n);
  });

  test("out of order, forged entries and wrong proofs are refused without consuming the sequence", async () => {
    for (let i = 0; i < 2; i++) assert.equal((await run(src, alice, [transfer("dst", alice.address, bob.address, "10")])).code, 0);
    assert.equal(seqs(src, "dst").outSequence, 3n);
    // #3 before #2
    const early = await run(dst, relayer, [delivery(src, "dst", 3n, relayer.address)]);
    assert.equal(early.code, 4, early.log);
    // a forged entry (amount changed) under the honest proof
    const honest = delivery(src, "dst", 2n, relayer.address);
    const forged = OutboxEntry.decode(honest.value.entry);
    forged.payload = TransferPayload.encode({ ...TransferPayload.decode(forged.payload), amount: "90" }).finish();
    const f1 = await run(dst, relayer, [{ ...honest, value: { ...honest.value, entry: OutboxEntry.encode(forged).finish() } }]);
    assert.equal(f1.code, 7, f1.log);
    // a wrong root, and a malformed proof
    const f2 = await run(dst, relayer, [{ ...honest, value: { ...honest.value, appHash: new Uint8Array(32).fill(7) } }]);
    assert.equal(f2.code, 7);
    const f3 = await run(dst, relayer, [{ ...honest, value: { ...honest.value, proof: new Uint8Array([1, 0, 0]) } }]);
    assert.equal(f3.code, 7);
    assert.equal(seqs(dst, "src").inSequence, 1n);
    // the honest #2 and #3 in one transaction, in order
    const both = await run(dst, relayer, [honest, delivery(src, "dst", 3n, relayer.address)]);
    assert.equal(both.code, 0, both.log);
    assert.equal(seqs(dst, "src").inSequence, 3n);
    assert.equal(balance(dst, bob.address, StarOnDst), 120n);
  });

  test("a failing payload consumes the sequence, its failure result refunds the escrow on the source", async () => {
    // uqos is native on dst: no voucher may be minted for it
    const before = balance(src, alice.address, "uqos");
    const res = await run(src, alice, [transfer("dst", alice.address, bob.address, "5000", "uqos")]);
    assert.equal(res.code, 0, res.log);
    assert.equal(balance(src, alice.address, "uqos"), before - 5000n - 50000n);
    const seq = seqs(src, "dst").outSequence;
    const res2 = await run(dst, relayer, [delivery(src, "dst", seq, relayer.address)]);
    assert.equal(res2.code, 0, res2.log);
    assert.equal(events(res2, "qcp_recv")[0].code, "17");
    assert.equal(seqs(dst, "src").inSequence, seq);
    const resultSeq = seqs(dst, "src").outSequence;
    const result = ResultPayload.decode(OutboxEntry.decode(QueryEntryResponse.decode(q(dst, "/qos.qcp.v1.Query/Entry", QueryEntryRequest.encode({ chainId: "src", sequence: resultSeq }).finish())).entry).payload);
    assert.equal(result.code, 17);
    assert.equal(result.codespace, "qcp");
    // deliver the pending results in order (#2, #3 were successes, then this failure)
    const inSrc = seqs(src, "dst").inSequence;
    for (let s = inSrc + 1n; s <= resultSeq; s++) assert.equal((await run(src, relayer, [delivery(dst, "src", s, relayer.address)])).code, 0);
    assert.equal(balance(src, alice.address, "uqos"), before - 5000n - 50000n + 5000n);
  });

  test("vouchers go home: burned on the way back, released from escrow at home; supply conserved per chain", async () => {
    const res = await run(dst, bob, [transfer("src", bob.address, alice.address, "50", StarOnDst)]);
    assert.equal(res.code, 0, res.log);
    assert.equal(events(res, "qcp_transfer")[0].returning, "true");
    const seq = seqs(dst, "src").outSequence;
    // results toward src are delivered first (#1..#4), then this transfer
    const aliceBefore = balance(src, alice.address, "STAR");
    const ok = await run(src, relayer, [delivery(dst, "src", seq, relayer.address)]);
    assert.equal(ok.code, 0, ok.log);
    assert.equal(balance(src, alice.address, "STAR"), aliceBefore + 50n);
    // src escrow: 120 out - 50 back; dst: 120 vouchers minted - 50 burned
    const supply = (c: Chain, denom = "STAR") => [alice, bob, relayer, mallory, creator].reduce((s, a) => s + balance(c, a.address, denom), 0n);
    assert.equal(supply(src), 5000n - 70n);
    assert.equal(supply(dst), 5000n);
    assert.equal(supply(dst, StarOnDst), 70n);
  });

  test("execute: runs a message as the sender's interchain account; another signer is refused", async () => {
    const ica = QueryInterchainAccountResponse.decode(q(dst, "/qos.qcp.v1.Query/InterchainAccount", QueryInterchainAccountRequest.encode({ sourceChain: "src", sender: alice.address }).finish())).address;
    // fund the interchain account on dst
    const send = (from: string, to: string, amount: string) => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom: "uqos", amount }] }) });
    assert.equal((await run(dst, bob, [send(bob.address, ica, "1000")])).code, 0);
    const any = (m: ReturnType<typeof send>) => ({ typeUrl: m.typeUrl, value: MsgSend.encode(m.value).finish() });
    const exec = (msgs: ReturnType<typeof send>[]) => ({ typeUrl: "/qos.qcp.v1.MsgExecute", value: MsgExecute.fromPartial({ sender: alice.address, toChain: "dst", msgs: msgs.map(any) }) });
    assert.equal((await run(src, alice, [exec([send(ica, mallory.address, "300")])])).code, 0);
    assert.equal((await run(src, alice, [exec([send(bob.address, mallory.address, "300")])])).code, 0);
    const malloryBefore = balance(dst, mallory.address, "uqos");
    const out = seqs(src, "dst").outSequence;
    // first the result of the previous test's transfer (src's entry #5 is a result toward dst)
    for (let s = seqs(dst, "src").inSequence + 1n; s < out - 1n; s++) assert.equal((await run(dst, relayer, [delivery(src, "dst", s, relayer.address)])).code, 0);
    const r1 = await run(dst, relayer, [delivery(src, "dst", out - 1n, relayer.address)]);
    assert.equal(r1.code, 0, r1.log);
    assert.equal(events(r1, "qcp_recv")[0].code, "0", r1.log);
    const r2 = await run(dst, relayer, [delivery(src, "dst", out, relayer.address)]);
    assert.equal(events(r2, "qcp_recv")[0].code, "19");
    assert.equal(balance(dst, mallory.address, "uqos"), malloryBefore + 300n);
    assert.equal(balance(dst, ica, "uqos"), 700n);
  });

  test("attack: a payload whose execution throws a JS exception leaves only a fixed code and text in the outbox, never the exception's message", async () => {
    // A latent bug in a handler that a payload reaches (a TypeError, whose text V8 words its own way):
    // dst's MsgSend handler is made to throw one. Strict decoding already turns bad bytes into app errors.
    const handler = dst.t.app.modules.flatMap((m) => m.msgs ?? []).find((h) => h.typeUrl === "/cosmos.bank.v1beta1.MsgSend")!;
    const original = handler.execute;
    handler.execute = () => (null as unknown as { x: { y: number } }).x.y as never;
    try {
      const ica = QueryInterchainAccountResponse.decode(q(dst, "/qos.qcp.v1.Query/InterchainAccount", QueryInterchainAccountRequest.encode({ sourceChain: "src", sender: alice.address }).finish())).address;
      const send = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode(MsgSend.fromPartial({ fromAddress: ica, toAddress: bob.address, amount: [{ denom: "uqos", amount: "1" }] })).finish() };
      const sent = await run(src, alice, [{ typeUrl: "/qos.qcp.v1.MsgExecute", value: MsgExecute.fromPartial({ sender: alice.address, toChain: "dst", msgs: [send] }) }]);
      assert.equal(sent.code, 0, sent.log);
      const out = seqs(src, "dst").outSequence;
      for (let s = seqs(dst, "src").inSequence + 1n; s < out; s++) assert.equal((await run(dst, relayer, [delivery(src, "dst", s, relayer.address)])).code, 0);
      const res = await run(dst, relayer, [delivery(src, "dst", out, relayer.address)]);
      assert.equal(res.code, 0, res.log);
      assert.equal(events(res, "qcp_recv")[0].code, "1");
      const resultSeq = seqs(dst, "src").outSequence;
      const stored = OutboxEntry.decode(QueryEntryResponse.decode(q(dst, "/qos.qcp.v1.Query/Entry", QueryEntryRequest.encode({ chainId: "src", sequence: resultSeq }).finish())).entry);
      assert.deepEqual(ResultPayload.decode(stored.payload), { origSequence: out, code: 1, codespace: "sdk", log: "internal error" });
    } finally {
      handler.execute = original;
    }
  });
});
