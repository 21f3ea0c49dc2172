// A version's pages built bottom-up from its leaves in key-hash order, each page encoded once (state sync
// restore and imports: store.ts beginImport). Applying the pairs part by part with applyChanges rewrote most
// pages of the tree for every part (a part's keys spread over the whole tree); this writes each page once,
// with the bytes applyChanges would give the same pairs at the same height in one block (same hashes, same
// root, same app hash).
//
// The pairs of an import arrive in key order, not key-hash order. Each part is cut into 256 runs by the
// first byte of the key hash (one "h" record per part and bucket, layout.ts importRunKey); the build then
// reads one bucket at a time from every part, sorts it, and feeds the builder. Memory holds one bucket (about
// 1/256 of the leaves) and the path of pages being built.

import { bit, hashInner, hashLeafParts, keyHashOf, sha256s, ZERO32 } from "../smt.js";
import { pageKey } from "./layout.js";
import { DInner, DLeaf, EMPTY_REF, PAGE_LEVELS, Stub, encodePage, type DNode, type Ref } from "./tree.js";

/** runs per part: the first byte of the key hash */
export const IMPORT_BUCKETS = 256;

// run record: keyHash(32) ‖ valueHash(32) ‖ keyLen u32 ‖ key
const RUN_HEAD = 68;

/** The leaves of one part as its runs, by bucket (undefined: no leaf in it). */
export function encodeRuns(keys: readonly string[], values: readonly Uint8Array[]): Array<Uint8Array | undefined> {
  const n = keys.length;
  const keyHashes = new Array<string>(n);
  const sizes = new Uint32Array(IMPORT_BUCKETS);
  for (let i = 0; i < n; i++) {
    const kh = keyHashOf(keys[i]);
    keyHashes[i] = kh;
    sizes[kh.charCodeAt(0)] += RUN_HEAD + keys[i].length;
  }
  const runs = new Array<Uint8Array | undefined>(IMPORT_BUCKETS);
  const at = new Uint32Array(IMPORT_BUCKETS);
  for (let b = 0; b < IMPORT_BUCKETS; b++) if (sizes[b] > 0) runs[b] = Buffer.allocUnsafeSlow(sizes[b]);
  for (let i = 0; i < n; i++) {
    const kh = keyHashes[i];
    const b = kh.charCodeAt(0);
    const run = runs[b] as Buffer;
    let o = at[b];
    o += run.write(kh, o, 32, "latin1");
    o += run.write(sha256s(values[i]), o, 32, "latin1");
    const key = keys[i];
    run.writeUInt32BE(key.length, o);
    o += 4;
    o += run.write(key, o, key.length, "latin1");
    at[b] = o;
  }
  return runs;
}

/** The leaves of the runs of one bucket (from every part), sorted by key hash, as leaves of `height`. */
export function decodeRuns(runs: ReadonlyArray<Uint8Array | undefined>, height: number): DLeaf[] {
  const leaves: DLeaf[] = [];
  for (const raw of runs) {
    if (raw === undefined) continue;
    const b = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let o = 0;
    while (o < b.length) {
      if (o + RUN_HEAD > b.length) throw new Error("state store corrupted: an import run is cut short");
      const len = b.readUInt32BE(o + 64);
      if (o + RUN_HEAD + len > b.length) throw new Error("state store corrupted: an import run is cut short");
      const keyHash = b.toString("latin1", o, o + 32);
      const valueHash = b.toString("latin1", o + 32, o + 64);
      const key = b.toString("latin1", o + RUN_HEAD, o + RUN_HEAD + len);
      leaves.push(new DLeaf(keyHash, key, valueHash, height, hashLeafParts(keyHash, valueHash), null));
      o += RUN_HEAD + len;
    }
  }
  leaves.sort((x, y) => (x.keyHash < y.keyHash ? -1 : x.keyHash > y.keyHash ? 1 : 0));
  return leaves;
}

/** the first bit at which two different key hashes differ */
function splitDepth(a: string, b: string): number {
  for (let i = 0; i < 32; i++) {
    const x = a.charCodeAt(i) ^ b.charCodeAt(i);
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  throw new Error("import: two leaves with the same key hash (a key twice, or a sha256 collision)");
}

/** A finished subtree: its top node (a leaf not yet placed, or an inner node / page stub at `depth`) and a
 *  key hash under it (the path of its position). */
interface Sub {
  node: DLeaf | DInner | Stub;
  /** depth of `node`; -1 for a leaf, which sits wherever its parent puts it (the canonical collapse) */
  depth: number;
  path: string;
}

/** An inner node at `depth` whose left subtree is finished, waiting for its right one. */
interface Frame {
  depth: number;
  left: DNode;
  path: string;
}

/**
 * Builds the canonical tree (app/state/smt.ts) of leaves given in increasing key-hash order, writing each
 * page through `emit` as soon as its subtree is complete (a page below before the page above it). Two
 * neighbouring leaves part at the inner node at the depth of their first differing bit; the frames are the
 * inner nodes still open on the right edge of the tree, at increasing depths.
 */
export class PageBuilder {
  private readonly frames: Frame[] = [];
  /** the subtree that ends with the last leaf, not yet a child of any frame */
  private carried: Sub | undefined;
  private lastKeyHash = "";
  private readonly pathBytes = Buffer.alloc(32);

  constructor(
    private readonly height: number,
    private readonly emit: (key: Uint8Array, page: Uint8Array) => void,
  ) {}

  /** the next leaf: its key hash must follow the previous one's */
  add(leaf: DLeaf): void {
    let sub = this.carried;
    if (sub !== undefined) {
      if (!(leaf.keyHash > this.lastKeyHash)) throw new Error("import: leaves out of key-hash order");
      const s = splitDepth(this.lastKeyHash, leaf.keyHash);
      while (this.frames.length > 0 && this.frames[this.frames.length - 1].depth > s) sub = this.close(this.frames.pop()!, sub);
      this.frames.push({ depth: s, left: this.attach(sub, s + 1), path: sub.path });
    }
    this.carried = { node: leaf, depth: -1, path: leaf.keyHash };
    this.lastKeyHash = leaf.keyHash;
  }

  /** the ref of the root page (every page emitted); EMPTY_REF without leaves */
  finish(): Ref {
    let sub = this.carried;
    if (sub === undefined) return EMPTY_REF;
    while (this.frames.length > 0) sub = this.close(this.frames.pop()!, sub);
    const root = this.attach(sub, 0) as Stub;
    return { kind: root.kind, version: root.version, hash: root.hash };
  }

  /** the inner node of `f` with `right` as its right subtree */
  private close(f: Frame, right: Sub): Sub {
    const r = this.attach(right, f.depth + 1);
    const node = new DInner(f.left, r, hashInner(f.left === null ? ZERO32 : f.left.hash, r.hash), null);
    return { node: this.placed(node, f.depth, f.path), depth: f.depth, path: f.path };
  }

  /** `sub` as the child at `depth`: a leaf moves there; an inner node deeper down gets the chain of inner
   *  nodes with one empty child above it (its keys share those bits) */
  private attach(sub: Sub, depth: number): DLeaf | DInner | Stub {
    if (sub.depth === -1) return this.placed(sub.node as DLeaf, depth, sub.path);
    let node = sub.node;
    for (let d = sub.depth - 1; d >= depth; d--) {
      const inner = bit(sub.path, d) ? new DInner(null, node, hashInner(ZERO32, node.hash), null) : new DInner(node, null, hashInner(node.hash, ZERO32), null);
      node = this.placed(inner, d, sub.path);
    }
    return node;
  }

  /** `node`, complete, at its final `depth`: an inner node at a page boundary (or the root, even a leaf)
   *  becomes a page (emitted) and its stub; a leaf at a boundary below the root stays in the page above */
  private placed(node: DLeaf | DInner, depth: number, path: string): DLeaf | DInner | Stub {
    if (depth % PAGE_LEVELS !== 0 || (depth > 0 && node instanceof DLeaf)) return node;
    const record = encodePage(node, depth, refOfStub);
    this.pathBytes.write(path, 0, 32, "latin1");
    this.emit(pageKey(this.height, depth, this.pathBytes), record);
    return new Stub(node instanceof DLeaf ? 1 : 2, this.height, node.hash, depth);
  }
}

function refOfStub(n: DInner | Stub): Ref {
  if (!(n instanceof Stub)) throw new Error("import: a page boundary holds an inner node that is not a page");
  return { kind: n.kind, version: n.version, hash: n.hash };
}
