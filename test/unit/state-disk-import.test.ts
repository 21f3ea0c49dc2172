// The disk store's import (state sync restore, and the first version of an empty store: a genesis): the
// pages it builds bottom-up are the records one block of the same pairs writes at the same height, byte for byte, and an import cut short is never taken for a
// committed store.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { ClassicLevel } from "classic-level";
import { DiskStore, type DiskStoreOptions } from "../../app/state/disk/store.js";
import { PageBuilder } from "../../app/state/disk/import.js";
import { DLeaf } from "../../app/state/disk/tree.js";
import * as smt from "../../app/state/smt.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "qos-disk-import-test-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** every record of a closed store, in key order, as hex */
async function dump(dir: string): Promise<string[]> {
  const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
  const out: string[] = [];
  for await (const [k, x] of db.iterator()) out.push(`${hex(k)}=${hex(x)}`);
  await db.close();
  return out;
}

/** the pairs written as one block of `height` into an empty store, and imported into another in parts of
 *  `part` pairs, added `add` at a time, and committed as the first version of a third (prepare + commit, which
 *  writes the first version of an empty store as an import): the stores' records after close */
async function blockAndImport(pairs: Array<[string, Uint8Array]>, height: number, part: number, add: number): Promise<{ block: string[]; imported: string[]; first: string[]; appHash: string }> {
  const blockDir = tempDir();
  const importDir = tempDir();
  const firstDir = tempDir();
  const block = await DiskStore.open(blockDir, { firstVersionAsImport: false });
  await block.commit(block.prepare(height, pairs));
  const appHash = hex(block.latest.appHash);
  await block.close();
  const first = await DiskStore.open(firstDir, { importBatchPairs: part });
  const prepared = first.prepare(height, pairs);
  assert.equal(hex(prepared.appHash), appHash);
  await first.commit(prepared);
  assert.equal(hex(first.latest.appHash), appHash);
  assert.deepEqual(first.latest.stats, { keys: pairs.length, bytes: pairs.reduce((n, [k, x]) => n + k.length + x.length, 0) });
  await first.close();
  const store = await DiskStore.open(importDir, { importBatchPairs: part });
  const imp = store.beginImport(height);
  for (let i = 0; i < pairs.length; i += add) imp.add(pairs.slice(i, i + add));
  assert.equal(hex(await imp.finish(Buffer.from(appHash, "hex"))), appHash);
  assert.equal(store.latest.height, height);
  assert.equal(hex(store.latest.appHash), appHash);
  assert.deepEqual(store.latest.stats, { keys: pairs.length, bytes: pairs.reduce((n, [k, x]) => n + k.length + x.length, 0) });
  await store.close();
  return { block: await dump(blockDir), imported: await dump(importDir), first: await dump(firstDir), appHash };
}

const byKey = (a: [string, Uint8Array], b: [string, Uint8Array]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

describe("DiskStore import (bottom-up pages)", () => {
  test("property: an import writes exactly the records of one block of the same pairs at the same height", async () => {
    const keyArb = fc.uint8Array({ minLength: 0, maxLength: 5 }).map((b) => Buffer.from(b).toString("latin1"));
    const pairsArb = fc
      .uniqueArray(fc.tuple(keyArb, fc.uint8Array({ minLength: 0, maxLength: 40 })), { selector: ([k]) => k, maxLength: 120 })
      .map((ps) => ps.sort(byKey));
    await fc.assert(
      fc.asyncProperty(pairsArb, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 50 }), async (pairs, height, part, add) => {
        const { block, imported, first, appHash } = await blockAndImport(pairs, height, part, add);
        assert.equal(appHash, hex(smt.rootHash(smt.build(pairs))));
        assert.deepEqual(imported, block);
        assert.deepEqual(first, block);
      }),
      { numRuns: 40 },
    );
  });

  test("5,000 pairs in parts of 333: the same records as one block (page chains, leaves at every depth)", async () => {
    const pairs: Array<[string, Uint8Array]> = [];
    for (let i = 0; i < 5000; i++) pairs.push([`acct/${String(i).padStart(5, "0")}`, new TextEncoder().encode(`v${i * 7}`)]);
    const { block, imported, first } = await blockAndImport(pairs, 4, 333, 1000);
    assert.ok(block.length > 6000, `${block.length} records`);
    assert.deepEqual(imported, block);
    assert.deepEqual(first, block);
  });

  test("an import that finds the app hash wrong, or crashes after its pages are written, leaves an empty store", async () => {
    const pairs: Array<[string, Uint8Array]> = [];
    for (let i = 0; i < 400; i++) pairs.push([`k/${String(i).padStart(3, "0")}`, Uint8Array.of(i & 0xff)]);
    const expected = smt.rootHash(smt.build(pairs));
    const dir = tempDir();
    let crash = false;
    const opts: DiskStoreOptions = { importBatchPairs: 50, faults: { beforeCommit: () => crash } };
    let store = await DiskStore.open(dir, opts);
    const wrong = store.beginImport(3);
    wrong.add(pairs);
    await assert.rejects(wrong.finish(new Uint8Array(32).fill(7)), /not the expected 0707.*nothing written/);
    assert.equal(store.latest.height, 0);
    await store.close();
    assert.deepEqual(await dump(dir), [], "the wrong import's values, runs and pages are deleted");

    store = await DiskStore.open(dir, opts);
    crash = true;
    const cut = store.beginImport(3);
    cut.add(pairs);
    await assert.rejects(cut.finish(expected), /injected crash before the commit of height 3/);
    await store.close();
    const left = await dump(dir);
    assert.ok(left.some((r) => r.startsWith("70")), "pages were written before the crash");
    assert.ok(left.some((r) => r.startsWith("68")), "so were the runs");
    assert.ok(!left.some((r) => r.startsWith("6d=")), "but no committed height");
    crash = false;
    store = await DiskStore.open(dir, opts);
    assert.equal(store.latest.height, 0, "the open takes the cut import for nothing");
    await store.close();
    assert.deepEqual(await dump(dir), [], "and deletes it");

    store = await DiskStore.open(dir, opts);
    try {
      const imp = store.beginImport(3);
      imp.add(pairs);
      assert.equal(hex(await imp.finish(expected)), hex(expected));
      assert.equal(hex(store.latest.appHash), hex(expected));
      await store.commit(store.prepare(4, [["k/000", null], ["k/999", Uint8Array.of(9)]]));
      const after = pairs.filter(([k]) => k !== "k/000").concat([["k/999", Uint8Array.of(9)]]);
      assert.equal(hex(store.latest.appHash), hex(smt.rootHash(smt.build(after))));
    } finally {
      await store.close();
    }
    assert.ok(!(await dump(dir)).some((r) => r.startsWith("68") || r.startsWith("69")), "no run and no import mark left in a committed store");
  });

  test("the builder refuses leaves out of key-hash order and a key hash twice", () => {
    const leaf = (key: string) => {
      const kh = smt.keyHashOf(key);
      const vh = smt.sha256s(Uint8Array.of(1));
      return new DLeaf(kh, key, vh, 1, smt.hashLeafParts(kh, vh), null);
    };
    const [a, b] = [leaf("a"), leaf("b")].sort((x, y) => (x.keyHash < y.keyHash ? -1 : 1));
    const pages: string[] = [];
    const builder = new PageBuilder(1, (k) => pages.push(hex(k)));
    builder.add(b);
    assert.throws(() => builder.add(a), /leaves out of key-hash order/);
    const again = new PageBuilder(1, () => {});
    again.add(a);
    assert.throws(() => again.add(a), /leaves out of key-hash order/);
    assert.equal(new PageBuilder(1, () => {}).finish().kind, 0, "no leaves: the empty tree");
  });
});
