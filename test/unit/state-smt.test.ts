import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as smt from "../../app/state/smt.js";
import { keyToBytes, type Change } from "../../app/state/kv.js";

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

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const sha = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const v = (s: string) => new TextEncoder().encode(s);
const kb = (k: string) => keyToBytes(k);

/** Reference root straight from the spec: recursive over the whole key set, no sharing, no cleverness. */
function referenceRoot(entries: Map<string, Uint8Array>): Uint8Array {
  const items = [...entries].map(([k, val]) => ({ kh: sha(kb(k)), vh: sha(val) }));
  const bitOf = (h: Uint8Array, d: number) => (h[d >> 3] >> (7 - (d & 7))) & 1;
  const rec = (xs: typeof items, d: number): Uint8Array => {
    if (xs.length === 0) return new Uint8Array(32);
    if (xs.length === 1) return sha(Uint8Array.of(0), xs[0].kh, xs[0].vh);
    const l = xs.filter((x) => bitOf(x.kh, d) === 0);
    const r = xs.filter((x) => bitOf(x.kh, d) === 1);
    return sha(Uint8Array.of(1), rec(l, d + 1), rec(r, d + 1));
  };
  return rec(items, 0);
}

function randomEntries(rnd: () => number, n: number, tag = ""): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  while (m.size < n) {
    const k = "key/" + Math.floor(rnd() * 1e9).toString(36);
    m.set(k, v(tag + k + ":" + Math.floor(rnd() * 1000)));
  }
  return m;
}

const rootHex = (n: smt.Node) => hex(smt.rootHash(n));

describe("sparse Merkle tree: hashing and shape", () => {
  test("empty tree hashes to 32 zero bytes; one leaf to sha256(0x00 ‖ keyHash ‖ valueHash)", () => {
    assert.equal(rootHex(smt.build([])), "00".repeat(32));
    assert.equal(rootHex(smt.update(smt.EMPTY, [])), "00".repeat(32));
    const one = smt.build([["acc/alice", v("100")]]);
    assert.equal(rootHex(one), hex(sha(Uint8Array.of(0), sha(kb("acc/alice")), sha(v("100")))));
  });

  test("two keys: Inner split on the first differing bit, single-child Inners above it", () => {
    // find two keys whose hashes share the first bit but differ at bit 1
    const rnd = prng(7);
    let a = "", b = "";
    for (;;) {
      a = "k" + Math.floor(rnd() * 1e9);
      b = "k" + Math.floor(rnd() * 1e9);
      const ha = sha(kb(a))[0], hb = sha(kb(b))[0];
      if (ha >> 7 === hb >> 7 && ((ha >> 6) & 1) !== ((hb >> 6) & 1)) break;
    }
    const leafA = sha(Uint8Array.of(0), sha(kb(a)), sha(v("A")));
    const leafB = sha(Uint8Array.of(0), sha(kb(b)), sha(v("B")));
    const [l, r] = ((sha(kb(a))[0] >> 6) & 1) === 0 ? [leafA, leafB] : [leafB, leafA];
    const inner1 = sha(Uint8Array.of(1), l, r);
    const zero = new Uint8Array(32);
    const expected = sha(kb(a))[0] >> 7 === 0 ? sha(Uint8Array.of(1), inner1, zero) : sha(Uint8Array.of(1), zero, inner1);
    const root = smt.build([
      [a, v("A")],
      [b, v("B")],
    ]);
    assert.equal(rootHex(root), hex(expected));
    // deleting one collapses back to the other's lone leaf at the root
    assert.equal(rootHex(smt.update(root, [[a, null]])), hex(leafB));
  });

  test("build matches the from-the-spec reference on random sets", () => {
    const rnd = prng(42);
    for (const n of [2, 3, 5, 17, 100, 333]) {
      const m = randomEntries(rnd, n);
      assert.equal(rootHex(smt.build(m)), hex(referenceRoot(m)), `n=${n}`);
    }
  });

  test("root is independent of insertion order", () => {
    const rnd = prng(1);
    const m = randomEntries(rnd, 300);
    const entries = [...m];
    const expected = rootHex(smt.build(entries));
    for (let round = 0; round < 3; round++) {
      let root: smt.Node = smt.EMPTY;
      // one key at a time, in a random order
      for (const [k, val] of shuffle(entries, rnd)) root = smt.update(root, [[k, val]]);
      assert.equal(rootHex(root), expected);
      // in random batches
      root = smt.EMPTY;
      const sh = shuffle(entries, rnd);
      for (let i = 0; i < sh.length; ) {
        const n = 1 + Math.floor(rnd() * 50);
        root = smt.update(root, sh.slice(i, i + n));
        i += n;
      }
      assert.equal(rootHex(root), expected);
      assert.equal(rootHex(smt.build(shuffle(entries, rnd))), expected);
    }
  });

  test("the empty tree updated by sorted distinct keys (genesis, its own path) equals the tree built from the pairs it sets, with the same pairs delta", () => {
    const rnd = prng(7);
    const entries = [...randomEntries(rnd, 500)].sort(([a], [b]) => (a < b ? -1 : 1));
    // a deletion of a key never set, among the sets: it changes nothing
    const changes: Change[] = entries.map(([k, val], i) => (i % 9 === 4 ? [k, null] : [k, val]));
    const kept = entries.filter((_, i) => i % 9 !== 4);
    const delta = { keys: 0, bytes: 0 };
    const root = smt.update(smt.EMPTY, changes, delta);
    assert.equal(rootHex(root), rootHex(smt.build(kept)));
    assert.deepEqual(delta, { keys: kept.length, bytes: kept.reduce((n, [k, val]) => n + k.length + val.length, 0) });
    // the same changes out of order (the general path) give the same root and delta
    const shuffledDelta = { keys: 0, bytes: 0 };
    assert.equal(rootHex(smt.update(smt.EMPTY, shuffle(changes, rnd), shuffledDelta)), rootHex(root));
    assert.deepEqual(shuffledDelta, delta);
    // a key twice (not strictly increasing): the general path, the last one wins
    const [k0, v0] = entries[0];
    assert.equal(rootHex(smt.update(smt.EMPTY, [[k0, v0], [k0, null]])), "00".repeat(32));
  });

  test("root is independent of history: insert then delete == never inserted", () => {
    const rnd = prng(2);
    const m = randomEntries(rnd, 200);
    const base = smt.build(m);
    const extra = randomEntries(rnd, 150, "extra");
    for (const k of m.keys()) extra.delete(k);
    let root = smt.update(base, [...extra]);
    assert.notEqual(rootHex(root), rootHex(base));
    // also overwrite some existing values, then restore them
    const some = [...m].slice(0, 20);
    root = smt.update(root, some.map(([k]): Change => [k, v("temporary")]));
    root = smt.update(root, [...extra.keys()].map((k): Change => [k, null]));
    root = smt.update(root, some);
    assert.equal(rootHex(root), rootHex(base));
    // delete everything one key at a time: back to Empty (full collapse)
    for (const k of shuffle([...m.keys()], rnd)) root = smt.update(root, [[k, null]]);
    assert.equal(root, smt.EMPTY);
    assert.equal(rootHex(root), "00".repeat(32));
  });

  test("update batches == build from scratch on random data; old roots stay intact", () => {
    const rnd = prng(3);
    const model = randomEntries(rnd, 500);
    let root = smt.build(model);
    const history: Array<{ root: smt.Node; hash: string; snapshot: Map<string, Uint8Array> }> = [];
    for (let round = 0; round < 25; round++) {
      history.push({ root, hash: rootHex(root), snapshot: new Map(model) });
      const changes = new Map<string, Uint8Array | null>();
      const keys = [...model.keys()];
      const n = 1 + Math.floor(rnd() * 80);
      for (let i = 0; i < n; i++) {
        const r = rnd();
        if (r < 0.35 && keys.length) changes.set(keys[Math.floor(rnd() * keys.length)], null);
        else if (r < 0.5) changes.set("absent/" + Math.floor(rnd() * 1e9), null); // delete of an absent key
        else if (r < 0.6 && keys.length) {
          const k = keys[Math.floor(rnd() * keys.length)];
          changes.set(k, model.get(k)!.slice()); // same value, new array
        } else if (r < 0.8 && keys.length) changes.set(keys[Math.floor(rnd() * keys.length)], v("upd" + round + ":" + i));
        else changes.set("new/" + Math.floor(rnd() * 1e9), v("new" + i));
      }
      const sorted = [...changes].sort((a, b) => (a[0] < b[0] ? -1 : 1));
      root = smt.update(root, sorted);
      for (const [k, val] of sorted) {
        if (val === null) model.delete(k);
        else model.set(k, val);
      }
      assert.equal(rootHex(root), rootHex(smt.build(model)), `round ${round}`);
      if (round % 5 === 0) assert.equal(rootHex(root), hex(referenceRoot(model)), `reference, round ${round}`);
    }
    for (const h of history) {
      assert.equal(rootHex(h.root), h.hash);
      assert.equal(rootHex(smt.build(h.snapshot)), h.hash);
      for (const [k, val] of [...h.snapshot].slice(0, 30)) assert.deepEqual(smt.lookup(h.root, k), val);
    }
  });

  test("unchanged subtrees are shared, not rebuilt", () => {
    const m = randomEntries(prng(4), 64);
    const root = smt.build(m);
    const [k, val] = [...m][0];
    assert.equal(smt.update(root, [[k, val.slice()]]), root, "same value: same root object");
    assert.equal(smt.update(root, [["nope", null]]), root, "deleting an absent key: same root object");
    const r2 = smt.update(root, [[k, v("changed")]]);
    assert.ok(r2 instanceof smt.Inner && root instanceof smt.Inner);
    const leafSide = smt.lookup(root, k) !== undefined;
    assert.ok(leafSide);
    // exactly one of the root's children is new
    const same = (r2.left === root.left ? 1 : 0) + (r2.right === root.right ? 1 : 0);
    assert.equal(same, 1);
  });

  test("duplicate keys in one update: the last wins", () => {
    const a = smt.update(smt.EMPTY, [
      ["x", v("1")],
      ["x", v("2")],
    ]);
    assert.equal(rootHex(a), rootHex(smt.build([["x", v("2")]])));
    assert.throws(() => smt.build([["x", v("1")], ["x", v("2")]]), /duplicate key/);
  });
});

describe("sparse Merkle tree: proofs", () => {
  const rnd = prng(5);
  const m = randomEntries(rnd, 400);
  const root = smt.build(m);
  const rh = smt.rootHash(root);
  const absent = [...randomEntries(rnd, 400, "absent")].map(([k]) => "absent/" + k).filter((k) => !m.has(k));

  test("membership proofs verify for every present key, and fail for a wrong value / root / sibling", () => {
    for (const [k, val] of m) {
      const p = smt.prove(root, kb(k));
      assert.ok(p.leaf, k);
      assert.equal(smt.verifyMembership(rh, kb(k), val, p), true, k);
      assert.equal(smt.verifyNonMembership(rh, kb(k), p), false, k);
      assert.equal(smt.verifyMembership(rh, kb(k), v("wrong"), p), false);
      const badRoot = rh.slice();
      badRoot[31] ^= 1;
      assert.equal(smt.verifyMembership(badRoot, kb(k), val, p), false);
      assert.equal(smt.verifyMembership(rh, kb(k + "x"), val, p), false, "a proof is for one key");
      if (p.siblings.length > 0) {
        const i = Math.floor(rnd() * p.siblings.length);
        const tampered = { ...p, siblings: p.siblings.map((s, j) => (j === i ? s.map((b, q) => (q === 0 ? b ^ 0x80 : b)) : s)) };
        assert.equal(smt.verifyMembership(rh, kb(k), val, tampered), false);
        assert.equal(smt.verifyMembership(rh, kb(k), val, { ...p, siblings: p.siblings.slice(1) }), false, "dropped sibling");
      }
    }
  });

  test("non-membership proofs verify for absent keys (ending at Empty and at another leaf)", () => {
    let atEmpty = 0;
    let atLeaf = 0;
    for (const k of absent) {
      const p = smt.prove(root, kb(k));
      if (p.leaf) atLeaf++;
      else atEmpty++;
      assert.equal(smt.verifyNonMembership(rh, kb(k), p), true, k);
      assert.equal(smt.verifyMembership(rh, kb(k), v(""), p), false);
      const badRoot = rh.slice();
      badRoot[0] ^= 0x10;
      assert.equal(smt.verifyNonMembership(badRoot, kb(k), p), false);
      if (p.siblings.length > 0) {
        const tampered = { ...p, siblings: p.siblings.map((s, j) => (j === p.siblings.length - 1 ? s.map((b) => b ^ 1) : s)) };
        assert.equal(smt.verifyNonMembership(rh, kb(k), tampered), false);
      }
      if (p.leaf) {
        const vh = p.leaf.valueHash.slice();
        vh[5] ^= 4;
        assert.equal(smt.verifyNonMembership(rh, kb(k), { ...p, leaf: { ...p.leaf, valueHash: vh } }), false);
      }
    }
    assert.ok(atEmpty > 10 && atLeaf > 10, `both kinds occur (empty ${atEmpty}, leaf ${atLeaf})`);
  });

  test("a present key's leaf cannot be passed off as a non-membership proof for another key off its path", () => {
    // take a membership proof of key A and claim it proves B absent: B's bits differ from A's within the depth
    const [a] = [...m.keys()];
    const pa = smt.prove(root, kb(a));
    let rejected = 0;
    for (const b of absent.slice(0, 100)) {
      if (smt.verifyNonMembership(rh, kb(b), pa)) {
        // only possible if B's path really leads to A's leaf: then B is indeed absent, and the proof is honest
        assert.deepEqual(smt.prove(root, kb(b)), pa);
      } else rejected++;
    }
    assert.ok(rejected > 90);
  });

  test("non-membership: the terminal leaf must lie on the key's path (crafted root where the sibling order does not matter)", () => {
    // root = H(1 ‖ X ‖ X) with X a leaf hash: recomputing with either path bit gives the same root, so only the
    // "first depth bits must match" rule stops a leaf from the other side being used as the terminal.
    const other = "some-key";
    const otherHash = sha(kb(other));
    const vh = sha(v("val"));
    const x = sha(Uint8Array.of(0), otherHash, vh);
    const crafted = sha(Uint8Array.of(1), x, x);
    const proof = { siblings: [x], leaf: { keyHash: otherHash, valueHash: vh } };
    let onPath = "", offPath = "";
    for (let i = 0; !onPath || !offPath; i++) {
      const k = "probe" + i;
      if (sha(kb(k))[0] >> 7 === otherHash[0] >> 7) onPath ||= k;
      else offPath ||= k;
    }
    assert.equal(smt.verifyNonMembership(crafted, kb(onPath), proof), true);
    assert.equal(smt.verifyNonMembership(crafted, kb(offPath), proof), false);
  });

  test("proofs against the empty tree and a one-leaf tree", () => {
    const e = smt.prove(smt.EMPTY, kb("k"));
    assert.deepEqual(e, { siblings: [] });
    assert.equal(smt.verifyNonMembership(new Uint8Array(32), kb("k"), e), true);
    const one = smt.build([["k", v("v")]]);
    const p = smt.prove(one, kb("k"));
    assert.equal(p.siblings.length, 0);
    assert.equal(smt.verifyMembership(smt.rootHash(one), kb("k"), v("v"), p), true);
    const q = smt.prove(one, kb("other"));
    assert.equal(smt.verifyNonMembership(smt.rootHash(one), kb("other"), q), true);
    assert.equal(smt.verifyNonMembership(smt.rootHash(one), kb("k"), q), false);
  });

  test("malformed proof objects are rejected, not thrown on", () => {
    const [k, val] = [...m][0];
    const p = smt.prove(root, kb(k));
    assert.equal(smt.verifyMembership(rh, kb(k), val, { siblings: [new Uint8Array(31)], leaf: p.leaf }), false);
    assert.equal(smt.verifyMembership(rh.subarray(1), kb(k), val, p), false);
    assert.equal(smt.verifyNonMembership(rh, kb(k), { siblings: new Array(257).fill(new Uint8Array(32)) }), false);
    assert.equal(smt.verifyMembership(rh, kb(k), val, { siblings: p.siblings }), false, "no leaf");
  });

  test("encodeProof / decodeProof round-trip and reject malformed bytes with a clear error", () => {
    const samples = [...[...m.keys()].slice(0, 20), ...absent.slice(0, 20)];
    for (const k of samples) {
      const p = smt.prove(root, kb(k));
      const enc = smt.encodeProof(p);
      const dec = smt.decodeProof(enc);
      assert.deepEqual(
        { siblings: dec.siblings.map(hex), leaf: dec.leaf && [hex(dec.leaf.keyHash), hex(dec.leaf.valueHash)] },
        { siblings: p.siblings.map(hex), leaf: p.leaf && [hex(p.leaf.keyHash), hex(p.leaf.valueHash)] },
      );
      if (m.has(k)) assert.equal(smt.verifyMembership(rh, kb(k), m.get(k)!, dec), true);
      else assert.equal(smt.verifyNonMembership(rh, kb(k), dec), true);
      // every truncation and one extra byte fail
      for (let cut = 0; cut < enc.length; cut += 7) assert.throws(() => smt.decodeProof(enc.subarray(0, cut)), /invalid Merkle proof/);
      assert.throws(() => smt.decodeProof(enc.subarray(0, enc.length - 1)), /invalid Merkle proof/);
      const longer = new Uint8Array(enc.length + 1);
      longer.set(enc);
      assert.throws(() => smt.decodeProof(longer), /invalid Merkle proof/);
    }
    assert.throws(() => smt.decodeProof(Uint8Array.of(2, 0, 0, 0)), /unknown version/);
    assert.throws(() => smt.decodeProof(Uint8Array.of(1, 2, 0, 0)), /unknown flags/);
    const tooMany = new Uint8Array(4 + 257 * 32);
    tooMany.set([1, 0, 1, 1]);
    assert.throws(() => smt.decodeProof(tooMany), /257 siblings/);
    assert.throws(() => smt.decodeProof(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), /invalid Merkle proof/);
    const g = prng(99);
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(Math.floor(g() * 200)).map(() => Math.floor(g() * 256));
      assert.throws(() => smt.decodeProof(bytes), /invalid Merkle proof/);
    }
    // the empty-tree proof is 4 bytes
    assert.deepEqual([...smt.encodeProof({ siblings: [] })], [1, 0, 0, 0]);
  });
});
