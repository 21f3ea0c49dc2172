// Committed state: versions in memory, persistence in LevelDB (design D6).
//
// Each committed version is { height, appHash, an ordered map of all pairs (a sorted-btree clone: O(1)
// copy-on-write), the sparse Merkle tree root }. The latest version and up to keepRecent - 1 older ones
// are kept in memory for queries and proofs.
//
// LevelDB layout (keys and values are raw bytes):
//   "s" ‖ key  → value                        every state pair
//   "m"        → 0x01 ‖ height u64 BE ‖ appHash(32)   the committed version
// Commit writes ONE batch (sync) with every changed pair and the new "m", so a crash at any point leaves
// either the old or the new version on disk. On open every pair is loaded, the tree is rebuilt and its root
// must equal the stored app hash.

import { BTree } from "./btree.js";
import { ClassicLevel } from "classic-level";
import { assertBinaryKey, compareKeys, keyToBytes, type Change, type KVReader } from "./kv.js";
import * as smt from "./smt.js";
import type { MerkleProof } from "./smt.js";

export type { MerkleProof } from "./smt.js";

/** An immutable committed version. */
export interface StateVersion {
  readonly height: number;
  /** root hash of the tree (32 zero bytes for empty state) */
  readonly appHash: Uint8Array;
  /** the whole key space at that height, with ordered iteration */
  readonly reader: KVReader;
  prove(key: string): MerkleProof;
  /** what the version holds, for operators (metrics); a store that cannot tell cheaply leaves it out */
  readonly stats?: StateStats;
}

/** Pairs in a version and their bytes (Σ key length + value length). */
export interface StateStats {
  readonly keys: number;
  readonly bytes: number;
}

/** Σ key length + value length of the pairs (a one-byte string key has as many bytes as characters). */
export function pairBytes(keys: readonly string[], values: readonly Uint8Array[]): number {
  let bytes = 0;
  for (let i = 0; i < keys.length; i++) bytes += keys[i].length + values[i].length;
  return bytes;
}

/** Read-only KVReader over a frozen BTree. */
class BTreeReader implements KVReader {
  constructor(private readonly tree: BTree<string, Uint8Array>) {}
  get(key: string): Uint8Array | undefined {
    return this.tree.get(key);
  }
  has(key: string): boolean {
    return this.tree.has(key);
  }
  *iterate(start: string, end?: string): IterableIterator<[string, Uint8Array]> {
    if (end !== undefined && end <= start) return;
    for (const entry of this.tree.entries(start)) {
      if (end !== undefined && entry[0] >= end) return;
      yield entry;
    }
  }
  *iterateReverse(start: string, end?: string): IterableIterator<[string, Uint8Array]> {
    if (end !== undefined && end <= start) return;
    for (const entry of this.tree.entriesReversed(end, undefined, true)) {
      if (entry[0] < start) return;
      yield entry;
    }
  }
  get size(): number {
    return this.tree.size;
  }
}

class Version implements StateVersion {
  readonly appHash: Uint8Array;
  readonly reader: BTreeReader;
  readonly stats: StateStats;
  constructor(
    readonly height: number,
    readonly root: smt.Node,
    readonly tree: BTree<string, Uint8Array>,
    bytes: number,
  ) {
    tree.freeze();
    this.stats = { keys: tree.size, bytes };
    this.appHash = smt.rootHash(root);
    this.reader = new BTreeReader(tree);
  }
  prove(key: string): MerkleProof {
    return smt.prove(this.root, keyToBytes(key));
  }
}

/** What prepare() returns: a version not committed yet. */
export interface PreparedState {
  readonly height: number;
  /** the app hash this version will have once committed */
  readonly appHash: Uint8Array;
}

/** The committed-state store the app runs on: CommitStore (memory) or DiskStore (app/state/disk). */
export interface StateStore {
  readonly latest: StateVersion;
  /** a kept version, undefined for one not kept */
  at(height: number): StateVersion | undefined;
  /** heights below this were deleted by pruning (0: none); queries there get a "pruned" error */
  readonly prunedBelow: number;
  prepare(height: number, changes: ReadonlyArray<Change>): PreparedState;
  /** takes only what this store's prepare() returned */
  commit(pending: PreparedState): Promise<void>;
  exportVersion(height: number): AsyncIterableIterator<[string, Uint8Array]>;
  beginImport(height: number): StateImporter;
  close(): Promise<void>;
}

/** A version computed by prepare() and not yet committed. */
export class PendingVersion implements PreparedState {
  /** @internal */
  constructor(
    readonly height: number,
    /** @internal */ readonly base: Version,
    /** @internal */ readonly root: smt.Node,
    /** the changes, sorted by key, null = delete */
    readonly changes: readonly Change[],
    /** what the changes do to the base's pairs (the tree update counts it as it meets each old leaf) */
    readonly delta: smt.PairsDelta,
  ) {
    this.appHash = smt.rootHash(root);
  }
  /** the app hash this version will have once committed */
  readonly appHash: Uint8Array;
}

const META_KEY = Buffer.from("m", "latin1");
const STATE_PREFIX = "s";
const STATE_GTE = Buffer.from("s", "latin1");
const STATE_LT = Buffer.from("t", "latin1");
const META_VERSION = 1;

function encodeMeta(height: number, appHash: Uint8Array): Buffer {
  const b = Buffer.alloc(1 + 8 + 32);
  b[0] = META_VERSION;
  b.writeBigUInt64BE(BigInt(height), 1);
  b.set(appHash, 9);
  return b;
}

function decodeMeta(b: Uint8Array): { height: number; appHash: Uint8Array } {
  if (b.length !== 41 || b[0] !== META_VERSION) {
    throw new Error(`state store corrupted: meta record has ${b.length} bytes / version ${b[0]} (expected 41 / ${META_VERSION})`);
  }
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const h = buf.readBigUInt64BE(1);
  if (h > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`state store corrupted: height ${h} out of range`);
  return { height: Number(h), appHash: Uint8Array.prototype.slice.call(buf, 9, 41) };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/**
 * Writes a whole version into an empty store (state sync restore, an imported state). Pairs arrive in
 * strictly increasing key order across add() calls; nothing is visible or persisted before finish(), so
 * a crash or abort() at any point leaves the store empty.
 */
export interface StateImporter {
  /** the height the imported version will have */
  readonly height: number;
  /** Appends pairs; throws (and the importer stays usable only for abort()) when a key is not strictly
   *  greater than the previous one, is not a latin1 binary string, or a value is not a Uint8Array. */
  add(pairs: ReadonlyArray<[string, Uint8Array]>): void;
  /** Computes the root, then commits the version (pairs, height, app hash) in one synced batch and makes
   *  it the latest; resolves to its app hash. With `expectedAppHash` (state sync: the snapshot's), a root
   *  that differs is refused before anything is written, and the store stays empty. The importer is spent
   *  afterwards, also when it throws. */
  finish(expectedAppHash?: Uint8Array): Promise<Uint8Array>;
  /** Drops everything added; the store stays empty and may begin another import. */
  abort(): void;
}

/** How many pairs an export yields before letting the event loop run (background snapshots). */
const EXPORT_SLICE = 4096;

/** Throws unless an import of `height` may begin: a positive integer height, an empty store, no import running. */
export function checkImportStart(height: number, latestHeight: number, importing: StateImporter | undefined): void {
  if (!Number.isSafeInteger(height) || height < 1) throw new RangeError(`beginImport: height must be a positive integer, got ${height}`);
  if (latestHeight !== 0) throw new Error(`beginImport: the store is not empty (latest height ${latestHeight})`);
  if (importing !== undefined) throw new Error(`beginImport: an import of height ${importing.height} is in progress`);
}

/**
 * The StateImporter both stores hand out: it checks and collects the pairs; `write` builds the version from
 * them (from the last of them when `stream` took the others) and commits it, or throws and commits nothing;
 * `release` frees the store for another import (and drops what a stream wrote, when nothing was committed).
 */
export function collectingImporter(
  height: number,
  write: (keys: string[], values: Uint8Array[], expectedAppHash?: Uint8Array) => Promise<Uint8Array>,
  release: (importer: StateImporter) => void,
  /** a store that streams an import: called from add() with the pairs held so far whenever they reach
   *  `pairs` pairs or `bytes` value bytes; the pairs are then dropped, and finish() writes the rest */
  stream?: { pairs: number; bytes: number; flush(keys: string[], values: Uint8Array[]): void },
): StateImporter {
  let keys: string[] = [];
  let values: Uint8Array[] = [];
  let heldBytes = 0;
  let last: string | undefined;
  let state: "open" | "broken" | "finishing" | "done" = "open";
  const done = (): void => {
    state = "done";
    keys = [];
    values = [];
    release(importer);
  };
  const importer: StateImporter = {
    height,
    add: (pairs) => {
      if (state === "broken") throw new Error(`import of height ${height}: add() after a failed write (abort it)`);
      if (state !== "open") throw new Error(`import of height ${height}: add() after finish() or abort()`);
      for (const pair of pairs) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError(`import of height ${height}: each pair must be [key, value]`);
        const [key, value] = pair;
        assertBinaryKey(key);
        if (!(value instanceof Uint8Array)) throw new TypeError(`import of height ${height}: value of ${JSON.stringify(key)} must be a Uint8Array`);
        if (last !== undefined && !(key > last)) {
          throw new Error(`import of height ${height}: key ${JSON.stringify(key)} does not follow ${JSON.stringify(last)} (keys must be strictly increasing)`);
        }
        keys.push(key);
        values.push(value);
        last = key;
        heldBytes += value.byteLength;
        if (stream !== undefined && (keys.length >= stream.pairs || heldBytes >= stream.bytes)) {
          const [k, v] = [keys, values];
          keys = [];
          values = [];
          heldBytes = 0;
          try {
            stream.flush(k, v);
          } catch (e) {
            state = "broken";
            throw e;
          }
        }
      }
    },
    finish: async (expectedAppHash?: Uint8Array) => {
      if (state === "broken") throw new Error(`import of height ${height}: finish() after a failed write (abort it)`);
      if (state !== "open") throw new Error(`import of height ${height}: finish() after finish() or abort()`);
      state = "finishing";
      try {
        return await write(keys, values, expectedAppHash);
      } finally {
        done();
      }
    },
    abort: () => {
      if (state === "finishing") return; // finish() decides; its finally releases the store
      done();
    },
  };
  return importer;
}

/** Throws unless `height` may follow the latest committed height (any height >= 1 for an empty store). */
export function checkNextHeight(height: number, latest: number): void {
  if (!Number.isSafeInteger(height) || height < 1) throw new RangeError(`state height must be a positive integer, got ${height}`);
  if (latest === 0 ? height < 1 : height !== latest + 1) {
    throw new Error(`state height ${height} does not follow the latest committed height ${latest}`);
  }
}

/** prepare()'s input checked (latin1 keys, Uint8Array or null values, no key twice) and sorted by key. */
export function sortedChanges(changes: ReadonlyArray<Change>): Change[] {
  const sorted = changes.slice();
  for (const c of sorted) {
    if (!Array.isArray(c) || c.length !== 2) throw new TypeError("prepare: each change must be a [key, value | null] pair");
    assertBinaryKey(c[0]);
    if (c[1] !== null && !(c[1] instanceof Uint8Array)) throw new TypeError(`prepare: value of ${JSON.stringify(c[0])} must be a Uint8Array or null`);
  }
  sorted.sort((a, b) => compareKeys(a[0], b[0]));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i][0] === sorted[i - 1][0]) throw new Error(`prepare: key ${JSON.stringify(sorted[i][0])} appears twice in the changes`);
  }
  return sorted;
}

export interface CommitStoreOptions {
  /** how many committed versions (the latest included) stay in memory for at()/proofs; default 100, min 1 */
  keepRecent?: number;
}

export class CommitStore implements StateStore {
  private readonly versions = new Map<number, Version>();
  private current: Version;
  private committing = false;
  private closed = false;
  private importing?: StateImporter;

  private constructor(
    private readonly db: ClassicLevel<Buffer, Buffer>,
    private readonly keepRecent: number,
    initial: Version,
  ) {
    this.current = initial;
    this.versions.set(initial.height, initial);
  }

  /** Open (or create) the store in `dir`: loads every pair, rebuilds the tree and checks it against the stored
   *  app hash (throws on mismatch: the store is corrupted). */
  static async open(dir: string, opts: CommitStoreOptions = {}): Promise<CommitStore> {
    const keepRecent = opts.keepRecent ?? 100;
    if (!Number.isInteger(keepRecent) || keepRecent < 1) throw new RangeError(`keepRecent must be an integer >= 1, got ${keepRecent}`);
    const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
    await db.open();
    try {
      const metaRaw = await db.get(META_KEY);
      const keys: string[] = [];
      const values: Uint8Array[] = [];
      const it = db.iterator({ gte: STATE_GTE, lt: STATE_LT });
      try {
        for (;;) {
          const batch = await it.nextv(10_000);
          if (batch.length === 0) break;
          for (const [k, v] of batch) {
            keys.push(k.toString("latin1", 1));
            values.push(v);
          }
        }
      } finally {
        await it.close();
      }
      if (metaRaw === undefined) {
        if (keys.length > 0) throw new Error(`state store corrupted: ${keys.length} state pairs but no committed height/app hash in ${dir}`);
        return new CommitStore(db, keepRecent, new Version(0, smt.EMPTY, new BTree<string, Uint8Array>(undefined, compareKeys), 0));
      }
      const meta = decodeMeta(metaRaw);
      // LevelDB returns keys in byte order, which is the order of the latin1 strings.
      const tree = new BTree<string, Uint8Array>(undefined, compareKeys);
      for (let i = 0; i < keys.length; i++) tree.set(keys[i], values[i]);
      const root = smt.build(keys.map((k, i): [string, Uint8Array] => [k, values[i]]));
      const version = new Version(meta.height, root, tree, pairBytes(keys, values));
      if (!Buffer.from(version.appHash).equals(meta.appHash)) {
        throw new Error(
          `state store corrupted: the ${keys.length} stored pairs hash to ${hex(version.appHash)} but the committed app hash at height ${meta.height} is ${hex(meta.appHash)} (${dir})`,
        );
      }
      return new CommitStore(db, keepRecent, version);
    } catch (e) {
      await db.close().catch(() => {});
      throw e;
    }
  }

  /** The latest committed version: height 0 and the empty hash for a new store. */
  get latest(): StateVersion {
    return this.current;
  }

  /** 0: this store keeps recent versions in memory and loses the older ones at a restart, which is not
   *  pruning (Cosmos options): queries there keep the "not available" error */
  readonly prunedBelow = 0;

  /** The latest version or one of the last keepRecent kept in memory (after a restart, only the latest). */
  at(height: number): StateVersion | undefined {
    return this.versions.get(height);
  }

  /** Compute the app hash the working changes give, without changing anything committed. May be called more than
   *  once for the same height; only the committed one counts. `height` must be latest.height + 1 (or any height >= 1
   *  for the very first commit of an empty store, e.g. a genesis initial_height above 1). */
  prepare(height: number, changes: ReadonlyArray<Change>): PendingVersion {
    this.assertOpen();
    const base = this.current;
    this.checkHeight(height, base);
    const sorted = sortedChanges(changes);
    const delta: smt.PairsDelta = { keys: 0, bytes: 0 };
    const root = smt.update(base.root, sorted, delta);
    return new PendingVersion(height, base, root, sorted, delta);
  }

  /** Persist a prepared version: one LevelDB batch (sync) with every changed pair, the height and the app hash;
   *  only after it resolves does `latest` switch to it. Versions beyond keepRecent are dropped from memory. */
  async commit(pending: PendingVersion): Promise<void> {
    this.assertOpen();
    if (!(pending instanceof PendingVersion)) throw new TypeError("commit: not a PendingVersion from prepare()");
    if (this.committing) throw new Error("commit: another commit is in progress");
    const base = this.current;
    if (pending.base !== base) {
      throw new Error(`commit: version ${pending.height} was prepared on height ${pending.base.height}, but the latest is now height ${base.height}`);
    }
    this.checkHeight(pending.height, base);
    this.committing = true;
    try {
      const tree = base.tree.clone();
      const ops: Array<{ type: "put"; key: Buffer; value: Buffer } | { type: "del"; key: Buffer }> = [];
      for (const [k, v] of pending.changes) {
        const key = Buffer.from(STATE_PREFIX + k, "latin1");
        if (v === null) {
          tree.delete(k);
          ops.push({ type: "del", key });
        } else {
          tree.set(k, v);
          ops.push({ type: "put", key, value: Buffer.from(v.buffer, v.byteOffset, v.byteLength) });
        }
      }
      const next = new Version(pending.height, pending.root, tree, base.stats.bytes + pending.delta.bytes);
      ops.push({ type: "put", key: META_KEY, value: encodeMeta(next.height, next.appHash) });
      await this.db.batch(ops, { sync: true });
      this.current = next;
      this.versions.set(next.height, next);
      for (const h of this.versions.keys()) {
        if (h <= next.height - this.keepRecent) this.versions.delete(h);
      }
    } finally {
      this.committing = false;
    }
  }

  /**
   * The pairs of a kept version (latest or at(height)), in key order. Throws at once for a height that is
   * not kept. The iterator holds that version for as long as it runs, whatever is committed meanwhile,
   * and yields to the event loop every few thousand pairs so that a background export (snapshots) never
   * holds up a block for long.
   */
  exportVersion(height: number): AsyncIterableIterator<[string, Uint8Array]> {
    this.assertOpen();
    const version = this.versions.get(height);
    if (version === undefined || height === 0) {
      throw new Error(`exportVersion: height ${height} is not kept (latest ${this.current.height}; kept ${[...this.versions.keys()].filter((h) => h > 0).join(", ") || "none"})`);
    }
    return exportPairs(version.tree);
  }

  /**
   * Starts writing version `height` into this store, which must be empty (no committed height) and not
   * already importing. See StateImporter.
   */
  beginImport(height: number): StateImporter {
    this.assertOpen();
    checkImportStart(height, this.current.height, this.importing);
    const importer = collectingImporter(
      height,
      async (keys, values, expectedAppHash) => {
        this.assertOpen();
        if (this.current.height !== 0) throw new Error(`import of height ${height}: the store is no longer empty`);
        const tree = new BTree<string, Uint8Array>(undefined, compareKeys);
        // keys arrive sorted: setPairs would not be faster than set here, and set keeps the tree balanced
        for (let i = 0; i < keys.length; i++) tree.set(keys[i], values[i]);
        const root = smt.build(keys.map((k, i): [string, Uint8Array] => [k, values[i]]));
        const version = new Version(height, root, tree, pairBytes(keys, values));
        if (expectedAppHash !== undefined && !Buffer.from(version.appHash).equals(expectedAppHash)) {
          throw new Error(`import of height ${height}: the pairs hash to ${hex(version.appHash)}, not the expected ${hex(expectedAppHash)}; nothing written`);
        }
        const ops: Array<{ type: "put"; key: Buffer; value: Buffer }> = [];
        for (let i = 0; i < keys.length; i++) {
          const v = values[i];
          ops.push({ type: "put", key: Buffer.from(STATE_PREFIX + keys[i], "latin1"), value: Buffer.from(v.buffer, v.byteOffset, v.byteLength) });
        }
        ops.push({ type: "put", key: META_KEY, value: encodeMeta(height, version.appHash) });
        await this.db.batch(ops, { sync: true });
        this.current = version;
        this.versions.clear();
        this.versions.set(height, version);
        return version.appHash;
      },
      (done) => {
        if (this.importing === done) this.importing = undefined;
      },
    );
    this.importing = importer;
    return importer;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  private checkHeight(height: number, base: Version): void {
    if (this.importing !== undefined) throw new Error(`state height ${height}: an import of height ${this.importing.height} is in progress`);
    checkNextHeight(height, base.height);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("CommitStore is closed");
  }
}

async function* exportPairs(tree: BTree<string, Uint8Array>): AsyncIterableIterator<[string, Uint8Array]> {
  let n = 0;
  for (const entry of tree.entries()) {
    yield entry;
    if (++n % EXPORT_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
