// The sparse Merkle tree of app/state/smt.ts (same shape, same hashes, so the same app hash for the same
// pairs) with its nodes on disk in pages: a page is the subtree of 4 levels (up to 15 inner nodes and 16
// children) below a position at a depth that is a multiple of 4, stored as one record, so that a walk down
// the tree reads and a version writes a quarter of the records one per binary node would take (the storage
// unit only: the hashes stay the binary tree's). A page is read when a walk reaches it, through a cache
// bounded in bytes.
//
// A page is stored under pageKey(version, depth, path) by the version that created it at that position
// and never rewritten; a page refers to an inner page below it by {version, hash} and holds a leaf at its
// boundary itself (store format 4: see "encoding"). A version writes the pages in which any node changed
// (and those a leaf moved into), and records every page and value record it replaced as an orphan stale
// since its height, which is what pruning deletes.

import type { Change } from "../kv.js";
import { ByteLru } from "../../cache.js";
import { ZERO32, bit, splitPoint, hashBytes, hashInner, hashLeafParts, keyHashOf, sha256s, type MerkleProof } from "../smt.js";
import { pageKey, pageKeyLength, writePageKey, writeU64, readU64, valueKey } from "./layout.js";
import { uvarintSize, writeUvarint } from "../../varint.js";

const MAX_DEPTH = 256;
/** binary levels per page */
export const PAGE_LEVELS = 4;
const LEAF = 1;
const INNER = 2;

/** A persisted child page: kind of its root node 0 = empty (version 0, zero hash), 1 = leaf, 2 = inner. */
export interface Ref {
  readonly kind: 0 | 1 | 2;
  readonly version: number;
  readonly hash: string;
}

export const EMPTY_REF: Ref = { kind: 0, version: 0, hash: ZERO32 };

/** A persisted page not read (yet): its reference and its depth (a multiple of PAGE_LEVELS). */
export class Stub {
  constructor(
    readonly kind: 1 | 2,
    readonly version: number,
    readonly hash: string,
    readonly depth: number,
  ) {}
}

/** The page a node read from disk is stored in (one object shared by the page's nodes; null for a node
 *  made by the version being prepared). */
export class PagePos {
  /** the page's top node, set when the page is decoded */
  root: DLeaf | DInner | undefined;
  constructor(
    readonly version: number,
    readonly depth: number,
  ) {}
}

export class DLeaf {
  constructor(
    readonly keyHash: string,
    readonly key: string,
    readonly valueHash: string,
    /** the version whose value record holds this leaf's value */
    readonly valueVersion: number,
    readonly hash: string,
    readonly pos: PagePos | null,
  ) {}
}

export class DInner {
  constructor(
    readonly left: DNode,
    readonly right: DNode,
    readonly hash: string,
    readonly pos: PagePos | null,
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
// A page stores only what its hashes are computed from: the leaves and the refs of the pages below. Inner
// and leaf hashes are recomputed when the page is read, and the recomputed top hash must equal the ref that
// led to the page, so a corrupted record fails loudly instead of answering a wrong proof. A leaf at a page
// boundary (depth + PAGE_LEVELS) sits in the page above it instead of a page of its own (only the root may
// be a page holding a lone leaf).
// root ref = kind u8 ‖ version u64 ‖ hash(32)                 (41 bytes, the "r" record; kind 0: all zero)
// page     = node(depth), where, for depth ≤ d < depth + PAGE_LEVELS:
//   node(d)  = 0x00 (empty) | leaf | 0x02 ‖ node(d + 1) ‖ node(d + 1)      (inner)
//   leaf     = 0x01 ‖ valueHash(32) ‖ varint valueVersion ‖ varint keyLen ‖ key   (keyHash = sha256(key))
// and at depth + PAGE_LEVELS:
//   node(d)  = 0x00 (empty) | leaf | 0x02 ‖ varint version ‖ hash(32)      (ref to the inner page there)
// varint = LEB128, least significant 7 bits first.

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
  if (kind > 2) throw new Error(`state store corrupted: page reference of kind ${kind}`);
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

function refOf(n: DNode, version: number): Ref {
  if (n === null) return EMPTY_REF;
  return { kind: n instanceof DLeaf || (n instanceof Stub && n.kind === LEAF) ? LEAF : INNER, version, hash: n.hash };
}

/** bytes of a PageWriter chunk: a block writes ~10 MB of pages at 1M keys */
const WRITER_CHUNK = 1 << 20;

/** Page records being written, one after the other into shared chunks (a record is a view into its chunk:
 *  a block writes thousands, and one ArrayBuffer each cost more in allocation and GC than the bytes). */
class PageWriter {
  private buf = new Uint8Array(0);
  /** where the record being written starts */
  private start = 0;
  len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    // a new chunk; the record so far moves with it, the records taken before stay in the old one
    const part = this.len - this.start;
    const next = new Uint8Array(Math.max(WRITER_CHUNK, 2 * (part + n)));
    next.set(this.buf.subarray(this.start, this.len));
    this.buf = next;
    this.start = 0;
    this.len = part;
  }

  private varint(v: number): void {
    this.len = writeUvarint(v, this.buf, this.len);
  }

  empty(): void {
    this.reserve(1);
    this.buf[this.len++] = 0;
  }

  /** the ref of the inner page below a page's last level */
  innerRef(version: number, hash: string): void {
    this.reserve(42);
    this.buf[this.len++] = INNER;
    this.varint(version);
    writeHash(this.buf, this.len, hash);
    this.len += 32;
  }

  inner(): void {
    this.reserve(1);
    this.buf[this.len++] = INNER;
  }

  leaf(l: DLeaf): void {
    const n = l.key.length;
    this.reserve(33 + uvarintSize(l.valueVersion) + uvarintSize(n) + n);
    const b = this.buf;
    b[this.len] = LEAF;
    writeHash(b, this.len + 1, l.valueHash);
    this.len += 33;
    this.varint(l.valueVersion);
    this.varint(n);
    const o = this.len;
    for (let i = 0; i < n; i++) b[o + i] = l.key.charCodeAt(i);
    this.len = o + n;
  }

  /** the record so far (a view that later records do not overwrite), and start the next */
  take(): Uint8Array {
    const out = this.buf.subarray(this.start, this.len);
    this.start = this.len;
    return out;
  }
}

const writer = new PageWriter();

/** bytes of a PageKeys chunk */
const KEYS_CHUNK = 1 << 16;

/** The page record keys a version writes and orphans (~24,000 per block at 1M keys), as views into shared
 *  chunks: one ArrayBuffer each was GC work; the commit copies them into its batch and stale list. */
class PageKeys {
  private buf = new Uint8Array(0);
  private len = 0;

  key(version: number, depth: number, path: Uint8Array): Uint8Array {
    const n = pageKeyLength(depth);
    if (this.len + n > this.buf.length) {
      this.buf = new Uint8Array(KEYS_CHUNK);
      this.len = 0;
    }
    const o = this.len;
    writePageKey(this.buf, o, version, depth, path);
    this.len = o + n;
    return this.buf.subarray(o, o + n);
  }
}

const pageKeys = new PageKeys();

/** The record of the page whose top node `node` sits at `depth` (a multiple of PAGE_LEVELS; a leaf only at
 *  depth 0): its nodes down to depth + PAGE_LEVELS, where `below(child)` gives the ref of each inner page
 *  there, left to right (leaves there are kept in this page). */
export function encodePage(node: DLeaf | DInner, depth: number, below: (child: DInner | Stub) => Ref): Uint8Array {
  return writePage(node, depth, below, null).record;
}

/** A page's record and, given its position `pos`, the page as PageDecoder would read it back for the cache
 *  (new node objects of that position, the pages below as stubs, the same cost), without decoding the record. */
function writePage(node: DLeaf | DInner, depth: number, below: (child: DInner | Stub) => Ref, pos: PagePos | null): { record: Uint8Array; copy: DNode; cost: number } {
  const end = depth + PAGE_LEVELS;
  let cost = 0;
  const encode = (n: DNode, d: number): DNode => {
    if (n === null) {
      writer.empty();
      return null;
    }
    if (n instanceof DLeaf) {
      writer.leaf(n);
      if (pos === null) return null;
      cost += LEAF_COST + 2 * n.key.length;
      return new DLeaf(n.keyHash, n.key, n.valueHash, n.valueVersion, n.hash, pos);
    }
    if (d === end) {
      const r = below(n);
      if (r.kind !== INNER) throw new Error(`disk tree: the page below depth ${depth} is not an inner node`);
      writer.innerRef(r.version, r.hash);
      if (pos === null) return null;
      cost += STUB_COST;
      return new Stub(INNER, r.version, r.hash, d);
    }
    if (n instanceof Stub) throw new Error(`disk tree: an unread page moved from depth ${n.depth} to ${d}`);
    writer.inner();
    const left = encode(n.left, d + 1);
    const right = encode(n.right, d + 1);
    if (pos === null) return null;
    cost += INNER_COST;
    return new DInner(left, right, n.hash, pos);
  };
  const copy = encode(node, depth);
  return { record: writer.take(), copy, cost };
}

/** bytes a decoded node keeps alive, for the cache bound */
const LEAF_COST = 200;
const INNER_COST = 140;
const STUB_COST = 100;

/** varints longer than this are not a version or a key length (2^56 > any safe integer) */
const VARINT_MAX_BYTES = 8;

/** Decodes page records, recomputing their hashes; `cost` is what the last decoded page keeps alive. */
class PageDecoder {
  private b: Uint8Array = new Uint8Array(0);
  private buf: Buffer = Buffer.alloc(0);
  private o = 0;
  private pos: PagePos = new PagePos(0, 0);
  cost = 0;

  decode(b: Uint8Array, version: number, depth: number, expect: Stub): DLeaf | DInner {
    this.b = b;
    this.buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    this.o = 0;
    this.cost = 0;
    this.pos = new PagePos(version, depth);
    const root = this.node(depth, depth + PAGE_LEVELS);
    if (root === null || root instanceof Stub) throw new Error(`state store corrupted: page at version ${version} depth ${depth} is empty`);
    if (this.o !== b.length) throw new Error(`state store corrupted: page at version ${version} depth ${depth} has ${b.length - this.o} bytes left over`);
    if ((root instanceof DLeaf ? LEAF : INNER) !== expect.kind || root.hash !== expect.hash) {
      throw new Error(`state store corrupted: page at version ${version} depth ${depth} does not hash to the reference that leads to it`);
    }
    this.pos.root = root;
    return root;
  }

  private cut(): never {
    throw new Error(`state store corrupted: page at version ${this.pos.version} depth ${this.pos.depth} cut short`);
  }

  private varint(): number {
    const b = this.b;
    let o = this.o;
    let v = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (o >= b.length) this.cut();
      if (i === VARINT_MAX_BYTES) throw new Error(`state store corrupted: page at version ${this.pos.version} depth ${this.pos.depth}: varint too long`);
      const c = b[o++];
      v += (c & 0x7f) * scale;
      if (c < 0x80) break;
      scale *= 128;
    }
    this.o = o;
    return v;
  }

  private leaf(): DLeaf {
    const o = this.o;
    if (o + 33 > this.b.length) this.cut();
    const valueHash = this.buf.toString("latin1", o + 1, o + 33);
    this.o = o + 33;
    const valueVersion = this.varint();
    const n = this.varint();
    const k = this.o;
    if (k + n > this.b.length) this.cut();
    const key = this.buf.toString("latin1", k, k + n);
    this.o = k + n;
    const keyHash = sha256s(this.buf.subarray(k, k + n));
    this.cost += LEAF_COST + 2 * n;
    return new DLeaf(keyHash, key, valueHash, valueVersion, hashLeafParts(keyHash, valueHash), this.pos);
  }

  private node(depth: number, end: number): DNode {
    const b = this.b;
    const o = this.o;
    if (o >= b.length) this.cut();
    switch (b[o]) {
      case 0:
        this.o = o + 1;
        return null;
      case LEAF:
        return this.leaf();
      case INNER: {
        this.o = o + 1;
        if (depth === end) {
          const version = this.varint();
          const h = this.o;
          if (h + 32 > b.length) this.cut();
          this.o = h + 32;
          this.cost += STUB_COST;
          return new Stub(INNER, version, this.buf.toString("latin1", h, h + 32), depth);
        }
        const left = this.node(depth + 1, end);
        const right = this.node(depth + 1, end);
        this.cost += INNER_COST;
        return new DInner(left, right, hashInner(hashOf(left), hashOf(right)), this.pos);
      }
      default:
        throw new Error(`state store corrupted: page at version ${this.pos.version} depth ${this.pos.depth}: node type ${b[o]}`);
    }
  }
}

const decoder = new PageDecoder();

// --- reading --------------------------------------------------------------------------------------------

/** A page decoded for the cache: its key there, its top node and what it keeps alive. */
export type CachedPage = readonly [key: string, root: DLeaf | DInner, cost: number];

/** Reads pages through a cache bounded in bytes; `fetch` reads records from LevelDB (synchronously). */
export class NodeReader {
  private readonly cache: ByteLru<DLeaf | DInner>;
  constructor(
    private readonly fetch: (keys: Uint8Array[]) => Array<Uint8Array | undefined>,
    cacheBytes: number,
  ) {
    this.cache = new ByteLru(cacheBytes);
  }

  /** depth ‖ the first `depth` bits of `path` ‖ version: a few characters (the record key has 11 bytes or more) */
  static cacheKey(version: number, depth: number, path: string): string {
    const n = depth >> 3;
    const head = String.fromCharCode(depth) + path.slice(0, n);
    const k = depth & 7 ? head + String.fromCharCode(path.charCodeAt(n) & (0xff00 >> (depth & 7)) & 0xff) : head;
    return k + version;
  }

  /** The pages behind `stubs`, those not cached read in one round trip; `paths[i]` is any key hash under `stubs[i]`. */
  resolveMany(stubs: Stub[], paths: string[]): Array<DLeaf | DInner> {
    const out = new Array<DLeaf | DInner>(stubs.length);
    const keys: Uint8Array[] = [];
    const which: number[] = [];
    const cacheKeys: string[] = [];
    for (let i = 0; i < stubs.length; i++) {
      const s = stubs[i];
      const ck = NodeReader.cacheKey(s.version, s.depth, paths[i]);
      const hit = this.cache.get(ck);
      if (hit !== undefined) out[i] = hit;
      else {
        keys.push(pageKey(s.version, s.depth, pathBytes(paths[i])));
        cacheKeys.push(ck);
        which.push(i);
      }
    }
    if (keys.length === 0) return out;
    const got = this.fetch(keys);
    for (let j = 0; j < keys.length; j++) out[which[j]] = this.store(cacheKeys[j], got[j], stubs[which[j]]);
    return out;
  }

  /** The top node of the page behind `stub`; `path` is any key hash under it. */
  resolve(stub: Stub, path: string): DLeaf | DInner {
    const ck = NodeReader.cacheKey(stub.version, stub.depth, path);
    const hit = this.cache.get(ck);
    if (hit !== undefined) return hit;
    return this.store(ck, this.fetch([pageKey(stub.version, stub.depth, pathBytes(path))])[0], stub);
  }

  /** Cache the pages a commit just wrote (only after the commit: a prepared version may be discarded and
   *  another one prepared at the same height would write other pages under the same record keys). */
  remember(pages: ReadonlyArray<CachedPage>): void {
    for (const [k, n, cost] of pages) this.cache.set(k, n, cost);
  }

  private store(ck: string, raw: Uint8Array | undefined, stub: Stub): DLeaf | DInner {
    if (raw === undefined) throw new Error(`state store corrupted: page at version ${stub.version} depth ${stub.depth} is missing (pruned?)`);
    const n = decoder.decode(raw, stub.version, stub.depth, stub);
    this.cache.set(ck, n, decoder.cost);
    return n;
  }

  /** forget every cached page (the records under their keys were deleted) */
  clear(): void {
    this.cache.clear();
  }

  /** page cache lookups that hit and missed (bench figures) */
  get cacheCounters(): { hits: number; misses: number } {
    return { hits: this.cache.hits, misses: this.cache.misses };
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

/** What a version writes besides its meta: page records, value records, orphan records. */
export interface TreeDiff {
  root: Ref;
  /** new page records */
  pages: Array<[Uint8Array, Uint8Array]>;
  /** the pairs that changed (null = deleted), in keyHash order */
  values: Array<[string, Uint8Array | null]>;
  /** page and value record keys this version stopped reading */
  orphans: Uint8Array[];
  /** value record keys of this version's deletions (tombstones), stale at once */
  tombstones: Uint8Array[];
  /** keys added minus keys deleted */
  keys: number;
  /** the keys whose value this version replaced or deleted, with the version of their old value record */
  replaced: Array<[string, number]>;
  /** the new pages as NodeReader would decode them, keyed for its cache */
  cachePages: CachedPage[];
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
  /** the pages the prefetch read, by stub (the walk meets the same stub objects: no second cache lookup) */
  private readonly read = new Map<Stub, DLeaf | DInner>();
  private readonly diff: TreeDiff = { root: EMPTY_REF, pages: [], values: [], orphans: [], tombstones: [], keys: 0, replaced: [], cachePages: [] };
  /** pages already orphaned (several of a page's nodes change; its record is orphaned once) */
  private readonly orphaned = new Set<PagePos>();
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

  /** the page `pos` is no longer read by this version; `path` is any key hash under it */
  private orphanPage(pos: PagePos, path: string): void {
    if (this.orphaned.has(pos)) return;
    this.orphaned.add(pos);
    this.orphan(pageKeys.key(pos.version, pos.depth, pathBytes(path)));
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
      // a node of the page changed, so does the page
      if (n.pos) this.orphanPage(n.pos, cs[lo].keyHash);
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
    if (n !== null && n.pos) this.orphanPage(n.pos, n.keyHash);
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

  /** Give every page of the new tree its record (pages with a changed node, and those a leaf moved into)
   *  and return the ref of the page at `depth` (a multiple of PAGE_LEVELS; a leaf only at depth 0: below
   *  it a leaf at a page boundary is kept in the page above). */
  private place(node: DNode, depth: number): Ref {
    if (node === null) return EMPTY_REF;
    if (node instanceof Stub) {
      if (node.depth !== depth) throw new Error(`disk tree: an unread page moved from depth ${node.depth} to ${depth}`);
      return refOf(node, node.version);
    }
    if (node.pos !== null && node.pos.root === node) {
      // the top node of a page read: the page is unchanged unless that node moved (only a leaf can)
      if (node.pos.depth === depth) return refOf(node, node.pos.version);
      this.orphanMoved(node);
    }
    // pages below first (this page holds their refs); the writer is shared, so this page is encoded after
    const below: Array<Ref> = [];
    this.placeBelow(node, depth, depth + PAGE_LEVELS, below);
    // the page's nodes for the cache as they would be read back (only after the commit: see remember)
    const pos = new PagePos(this.height, depth);
    let next = 0;
    const { record, copy, cost } = writePage(node, depth, () => below[next++], pos);
    pos.root = copy as DLeaf | DInner;
    const key = pageKeys.key(this.height, depth, this.path);
    const prefix = Buffer.from(key.buffer, key.byteOffset + 11, key.length - 11).toString("latin1");
    this.diff.pages.push([key, record]);
    this.diff.cachePages.push([NodeReader.cacheKey(this.height, depth, prefix), pos.root, cost]);
    return refOf(node, this.height);
  }

  /** The refs of the inner pages at depth `end` under `node` (at `depth`), left to right, placed;
   *  `this.path` holds the bits [0, depth) of `node`'s position. */
  private placeBelow(node: DNode, depth: number, end: number, out: Ref[]): void {
    if (node === null) return;
    if (node instanceof DLeaf) {
      // the leaf is written into the page being placed
      if (node.pos !== null && node.pos.root === node) this.orphanMoved(node);
      return;
    }
    if (depth === end) {
      out.push(this.place(node, depth));
      return;
    }
    if (node instanceof Stub) throw new Error(`disk tree: an unread page moved from depth ${node.depth} to ${depth}`);
    const path = this.path;
    const i = depth >> 3;
    const saved = path[i];
    const m = 1 << (7 - (depth & 7));
    path[i] = saved & ~m;
    this.placeBelow(node.left, depth + 1, end, out);
    path[i] = saved | m;
    this.placeBelow(node.right, depth + 1, end, out);
    path[i] = saved;
  }

  /** a leaf that was the top node of its page now sits elsewhere: that page is no longer read */
  private orphanMoved(node: DLeaf | DInner): void {
    if (!(node instanceof DLeaf)) throw new Error("disk tree: an inner node moved");
    this.orphanPage(node.pos!, node.keyHash);
  }
}
