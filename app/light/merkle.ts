// CometBFT's simple Merkle tree (crypto/merkle/tree.go, RFC 6962 prefixes): the header hash and the
// validator-set hash are roots of it, so a light client must rebuild it byte for byte.
import { createHash } from "node:crypto";

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

const LeafPrefix = Uint8Array.of(0);
const InnerPrefix = Uint8Array.of(1);

export const leafHash = (leaf: Uint8Array): Uint8Array => sha256(LeafPrefix, leaf);
export const innerHash = (left: Uint8Array, right: Uint8Array): Uint8Array => sha256(InnerPrefix, left, right);

/** Largest power of 2 strictly less than n (n >= 2): where CometBFT splits a tree of n leaves. */
export function splitPoint(n: number): number {
  if (n < 2) throw new Error("splitPoint needs at least 2 leaves");
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** merkle.HashFromByteSlices: the empty tree hashes to sha256(""), one leaf to its leaf hash. */
export function hashFromByteSlices(items: readonly Uint8Array[]): Uint8Array {
  switch (items.length) {
    case 0:
      return sha256();
    case 1:
      return leafHash(items[0]);
    default: {
      const k = splitPoint(items.length);
      return innerHash(hashFromByteSlices(items.slice(0, k)), hashFromByteSlices(items.slice(k)));
    }
  }
}
