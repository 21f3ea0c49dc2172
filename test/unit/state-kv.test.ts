import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { CacheStore, bytesToKey, keyToBytes, prefixEnd, type KVReader, type KVStore } from "../../app/state/kv.js";

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The simplest possible KVStore: a Map, sorted on every iterate. */
class MapStore implements KVStore {
  readonly m = new Map<string, Uint8Array>();
  get(k: string) {
    return this.m.get(k);
  }
  has(k: string) {
    return this.m.has(k);
  }
  set(k: string, v: Uint8Array) {
    this.m.set(k, v);
  }
  delete(k: string) {
    this.m.delete(k);
  }
  *iterate(start: string, end?: string): IterableIterator<[string, Uint8Array]> {
    const keys = [...this.m.keys()].filter((k) => k >= start && (end === undefined || k < end)).sort();
    for (const k of keys) yield [k, this.m.get(k)!];
  }
}

const v = (s: string) => new TextEncoder().encode(s);
const str = (u: Uint8Array | undefined) => (u === undefined ? undefined : new TextDecoder().decode(u));
const dump = (r: KVReader, start = "", end?: string) => [...r.iterate(start, end)].map(([k, val]) => [k, str(val)]);

describe("key helpers", () => {
  test("bytesToKey / keyToBytes round-trip every byte value and keep byte order", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const k = bytesToKey(all);
    assert.equal(k.length, 256);
    for (let i = 0; i < 256; i++) assert.equal(k.charCodeAt(i), i);
    assert.deepEqual([...keyToBytes(k)], [...all]);
    // subarray views convert only their own bytes
    assert.equal(bytesToKey(all.subarray(250, 253)), "\xfa\xfb\xfc");
    assert.ok(bytesToKey(Uint8Array.of(0x7f)) < bytesToKey(Uint8Array.of(0x80)));
    assert.ok(bytesToKey(Uint8Array.of(1, 0xff)) < bytesToKey(Uint8Array.of(2)));
    assert.throws(() => keyToBytes("caf\u0101"), /char code above 255/);
  });

  test("prefixEnd", () => {
    assert.equal(prefixEnd("abc"), "abd");
    assert.equal(prefixEnd("a\xff"), "b");
    assert.equal(prefixEnd("a\xff\xff"), "b");
    assert.equal(prefixEnd("\xff\xff"), undefined);
    assert.equal(prefixEnd(""), undefined);
    const p = "bank/";
    const e = prefixEnd(p)!;
    for (const k of ["bank/", "bank/\xff\xff", "bank/zz"]) assert.ok(k >= p && k < e, k);
    for (const k of ["bank", "bank0", "banl"]) assert.ok(!(k >= p && k < e), k);
  });
});

describe("CacheStore", () => {
  test("reads fall through, writes and deletes shadow the parent, write() applies, discard() drops", () => {
    const base = new MapStore();
    base.set("a", v("1"));
    base.set("b", v("2"));
    const c = new CacheStore(base);
    assert.equal(str(c.get("a")), "1");
    c.set("a", v("10"));
    c.delete("b");
    c.set("c", v("3"));
    assert.equal(str(c.get("a")), "10");
    assert.equal(c.get("b"), undefined);
    assert.equal(c.has("b"), false);
    assert.equal(c.has("c"), true);
    assert.equal(c.size, 3);
    // parent untouched until write()
    assert.equal(str(base.get("a")), "1");
    assert.equal(base.has("c"), false);
    assert.deepEqual(c.changes().map(([k, x]) => [k, x === null ? null : str(x)]), [
      ["a", "10"],
      ["b", null],
      ["c", "3"],
    ]);
    c.write();
    assert.equal(c.size, 0);
    assert.equal(str(base.get("a")), "10");
    assert.equal(base.has("b"), false);
    assert.equal(str(base.get("c")), "3");

    c.set("d", v("4"));
    c.delete("a");
    c.discard();
    assert.equal(c.size, 0);
    assert.equal(c.has("d"), false);
    assert.equal(str(c.get("a")), "10");
    assert.equal(base.has("d"), false);
  });

  test("nested branches: a tx over a block over a read-only base", () => {
    const base = new MapStore();
    base.set("k1", v("base"));
    const readOnly: KVReader = { get: (k) => base.get(k), has: (k) => base.has(k), iterate: (s, e) => base.iterate(s, e) };
    const block = new CacheStore(readOnly);
    const tx1 = new CacheStore(block);
    tx1.set("k1", v("tx1"));
    tx1.set("k2", v("tx1"));
    assert.equal(str(block.get("k1")), "base");
    tx1.write();
    assert.equal(str(block.get("k1")), "tx1");
    const tx2 = new CacheStore(block);
    tx2.delete("k1");
    assert.equal(tx2.has("k1"), false);
    assert.equal(block.has("k1"), true);
    tx2.discard();
    assert.equal(str(tx2.get("k1")), "tx1");
    const tx3 = new CacheStore(block);
    tx3.delete("k2");
    tx3.write();
    assert.deepEqual(dump(block), [["k1", "tx1"]]);
    assert.deepEqual(block.changes().map(([k, x]) => [k, x === null ? null : str(x)]), [
      ["k1", "tx1"],
      ["k2", null],
    ]);
    assert.throws(() => block.write(), /read-only/);
    assert.equal(str(base.get("k1")), "base");
  });

  test("merged iteration: order, deletes, overrides, range bounds", () => {
    const base = new MapStore();
    for (const k of ["a", "b", "c", "d", "e"]) base.set(k, v("p" + k));
    const c = new CacheStore(base);
    c.delete("b");
    c.set("c", v("cc"));
    c.set("bb", v("new"));
    c.set("f", v("new-f"));
    c.delete("zz"); // deleting an absent key
    assert.deepEqual(dump(c), [
      ["a", "pa"],
      ["bb", "new"],
      ["c", "cc"],
      ["d", "pd"],
      ["e", "pe"],
      ["f", "new-f"],
    ]);
    assert.deepEqual(dump(c, "b", "d"), [
      ["bb", "new"],
      ["c", "cc"],
    ]);
    assert.deepEqual(dump(c, "bb", "bb"), []);
    assert.deepEqual(dump(c, "c", "b"), []);
    assert.deepEqual(dump(c, "e"), [
      ["e", "pe"],
      ["f", "new-f"],
    ]);
    // nested: the tx sees the block's buffered view
    const tx = new CacheStore(c);
    tx.delete("a");
    tx.set("b", v("back"));
    assert.deepEqual(dump(tx, "a", "c"), [
      ["b", "back"],
      ["bb", "new"],
    ]);
  });

  test("writing to the store while iterating it (delete every visited key; add keys ahead)", () => {
    const base = new MapStore();
    for (let i = 0; i < 10; i++) base.set("k" + i, v(String(i)));
    const c = new CacheStore(base);
    c.set("k35", v("x"));
    const seen: string[] = [];
    for (const [k] of c.iterate("k", "l")) {
      seen.push(k);
      c.delete(k);
      if (k === "k2") c.set("k75", v("ahead")); // ahead of the cursor: visited
      if (k === "k5") c.set("k1x", v("behind")); // behind the cursor: not visited
    }
    assert.deepEqual(seen, ["k0", "k1", "k2", "k3", "k35", "k4", "k5", "k6", "k7", "k75", "k8", "k9"]);
    assert.deepEqual(dump(c), [["k1x", "behind"]]);
  });

  test("random operations against a reference model (3 layers, seeded)", () => {
    const rnd = prng(0xc0ffee);
    const alphabet = ["\x00", "a", "b", "\x7f", "\x80", "\xff"];
    const randKey = () => {
      let k = "";
      const n = 1 + Math.floor(rnd() * 3);
      for (let i = 0; i < n; i++) k += alphabet[Math.floor(rnd() * alphabet.length)];
      return k;
    };
    const randRange = (): [string, string | undefined] => {
      const a = rnd() < 0.2 ? "" : randKey();
      const b = rnd() < 0.3 ? undefined : randKey();
      return [a, b];
    };
    const modelIter = (m: Map<string, string>, s: string, e?: string) =>
      [...m.entries()].filter(([k]) => k >= s && (e === undefined || k < e)).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));

    const root = new MapStore();
    let rootModel = new Map<string, string>();
    let block = new CacheStore(root);
    let blockModel = new Map(rootModel);
    let tx = new CacheStore(block);
    let txModel = new Map(blockModel);
    let checks = 0;
    for (let step = 0; step < 20_000; step++) {
      const r = rnd();
      if (r < 0.4) {
        const k = randKey();
        const val = String(step);
        tx.set(k, v(val));
        txModel.set(k, val);
      } else if (r < 0.6) {
        const k = randKey();
        tx.delete(k);
        txModel.delete(k);
      } else if (r < 0.75) {
        const k = randKey();
        assert.equal(str(tx.get(k)), txModel.get(k));
        assert.equal(tx.has(k), txModel.has(k));
        assert.equal(str(block.get(k)), blockModel.get(k));
        checks++;
      } else if (r < 0.88) {
        const [s, e] = randRange();
        assert.deepEqual(dump(tx, s, e), modelIter(txModel, s, e));
        assert.deepEqual(dump(block, s, e), modelIter(blockModel, s, e));
        checks++;
      } else if (r < 0.95) {
        tx.write();
        blockModel = new Map(txModel);
        tx = new CacheStore(block);
      } else if (r < 0.98) {
        tx.discard();
        txModel = new Map(blockModel);
      } else {
        // end of block: tx must be written or dropped first
        tx.discard();
        block.write();
        rootModel = new Map(blockModel);
        assert.deepEqual(dump(root), modelIter(rootModel, ""));
        block = new CacheStore(root);
        tx = new CacheStore(block);
        txModel = new Map(blockModel);
      }
    }
    assert.ok(checks > 5000);
    assert.ok(rootModel.size > 10, "the run reached real state");
  });

  test("set() rejects a non-Uint8Array value", () => {
    const c = new CacheStore(new MapStore());
    assert.throws(() => c.set("k", "text" as unknown as Uint8Array), /must be a Uint8Array/);
    assert.equal(c.size, 0);
  });
});
