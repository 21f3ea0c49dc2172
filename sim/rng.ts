// A seeded PRNG for the simulation: every decision of a run comes from here, so a seed replays exactly.
// sfc32 seeded by splitmix32 over the seed's bytes: 32-bit integer arithmetic only (Math.imul, >>>),
// the same sequence on every JS engine. Never Math.random.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string | number) {
    // splitmix32 over the seed text gives four well-mixed state words
    let h = 0x9e3779b9;
    const text = String(seed);
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x85ebca6b) >>> 0;
    const next = () => {
      h = (h + 0x9e3779b9) >>> 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** a uniform 32-bit unsigned integer */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** an integer in [0, n) (n ≤ 2^32; tiny bias is irrelevant here) */
  int(n: number): number {
    if (n <= 0) throw new Error(`Rng.int(${n})`);
    return this.u32() % n;
  }

  /** an integer in [lo, hi] */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** a bigint in [0, n) */
  bigint(n: bigint): bigint {
    if (n <= 0n) throw new Error(`Rng.bigint(${n})`);
    let x = 0n;
    for (let bits = 0n; (1n << bits) < n * 4n; bits += 32n) x = (x << 32n) | BigInt(this.u32());
    return x % n;
  }

  /** true with probability p/1000 */
  chance(perMille: number): boolean {
    return this.int(1000) < perMille;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Rng.pick of an empty list");
    return items[this.int(items.length)];
  }

  /** one of the keys, weighted by the values */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as Array<[K, number]>;
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.int(total);
    for (const [k, w] of entries) {
      if (r < w) return k;
      r -= w;
    }
    return entries[entries.length - 1][0];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  /** a child generator: a sub-stream that does not shift this one's sequence by how much it is used */
  fork(label: string): Rng {
    return new Rng(`${this.u32()}:${label}`);
  }
}
