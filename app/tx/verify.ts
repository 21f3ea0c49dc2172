// secp256k1 signature verification (D1): native libsecp256k1 when its prebuilt binding loads, else the
// pure-JS @noble/secp256k1. Both accept exactly the same set: 64-byte r‖s, low-S only, over a 32-byte
// sha256 digest. `verifierName` says which one this process runs (the benchmark and a test print it).
import * as noble from "@noble/secp256k1";
import { createRequire } from "node:module";
import { ByteLru } from "../cache.js";

const CurveOrder = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HalfOrder = CurveOrder >> 1n;

interface NativeSecp256k1 {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, publicKey: Uint8Array): boolean;
}

function loadNative(): NativeSecp256k1 | undefined {
  if (process.env.QOS_PURE_JS_SECP256K1 === "1") return undefined;
  try {
    // "secp256k1/bindings" is the native build only; the package's main silently falls back to elliptic.
    return createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
  } catch {
    return undefined;
  }
}

const native = loadNative();
export const verifierName = native ? "libsecp256k1 (native, npm secp256k1)" : "@noble/secp256k1 (pure JS)";

/** HalfOrder as 32 big-endian bytes */
const HalfOrderBytes = Uint8Array.from(Buffer.from(HalfOrder.toString(16).padStart(64, "0"), "hex"));

/** s of a 64-byte compact signature is in the lower half of the curve order (not malleable): 0 < s ≤ n/2,
 *  compared byte by byte (big-endian), which orders as the numbers do, without building a bigint per check. */
export function isLowS(signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  let nonZero = false;
  let decided = false;
  for (let i = 0; i < 32; i++) {
    const b = signature[32 + i];
    if (b !== 0) nonZero = true;
    if (!decided && b !== HalfOrderBytes[i]) {
      if (b > HalfOrderBytes[i]) return false;
      decided = true; // below n/2 from here on; only s = 0 is left to rule out
    }
  }
  return nonZero;
}

/** The accept rules both verifiers share: 32-byte digest, 64-byte low-S signature, 33-byte compressed key. */
function wellFormed(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  return digest.length === 32 && signature.length === 64 && publicKey.length === 33 && isLowS(signature);
}

export function verifySecp256k1(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (!native) return verifySecp256k1PureJs(digest, signature, publicKey);
  if (!wellFormed(digest, signature, publicKey)) return false;
  try {
    return native.ecdsaVerify(signature, digest, publicKey);
  } catch {
    return false; // unparsable key or signature
  }
}

/** The pure-JS verifier (the fallback), exposed so a test can check both agree. */
export function verifySecp256k1PureJs(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (!wellFormed(digest, signature, publicKey)) return false;
  try {
    return noble.verify(signature, digest, publicKey, { prehash: false, lowS: true });
  } catch {
    return false;
  }
}

/** Remembers signatures already verified, so a tx's signature is checked once per node (CheckTx,
 *  recheck and FinalizeBlock share it). Bounded in bytes, and filled only by `remember`, which the ante
 *  handler calls once the tx has passed it (signatures and fee): a signature of a tx that is then refused
 *  costs its sender nothing, so it must cost the node no memory either. */
export class SignatureCache {
  private readonly verified: ByteLru<true>;
  constructor(maxBytes = DefaultSignatureCacheBytes) {
    this.verified = new ByteLru(maxBytes);
  }

  /** Verifies (unless this exact check passed before and was remembered); never fills the cache. */
  verify(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
    return this.verified.get(cacheKey(digest, signature, publicKey)) === true || verifySecp256k1(digest, signature, publicKey);
  }

  /** Records checks that passed, for a tx that passed the ante handler. */
  remember(checks: ReadonlyArray<{ digest: Uint8Array; signature: Uint8Array; publicKey: Uint8Array }>): void {
    for (const c of checks) this.verified.set(cacheKey(c.digest, c.signature, c.publicKey), true, 0);
  }

  get size(): number {
    return this.verified.size;
  }

  /** bytes held: per entry its 129-byte key and ByteLru.EntryOverheadBytes */
  get bytes(): number {
    return this.verified.bytes;
  }

  get maxBytes(): number {
    return this.verified.maxBytes;
  }

  /** checks answered from the cache, and checks that had to verify */
  get hits(): number {
    return this.verified.hits;
  }

  get misses(): number {
    return this.verified.misses;
  }
}

/** 8 MiB ≈ 43,000 signatures: a few blocks' worth between CheckTx and FinalizeBlock */
export const DefaultSignatureCacheBytes = 8 * 1024 * 1024;

const cacheKey = (digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) =>
  Buffer.concat([digest, signature, publicKey]).toString("latin1");
