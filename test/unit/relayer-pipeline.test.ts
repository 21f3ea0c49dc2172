// The relayer's hot path: its in-flight bookkeeping (cmd/relayer/pipeline.ts): which entries and
// account sequences the next tx takes while earlier ones wait for their blocks, what the chain's
// account and inbox sequences settle, and the resync after a refusal, a failed tx or a lost one; and
// proofs fetched as JSON-RPC batches (ChainClient.abciQueryMany) against a fake CometBFT RPC.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Pipeline, type PendingTx } from "../../cmd/relayer/pipeline.js";
import { ChainClient } from "../../cmd/relayer/chain.js";

const chainAccount = { accountNumber: 3n, sequence: 7n };
const tx = (accountSequence: bigint, first: bigint, last: bigint, sentAtMs = 1000, clientHeight = 0n): PendingTx =>
  ({ hash: `H${accountSequence}`, accountSequence, first, last, clientHeight, updates: clientHeight ? 1 : 0, sentAtMs });

/** Sends `n` txs of `per` entries after `delivered`, the first with an update to height 40. */
function sendMany(p: Pipeline, delivered: bigint, n: number, per: bigint): void {
  for (let i = 0; i < n; i++) {
    const { sequence } = p.nextAccount(chainAccount);
    const first = p.nextEntry(delivered);
    p.sent(tx(sequence, first, first + per - 1n, 1000, i === 0 ? 40n : 0n));
  }
}

test("pipeline: consecutive txs take consecutive account sequences and entry ranges without waiting for blocks", () => {
  const p = new Pipeline();
  assert.equal(p.nextEntry(10n), 11n);
  assert.equal(p.clientHeight(30n), 30n);
  sendMany(p, 10n, 3, 63n);
  assert.equal(p.size, 3);
  assert.deepEqual(p.nextAccount({ accountNumber: 3n, sequence: 0n }), { accountNumber: 3n, sequence: 10n }, "the tracked sequence, not the chain's");
  assert.equal(p.nextEntry(10n), 200n, "after #11..#73, #74..#136, #137..#199");
  assert.equal(p.nextEntry(500n), 501n, "another relayer ahead of what is in flight");
  assert.equal(p.clientHeight(30n), 40n, "the pending update's height");
  assert.equal(p.clientHeight(45n), 45n);
  assert.throws(() => p.sent(tx(12n, 200n, 210n)), /signed with sequence 12, the pipeline's next is 10/);
});

test("pipeline: the chain's account sequence settles what executed, the inbox tells delivered from refused", () => {
  const p = new Pipeline();
  sendMany(p, 10n, 3, 63n);
  assert.deepEqual(p.settle(7n, 10n, 2000, 20_000), [], "nothing executed yet");
  const first = p.settle(8n, 73n, 2000, 20_000);
  assert.deepEqual(first.map((s) => [s.kind, s.tx.accountSequence, s.tx.first, s.tx.last]), [["executed", 7n, 11n, 73n]]);
  assert.equal(p.size, 2);
  assert.equal(p.nextEntry(73n), 200n);
  // the second executed but the inbox did not move (refused in its block): drain, then resync
  const second = p.settle(9n, 73n, 2000, 20_000);
  assert.deepEqual(second.map((s) => [s.kind, s.tx.first, s.tx.last]), [["failed", 74n, 136n]]);
  assert.equal(p.isDraining, true);
  assert.equal(p.size, 1);
  // the third executes too (it fails as well: its entries are not next); then the pipeline starts over
  const third = p.settle(10n, 73n, 2000, 20_000);
  assert.deepEqual(third.map((s) => [s.kind, s.tx.first]), [["failed", 137n]]);
  assert.equal(p.isDraining, false);
  assert.equal(p.size, 0);
  assert.equal(p.nextEntry(73n), 74n, "the entries after the inbox again");
  assert.deepEqual(p.nextAccount({ accountNumber: 3n, sequence: 10n }), { accountNumber: 3n, sequence: 10n }, "the chain's account again");
});

test("pipeline: entries another relayer delivered count as executed; an update-only tx executes when the account passes it", () => {
  const p = new Pipeline();
  p.nextAccount(chainAccount);
  p.sent(tx(7n, 1n, 0n, 1000, 12n));
  p.sent(tx(8n, 1n, 50n));
  assert.equal(p.nextEntry(0n), 51n);
  assert.deepEqual(p.settle(9n, 60n, 2000, 20_000).map((s) => [s.kind, s.tx.accountSequence]), [["executed", 7n], ["executed", 8n]]);
  assert.equal(p.isDraining, false);
  assert.deepEqual(p.nextAccount(chainAccount), { accountNumber: 3n, sequence: 9n });
});

test("pipeline: a CheckTx refusal drains what is in flight, then the account is read from the chain", () => {
  const p = new Pipeline();
  sendMany(p, 0n, 2, 10n);
  p.resync();
  assert.equal(p.isDraining, true);
  assert.deepEqual(p.settle(8n, 10n, 2000, 20_000).map((s) => s.kind), ["executed"]);
  assert.equal(p.isDraining, true, "one still in flight");
  assert.deepEqual(p.settle(9n, 20n, 2000, 20_000).map((s) => s.kind), ["executed"]);
  assert.equal(p.isDraining, false);
  assert.deepEqual(p.nextAccount({ accountNumber: 3n, sequence: 9n }), { accountNumber: 3n, sequence: 9n });
  // with nothing in flight a refusal resyncs at once
  const q = new Pipeline();
  q.nextAccount(chainAccount);
  q.resync();
  assert.equal(q.isDraining, false);
  assert.deepEqual(q.nextAccount({ accountNumber: 3n, sequence: 12n }), { accountNumber: 3n, sequence: 12n });
});

test("pipeline: the oldest tx not executed within the timeout makes everything in flight lost", () => {
  const p = new Pipeline();
  sendMany(p, 0n, 3, 10n);
  assert.deepEqual(p.settle(8n, 10n, 20_999, 20_000).map((s) => s.kind), ["executed"], "the second was sent at 1000: 19,999 ms ago");
  const lost = p.settle(8n, 10n, 21_000, 20_000);
  assert.deepEqual(lost.map((s) => [s.kind, s.tx.accountSequence]), [["lost", 8n], ["lost", 9n]]);
  assert.equal(p.size, 0);
  assert.equal(p.isDraining, false);
  assert.equal(p.nextEntry(10n), 11n);
  assert.deepEqual(p.nextAccount({ accountNumber: 3n, sequence: 8n }), { accountNumber: 3n, sequence: 8n });
});

test("abciQueryMany: keys go in JSON-RPC batches of the given size; answers in key order (matched by id); a batch of one answered bare", async () => {
  const requests: Array<Array<{ id: number; method: string; params: { path: string; data: string; height: string; prove: boolean } }>> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const calls = JSON.parse(body);
      requests.push(calls);
      const answer = (c: { id: number; params: { data: string } }) => c.params.data === "ee"
        ? { jsonrpc: "2.0", id: c.id, error: { code: -32603, message: "Internal error", data: "boom" } }
        : { jsonrpc: "2.0", id: c.id, result: { response: { code: 0, log: "", value: Buffer.from(`v-${c.params.data}`).toString("base64"), height: "41", proofOps: { ops: [{ data: Buffer.from(`p-${c.params.data}`).toString("base64") }] } } } };
      // CometBFT answers a batch of one with a bare object; here a longer batch comes back reversed
      res.end(JSON.stringify(calls.length === 1 ? answer(calls[0]) : calls.map(answer).reverse()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const chain = new ChainClient({ id: "src", rpc: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, key: { private_key_hex: "11".repeat(32) }, gas_price: "0.025uqos" });
    const keys = ["01", "02", "03", "04", "05"].map((h) => Buffer.from(h, "hex"));
    const answers = await chain.abciQueryMany("/store/key", keys, 41, true, 2);
    assert.deepEqual(requests.map((r) => r.map((c) => c.params.data)), [["01", "02"], ["03", "04"], ["05"]]);
    assert.deepEqual(requests[0][0], { jsonrpc: "2.0", id: 0, method: "abci_query", params: { path: "/store/key", data: "01", prove: true, height: "41" } });
    assert.deepEqual(answers.map((a) => [Buffer.from(a.value).toString(), Buffer.from(a.proof!).toString(), a.height]),
      [["v-01", "p-01", 41], ["v-02", "p-02", 41], ["v-03", "p-03", 41], ["v-04", "p-04", 41], ["v-05", "p-05", 41]]);
    await assert.rejects(chain.abciQueryMany("/store/key", [Buffer.from("01", "hex"), Buffer.from("ee", "hex")], 41, true, 10), /src abci_query: Internal error boom/);
  } finally {
    server.close();
  }
});
