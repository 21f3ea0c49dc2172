// Protobuf wire bytes written by hand, for tests that must send exactly the encoding they mean (non-minimal
// varints, fields out of order, unknown fields) where a generated encoder would write the canonical one.

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** the minimal varint of `n` (0 ≤ n < 2^64) */
export function varint(n: number | bigint): Uint8Array<ArrayBuffer> {
  let v = BigInt(n);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

/** the varint of `n` padded to `size` bytes: the same value in a non-minimal encoding */
export function paddedVarint(n: number | bigint, size: number): Uint8Array<ArrayBuffer> {
  const out = Array.from(varint(n));
  out[out.length - 1] |= 0x80;
  while (out.length < size - 1) out.push(0x80);
  out.push(0x00);
  return Uint8Array.from(out);
}

export const utf8 = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);
/** a field's tag: its number and wire type (0 varint, 1 i64, 2 length-delimited, 3/4 group start/end, 5 i32) */
export const tag = (field: number, wire: number) => varint(field * 8 + wire);
/** a length-delimited field */
export const ld = (field: number, bytes: Uint8Array) => concat(tag(field, 2), varint(bytes.length), bytes);
/** a varint field */
export const vf = (field: number, value: number | bigint) => concat(tag(field, 0), varint(value));
