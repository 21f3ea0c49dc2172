import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { ClassicLevel } from "classic-level";
import { DiskStore, type DiskStoreOptions } from "../../app/state/disk/store.js";
import { keyToBytes, prefixEnd, type Change } from "../../app/state/kv.js";
import * as smt from "../../app/state/smt.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "qos-disk-test-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const v = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
type Model = Map<string, Uint8Array>;
const sorted = (m: Model): Array<[string, Uint8Array]> => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
const dumpHex = (it: Iterable<[string, Uint8Array]>) => [...it].map(([k, x]) => [k, hex(x)]);

/** the disk store against the in-memory tree and a plain map at one height */
function checkVersion(store: DiskStore, height: number, model: Model, probe: string[]): void {
  const ver = store.at(height);
  assert.ok(ver, `height ${height} is kept`);
  const pairs = sorted(model);
  const root = smt.build(pairs);
  assert.equal(hex(ver.appHash), hex(smt.rootHash(root)), `app hash at ${height}`);
  assert.deepEqual(dumpHex(ver.reader.iterate("")), dumpHex(pairs), `iteration at ${height}`);
  assert.deepEqual(dumpHex(ver.reader.iterateReverse!("")), dumpHex(pairs.slice().reverse()), `reverse iteration at ${height}`);
  for (const k of probe) {
    assert.equal(hex(ver.reader.get(k) ?? new Uint8Array([0xee])), hex(model.get(k) ?? new Uint8Array([0xee])), `get ${JSON.stringify(k)} at ${height}`);
    const proof = ver.prove(k);
    assert.equal(hex(smt.encodeProof(proof)), hex(smt.encodeProof(smt.proveKey(root, k))), `proof of ${JSON.stringify(k)} at ${height}`);
    const val = model.get(k);
    if (val) assert.equal(smt.verifyMembership(ver.appHash, keyToBytes(k), val, proof), true);
    else assert.equal(smt.verifyNonMembership(ver.appHash, keyToBytes(k), proof), true);
    const end = prefixEnd(k);
    const expect = pairs.filter(([x]) => x >= k && (end === undefined || x < end));
    assert.deepEqual(dumpHex(ver.reader.iterate(k, end)), dumpHex(expect), `range ${JSON.stringify(k)} at ${height}`);
    assert.deepEqual(dumpHex(ver.reader.iterateReverse!(k, end)), dumpHex(expect.slice().reverse()), `reverse range at ${height}`);
  }
}

describe("DiskStore", () => {
  test("commit, reopen, history and proofs", async () => {
    const dir = tempDir();
    let store = await DiskStore.open(dir, { cacheBytes: 4096 });
    assert.equal(store.latest.height, 0);
    assert.equal(hex(store.latest.appHash), "00".repeat(32));
    await store.commit(store.prepare(1, [["a", v("1")], ["b", v("1")], ["a\0", v("z")]]));
    await store.commit(store.prepare(2, [["a", v("2")], ["b", null], ["c", v("3")]]));
    const h2 = hex(store.latest.appHash);
    await store.close();
    store = await DiskStore.open(dir, { cacheBytes: 4096 });
    try {
      assert.equal(store.latest.height, 2);
      assert.equal(hex(store.latest.appHash), h2);
      checkVersion(store, 1, new Map([["a", v("1")], ["b", v("1")], ["a\0", v("z")]]), ["a", "b", "c", "a\0", ""]);
      checkVersion(store, 2, new Map([["a", v("2")], ["c", v("3")], ["a\0", v("z")]]), ["a", "b", "c", "a\0", ""]);
      assert.equal(store.at(3), undefined);
      // many keys: iteration crosses scan batches; deep tree; deleting down to one key collapses leaves upward
      const many: Change[] = [];
      for (let i = 0; i < 3000; i++) many.push([`k/${i}`, v(`x${i}`)]);
      await store.commit(store.prepare(3, many));
      assert.equal([...store.latest.reader.iterate("k/", "k0")].length, 3000);
      await store.commit(store.prepare(4, many.slice(1).map(([k]): Change => [k, null])));
      checkVersion(store, 4, new Map([["a", v("2")], ["c", v("3")], ["a\0", v("z")], ["k/0", v("x0")]]), ["k/0", "k/1", "a"]);
    } finally {
      await store.close();
    }
  });

  test("close leaves LevelDB's write-ahead log empty (the next open replays nothing)", async () => {
    const dir = tempDir();
    const store = await DiskStore.open(dir);
    const many: Change[] = [];
    for (let i = 0; i < 2000; i++) many.push([`k/${i}`, v(`x${i}`)]);
    await store.commit(store.prepare(1, many));
    const root = hex(store.latest.appHash);
    await store.close();
    const logs = readdirSync(dir).filter((f) => f.endsWith(".log"));
    assert.ok(logs.length > 0, "LevelDB keeps a log file");
    for (const f of logs) assert.equal(statSync(join(dir, f)).size, 0, `${f} is empty`);
    const reopened = await DiskStore.open(dir);
    try {
      assert.equal(hex(reopened.latest.appHash), root);
      assert.equal(hex(reopened.latest.reader.get("k/1999")!), hex(v("x1999")));
    } finally {
      await reopened.close();
    }
  });

  test("pruning: kept heights answer, pruned ones give undefined and a clear error, nothing else moves", async () => {
    const dir = tempDir();
    let models6: Model[] = [];
    const store = await DiskStore.open(dir, { pruning: { keepRecent: 2, interval: 1 } });
    try {
      const models: Model[] = [];
      models6 = models;
      let m: Model = new Map();
      for (let h = 1; h <= 6; h++) {
        const old = store.at(h - 2);
        m = new Map(m);
        m.set(`k${h % 3}`, v(`v${h}`));
        if (h === 4) m.delete("k0");
        const changes: Change[] = [[`k${h % 3}`, v(`v${h}`)]];
        if (h === 4) changes.push(["k0", null]);
        await store.commit(store.prepare(h, changes));
        models[h] = m;
        await store.pruned();
        if (h >= 3 && old) assert.throws(() => old.reader.get("k1"), /height \d is pruned \(earliest kept height \d\)/);
      }
      assert.equal(store.at(4), undefined);
      assert.equal(store.explainMissing(4), "height 4 is pruned (earliest kept height 5)");
      checkVersion(store, 5, models[5], ["k0", "k1", "k2"]);
      checkVersion(store, 6, models[6], ["k0", "k1", "k2"]);
      await store.pruneTo(6);
    } finally {
      await store.close();
    }
    // only the latest version is left: one value record per live key, one root, no orphan records, and
    // exactly the nodes of the latest tree (3 leaves under 2 or more inner nodes)
    const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
    const count = new Map<string, number>();
    for await (const k of db.keys()) count.set(String.fromCharCode(k[0]), (count.get(String.fromCharCode(k[0])) ?? 0) + 1);
    await db.close();
    assert.equal(count.get("v"), 3, "k0 (set again at 6), k1, k2: its older records and the tombstone of 4 are gone");
    assert.equal(count.get("r"), 1);
    assert.equal(count.get("o"), undefined);
    assert.equal(count.get("t"), undefined);
    const reopened = await DiskStore.open(dir);
    try {
      assert.equal(reopened.at(5), undefined);
      checkVersion(reopened, 6, models6[6], ["k0", "k1", "k2"]);
    } finally {
      await reopened.close();
    }
  });

  test("an export holds its version against pruning until it ends, and imports into an empty store only", async () => {
    const store = await DiskStore.open(tempDir(), { cacheBytes: 1 << 16, pruning: { keepRecent: 1, interval: 1 } });
    const dst = await DiskStore.open(tempDir());
    try {
      const m1: Model = new Map();
      for (let i = 0; i < 3000; i++) m1.set(`k/${i}`, v(`x${i}`));
      await store.commit(store.prepare(1, [...m1]));
      const root1 = hex(store.latest.appHash);
      const exported = store.exportVersion(1);
      const first = await exported.next();
      assert.equal(first.value[0], "k/0");
      // two blocks rewrite every pair; pruning (keep 1) would drop heights 1 and 2, but height 1 is being read
      await store.commit(store.prepare(2, [...m1].map(([k]): Change => [k, v("y")])));
      await store.commit(store.prepare(3, [...m1].map(([k]): Change => [k, v("z")])));
      await store.pruned();
      assert.ok(store.at(1), "the exported height is kept while the export runs");
      assert.ok(store.at(2), "pruning keeps one watermark: nothing at or above the exported height goes");
      const got: Array<[string, Uint8Array]> = [first.value];
      for await (const pair of exported) got.push(pair);
      assert.deepEqual(dumpHex(got), dumpHex(sorted(m1)));
      await store.pruned();
      assert.equal(store.at(1), undefined, "pruned once the export ended");
      assert.equal(store.at(2), undefined);
      assert.throws(() => store.exportVersion(1), /height 1 is not kept/);
      assert.throws(() => store.beginImport(4), /the store is not empty \(latest height 3\)/);

      const imp = dst.beginImport(7);
      assert.throws(() => dst.prepare(1, []), /an import of height 7 is in progress/);
      imp.add(got.slice(0, 1000));
      assert.throws(() => imp.add([got[0]]), /does not follow/);
      imp.add(got.slice(1000));
      assert.equal(hex(await imp.finish()), root1);
      assert.equal(dst.latest.height, 7);
      checkVersion(dst, 7, m1, ["k/0", "k/2999", "k/x"]);
    } finally {
      await store.close();
      await dst.close();
    }
  });

  test("an import whose pairs do not give the expected app hash writes nothing", async () => {
    const dir = tempDir();
    let store = await DiskStore.open(dir);
    const imp = store.beginImport(5);
    imp.add([["a", v("1")], ["b", v("2")]]);
    await assert.rejects(imp.finish(new Uint8Array(32).fill(1)), /not the expected 0101.*nothing written/);
    assert.equal(store.latest.height, 0);
    await store.close();
    store = await DiskStore.open(dir);
    assert.equal(store.latest.height, 0);
    const again = store.beginImport(5);
    again.add([["a", v("1")]]);
    const h = await again.finish();
    assert.equal(hex(h), hex(smt.rootHash(smt.build([["a", v("1")]]))));
    await store.close();
  });

  test("an import streams in parts: same root as one batch, an abort or a crash mid-import leaves an empty store", async () => {
    const m: Model = new Map();
    for (let i = 0; i < 1000; i++) m.set(`p/${String(i).padStart(4, "0")}`, v(`x${i}`));
    const pairs = sorted(m);
    const expected = hex(smt.rootHash(smt.build(pairs)));
    const countRecords = async (dir: string) => {
      const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
      let n = 0;
      for await (const _ of db.keys()) n++;
      await db.close();
      return n;
    };
    const dir = tempDir();
    // parts of 64 pairs, with a node cache too small to hold a part's nodes: later parts read earlier ones back
    const opts: DiskStoreOptions = { importBatchPairs: 64, cacheBytes: 4096 };
    let store = await DiskStore.open(dir, opts);
    // an abort after parts were written deletes them at once
    const aborted = store.beginImport(9);
    aborted.add(pairs.slice(0, 300));
    aborted.abort();
    assert.equal(store.latest.height, 0);
    assert.equal(store.at(9), undefined);
    await store.close();
    assert.equal(await countRecords(dir), 0, "nothing of the aborted import is left");
    // a close in the middle (as a crash): the next open starts empty
    store = await DiskStore.open(dir, opts);
    const cut = store.beginImport(9);
    cut.add(pairs.slice(0, 500));
    await store.close();
    assert.ok((await countRecords(dir)) > 500, "the parts were on disk");
    store = await DiskStore.open(dir, opts);
    assert.equal(store.latest.height, 0);
    await store.close();
    assert.equal(await countRecords(dir), 0, "the open deleted what the cut import wrote");
    // a root that differs from the expected one: what was streamed is deleted, the store stays empty and usable
    store = await DiskStore.open(dir, opts);
    try {
      const wrong = store.beginImport(9);
      wrong.add(pairs.slice(0, 500));
      await assert.rejects(wrong.finish(new Uint8Array(32)), /not the expected 0000.*nothing written/);
      assert.equal(store.latest.height, 0);
      const imp = store.beginImport(9);
      for (let i = 0; i < pairs.length; i += 77) imp.add(pairs.slice(i, i + 77));
      assert.equal(hex(await imp.finish(Buffer.from(expected, "hex"))), expected);
      assert.equal(store.latest.height, 9);
      checkVersion(store, 9, m, ["p/0000", "p/0063", "p/0064", "p/0999", "p/5"]);
    } finally {
      await store.close();
    }
    store = await DiskStore.open(dir, opts);
    try {
      checkVersion(store, 9, m, ["p/0000", "p/0500", "q"]);
      // the imported version takes blocks like any other
      await store.commit(store.prepare(10, [["p/0001", null], ["p/1000", v("new")]]));
      m.delete("p/0001");
      m.set("p/1000", v("new"));
      checkVersion(store, 10, m, ["p/0001", "p/1000", "p/0002"]);
    } finally {
      await store.close();
    }
  });

  test("property: random blocks, crashes at commit and between pruning batches, reopens ≡ the in-memory tree", async () => {
    const keyArb = fc.constantFrom("a", "a\0", "a\0\0", "a\xff", "b", "ba", "", "\0", "\xff", "c/1", "c/2", "c/3", "d");
    const valArb = fc.uint8Array({ minLength: 0, maxLength: 6 });
    const opArb = fc.oneof(
      fc.record({ t: fc.constant("block" as const), ch: fc.array(fc.tuple(keyArb, fc.option(valArb, { nil: null })), { maxLength: 8 }), redo: fc.boolean() }),
      fc.record({ t: fc.constant("crashCommit" as const), ch: fc.array(fc.tuple(keyArb, valArb), { minLength: 1, maxLength: 4 }) }),
      fc.record({ t: fc.constant("reopen" as const) }),
      fc.record({ t: fc.constant("prune" as const), keep: fc.integer({ min: 1, max: 4 }), crashAfter: fc.integer({ min: 0, max: 4 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
        const dir = tempDir();
        let crashCommit = false;
        let crashPruneAfter = 0;
        const opts: DiskStoreOptions = {
          cacheBytes: 2048,
          faults: { beforeCommit: () => crashCommit, afterPruneBatch: (n) => crashPruneAfter > 0 && n >= crashPruneAfter },
        };
        let store = await DiskStore.open(dir, opts);
        const models = new Map<number, Model>([[0, new Map()]]);
        let earliest = 0;
        const reopen = async () => {
          await store.close();
          crashCommit = false;
          crashPruneAfter = 0;
          store = await DiskStore.open(dir, opts);
          await store.pruned();
        };
        try {
          for (const op of ops) {
            const h = store.latest.height;
            const m = models.get(h)!;
            if (op.t === "block" || op.t === "crashCommit") {
              const dedup = new Map<string, Uint8Array | null>(op.ch);
              const changes = [...dedup.entries()];
              if (op.t === "block" && op.redo) store.prepare(h + 1, [["zz-discarded", v("x")]]);
              const pending = store.prepare(h + 1, changes);
              const next = new Map(m);
              for (const [k, x] of changes) x === null ? next.delete(k) : next.set(k, x);
              assert.equal(hex(pending.appHash), hex(smt.rootHash(smt.build(sorted(next)))));
              if (op.t === "crashCommit") {
                crashCommit = true;
                await assert.rejects(store.commit(pending), /injected crash/);
                await reopen();
                assert.equal(store.latest.height, h, "a crashed commit leaves the old version");
              } else {
                await store.commit(pending);
                models.set(h + 1, next);
              }
            } else if (op.t === "reopen") {
              await reopen();
            } else {
              const target = Math.max(0, h - op.keep + 1);
              crashPruneAfter = op.crashAfter;
              await store.pruneTo(target);
              if (target > earliest) earliest = target;
              if (op.crashAfter > 0) await reopen();
              crashPruneAfter = 0;
            }
            const latest = store.latest.height;
            assert.equal(latest, Math.max(...models.keys()));
            for (const [height, model] of models) {
              if (height === 0 && latest > 0) continue;
              if (height < earliest) {
                assert.equal(store.at(height), undefined, `height ${height} is pruned`);
                continue;
              }
              checkVersion(store, height, model, ["a", "a\0", "b", "", "c/", "zz-discarded"]);
            }
          }
        } finally {
          await store.close();
        }
      }),
      { numRuns: 15 },
    );
  });

  test("pages: deep random blocks (leaves moving across page boundaries, reopens) ≡ the in-memory tree; pruned to the latest version, exactly its pages are left", async () => {
    /** the pages of a tree (format 4): one per inner node at a depth that is a multiple of 4, and the root
     *  (a lone leaf at a page boundary below it is kept in the page above) */
    const pagesOf = (n: smt.Node, depth: number): number => {
      if (n === null) return 0;
      if (!(n instanceof smt.Inner)) return depth === 0 ? 1 : 0;
      return (depth % 4 === 0 ? 1 : 0) + pagesOf(n.left, depth + 1) + pagesOf(n.right, depth + 1);
    };
    // keys drawn by a seeded generator, not by fast-check's integers (biased to small values: they gave
    // shallow trees in which no leaf ever moved up across a page boundary)
    const blockArb = fc.record({ size: fc.integer({ min: 0, max: 150 }), deletes: fc.integer({ min: 0, max: 3 }), reopen: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(blockArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 2 ** 30 }), fc.boolean(), async (blocks, seed, cached) => {
        let x = seed;
        const draw = (n: number): number => {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          return (x >>> 8) % n;
        };
        const dir = tempDir();
        // no cache: every page is read back from its record; 1 MiB: the pages a commit remembers
        const opts: DiskStoreOptions = { cacheBytes: cached ? 1 << 20 : 0 };
        let store = await DiskStore.open(dir, opts);
        let m: Model = new Map();
        try {
          for (const b of blocks) {
            const ch: Change[] = [];
            for (let j = 0; j < b.size; j++) ch.push([`k/${draw(400)}`, draw(4) < b.deletes ? null : v(`v${draw(4)}`)]);
            const changes = [...new Map(ch).entries()];
            const next = new Map(m);
            for (const [k, x] of changes) x === null ? next.delete(k) : next.set(k, x);
            const h = store.latest.height + 1;
            await store.commit(store.prepare(h, changes));
            m = next;
            assert.equal(hex(store.latest.appHash), hex(smt.rootHash(smt.build(sorted(m)))), `app hash at ${h}`);
            if (b.reopen) {
              await store.close();
              store = await DiskStore.open(dir, opts);
            }
          }
          checkVersion(store, store.latest.height, m, ["k/0", "k/1", "k/399", "k/400"]);
          await store.pruneTo(store.latest.height);
          checkVersion(store, store.latest.height, m, ["k/7", "k/200"]);
        } finally {
          await store.close();
        }
        const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
        let pages = 0;
        let other = 0;
        for await (const k of db.keys()) {
          if (k[0] === 0x70) pages++;
          else if (k[0] === 0x6f || k[0] === 0x6e) other++;
        }
        await db.close();
        assert.equal(pages, pagesOf(smt.build(sorted(m)), 0), "the latest tree's pages, nothing stale, nothing missing");
        assert.equal(other, 0, "no stale list, no binary node record");
      }),
      { numRuns: 12 },
    );
  });
  test("a page holds only leaves and refs (format 4): a corrupted record fails loudly; a format-3 store is refused", async () => {
    // two keys whose key hashes differ at bit 0: the root page is an inner node with both leaves in it
    const bit0 = (k: string) => smt.keyHashOf(k).charCodeAt(0) >> 7;
    let other = 1;
    while (bit0(`k/${other}`) === bit0("k/0")) other++;
    const keys = ["k/0", `k/${other}`];
    const dir = tempDir();
    let store = await DiskStore.open(dir, { cacheBytes: 0 });
    await store.commit(store.prepare(1, keys.map((k): Change => [k, v(`value of ${k}`)])));
    const appHash = hex(store.latest.appHash);
    await store.close();
    let db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
    const pages: Array<[Buffer, Buffer]> = [];
    for await (const [k, x] of db.iterator({ gte: Buffer.of(0x70), lt: Buffer.of(0x71) })) pages.push([k, x]);
    assert.equal(pages.length, 1, "one page: the root");
    const [pageKey, page] = pages[0];
    // inner tag, then per leaf: tag, value hash, varint version 1, varint key length, key (no hash of any node)
    const leafBytes = (k: string) => 1 + 32 + 1 + 1 + k.length;
    assert.equal(page.length, 1 + leafBytes(keys[0]) + leafBytes(keys[1]));
    assert.equal(page[0], 2);
    assert.equal(page[1], 1);
    // flip a bit of the first leaf's value hash: the recomputed root no longer matches the root's ref
    const bad = Buffer.from(page);
    bad[2] ^= 1;
    await db.put(pageKey, bad);
    await db.close();
    store = await DiskStore.open(dir, { cacheBytes: 0 });
    try {
      assert.equal(hex(store.latest.appHash), appHash, "open reads the root ref only");
      assert.throws(() => store.latest.prove(keys[0]), /^Error: state store corrupted: page at version 1 depth 0 does not hash to the reference that leads to it$/);
    } finally {
      await store.close();
    }
    // a store of the previous page format (meta record format byte 3) is refused, naming what to do
    db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
    const meta = (await db.get(Buffer.of(0x6d)))!;
    meta[0] = 3;
    await db.put(Buffer.of(0x6d), meta);
    await db.close();
    await assert.rejects(DiskStore.open(dir), (e: Error) => {
      assert.match(e.message, /has the page format 3 .* which this version no longer reads \(format 4: pages without inner hashes\): export the state with the previous qosd \(qosd export\) .* or join by state sync$/);
      return true;
    });
  });
});
