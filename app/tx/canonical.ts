// One hash per transaction (issue 14): a tx is accepted only in the one encoding its content has, the
// canonical proto3 form our encoders write (fields in number order, each once, minimal varints and
// lengths, default scalars omitted, repeated scalars packed). CometBFT names a tx by the sha256 of its
// bytes, and the signature covers only body_bytes and auth_info_bytes, so without this anyone could
// re-encode a signed TxRaw (append bytes, reorder fields, pad a varint) and have it committed under a hash
// its signer never saw, after which the signer's own tx is refused as a replay. The wire validator
// (wire.ts) already refuses unknown fields, groups and duplicates; what is left is compared here: decode,
// re-encode, require the same bytes. Linear in the tx, and run in decodeTx, before any signature work.
import { Errors } from "../errors.js";
import { NonCriticalFieldStart } from "./wire.js";

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Throws nonCanonicalTx unless `bytes` are `canonical`, naming `what` and the first byte that differs. */
export function requireCanonical(what: string, bytes: Uint8Array, canonical: Uint8Array): void {
  if (asBuffer(bytes).equals(asBuffer(canonical))) return;
  let i = 0;
  while (i < bytes.length && i < canonical.length && bytes[i] === canonical[i]) i++;
  throw Errors.nonCanonicalTx.with(`${what} differs from its canonical encoding at byte ${i} (${bytes.length} bytes, canonical ${canonical.length})`);
}

/**
 * TxBody: the canonical encoding of its known fields, then only non-critical extension fields (≥ 1024,
 * which the decoder skips and the re-encoding therefore lacks), in increasing field order, each once, with
 * minimal tags, lengths and varints. The wire validator has already checked that they are well formed.
 */
export function requireCanonicalBody(bodyBytes: Uint8Array, canonical: Uint8Array): void {
  if (bodyBytes.length <= canonical.length || !asBuffer(bodyBytes.subarray(0, canonical.length)).equals(asBuffer(canonical))) {
    requireCanonical("TxBody", bodyBytes, canonical);
    return;
  }
  let pos = canonical.length;
  let previous = 0;
  const fail = (detail: string): never => {
    throw Errors.nonCanonicalTx.with(`TxBody differs from its canonical encoding at byte ${pos}: ${detail}`);
  };
  /** a varint's value (exact up to 2^53) and its end; a multi-byte varint ending in a zero byte is padded */
  const varint = (): number => {
    let value = 0;
    for (let i = 0; ; i++) {
      if (pos >= bodyBytes.length) fail("a truncated varint"); // the wire validator refused these already
      const b = bodyBytes[pos++];
      value += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        if (i > 0 && b === 0) fail("a varint has padding bytes");
        return value;
      }
    }
  };
  while (pos < bodyBytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field < NonCriticalFieldStart) requireCanonical("TxBody", bodyBytes, canonical); // a known field out of place: throws
    if (field <= previous) fail(`extension field ${field} is not in increasing field order`);
    previous = field;
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else {
      const length = varint(); // read before adding: `pos += varint()` would add to the old pos
      pos += length;
    }
  }
}
