// Byte-string equality without copies: `Buffer.from(uint8array)` copies its argument (and goes through
// Buffer's generic slow path), which on the recheck of every mempool tx cost more than the comparison.
// A view over the same memory compares the same bytes, so no result can differ.

/** true when a and b hold the same bytes */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
