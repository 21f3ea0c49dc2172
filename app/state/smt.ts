// A history-independent binary sparse Merkle tree (design D6).
//
// Path: keyHash = sha256(keyBytes), bits taken from the most significant bit of byte 0.
// Canonical shape: a subtree with 0 keys is Empty, with exactly 1 key is a Leaf (at whatever depth), with
// >= 2 keys is an Inner split on the next bit (an Inner may have one Empty child when all its keys share
// that bit). The shape, and so the root hash, depends only on the set of (key, value) pairs.
// Hashes:
//   Empty = 32 zero bytes
//   Leaf  = sha256(0x00 ‖ keyHash ‖ valueHash), valueHash = sha256(value)
//   Inner = sha256(0x01 ‖ hash(left) ‖ hash(right))
//
// Nodes are immutable and structurally shared: update() creates new nodes only along changed paths and
// hashes each new node once. Internally hashes are 32-char latin1 strings (compact in memory, and
// node:crypto's one-shot hash returns them directly); the exported API speaks Uint8Array.
//
// The proof functions at the bottom (verifyMembership, verifyNonMembership, encodeProof, decodeProof)
// depend on nothing in the tree implementation: clients and the relayer can copy them as they are.

import { createHash } from "node:crypto";
import * as nodeCrypto from "node:crypto";
import { sameBytes } from "../bytes.js";
import { keyToBytes, type Change } from "./kv.js";

/** sha256 of bytes as a latin1 string. Uses crypto.hash (Node >= 20.12) when present. */
export const sha256s: (data: Uint8Array) => string =
  typeof (nodeCrypto as { hash?: unknown }).hash === "function"
    ? (data) => (nodeCrypto as unknown as { hash(alg: string, d: Uint8Array, enc: string): string }).hash("sha256", data, "latin1")
    : (data) => createHash("sha256").update(data).digest("binary");

export const ZERO32 = "\0".repeat(32);
const MAX_DEPTH = 256;

export class Leaf {
  constructor(
    readonly keyHash: string,
    readonly key: string,
    readonly value: Uint8Array,
    readonly hash: string,
  ) {}
  /** sha256(value) as bytes (computed on demand, not stored, to keep a leaf small). */
  get valueHash(): Uint8Array {
    return hashBytes(sha256s(this.value));
  }
}

export class Inner {
  constructor(
    readonly left: Node,
    readonly right: Node,
    readonly hash: string,
  ) {}
}

/** A tree node; `null` is Empty. A tree is identified by its root node. */
export type Node = Leaf | Inner | null;

/** The empty tree. */
export const EMPTY: Node = null;

// Scratch buffers for hash inputs (single-threaded: safe to reuse).
const scratch65 = Buffer.alloc(65);

/** copy a 32-char latin1 hash string into scratch65 at `off` (a plain loop beats Buffer#write here) */
function put32(h: string, off: number): void {
  for (let k = 0; k < 32; k++) scratch65[off + k] = h.charCodeAt(k);
}

function hashLeaf(keyHash: string, value: Uint8Array): string {
  return hashLeafParts(keyHash, sha256s(value));
}

/** leaf hash from the key hash and the value hash (latin1 strings); the disk tree keeps only the value hash */
export function hashLeafParts(keyHash: string, valueHash: string): string {
  scratch65[0] = 0;
  put32(keyHash, 1);
  put32(valueHash, 33);
  return sha256s(scratch65);
}

export function hashInner(left: string, right: string): string {
  scratch65[0] = 1;
  put32(left, 1);
  put32(right, 33);
  return sha256s(scratch65);
}

/** a latin1 hash string → a plain Uint8Array of its own (not a Buffer: `.slice()` must copy) */
export function hashBytes(h: string): Uint8Array {
  const u = new Uint8Array(h.length);
  for (let k = 0; k < h.length; k++) u[k] = h.charCodeAt(k);
  return u;
}

function nodeHash(n: Node): string {
  return n === null ? ZERO32 : n.hash;
}

/** bit `depth` of a 32-char latin1 hash, from the most significant bit of char 0 */
export function bit(h: string, depth: number): number {
  return (h.charCodeAt(depth >> 3) >> (7 - (depth & 7))) & 1;
}

// Exact-length scratch buffers for hashing keys (crypto.hash takes whole views; keys come in few lengths).
const keyScratch: Buffer[] = [];

export function keyHashOf(key: string): string {
  const n = key.length;
  if (n > 256) return sha256s(Buffer.from(key, "latin1"));
  let buf = keyScratch[n];
  if (buf === undefined) buf = keyScratch[n] = Buffer.alloc(n);
  buf.write(key, 0, n, "latin1");
  return sha256s(buf);
}

function makeLeaf(keyHash: string, key: string, value: Uint8Array): Leaf {
  return new Leaf(keyHash, key, value, hashLeaf(keyHash, value));
}

function makeInner(left: Node, right: Node): Node {
  // Canonical collapse: no keys → Empty; one key → that Leaf, moved up.
  if (left === null) {
    if (right === null || right instanceof Leaf) return right;
  } else if (right === null && left instanceof Leaf) {
    return left;
  }
  return new Inner(left, right, hashInner(nodeHash(left), nodeHash(right)));
}

export function rootHash(root: Node): Uint8Array {
  return hashBytes(nodeHash(root));
}

// ---------------------------------------------------------------------------------------------------
// Building

/** Build the canonical subtree from `leaves` (distinct keyHashes sharing bits [0, depth)); reorders `leaves`. */
function buildLeaves(leaves: Leaf[], depth: number): Node {
  // The first 32 bits of each keyHash, permuted along with `leaves`: partitioning reads this compact array
  // instead of chasing a pointer to every leaf and its hash string on every level (cache misses dominate).
  const pre = new Uint32Array(leaves.length);
  for (let i = 0; i < leaves.length; i++) {
    const h = leaves[i].keyHash;
    pre[i] = ((h.charCodeAt(0) << 24) | (h.charCodeAt(1) << 16) | (h.charCodeAt(2) << 8) | h.charCodeAt(3)) >>> 0;
  }
  return buildRange(leaves, pre, 0, leaves.length, depth);
}

/** Build the subtree at `depth` from leaves[lo, hi) (binary MSD radix partition in place: no sorting). */
function buildRange(leaves: Leaf[], pre: Uint32Array, lo: number, hi: number, depth: number): Node {
  const n = hi - lo;
  if (n === 0) return null;
  if (n === 1) return leaves[lo];
  if (depth >= MAX_DEPTH) throw new Error("sparse Merkle tree: duplicate key (two leaves with the same sha256 key hash)");
  // Partition: bit 0 to the front, bit 1 to the back.
  let i = lo;
  let j = hi - 1;
  if (depth < 32) {
    const shift = 31 - depth;
    for (;;) {
      while (i <= j && ((pre[i] >>> shift) & 1) === 0) i++;
      while (i <= j && ((pre[j] >>> shift) & 1) === 1) j--;
      if (i >= j) break;
      const t = leaves[i];
      leaves[i] = leaves[j];
      leaves[j] = t;
      const u = pre[i];
      pre[i] = pre[j];
      pre[j] = u;
      i++;
      j--;
    }
  } else {
    const byte = depth >> 3;
    const shift = 7 - (depth & 7);
    for (;;) {
      while (i <= j && ((leaves[i].keyHash.charCodeAt(byte) >> shift) & 1) === 0) i++;
      while (i <= j && ((leaves[j].keyHash.charCodeAt(byte) >> shift) & 1) === 1) j--;
      if (i >= j) break;
      const t = leaves[i];
      leaves[i] = leaves[j];
      leaves[j] = t;
      i++;
      j--;
    }
  }
  return makeInner(buildRange(leaves, pre, lo, i, depth + 1), buildRange(leaves, pre, i, hi, depth + 1));
}

function byKeyHash(a: { keyHash: string }, b: { keyHash: string }): number {
  return a.keyHash < b.keyHash ? -1 : a.keyHash > b.keyHash ? 1 : 0;
}

/** Build a tree from scratch. Keys must be distinct (latin1 binary strings). */
export function build(entries: Iterable<[string, Uint8Array]>): Node {
  const leaves: Leaf[] = [];
  for (const [key, value] of entries) leaves.push(makeLeaf(keyHashOf(key), key, value));
  // Distinct keys have distinct keyHashes (else sha256 collides); buildRange throws at depth 256 on equal ones.
  return buildLeaves(leaves, 0);
}

// ---------------------------------------------------------------------------------------------------
// Updating

interface HChange {
  keyHash: string;
  key: string;
  value: Uint8Array | null;
}

/** Apply changes (null value = delete) and return the new root; `root` is left intact. Changes may come in any
 *  order (for determinism pass them sorted by key, as CacheStore.changes() does); if a key appears twice the
 *  last one wins. Deleting an absent key, or setting a key to its current value, changes nothing. */
/** What an update did to the pairs: keys added minus removed, and the change of Σ key + value length. */
export interface PairsDelta {
  keys: number;
  bytes: number;
}

export function update(root: Node, changes: readonly Change[], delta?: PairsDelta): Node {
  if (changes.length === 0) return root;
  if (root === null && strictlyIncreasing(changes)) return buildFresh(changes, delta);
  let hs: HChange[] = changes.map(([key, value]) => {
    if (value !== null && !(value instanceof Uint8Array)) throw new TypeError(`tree update: value of ${JSON.stringify(key)} must be a Uint8Array or null`);
    return { keyHash: keyHashOf(key), key, value };
  });
  hs.sort(byKeyHash); // stable: equal keys keep their order
  let dup = false;
  for (let i = 1; i < hs.length; i++) if (hs[i].keyHash === hs[i - 1].keyHash) dup = true;
  if (dup) hs = hs.filter((c, i) => i + 1 === hs.length || hs[i + 1].keyHash !== c.keyHash);
  return updateRange(root, 0, hs, 0, hs.length, delta);
}

function strictlyIncreasing(changes: readonly Change[]): boolean {
  for (let i = 1; i < changes.length; i++) if (!(changes[i - 1][0] < changes[i][0])) return false;
  return true;
}

/** update() of the empty tree by distinct keys (a genesis, an import): the leaves of the values set are
 *  the tree, partitioned by key hash as build() does, without sorting the changes by key hash first. */
function buildFresh(changes: readonly Change[], delta: PairsDelta | undefined): Node {
  const leaves: Leaf[] = [];
  for (const [key, value] of changes) {
    if (value === null) continue;
    if (!(value instanceof Uint8Array)) throw new TypeError(`tree update: value of ${JSON.stringify(key)} must be a Uint8Array or null`);
    leaves.push(makeLeaf(keyHashOf(key), key, value));
    if (delta) {
      delta.keys++;
      delta.bytes += key.length + value.length;
    }
  }
  return buildLeaves(leaves, 0);
}

/** first index in [lo, hi) whose keyHash has bit `depth` = 1 (the range shares bits [0, depth)) */
export function splitPoint(cs: ReadonlyArray<{ keyHash: string }>, lo: number, hi: number, depth: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (bit(cs[m].keyHash, depth) === 0) a = m + 1;
    else b = m;
  }
  return a;
}

function updateRange(node: Node, depth: number, cs: HChange[], lo: number, hi: number, delta: PairsDelta | undefined): Node {
  if (lo === hi) return node;
  if (node instanceof Inner) {
    if (depth >= MAX_DEPTH) throw new Error("sparse Merkle tree: depth 256 reached");
    const mid = splitPoint(cs, lo, hi, depth);
    const left = updateRange(node.left, depth + 1, cs, lo, mid, delta);
    const right = updateRange(node.right, depth + 1, cs, mid, hi, delta);
    if (left === node.left && right === node.right) return node;
    return makeInner(left, right);
  }
  // Empty or Leaf: the resulting subtree holds the changes' sets plus the existing leaf unless a change hits it.
  const leaves: Leaf[] = [];
  let keepOld = node !== null;
  for (let i = lo; i < hi; i++) {
    const c = cs[i];
    if (node !== null && c.keyHash === node.keyHash) {
      keepOld = false;
      if (c.value !== null) {
        if (sameBytes(c.value, node.value)) keepOld = true;
        else {
          leaves.push(makeLeaf(c.keyHash, c.key, c.value));
          if (delta) delta.bytes += c.value.length - node.value.length;
        }
      } else if (delta) {
        delta.keys--;
        delta.bytes -= c.key.length + node.value.length;
      }
    } else if (c.value !== null) {
      leaves.push(makeLeaf(c.keyHash, c.key, c.value));
      if (delta) {
        delta.keys++;
        delta.bytes += c.key.length + c.value.length;
      }
    }
  }
  if (keepOld) {
    if (leaves.length === 0) return node;
    leaves.push(node as Leaf);
  }
  return buildLeaves(leaves, depth);
}

/** Look a key up in the tree (mainly for tests; the store keeps values in an ordered map). */
export function lookup(root: Node, key: string): Uint8Array | undefined {
  const kh = keyHashOf(key);
  let node = root;
  let depth = 0;
  while (node instanceof Inner) node = bit(kh, depth++) ? node.right : node.left;
  return node !== null && node.keyHash === kh ? node.value : undefined;
}

/** Visit every leaf in keyHash order. */
export function* leaves(root: Node): IterableIterator<Leaf> {
  if (root === null) return;
  if (root instanceof Leaf) {
    yield root;
    return;
  }
  yield* leaves(root.left);
  yield* leaves(root.right);
}

// ---------------------------------------------------------------------------------------------------
// Proofs

export interface MerkleProof {
  /** sibling hashes from the root down, one per depth walked */
  siblings: Uint8Array[];
  /** the terminal leaf if the walk ended at a leaf; absent if it ended at Empty */
  leaf?: { keyHash: Uint8Array; valueHash: Uint8Array };
}

/** Proof for `keyBytes` (of membership if the key is present, else of non-membership). */
export function prove(root: Node, keyBytes: Uint8Array): MerkleProof {
  const kh = sha256s(keyBytes);
  const siblings: Uint8Array[] = [];
  let node = root;
  let depth = 0;
  while (node instanceof Inner) {
    if (bit(kh, depth++)) {
      siblings.push(hashBytes(nodeHash(node.left)));
      node = node.right;
    } else {
      siblings.push(hashBytes(nodeHash(node.right)));
      node = node.left;
    }
  }
  if (node === null) return { siblings };
  return { siblings, leaf: { keyHash: hashBytes(node.keyHash), valueHash: node.valueHash } };
}

/** Convenience: prove a latin1 key string. */
export function proveKey(root: Node, key: string): MerkleProof {
  return prove(root, keyToBytes(key));
}

// --- verification: self-contained, independent of the tree above -----------------------------------

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

function pathBit(h: Uint8Array, i: number): number {
  return (h[i >> 3] >> (7 - (i & 7))) & 1;
}

const LEAF_PREFIX = Uint8Array.of(0);
const INNER_PREFIX = Uint8Array.of(1);

/** Recompute the root from the terminal hash and the siblings along `keyHash`'s path. */
function rootFrom(keyHash: Uint8Array, terminal: Uint8Array, siblings: Uint8Array[]): Uint8Array {
  let h = terminal;
  for (let i = siblings.length - 1; i >= 0; i--) {
    h = pathBit(keyHash, i) ? sha256(INNER_PREFIX, siblings[i], h) : sha256(INNER_PREFIX, h, siblings[i]);
  }
  return h;
}

function wellFormed(rootHash: Uint8Array, proof: MerkleProof): boolean {
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== 32) return false;
  if (proof === null || typeof proof !== "object" || !Array.isArray(proof.siblings)) return false;
  if (proof.siblings.length > 256) return false;
  for (const s of proof.siblings) if (!(s instanceof Uint8Array) || s.length !== 32) return false;
  if (proof.leaf !== undefined) {
    const l = proof.leaf;
    if (l === null || typeof l !== "object") return false;
    if (!(l.keyHash instanceof Uint8Array) || l.keyHash.length !== 32) return false;
    if (!(l.valueHash instanceof Uint8Array) || l.valueHash.length !== 32) return false;
  }
  return true;
}

/** True iff `proof` shows that `keyBytes` maps to `value` in the tree whose root hash is `rootHash`. */
export function verifyMembership(rootHash: Uint8Array, keyBytes: Uint8Array, value: Uint8Array, proof: MerkleProof): boolean {
  if (!wellFormed(rootHash, proof) || proof.leaf === undefined) return false;
  const keyHash = sha256(keyBytes);
  if (!bytesEqual(proof.leaf.keyHash, keyHash)) return false;
  if (!bytesEqual(proof.leaf.valueHash, sha256(value))) return false;
  const leafHash = sha256(LEAF_PREFIX, keyHash, proof.leaf.valueHash);
  return bytesEqual(rootFrom(keyHash, leafHash, proof.siblings), rootHash);
}

/** True iff `proof` shows that `keyBytes` is absent from the tree whose root hash is `rootHash`. */
export function verifyNonMembership(rootHash: Uint8Array, keyBytes: Uint8Array, proof: MerkleProof): boolean {
  if (!wellFormed(rootHash, proof)) return false;
  const keyHash = sha256(keyBytes);
  const depth = proof.siblings.length;
  let terminal: Uint8Array;
  if (proof.leaf === undefined) {
    terminal = new Uint8Array(32); // Empty
  } else {
    const other = proof.leaf.keyHash;
    if (bytesEqual(other, keyHash)) return false; // that is the key itself
    // The other leaf must sit on our key's path: its first `depth` bits equal ours.
    for (let i = 0; i < depth; i++) if (pathBit(other, i) !== pathBit(keyHash, i)) return false;
    terminal = sha256(LEAF_PREFIX, other, proof.leaf.valueHash);
  }
  return bytesEqual(rootFrom(keyHash, terminal, proof.siblings), rootHash);
}

// --- binary encoding ---------------------------------------------------------------------------------
// version u8 (=1) ‖ flags u8 (bit 0: has leaf) ‖ sibling count u16 BE (<= 256) ‖ siblings (32 bytes each)
// ‖ [leaf keyHash (32) ‖ leaf valueHash (32)]. The length must match exactly.

const PROOF_VERSION = 1;

export function encodeProof(proof: MerkleProof): Uint8Array {
  const n = proof.siblings.length;
  if (n > 256) throw new RangeError(`encodeProof: ${n} siblings (at most 256)`);
  const hasLeaf = proof.leaf !== undefined;
  const out = new Uint8Array(4 + 32 * n + (hasLeaf ? 64 : 0));
  out[0] = PROOF_VERSION;
  out[1] = hasLeaf ? 1 : 0;
  out[2] = n >> 8;
  out[3] = n & 0xff;
  let off = 4;
  const put = (b: Uint8Array, what: string) => {
    if (!(b instanceof Uint8Array) || b.length !== 32) throw new RangeError(`encodeProof: ${what} must be 32 bytes`);
    out.set(b, off);
    off += 32;
  };
  proof.siblings.forEach((s, i) => put(s, `sibling ${i}`));
  if (proof.leaf !== undefined) {
    put(proof.leaf.keyHash, "leaf keyHash");
    put(proof.leaf.valueHash, "leaf valueHash");
  }
  return out;
}

export function decodeProof(bytes: Uint8Array): MerkleProof {
  const fail = (why: string): never => {
    throw new Error(`invalid Merkle proof encoding: ${why}`);
  };
  if (!(bytes instanceof Uint8Array)) fail("not a byte array");
  if (bytes.length < 4) fail(`${bytes.length} bytes, need at least 4`);
  if (bytes[0] !== PROOF_VERSION) fail(`unknown version ${bytes[0]}`);
  const flags = bytes[1];
  if ((flags & ~1) !== 0) fail(`unknown flags 0x${flags.toString(16)}`);
  const hasLeaf = (flags & 1) === 1;
  const n = (bytes[2] << 8) | bytes[3];
  if (n > 256) fail(`${n} siblings (at most 256)`);
  const expected = 4 + 32 * n + (hasLeaf ? 64 : 0);
  if (bytes.length !== expected) fail(`length ${bytes.length}, expected ${expected} for ${n} siblings${hasLeaf ? " and a leaf" : ""}`);
  // copies (Uint8Array.prototype.slice: a Buffer's own slice() would return views into `bytes`)
  const copy = (a: number) => Uint8Array.prototype.slice.call(bytes, a, a + 32);
  const siblings: Uint8Array[] = [];
  let off = 4;
  for (let i = 0; i < n; i++, off += 32) siblings.push(copy(off));
  if (!hasLeaf) return { siblings };
  return { siblings, leaf: { keyHash: copy(off), valueHash: copy(off + 32) } };
}
