// The state machine through its ABCI methods, in-process: transfers, atomicity, the ante rules,
// queries, proofs, determinism and restart.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { QueryAllBalancesResponse, QueryBalanceRequest, QueryBalanceResponse, QueryTotalSupplyResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import { StoreKeyQueryPath } from "../../app/app.js";
import { FeeCollectorAccount } from "../../modules/auth/index.js";
import { decodeProof, verifyMembership, verifyNonMembership } from "../../app/state/smt.js";

const chainId = "qos-unit-1";
const send = (from: string, to: string, amount: string, denom = "uqos") => ({
  typeUrl: "/cosmos.bank.v1beta1.MsgSend",
  value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom, amount }] }),
});
const fee = { amount: [{ denom: "uqos", amount: "5000" }], gas: "200000" };

function balance(t: TestApp, address: string, denom = "uqos"): bigint {
  const res = t.app.query({ path: "/cosmos.bank.v1beta1.Query/Balance", data: QueryBalanceRequest.encode({ address, denom }).finish(), height: 0n, prove: false });
  assert.equal(res.code, 0, res.log);
  return BigInt(QueryBalanceResponse.decode(res.value).balance!.amount);
}

function sequenceOf(t: TestApp, address: string): bigint {
  const res = t.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false });
  assert.equal(res.code, 0, res.log);
  return BaseAccount.decode(QueryAccountResponse.decode(res.value).account!.value).sequence;
}

function attr(results: { events: { type: string; attributes: { key: string; value: string }[] }[] }, type: string, key: string): string[] {
  return results.events.filter((e) => e.type === type).flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));
}

describe("QosApp", () => {
  let alice: TestAccount, bob: TestAccount, carol: TestAccount, dave: TestAccount;
  let t: TestApp;

  before(async () => {
    [alice, bob, carol, dave] = await Promise.all(["alice", "bob", "carol", "dave"].map(testAccount));
    t = await createTestApp(
      genesisWith([
        { address: alice.address, coins: [{ denom: "uqos", amount: "1000000000" }, { denom: "ustar", amount: "500" }] },
        { address: bob.address, coins: [{ denom: "uqos", amount: "1000000" }] },
        { address: carol.address, coins: [{ denom: "uqos", amount: "1000000" }] },
      ]),
      { chainId, profile: "business" },
    );
    await t.block([]);
  });
  after(() => t.destroy());

  test("MsgSend moves the amount, pays the fee to the fee collector and bumps the sequence", async () => {
    const tx = await signTx(alice, [send(alice.address, dave.address, "12345")], { chainId, accountNumber: 0, sequence: 0, fee });
    const check = t.app.checkTx({ tx, type: CheckTxType.NEW });
    assert.equal(check.code, 0, check.log);
    const { results } = await t.block([tx]);
    assert.equal(results[0].code, 0, results[0].log);
    assert.equal(balance(t, dave.address), 12345n);
    assert.equal(balance(t, alice.address), 1000000000n - 12345n - 5000n);
    assert.equal(balance(t, toAccAddress(moduleAddress(FeeCollectorAccount.name))), 5000n);
    assert.equal(sequenceOf(t, alice.address), 1n);
    assert.deepEqual(attr(results[0], "transfer", "recipient"), [toAccAddress(moduleAddress(FeeCollectorAccount.name)), dave.address]);
    assert.ok(attr(results[0], "message", "sender").includes(alice.address));
    assert.deepEqual(attr(results[0], "tx", "fee"), ["5000uqos"]);
    assert.ok(results[0].gasUsed > 0n && results[0].gasUsed <= 200000n);
  });

  test("a multi-sender multi-receiver MsgTransfer moves exactly the listed amounts", async () => {
    const before = { alice: balance(t, alice.address), bob: balance(t, bob.address), carol: balance(t, carol.address), dave: balance(t, dave.address) };
    const msg = {
      typeUrl: "/qos.bank.v1.MsgTransfer",
      value: MsgTransfer.fromPartial({
        senders: [
          { address: alice.address, coins: [{ denom: "uqos", amount: "700" }, { denom: "ustar", amount: "20" }] },
          { address: bob.address, coins: [{ denom: "uqos", amount: "300" }] },
        ],
        receivers: [
          { address: carol.address, coins: [{ denom: "uqos", amount: "400" }] },
          { address: dave.address, coins: [{ denom: "uqos", amount: "600" }, { denom: "ustar", amount: "20" }] },
        ],
      }),
    };
    // two signers: alice (fee payer) and bob; each signs the same body and auth info
    const tx = await signMulti([alice, bob], [msg], [0n, 1n], [1n, 0n]);
    const { results } = await t.block([tx]);
    assert.equal(results[0].code, 0, results[0].log);
    assert.equal(balance(t, alice.address), before.alice - 700n - 5000n);
    assert.equal(balance(t, bob.address), before.bob - 300n);
    assert.equal(balance(t, carol.address), before.carol + 400n);
    assert.equal(balance(t, dave.address), before.dave + 600n);
    assert.equal(balance(t, dave.address, "ustar"), 20n);
    assert.equal(balance(t, alice.address, "ustar"), 480n);
  });

  test("a failing message rolls back the whole tx but the fee and sequence stay consumed", async () => {
    const seq = sequenceOf(t, alice.address);
    const before = { alice: balance(t, alice.address), dave: balance(t, dave.address) };
    const tx = await signTx(alice, [send(alice.address, dave.address, "1000"), send(alice.address, dave.address, "999999999999")], {
      chainId, accountNumber: 0, sequence: seq, fee,
    });
    const { results } = await t.block([tx]);
    assert.equal(results[0].code, 5, results[0].log);
    assert.equal(results[0].codespace, "sdk");
    assert.match(results[0].log, /insufficient funds/);
    assert.equal(balance(t, dave.address), before.dave, "first message must be rolled back");
    assert.equal(balance(t, alice.address), before.alice - 5000n);
    assert.equal(sequenceOf(t, alice.address), seq + 1n);
  });

  test("CheckTx refuses bad input with distinct codes and clear logs", async () => {
    const seq = sequenceOf(t, carol.address);
    const good = () => signTx(carol, [send(carol.address, dave.address, "1")], { chainId, accountNumber: 2, sequence: seq, fee });
    const cases: Array<[string, Uint8Array, number, RegExp]> = [
      ["random bytes", new Uint8Array([0xff, 0x01, 0x02, 0x03, 0x99]), 2, /decode/],
      ["truncated", (await good()).subarray(0, 40), 2, /decode/],
      ["wrong chain id", await signTx(carol, [send(carol.address, dave.address, "1")], { chainId: "other-chain", accountNumber: 2, sequence: seq, fee }), 4, /chain-id/],
      ["wrong account number", await signTx(carol, [send(carol.address, dave.address, "1")], { chainId, accountNumber: 7, sequence: seq, fee }), 4, /signature verification failed/],
      ["old sequence", await signTx(carol, [send(carol.address, dave.address, "1")], { chainId, accountNumber: 2, sequence: seq + 5n, fee }), 32, /expected/],
      ["fee too low", await signTx(carol, [send(carol.address, dave.address, "1")], { chainId, accountNumber: 2, sequence: seq, fee: { amount: [{ denom: "uqos", amount: "1" }], gas: "200000" } }), 13, /minimum gas price/],
      ["overflow", await signTx(carol, [send(carol.address, dave.address, "1" + "0".repeat(80))], { chainId, accountNumber: 2, sequence: seq, fee }), 10, /78 digits|overflow/],
      ["unknown message", await signTx(carol, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: carol.address }) }], { chainId, accountNumber: 2, sequence: seq, fee }).then((b) => replaceTypeUrl(b, "/cosmos.bank.v1beta1.MsgSend", "/foo.bar.v1.MsgNope")), 6, /unknown message type/],
      ["bad signature", flipSignatureBit(await good()), 4, /signature verification failed/],
      ["high-S signature", highS(await good()), 4, /high-S/],
      ["wrong prefix", await signTx(carol, [send(carol.address, "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a", "1")], { chainId, accountNumber: 2, sequence: seq, fee }), 7, /prefix|bech32/],
    ];
    for (const [name, tx, code, log] of cases) {
      const res = t.app.checkTx({ tx, type: CheckTxType.NEW });
      assert.equal(res.code, code, `${name}: ${res.log}`);
      assert.match(res.log, log, name);
    }
    // and the good one still passes: nothing above consumed carol's sequence
    assert.equal(t.app.checkTx({ tx: await good(), type: CheckTxType.NEW }).code, 0);
    // the same bytes proposed in a block: each fails with a non-zero code and changes nothing, except the
    // low-fee tx, which is valid in a block (the minimum gas price is a node's mempool policy, not consensus)
    const carolBefore = balance(t, carol.address);
    const { results } = await t.block(cases.map(([, tx]) => tx));
    results.forEach((r, i) => (cases[i][0] === "fee too low" ? assert.equal(r.code, 0, r.log) : assert.notEqual(r.code, 0, cases[i][0])));
    assert.equal(balance(t, carol.address), carolBefore - 1n - 1n);
    assert.equal(sequenceOf(t, carol.address), seq + 1n);
  });

  test("queries: unknown account is NotFound (what CosmJS needs), AllBalances sorted, TotalSupply equals balances", () => {
    const res = t.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address: toAccAddress(new Uint8Array(20).fill(9)) }).finish(), height: 0n, prove: false });
    assert.notEqual(res.code, 0);
    assert.match(res.log, /rpc error: code = NotFound/);
    assert.equal(res.height, BigInt(t.height));
    const all = t.app.query({ path: "/cosmos.bank.v1beta1.Query/AllBalances", data: QueryBalanceRequest.encode({ address: alice.address, denom: "" }).finish(), height: 0n, prove: false });
    assert.deepEqual(QueryAllBalancesResponse.decode(all.value).balances.map((c) => c.denom), ["uqos", "ustar"]);
    const supply = QueryTotalSupplyResponse.decode(t.app.query({ path: "/cosmos.bank.v1beta1.Query/TotalSupply", data: new Uint8Array(), height: 0n, prove: false }).value);
    assert.deepEqual(supply.supply, [{ denom: "uqos", amount: String(1000000000 + 1000000 + 1000000) }, { denom: "ustar", amount: "500" }]);
    const bad = t.app.query({ path: "/cosmos.bank.v1beta1.Query/Balance", data: new Uint8Array([0xff, 0xff, 0xff]), height: 0n, prove: false });
    assert.notEqual(bad.code, 0);
    const unknown = t.app.query({ path: "/nope", data: new Uint8Array(), height: 0n, prove: false });
    assert.equal(unknown.code, 6);
  });

  test("Simulate returns a positive deterministic gas estimate without signatures", async () => {
    const seq = sequenceOf(t, bob.address);
    const signed = TxRaw.decode(await signTx(bob, [send(bob.address, dave.address, "5")], { chainId, accountNumber: 1, sequence: seq, fee }));
    const unsigned = TxRaw.encode({ ...signed, signatures: [new Uint8Array()] }).finish();
    const ask = () => t.app.query({ path: "/cosmos.tx.v1beta1.Service/Simulate", data: SimulateRequest.encode({ txBytes: unsigned }).finish(), height: 0n, prove: false });
    const first = ask();
    assert.equal(first.code, 0, first.log);
    const gas = SimulateResponse.decode(first.value).gasInfo!.gasUsed;
    assert.ok(gas > 10000n && gas < 200000n, `gas ${gas}`);
    assert.equal(SimulateResponse.decode(ask().value).gasInfo!.gasUsed, gas);
  });

  test("/store/key with prove=true gives a proof that verifies against the app hash", () => {
    const key = Buffer.from("app/chain_id", "latin1");
    const res = t.app.query({ path: StoreKeyQueryPath, data: key, height: 0n, prove: true });
    assert.equal(res.code, 0, res.log);
    assert.equal(Buffer.from(res.value).toString(), chainId);
    const proof = decodeProof(res.proofOps!.ops[0].data);
    const appHash = t.app.store.latest.appHash;
    assert.equal(verifyMembership(appHash, key, res.value, proof), true);
    assert.equal(verifyMembership(appHash, key, new TextEncoder().encode("forged"), proof), false);
    const missing = Buffer.from("app/nothing-here", "latin1");
    const absent = t.app.query({ path: StoreKeyQueryPath, data: missing, height: 0n, prove: true });
    assert.equal(absent.value.length, 0);
    assert.equal(verifyNonMembership(appHash, missing, decodeProof(absent.proofOps!.ops[0].data)), true);
  });

  test("restart: a reopened app reports the same height and app hash and keeps balances", async () => {
    const info = t.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    const daveBalance = balance(t, dave.address);
    await t.reopen();
    const again = t.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    assert.equal(again.lastBlockHeight, info.lastBlockHeight);
    assert.deepEqual(again.lastBlockAppHash, info.lastBlockAppHash);
    assert.equal(balance(t, dave.address), daveBalance);
  });

  async function signMulti(signers: TestAccount[], msgs: any[], accountNumbers: bigint[], sequences: bigint[]): Promise<Uint8Array> {
    const { registry } = await import("../helpers/wallet.js");
    const { makeAuthInfoBytes, makeSignDoc, encodePubkey } = await import("@cosmjs/proto-signing");
    const { encodeSecp256k1Pubkey } = await import("@cosmjs/amino");
    const { fromBase64 } = await import("@cosmjs/encoding");
    const bodyBytes = registry.encode({ typeUrl: "/cosmos.tx.v1beta1.TxBody", value: { messages: msgs, memo: "" } });
    const authInfoBytes = makeAuthInfoBytes(
      signers.map((s, i) => ({ pubkey: encodePubkey(encodeSecp256k1Pubkey(s.pubkey)), sequence: sequences[i] })),
      fee.amount, Number(fee.gas), undefined, undefined,
    );
    const signatures = [];
    for (let i = 0; i < signers.length; i++) {
      const { signature } = await signers[i].wallet.signDirect(signers[i].address, makeSignDoc(bodyBytes, authInfoBytes, chainId, accountNumbers[i]));
      signatures.push(fromBase64(signature.signature));
    }
    return TxRaw.encode({ bodyBytes, authInfoBytes, signatures }).finish();
  }
});

describe("determinism", () => {
  test("two apps fed the same genesis and blocks compute the same app hashes; a changed tx changes it", async () => {
    const [alice, bob] = await Promise.all([testAccount("d-alice"), testAccount("d-bob")]);
    const genesis = genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: "100000000" }] }]);
    const a = await createTestApp(genesis, { chainId, profile: "business" });
    const b = await createTestApp(genesis, { chainId, profile: "business" });
    const c = await createTestApp(genesis, { chainId, profile: "business" });
    try {
      const txs = [];
      for (let seq = 0; seq < 5; seq++) txs.push(await signTx(alice, [send(alice.address, bob.address, String(100 + seq))], { chainId, accountNumber: 0, sequence: seq, fee }));
      const ha = [(await a.block(txs.slice(0, 3))).appHash, (await a.block(txs.slice(3))).appHash];
      const hb = [(await b.block(txs.slice(0, 3))).appHash, (await b.block(txs.slice(3))).appHash];
      assert.deepEqual(ha, hb);
      const hc = (await c.block(txs.slice(0, 2))).appHash;
      assert.notDeepEqual(hc, ha[0]);
    } finally {
      await Promise.all([a.destroy(), b.destroy(), c.destroy()]);
    }
  });
});

function replaceTypeUrl(txBytes: Uint8Array, from: string, to: string): Uint8Array {
  const raw = TxRaw.decode(txBytes);
  const body = TxBody.decode(raw.bodyBytes);
  assert.equal(body.messages[0].typeUrl, from);
  body.messages[0].typeUrl = to;
  return TxRaw.encode({ ...raw, bodyBytes: TxBody.encode(body).finish() }).finish();
}

function flipSignatureBit(txBytes: Uint8Array): Uint8Array {
  const raw = TxRaw.decode(txBytes);
  const sig = new Uint8Array(raw.signatures[0]);
  sig[10] ^= 0x01;
  return TxRaw.encode({ ...raw, signatures: [sig] }).finish();
}

const CurveOrder = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
function highS(txBytes: Uint8Array): Uint8Array {
  const raw = TxRaw.decode(txBytes);
  const sig = new Uint8Array(raw.signatures[0]);
  const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"));
  sig.set(Buffer.from((CurveOrder - s).toString(16).padStart(64, "0"), "hex"), 32);
  return TxRaw.encode({ ...raw, signatures: [sig] }).finish();
}
