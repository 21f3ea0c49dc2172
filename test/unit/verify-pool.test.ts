// CheckTx's decoding and signature verification in worker threads (app/tx/verify-pool.ts, issue 16): a
// worker's answer is a fact about the tx bytes that never changes an outcome. A node with a worker answers
// every CheckTx — valid, forged, wrong chain id, wrong account number, replayed, malformed, oversized, amino
// JSON — with the same code, log and gas as a node without, makes the same block, and keeps answering the
// same when its worker dies mid-run; what it hands to workers is bounded.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import { AminoTypes, SigningStargateClient, createDefaultAminoConverters } from "@cosmjs/stargate";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { CheckTxType, type RequestCheckTx, type ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { createHash } from "node:crypto";
import { VerifyPool } from "../../app/tx/verify-pool.js";
import { composeChain } from "../../chain/index.js";
import { qosAminoConverters } from "../../client/amino.js";
import { TypeUrl } from "../../gen/names.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { hdPath, registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const chainId = "qos-verify-1";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** a worker that is still starting is not waited for (its txs go inline): the tests wait until it serves */
async function serving(pool: VerifyPool): Promise<void> {
  for (let i = 0; i < 1000 && !pool.ready; i++) await sleep(10);
  assert.ok(pool.ready, "the verify worker serves within 10 s");
}
const fee = { amount: [{ denom: "uqos", amount: "5000" }], gas: "200000" };

describe("CheckTx with verify workers", () => {
  let alice: TestAccount;
  let carol: TestAccount;
  let amino: { address: string; client: SigningStargateClient };
  const apps: TestApp[] = [];
  const send = (from: string, amount: string) => ({
    typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend,
    value: MsgSend.fromPartial({ fromAddress: from, toAddress: carol.address, amount: [{ denom: "uqos", amount }] }),
  });
  const aliceTx = (sequence: number, over: { chainId?: string; accountNumber?: number; memo?: string } = {}) =>
    signTx(alice, [send(alice.address, "1")], { chainId: over.chainId ?? chainId, accountNumber: over.accountNumber ?? 0, sequence, fee, memo: over.memo });
  const aminoTx = async (sequence: number) =>
    TxRaw.encode(await amino.client.sign(amino.address, [send(amino.address, "2")], fee, "", { accountNumber: 1n, sequence, chainId })).finish();

  before(async () => {
    [alice, carol] = await Promise.all(["verify-alice", "verify-carol"].map(testAccount));
    const wallet = await Secp256k1HdWallet.fromMnemonic("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about", { prefix: "qosacc", hdPaths: [hdPath] });
    const [{ address }] = await wallet.getAccounts();
    amino = { address, client: await SigningStargateClient.offline(wallet, { registry, aminoTypes: new AminoTypes({ ...createDefaultAminoConverters(), ...qosAminoConverters() }) }) };
  });
  after(async () => {
    for (const t of apps) await t.destroy();
  });

  const open = async (verifyWorkers: number) => {
    const t = await createTestApp({
      auth: { accounts: [{ address: alice.address }, { address: amino.address }] },
      bank: { balances: [alice.address, amino.address].map((address) => ({ address, coins: [{ denom: "uqos", amount: "1000000000" }] })) },
    }, { chainId, verifyWorkers });
    apps.push(t);
    await t.block([]);
    if (verifyWorkers > 0) await serving(t.app.verifyPool!);
    return t;
  };
  /** what the ABCI server does: the requests handed over as they are read, then answered in order */
  const check = (t: TestApp, txs: Uint8Array[]): ResponseCheckTx[] => {
    const reqs: RequestCheckTx[] = txs.map((tx) => ({ tx, type: CheckTxType.NEW }));
    t.app.checkTxArrived(reqs);
    return reqs.map((req) => t.app.checkTx(req));
  };
  /** curve checks the main thread runs (the signature cache verifies unless it remembers) */
  const countVerifications = (t: TestApp) => {
    const counted = { n: 0 };
    const verify = t.app.signatureCache.verify.bind(t.app.signatureCache);
    t.app.signatureCache.verify = (...args) => (counted.n++, verify(...args));
    return counted;
  };
  const answers = (rs: ResponseCheckTx[]) => rs.map((r) => [r.code, r.codespace, r.log, r.gasWanted, r.gasUsed]);

  test("every kind of tx gets the same CheckTx answer (code, log, gas) with a worker and without; the worker verifies the signatures of an account's txs after its first, and the block is the same", async () => {
    const off = await open(0);
    const on = await open(1);
    const forged = TxRaw.encode({ ...TxRaw.decode(await aliceTx(2)), bodyBytes: TxRaw.decode(await aliceTx(2, { memo: "other body" })).bodyBytes }).finish();
    const junk = Uint8Array.from(createHash("sha256").update("junk").digest());
    const oversized = await aliceTx(2, { memo: "x".repeat(300 * 1024) });
    // one tx per read, as CometBFT sends them: each is handed over after the previous one's ante ran
    const sequence = [
      await aliceTx(0), // the account's first tx: the worker does not know its number yet
      await aliceTx(1), // verified in the worker
      await aliceTx(1), // replayed: sequence
      forged, // a signature over another body
      await aliceTx(2, { chainId: "qos-other-1" }),
      await aliceTx(2, { accountNumber: 1 }),
      junk,
      oversized,
      await aliceTx(2),
      await aminoTx(0),
      await aminoTx(1), // amino JSON sign bytes, verified in the worker
    ];
    const offVerified = countVerifications(off);
    const onVerified = countVerifications(on);
    const offAnswers = sequence.map((tx) => check(off, [tx])[0]);
    const onAnswers = sequence.map((tx) => check(on, [tx])[0]);
    assert.deepEqual(answers(onAnswers), answers(offAnswers));
    assert.deepEqual(offAnswers.map((r) => [r.codespace, r.code]), [
      ["", 0], ["", 0], ["sdk", 32], ["sdk", 4], ["sdk", 4], ["sdk", 4], ["sdk", 2], ["sdk", 21], ["", 0], ["", 0], ["", 0],
    ]);
    // alice 1 and 2 and the second amino tx are verified in the worker; the refused ones inline, as the first of each account
    assert.equal(offVerified.n, 8);
    assert.equal(onVerified.n, 5);
    // the junk is refused by decodeTx in the worker and again inline; the oversized tx is not handed over
    assert.deepEqual(on.app.verifyPool!.counts, { used: 8, inline: 1, refused: 1, restarts: 0 });

    const valid = [sequence[0], sequence[1], sequence[8], sequence[9], sequence[10]];
    const a = await off.block(valid);
    const b = await on.block(valid);
    assert.deepEqual(b.results, a.results);
    assert.deepEqual(b.appHash, a.appHash);
    assert.deepEqual(a.results.map((r) => r.code), [0, 0, 0, 0, 0]);
  });

  test("txs handed over together (one socket read) are answered in order, the same as without a worker", async () => {
    const off = await open(0);
    const on = await open(1);
    // the account number reaches the worker with the first tx's ante: warm it with one tx
    const warm = await aliceTx(0);
    assert.deepEqual(answers(check(on, [warm])), answers(check(off, [warm])));
    const txs = [await aliceTx(1), await aliceTx(3), await aliceTx(2), await aliceTx(2, { chainId: "qos-other-1" }), await aliceTx(3), await aminoTx(0)];
    const offAnswers = check(off, txs);
    assert.deepEqual(answers(check(on, txs)), answers(offAnswers));
    assert.deepEqual(offAnswers.map((r) => r.code), [0, 32, 0, 32, 0, 0]);
  });

  test("a worker killed with txs in its hands: the node answers them inline with the same results, starts another worker, and uses it", async () => {
    const off = await open(0);
    const on = await open(1);
    const first = await aliceTx(0);
    assert.deepEqual(answers(check(on, [first])), answers(check(off, [first])));
    const txs = [await aliceTx(1), await aliceTx(2), await aliceTx(3, { accountNumber: 1 }), await aliceTx(3)];
    const reqs: RequestCheckTx[] = txs.map((tx) => ({ tx, type: CheckTxType.NEW }));
    const pool = on.app.verifyPool!;
    on.app.checkTxArrived(reqs);
    await pool.interrupt();
    const onAnswers = reqs.map((req) => on.app.checkTx(req));
    assert.deepEqual(answers(onAnswers), answers(check(off, txs)));
    assert.deepEqual(onAnswers.map((r) => r.code), [0, 0, 4, 0]);
    // the exit is seen once the event loop turns: a new worker takes the old one's place
    for (let i = 0; i < 1000 && pool.counts.restarts === 0; i++) await sleep(10);
    assert.equal(pool.counts.restarts, 1);
    assert.equal(pool.workers, 1);
    await serving(pool);
    const used = pool.counts.used;
    const next = await aliceTx(4);
    assert.deepEqual(answers(check(on, [next])), answers(check(off, [next])));
    assert.equal(pool.counts.used, used + 1);
    const a = await off.block([first, ...txs, next]);
    const b = await on.block([first, ...txs, next]);
    assert.deepEqual(b.results, a.results);
    assert.deepEqual(b.appHash, a.appHash);
  });

  test("attack: a flood is bounded: beyond maxPending txs (or maxPendingBytes) in the workers' hands, and any tx above max_tx_bytes, nothing is handed over", async () => {
    const worker = composeChain("qos").verifyWorker!;
    const pool = new VerifyPool({ workers: 1, script: worker.script, chain: worker.data, log: () => {}, maxPending: 4, maxPendingBytes: 2000 });
    try {
      await serving(pool);
      const txs = await Promise.all([0, 1, 2, 3, 4, 5].map((sequence) => aliceTx(sequence)));
      const big = await aliceTx(0, { memo: "y".repeat(1500) });
      assert.ok(4 * txs[0].length <= 2000 && big.length <= 2000 && big.length + txs[0].length > 2000);
      const key = (tx: Uint8Array) => createHash("sha256").update(tx).digest().toString("latin1");
      pool.submit([new Uint8Array(301), new Uint8Array(0)], chainId, 300); // too large, empty
      assert.equal(pool.counts.refused, 2);
      pool.submit(txs, chainId, 4096);
      assert.equal(pool.counts.refused, 2 + 2);
      // decodeTx passed each in the worker; no account number known: nothing verified there
      assert.deepEqual(txs.map((tx) => pool.take(key(tx))), [[undefined], [undefined], [undefined], [undefined], undefined, undefined]);
      assert.equal(pool.take(key(new Uint8Array(301))), undefined);
      // 2,000 bytes at most in the worker's hands: the second copy of big and txs[0] stay out
      pool.submit([big, big, txs[0]], chainId, 4096);
      assert.equal(pool.counts.refused, 6);
      assert.deepEqual(pool.take(key(big)), [undefined]);
      // the same bytes twice in one read go once
      pool.submit([txs[1], txs[1]], chainId, 4096);
      assert.equal(pool.counts.refused, 6);
      assert.deepEqual([pool.take(key(txs[1])), pool.take(key(txs[1]))], [[undefined], undefined]);
    } finally {
      await pool.close();
    }
  });
});
