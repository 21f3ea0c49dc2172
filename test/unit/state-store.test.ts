import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClassicLevel } from "classic-level";
import { CommitStore, type StateVersion } from "../../app/state/store.js";
import { CacheStore, keyToBytes, prefixEnd } from "../../app/state/kv.js";
import { verifyMembership, verifyNonMembership, encodeProof, decodeProof } from "../../app/state/smt.js";
import * as smt from "../../app/state/smt.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "qos-state-test-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const v = (s: string) => new TextEncoder().encode(s);
const str = (u: Uint8Array | undefined) => (u === undefined ? undefined : new TextDecoder().decode(u));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const dump = (s: StateVersion, start = "", end?: string) => [...s.reader.iterate(start, end)].map(([k, x]) => [k, str(x)]);

/** Run one block: apply `ops` through a block CacheStore (over the latest committed state), prepare, commit. */
async function block(store: CommitStore, ops: Record<string, string | null>): Promise<StateVersion> {
  const working = new CacheStore(store.latest.reader);
  const tx = new CacheStore(working);
  for (const [k, x] of Object.entries(ops)) {
    if (x === null) tx.delete(k);
    else tx.set(k, v(x));
  }
  tx.write();
  const pending = store.prepare(store.latest.height + 1, working.changes());
  await store.commit(pending);
  return store.latest;
}

describe("CommitStore", () => {
  test("a new store is at height 0 with the empty hash", async () => {
    const store = await CommitStore.open(tempDir());
    try {
      assert.equal(store.latest.height, 0);
      assert.equal(hex(store.latest.appHash), "00".repeat(32));
      assert.deepEqual(dump(store.latest), []);
      assert.equal(store.at(0), store.latest);
    } finally {
      await store.close();
    }
  });

  test("commit a few heights, close, reopen: same height, app hash and values", async () => {
    const dir = tempDir();
    let store = await CommitStore.open(dir);
    await block(store, { "bank/alice": "100", "bank/bob": "50", "stake/v1": "x" });
    await block(store, { "bank/alice": "90", "bank/carol": "10" });
    const v3 = await block(store, { "stake/v1": null, "bin/\x00\xff\x80": "binary key" });
    assert.equal(v3.height, 3);
    const expected = dump(v3);
    assert.deepEqual(expected, [
      ["bank/alice", "90"],
      ["bank/bob", "50"],
      ["bank/carol", "10"],
      ["bin/\x00\xff\x80", "binary key"],
    ]);
    // the app hash is the tree root over exactly these pairs
    assert.equal(hex(v3.appHash), hex(smt.rootHash(smt.build([...v3.reader.iterate("")]))));
    const hash3 = hex(v3.appHash);
    await store.close();

    store = await CommitStore.open(dir);
    try {
      assert.equal(store.latest.height, 3);
      assert.equal(hex(store.latest.appHash), hash3);
      assert.deepEqual(dump(store.latest), expected);
      assert.equal(store.latest.reader.has("stake/v1"), false);
      assert.deepEqual(dump(store.latest, "bank/", prefixEnd("bank/")), expected.slice(0, 3));
      assert.equal(store.at(2), undefined, "older versions are not kept across a restart");
      // and it keeps going
      const v4 = await block(store, { "bank/bob": null });
      assert.equal(v4.height, 4);
      assert.notEqual(hex(v4.appHash), hash3);
    } finally {
      await store.close();
    }
    store = await CommitStore.open(dir);
    try {
      assert.equal(store.latest.height, 4);
      assert.equal(store.latest.reader.get("bank/bob"), undefined);
    } finally {
      await store.close();
    }
  });

  test("at(h) for recent heights returns the old values and proves them", async () => {
    const store = await CommitStore.open(tempDir(), { keepRecent: 3 });
    try {
      const h1 = await block(store, { a: "1", b: "1" });
      const h2 = await block(store, { a: "2", c: "2" });
      const h3 = await block(store, { b: null, d: "3" });
      assert.equal(store.at(1), h1);
      assert.deepEqual(dump(store.at(1)!), [
        ["a", "1"],
        ["b", "1"],
      ]);
      assert.deepEqual(dump(store.at(2)!), [
        ["a", "2"],
        ["b", "1"],
        ["c", "2"],
      ]);
      assert.deepEqual(dump(h3), [
        ["a", "2"],
        ["c", "2"],
        ["d", "3"],
      ]);
      // proofs at each height, against that height's app hash, through the binary encoding
      const old = store.at(1)!;
      const pa = decodeProof(encodeProof(old.prove("a")));
      assert.equal(verifyMembership(old.appHash, keyToBytes("a"), v("1"), pa), true);
      assert.equal(verifyMembership(h3.appHash, keyToBytes("a"), v("1"), pa), false, "stale value vs the new root");
      assert.equal(verifyNonMembership(old.appHash, keyToBytes("d"), old.prove("d")), true);
      assert.equal(verifyMembership(h3.appHash, keyToBytes("d"), v("3"), h3.prove("d")), true);
      assert.equal(verifyNonMembership(h3.appHash, keyToBytes("b"), h3.prove("b")), true);
      assert.equal(verifyMembership(h2.appHash, keyToBytes("b"), v("1"), h2.prove("b")), true);
      // keepRecent = 3: height 1 falls out when height 4 is committed
      await block(store, { e: "4" });
      assert.equal(store.at(1), undefined);
      assert.equal(store.at(2), h2);
      assert.equal(store.at(4), store.latest);
      assert.equal(store.at(5), undefined);
    } finally {
      await store.close();
    }
  });

  test("prepare is side-effect free; a prepared-but-not-committed version is gone after reopen", async () => {
    const dir = tempDir();
    let store = await CommitStore.open(dir);
    await block(store, { a: "1" });
    const committedHash = hex(store.latest.appHash);
    const p1 = store.prepare(2, [["a", v("first try")]]);
    const p2 = store.prepare(2, [
      ["b", v("second try")],
      ["a", null],
    ]);
    assert.notEqual(hex(p1.appHash), hex(p2.appHash));
    assert.equal(hex(store.latest.appHash), committedHash);
    assert.equal(str(store.latest.reader.get("a")), "1");
    await store.close();

    store = await CommitStore.open(dir);
    try {
      assert.equal(store.latest.height, 1);
      assert.equal(hex(store.latest.appHash), committedHash);
      assert.equal(str(store.latest.reader.get("a")), "1");
      assert.equal(store.latest.reader.has("b"), false);
      // a re-executed block: prepare twice, commit the second; only it counts
      store.prepare(2, [["a", v("discarded")]]);
      const again = store.prepare(2, [["b", v("kept")]]);
      await store.commit(again);
      assert.equal(hex(store.latest.appHash), hex(again.appHash));
      assert.deepEqual(dump(store.latest), [
        ["a", "1"],
        ["b", "kept"],
      ]);
    } finally {
      await store.close();
    }
  });

  test("commit rejects a stale base, a wrong height, and bad changes", async () => {
    const store = await CommitStore.open(tempDir());
    try {
      await block(store, { a: "1" });
      assert.throws(() => store.prepare(1, []), /does not follow/);
      assert.throws(() => store.prepare(3, []), /does not follow/);
      assert.throws(() => store.prepare(2, [["\u0101", v("x")]]), /above 255/);
      assert.throws(
        () =>
          store.prepare(2, [
            ["a", v("1")],
            ["a", null],
          ]),
        /appears twice/,
      );
      const p = store.prepare(2, [["a", v("2")]]);
      const q = store.prepare(2, [["a", v("3")]]);
      await store.commit(p);
      await assert.rejects(store.commit(q), /prepared on height 1/);
      await assert.rejects(store.commit(p), /prepared on height 1/);
      assert.equal(str(store.latest.reader.get("a")), "2");
      // an empty block still commits a new height with the same app hash
      const h = hex(store.latest.appHash);
      await store.commit(store.prepare(3, []));
      assert.equal(store.latest.height, 3);
      assert.equal(hex(store.latest.appHash), h);
    } finally {
      await store.close();
    }
  });

  test("the first commit of an empty store may start above height 1 (genesis initial_height)", async () => {
    const store = await CommitStore.open(tempDir());
    try {
      await store.commit(store.prepare(100, [["a", v("1")]]));
      assert.equal(store.latest.height, 100);
      assert.throws(() => store.prepare(102, []), /does not follow/);
    } finally {
      await store.close();
    }
  });

  test("a corrupted stored app hash makes open() fail", async () => {
    const dir = tempDir();
    const store = await CommitStore.open(dir);
    await block(store, { a: "1", b: "2" });
    await store.close();
    const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
    const meta = (await db.get(Buffer.from("m")))!;
    assert.equal(meta.length, 41);
    const bad = Buffer.from(meta);
    bad[40] ^= 1;
    await db.put(Buffer.from("m"), bad);
    await db.close();
    await assert.rejects(CommitStore.open(dir), /corrupted.*app hash/);

    // a changed value is caught the same way
    const dir2 = tempDir();
    const s2 = await CommitStore.open(dir2);
    await block(s2, { a: "1", b: "2" });
    await s2.close();
    const db2 = new ClassicLevel<Buffer, Buffer>(dir2, { keyEncoding: "buffer", valueEncoding: "buffer" });
    await db2.put(Buffer.from("sa"), Buffer.from("tampered"));
    await db2.close();
    await assert.rejects(CommitStore.open(dir2), /corrupted/);
  });

  test("performance: 10,000 changed keys over a 100,000-key state (printed, not asserted)", async (t) => {
    const dir = tempDir();
    const store = await CommitStore.open(dir);
    try {
      const N = 100_000;
      const val = (i: number, tag: string) => v(`${tag}:${i}:` + "x".repeat(24));
      const key = (i: number) => "bank/acc/" + i.toString(16).padStart(8, "0");
      let t0 = performance.now();
      {
        const working = new CacheStore(store.latest.reader);
        for (let i = 0; i < N; i++) working.set(key(i), val(i, "init"));
        await store.commit(store.prepare(1, working.changes()));
      }
      const initMs = performance.now() - t0;

      // a block: 10,000 changed keys, each touched through a tx-level CacheStore (get + set), like transfers
      t0 = performance.now();
      const working = new CacheStore(store.latest.reader);
      for (let i = 0; i < 10_000; i++) {
        const tx = new CacheStore(working);
        const k = key((i * 7919) % N);
        const old = tx.get(k);
        assert.ok(old);
        tx.set(k, val(i, "blk"));
        tx.write();
      }
      const t1 = performance.now();
      const pending = store.prepare(2, working.changes());
      const t2 = performance.now();
      await store.commit(pending);
      const t3 = performance.now();
      assert.equal(store.latest.height, 2);
      assert.equal(str(store.latest.reader.get(key(7919))), str(val(1, "blk")));

      await store.close();
      const t4 = performance.now();
      const reopened = await CommitStore.open(dir);
      const t5 = performance.now();
      assert.equal(hex(reopened.latest.appHash), hex(pending.appHash));
      await reopened.close();
      const msg =
        `state perf: initial 100k-key commit ${initMs.toFixed(0)} ms; block of 10k changed keys: ` +
        `puts ${(t1 - t0).toFixed(0)} ms, prepare ${(t2 - t1).toFixed(0)} ms, commit ${(t3 - t2).toFixed(0)} ms ` +
        `(total ${(t3 - t0).toFixed(0)} ms); reopen 100k keys ${(t5 - t4).toFixed(0)} ms`;
      t.diagnostic(msg);
      console.log(msg);
    } finally {
      await store.close();
    }
  });
});
