// A small LRU bounded in bytes (D11): every cache of the node is one of these, so that what anyone can
// send the node over RPC cannot grow its memory. An entry costs its key's length (keys are one-byte
// strings: latin1 or ASCII), the value's bytes the caller gives (an estimate of what the value keeps
// alive) and a fixed overhead; an entry larger than the whole bound is not kept.
// A cache only ever saves work: what a lookup returns must equal what the work would compute, so the
// cache's state can never change a result (D7).

export class ByteLru<V> {
  /** what one entry costs beyond its key and value (Map slot, entry object) */
  static readonly EntryOverheadBytes = 64;

  // Map iteration order is insertion order: the first key is the least recently used one
  private readonly entries = new Map<string, { value: V; cost: number }>();
  private used = 0;
  /**
   * One iterator kept across evictions: everything before it was evicted, so its next entry is the least
   * recently used one. A fresh iterator per eviction would start at the table's first slot and step over
   * every slot deleted since V8 last rehashed the Map: evicting became quadratic (100,000 sets into a full
   * cache took 23 s instead of 0.9 s), which stalled a 1M-key fill of the disk store.
   */
  private oldest: IterableIterator<[string, { value: V; cost: number }]> = this.entries.entries();
  /** lookups that found their key, and that did not (operators' hit rate; never read by a result) */
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new Error(`cache bound must be a byte count, got ${maxBytes}`);
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key); // most recently used: to the end
    this.entries.set(key, entry);
    return entry.value;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(key: string, value: V, valueBytes: number): void {
    const cost = key.length + valueBytes + ByteLru.EntryOverheadBytes;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.used -= old.cost;
    }
    if (cost > this.maxBytes) return;
    while (this.used + cost > this.maxBytes) {
      let next = this.oldest.next();
      if (next.done) {
        this.oldest = this.entries.entries();
        next = this.oldest.next();
      }
      const [oldest, entry] = next.value!;
      this.entries.delete(oldest);
      this.used -= entry.cost;
    }
    this.entries.set(key, { value, cost });
    this.used += cost;
  }

  /** bytes held (Σ entry costs), never more than maxBytes */
  get bytes(): number {
    return this.used;
  }

  /** forget every entry */
  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}
