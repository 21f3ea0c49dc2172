// The typed store layer: exact bytes of every codec (they must equal what the keepers wrote by hand, or
// app hashes change), order of tuple keys, prefix-bounded iteration, sequences.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CacheStore, type KVReader } from "../../app/state/kv.js";
import {
  bigintValue, bytesKey, delimitedStringKey, IndexedMap, Item, jsonValue, KeySet, keyPrefix, MapIndex, Sequence, StoreMap, stringKey,
  tupleKey, u32Key, u64Key, u64Value,
} from "../../app/state/collections.js";
import { z } from "zod";

const empty: KVReader = { get: () => undefined, has: () => false, iterate: () => [][Symbol.iterator]() };
const newStore = () => new CacheStore(empty);
const latin1 = (s: string) => Buffer.from(s, "latin1").toString("hex");
const addr = (byte: number) => new Uint8Array(20).fill(byte);

test("key codecs write fixed-width big-endian integers and raw bytes", () => {
  assert.equal(latin1(u64Key.encode(258n)), "0000000000000102");
  assert.equal(latin1(u64Key.encode(-5n)), "0000000000000000", "a negative time sorts first, as be64 did");
  assert.equal(u64Key.decode(u64Key.encode(2n ** 64n - 1n)), 2n ** 64n - 1n);
  assert.equal(latin1(u32Key.encode(7)), "00000007");
  assert.equal(latin1(bytesKey(20).encode(addr(0xab))), "ab".repeat(20));
  assert.throws(() => bytesKey(20).encode(new Uint8Array(19)), /19 bytes, expected 20/);
  assert.equal(latin1(stringKey.encode("é")), "c3a9");
  assert.equal(stringKey.decode(stringKey.encode("uqos/é")), "uqos/é");
});

test("tuple keys concatenate parts and decode them back; a variable part must be last", () => {
  const key = tupleKey(u64Key, bytesKey(20), stringKey);
  const encoded = key.encode([3n, addr(1), "abc"]);
  assert.equal(latin1(encoded), "0000000000000003" + "01".repeat(20) + "616263");
  const [t, a, s] = key.decode(encoded);
  assert.equal(t, 3n);
  assert.deepEqual([...a], [...addr(1)]);
  assert.equal(s, "abc");
  assert.throws(() => tupleKey(stringKey, u64Key), /part 0 has no fixed width/);
  assert.equal(tupleKey(u64Key, u32Key).width, 12);
});

test("StoreMap: get/set/delete under its prefix, entries in key order, bounded by a key prefix", () => {
  const store = newStore();
  const map = new StoreMap("m/", tupleKey(bytesKey(20), u64Key), bigintValue);
  map.set(store, [addr(2), 1n], 10n);
  map.set(store, [addr(1), 9n], 20n);
  map.set(store, [addr(1), 2n], 30n);
  store.set("m0", new Uint8Array([1])); // just past the prefix: never seen
  assert.equal(Buffer.from(store.get("m/" + bytesKey(20).encode(addr(1)) + u64Key.encode(2n))!).toString(), "30");
  assert.deepEqual([...map.entries(store)].map(([[a, n], v]) => [a[0], n, v]), [[1, 2n, 30n], [1, 9n, 20n], [2, 1n, 10n]]);
  const one = keyPrefix([bytesKey(20), addr(1)]);
  assert.deepEqual([...map.keys(store, { within: one })].map(([, n]) => n), [2n, 9n]);
  map.delete(store, [addr(1), 2n]);
  assert.equal(map.get(store, [addr(1), 2n]), undefined);
  assert.equal(map.has(store, [addr(1), 9n]), true);
});

test("Item, KeySet and Sequence", () => {
  const store = newStore();
  const params = new Item("p", jsonValue(z.object({ n: z.number() })));
  assert.equal(params.get(store), undefined);
  params.set(store, { n: 3 });
  assert.equal(Buffer.from(store.get("p")!).toString(), '{"n":3}');
  assert.deepEqual(params.get(store), { n: 3 });
  assert.throws(() => params.set(store, { n: "x" } as never));

  const active = new KeySet("a/", bytesKey(20));
  active.add(store, addr(5));
  assert.deepEqual([...store.get("a/" + bytesKey(20).encode(addr(5)))!], []);
  const marked = new KeySet("b/", u64Key, new Uint8Array([1]));
  marked.add(store, 4n);
  assert.deepEqual([...store.get("b/" + u64Key.encode(4n))!], [1]);
  assert.deepEqual([...marked.keys(store)], [4n]);

  const seq = new Sequence("s", 1n);
  assert.equal(seq.peek(store), 1n);
  assert.equal(seq.next(store), 1n);
  assert.equal(seq.next(store), 2n);
  assert.equal(Buffer.from(store.get("s")!).toString(), "3");
});

test("IndexedMap: the record and its indexes written and deleted together, in order; walking an index", () => {
  const inner = newStore();
  const ops: string[] = [];
  const hex = (k: string) => Buffer.from(k, "latin1").toString("hex");
  const store = {
    get: (k: string) => inner.get(k),
    has: (k: string) => inner.has(k),
    iterate: (a: string, b?: string) => inner.iterate(a, b),
    set: (k: string, v: Uint8Array) => { ops.push(`set ${hex(k)}=${Buffer.from(v).toString()}`); inner.set(k, v); },
    delete: (k: string) => { ops.push(`del ${hex(k)}`); inner.delete(k); },
  };
  // primary (time, who, height) → amount; by who: (who, time, height); by height: (height, who, time)
  type K = [bigint, Uint8Array, bigint];
  const byWho = new MapIndex<K, [Uint8Array, bigint, bigint]>("w/", tupleKey(bytesKey(1), u64Key, u64Key), ([t, w, h]) => [w, t, h], ([w, t, h]) => [t, w, h]);
  const byHeight = new MapIndex<K, [bigint, Uint8Array, bigint]>("h/", tupleKey(u64Key, bytesKey(1), u64Key), ([t, w, h]) => [h, w, t], ([h, w, t]) => [t, w, h]);
  const map = new IndexedMap(new StoreMap<K, bigint>("p/", tupleKey(u64Key, bytesKey(1), u64Key), bigintValue), [byWho, byHeight]);
  const a = new Uint8Array([0xaa]);
  const b = new Uint8Array([0xbb]);
  map.set(store, [5n, a, 7n], 10n);
  assert.deepEqual(ops, [
    "set 702f" + "0000000000000005" + "aa" + "0000000000000007" + "=10",
    "set 772f" + "aa" + "0000000000000005" + "0000000000000007" + "=",
    "set 682f" + "0000000000000007" + "aa" + "0000000000000005" + "=",
  ]);
  ops.length = 0;
  map.replace(store, [5n, a, 7n], 4n);
  assert.deepEqual(ops, ["set 702f" + "0000000000000005" + "aa" + "0000000000000007" + "=4"]);
  map.set(store, [3n, b, 1n], 1n);
  map.set(store, [9n, a, 2n], 2n);
  assert.equal(map.get(store, [5n, a, 7n]), 4n);
  assert.deepEqual([...map.keys(store)].map(([t]) => t), [3n, 5n, 9n]);
  const ofA = [...byWho.primaryKeys(store, { within: keyPrefix([bytesKey(1), a]) })];
  assert.deepEqual(ofA.map(([t, w, h]) => [t, w[0], h]), [[5n, 0xaa, 7n], [9n, 0xaa, 2n]]);
  ops.length = 0;
  map.delete(store, [5n, a, 7n]);
  assert.deepEqual(ops, [
    "del 702f" + "0000000000000005" + "aa" + "0000000000000007",
    "del 772f" + "aa" + "0000000000000005" + "0000000000000007",
    "del 682f" + "0000000000000007" + "aa" + "0000000000000005",
  ]);
  assert.deepEqual([...byWho.set.keys(store)].map(([w, t]) => [w[0], t]), [[0xaa, 9n], [0xbb, 3n]]);
  assert.equal(byHeight.set.decodeKey(byHeight.set.storeKey([2n, a, 9n]).slice(2))[0], 2n);
});

test("delimitedStringKey: a variable part ended by its separator, before other parts; u64Value", () => {
  const chain = delimitedStringKey("/");
  assert.equal(chain.encode("qos-1"), "qos-1/");
  assert.equal(chain.encode("a/b"), "a/b/", "a lookup with a user's string reads the key written by hand before");
  // <chain>/<seq u64 BE>: the sequence 47 is the byte "/", found after the chain's own separator
  const outbox = tupleKey(chain, u64Key);
  const encoded = outbox.encode(["qos-1", 47n]);
  assert.equal(latin1(encoded), Buffer.from("qos-1/").toString("hex") + "000000000000002f");
  assert.deepEqual(outbox.decode(encoded), ["qos-1", 47n]);
  assert.equal(outbox.width, undefined);
  // <name>/<address 20>, the address holding "/" bytes; <chain>/<denom>
  const frozen = tupleKey(chain, bytesKey(20));
  const [name, address] = frozen.decode(frozen.encode(["AOE", addr(0x2f)]));
  assert.equal(name, "AOE");
  assert.deepEqual([...address], [...addr(0x2f)]);
  assert.deepEqual(tupleKey(chain, stringKey).decode("c-2/uqos"), ["c-2", "uqos"]);
  assert.equal(keyPrefix([chain, "c-2"]), "c-2/");
  assert.throws(() => tupleKey(stringKey, chain), /part 0 has no fixed width/);
  assert.equal(chain.decode("last/"), "last", "also as the last part");
  assert.equal(latin1(Buffer.from(u64Value.encode(258n)).toString("latin1")), "0000000000000102");
  assert.equal(u64Value.decode(Uint8Array.of(0, 0, 0, 0, 0, 0, 1, 2)), 258n);
  assert.throws(() => u64Value.encode(-1n));
});

test("StoreMap.page: one page under a key prefix, next_key the encoded key after it, with a filter", () => {
  const store = newStore();
  const map = new StoreMap("m/", tupleKey(bytesKey(20), stringKey), bigintValue);
  for (const denom of ["aaa", "bbb", "ccc", "ddd"]) map.set(store, [addr(1), denom], 5n);
  map.set(store, [addr(2), "aaa"], 7n);
  const within = keyPrefix([bytesKey(20), addr(1)]);
  const first = map.page(store, { limit: 2n }, ([, denom], amount) => `${amount}${denom}`, within);
  assert.deepEqual(first.items, ["5aaa", "5bbb"]);
  assert.equal(Buffer.from(first.pagination.nextKey).toString("latin1"), "ccc");
  const second = map.page(store, { key: first.pagination.nextKey, limit: 2n }, ([, denom]) => denom, within);
  assert.deepEqual(second.items, ["ccc", "ddd"]);
  assert.equal(second.pagination.nextKey.length, 0);
  const all = map.page(store, { countTotal: true }, ([a, denom]) => (denom === "aaa" ? `${a[0]}:${denom}` : undefined));
  assert.deepEqual(all.items, ["1:aaa", "2:aaa"]);
  assert.equal(all.pagination.total, 2n);
});

test("StoreMap.provable: the raw store key bytes a /store/key proof is asked for, and the value codec", () => {
  const store = newStore();
  const map = new StoreMap("b/", tupleKey(bytesKey(20), stringKey), bigintValue);
  map.set(store, [addr(0xab), "uqos"], 1234n);
  const entry = map.provable([addr(0xab), "uqos"]);
  assert.equal(Buffer.from(entry.key).toString("hex"), "622f" + "ab".repeat(20) + "75716f73");
  assert.equal(Buffer.from(entry.key).toString("latin1"), map.storeKey([addr(0xab), "uqos"]));
  const raw = store.get(map.storeKey([addr(0xab), "uqos"]))!;
  assert.equal(Buffer.from(raw).toString("latin1"), "1234");
  assert.equal(entry.decode(raw), 1234n);
});
