// Protobuf-style unsigned varints of JS numbers (non-negative safe integers): ABCI framing, the disk
// store's page records and snapshot chunk sizes all spell lengths and versions this way.

/** Number of bytes of the uvarint encoding of n (n a non-negative safe integer). */
export function uvarintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = (n - (n % 128)) / 128; // exact integer division for any safe integer
    size++;
  }
  return size;
}

/** Writes the uvarint encoding of n into out at offset; returns the offset after it. */
export function writeUvarint(n: number, out: Uint8Array, offset: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`uvarint: invalid value ${n}`);
  while (n >= 0x80) {
    out[offset++] = (n & 0x7f) | 0x80;
    n = (n - (n % 128)) / 128; // exact integer division for any safe integer
  }
  out[offset++] = n;
  return offset;
}
