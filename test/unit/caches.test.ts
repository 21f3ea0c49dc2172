// Memory exhaustion over RPC (issue 10, defect 6): the decoded-tx cache kept 20,000 entries keyed by the
// full tx bytes and was filled before the ante handler, so ~8,000 distinct 255 KB txs that were all
// refused (costing their sender nothing) exhausted a 4 GiB heap. Now every cache is bounded in bytes
// (app/cache.ts), the tx cache is keyed by sha256, and the tx and signature caches are filled only by
// txs that passed the ante handler (signatures and fee). A cache never changes a result.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import fc from "fast-check";
import { ByteLru } from "../../app/cache.js";
import { decodedTxBytes } from "../../app/app.js";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const chainId = "qos-cache-1";
const fee = { amount: [{ denom: "uqos", amount: "5000" }], gas: "200000" };
const send = (from: string, to: string, amount: string) => ({
  typeUrl: "/cosmos.bank.v1beta1.MsgSend",
  value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom: "uqos", amount }] }),
});
/** one decoded-tx cache entry: 32-byte sha256 key, the tx's bytes and decoded form, the entry overhead */
const txEntry = (length: number) => 32 + decodedTxBytes(length) + ByteLru.EntryOverheadBytes;
/** one signature cache entry: 32-byte digest + 64-byte signature + 33-byte key, the entry overhead */
const signatureEntry = 129 + ByteLru.EntryOverheadBytes;

describe("attack: memory exhaustion through the node's caches", () => {
  let alice: TestAccount, bob: TestAccount, poor: TestAccount;
  const apps: TestApp[] = [];
  before(async () => {
    [alice, bob, poor] = await Promise.all(["cache-alice", "cache-bob", "cache-poor"].map(testAccount));
  });
  after(async () => {
    for (const t of apps) await t.destroy();
  });
  const open = async (options: { txCacheBytes?: number; signatureCacheBytes?: number } = {}) => {
    const t = await createTestApp(genesisWith([
      { address: alice.address, coins: [{ denom: "uqos", amount: "1000000000" }] },
      { address: poor.address, coins: [{ denom: "uqos", amount: "1" }] },
    ]), { chainId, profile: "business", ...options });
    apps.push(t);
    await t.block([]);
    return t;
  };
  const check = (t: TestApp, tx: Uint8Array) => t.app.checkTx({ tx, type: CheckTxType.NEW });

  test("attack: 30,000 distinct 16 KB txs, 2,000 with forged signatures and 50 that cannot pay their fee, all refused: both caches hold exactly 0 bytes", async () => {
    const t = await open();
    const template = TxRaw.decode(await signTx(alice, [send(alice.address, bob.address, "1")], { chainId, accountNumber: 0, sequence: 0, fee }));
    // one 16 KB tx whose memo starts with 8 digits, rewritten for each of the 30,000 (the node copies
    // what it keeps, so reusing the buffer is what a socket read buffer does too)
    const bodyBytes = TxBody.encode(TxBody.fromPartial({
      messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode(send(alice.address, bob.address, "1").value).finish() }],
      memo: `########${"x".repeat(16 * 1024)}`,
    })).finish();
    const big = TxRaw.encode({ bodyBytes, authInfoBytes: template.authInfoBytes, signatures: template.signatures }).finish();
    const digits = Buffer.from(big).indexOf("########");
    for (let i = 0; i < 30_000; i++) {
      big.set(Buffer.from(String(i).padStart(8, "0")), digits);
      const res = check(t, big);
      if (res.code !== 12) assert.fail(`tx ${i}: code ${res.code} ${res.log}`);
    }
    for (let i = 0; i < 2_000; i++) {
      const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode(send(alice.address, bob.address, "1").value).finish() }], memo: `forged ${i}` })).finish();
      const res = check(t, TxRaw.encode({ bodyBytes, authInfoBytes: template.authInfoBytes, signatures: template.signatures }).finish());
      if (res.code !== 4) assert.fail(`forged tx ${i}: code ${res.code} ${res.log}`);
    }
    for (let i = 0; i < 50; i++) {
      // a correct signature, then the fee fails: the signature was verified but must not be remembered
      const res = check(t, await signTx(poor, [send(poor.address, bob.address, "1")], { chainId, accountNumber: 1, sequence: 0, fee, memo: `poor ${i}` }));
      assert.deepEqual([res.codespace, res.code], ["sdk", 5], res.log);
    }
    assert.deepEqual(t.app.cacheStats, {
      decodedTxs: { entries: 0, bytes: 0, maxBytes: 64 * 1024 * 1024 },
      signatures: { entries: 0, bytes: 0 },
    });
  });

  test("accepted txs fill the tx cache up to its byte bound and no further (the oldest go first)", async () => {
    const first = await signTx(alice, [send(alice.address, bob.address, "1")], { chainId, accountNumber: 0, sequence: 1, fee });
    const entry = txEntry(first.length);
    const t = await open({ txCacheBytes: 50 * entry + entry / 2 });
    // sequences 1..127 encode in one byte each: every tx has the same length (sequence 0 is omitted)
    const zero = await signTx(alice, [send(alice.address, bob.address, "1")], { chainId, accountNumber: 0, sequence: 0, fee });
    assert.equal(check(t, zero).code, 0);
    assert.deepEqual(t.app.cacheStats.decodedTxs, { entries: 1, bytes: txEntry(zero.length), maxBytes: 50 * entry + entry / 2 });
    for (let seq = 1; seq <= 127; seq++) {
      const tx = await signTx(alice, [send(alice.address, bob.address, "1")], { chainId, accountNumber: 0, sequence: seq, fee });
      assert.equal(tx.length, first.length);
      const res = check(t, tx);
      assert.equal(res.code, 0, res.log);
    }
    assert.deepEqual(t.app.cacheStats, {
      decodedTxs: { entries: 50, bytes: 50 * entry, maxBytes: 50 * entry + entry / 2 },
      signatures: { entries: 128, bytes: 128 * signatureEntry },
    });
  });

  test("a signature cache bounded to 10 entries holds exactly 10 after 20 accepted txs", async () => {
    const t = await open({ signatureCacheBytes: 10 * signatureEntry });
    for (let seq = 0; seq < 20; seq++) {
      const res = check(t, await signTx(alice, [send(alice.address, bob.address, "1")], { chainId, accountNumber: 0, sequence: seq, fee }));
      assert.equal(res.code, 0, res.log);
    }
    assert.deepEqual(t.app.cacheStats.signatures, { entries: 10, bytes: 10 * signatureEntry });
  });

  test("determinism: a block gives the same results and app hash with warm caches and with caches of 0 bytes", async () => {
    const warm = await open();
    const cold = await open({ txCacheBytes: 0, signatureCacheBytes: 0 });
    const txs = [
      await signTx(alice, [send(alice.address, bob.address, "7")], { chainId, accountNumber: 0, sequence: 0, fee }),
      await signTx(alice, [send(alice.address, bob.address, "999999999999")], { chainId, accountNumber: 0, sequence: 1, fee }), // fails in the message
      await signTx(poor, [send(poor.address, bob.address, "1")], { chainId, accountNumber: 1, sequence: 0, fee }), // cannot pay
      await signTx(alice, [send(alice.address, bob.address, "8")], { chainId, accountNumber: 0, sequence: 2, fee }),
    ];
    for (const tx of txs) check(warm, tx);
    assert.equal(warm.app.cacheStats.decodedTxs.entries, 3);
    const a = await warm.block(txs);
    const b = await cold.block(txs);
    assert.deepEqual(cold.app.cacheStats, { decodedTxs: { entries: 0, bytes: 0, maxBytes: 0 }, signatures: { entries: 0, bytes: 0 } });
    assert.deepEqual(a.results.map((r) => [r.code, r.gasUsed]), [[0, b.results[0].gasUsed], [5, b.results[1].gasUsed], [5, b.results[2].gasUsed], [0, b.results[3].gasUsed]]);
    assert.deepEqual(a.results, b.results);
    assert.deepEqual(a.appHash, b.appHash);
  });

  test("recheck and FinalizeBlock reuse a passed signature check (DecodedTx.verifiedSigners) without changing any outcome: same responses, results and app hash as a node with no caches", async () => {
    const warm = await open();
    const cold = await open({ txCacheBytes: 0, signatureCacheBytes: 0 });
    const txs = await Promise.all([0, 1, 2].map((sequence) => signTx(alice, [send(alice.address, bob.address, "1")], { chainId, accountNumber: 0, sequence, fee })));
    // a forged tx (another body under tx 2's auth info and signature) is refused however often it comes
    const otherBody = TxRaw.decode(await signTx(alice, [send(alice.address, bob.address, "2")], { chainId, accountNumber: 0, sequence: 2, fee })).bodyBytes;
    const forged = TxRaw.encode({ ...TxRaw.decode(txs[2]), bodyBytes: otherBody }).finish();
    const order = [txs[0], txs[1], forged, txs[2]];
    const newChecks = order.map((tx) => check(warm, tx));
    assert.deepEqual(newChecks.map((r) => r.code), [0, 0, 4, 0]);
    let verifications = 0;
    const verify = warm.app.signatureCache.verify.bind(warm.app.signatureCache);
    warm.app.signatureCache.verify = (...args) => (verifications++, verify(...args));
    const a = await warm.block([txs[0], txs[1]]);
    const b = await cold.block([txs[0], txs[1]]);
    assert.equal(verifications, 0); // both passed CheckTx on this node: no sign bytes, no verification
    assert.deepEqual(a.results, b.results);
    assert.deepEqual(a.appHash, b.appHash);
    const recheck = (t: TestApp, tx: Uint8Array) => t.app.checkTx({ tx, type: CheckTxType.RECHECK });
    const warmRechecks = order.map((tx) => recheck(warm, tx));
    assert.equal(verifications, 1); // the forged tx only: a refused check leaves nothing to reuse
    assert.deepEqual(warmRechecks.map((r) => [r.codespace, r.code]), [["sdk", 32], ["sdk", 32], ["sdk", 4], ["", 0]]);
    assert.deepEqual(warmRechecks, order.map((tx) => recheck(cold, tx)));
    assert.equal(warmRechecks[3].gasUsed, newChecks[3].gasUsed);
  });
});

describe("ByteLru", () => {
  test("property: after any sets, gets and overwrites, it holds exactly what an LRU model holds, in the same order of eviction", () => {
    // the model: keys from least to most recently used, each with its cost
    const opArb = fc.oneof(
      fc.record({ t: fc.constant("set" as const), k: fc.integer({ min: 0, max: 30 }), bytes: fc.integer({ min: 0, max: 120 }) }),
      fc.record({ t: fc.constant("get" as const), k: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.array(opArb, { maxLength: 400 }), (maxBytes, ops) => {
        const lru = new ByteLru<number>(maxBytes);
        let model: Array<{ key: string; cost: number; value: number }> = [];
        ops.forEach((op, i) => {
          const key = `k${op.k}`;
          if (op.t === "get") {
            const at = model.findIndex((e) => e.key === key);
            assert.equal(lru.get(key), at < 0 ? undefined : model[at].value);
            if (at >= 0) model.push(...model.splice(at, 1));
            return;
          }
          lru.set(key, i, op.bytes);
          model = model.filter((e) => e.key !== key);
          const cost = key.length + op.bytes + ByteLru.EntryOverheadBytes;
          if (cost > maxBytes) return;
          let used = model.reduce((a, e) => a + e.cost, 0);
          while (used + cost > maxBytes) used -= model.shift()!.cost;
          model.push({ key, cost, value: i });
        });
        assert.equal(lru.size, model.length);
        assert.equal(lru.bytes, model.reduce((a, e) => a + e.cost, 0));
        for (const e of model) assert.equal(lru.has(e.key), true);
      }),
      { numRuns: 300 },
    );
  });
});
