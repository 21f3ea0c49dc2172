// A small typed layer over the key-value store (after the Cosmos SDK's `collections`): a keeper declares
// its keys once, in keeper.ts, as Items, StoreMaps, KeySets and Sequences with key and value codecs, and
// never builds a key or decodes a value by hand. Every codec writes exactly the bytes the hand-written
// keepers wrote (fixed-width big-endian integers, raw 20-byte addresses, decimal ASCII amounts, protobuf
// messages), so adopting it changes no key, no value and no app hash.
//
// Keys are latin1 strings (one char per byte, see kv.ts): concatenating encoded parts is concatenating
// bytes, so a fixed-width part followed by another part sorts by the first part first.
import type { z } from "zod";
import type { KVReader, KVStore } from "./kv.js";
import { paginate, type Page, type PageRequest } from "../query.js";
import { bytesToKey, keyToBytes, prefixEnd } from "./kv.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ---- key codecs ----

/** Encodes a key part to its latin1 string and back. `width` is the encoded length when fixed; a part
 *  without a width can only be the last part of a tuple (nothing marks where it ends). */
export interface KeyCodec<K> {
  readonly width?: number;
  encode(key: K): string;
  decode(encoded: string): K;
  /** for a part without a width that marks its own end (delimitedStringKey): its encoded length at the
   *  start of `rest` (the encoded tuple from this part on) */
  lengthIn?(rest: string): number;
}

/** A fixed-length byte string (an address: 20 bytes). */
export function bytesKey(width: number): KeyCodec<Uint8Array> {
  return {
    width,
    encode(key) {
      if (key.length !== width) throw new RangeError(`key part has ${key.length} bytes, expected ${width}`);
      return bytesToKey(key);
    },
    decode: (encoded) => keyToBytes(encoded),
  };
}

/** An unsigned 64-bit big-endian integer. Negative values encode as 0 (as every keeper's be64 did: a time
 *  before the epoch sorts first). */
export const u64Key: KeyCodec<bigint> = {
  width: 8,
  encode(n) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(n < 0n ? 0n : n);
    return b.toString("latin1");
  },
  decode: (encoded) => Buffer.from(encoded, "latin1").readBigUInt64BE(0),
};

/** An unsigned 32-bit big-endian integer. */
export const u32Key: KeyCodec<number> = {
  width: 4,
  encode(n) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b.toString("latin1");
  },
  decode: (encoded) => Buffer.from(encoded, "latin1").readUInt32BE(0),
};

const Ascii = /^[\x00-\x7f]*$/;

/** A UTF-8 string as the last key part (a denom, a chain id, a name). */
export const stringKey: KeyCodec<string> = {
  // an ASCII string's UTF-8 bytes are its char codes: it is its own latin1 form (denoms, on every balance read)
  encode: (s) => (Ascii.test(s) ? s : Buffer.from(s, "utf8").toString("latin1")),
  decode: (encoded) => Buffer.from(encoded, "latin1").toString("utf8"),
};

/** A UTF-8 string followed by a separator byte: a variable-length part that is not last (a chain id or a
 *  token name, then "/" and a sequence, a denom or an address), as `<chain>/<seq>` keys were written by
 *  hand. The first separator ends the part (a later part may hold the separator byte: an address, a
 *  big-endian number), so the keeper must never WRITE a string containing it (qcp checks chain ids, qsc
 *  names, before anything is stored). Encoding one is not refused: a lookup with a user's string (a query
 *  for chain "a/b") reads the key the hand-written keepers read and finds nothing, as before. */
export function delimitedStringKey(separator = "/"): KeyCodec<string> {
  if (separator.length !== 1 || separator.charCodeAt(0) > 0x7f) throw new RangeError("the separator must be one ASCII character");
  return {
    encode: (s) => stringKey.encode(s) + separator,
    decode(encoded) {
      if (!encoded.endsWith(separator)) throw new RangeError(`key part does not end with ${JSON.stringify(separator)}`);
      return stringKey.decode(encoded.slice(0, -1));
    },
    lengthIn(rest) {
      const end = rest.indexOf(separator);
      if (end < 0) throw new RangeError(`key part has no ${JSON.stringify(separator)}`);
      return end + 1;
    },
  };
}

/** Bytes of any length as the last key part. */
export const rawBytesKey: KeyCodec<Uint8Array> = { encode: bytesToKey, decode: keyToBytes };

type KeyOf<C> = C extends KeyCodec<infer K> ? K : never;
type KeysOf<T extends readonly KeyCodec<any>[]> = { [I in keyof T]: KeyOf<T[I]> };

/** Several parts, concatenated; every part but the last has a fixed width or marks its own end. */
export function tupleKey<T extends readonly KeyCodec<any>[]>(...parts: T): KeyCodec<KeysOf<T>> {
  parts.slice(0, -1).forEach((p, i) => {
    if (p.width === undefined && !p.lengthIn) throw new Error(`tuple key part ${i} has no fixed width and is not the last`);
  });
  const widths = parts.map((p) => p.width);
  const total = widths.every((w) => w !== undefined) ? (widths as number[]).reduce((a, b) => a + b, 0) : undefined;
  return {
    width: total,
    encode(key) {
      let encoded = "";
      for (let i = 0; i < parts.length; i++) encoded += parts[i].encode(key[i]);
      return encoded;
    },
    decode(encoded) {
      let at = 0;
      return parts.map((p, i) => {
        const end =
          p.width !== undefined ? at + p.width : p.lengthIn && i < parts.length - 1 ? at + p.lengthIn(encoded.slice(at)) : encoded.length;
        const part = p.decode(encoded.slice(at, end));
        at = end;
        return part;
      }) as KeysOf<T>;
    },
  };
}

/** The encoded prefix of the first `parts.length` parts of a tuple key (iterate one validator's entries). */
export function keyPrefix(...parts: Array<[KeyCodec<any>, unknown]>): string {
  return parts.map(([codec, value]) => codec.encode(value)).join("");
}

// ---- value codecs ----

export interface ValueCodec<V> {
  encode(value: V): Uint8Array;
  decode(bytes: Uint8Array): V;
}

/** A protobuf message (a generated codec). */
export function protoValue<V>(codec: { encode(message: V): { finish(): Uint8Array }; decode(bytes: Uint8Array): V }): ValueCodec<V> {
  return { encode: (v) => codec.encode(v).finish(), decode: (b) => codec.decode(b) };
}

/** A bigint as decimal ASCII ("12345"). */
export const bigintValue: ValueCodec<bigint> = {
  encode: (n) => encoder.encode(n.toString()),
  decode: (b) => BigInt(decoder.decode(b)),
};

/** An unsigned 64-bit big-endian integer (8 bytes), as qcp stores its sequences. */
export const u64Value: ValueCodec<bigint> = {
  encode(n) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(n);
    return new Uint8Array(b);
  },
  decode: (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).readBigUInt64BE(0),
};

/** A UTF-8 string. */
export const stringValue: ValueCodec<string> = { encode: (s) => encoder.encode(s), decode: (b) => decoder.decode(b) };

/** Raw bytes, as stored. */
export const bytesValue: ValueCodec<Uint8Array> = { encode: (b) => b, decode: (b) => b };

/** JSON checked by a zod schema on the way in and out. */
export function jsonValue<V>(schema: z.ZodType<V>): ValueCodec<V> {
  return {
    encode: (v) => encoder.encode(JSON.stringify(schema.parse(v))),
    decode: (b) => schema.parse(JSON.parse(decoder.decode(b))),
  };
}

// ---- collections ----

/** One value under one key (a module's params, a counter, the community pool). */
export class Item<V> {
  constructor(
    readonly key: string,
    private readonly codec: ValueCodec<V>,
  ) {}

  get(store: KVReader): V | undefined {
    const raw = store.get(this.key);
    return raw === undefined ? undefined : this.codec.decode(raw);
  }

  getOr(store: KVReader, fallback: V): V {
    return this.get(store) ?? fallback;
  }

  has(store: KVReader): boolean {
    return store.has(this.key);
  }

  set(store: KVStore, value: V): void {
    store.set(this.key, this.codec.encode(value));
  }

  delete(store: KVStore): void {
    store.delete(this.key);
  }
}

/** A counter stored as decimal ASCII: `next` returns the current value and stores the one after it. */
export class Sequence {
  private readonly item: Item<bigint>;

  constructor(
    key: string,
    private readonly first: bigint = 1n,
  ) {
    this.item = new Item(key, bigintValue);
  }

  peek(store: KVReader): bigint {
    return this.item.getOr(store, this.first);
  }

  next(store: KVStore): bigint {
    const value = this.peek(store);
    this.item.set(store, value + 1n);
    return value;
  }

  set(store: KVStore, value: bigint): void {
    this.item.set(store, value);
  }
}

/** One entry as a light client proves it (qoscli --verify): the raw store key a `/store/key` query with
 *  prove asks for, and how to read the value the proof covers. Modules hand these out from keeper.ts, so
 *  clients prove values without knowing (or copying) a key layout. */
export interface ProvableEntry<V> {
  readonly key: Uint8Array;
  decode(bytes: Uint8Array): V;
}

/** Keys (of one codec) under a prefix, each with a value (of one codec). Iteration is in key-byte order. */
export class StoreMap<K, V> {
  constructor(
    readonly prefix: string,
    readonly keyCodec: KeyCodec<K>,
    readonly valueCodec: ValueCodec<V>,
  ) {}

  /** the full store key of `key` */
  storeKey(key: K): string {
    return this.prefix + this.keyCodec.encode(key);
  }

  /** the entry of `key` as a client proves it (its raw store key and value codec) */
  provable(key: K): ProvableEntry<V> {
    const codec = this.valueCodec;
    return { key: keyToBytes(this.storeKey(key)), decode: (bytes) => codec.decode(bytes) };
  }

  get(store: KVReader, key: K): V | undefined {
    const raw = store.get(this.storeKey(key));
    return raw === undefined ? undefined : this.valueCodec.decode(raw);
  }

  has(store: KVReader, key: K): boolean {
    return store.has(this.storeKey(key));
  }

  set(store: KVStore, key: K, value: V): void {
    store.set(this.storeKey(key), this.valueCodec.encode(value));
  }

  delete(store: KVStore, key: K): void {
    store.delete(this.storeKey(key));
  }

  /** Entries in key order. `within` is an encoded key prefix (keyPrefix(...)) to stay under; `from`/`to`
   *  bound the encoded keys ([from, to)) inside it. */
  *entries(store: KVReader, range: { within?: string; from?: string; to?: string } = {}): IterableIterator<[K, V]> {
    for (const [key, raw] of this.rawEntries(store, range)) yield [this.keyCodec.decode(key), this.valueCodec.decode(raw)];
  }

  *keys(store: KVReader, range: { within?: string; from?: string; to?: string } = {}): IterableIterator<K> {
    for (const [key] of this.rawEntries(store, range)) yield this.keyCodec.decode(key);
  }

  /** encoded keys (without the map's prefix) and raw values */
  private *rawEntries(store: KVReader, range: { within?: string; from?: string; to?: string } = {}): IterableIterator<[string, Uint8Array]> {
    const base = this.prefix + (range.within ?? "");
    const start = range.from === undefined ? base : this.prefix + range.from;
    const end = range.to === undefined ? prefixEnd(base) : this.prefix + range.to;
    for (const [key, raw] of store.iterate(start, end)) yield [key.slice(this.prefix.length), raw];
  }

  /** One page of entries (app/query.ts pagination) under `within` (an encoded key prefix, keyPrefix(...)):
   *  next_key is the encoded key after `within`, as in the Cosmos SDK. `item` maps an entry to a list item,
   *  or undefined to leave it out (a filter). */
  page<T>(store: KVReader, request: PageRequest | undefined, item: (key: K, value: V) => T | undefined, within = ""): Page<T> {
    return paginate(store, this.prefix + within, request, (suffix, raw) => item(this.keyCodec.decode(within + suffix), this.valueCodec.decode(raw)));
  }

  /** the encoded key's decoded form (pagination hands out suffixes) */
  decodeKey(encoded: string): K {
    return this.keyCodec.decode(encoded);
  }
}

/** Keys without values (an index): stored with an empty value unless the keeper's format says otherwise. */
export class KeySet<K> {
  private readonly map: StoreMap<K, Uint8Array>;

  constructor(
    prefix: string,
    keyCodec: KeyCodec<K>,
    private readonly marker: Uint8Array = new Uint8Array(),
  ) {
    this.map = new StoreMap(prefix, keyCodec, bytesValue);
  }

  get prefix(): string {
    return this.map.prefix;
  }

  has(store: KVReader, key: K): boolean {
    return this.map.has(store, key);
  }

  add(store: KVStore, key: K): void {
    this.map.set(store, key, this.marker);
  }

  delete(store: KVStore, key: K): void {
    this.map.delete(store, key);
  }

  keys(store: KVReader, range: { within?: string; from?: string; to?: string } = {}): IterableIterator<K> {
    return this.map.keys(store, range);
  }

  storeKey(key: K): string {
    return this.map.storeKey(key);
  }

  /** One page of the keys (under the encoded key prefix `within`), as StoreMap.page. */
  page<T>(store: KVReader, request: PageRequest | undefined, item: (key: K) => T | undefined, within = ""): Page<T> {
    return this.map.page(store, request, (key) => item(key), within);
  }

  /** the encoded key's decoded form (pagination hands out suffixes) */
  decodeKey(encoded: string): K {
    return this.map.decodeKey(encoded);
  }
}

/** One index of an IndexedMap: a KeySet whose keys are the primary key's parts in another order (so one
 *  party's entries can be walked), with the two reorderings. */
export class MapIndex<K, IK> {
  readonly set: KeySet<IK>;

  constructor(
    prefix: string,
    keyCodec: KeyCodec<IK>,
    /** the index key of a primary key */
    readonly fromPrimary: (key: K) => IK,
    /** the primary key of an index key */
    readonly toPrimary: (indexKey: IK) => K,
  ) {
    this.set = new KeySet(prefix, keyCodec);
  }

  get prefix(): string {
    return this.set.prefix;
  }

  /** primary keys in index order, under `within` (an encoded prefix of the index key) */
  *primaryKeys(store: KVReader, range: { within?: string; from?: string; to?: string } = {}): IterableIterator<K> {
    for (const key of this.set.keys(store, range)) yield this.toPrimary(key);
  }
}

/** A StoreMap with indexes that are written and deleted together with each entry: the primary record
 *  first, then the index keys in the order given (one keeper function keeps them consistent). */
export class IndexedMap<K, V> {
  constructor(
    readonly primary: StoreMap<K, V>,
    readonly indexes: readonly MapIndex<K, any>[],
  ) {}

  get(store: KVReader, key: K): V | undefined {
    return this.primary.get(store, key);
  }

  /** writes the entry and (again, if it existed) every index key */
  set(store: KVStore, key: K, value: V): void {
    this.primary.set(store, key, value);
    for (const index of this.indexes) index.set.add(store, index.fromPrimary(key));
  }

  /** replaces the value of an entry that is stored already: its index keys are there, nothing else is written */
  replace(store: KVStore, key: K, value: V): void {
    this.primary.set(store, key, value);
  }

  delete(store: KVStore, key: K): void {
    this.primary.delete(store, key);
    for (const index of this.indexes) index.set.delete(store, index.fromPrimary(key));
  }

  entries(store: KVReader, range: { within?: string; from?: string; to?: string } = {}): IterableIterator<[K, V]> {
    return this.primary.entries(store, range);
  }

  keys(store: KVReader, range: { within?: string; from?: string; to?: string } = {}): IterableIterator<K> {
    return this.primary.keys(store, range);
  }
}
