// QCP end to end: QOS and a business chain (real qosd + CometBFT each, invariants checked after every
// block, each with a light client of the other) with real relayer processes (cmd/relayer) between
// them. A QSC goes to QOS and back with its results, a 1,000-message stream survives a relayer kill -9
// (every delivery proven at a height QOS's client verified), a stopped destination drains its backlog
// on return, two relayers on one route never deliver twice, and a conflicting header (the business
// chain's validator key signing a forged one) pushed into QOS's client is caught by the relayer,
// which freezes the client with misbehaviour: deliveries stop.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { MsgTransfer } from "../../gen/qos/qcp/v1/tx.js";
import {
  QueryClientRequest, QueryClientResponse, QueryConsensusStateRequest, QueryConsensusStateResponse, QueryResultRequest, QueryResultResponse,
} from "../../gen/qos/qcp/v1/query.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { voucherDenom } from "../../modules/qcp/keeper.js";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { pushForgedHeader, startQcpPair, sleep, type Chain, type QcpPair, type RelayerProcess } from "../../testnet/qcp-pair.js";

const transfer = (to: string, sender: string, receiver: string, amount: string, denom = "STAR"): EncodeObject =>
  ({ typeUrl: TypeUrl.qos.qcp.v1.MsgTransfer, value: MsgTransfer.fromPartial({ sender, toChain: to, receiver, denom, amount }) });

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, relayers: RelayerProcess[] = []): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch {
      // a node restarting
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${relayers.map((r) => r.output.slice(-3000)).join("\n---\n")}`);
    await sleep(100);
  }
}

/** Every qcp_recv event on `dst` from `src` in block order: the sequences (and their proof heights in `proofHeights`). */
async function deliveries(dst: Chain, src: string, proofHeights: bigint[] = []): Promise<number[]> {
  const seqs: number[] = [];
  for (let page = 1; ; page++) {
    const res = await dst.node.rpc<{ txs: Array<{ height: string; index: number; tx_result: { events: Array<{ type: string; attributes: Array<{ key: string; value: string }> }> } }>; total_count: string }>(
      "tx_search", { query: `qcp_recv.from='${src}'`, page: String(page), per_page: "100", order_by: "asc" },
    );
    for (const tx of res.txs) {
      for (const e of tx.tx_result.events) {
        if (e.type !== "qcp_recv") continue;
        const attrs = Object.fromEntries(e.attributes.map((a) => [a.key, a.value]));
        if (attrs.from === src) {
          seqs.push(Number(attrs.sequence));
          proofHeights.push(BigInt(attrs.proof_height));
        }
      }
    }
    if (page * 100 >= Number(res.total_count)) break;
  }
  return seqs;
}

/** deliveries() once CometBFT's tx indexer has caught up with the app: the inbox sequence the app answers
 *  with is committed state, but CometBFT indexes a block's txs after the commit, so the last block's
 *  deliveries can be missing from tx_search for a moment. Waits until at least `expected` are indexed; more
 *  than expected (a double delivery) is returned as it is for the caller's exact assertion. */
async function indexedDeliveries(dst: Chain, src: string, expected: number, proofHeights: bigint[] = []): Promise<number[]> {
  return waitFor(`${expected} deliveries in the tx index`, async () => {
    const heights: bigint[] = [];
    const seqs = await deliveries(dst, src, heights);
    if (seqs.length < expected) return undefined;
    proofHeights.push(...heights);
    return seqs;
  }, 30_000);
}

const drained = (p: QcpPair, src: Chain, dst: Chain) => async () => {
  const [out, inn] = [(await src.seqs(dst.id)).outSequence, (await dst.seqs(src.id)).inSequence];
  return out === inn && out > 0n ? out : undefined;
};

describe("QCP between QOS and a business chain", { timeout: 600_000 }, () => {
  let p: QcpPair;
  let relayer: RelayerProcess;
  let second: RelayerProcess | undefined;
  /** biz's STAR as QOS mints it: a voucher namespaced by its route */
  const star = () => voucherDenom(p.biz.id, "STAR");

  before(async () => {
    p = await startQcpPair();
    relayer = await p.relayer(0);
    relayer.start();
  });
  after(async () => {
    await p?.destroy();
  });

  test("a QSC goes from the business chain to QOS and back; result entries arrive at each source", async () => {
    const { qos, biz, alice, bob } = p;
    const started = Date.now();
    const sent = await biz.submit(alice, [transfer(qos.id, alice.address, bob.address, "1000")]);
    assert.equal((await biz.balance(alice.address, "STAR")), 1_000_000_000n - 1000n);
    await waitFor("STAR on QOS", async () => (await qos.balance(bob.address, star())) === 1000n, 60_000, [relayer]);
    const oneWayMs = Date.now() - started;
    // qoscli resolves the voucher to where it came from
    const cli = spawnSync(process.execPath, [join(repoRoot, "dist/cmd/qoscli/main.js"), "query", "qcp", "denom-trace", star(), "--output", "json", "--node", qos.node.rpcUrl, "--home", mkdtempSync(join(tmpdir(), "qoscli-"))], { encoding: "utf8" });
    assert.equal(cli.status, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), { denom: star(), chain_id: biz.id, source_denom: "STAR" });
    // the result of biz #1 comes back to biz and is recorded there
    const result = await waitFor("result on biz", async () =>
      QueryResultResponse.decode(await biz.query(Method.qos.qcp.v1.Query.Result, QueryResultRequest.encode({ chainId: qos.id, sequence: 1n }).finish())).result, 60_000, [relayer]);
    assert.deepEqual(result, { origSequence: 1n, code: 0, codespace: "", log: "" });
    const roundTripMs = Date.now() - started;
    assert.ok(sent.height > 0);

    // back home: the voucher is burned on QOS, the escrow releases on biz
    await qos.submit(bob, [transfer(biz.id, bob.address, alice.address, "400", star())]);
    assert.equal(await qos.balance(bob.address, star()), 600n);
    await waitFor("STAR back on biz", async () => (await biz.balance(alice.address, "STAR")) === 1_000_000_000n - 600n, 60_000, [relayer]);
    const qosOut = (await qos.seqs(biz.id)).outSequence;
    const back = await waitFor("result on QOS", async () =>
      QueryResultResponse.decode(await qos.query(Method.qos.qcp.v1.Query.Result, QueryResultRequest.encode({ chainId: biz.id, sequence: qosOut }).finish())).result, 60_000, [relayer]);
    assert.equal(back.code, 0);
    // a transfer that fails on the destination (uqos is native on QOS) is refunded by its failure result
    const before = await biz.balance(alice.address, "uqos");
    const failing = await biz.submit(alice, [transfer(qos.id, alice.address, bob.address, "777", "uqos")]);
    void failing;
    const seq = (await biz.seqs(qos.id)).outSequence;
    const failed = await waitFor("failure result on biz", async () =>
      QueryResultResponse.decode(await biz.query(Method.qos.qcp.v1.Query.Result, QueryResultRequest.encode({ chainId: qos.id, sequence: seq }).finish())).result, 60_000, [relayer]);
    assert.equal(failed.codespace, "qcp");
    assert.equal(failed.code, 17);
    const fee = BigInt(Math.ceil(400_000 * 0.025));
    assert.equal(await biz.balance(alice.address, "uqos"), before - fee);
    console.log(`qcp e2e: one way ${oneWayMs} ms, round trip with result ${roundTripMs} ms`);
  });

  // The relayer pipelines its deliveries and keeps up with the source, so the kill is placed by the
  // stream itself: it comes at the first delivery seen of the first half, with deliveries in flight,
  // and the second half is sent while no relayer runs.
  test("1,000 messages with the relayer killed and restarted mid-stream: each arrives exactly once, in order", async () => {
    const { qos, biz, alice, bob } = p;
    const base = (await biz.seqs(qos.id)).outSequence;
    const bobBefore = await qos.balance(bob.address, star());
    const started = Date.now();
    const hashes: string[] = [];
    const send = async (txs: number) => {
      for (let i = 0; i < txs; i++) hashes.push(await biz.broadcast(alice, Array.from({ length: 20 }, () => transfer(qos.id, alice.address, bob.address, "1"))));
    };
    await send(25);
    await waitFor("a part of the stream delivered", async () => (await qos.seqs(biz.id)).inSequence > base, 60_000, [relayer]);
    await relayer.kill();
    await send(25);
    for (const h of hashes) assert.equal((await biz.waitTx(h)).code, 0);
    const target = base + 1000n;
    assert.equal((await biz.seqs(qos.id)).outSequence, target);
    // a delivery the relayer broadcast just before it died may still be in the destination's mempool:
    // let it commit (mempool empty, then one more block) before taking the count that must not move
    await waitFor("in-flight deliveries committed", async () => (await qos.node.rpc<{ n_txs: string }>("num_unconfirmed_txs")).n_txs === "0", 30_000);
    const settled = await qos.node.height();
    await waitFor("one more block", async () => (await qos.node.height()) > settled, 30_000);
    const atKill = (await qos.seqs(biz.id)).inSequence;
    await sleep(1500);
    assert.equal((await qos.seqs(biz.id)).inSequence, atKill, "nothing moves while no relayer runs");
    assert.ok(atKill < target, `the kill came mid-stream (${atKill} of ${target})`);
    relayer.start();
    await waitFor("the whole stream", async () => (await qos.seqs(biz.id)).inSequence === target, 120_000, [relayer]);
    const elapsed = Date.now() - started;
    assert.equal(await qos.balance(bob.address, star()), bobBefore + 1000n);
    const proofHeights: bigint[] = [];
    const seqs = await indexedDeliveries(qos, biz.id, Number(target), proofHeights);
    assert.deepEqual(seqs, Array.from({ length: Number(target) }, (_, i) => i + 1), "every sequence once, in order");
    // every delivery was proven against a header QOS's client of biz verified (and still keeps)
    for (const height of new Set(proofHeights)) {
      const { consensusState } = QueryConsensusStateResponse.decode(await qos.query(Method.qos.qcp.v1.Query.ConsensusState, QueryConsensusStateRequest.encode({ chainId: biz.id, height }).finish()));
      assert.equal(consensusState?.appHash.length, 32, `consensus state at proof height ${height}`);
    }
    console.log(`qcp e2e: 1,000 messages (with a relayer restart, killed at ${atKill - base}) in ${elapsed} ms`);
  });

  test("the destination stops: the backlog drains when it returns", async () => {
    const { qos, biz, alice, bob } = p;
    await waitFor("drained", drained(p, biz, qos), 60_000, [relayer]);
    const base = (await biz.seqs(qos.id)).outSequence;
    const bobBefore = await qos.balance(bob.address, star());
    await qos.node.stop();
    for (let i = 0; i < 3; i++) await biz.submit(alice, Array.from({ length: 10 }, () => transfer(qos.id, alice.address, bob.address, "2")));
    await sleep(3000);
    await qos.node.start();
    await waitFor("backlog drained", async () => (await qos.seqs(biz.id)).inSequence === base + 30n, 120_000, [relayer]);
    assert.equal(await qos.balance(bob.address, star()), bobBefore + 60n);
    const metrics = await relayer.metrics();
    assert.match(metrics, new RegExp(`qcp_relayer_in_sequence\\{route="${biz.id}->${qos.id}"\\} \\d+`));
    assert.match(metrics, /qcp_relayer_errors_total\{route="[^"]+"\} [1-9]/, "the outage shows as errors");
    // the relayer keeps QOS's client of biz updated: its height and updates show per route
    assert.match(metrics, new RegExp(`qcp_relayer_client_height\\{route="${biz.id}->${qos.id}"\\} [1-9]\\d*\n`));
    assert.match(metrics, new RegExp(`qcp_relayer_client_updates_total\\{route="${biz.id}->${qos.id}"\\} [1-9]\\d*\n`));
    assert.match(metrics, new RegExp(`qcp_relayer_client_headroom_seconds\\{route="${biz.id}->${qos.id}"\\} \\d{6,}\n`), "14 days of trusting period left");
  });

  test("two relayers on one route: no double delivery", async () => {
    const { qos, biz, alice, bob } = p;
    second = await p.relayer(1);
    second.start();
    const base = (await biz.seqs(qos.id)).outSequence;
    const bobBefore = await qos.balance(bob.address, star());
    for (let i = 0; i < 5; i++) {
      await biz.submit(alice, Array.from({ length: 10 }, () => transfer(qos.id, alice.address, bob.address, "3")));
    }
    await waitFor("both drained", async () => (await qos.seqs(biz.id)).inSequence === base + 50n, 120_000, [relayer, second!]);
    await sleep(2000); // let any late duplicate land
    assert.equal((await qos.seqs(biz.id)).inSequence, base + 50n);
    assert.equal(await qos.balance(bob.address, star()), bobBefore + 150n);
    const seqs = await indexedDeliveries(qos, biz.id, Number(base + 50n));
    assert.deepEqual(seqs, Array.from({ length: Number(base + 50n) }, (_, i) => i + 1));
    const relayersSeen = new Set<string>();
    const res = await qos.node.rpc<{ txs: Array<{ tx_result: { events: Array<{ type: string; attributes: Array<{ key: string; value: string }> }> } }> }>(
      "tx_search", { query: `qcp_recv.sequence > ${base}`, per_page: "100" },
    );
    for (const tx of res.txs) for (const e of tx.tx_result.events) if (e.type === "qcp_recv") relayersSeen.add(e.attributes.find((a) => a.key === "relayer")!.value);
    console.log(`qcp e2e: relayers that delivered: ${relayersSeen.size}; refusals: ${[relayer, second].map((r) => (r!.output.match(/another relayer delivered first/g) ?? []).length).join(", ")}`);
  });

  // last: it freezes QOS's client of biz for good
  test("a forged header in QOS's client of biz (signed by biz's validator key) is caught: the relayer submits misbehaviour, the client freezes, deliveries stop", async () => {
    const { qos, biz, alice, bob } = p;
    const client = async () => QueryClientResponse.decode(await qos.query(Method.qos.qcp.v1.Query.Client, QueryClientRequest.encode({ chainId: biz.id }).finish()));
    await waitFor("drained", drained(p, biz, qos), 60_000, [relayer]);
    // a header for a height biz reaches in a few blocks, with another app hash, signed by biz's only
    // validator (what validators signing a fork look like), pushed into QOS's client by alice
    const forgedHeight = await pushForgedHeader(qos, biz, alice);
    assert.equal((await client()).clientState!.latestHeight, forgedHeight, "the forged header is in");
    // once biz reaches that height, the relayer sees its own header differ and proves it
    const relayers = [relayer, ...(second ? [second] : [])];
    const frozen = await waitFor("client frozen", async () => {
      const c = await client();
      return c.status === "frozen" ? c : undefined;
    }, 90_000, relayers);
    assert.equal(frozen.clientState!.frozenHeight, forgedHeight);
    assert.match(relayers.map((r) => r.output).join("\n"), new RegExp(`CONFLICT: ${qos.id}'s client of ${biz.id} stores header [0-9A-F]{64} at ${forgedHeight}`));
    // exactly one misbehaviour submission commits (a second one finds the client frozen); the
    // relayer counts it once it has seen its tx committed, a moment after the freeze
    const submitted = async () => {
      let n = 0;
      for (const r of relayers) n += Number(new RegExp(`qcp_relayer_misbehaviour_total\\{route="${biz.id}->${qos.id}"\\} (\\d+)\n`).exec(await r.metrics())![1]);
      return n;
    };
    await waitFor("the misbehaviour submission counted", async () => (await submitted()) > 0, 30_000, relayers);
    await sleep(2000);
    assert.equal(await submitted(), 1);
    console.log(`qcp e2e: ${relayers.flatMap((r) => r.output.split("\n").filter((l) => /misbehaviour at .* (committed|refused|not accepted)/.test(l))).map((l) => l.replace(/^\S+ /, "")).join("; ")}`);
    // nothing crosses a frozen client
    const inBefore = (await qos.seqs(biz.id)).inSequence;
    const bobBefore = await qos.balance(bob.address, star());
    await biz.submit(alice, [transfer(qos.id, alice.address, bob.address, "5")]);
    await sleep(4000);
    assert.equal((await qos.seqs(biz.id)).inSequence, inBefore);
    assert.equal(await qos.balance(bob.address, star()), bobBefore);
    assert.match(relayer.output, new RegExp(`client of ${biz.id} on ${qos.id} is frozen \\(misbehaviour at ${forgedHeight}\\): deliveries wait for governance`));
  });
});
