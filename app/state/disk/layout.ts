// LevelDB record keys of the disk store (app/state/disk/store.ts has the whole layout). Shared by the main
// thread and the LevelDB worker. Every function returns a compact buffer of its own (not a slice of Node's
// pool), because these buffers cross to the worker by structured clone, which copies the whole backing
// ArrayBuffer of a view.

/** "m" → 0x02 ‖ height u64 ‖ appHash(32): the latest committed version */
export const META_KEY = Uint8Array.of(0x6d);
/** "e" → earliest kept height u64: versions below it are pruned */
export const EARLIEST_KEY = Uint8Array.of(0x65);
/** "c" → keys u64 ‖ bytes u64: pairs in the latest version and Σ key + value length (operators' metrics),
 *  written in the commit batch; absent in a store written before it (the metrics are then unknown) */
export const STATS_KEY = Uint8Array.of(0x63);
/** "i" → height u64: an import of that height is being streamed in (no "m" yet); whatever an import left
 *  without committing is deleted when it is aborted or the store is next opened */
export const IMPORT_KEY = Uint8Array.of(0x69);

/** "h" ‖ part u32 ‖ bucket u8 → leaf records (import.ts) of the pairs of one part of an import whose key hash
 *  starts with byte `bucket`: an import sorts its leaves by key hash through these, and deletes them in its
 *  commit batch (they exist only while "i" does) */
const IMPORT_RUN = 0x68;
const VALUE = 0x76; // "v"
/** "n": binary node records of format 2 (before pages); a store holding them is refused at open */
const PAGE = 0x70; // "p"
const ROOT = 0x72; // "r"
/** "o" ‖ staleSince u64 → staleList(): the page and value records that no version >= staleSince reads, and
 *  that version's tombstones. Stores written before the list had one record per stale record instead:
 *  "o" ‖ staleSince u64 ‖ record key → "" (and tombstones under "t"); pruning still reads those. */
export const ORPHAN = 0x6f;
/** legacy "t" ‖ staleSince u64 ‖ value record key: a tombstone, removed only after every "o" record up to
 *  the same height (it hides the older value of its key until that is gone) */
export const TOMBSTONE_ORPHAN = 0x74;

const TWO32 = 2 ** 32;

export function writeU64(b: Uint8Array, off: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  const lo = v >>> 0;
  b[off] = hi >>> 24;
  b[off + 1] = (hi >>> 16) & 0xff;
  b[off + 2] = (hi >>> 8) & 0xff;
  b[off + 3] = hi & 0xff;
  b[off + 4] = lo >>> 24;
  b[off + 5] = (lo >>> 16) & 0xff;
  b[off + 6] = (lo >>> 8) & 0xff;
  b[off + 7] = lo & 0xff;
}

export function readU64(b: Uint8Array, off: number): number {
  const hi = ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  const lo = ((b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]) >>> 0;
  return hi * TWO32 + lo;
}

/** bytes of the order-preserving, prefix-free escape of a latin1 key: 0x00 → 0x00 0xff, then 0x00 0x01 */
function escapedLength(key: string): number {
  let n = key.length + 2;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === 0) n++;
  return n;
}

function writeEscaped(b: Uint8Array, off: number, key: string): number {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    b[off++] = c;
    if (c === 0) b[off++] = 0xff;
  }
  b[off++] = 0;
  b[off++] = 1;
  return off;
}

/** "v" ‖ escape(key): every record of `key` starts with it, and it sorts after every record of a smaller key */
export function valuePrefix(key: string): Uint8Array {
  const b = new Uint8Array(1 + escapedLength(key));
  b[0] = VALUE;
  writeEscaped(b, 1, key);
  return b;
}

/** "v" ‖ escape(key) ‖ ~version u64 → 0x01 ‖ value, or 0x00 (deleted at that version). The inverted version
 *  puts the newest record of a key first, so the value at version V is the first record at or after
 *  valueKey(key, V). */
export function valueKey(key: string, version: number): Uint8Array {
  const n = 1 + escapedLength(key);
  const b = new Uint8Array(n + 8);
  b[0] = VALUE;
  writeEscaped(b, 1, key);
  writeU64(b, n, Number.MAX_SAFE_INTEGER - version);
  return b;
}

/** the first key after every record of `key` */
export function valueEnd(key: string): Uint8Array {
  const b = valuePrefix(key);
  b[b.length - 1] = 2;
  return b;
}

/** the end of all value records */
export const VALUES_END = Uint8Array.of(VALUE + 1);

/** version of a value record (its last 8 bytes) */
export function valueRecordVersion(record: Uint8Array): number {
  return Number.MAX_SAFE_INTEGER - readU64(record, record.length - 8);
}

/** the key of a value record prefix (valuePrefix(key) → key) */
export function unescapeKey(prefix: Uint8Array): string {
  let s = "";
  const end = prefix.length - 2;
  for (let i = 1; i < end; i++) {
    const c = prefix[i];
    s += String.fromCharCode(c);
    if (c === 0) i++;
  }
  return s;
}

/** "p" ‖ version u64 ‖ depth u16 ‖ the first `depth` bits of the path (bits after them zero) → page: the
 *  subtree of depths [depth, depth + 4) at that position (tree.ts). A page is written once, by the version
 *  that created it at that position, and never changed. */
export function pageKey(version: number, depth: number, path: Uint8Array): Uint8Array {
  const b = new Uint8Array(pageKeyLength(depth));
  writePageKey(b, 0, version, depth, path);
  return b;
}

export function pageKeyLength(depth: number): number {
  return 11 + ((depth + 7) >> 3);
}

/** pageKey written into `b` at `off` (pageKeyLength(depth) bytes) */
export function writePageKey(b: Uint8Array, off: number, version: number, depth: number, path: Uint8Array): void {
  const n = (depth + 7) >> 3;
  b[off] = PAGE;
  writeU64(b, off + 1, version);
  b[off + 9] = depth >> 8;
  b[off + 10] = depth & 0xff;
  for (let i = 0; i < n; i++) b[off + 11 + i] = path[i];
  if (depth & 7) b[off + 10 + n] &= (0xff00 >> (depth & 7)) & 0xff;
}

export function importRunKey(part: number, bucket: number): Uint8Array {
  return Uint8Array.of(IMPORT_RUN, part >>> 24, (part >>> 16) & 0xff, (part >>> 8) & 0xff, part & 0xff, bucket);
}

/** "r" ‖ version u64 → reference to the root node of that version */
export function rootKey(version: number): Uint8Array {
  const b = new Uint8Array(9);
  b[0] = ROOT;
  writeU64(b, 1, version);
  return b;
}

/**
 * The stale records of one version as one LevelDB value (one record per version instead of one per stale
 * record: a block makes tens of thousands): orphanCount u32 ‖ (len u16 ‖ record key)* for the orphans, then
 * the same for the tombstones to the end. A tombstone is deleted in the same batch as the orphans of its
 * version, which include the older value record it hides.
 */
export function encodeStaleList(orphans: readonly Uint8Array[], tombstones: readonly Uint8Array[]): Uint8Array {
  let n = 4;
  for (const r of orphans) n += 2 + r.length;
  for (const r of tombstones) n += 2 + r.length;
  const b = new Uint8Array(n);
  b[0] = orphans.length >>> 24;
  b[1] = (orphans.length >>> 16) & 0xff;
  b[2] = (orphans.length >>> 8) & 0xff;
  b[3] = orphans.length & 0xff;
  let o = 4;
  for (const list of [orphans, tombstones]) {
    for (const r of list) {
      if (r.length > 0xffff) throw new Error(`stale record key of ${r.length} bytes`);
      b[o] = r.length >> 8;
      b[o + 1] = r.length & 0xff;
      b.set(r, o + 2);
      o += 2 + r.length;
    }
  }
  return b;
}

/** encodeStaleList's inverse: the orphans, then the tombstones (views into `b`) */
export function decodeStaleList(b: Uint8Array): { orphans: Uint8Array[]; tombstones: Uint8Array[] } {
  const count = readU32(b, 0);
  const orphans: Uint8Array[] = [];
  const tombstones: Uint8Array[] = [];
  let o = 4;
  while (o < b.length) {
    if (o + 2 > b.length) throw new Error("state store corrupted: stale list cut short");
    const len = (b[o] << 8) | b[o + 1];
    if (o + 2 + len > b.length) throw new Error("state store corrupted: stale list cut short");
    (orphans.length < count ? orphans : tombstones).push(b.subarray(o + 2, o + 2 + len));
    o += 2 + len;
  }
  if (orphans.length !== count) throw new Error(`state store corrupted: stale list of ${orphans.length} orphans, its count says ${count}`);
  return { orphans, tombstones };
}

/** `table` ‖ version u64: bound of an orphan or root range */
export function tableBound(table: number, version: number): Uint8Array {
  const b = new Uint8Array(9);
  b[0] = table;
  writeU64(b, 1, version);
  return b;
}

export const ROOT_TABLE = ROOT;
export const PAGE_TABLE = PAGE;

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** a view copied into an ArrayBuffer of its own size (for structured clone) */
export function compact(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && !(b instanceof Buffer) ? b : Uint8Array.prototype.slice.call(b);
}

export type WriteOp = { type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array };

const PUT = 1;
const DEL = 2;

/**
 * A write batch packed into one buffer, so that a commit's tens of thousands of records cross to the worker
 * as one transferred ArrayBuffer instead of a structured clone of as many objects.
 * Record: PUT u8 ‖ keyLen u32 ‖ key ‖ valueLen u32 ‖ [prefix u8] value   |   DEL u8 ‖ keyLen u32 ‖ key
 */
export class PackedBatch {
  private buf: Uint8Array;
  private len = 0;
  count = 0;

  /** `capacity`: the bytes the records will take, when known (no regrowing and copying on the way) */
  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
  }

  /** bytes a put of these lengths takes (for the capacity) */
  static putBytes(keyLength: number, valueLength: number): number {
    return 9 + keyLength + valueLength;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private u32(v: number): void {
    const b = this.buf;
    const o = this.len;
    b[o] = v >>> 24;
    b[o + 1] = (v >>> 16) & 0xff;
    b[o + 2] = (v >>> 8) & 0xff;
    b[o + 3] = v & 0xff;
    this.len += 4;
  }

  /** put key → (prefix byte, if given) ‖ value */
  put(key: Uint8Array, value: Uint8Array, prefix?: number): void {
    const vlen = value.length + (prefix === undefined ? 0 : 1);
    this.reserve(9 + key.length + vlen);
    this.buf[this.len++] = PUT;
    this.u32(key.length);
    this.buf.set(key, this.len);
    this.len += key.length;
    this.u32(vlen);
    if (prefix !== undefined) this.buf[this.len++] = prefix;
    this.buf.set(value, this.len);
    this.len += value.length;
    this.count++;
  }

  del(key: Uint8Array): void {
    this.reserve(5 + key.length);
    this.buf[this.len++] = DEL;
    this.u32(key.length);
    this.buf.set(key, this.len);
    this.len += key.length;
    this.count++;
  }

  /** the packed records: a view at the start of the batch's own buffer, to transfer as it is (no copy; the
   *  batch is not used afterwards) */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Calls `put` / `del` for each record of a PackedBatch buffer, with views into it. */
export function unpackBatch(b: Uint8Array, put: (key: Uint8Array, value: Uint8Array) => void, del: (key: Uint8Array) => void): void {
  let o = 0;
  while (o < b.length) {
    const type = b[o];
    const klen = readU32(b, o + 1);
    const key = b.subarray(o + 5, o + 5 + klen);
    o += 5 + klen;
    if (type === PUT) {
      const vlen = readU32(b, o);
      put(key, b.subarray(o + 4, o + 4 + vlen));
      o += 4 + vlen;
    } else if (type === DEL) {
      del(key);
    } else {
      throw new Error(`packed batch: record type ${type} at offset ${o - 5 - klen}`);
    }
  }
}

/** getMany's answer packed into one buffer: per key len u32 ‖ bytes, len 0xffffffff for a missing key */
export function packValues(values: ReadonlyArray<Uint8Array | undefined>): Uint8Array {
  let n = 0;
  for (const v of values) n += 4 + (v === undefined ? 0 : v.length);
  const b = new Uint8Array(n);
  let o = 0;
  for (const v of values) {
    const len = v === undefined ? 0xffffffff : v.length;
    b[o] = len >>> 24;
    b[o + 1] = (len >>> 16) & 0xff;
    b[o + 2] = (len >>> 8) & 0xff;
    b[o + 3] = len & 0xff;
    o += 4;
    if (v !== undefined) {
      b.set(v, o);
      o += v.length;
    }
  }
  return b;
}

/** packValues' inverse: views into `b` */
export function unpackValues(b: Uint8Array, count: number): Array<Uint8Array | undefined> {
  const out = new Array<Uint8Array | undefined>(count);
  let o = 0;
  for (let i = 0; i < count; i++) {
    const len = readU32(b, o);
    o += 4;
    if (len === 0xffffffff) out[i] = undefined;
    else {
      out[i] = b.subarray(o, o + len);
      o += len;
    }
  }
  if (o !== b.length) throw new Error(`packed values: ${b.length - o} bytes left over after ${count} values`);
  return out;
}
