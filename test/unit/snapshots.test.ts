// State sync snapshots (app/snapshots.ts): taken in the background, served by chunk, restored into an
// empty store with every chunk checked; the hostile cases (a corrupted chunk, a foreign or forged
// snapshot, a restore cut off midway) leave the joining store empty or refetch from another peer.
import { test, describe, after, before } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import {
  ResponseApplySnapshotChunk_Result as Apply,
  ResponseOfferSnapshot_Result as Offer,
  type Snapshot,
} from "cosmjs-types/tendermint/abci/types";
import { CommitStore, type StateStore } from "../../app/state/store.js";
import { DiskStore } from "../../app/state/disk/store.js";
import { CacheStore } from "../../app/state/kv.js";
import { decodeMetadata, encodeMetadata, SnapshotFormat, SnapshotManager } from "../../app/snapshots.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "qos-snapshot-test-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const sha256 = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());
const quiet = () => {};

// every test runs on both state backends: snapshots must not depend on which one the node uses
const backends: Array<[string, (dir: string) => Promise<StateStore>]> = [
  ["memory", (dir) => CommitStore.open(dir)],
  ["disk", (dir) => DiskStore.open(dir, { cacheBytes: 1 << 20 })],
];
let openStore: (dir: string) => Promise<StateStore> = backends[0][1];

async function block(store: StateStore, ops: Array<[string, Uint8Array | null]>): Promise<void> {
  const working = new CacheStore(store.latest.reader);
  for (const [k, x] of ops) x === null ? working.delete(k) : working.set(k, x);
  await store.commit(store.prepare(store.latest.height + 1, working.changes()));
}

/** a store with `n` account-like pairs (half compressible text, half random bytes) after `height` blocks */
async function source(n: number, height: number): Promise<StateStore> {
  const store = await openStore(tempDir());
  for (let h = 1; h <= height; h++) {
    const ops: Array<[string, Uint8Array | null]> = [];
    for (let i = 0; i < n / height; i++) {
      const id = h * 100_000 + i;
      ops.push([`acc/${id}\xff`, i % 2 ? new Uint8Array(createHash("sha256").update(String(id)).digest()) : new TextEncoder().encode(`balance ${id} `.repeat(4))]);
    }
    await block(store, ops);
  }
  return store;
}

async function pairs(store: StateStore): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of store.exportVersion(store.latest.height)) out.push(`${k}=${hex(v)}`);
  return out;
}

async function chunksOf(manager: SnapshotManager, s: Snapshot): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < s.chunks; i++) out.push((await manager.loadSnapshotChunk({ height: s.height, format: s.format, chunk: i })).chunk);
  return out;
}

for (const [backend, open] of backends) describe(`snapshots (${backend} store)`, () => {
  before(() => {
    openStore = open;
  });

  test("a snapshot taken in the background restores into a fresh store with the same root and pairs", async () => {
    const src = await source(3000, 3);
    const dir = tempDir();
    const served = new SnapshotManager(src, { dir, interval: 3, chunkBytes: 16 * 1024 }, quiet);
    served.afterCommit(2); // not due
    served.afterCommit(3);
    const root3 = src.latest.appHash;
    const pairs3 = await pairs(src);
    // blocks go on while the snapshot is written: it stays the version of height 3
    await block(src, [["acc/300000\xff", null], ["new", Uint8Array.of(1)]]);
    await served.idle();
    const [snap] = served.listSnapshots().snapshots;
    assert.equal(served.listSnapshots().snapshots.length, 1);
    assert.equal(snap.height, 3n);
    assert.equal(snap.format, SnapshotFormat);
    assert.equal(hex(snap.hash), hex(sha256(snap.metadata)));
    const meta = decodeMetadata(snap.metadata);
    assert.equal(meta.height, 3);
    assert.equal(hex(meta.appHash), hex(root3));
    assert.equal(meta.pairs, 3000n);
    assert.equal(meta.chunkHashes.length, snap.chunks);
    assert.ok(snap.chunks >= 5, `${snap.chunks} chunks of at most 16 KiB for ~150 KB`);
    assert.deepEqual(readdirSync(join(dir, "3-1")).sort(), [...Array.from({ length: snap.chunks }, (_, i) => String(i)), "metadata"].sort());
    const chunks = await chunksOf(served, snap);
    chunks.forEach((c, i) => assert.equal(hex(sha256(c)), hex(meta.chunkHashes[i]), `chunk ${i}`));
    assert.ok(chunks.every((c) => c[0] === 1), "chunks of repetitive pairs are compressed");
    assert.equal((await served.loadSnapshotChunk({ height: 3n, format: 1, chunk: snap.chunks })).chunk.length, 0);
    assert.equal((await served.loadSnapshotChunk({ height: 4n, format: 1, chunk: 0 })).chunk.length, 0);
    assert.equal((await served.loadSnapshotChunk({ height: 3n, format: 2, chunk: 0 })).chunk.length, 0);

    const dst = await openStore(tempDir());
    let restored = 0;
    const joining = new SnapshotManager(dst, { dir: tempDir(), interval: 0 }, quiet, () => restored++);
    assert.equal(joining.offerSnapshot({ snapshot: snap, appHash: root3 }).result, Offer.ACCEPT);
    for (let i = 0; i < chunks.length; i++) {
      const r = await joining.applySnapshotChunk({ index: i, chunk: chunks[i], sender: "peer1" });
      assert.deepEqual(r, { result: Apply.ACCEPT, refetchChunks: [], rejectSenders: [] }, `chunk ${i}`);
      assert.equal(dst.latest.height, i + 1 < chunks.length ? 0 : 3);
    }
    assert.equal(restored, 1);
    assert.equal(hex(dst.latest.appHash), hex(root3));
    assert.deepEqual(await pairs(dst), pairs3);
    assert.equal((await joining.applySnapshotChunk({ index: 0, chunk: chunks[0], sender: "peer1" })).result, Apply.ABORT, "no restore in progress");
    assert.equal(joining.offerSnapshot({ snapshot: snap, appHash: root3 }).result, Offer.ABORT, "the state is no longer empty");
    await src.close();
    await dst.close();
  });

  test("a corrupted chunk is refused, its sender rejected, and the chunk refetched; five failures reject the snapshot", async () => {
    const src = await source(400, 1);
    const served = new SnapshotManager(src, { dir: tempDir(), interval: 1, chunkBytes: 4096 }, quiet);
    served.afterCommit(1);
    await served.idle();
    const [snap] = served.snapshots;
    const chunks = await chunksOf(served, snap);
    const dst = await openStore(tempDir());
    const joining = new SnapshotManager(dst, { dir: tempDir(), interval: 0 }, quiet);
    assert.equal(joining.offerSnapshot({ snapshot: snap, appHash: src.latest.appHash }).result, Offer.ACCEPT);
    assert.equal((await joining.applySnapshotChunk({ index: 0, chunk: chunks[0], sender: "good" })).result, Apply.ACCEPT);
    const bad = Uint8Array.from(chunks[1]);
    bad[bad.length - 1] ^= 1;
    assert.deepEqual(await joining.applySnapshotChunk({ index: 1, chunk: bad, sender: "evil" }), { result: Apply.RETRY, refetchChunks: [1], rejectSenders: ["evil"] });
    assert.deepEqual(await joining.applySnapshotChunk({ index: 1, chunk: chunks[1].subarray(1), sender: "" }), { result: Apply.RETRY, refetchChunks: [1], rejectSenders: [] });
    for (let i = 1; i < chunks.length; i++) assert.equal((await joining.applySnapshotChunk({ index: i, chunk: chunks[i], sender: "good" })).result, Apply.ACCEPT);
    assert.equal(hex(dst.latest.appHash), hex(src.latest.appHash));

    const dst2 = await openStore(tempDir());
    const joining2 = new SnapshotManager(dst2, { dir: tempDir(), interval: 0 }, quiet);
    assert.equal(joining2.offerSnapshot({ snapshot: snap, appHash: src.latest.appHash }).result, Offer.ACCEPT);
    for (let n = 1; n < 5; n++) assert.equal((await joining2.applySnapshotChunk({ index: 0, chunk: bad, sender: `p${n}` })).result, Apply.RETRY);
    assert.equal((await joining2.applySnapshotChunk({ index: 0, chunk: bad, sender: "p5" })).result, Apply.REJECT_SNAPSHOT);
    assert.equal((await joining2.applySnapshotChunk({ index: 0, chunk: chunks[0], sender: "good" })).result, Apply.ABORT, "the import was dropped");
    assert.equal(dst2.latest.height, 0);
    // a chunk out of order restarts the snapshot
    assert.equal(joining2.offerSnapshot({ snapshot: snap, appHash: src.latest.appHash }).result, Offer.ACCEPT);
    assert.equal((await joining2.applySnapshotChunk({ index: 1, chunk: chunks[1], sender: "good" })).result, Apply.RETRY_SNAPSHOT);
    assert.equal(dst2.latest.height, 0);
    for (const s of [src, dst, dst2]) await s.close();
  });

  test("foreign, forged and malformed snapshots are refused at the offer", async () => {
    const src = await source(50, 2);
    const served = new SnapshotManager(src, { dir: tempDir(), interval: 1 }, quiet);
    served.afterCommit(2);
    await served.idle();
    const [snap] = served.snapshots;
    const trusted = src.latest.appHash;
    const dst = await openStore(tempDir());
    const joining = new SnapshotManager(dst, { dir: tempDir(), interval: 0 }, quiet);
    const offer = (s: Partial<Snapshot>, appHash = trusted) => joining.offerSnapshot({ snapshot: { ...snap, ...s }, appHash }).result;
    assert.equal(offer({ format: 2 }), Offer.REJECT_FORMAT);
    assert.equal(offer({}, sha256(Uint8Array.of(1))), Offer.REJECT, "another chain's (or height's) app hash");
    assert.equal(offer({ height: 3n }), Offer.REJECT, "relabelled height");
    assert.equal(offer({ chunks: snap.chunks + 1 }), Offer.REJECT);
    assert.equal(offer({ hash: sha256(Uint8Array.of(2)) }), Offer.REJECT);
    const tampered = Uint8Array.from(snap.metadata);
    tampered[tampered.length - 1] ^= 1;
    assert.equal(offer({ metadata: tampered }), Offer.REJECT, "metadata not matching the snapshot hash");
    assert.equal(offer({ metadata: tampered.subarray(0, 40), hash: sha256(tampered.subarray(0, 40)) }), Offer.REJECT, "truncated metadata");
    const format2 = Uint8Array.from(snap.metadata);
    format2[0] = 2;
    assert.equal(offer({ metadata: format2, hash: sha256(format2) }), Offer.REJECT);
    assert.equal(joining.offerSnapshot({ appHash: trusted }).result, Offer.REJECT);
    assert.equal(dst.latest.height, 0);
    assert.equal(offer({}), Offer.ACCEPT);
    await src.close();
    await dst.close();
  });

  test("a forged snapshot with the trusted app hash but other pairs is refused at the end, leaving the store empty", async () => {
    const trusted = (await source(20, 1)).latest.appHash;
    const forgedBody = Buffer.from([3, ...Buffer.from("key"), 2, 9, 9]);
    const forgedChunk = Buffer.concat([Buffer.of(1), deflateRawSync(forgedBody)]);
    const garbage = Buffer.concat([Buffer.of(0), Buffer.from([200, 1])]);
    const metadataOf = (chunks: Uint8Array[], pairsCount: bigint) => encodeMetadata({ height: 1, appHash: trusted, pairs: pairsCount, chunkHashes: chunks.map(sha256) });
    const snapshotOf = (metadata: Uint8Array, chunks: number): Snapshot => ({ height: 1n, format: 1, chunks, hash: sha256(metadata), metadata });
    const dir = tempDir();
    let dst = await openStore(dir);
    const joining = new SnapshotManager(dst, { dir: tempDir(), interval: 0 }, quiet);
    const forged = metadataOf([forgedChunk], 1n);
    assert.equal(joining.offerSnapshot({ snapshot: snapshotOf(forged, 1), appHash: trusted }).result, Offer.ACCEPT);
    assert.equal((await joining.applySnapshotChunk({ index: 0, chunk: forgedChunk, sender: "p" })).result, Apply.REJECT_SNAPSHOT);
    assert.equal(dst.latest.height, 0);
    // a chunk that matches its hash but does not decode, and a pair count that is not the metadata's
    for (const [chunk, count] of [[garbage, 1n], [forgedChunk, 2n]] as const) {
      assert.equal(joining.offerSnapshot({ snapshot: snapshotOf(metadataOf([chunk], count), 1), appHash: trusted }).result, Offer.ACCEPT);
      assert.equal((await joining.applySnapshotChunk({ index: 0, chunk, sender: "p" })).result, Apply.REJECT_SNAPSHOT);
      assert.equal(dst.latest.height, 0);
    }
    // keys out of order across chunks
    const c1 = Buffer.concat([Buffer.of(0), Buffer.from([1, 0x62, 1, 1])]);
    const c0 = Buffer.concat([Buffer.of(0), Buffer.from([1, 0x63, 1, 1])]);
    assert.equal(joining.offerSnapshot({ snapshot: snapshotOf(metadataOf([c0, c1], 2n), 2), appHash: trusted }).result, Offer.ACCEPT);
    assert.equal((await joining.applySnapshotChunk({ index: 0, chunk: c0, sender: "p" })).result, Apply.ACCEPT);
    assert.equal((await joining.applySnapshotChunk({ index: 1, chunk: c1, sender: "p" })).result, Apply.REJECT_SNAPSHOT);
    // a restore cut off midway (the node killed): the store reopens empty
    assert.equal(joining.offerSnapshot({ snapshot: snapshotOf(metadataOf([c1, c0], 2n), 2), appHash: trusted }).result, Offer.ACCEPT);
    assert.equal((await joining.applySnapshotChunk({ index: 0, chunk: c1, sender: "p" })).result, Apply.ACCEPT);
    await dst.close();
    dst = await openStore(dir);
    assert.equal(dst.latest.height, 0);
    assert.equal(hex(dst.latest.appHash), "00".repeat(32));
    await dst.close();
  });

  test("only the newest snapshot_keep_recent snapshots stay; a leftover partial snapshot is removed at open", async () => {
    const store = await openStore(tempDir());
    const dir = tempDir();
    const manager = new SnapshotManager(store, { dir, interval: 2, keepRecent: 2 }, quiet);
    for (let h = 1; h <= 7; h++) {
      await block(store, [[`k${h}`, Uint8Array.of(h)]]);
      manager.afterCommit(h);
      await manager.idle();
    }
    assert.deepEqual(manager.snapshots.map((s) => s.height), [6n, 4n]);
    assert.deepEqual(readdirSync(dir).sort(), ["4-1", "6-1"]);
    const [tiny] = await chunksOf(manager, manager.snapshots[0]);
    assert.equal(tiny[0], 0, "a chunk deflate would not shrink is stored raw");
    rmSync(join(dir, "4-1"), { recursive: true });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(dir, "8-1.tmp"));
    const reopened = new SnapshotManager(store, { dir, interval: 2, keepRecent: 2 }, quiet);
    assert.deepEqual(reopened.snapshots.map((s) => s.height), [6n]);
    assert.equal(existsSync(join(dir, "8-1.tmp")), false);
    await store.close();
  });
});
