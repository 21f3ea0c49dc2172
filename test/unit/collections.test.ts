// The typed store layer: exact bytes of every codec (they must equal what the keepers wrote by hand, or
// app hashes change), order of tuple keys, prefix-bounded iteration, sequences.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CacheStore, type KVReader } from "../../app/state/kv.js";
import {
  bigintValue, bytesKey, Item, jsonValue, KeySet, keyPrefix, Sequence, StoreMap, stringKey, tupleKey, u32Key, u64Key,
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
