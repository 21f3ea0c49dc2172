// Vouchers namespaced by route (issue 12 part 3), through the app's ABCI methods with three in-process
// chains A, B and C that all hold a plain token "ABC" of their own: a voucher is minted as
// qcp/<sha256("<source chain>/<denom>")> with a denom trace, only a voucher whose trace names the
// destination goes home (burned; released from the destination's escrow toward this chain only), and
// a failure result reverses a transfer exactly. Every delivery goes through deliver() below.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { toAccAddress } from "../../app/address.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { MsgCreateClient, MsgRecvQcp, MsgTransfer, MsgUpdateClient } from "../../gen/qos/qcp/v1/tx.js";
import { OutboxEntry, TransferPayload } from "../../gen/qos/qcp/v1/types.js";
import {
  QueryDenomTraceRequest, QueryDenomTraceResponse, QueryEntryRequest, QueryEntryResponse, QuerySequencesRequest, QuerySequencesResponse,
} from "../../gen/qos/qcp/v1/query.js";
import { escrowAccount, traceEntry, voucherDenom } from "../../modules/qcp/keeper.js";
import { decodeProof, verifyMembership, verifyNonMembership } from "../../app/state/smt.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { createClientMsg, lightSource, relayMsgs, sameSecond, type LightSource } from "../helpers/qcp-deliver.js";
import { newCaKeyPair } from "../../app/certificate.js";
import { toBase64 } from "@cosmjs/encoding";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const Urls = TypeUrl.qos.qcp.v1;
for (const [url, type] of [[Urls.MsgRecvQcp, MsgRecvQcp], [Urls.MsgTransfer, MsgTransfer], [Urls.MsgCreateClient, MsgCreateClient], [Urls.MsgUpdateClient, MsgUpdateClient]] as const) {
  registry.register(url, type as never);
}
/** the QCP root CA of the three chains (it certifies the header each light client starts from) */
const ca = newCaKeyPair();

interface Chain {
  id: string;
  t: TestApp;
  light: LightSource;
}

const q = (c: Chain, path: string, data: Uint8Array) => {
  const res = c.t.app.query({ path, data, height: 0n, prove: false });
  if (res.code !== 0) throw new Error(`${path}: ${res.log}`);
  return res.value;
};
const seqs = (c: Chain, other: string) => QuerySequencesResponse.decode(q(c, Method.qos.qcp.v1.Query.Sequences, QuerySequencesRequest.encode({ chainId: other }).finish()));
const balance = (c: Chain, address: string, denom: string) =>
  BigInt(QueryBalanceResponse.decode(q(c, Method.cosmos.bank.v1beta1.Query.Balance, QueryBalanceRequest.encode({ address, denom }).finish())).balance!.amount);
const supply = (c: Chain, denom: string) =>
  BigInt(QuerySupplyOfResponse.decode(q(c, Method.cosmos.bank.v1beta1.Query.SupplyOf, QuerySupplyOfRequest.encode({ denom }).finish())).amount!.amount);
const trace = (c: Chain, denom: string) => {
  const res = c.t.app.query({ path: Method.qos.qcp.v1.Query.DenomTrace, data: QueryDenomTraceRequest.encode({ denom }).finish(), height: 0n, prove: false });
  return res.code === 0 ? QueryDenomTraceResponse.decode(res.value).trace : res.code;
};
const accountSeq = (c: Chain, address: string) =>
  BaseAccount.decode(QueryAccountResponse.decode(q(c, Method.cosmos.auth.v1beta1.Query.Account, QueryAccountRequest.encode({ address }).finish())).account!.value).sequence;
const escrow = toAccAddress(escrowAccount);

const events = (res: { events: { type: string; attributes: { key: string; value: string }[] }[] }, type: string) =>
  res.events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));

describe("QCP vouchers namespaced by route", () => {
  let alice: TestAccount, bob: TestAccount, carol: TestAccount, mallory: TestAccount, relayer: TestAccount;
  let all: TestAccount[];
  let A: Chain, B: Chain, C: Chain;

  async function run(c: Chain, signer: TestAccount, msgs: EncodeObject[]) {
    const tx = await signTx(signer, msgs, {
      chainId: c.id, accountNumber: all.indexOf(signer), sequence: accountSeq(c, signer.address),
      fee: { amount: [{ denom: "uqos", amount: "50000" }], gas: "2000000" },
    });
    const { results } = await c.t.block([tx]);
    return results[0];
  }
  const transfer = (c: Chain, sender: TestAccount, to: Chain, receiver: TestAccount, amount: bigint, denom: string) =>
    run(c, sender, [{ typeUrl: Urls.MsgTransfer, value: MsgTransfer.fromPartial({ sender: sender.address, toChain: to.id, receiver: receiver.address, denom, amount: amount.toString() }) }]);

  /**
   * The one place a delivery is made: entry `seq` of `src`'s outbox toward `dst`, delivered to `dst` by
   * the relayer with an update of dst's light client of src (test/helpers/qcp-deliver.ts). Returns the
   * payload's result code on dst.
   */
  async function deliver(src: Chain, dst: Chain, seq: bigint): Promise<number> {
    const res = await run(dst, relayer, await relayMsgs(src.light, dst.light, [seq], relayer.address));
    assert.equal(res.code, 0, res.log);
    return Number(events(res, "qcp_recv")[0].code);
  }
  /** Delivers everything pending from `src` to `dst`; the payload result codes, in order. */
  async function relay(src: Chain, dst: Chain): Promise<number[]> {
    const codes: number[] = [];
    for (let s = seqs(dst, src.id).inSequence + 1n; s <= seqs(src, dst.id).outSequence; s++) codes.push(await deliver(src, dst, s));
    return codes;
  }
  /** A transfer's entry to the destination, then its result back to the source: the payload's code. */
  async function roundTrip(src: Chain, dst: Chain): Promise<number> {
    const codes = await relay(src, dst);
    assert.equal(codes.length, 1);
    assert.deepEqual(await relay(dst, src), [0]);
    return codes[0];
  }
  /** the last transfer entry src wrote toward dst */
  const lastPayload = (src: Chain, dst: Chain) => TransferPayload.decode(OutboxEntry.decode(QueryEntryResponse.decode(
    q(src, Method.qos.qcp.v1.Query.Entry, QueryEntryRequest.encode({ chainId: dst.id, sequence: seqs(src, dst.id).outSequence }).finish())).entry).payload);

  const ABC = "ABC";
  const Start = 10_000n;

  before(async () => {
    [alice, bob, carol, mallory, relayer] = await Promise.all(["v-alice", "v-bob", "v-carol", "v-mallory", "v-relayer"].map(testAccount));
    all = [alice, bob, carol, mallory, relayer];
    const make = async (id: string, others: string[], extra: { qcpChains?: Record<string, unknown>; coins?: Array<[TestAccount, string, string]> } = {}) => {
      const balances = all.map((a) => ({
        address: a.address,
        coins: [{ denom: "uqos", amount: "100000000" }, { denom: ABC, amount: Start.toString() }, ...(extra.coins ?? []).filter(([who]) => who === a).map(([, denom, amount]) => ({ denom, amount }))],
      }));
      const genesis = {
        auth: { accounts: all.map((a) => ({ address: a.address })) },
        bank: { balances },
        qcp: { root_ca_public_key: toBase64(ca.publicKey), chains: others.map((o) => ({ chain_id: o, relayers: [relayer.address], ...(extra.qcpChains?.[o] as object) })) },
      };
      const t = await createTestApp(genesis, { chainId: id });
      const c = { id, t, light: lightSource(id, t, { timeAt: sameSecond }) };
      await c.t.block([]);
      return c;
    };
    // B and C start with vouchers their genesis says came from A (B) and from B (C) although those
    // chains escrowed nothing toward them: a returning transfer of them must be refused, and refunded.
    A = await make("chain-a", ["chain-b", "chain-c"]);
    B = await make("chain-b", ["chain-a", "chain-c"], { qcpChains: { "chain-a": { vouchers: [{ denom: "XYZ", amount: "50" }] } }, coins: [[bob, voucherDenom("chain-a", "XYZ"), "50"]] });
    C = await make("chain-c", ["chain-a", "chain-b"], { qcpChains: { "chain-b": { vouchers: [{ denom: ABC, amount: "70" }] } }, coins: [[carol, voucherDenom("chain-b", ABC), "70"]] });
    // each chain's light client of each other chain, from its header 1 (QCP root CA certificate)
    for (const dst of [A, B, C]) {
      for (const src of [A, B, C].filter((c) => c !== dst)) assert.equal((await run(dst, relayer, [createClientMsg(src.light, dst.id, relayer.address, ca, 1n)])).code, 0);
    }
  });
  after(async () => {
    for (const c of [A, B, C]) await c?.t.destroy();
  });

  test("the voucher denom is qcp/ + upper-case hex sha256(\"<chain>/<denom>\")", () => {
    // printf 'chain-a/ABC' | sha256sum
    assert.equal(voucherDenom("chain-a", "ABC"), "qcp/5D6A2A3268B36E51190F117B7A60EDB85AA0809B5FC22E42056EC43A9A34D933");
    assert.equal(voucherDenom("x", "y"), "qcp/BD3C9047D6816C3172F52DDB42BF77C72CA025E4D22ACBFF3E9BBD4AB5B9048B");
  });

  test("round trip A→B→A: B mints a traced voucher, only it goes home, and balances are exact", async () => {
    const vAB = voucherDenom(A.id, ABC);
    assert.equal((await transfer(A, alice, B, bob, 1000n, ABC)).code, 0);
    assert.deepEqual(lastPayload(A, B), { sender: alice.address, receiver: bob.address, denom: ABC, amount: "1000", returning: false });
    assert.equal(balance(A, alice.address, ABC), Start - 1000n);
    assert.equal(balance(A, escrow, ABC), 1000n);
    assert.equal(await roundTrip(A, B), 0);
    // B minted the voucher, never B's own ABC
    assert.equal(balance(B, bob.address, vAB), 1000n);
    assert.equal(balance(B, bob.address, ABC), Start);
    assert.deepEqual(trace(B, vAB), { chainId: A.id, denom: ABC });
    assert.equal(trace(B, ABC), 15); // B's own ABC is no voucher
    assert.equal(trace(A, vAB), 15); // a voucher is traced only where it was minted

    // bob's own ABC toward A is escrowed on B, not "returning"
    const own = await transfer(B, bob, A, alice, 10n, ABC);
    assert.equal(events(own, "qcp_transfer")[0].returning, "false");
    assert.equal(balance(B, escrow, ABC), 10n);
    assert.equal(await roundTrip(B, A), 0);
    assert.equal(balance(A, alice.address, voucherDenom(B.id, ABC)), 10n);
    assert.equal(balance(A, alice.address, ABC), Start - 1000n);

    // the voucher goes home: burned on B, the payload names A's denom, A releases its escrow
    const home = await transfer(B, bob, A, alice, 400n, vAB);
    assert.equal(home.code, 0, home.log);
    assert.equal(events(home, "qcp_transfer")[0].returning, "true");
    assert.deepEqual(lastPayload(B, A), { sender: bob.address, receiver: alice.address, denom: ABC, amount: "400", returning: true });
    assert.equal(supply(B, vAB), 600n);
    assert.equal(await roundTrip(B, A), 0);
    assert.equal(balance(A, alice.address, ABC), Start - 600n);
    assert.equal(balance(A, escrow, ABC), 600n);
    assert.equal(balance(B, bob.address, vAB), 600n);
    // supply per chain: A's ABC is conserved (600 in escrow); B's voucher supply is exactly that
    assert.equal(supply(A, ABC), 5n * Start);
    assert.equal(supply(B, vAB), balance(A, escrow, ABC));
  });

  test("multi-hop A→B→C and back the same way: each hop escrows or mints its own voucher; the way back releases each escrow", async () => {
    const vAB = voucherDenom(A.id, ABC);
    const vBC = voucherDenom(B.id, vAB);
    assert.equal((await transfer(B, bob, C, carol, 300n, vAB)).code, 0); // a voucher going elsewhere: escrowed on B
    assert.deepEqual(lastPayload(B, C), { sender: bob.address, receiver: carol.address, denom: vAB, amount: "300", returning: false });
    assert.equal(balance(B, escrow, vAB), 300n);
    assert.equal(supply(B, vAB), 600n); // nothing burned
    assert.equal(await roundTrip(B, C), 0);
    assert.equal(balance(C, carol.address, vBC), 300n);
    assert.deepEqual(trace(C, vBC), { chainId: B.id, denom: vAB });

    // C's voucher cannot skip B: toward A it is escrowed on C and becomes a new voucher on A
    assert.equal((await transfer(C, carol, A, alice, 5n, vBC)).code, 0);
    assert.equal(lastPayload(C, A).returning, false);
    assert.equal(await roundTrip(C, A), 0);
    assert.equal(balance(A, alice.address, voucherDenom(C.id, vBC)), 5n);
    assert.equal(balance(A, escrow, ABC), 600n);

    // back: C → B releases B's escrow of vAB, then B → A releases A's ABC
    assert.equal((await transfer(C, carol, B, bob, 295n, vBC)).code, 0);
    assert.equal(lastPayload(C, B).returning, true);
    assert.equal(await roundTrip(C, B), 0);
    assert.equal(supply(C, vBC), 5n); // in C's escrow toward A
    assert.equal(balance(B, escrow, vAB), 5n);
    assert.equal(balance(B, bob.address, vAB), 300n + 295n);
    assert.equal((await transfer(B, bob, A, alice, 595n, vAB)).code, 0);
    assert.equal(await roundTrip(B, A), 0);
    assert.equal(balance(A, alice.address, ABC), Start - 5n);
    assert.equal(balance(A, escrow, ABC), 5n);
    assert.equal(supply(B, vAB), 5n);
  });

  test("attack: voucher collision — C's own ABC reaches A and is sent on to B; B's escrowed ABC does not move", async () => {
    // B escrowed 10 ABC toward A above (A holds them as qcp/<B/ABC>)
    const vBA = voucherDenom(B.id, ABC);
    const vCA = voucherDenom(C.id, ABC);
    assert.equal(balance(B, escrow, ABC), 10n);
    assert.equal((await transfer(C, mallory, A, mallory, 500n, ABC)).code, 0);
    assert.equal(await roundTrip(C, A), 0);
    // on A, C's ABC and B's ABC are different coins
    assert.equal(balance(A, mallory.address, vCA), 500n);
    assert.notEqual(vCA, vBA);
    assert.equal(supply(A, vBA), 10n);

    // mallory sends C's ABC to B: not returning (its trace names C), so A escrows it and B mints a voucher of A's
    const sent = await transfer(A, mallory, B, mallory, 500n, vCA);
    assert.equal(sent.code, 0, sent.log);
    assert.equal(events(sent, "qcp_transfer")[0].returning, "false");
    assert.deepEqual(lastPayload(A, B), { sender: mallory.address, receiver: mallory.address, denom: vCA, amount: "500", returning: false });
    // and A's own bare ABC toward B is escrowed on A as well
    assert.equal((await transfer(A, mallory, B, mallory, 7n, ABC)).code, 0);
    assert.equal(lastPayload(A, B).returning, false);
    assert.deepEqual(await relay(A, B), [0, 0]);
    assert.deepEqual(await relay(B, A), [0, 0]);
    assert.equal(balance(B, escrow, ABC), 10n, "B's escrowed ABC did not move");
    assert.equal(balance(B, mallory.address, ABC), Start);
    assert.equal(balance(B, mallory.address, voucherDenom(A.id, vCA)), 500n);
    assert.equal(balance(B, mallory.address, voucherDenom(A.id, ABC)), 7n);
    // the honest way home still works: A's holder of B's voucher gets B's ABC released
    assert.equal((await transfer(A, alice, B, alice, 10n, vBA)).code, 0);
    assert.equal(await roundTrip(A, B), 0);
    assert.equal(balance(B, escrow, ABC), 0n);
    assert.equal(balance(B, alice.address, ABC), Start + 10n);
  });

  test("a returning transfer is released from the escrow toward its source only: short there is refused (18) and refunded by re-minting the voucher", async () => {
    // C's genesis holds 70 qcp/<B/ABC> that B never escrowed toward C; B holds ABC in escrow toward A only
    const vB = voucherDenom(B.id, ABC);
    assert.equal((await transfer(B, bob, A, alice, 40n, ABC)).code, 0);
    assert.equal(await roundTrip(B, A), 0);
    const bEscrow = balance(B, escrow, ABC);
    assert.equal(bEscrow, 40n);
    const res = await transfer(C, carol, B, carol, 70n, vB);
    assert.equal(events(res, "qcp_transfer")[0].returning, "true");
    assert.equal(supply(C, vB), 0n);
    assert.deepEqual(trace(C, vB), { chainId: B.id, denom: ABC }, "the trace stays after the last coin is burned");
    assert.deepEqual(await relay(C, B), [18]);
    assert.equal(balance(B, escrow, ABC), bEscrow, "escrow toward A did not move");
    assert.equal(balance(B, carol.address, ABC), Start);
    assert.deepEqual(await relay(B, C), [0]);
    assert.equal(balance(C, carol.address, vB), 70n);
    assert.equal(supply(C, vB), 70n);
  });

  test("failure refunds reverse exactly: a burned voucher is re-minted, an escrow is released", async () => {
    // B's genesis holds 50 qcp/<A/XYZ>; A escrowed no XYZ: the way home fails on A, the voucher comes back
    const vXYZ = voucherDenom(A.id, "XYZ");
    assert.equal((await transfer(B, bob, A, alice, 50n, vXYZ)).code, 0);
    assert.equal(balance(B, bob.address, vXYZ), 0n);
    assert.equal(await roundTrip(B, A), 18);
    assert.equal(balance(B, bob.address, vXYZ), 50n);
    assert.equal(supply(B, vXYZ), 50n);
    // uqos is native on B: refused there (17), A's escrow of it released to the sender
    const before = balance(A, alice.address, "uqos");
    assert.equal((await transfer(A, alice, B, bob, 5000n, "uqos")).code, 0);
    assert.equal(balance(A, escrow, "uqos"), 5000n);
    assert.equal(await roundTrip(A, B), 17);
    assert.equal(balance(A, escrow, "uqos"), 0n);
    assert.equal(balance(A, alice.address, "uqos"), before - 50000n);
    assert.equal(balance(B, bob.address, voucherDenom(A.id, "uqos")), 0n);
  });

  test("a denom trace is provable (qoscli query qcp denom-trace --verify): membership for a voucher minted here, absence for any other denom", () => {
    const proven = (c: Chain, denom: string) => {
      const entry = traceEntry(denom);
      const res = c.t.app.query({ path: "/store/key", data: entry.key, height: BigInt(c.t.height), prove: true });
      assert.equal(res.code, 0, res.log);
      const proof = decodeProof(res.proofOps!.ops[0].data);
      const root = c.t.app.store.latest.appHash;
      if (res.value.length === 0) return verifyNonMembership(root, entry.key, proof) ? "absent" : "bad proof";
      return verifyMembership(root, entry.key, res.value, proof) ? entry.decode(res.value) : "bad proof";
    };
    assert.deepEqual(proven(B, voucherDenom(A.id, ABC)), { chainId: A.id, denom: ABC });
    assert.equal(proven(B, ABC), "absent");
    assert.equal(proven(A, voucherDenom(A.id, ABC)), "absent");
  });

  test("genesis export keeps the traces and the ledger: a chain started from it has the same vouchers and traces", async () => {
    const state = JSON.parse(JSON.stringify(B.t.app.exportAppState())) as Record<string, { denom_traces?: unknown; chains?: Array<{ chain_id: string; vouchers: unknown }> }>;
    const byDenom = (x: { chain_id: string; denom: string }, y: { chain_id: string; denom: string }) => (voucherDenom(x.chain_id, x.denom) < voucherDenom(y.chain_id, y.denom) ? -1 : 1);
    const vCA = voucherDenom(C.id, ABC);
    assert.deepEqual(state.qcp.denom_traces, [[A.id, "XYZ"], [A.id, ABC], [A.id, vCA]].map(([chain_id, denom]) => ({ chain_id, denom })).sort(byDenom));
    // A's ABC: 5 still in B's escrow toward C (the multi-hop), 7 mallory's
    assert.deepEqual(state.qcp.chains!.find((c) => c.chain_id === A.id)!.vouchers, [{ denom: ABC, amount: "12" }, { denom: "XYZ", amount: "50" }, { denom: vCA, amount: "500" }]);
    const copy = await createTestApp(state, { chainId: B.id }); // invariants (voucher supply == ledger) checked each block
    try {
      await copy.block([]);
      const c = { id: B.id, t: copy, light: lightSource(B.id, copy) };
      for (const [denom, amount] of [["XYZ", 50n], [ABC, 12n], [vCA, 500n]] as const) {
        assert.deepEqual(trace(c, voucherDenom(A.id, denom)), { chainId: A.id, denom });
        assert.equal(supply(c, voucherDenom(A.id, denom)), amount);
      }
    } finally {
      await copy.destroy();
    }
  });
});
