// Committed state on disk (design D6, issue 13): versions in LevelDB, memory bounded by two caches.
//
// Layout (app/state/disk/layout.ts builds the keys):
//   "m"                         → 0x02 ‖ height u64 ‖ appHash(32)        the latest committed version
//   "e"                         → earliest kept height u64               absent: nothing pruned
//   "c"                         → keys u64 ‖ bytes u64 of the latest version (metrics)
//   "r" ‖ version               → ref of that version's root node
//   "p" ‖ version ‖ depth ‖ path → page (tree.ts): the 4 levels of the tree below that position (depth a
//                                  multiple of 4), written once by the version that created it there: the
//                                  leaves and the refs of the pages below (hashes recomputed when read)
//   "v" ‖ escape(key) ‖ ~version → 0x01 ‖ value | 0x00 (deleted)        newest first: one seek reads a key
//   "o" ‖ staleSince            → stale list: the page/value records no version >= staleSince reads, and
//                                  the tombstones of that version (layout.ts encodeStaleList)
// Commit writes ONE LevelDB batch (sync) with the version's pages, values, stale list, root and "m": a
// crash leaves the old or the new version. Opening reads "m", "e" and the root, nothing else.
// Pruning to earliest E writes "e" = E first (from then on heights below E are refused), then deletes the
// root records below E and, version by version up to E, the records a stale list names in the same batch
// as the list. A crash between those batches leaves unreachable records only, and the next pruning pass
// (one runs after every open) finds and deletes them. (Stores written before the stale list have one
// "o" ‖ staleSince ‖ record and "t" ‖ staleSince ‖ tombstone record per stale record; pruning reads both.)
//
// Reads are synchronous (KVReader): LevelDB lives in a worker thread (worker.ts) and the main thread blocks
// on Atomics.wait for each read that misses the caches (docs/decisions.md "State on disk"). Values of the
// latest version are cached by key; pages by position.

import { ByteLru } from "../../cache.js";
import { keyToBytes, type Change, type KVReader } from "../kv.js";
import type { MerkleProof } from "../smt.js";
import { hashBytes, rootHash as smtRootHash, update as smtUpdate } from "../smt.js";
import {
  checkImportStart,
  collectingImporter,
  checkNextHeight,
  sortedChanges,
  type PreparedState,
  type StateImporter,
  type StateStats,
  type StateStore,
  type StateVersion,
} from "../store.js";
import { DbWorker } from "./channel.js";
import {
  EARLIEST_KEY,
  IMPORT_KEY,
  META_KEY,
  ORPHAN,
  STATS_KEY,
  ROOT_TABLE,
  importRunKey,
  TOMBSTONE_ORPHAN,
  VALUES_END,
  PackedBatch,
  concat,
  decodeStaleList,
  encodeStaleList,
  readU64,
  rootKey,
  tableBound,
  valueEnd,
  valueKey,
  valuePrefix,
  unpackValues,
  writeU64,
} from "./layout.js";
import { EMPTY_REF, NodeReader, applyChanges, decodeRef, encodeRef, prove, type Ref, type TreeDiff } from "./tree.js";
import { IMPORT_BUCKETS, PageBuilder, decodeRuns, encodeRuns } from "./import.js";
import type { Request, ScanResult } from "./worker.js";

/** 4: pages without inner-node hashes, a lone leaf at a page boundary kept in the page above; 3: pages
 *  with every node's hash, lone leaves in pages of their own; 2: one record per binary node (3 and 2 are
 *  refused: see open) */
const META_FORMAT = 4;
/** pairs an import writes per part (issue 13: an import does not hold the whole state in memory) */
const IMPORT_BATCH_PAIRS = 50_000;
const IMPORT_BATCH_BYTES = 32 * 1024 * 1024;
/** page bytes an import's build sends to LevelDB per batch */
const IMPORT_PAGE_BATCH_BYTES = 8 * 1024 * 1024;
/** records deleted per pruning batch */
const PRUNE_BATCH = 10_000;
/** pairs per scan round trip: small first (a paginated query reads a few), larger as iteration goes on */
const SCAN_FIRST = 16;
const SCAN_MAX = 1024;

export interface PruningOptions {
  /** versions kept, the latest included; 0 keeps every version */
  keepRecent: number;
  /** prune after every `interval`-th height */
  interval: number;
}

export interface DiskStoreOptions {
  /** bytes of the value and node caches together (config/app.json state_cache_mb); default 512 MiB */
  cacheBytes?: number;
  pruning?: PruningOptions;
  /** pairs per part of a streamed import (tests make it small); default 50,000 */
  importBatchPairs?: number;
  /** false: the first version of an empty store is written as a block over the empty tree instead of as an
   *  import (the same records; tests compare the two); default true */
  firstVersionAsImport?: boolean;
  /** crash simulation for tests: called before the commit batch and after each pruning batch; returning
   *  true stops right there as a killed process would (the store must then be closed and reopened) */
  faults?: { beforeCommit?(height: number): boolean; afterPruneBatch?(n: number): boolean };
}

export const DefaultStateCacheBytes = 512 * 1024 * 1024;

/**
 * What a value in the values cache keeps alive besides its bytes: its Uint8Array view, the ArrayBuffer and
 * its backing store, and the entry's share of the LRU beyond ByteLru's own per-entry overhead. Measured at
 * 1M keys (2026-11-29, bench/README "Cache memory"): 171,197 cached 100-byte values took 75 MB of heap and
 * external memory, 461 B each, where their bytes + key + ByteLru's overhead counted 196 B: the cache held
 * 2.4× its bound. An absent key (null) costs its key and the entry only.
 */
const CACHED_VALUE_OVERHEAD = 272;

function cachedValueBytes(v: Uint8Array | null): number {
  return v === null ? 0 : v.byteLength + CACHED_VALUE_OVERHEAD;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

function encodeMeta(height: number, appHash: Uint8Array): Uint8Array {
  const b = new Uint8Array(41);
  b[0] = META_FORMAT;
  writeU64(b, 1, height);
  b.set(appHash, 9);
  return b;
}

function encodeStats(stats: StateStats): Uint8Array {
  const b = new Uint8Array(16);
  writeU64(b, 0, stats.keys);
  writeU64(b, 8, stats.bytes);
  return b;
}

function u64(v: number): Uint8Array {
  const b = new Uint8Array(8);
  writeU64(b, 0, v);
  return b;
}

/** getMany through the worker, synchronously (the answer is one packed buffer) */
function getManySync(db: DbWorker, keys: Uint8Array[]): Array<Uint8Array | undefined> {
  return unpackValues(db.call<Uint8Array>({ op: "getMany", keys }), keys.length);
}

async function getMany(db: DbWorker, keys: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
  return unpackValues(await db.request<Uint8Array>({ op: "getMany", keys }), keys.length);
}

/** The scan of [start, end) at `height`, resumed after the key group `resume` (null: from the start). */
function scanRequest(height: number, start: string, end: string | undefined, reverse: boolean, resume: Uint8Array | null, limit: number): Request {
  const gte = valuePrefix(start);
  const lt = end === undefined ? VALUES_END : valuePrefix(end);
  return {
    op: "scan",
    version: height,
    reverse,
    limit,
    ...(reverse ? { gte, lt: resume ?? lt } : resume === null ? { gte, lt } : { gt: concat(resume, new Uint8Array(8).fill(0xff)), lt }),
  };
}

class DiskReader implements KVReader {
  constructor(
    private readonly store: DiskStore,
    private readonly height: number,
  ) {}
  get(key: string): Uint8Array | undefined {
    return this.store.readValue(key, this.height);
  }
  has(key: string): boolean {
    return this.store.readValue(key, this.height) !== undefined;
  }
  iterate(start: string, end?: string): IterableIterator<[string, Uint8Array]> {
    return this.store.scan(this.height, start, end, false);
  }
  iterateReverse(start: string, end?: string): IterableIterator<[string, Uint8Array]> {
    return this.store.scan(this.height, start, end, true);
  }
}

class DiskVersion implements StateVersion {
  readonly appHash: Uint8Array;
  readonly reader: KVReader;
  constructor(
    private readonly store: DiskStore,
    readonly height: number,
    readonly root: Ref,
    /** known for the latest version only (a running total kept from each commit's changes) */
    readonly stats?: StateStats,
  ) {
    this.appHash = hashBytes(root.hash);
    this.reader = new DiskReader(store, height);
  }
  prove(key: string): MerkleProof {
    return this.store.proveAt(this, key);
  }
}

/** A version computed by prepare() and not yet committed. */
export class DiskPending implements PreparedState {
  /** @internal */
  constructor(
    readonly height: number,
    /** @internal */ readonly base: DiskVersion,
    /** @internal the records of a version over a non-empty base (null: `fresh`) */
    readonly diff: TreeDiff | null,
    /** @internal the pairs of the first version of an empty store, in key order (null: `diff`) */
    readonly fresh: Array<[string, Uint8Array]> | null,
    readonly appHash: Uint8Array,
    /** @internal the version's stats once the old values' lengths are read (undefined: unknown) */
    readonly stats: Promise<StateStats | undefined>,
  ) {}
}

export class DiskStore implements StateStore {
  private current: DiskVersion;
  private importing: StateImporter | undefined;
  /** heights an export is reading (pruning stops below the lowest) → how many exports */
  private readonly pins = new Map<number, number>();
  private earliest: number;
  private readonly values: ByteLru<Uint8Array | null>;
  private readonly nodes: NodeReader;
  private committing = false;
  private closed = false;
  private crashed = false;
  private pruneTarget = 0;
  private pruning: Promise<void> | undefined;
  private pruneError: Error | undefined;

  private constructor(
    private readonly db: DbWorker,
    private readonly opts: DiskStoreOptions,
    height: number,
    root: Ref,
    earliest: number,
    stats: StateStats | undefined,
  ) {
    const cacheBytes = opts.cacheBytes ?? DefaultStateCacheBytes;
    // values of the latest version are read far more often than nodes (which only prepare and proofs read)
    this.values = new ByteLru(Math.floor(cacheBytes / 2));
    this.nodes = new NodeReader((keys) => getManySync(this.db, keys), cacheBytes - Math.floor(cacheBytes / 2));
    this.current = new DiskVersion(this, height, root, stats);
    this.earliest = earliest;
  }

  /** Open (or create) the store in `dir`: reads the latest height, app hash and root only. */
  static async open(dir: string, opts: DiskStoreOptions = {}): Promise<DiskStore> {
    const p = opts.pruning;
    if (p && (!Number.isSafeInteger(p.keepRecent) || p.keepRecent < 0 || !Number.isSafeInteger(p.interval) || p.interval < 1)) {
      throw new RangeError(`pruning: keepRecent must be >= 0 and interval >= 1, got ${p.keepRecent} / ${p.interval}`);
    }
    const db = new DbWorker(dir);
    try {
      await db.request({ op: "open" });
      const [meta, earliestRaw, statsRaw, importing] = await getMany(db, [META_KEY, EARLIEST_KEY, STATS_KEY, IMPORT_KEY]);
      if (meta === undefined && importing !== undefined) {
        // an import that never committed (a crash, a close before finish): start empty again
        await db.request({ op: "clear" });
        return new DiskStore(db, opts, 0, EMPTY_REF, 0, { keys: 0, bytes: 0 });
      }
      if (meta === undefined) {
        const any = await db.request<Uint8Array[]>({ op: "keys", gte: Uint8Array.of(0), lt: Uint8Array.of(0xff), limit: 1 });
        if (any.length > 0) throw new Error(`state store corrupted: records but no committed height/app hash in ${dir}`);
        return new DiskStore(db, opts, 0, EMPTY_REF, 0, { keys: 0, bytes: 0 });
      }
      if (statsRaw !== undefined && statsRaw.length !== 16) throw new Error(`state store corrupted: stats record of ${statsRaw.length} bytes (expected 16) in ${dir}`);
      const stats = statsRaw === undefined ? undefined : { keys: readU64(statsRaw, 0), bytes: readU64(statsRaw, 8) };
      if (meta.length !== 41 || meta[0] !== META_FORMAT) {
        throw new Error(
          meta[0] === 1
            ? `state store ${dir} has the in-memory layout of before issue 13 (all pairs under "s"): export the state (qosd export) and start from it`
            : meta[0] === 2 && meta.length === 41
              ? `state store ${dir} has the disk layout of one record per tree node (format 2), which this version no longer reads (it stores the tree in pages): export the state with the previous qosd (qosd export) and start from that export, or join by state sync`
              : meta[0] === 3 && meta.length === 41
                ? `state store ${dir} has the page format 3 (pages holding every node's hash, a lone leaf in a page of its own), which this version no longer reads (format 4: pages without inner hashes): export the state with the previous qosd (qosd export) and start from that export, or join by state sync`
                : `state store corrupted: meta record of ${meta.length} bytes, format ${meta[0]} (expected 41 / ${META_FORMAT})`,
        );
      }
      const height = readU64(meta, 1);
      const appHash = meta.subarray(9, 41);
      const [rootRaw] = await getMany(db, [rootKey(height)]);
      if (rootRaw === undefined) throw new Error(`state store corrupted: no root for the committed height ${height} in ${dir}`);
      const root = decodeRef(rootRaw);
      if (!bytesEqual(hashBytes(root.hash), appHash)) {
        throw new Error(`state store corrupted: the root of height ${height} hashes to ${hex(hashBytes(root.hash))} but the committed app hash is ${hex(appHash)} (${dir})`);
      }
      const earliest = earliestRaw === undefined ? 0 : readU64(earliestRaw, 0);
      const store = new DiskStore(db, opts, height, root, earliest, stats);
      // finish what a pruning pass cut short (a crash, a close) left behind, up to what the options keep
      const keep = opts.pruning?.keepRecent ?? 0;
      const target = Math.max(earliest, keep > 0 ? height - keep + 1 : 0);
      if (target > 0) store.schedulePrune(target);
      return store;
    } catch (e) {
      await db.close().catch(() => {});
      throw e;
    }
  }

  /** The latest committed version: height 0 and the empty hash for a new store. */
  get latest(): StateVersion {
    return this.current;
  }

  get prunedBelow(): number {
    return this.earliest;
  }

  /** The lowest height at() answers (0: nothing pruned). */
  get earliestHeight(): number {
    return Math.max(this.earliest, this.current.height === 0 ? 0 : 1);
  }

  /** A kept version: the latest or an older one not pruned; undefined for a pruned or never-committed height. */
  at(height: number): StateVersion | undefined {
    this.assertOpen();
    if (height === this.current.height) return this.current;
    if (!Number.isSafeInteger(height) || height < 1 || height > this.current.height || height < this.earliest) return undefined;
    const [raw] = getManySync(this.db, [rootKey(height)]);
    return raw === undefined ? undefined : new DiskVersion(this, height, decodeRef(raw));
  }

  /** Why at(height) has nothing, for query errors. */
  explainMissing(height: number): string {
    if (height > this.current.height) return `height ${height} is not committed yet (latest ${this.current.height})`;
    if (height < this.earliest) return `height ${height} is pruned (earliest kept height ${this.earliest})`;
    return `height ${height} has no state (the chain started at a later height)`;
  }

  /** Compute the app hash the changes give, without changing anything committed (see CommitStore.prepare). */
  prepare(height: number, changes: ReadonlyArray<Change>): DiskPending {
    this.assertOpen();
    const base = this.current;
    if (this.importing !== undefined) throw new Error(`state height ${height}: an import of height ${this.importing.height} is in progress`);
    checkNextHeight(height, base.height);
    const sorted = sortedChanges(changes);
    if (base.height === 0 && this.opts.firstVersionAsImport !== false) {
      // The first version of an empty store (a genesis: a million accounts is 2M pairs): the app hash from the
      // in-memory tree built from the leaves, the records written at commit by the import's bottom-up builder,
      // each page once (the same records as applyChanges, which would place every page of the tree as a
      // block's update, a minute of CPU at 1M, and again for each prepare of that height).
      const pairs = sorted.filter((c): c is [string, Uint8Array] => c[1] !== null);
      const stats = { keys: pairs.length, bytes: 0 };
      for (const [k, v] of pairs) stats.bytes += k.length + v.length;
      return new DiskPending(height, base, null, pairs, smtRootHash(smtUpdate(null, pairs)), Promise.resolve(stats));
    }
    const diff = applyChanges(this.nodes, base.root, height, sorted);
    return new DiskPending(height, base, diff, null, hashBytes(diff.root.hash), this.statsAfter(base, diff));
  }

  /**
   * The stats of the version `diff` makes of `base`: the base's running total, plus the new pairs, minus the
   * pairs replaced or deleted. An old value's length comes from the latest-values cache (a block mostly
   * writes what it read) or, for the others, from one read of their value records, sent to the worker
   * at once so that it overlaps the work before commit. Undefined when the base's stats are unknown.
   */
  private statsAfter(base: DiskVersion, diff: TreeDiff): Promise<StateStats | undefined> {
    const stats = base.stats;
    if (stats === undefined) return Promise.resolve(undefined);
    let bytes = stats.bytes;
    for (const [k, v] of diff.values) if (v !== null) bytes += k.length + v.length;
    const unread: Uint8Array[] = [];
    for (const [k, version] of diff.replaced) {
      const cached = this.values.get(k);
      if (cached) bytes -= k.length + cached.length;
      else {
        bytes -= k.length;
        unread.push(valueKey(k, version));
      }
    }
    const keys = stats.keys + diff.keys;
    if (unread.length === 0) return Promise.resolve({ keys, bytes });
    return getMany(this.db, unread).then(
      (records) => {
        for (const r of records) {
          // a value record is 0x01 ‖ value; one missing would be a corrupted store: the total is then unknown
          if (r === undefined || r[0] !== 1) return undefined;
          bytes -= r.length - 1;
        }
        return { keys, bytes };
      },
      () => undefined,
    );
  }

  /** Persist a prepared version in one sync batch; only then does `latest` switch to it. */
  async commit(pending: DiskPending): Promise<void> {
    this.assertOpen();
    if (!(pending instanceof DiskPending)) throw new TypeError("commit: not a DiskPending from prepare()");
    if (this.committing) throw new Error("commit: another commit is in progress");
    const base = this.current;
    if (pending.base !== base) {
      throw new Error(`commit: version ${pending.height} was prepared on height ${pending.base.height}, but the latest is now height ${base.height}`);
    }
    checkNextHeight(pending.height, base.height);
    this.committing = true;
    try {
      if (pending.fresh !== null) await this.writeFresh(pending.height, pending.fresh, pending.appHash);
      else await this.writeVersion(pending.height, pending.diff!, pending.appHash, await pending.stats);
    } finally {
      this.committing = false;
    }
    const h = pending.height;
    const p = this.opts.pruning;
    if (p && p.keepRecent > 0 && h % p.interval === 0 && h - p.keepRecent + 1 > this.earliest) this.schedulePrune(h - p.keepRecent + 1);
  }

  /** The first version of an empty store, written as an import of its pairs (finish() checks the root against
   *  the app hash prepare() gave). */
  private async writeFresh(h: number, pairs: Array<[string, Uint8Array]>, appHash: Uint8Array): Promise<void> {
    const importer = this.beginImport(h);
    try {
      importer.add(pairs);
    } catch (e) {
      importer.abort();
      throw e;
    }
    await importer.finish(appHash);
  }

  /** One sync batch with the version's records, its root and "m"; then `latest` is that version. */
  private async writeVersion(h: number, d: TreeDiff, appHash: Uint8Array, stats: StateStats | undefined): Promise<void> {
    // the batch's size up front (~10 MB at 1M keys): growing it by doubling copied it several times;
    // a value record key is at most 1 + 2 × key + 2 + 8 bytes (every key byte escaped)
    let capacity = 256;
    for (const [key, value] of d.pages) capacity += PackedBatch.putBytes(key.length, value.length);
    for (const [k, v] of d.values) capacity += PackedBatch.putBytes(11 + 2 * k.length, 1 + (v === null ? 0 : v.length));
    let stale = 13;
    for (const r of d.orphans) stale += 2 + r.length;
    for (const r of d.tombstones) stale += 2 + r.length;
    capacity += PackedBatch.putBytes(9, stale);
    const ops = new PackedBatch(capacity);
    for (const [key, value] of d.pages) ops.put(key, value);
    const empty = new Uint8Array(0);
    for (const [k, v] of d.values) {
      if (v === null) ops.put(valueKey(k, h), empty, 0);
      else ops.put(valueKey(k, h), v, 1);
    }
    if (d.orphans.length > 0 || d.tombstones.length > 0) ops.put(tableBound(ORPHAN, h), encodeStaleList(d.orphans, d.tombstones));
    ops.put(rootKey(h), encodeRef(d.root));
    ops.put(META_KEY, encodeMeta(h, appHash));
    // unknown stats: the record goes, so a later open does not take an old total for this version's
    if (stats !== undefined) ops.put(STATS_KEY, encodeStats(stats));
    else ops.del(STATS_KEY);
    if (this.opts.faults?.beforeCommit?.(h)) {
      this.crashed = true;
      throw new Error(`injected crash before the commit of height ${h}`);
    }
    await this.db.request({ op: "batch", ops: ops.finish(), sync: true });
    this.current = new DiskVersion(this, h, d.root, stats);
    // the next block walks the same upper levels: keep what this one wrote instead of reading it back
    this.nodes.remember(d.cachePages);
    for (const [k, v] of d.values) this.values.set(k, v, cachedValueBytes(v));
  }

  /**
   * The pairs of a kept version in key order (CommitStore.exportVersion's contract): throws at once for a
   * height not kept; pruning leaves that version alone until the iterator ends (or is returned). Pairs are
   * read from the worker asynchronously, so a background export never blocks a block.
   */
  exportVersion(height: number): AsyncIterableIterator<[string, Uint8Array]> {
    this.assertOpen();
    const version = height === 0 ? undefined : this.at(height);
    if (version === undefined) {
      throw new Error(`exportVersion: height ${height} is not kept (latest ${this.current.height}, earliest kept ${this.earliestHeight})`);
    }
    this.pins.set(height, (this.pins.get(height) ?? 0) + 1);
    return this.exportPairs(height);
  }

  private async *exportPairs(height: number): AsyncIterableIterator<[string, Uint8Array]> {
    try {
      let resume: Uint8Array | null = null;
      for (;;) {
        this.assertOpen();
        const r: ScanResult = await this.db.request(scanRequest(height, "", undefined, false, resume, SCAN_MAX));
        yield* r.entries;
        if (r.resume === null) return;
        resume = r.resume;
      }
    } finally {
      const n = this.pins.get(height)! - 1;
      if (n > 0) this.pins.set(height, n);
      else this.pins.delete(height);
      if (!this.closed && this.pruneTarget > this.earliest) this.schedulePrune(this.pruneTarget);
    }
  }

  /**
   * Starts writing version `height` into this store, which must be empty (CommitStore.beginImport's
   * contract). Pairs are not held until finish(): every `importBatchPairs` pairs (or 32 MiB of values) go
   * onto disk, unsynced, under an "import in progress" record: their value records, and their leaves cut
   * into runs by key hash (import.ts). finish() builds the tree's pages bottom-up from the runs, bucket by
   * bucket, each page written once, then writes the root and "m" and deletes the runs in one synced batch.
   * An import that is aborted or does not give the expected app hash deletes what it wrote (blocking, in
   * proportion to it); one cut short by a crash is deleted at the next open.
   */
  beginImport(height: number): StateImporter {
    this.assertOpen();
    checkImportStart(height, this.current.height, this.importing);
    let keyCount = 0;
    let byteCount = 0;
    /** parts written so far (their runs are importRunKey(part, bucket)) */
    let parts = 0;
    let committed = false;
    /** the pairs' value records and leaf runs as one unsynced batch; the first also marks the import */
    const writePart = (keys: string[], values: Uint8Array[]): void => {
      this.assertOpen();
      const ops = new PackedBatch();
      if (parts === 0) ops.put(IMPORT_KEY, u64(height));
      for (let i = 0; i < keys.length; i++) {
        ops.put(valueKey(keys[i], height), values[i], 1);
        byteCount += keys[i].length + values[i].length;
      }
      keyCount += keys.length;
      const runs = encodeRuns(keys, values);
      for (let b = 0; b < IMPORT_BUCKETS; b++) if (runs[b] !== undefined) ops.put(importRunKey(parts, b), runs[b]!);
      parts++;
      this.db.call({ op: "batch", ops: ops.finish(), sync: false });
    };
    const importer = collectingImporter(
      height,
      async (keys, values, expectedAppHash) => {
        this.assertOpen();
        if (this.current.height !== 0) throw new Error(`import of height ${height}: the store is no longer empty`);
        if (keys.length > 0 || parts === 0) writePart(keys, values);
        const root = await this.buildImported(height, parts);
        const appHash = hashBytes(root.hash);
        if (expectedAppHash !== undefined && !bytesEqual(appHash, expectedAppHash)) {
          throw new Error(`import of height ${height}: the pairs hash to ${hex(appHash)}, not the expected ${hex(expectedAppHash)}; nothing written (what was streamed is deleted)`);
        }
        const ops = new PackedBatch();
        for (let p = 0; p < parts; p++) for (let b = 0; b < IMPORT_BUCKETS; b++) ops.del(importRunKey(p, b));
        ops.put(rootKey(height), encodeRef(root));
        ops.put(META_KEY, encodeMeta(height, appHash));
        const stats: StateStats = { keys: keyCount, bytes: byteCount };
        ops.put(STATS_KEY, encodeStats(stats));
        ops.del(IMPORT_KEY);
        if (this.opts.faults?.beforeCommit?.(height)) {
          this.crashed = true;
          throw new Error(`injected crash before the commit of height ${height}`);
        }
        await this.db.request({ op: "batch", ops: ops.finish(), sync: true });
        committed = true;
        this.current = new DiskVersion(this, height, root, stats);
        // values read while the store was empty were cached as absent
        this.values.clear();
        this.nodes.clear();
        return appHash;
      },
      (done) => {
        if (this.importing === done) this.importing = undefined;
        if (parts > 0 && !committed && !this.crashed && !this.closed) {
          this.db.call({ op: "clear" });
          this.nodes.clear();
          this.values.clear();
        }
      },
      { pairs: this.opts.importBatchPairs ?? IMPORT_BATCH_PAIRS, bytes: IMPORT_BATCH_BYTES, flush: writePart },
    );
    this.importing = importer;
    return importer;
  }

  /**
   * The pages of an import's tree, from the runs of its `parts` parts, written in unsynced batches (one in
   * flight while the next bucket is read and built); resolves with the root's ref once every batch is written.
   */
  private async buildImported(height: number, parts: number): Promise<Ref> {
    let ops = new PackedBatch();
    let opsBytes = 0;
    let writing: Promise<unknown> = Promise.resolve();
    const builder = new PageBuilder(height, (key, page) => {
      ops.put(key, page);
      opsBytes += key.length + page.length;
    });
    const readBucket = (b: number): Promise<Array<Uint8Array | undefined>> => {
      const keys: Uint8Array[] = [];
      for (let p = 0; p < parts; p++) keys.push(importRunKey(p, b));
      return getMany(this.db, keys);
    };
    let next = readBucket(0);
    try {
      for (let b = 0; b < IMPORT_BUCKETS; b++) {
        const runs = await next;
        this.assertOpen();
        if (b + 1 < IMPORT_BUCKETS) next = readBucket(b + 1);
        for (const leaf of decodeRuns(runs, height)) builder.add(leaf);
        if (opsBytes >= IMPORT_PAGE_BATCH_BYTES) {
          await writing;
          writing = this.db.request({ op: "batch", ops: ops.finish(), sync: false });
          ops = new PackedBatch();
          opsBytes = 0;
        }
      }
      const root = builder.finish();
      await writing;
      writing = this.db.request({ op: "batch", ops: ops.finish(), sync: false });
      await writing;
      return root;
    } finally {
      // nothing of this import may still be on its way to LevelDB when the caller commits or deletes it
      await Promise.allSettled([writing, next]);
    }
  }

  /** Prune every version below `earliest` (at most up to the latest); resolves when done. */
  async pruneTo(earliest: number): Promise<void> {
    this.assertOpen();
    this.schedulePrune(Math.min(earliest, this.current.height));
    await this.pruning;
    if (this.pruneError) throw this.pruneError;
  }

  /** Wait for a background pruning pass (tests, shutdown). */
  async pruned(): Promise<void> {
    await this.pruning;
    if (this.pruneError) throw this.pruneError;
  }

  private schedulePrune(earliest: number): void {
    if (earliest > this.pruneTarget) this.pruneTarget = earliest;
    if (this.pruning) return;
    this.pruning = this.pruneLoop().finally(() => {
      this.pruning = undefined;
    });
  }

  private async pruneLoop(): Promise<void> {
    let batches = 0;
    const stop = (): boolean => {
      batches++;
      if (this.opts.faults?.afterPruneBatch?.(batches)) this.crashed = true;
      return this.crashed || this.closed;
    };
    try {
      for (;;) {
        let target = this.pruneTarget;
        for (const pinned of this.pins.keys()) target = Math.min(target, pinned);
        if (target > this.earliest) {
          // refuse the heights first, in memory and on disk, then delete what only they read
          this.earliest = target;
          const mark = new PackedBatch();
          mark.put(EARLIEST_KEY, u64(target));
          await this.db.request({ op: "batch", ops: mark.finish(), sync: false });
          if (stop()) return;
        }
        const e = this.earliest;
        for (const table of [ROOT_TABLE, ORPHAN, TOMBSTONE_ORPHAN]) {
          // roots below e; stale lists (and legacy orphan records) with staleSince <= e
          const lt = tableBound(table, table === ROOT_TABLE ? e : e + 1);
          for (;;) {
            const keys = await this.db.request<Uint8Array[]>({ op: "keys", gte: Uint8Array.of(table), lt, limit: PRUNE_BATCH });
            if (keys.length === 0) break;
            const ops = new PackedBatch();
            for (const k of keys) {
              if (table === ORPHAN && k.length === 9) {
                // one version's list: what it names and the list itself go in one batch of their own
                const [raw] = await getMany(this.db, [k]);
                if (raw === undefined) continue;
                const list = new PackedBatch();
                const { orphans, tombstones } = decodeStaleList(raw);
                for (const r of orphans) list.del(r);
                for (const r of tombstones) list.del(r);
                list.del(k);
                await this.db.request({ op: "batch", ops: list.finish(), sync: false });
                if (stop()) return;
                continue;
              }
              ops.del(k);
              if (table !== ROOT_TABLE) ops.del(k.subarray(9));
            }
            if (ops.count > 0) {
              await this.db.request({ op: "batch", ops: ops.finish(), sync: false });
              if (stop()) return;
            }
          }
        }
        if (this.pruneTarget <= this.earliest || this.pins.size > 0) return;
      }
    } catch (e) {
      this.pruneError = e instanceof Error ? e : new Error(String(e));
    }
  }

  /** Compact LevelDB (qosd prune, after pruning). */
  async compact(): Promise<void> {
    this.assertOpen();
    await this.db.request({ op: "compact" });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pruning;
    await this.db.close();
  }

  /** @internal bench figures: worker round trips by op, page cache hits/misses, the worker's thread id */
  diagnostics(): { roundTrips: DbWorker["roundTrips"]; pages: { hits: number; misses: number }; workerThread: number | null } {
    return { roundTrips: this.db.roundTrips, pages: this.nodes.cacheCounters, workerThread: this.db.call<number | null>({ op: "thread" }) };
  }

  /** @internal */
  readValue(key: string, height: number): Uint8Array | undefined {
    this.assertReadable(height);
    const latest = height === this.current.height;
    if (latest) {
      const hit = this.values.get(key);
      if (hit !== undefined) return hit ?? undefined;
    }
    const raw = this.db.call<Uint8Array | null>({ op: "first", gte: valueKey(key, height), lt: valueEnd(key) });
    const value = raw === null || raw[0] === 0 ? null : raw.subarray(1);
    if (latest && height === this.current.height) this.values.set(key, value, cachedValueBytes(value));
    return value ?? undefined;
  }

  /** @internal */
  *scan(height: number, start: string, end: string | undefined, reverse: boolean): IterableIterator<[string, Uint8Array]> {
    if (end !== undefined && end <= start) return;
    let resume: Uint8Array | null = null;
    let limit = SCAN_FIRST;
    for (;;) {
      this.assertReadable(height);
      const r: ScanResult = this.db.call(scanRequest(height, start, end, reverse, resume, limit));
      yield* r.entries;
      if (r.resume === null) return;
      resume = r.resume;
      limit = Math.min(limit * 4, SCAN_MAX);
    }
  }

  /** @internal */
  proveAt(version: DiskVersion, key: string): MerkleProof {
    this.assertReadable(version.height);
    return prove(this.nodes, version.root, keyToBytes(key));
  }

  private assertReadable(height: number): void {
    this.assertOpen();
    if (height < this.earliest) throw new Error(`state at height ${height} is pruned (earliest kept height ${this.earliest})`);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("state store is closed");
    if (this.crashed) throw new Error("state store stopped by an injected crash: close and reopen it");
  }
}
