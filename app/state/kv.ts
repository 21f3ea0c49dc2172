// Key-value interfaces and the write-buffering CacheStore (design D6).
//
// Keys are `string`s in "latin1 binary" form: every char code is 0..255 and stands for one byte, so
// plain JS string comparison (`<`) is bytewise order. Values are `Uint8Array`s and are treated as
// immutable: a store keeps the array it was given and hands out that same array, so never mutate an
// array after `set()` or one returned by `get()`/`iterate()`.

import { BTree } from "./btree.js";

export interface KVReader {
  get(key: string): Uint8Array | undefined;
  has(key: string): boolean;
  /** ascending by key, keys in [start, end); end undefined = to the end */
  iterate(start: string, end?: string): IterableIterator<[string, Uint8Array]>;
  /** descending by key, keys in [start, end); only committed versions offer it (paginated queries with reverse) */
  iterateReverse?(start: string, end?: string): IterableIterator<[string, Uint8Array]>;
}

export interface KVStore extends KVReader {
  set(key: string, value: Uint8Array): void;
  delete(key: string): void;
}

/** One buffered change: a value to write, or `null` for a deletion. */
export type Change = [string, Uint8Array | null];

/** Bytes → latin1 key string (one char per byte). */
export function bytesToKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/** latin1 key string → bytes (a plain Uint8Array, not a Buffer). Throws if a char code is above 255. */
export function keyToBytes(key: string): Uint8Array {
  assertBinaryKey(key);
  const b = Buffer.from(key, "latin1");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The smallest string greater than every string that starts with `prefix` (for `iterate(prefix, prefixEnd(prefix))`);
 *  undefined when there is none (prefix empty or all 0xff). */
export function prefixEnd(prefix: string): string | undefined {
  let i = prefix.length - 1;
  while (i >= 0 && prefix.charCodeAt(i) === 0xff) i--;
  if (i < 0) return undefined;
  return prefix.slice(0, i) + String.fromCharCode(prefix.charCodeAt(i) + 1);
}

// Matches any char outside 0..255.
const NON_BINARY = /[^\u0000-\u00ff]/;

/** Throws if `key` is not a string of char codes 0..255. */
export function assertBinaryKey(key: string): void {
  if (typeof key !== "string") throw new TypeError(`state key must be a string, got ${typeof key}`);
  if (NON_BINARY.test(key)) throw new RangeError(`state key ${JSON.stringify(key)} has a char code above 255 (keys are latin1 binary strings)`);
}

/** Bytewise key comparison (latin1 strings). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isKVStore(r: KVReader): r is KVStore {
  return typeof (r as Partial<KVStore>).set === "function" && typeof (r as Partial<KVStore>).delete === "function";
}

/** A write-buffering branch over a parent. Used for the block's working set (over the committed state)
 *  and for each transaction (over the block's working set). Reads fall through to the parent;
 *  iterate() merges buffered writes and deletions with the parent's entries in order.
 *
 *  Buffered writes live in a Map (O(1) get/set). An ordered index of the buffered keys is built only on the
 *  first iterate() and kept up to date afterwards, so stores that are never iterated pay nothing for it.
 *  Writing to this store while iterating it is allowed (the iterator re-seeks the buffer at each step, so
 *  changes ahead of the cursor are seen and changes behind it are not); writing to the parent, or calling
 *  write()/discard(), while an iterator of this store is open is not supported. */
export class CacheStore implements KVStore {
  private readonly parent: KVReader;
  /** key → new value, or null for a deletion */
  private writes = new Map<string, Uint8Array | null>();
  /** ordered set of the buffered keys (deleted ones too); null until the first iterate() */
  private index: BTree<string, true> | null = null;

  constructor(parent: KVReader) {
    this.parent = parent;
  }

  get(key: string): Uint8Array | undefined {
    const v = this.writes.get(key);
    if (v !== undefined) return v === null ? undefined : v;
    return this.parent.get(key);
  }

  /** the reader this branch falls through to */
  get parentReader(): KVReader {
    return this.parent;
  }

  /** Point reads of this branch's buffered writes over another parent (app/gas.ts `unmetered`: the same
   *  branch with the meter under it taken away). Not iterable. */
  readsOver(parent: KVReader): KVReader {
    const writes = this.writes;
    return {
      get: (key) => {
        const v = writes.get(key);
        return v !== undefined ? (v === null ? undefined : v) : parent.get(key);
      },
      has: (key) => {
        const v = writes.get(key);
        return v !== undefined ? v !== null : parent.has(key);
      },
      iterate: () => {
        throw new Error("an unmetered view is for point reads only");
      },
    };
  }

  has(key: string): boolean {
    const v = this.writes.get(key);
    if (v !== undefined) return v !== null;
    return this.parent.has(key);
  }

  set(key: string, value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) throw new TypeError(`CacheStore.set(${JSON.stringify(key)}): value must be a Uint8Array`);
    this.put(key, value);
  }

  delete(key: string): void {
    this.put(key, null);
  }

  private put(key: string, value: Uint8Array | null): void {
    if (typeof key !== "string") throw new TypeError(`state key must be a string, got ${typeof key}`);
    const w = this.writes;
    if (this.index !== null && !w.has(key)) this.index.set(key, true);
    w.set(key, value);
  }

  *iterate(start: string, end?: string): IterableIterator<[string, Uint8Array]> {
    if (end !== undefined && end <= start) return;
    const index = this.ensureIndex();
    const writes = this.writes;
    const pit = this.parent.iterate(start, end);
    let p = pit.next();
    // Every key <= pos has been emitted or passed; the buffer is re-sought from pos at each step.
    let pos: string | undefined;
    for (;;) {
      let b = pos === undefined ? (index.has(start) ? start : index.nextHigherKey(start)) : index.nextHigherKey(pos);
      if (b !== undefined && end !== undefined && b >= end) b = undefined;
      if (!p.done) {
        const entry = p.value;
        const pk = entry[0];
        if (b === undefined || pk < b) {
          // A parent entry with no buffered change.
          p = pit.next();
          pos = pk;
          yield entry;
          continue;
        }
        if (pk === b) p = pit.next(); // the buffered change overrides the parent's entry
      } else if (b === undefined) {
        return;
      }
      pos = b;
      const v = writes.get(b);
      if (v !== null && v !== undefined) yield [b, v];
    }
  }

  private ensureIndex(): BTree<string, true> {
    if (this.index === null) {
      const keys = Array.from(this.writes.keys()).sort(compareKeys);
      const index = new BTree<string, true>(undefined, compareKeys);
      for (const k of keys) index.set(k, true);
      this.index = index;
    }
    return this.index;
  }

  /** Apply buffered writes/deletes to the parent (which must be a KVStore), then clear the buffer. */
  write(): void {
    const parent = this.parent;
    if (!isKVStore(parent)) throw new Error("CacheStore.write(): the parent is read-only (not a KVStore)");
    for (const [k, v] of this.writes) {
      if (v === null) parent.delete(k);
      else parent.set(k, v);
    }
    this.clear();
  }

  /** Drop buffered writes. */
  discard(): void {
    this.clear();
  }

  private clear(): void {
    this.writes = new Map();
    this.index = null;
  }

  /** Buffered changes sorted by key; null = delete. */
  changes(): Change[] {
    const out = Array.from(this.writes.entries());
    out.sort((a, b) => compareKeys(a[0], b[0]));
    return out;
  }

  /** Number of buffered entries (writes and deletions). */
  get size(): number {
    return this.writes.size;
  }
}
