// The sparse Merkle tree of app/state/smt.ts (same shape, same hashes, so the same app hash for the same
// pairs) with its nodes on disk: a node is read when a walk reaches it, through a cache bounded in bytes.
//
// A node is stored under nodeKey(version, depth, path) by the version that created it at that position
// and never rewritten; a parent refers to a child by {kind, version, hash}. A version writes only the
// nodes on the paths its changes touched (and leaves that moved up or down), and records every node and
// value record it replaced as an orphan stale since its height, which is what pruning deletes.

import type { Change } from "../kv.js";
import { ByteLru } from "../../cache.js";
import { ZERO32, bit, splitPoint, hashBytes, hashInner, hashLeafParts, keyHashOf, sha256s, type MerkleProof } from "../smt.js";
import { nodeKey, writeU64, readU64, valueKey } from "./layout.js";

const MAX_DEPTH = 256;
const LEAF = 1;
const INNER = 2;

/** A persisted child: kind 0 = empty (version 0, zero hash), 1 = leaf, 2 = inner. */
export interface Ref {
  readonly kind: 0 | 1 | 2;
  readonly version: number;
  readonly hash: string;
}

export const EMPTY_REF: Ref = { kind: 0, version: 0, hash: ZERO32 };

/** A persisted node not read (yet): its reference and its depth. */
export class Stub {
  constructor(
    readonly kind: 1 | 2,
    readonly version: number,
    readonly hash: string,
    readonly depth: number,
  ) {}
}

/** where a node read from disk is stored (null for a node made by the version being prepared) */
interface Pos {
  readonly version: number;
  readonly depth: number;
}

export class DLeaf {
  constructor(
    readonly keyHash: string,
    readonly key: string,
    readonly valueHash: string,
    /** the version whose value record holds this leaf's value */
    readonly valueVersion: number,
    readonly hash: string,
    readonly pos: Pos | null,
  ) {}
}

export class DInner {
  constructor(
    readonly left: DNode,
    readonly right: DNode,
    readonly hash: string,
    readonly pos: Pos | null,
  ) {}
}

export type DNode = DLeaf | DInner | Stub | null;

export function stubOf(ref: Ref, depth: number): Stub | null {
  return ref.kind === 0 ? null : new Stub(ref.kind, ref.version, ref.hash, depth);
}

function hashOf(n: DNode): string {
  return n === null ? ZERO32 : n.hash;
}

// --- encoding -------------------------------------------------------------------------------------------
// ref  = kind u8 ‖ version u64 ‖ hash(32)                     (41 bytes; kind 0: all zero)
// leaf = 0x01 ‖ keyHash(32) ‖ valueHash(32) ‖ valueVersion u64 ‖ key
// inner= 0x02 ‖ ref(left) ‖ ref(right)

const REF_BYTES = 41;

function writeHash(b: Uint8Array, off: number, h: string): void {
  for (let i = 0; i < 32; i++) b[off + i] = h.charCodeAt(i);
}

function readHash(b: Uint8Array, off: number): string {
  return String.fromCharCode.apply(null, b.subarray(off, off + 32) as unknown as number[]);
}

function writeRef(b: Uint8Array, off: number, r: Ref): void {
  b[off] = r.kind;
  writeU64(b, off + 1, r.version);
  writeHash(b, off + 9, r.hash);
}

function readRef(b: Uint8Array, off: number): Ref {
  const kind = b[off];
  if (kind > 2) throw new Error(`state store corrupted: node reference of kind ${kind}`);
  return kind === 0 ? EMPTY_REF : { kind: kind as 1 | 2, version: readU64(b, off + 1), hash: readHash(b, off + 9) };
}

export function encodeRef(r: Ref): Uint8Array {
  const b = new Uint8Array(REF_BYTES);
  writeRef(b, 0, r);
  return b;
}

export function decodeRef(b: Uint8Array): Ref {
  if (b.length !== REF_BYTES) throw new Error(`state store corrupted: root reference of ${b.length} bytes`);
  return readRef(b, 0);
}

function encodeLeaf(l: DLeaf): Uint8Array {
  const b = new Uint8Array(73 + l.key.length);
  b[0] = LEAF;
  writeHash(b, 1, l.keyHash);
  writeHash(b, 33, l.valueHash);
  writeU64(b, 65, l.valueVersion);
  for (let i = 0; i < l.key.length; i++) b[73 + i] = l.key.charCodeAt(i);
  return b;
}

function refOf(n: DNode, version: number): Ref {
  if (n === null) return EMPTY_REF;
  return { kind: n instanceof DLeaf || (n instanceof Stub && n.kind === LEAF) ? LEAF : INNER, version, hash: n.hash };
}

function encodeInner(left: Ref, right: Ref): Uint8Array {
  const b = new Uint8Array(1 + 2 * REF_BYTES);
  b[0] = INNER;
  writeRef(b, 1, left);
  writeRef(b, 1 + REF_BYTES, right);
  return b;
}

function decodeNode(b: Uint8Array, version: number, depth: number, expectHash: string): DLeaf | DInner {
  const pos: Pos = { version, depth };
  if (b[0] === LEAF && b.length >= 73) {
    const keyHash = readHash(b, 1);
    const valueHash = readHash(b, 33);
    const key = Buffer.from(b.buffer, b.byteOffset + 73, b.length - 73).toString("latin1");
    return new DLeaf(keyHash, key, valueHash, readU64(b, 65), expectHash, pos);
  }
  if (b[0] === INNER && b.length === 1 + 2 * REF_BYTES) {
    const l = readRef(b, 1);
    const r = readRef(b, 1 + REF_BYTES);
    return new DInner(stubOf(l, depth + 1), stubOf(r, depth + 1), expectHash, pos);
  }
  throw new Error(`state store corrupted: node record of ${b.length} bytes, type ${b[0]}`);
}

/** bytes a decoded node keeps alive, for the cache bound */
function nodeCost(n: DLeaf | DInner): number {
  return n instanceof DLeaf ? 200 + 2 * n.key.length : 260;
}

// --- reading --------------------------------------------------------------------------------------------

/** Reads nodes through a cache bounded in bytes; `fetch` reads records from LevelDB (synchronously). */
export class NodeReader {
  private readonly cache: ByteLru<DLeaf | DInner>;
  constructor(
    private readonly fetch: (keys: Uint8Array[]) => Array<Uint8Array | undefined>,
    cacheBytes: number,
  ) {
    this.cache = new ByteLru(cacheBytes);
  }

  static cacheKey(k: Uint8Array): string {
    return Buffer.from(k.buffer, k.byteOffset, k.byteLength).toString("latin1");
  }

  /** The nodes behind `stubs`, those not cached read in one round trip; `paths[i]` is any key hash under `stubs[i]`. */
  resolveMany(stubs: Stub[], paths: string[]): Array<DLeaf | DInner> {
    const out = new Array<DLeaf | DInner>(stubs.length);
    const keys: Uint8Array[] = [];
    const which: number[] = [];
    for (let i = 0; i < stubs.length; i++) {
      const k = nodeKey(stubs[i].version, stubs[i].depth, pathBytes(paths[i]));
      const hit = this.cache.get(NodeReader.cacheKey(k));
      if (hit !== undefined) out[i] = hit;
      else {
        keys.push(k);
        which.push(i);
      }
    }
    if (keys.length === 0) return out;
    const got = this.fetch(keys);
    for (let j = 0; j < keys.length; j++) out[which[j]] = this.store(keys[j], got[j], stubs[which[j]]);
    return out;
  }

  /** The node behind `stub`; `path` is any key hash under it. */
  resolve(stub: Stub, path: string): DLeaf | DInner {
    const k = nodeKey(stub.version, stub.depth, pathBytes(path));
    const hit = this.cache.get(NodeReader.cacheKey(k));
    if (hit !== undefined) return hit;
    return this.store(k, this.fetch([k])[0], stub);
  }

  /** Cache the nodes a commit just wrote (only after the commit: a prepared version may be discarded and
   *  another one prepared at the same height would write other nodes under the same record keys). */
  remember(nodes: ReadonlyArray<[string, DLeaf | DInner]>): void {
    for (const [k, n] of nodes) this.cache.set(k, n, nodeCost(n));
  }

  private store(k: Uint8Array, raw: Uint8Array | undefined, stub: Stub): DLeaf | DInner {
    if (raw === undefined) throw new Error(`state store corrupted: node at version ${stub.version} depth ${stub.depth} is missing (pruned?)`);
    const n = decodeNode(raw, stub.version, stub.depth, stub.hash);
    this.cache.set(NodeReader.cacheKey(k), n, nodeCost(n));
    return n;
  }

  /** forget every cached node (the records under their keys were deleted) */
  clear(): void {
    this.cache.clear();
  }

  get cachedBytes(): number {
    return this.cache.bytes;
  }
}

const pathScratch = Buffer.alloc(32);
function pathBytes(h: string): Uint8Array {
  pathScratch.write(h, 0, 32, "latin1");
  return pathScratch;
}


/** `h` with bit `depth` set to `b` */
function withBit(h: string, depth: number, b: number): string {
  const i = depth >> 3;
  const m = 1 << (7 - (depth & 7));
  const c = b ? h.charCodeAt(i) | m : h.charCodeAt(i) & ~m;
  return h.slice(0, i) + String.fromCharCode(c) + h.slice(i + 1);
}

/** Proof for `keyBytes` in the version whose root is `root` (same as smt.prove on the same pairs). */
export function prove(nodes: NodeReader, root: Ref, keyBytes: Uint8Array): MerkleProof {
  const kh = sha256s(keyBytes);
  const siblings: Uint8Array[] = [];
  let node: DNode = stubOf(root, 0);
  let depth = 0;
  for (;;) {
    if (node instanceof Stub) node = nodes.resolve(node, kh);
    if (!(node instanceof DInner)) break;
    if (bit(kh, depth++)) {
      siblings.push(hashBytes(hashOf(node.left)));
      node = node.right;
    } else {
      siblings.push(hashBytes(hashOf(node.right)));
      node = node.left;
    }
  }
  if (node === null) return { siblings };
  return { siblings, leaf: { keyHash: hashBytes(node.keyHash), valueHash: hashBytes(node.valueHash) } };
}

// --- updating -------------------------------------------------------------------------------------------

interface HChange {
  keyHash: string;
  key: string;
  value: Uint8Array | null;
  valueHash: string;
}

/** What a version writes besides its meta: node records, value records, orphan records. */
export interface TreeDiff {
  root: Ref;
  /** new node records */
  nodes: Array<[Uint8Array, Uint8Array]>;
  /** the pairs that changed (null = deleted), in keyHash order */
  values: Array<[string, Uint8Array | null]>;
  /** node and value record keys this version stopped reading (a key may appear twice: a leaf that moved
   *  is orphaned where it was found and where it was placed; deleting it twice is harmless) */
  orphans: Uint8Array[];
  /** value record keys of this version's deletions (tombstones), stale at once */
  tombstones: Uint8Array[];
  /** keys added minus keys deleted */
  keys: number;
  /** the keys whose value this version replaced or deleted, with the version of their old value record */
  replaced: Array<[string, number]>;
  /** the new node records as NodeReader would decode them, keyed for its cache */
  cacheNodes: Array<[string, DLeaf | DInner]>;
}

/** Apply `changes` (distinct keys, null = delete) to the version whose root is `root`, as version `height`. */
export function applyChanges(nodes: NodeReader, root: Ref, height: number, changes: readonly Change[]): TreeDiff {
  const cs: HChange[] = changes.map(([key, value]) => ({
    keyHash: keyHashOf(key),
    key,
    value,
    valueHash: value === null ? "" : sha256s(value),
  }));
  cs.sort((a, b) => (a.keyHash < b.keyHash ? -1 : a.keyHash > b.keyHash ? 1 : 0));
  return new Updater(nodes, height, cs).run(stubOf(root, 0));
}


class Updater {
  /** the nodes the prefetch read, by stub (the walk meets the same stub objects: no second cache lookup) */
  private readonly read = new Map<Stub, DLeaf | DInner>();
  private readonly diff: TreeDiff = { root: EMPTY_REF, nodes: [], values: [], orphans: [], tombstones: [], keys: 0, replaced: [], cacheNodes: [] };
  private readonly path = new Uint8Array(32);

  constructor(
    private readonly nodes: NodeReader,
    private readonly height: number,
    private readonly cs: HChange[],
  ) {}

  run(root: DNode): TreeDiff {
    if (this.cs.length > 0) {
      this.prefetch(root);
      root = this.update(root, 0, 0, this.cs.length);
    }
    this.diff.root = this.place(root, 0);
    return this.diff;
  }

  /** Read every persisted node on the changed paths, one round trip per level. */
  private prefetch(root: DNode): void {
    let level: Array<{ node: DNode; depth: number; lo: number; hi: number }> = [{ node: root, depth: 0, lo: 0, hi: this.cs.length }];
    while (level.length > 0) {
      const stubs: Stub[] = [];
      const paths: string[] = [];
      for (const f of level) {
        if (f.node instanceof Stub) {
          stubs.push(f.node);
          paths.push(this.cs[f.lo].keyHash);
        }
      }
      const got = this.nodes.resolveMany(stubs, paths);
      for (let i = 0; i < stubs.length; i++) this.read.set(stubs[i], got[i]);
      const next: typeof level = [];
      for (const f of level) {
        const n = f.node instanceof Stub ? this.read.get(f.node)! : f.node;
        if (!(n instanceof DInner)) continue;
        const mid = splitPoint(this.cs, f.lo, f.hi, f.depth);
        if (mid > f.lo) next.push({ node: n.left, depth: f.depth + 1, lo: f.lo, hi: mid });
        if (mid < f.hi) next.push({ node: n.right, depth: f.depth + 1, lo: mid, hi: f.hi });
      }
      level = next;
    }
  }

  private orphan(record: Uint8Array): void {
    this.diff.orphans.push(record);
  }

  private orphanNode(pos: Pos, path: string): void {
    this.orphan(nodeKey(pos.version, pos.depth, pathBytes(path)));
  }

  private update(node: DNode, depth: number, lo: number, hi: number): DNode {
    if (lo === hi) return node;
    const cs = this.cs;
    const n = node instanceof Stub ? (this.read.get(node) ?? this.nodes.resolve(node, cs[lo].keyHash)) : node;
    if (n instanceof DInner) {
      if (depth >= MAX_DEPTH) throw new Error("sparse Merkle tree: depth 256 reached");
      const mid = splitPoint(cs, lo, hi, depth);
      const left = this.update(n.left, depth + 1, lo, mid);
      const right = this.update(n.right, depth + 1, mid, hi);
      if (left === n.left && right === n.right) return node;
      if (n.pos) this.orphanNode(n.pos, cs[lo].keyHash);
      return this.makeInner(left, right, depth, cs[lo].keyHash);
    }
    const leaves: DLeaf[] = [];
    let keepOld = n !== null;
    for (let i = lo; i < hi; i++) {
      const c = cs[i];
      if (n !== null && c.keyHash === n.keyHash) {
        keepOld = false;
        if (c.value !== null && c.valueHash === n.valueHash) {
          keepOld = true;
          continue;
        }
        this.orphan(valueKey(n.key, n.valueVersion));
        this.diff.replaced.push([n.key, n.valueVersion]);
        if (c.value === null) {
          this.diff.keys--;
          this.diff.values.push([c.key, null]);
          this.diff.tombstones.push(valueKey(c.key, this.height));
          continue;
        }
      } else if (c.value === null) {
        continue;
      } else {
        this.diff.keys++;
      }
      leaves.push(new DLeaf(c.keyHash, c.key, c.valueHash, this.height, hashLeafParts(c.keyHash, c.valueHash), null));
      this.diff.values.push([c.key, c.value]);
    }
    if (keepOld) {
      if (leaves.length === 0) return node;
      leaves.push(n as DLeaf);
    }
    if (n !== null && n.pos) this.orphanNode(n.pos, n.keyHash);
    return this.build(leaves, 0, leaves.length, depth);
  }

  /** the canonical subtree at `depth` of leaves[lo, hi) (distinct key hashes sharing bits [0, depth)) */
  private build(leaves: DLeaf[], lo: number, hi: number, depth: number): DNode {
    const n = hi - lo;
    if (n === 0) return null;
    if (n === 1) return leaves[lo];
    if (depth >= MAX_DEPTH) throw new Error("sparse Merkle tree: duplicate key (two leaves with the same sha256 key hash)");
    let i = lo;
    let j = hi - 1;
    for (;;) {
      while (i <= j && bit(leaves[i].keyHash, depth) === 0) i++;
      while (i <= j && bit(leaves[j].keyHash, depth) === 1) j--;
      if (i >= j) break;
      const t = leaves[i];
      leaves[i] = leaves[j];
      leaves[j] = t;
      i++;
      j--;
    }
    const path = leaves[lo].keyHash;
    return this.makeInner(this.build(leaves, lo, i, depth + 1), this.build(leaves, i, hi, depth + 1), depth, path);
  }

  /** an inner node at `depth` on `path`, or the canonical collapse: no keys → empty, one key → that leaf */
  private makeInner(left: DNode, right: DNode, depth: number, path: string): DNode {
    if (left === null) {
      if (right === null) return null;
      if (right instanceof DLeaf) return right;
      if (right instanceof Stub && right.kind === LEAF) return this.nodes.resolve(right, withBit(path, depth, 1));
    } else if (right === null) {
      if (left instanceof DLeaf) return left;
      if (left instanceof Stub && left.kind === LEAF) return this.nodes.resolve(left, withBit(path, depth, 0));
    }
    return new DInner(left, right, hashInner(hashOf(left), hashOf(right)), null);
  }

  /** Give every node of the new tree its record (new nodes, and leaves that moved) and return the root's ref. */
  private place(node: DNode, depth: number): Ref {
    if (node === null) return EMPTY_REF;
    if (node instanceof Stub) {
      if (node.depth !== depth) throw new Error(`disk tree: an unread node moved from depth ${node.depth} to ${depth}`);
      return refOf(node, node.version);
    }
    if (node.pos !== null && node.pos.depth === depth) return refOf(node, node.pos.version);
    const path = this.path;
    const pos: Pos = { version: this.height, depth };
    let record: Uint8Array;
    let decoded: DLeaf | DInner;
    if (node instanceof DLeaf) {
      if (node.pos !== null) this.orphanNode(node.pos, node.keyHash);
      record = encodeLeaf(node);
      decoded = new DLeaf(node.keyHash, node.key, node.valueHash, node.valueVersion, node.hash, pos);
      path.set(pathBytes(node.keyHash));
    } else {
      const saved = path[depth >> 3];
      const m = 1 << (7 - (depth & 7));
      path[depth >> 3] = saved & ~m;
      const l = this.place(node.left, depth + 1);
      path[depth >> 3] = saved | m;
      const r = this.place(node.right, depth + 1);
      path[depth >> 3] = saved;
      record = encodeInner(l, r);
      decoded = new DInner(stubOf(l, depth + 1), stubOf(r, depth + 1), node.hash, pos);
    }
    const key = nodeKey(this.height, depth, path);
    this.diff.nodes.push([key, record]);
    this.diff.cacheNodes.push([NodeReader.cacheKey(key), decoded]);
    return refOf(node, this.height);
  }
}
