// qosd's Prometheus endpoint and CometBFT's, and the JSON log, on a real node after real txs: counters
// equal the txs sent (by result code and module), the height gauge equals the app's height as
// abci_info reports it, the caches hold exactly the txs that passed the ante handler, and every log
// line is one JSON object with the fixed keys.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TestNode, sleep } from "../helpers/node.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { parsePrometheus, sample } from "../helpers/prometheus.js";

describe("metrics and JSON logs of a real node", () => {
  let node: TestNode;
  let alice: TestAccount;
  let bob: TestAccount;

  before(async () => {
    [alice, bob] = await Promise.all([testAccount("metrics-alice"), testAccount("metrics-bob")]);
    node = await TestNode.create({ accounts: [{ address: alice.address, coins: "1000000000uqos" }], timeoutCommit: "1s" });
    const appFile = join(node.home, "config/app.json");
    writeFileSync(appFile, JSON.stringify({ ...JSON.parse(readFileSync(appFile, "utf8")), log_format: "json", log_summary_blocks: 5 }));
    await node.start();
  });
  after(() => node?.destroy());

  const send = (amount: string) => ({
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: MsgSend.fromPartial({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount }] }),
  });
  const broadcast = (tx: Uint8Array) =>
    node.rpc<{ code: number; log: string; codespace: string; hash: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
  const scrape = async (url: string) => {
    const res = await fetch(url);
    assert.equal(res.status, 200);
    return res.text();
  };
  const appHeight = async () => Number((await node.rpc<{ response: { last_block_height: string } }>("abci_info")).response.last_block_height);
  const txResult = async (hash: string) => {
    for (let i = 0; i < 100; i++) {
      const found = await node.rpc<{ tx_result: { code: number; codespace: string }; height: string }>("tx", { hash: Buffer.from(hash, "hex").toString("base64") }).catch(() => undefined);
      if (found) return found;
      await sleep(200);
    }
    throw new Error(`tx ${hash} was not committed`);
  };

  test("counters equal the txs sent, the height gauge the app's height, caches the admitted txs; CometBFT's endpoint answers", async () => {
    const chainId = node.chainId;
    const sign = (sequence: number, amount: string) => signTx(alice, [send(amount)], { chainId, accountNumber: 0, sequence });
    // three transfers that succeed, one that passes CheckTx and fails in its block (more than alice has),
    // one CheckTx refuses (a used sequence)
    const sent = [];
    for (const [sequence, amount] of [[0, "10"], [1, "20"], [2, "30"], [3, "5000000000"]] as const) {
      const res = await broadcast(await sign(sequence, amount));
      assert.equal(res.code, 0, res.log);
      sent.push(res.hash);
    }
    const refused = await broadcast(await sign(1, "1"));
    assert.deepEqual([refused.code, refused.codespace], [32, "sdk"]);
    const results = await Promise.all(sent.map(txResult));
    assert.deepEqual(results.slice(0, 3).map((r) => r.tx_result.code), [0, 0, 0]);
    const failed = results[3].tx_result;
    assert.notEqual(failed.code, 0);
    await node.waitForHeight(Math.max(...results.map((r) => Number(r.height))) + 1);

    let metrics = parsePrometheus(await scrape(node.metricsUrl));
    assert.equal(sample(metrics, "qosd_txs_total", { code: "0", codespace: "", module: "bank" }), 3);
    assert.equal(sample(metrics, "qosd_txs_total", { code: String(failed.code), codespace: failed.codespace, module: "bank" }), 1);
    assert.equal(metrics.filter((s) => s.name === "qosd_txs_total").reduce((a, s) => a + s.value, 0), 4, "no other txs were counted");
    assert.equal(sample(metrics, "qosd_checktx_rejected_total", { type: "new", codespace: "sdk", code: "32" }), 1);
    assert.equal(metrics.filter((s) => s.name === "qosd_checktx_rejected_total" && s.labels.type === "new").length, 1);
    assert.equal(sample(metrics, "qosd_checktx_seconds_count", { type: "new" }), 5);
    // filled only by txs that passed the ante handler: the four admitted ones, one signature each
    assert.equal(sample(metrics, "qosd_cache_entries", { cache: "decoded_txs" }), 4);
    assert.equal(sample(metrics, "qosd_cache_entries", { cache: "signatures" }), 4);
    assert.ok(sample(metrics, "qosd_cache_hits_total", { cache: "decoded_txs" })! >= 4, "each admitted tx is found again in its block");
    const heightNow = sample(metrics, "qosd_height", {})!;
    assert.equal(sample(metrics, "qosd_block_finalize_seconds_count", {}), sample(metrics, "qosd_block_commit_seconds_count", {}));
    assert.ok(sample(metrics, "qosd_block_finalize_seconds_count", {})! >= heightNow - 1, "every block since the start was timed");
    assert.ok(sample(metrics, "qosd_block_gas_used_sum", {})! > 0);
    assert.ok(sample(metrics, "qosd_state_keys", {})! > 0);
    assert.ok(sample(metrics, "qosd_state_bytes", {})! > sample(metrics, "qosd_state_keys", {})!);
    assert.ok(sample(metrics, "qosd_process_resident_memory_bytes", {})! > 0);
    assert.ok(sample(metrics, "qosd_nodejs_heap_size_used_bytes", {})! > 0);
    assert.equal(typeof sample(metrics, "qosd_abci_queue_depth", {}), "number");

    // the height gauge is the app's committed height: compare when no block commits during the scrape
    let compared = false;
    for (let i = 0; i < 20 && !compared; i++) {
      const before = await appHeight();
      metrics = parsePrometheus(await scrape(node.metricsUrl));
      if ((await appHeight()) !== before) continue;
      assert.equal(sample(metrics, "qosd_height", {}), before);
      compared = true;
    }
    assert.ok(compared, "a scrape between two blocks (1 s apart)");

    const comet = parsePrometheus(await scrape(node.cometbftMetricsUrl));
    const consensusHeight = comet.find((s) => s.name === "cometbft_consensus_height");
    assert.equal(consensusHeight?.labels.chain_id, node.chainId);
    assert.ok(consensusHeight!.value >= heightNow, "CometBFT's consensus height is at or past the app's");
  });

  test("every log line is one JSON object with ts, level, component and msg; block lines carry their fields", async () => {
    await node.waitForHeight(7); // the app has committed 5 (one summary) when CometBFT has stored 7
    const lines = node.output.split("\n").filter((l) => l.length > 0);
    assert.ok(lines.length > 5);
    const entries = lines.map((line) => {
      const entry = JSON.parse(line);
      assert.deepEqual(Object.keys(entry).slice(0, 4), ["ts", "level", "component", "msg"], line);
      assert.ok(!Number.isNaN(Date.parse(entry.ts)), line);
      assert.ok(["info", "warn", "error"].includes(entry.level), line);
      return entry;
    });
    const blocks = entries.filter((e) => e.event === "block");
    assert.ok(blocks.length >= 3);
    for (const b of blocks) {
      assert.equal(typeof b.height, "number");
      assert.match(b.msg, new RegExp(`^committed height ${b.height} txs ${b.txs} finalize_ms `));
      assert.match(b.app_hash, /^[0-9A-F]{64}$/);
    }
    assert.equal(blocks.reduce((a, b) => a + b.txs, 0), 4, "the four admitted txs, each in one block line");
    assert.equal(blocks.reduce((a, b) => a + b.failed_txs, 0), 1);
    const summaries = entries.filter((e) => e.event === "summary");
    assert.ok(summaries.length >= 1, `a summary every 5 heights (block lines at ${blocks.map((b) => b.height)})`);
    for (const s of summaries) assert.equal(s.height % 5, 0);
    assert.ok(entries.some((e) => e.component === "abci"), "the ABCI server's lines are JSON too");
  });
});
