// Bounded queries (D11). Queries run on the node's single request queue, beside consensus, and anyone on the
// internet can send them, so every query is bounded in three ways, all here:
//  - list queries page with the Cosmos `PageRequest` (key / offset / limit / count_total / reverse → next_key /
//    total) through paginate(): a default page of 100 and at most 1000 items, iterated lazily from the store
//    (never the whole prefix in memory); next_key is the key of the first item of the next page;
//  - every query reads the store through a QueryBudget: at most `maxReads` entries (gets and iterated
//    entries) and `maxReadBytes` bytes, else it is refused with `query/2` before it builds anything larger;
//  - the encoded response is at most `maxResponseBytes`, else it is refused with `query/1`.
// ABCI Query and the gRPC server both run queries through QosApp.runQuery, which applies the last two.
import { Errors } from "./errors.js";
import { bytesToKey, keyToBytes, prefixEnd, type KVReader } from "./state/kv.js";

export interface QueryLimits {
  /** largest encoded response (bytes) */
  maxResponseBytes: number;
  /** most store entries one query may read (each get, has or iterated entry is one) */
  maxReads: number;
  /** most bytes (keys + values) one query may read */
  maxReadBytes: number;
}

/** 4 MiB is gRPC's default receive limit: a default client could not take a larger answer anyway. */
export const DefaultQueryLimits: QueryLimits = {
  maxResponseBytes: 4 * 1024 * 1024,
  maxReads: 200_000,
  maxReadBytes: 32 * 1024 * 1024,
};

export const DefaultPageLimit = 100;
export const MaxPageLimit = 1000;
/** a filtered list (e.g. proposals of one status) examines at most this many entries per page; the page may
 *  then hold fewer than `limit` items, and next_key says where to go on */
export const MaxPageScan = 10 * MaxPageLimit;

/** A store view that counts what a query reads and refuses the query past its limits. */
export class QueryBudget implements KVReader {
  private reads = 0;
  private bytes = 0;
  constructor(
    private readonly inner: KVReader,
    private readonly limits: QueryLimits,
  ) {}

  private charge(key: string, value: Uint8Array | undefined): void {
    this.reads += 1;
    this.bytes += key.length + (value?.length ?? 0);
    if (this.reads > this.limits.maxReads || this.bytes > this.limits.maxReadBytes) {
      throw Errors.queryTooExpensive.with(
        `the query read more than ${this.limits.maxReads} entries or ${this.limits.maxReadBytes} bytes of state; ask for a smaller page`,
      );
    }
  }
  get(key: string): Uint8Array | undefined {
    const value = this.inner.get(key);
    this.charge(key, value);
    return value;
  }
  has(key: string): boolean {
    this.charge(key, undefined);
    return this.inner.has(key);
  }
  *iterate(start: string, end?: string): IterableIterator<[string, Uint8Array]> {
    for (const entry of this.inner.iterate(start, end)) {
      this.charge(entry[0], entry[1]);
      yield entry;
    }
  }
  *iterateReverse(start: string, end?: string): IterableIterator<[string, Uint8Array]> {
    if (!this.inner.iterateReverse) throw Errors.notSupported.with("this store cannot iterate in reverse");
    for (const entry of this.inner.iterateReverse(start, end)) {
      this.charge(entry[0], entry[1]);
      yield entry;
    }
  }
}

/** Refuses a response above the limit (the one check both transports share). */
export function checkResponseSize(path: string, response: Uint8Array, limits: QueryLimits): Uint8Array {
  if (response.length > limits.maxResponseBytes) {
    throw Errors.queryTooLarge.with(`${path}: the response has ${response.length} bytes, the limit is ${limits.maxResponseBytes}; ask for a smaller page`);
  }
  return response;
}

/** cosmos.base.query.v1beta1.PageRequest as ts-proto and cosmjs-types decode it (every field optional). */
export interface PageRequest {
  key?: Uint8Array;
  offset?: bigint;
  limit?: bigint;
  countTotal?: boolean;
  reverse?: boolean;
}
export interface PageResponse {
  nextKey: Uint8Array;
  total: bigint;
}
export interface Page<T> {
  items: T[];
  pagination: PageResponse;
}

/** The page size a request asks for: 0 or absent → the default; above the maximum → the maximum (clamped,
 *  so a client asking for everything gets the largest page and a next_key, never an unbounded answer). */
export function pageLimit(page: PageRequest | undefined): number {
  const limit = page?.limit ?? 0n;
  if (limit === 0n) return DefaultPageLimit;
  return limit > BigInt(MaxPageLimit) ? MaxPageLimit : Number(limit);
}

/**
 * One page of the entries under `prefix`, in key order (or reverse). `item` turns an entry (its key without
 * the prefix, and its value) into a list item, or undefined to leave it out (a filter). Keys in next_key are
 * the suffixes after the prefix, as in the Cosmos SDK. Cosmos rules: key and offset are exclusive; total is
 * counted only when count_total is set on a request without key (it reads the whole list, within the budget).
 */
export function paginate<T>(
  store: KVReader,
  prefix: string,
  page: PageRequest | undefined,
  item: (suffix: string, value: Uint8Array) => T | undefined,
): Page<T> {
  const key = page?.key && page.key.length > 0 ? bytesToKey(page.key) : undefined;
  let offset = page?.offset ?? 0n;
  if (key !== undefined && offset > 0n) throw Errors.invalidRequest.with("pagination: give either key or offset, not both");
  const limit = pageLimit(page);
  const countTotal = page?.countTotal === true && key === undefined;
  const end = prefixEnd(prefix);
  let entries: Iterable<[string, Uint8Array]>;
  if (page?.reverse) {
    if (!store.iterateReverse) throw Errors.notSupported.with("pagination: this store cannot iterate in reverse");
    // descending from the key (inclusive: it is the first item of this page) or from the end of the prefix
    entries = store.iterateReverse(prefix, key === undefined ? end : prefix + key + "\u0000");
  } else {
    entries = store.iterate(key === undefined ? prefix : prefix + key, end);
  }
  const items: T[] = [];
  let nextKey: string | undefined;
  let total = 0n;
  let scanned = 0;
  for (const [k, value] of entries) {
    const suffix = k.slice(prefix.length);
    // (skipping an offset is bounded by the read budget instead: a next_key there would lose the offset)
    if (nextKey === undefined && !countTotal && offset === 0n && scanned >= MaxPageScan) {
      nextKey = suffix;
      break;
    }
    if (offset === 0n) scanned += 1;
    const it = item(suffix, value);
    if (it === undefined) continue;
    total += 1n;
    if (offset > 0n) {
      offset -= 1n;
      continue;
    }
    if (items.length < limit) {
      items.push(it);
      continue;
    }
    if (nextKey === undefined) nextKey = suffix;
    if (!countTotal) break;
  }
  return { items, pagination: { nextKey: nextKey === undefined ? new Uint8Array() : keyToBytes(nextKey), total: countTotal ? total : 0n } };
}
