// The two secp256k1 verifiers accept exactly the same signatures (low-S only), and the suite says which
// one the node runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as noble from "@noble/secp256k1";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { ByteLru } from "../../app/cache.js";
import { isLowS, SignatureCache, verifierName, verifySecp256k1, verifySecp256k1PureJs } from "../../app/tx/verify.js";

noble.hashes.sha256 = sha256;
noble.hashes.hmacSha256 = (key, message) => hmac(sha256, key, message);

const CurveOrder = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const digest = (s: string) => createHash("sha256").update(s).digest();

function toHighS(sig: Uint8Array): Uint8Array {
  const out = new Uint8Array(sig);
  const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"));
  out.set(Buffer.from((CurveOrder - s).toString(16).padStart(64, "0"), "hex"), 32);
  return out;
}

test("the node runs the native libsecp256k1 verifier on this platform (or pure JS when forced)", () => {
  console.log(`signature verifier: ${verifierName}`);
  if (process.env.QOS_PURE_JS_SECP256K1 === "1") assert.match(verifierName, /noble/);
  else assert.match(verifierName, /libsecp256k1 \(native/);
});

test("native and pure-JS verifiers agree: valid, high-S, wrong message, wrong key, bad lengths", () => {
  for (let i = 0; i < 40; i++) {
    const secret = digest(`key-${i}`);
    const publicKey = noble.getPublicKey(secret, true);
    const msg = digest(`message-${i}`);
    const sig = noble.sign(msg, secret, { prehash: false, lowS: true });
    const otherKey = noble.getPublicKey(digest(`other-${i}`), true);
    const cases: Array<[string, Uint8Array, Uint8Array, Uint8Array, boolean]> = [
      ["valid", msg, sig, publicKey, true],
      ["high-S", msg, toHighS(sig), publicKey, false],
      ["wrong message", digest(`x-${i}`), sig, publicKey, false],
      ["wrong key", msg, sig, otherKey, false],
      ["short signature", msg, sig.subarray(0, 63), publicKey, false],
      ["uncompressed key", msg, sig, noble.getPublicKey(secret, false), false],
      ["zero signature", msg, new Uint8Array(64), publicKey, false],
    ];
    for (const [name, m, s, k, expected] of cases) {
      assert.equal(verifySecp256k1(m, s, k), expected, `${name} (node verifier) #${i}`);
      assert.equal(verifySecp256k1PureJs(m, s, k), expected, `${name} (pure JS) #${i}`);
    }
    assert.equal(isLowS(sig), true);
    assert.equal(isLowS(toHighS(sig)), false);
  }
});

test("isLowS compares bytes as the numbers compare: 0 < s <= n/2 exactly, at the edges and at random", () => {
  const half = CurveOrder >> 1n;
  const withS = (s: bigint) => {
    const sig = new Uint8Array(64).fill(0x5a, 0, 32);
    sig.set(Buffer.from(s.toString(16).padStart(64, "0"), "hex"), 32);
    return sig;
  };
  const edges: Array<[bigint, boolean]> = [
    [0n, false], [1n, true], [255n, true], [256n, true], [half - 1n, true], [half, true], [half + 1n, false],
    [CurveOrder - 1n, false], [CurveOrder, false], [(1n << 256n) - 1n, false], [1n << 248n, true], [half - (1n << 8n), true],
    [half + (1n << 8n), false], [(half >> 8n) << 8n, true], [((half >> 8n) + 1n) << 8n, false],
  ];
  for (const [s, expected] of edges) assert.equal(isLowS(withS(s)), expected, `s = ${s.toString(16)}`);
  for (let i = 0; i < 2000; i++) {
    // s near n/2 in its leading bytes, so that the comparison is decided at every position
    const bytes = createHash("sha256").update(`s-${i}`).digest();
    const sig = withS(half);
    sig.set(bytes.subarray(0, 1 + (i % 32)), 32 + 31 - (i % 32));
    const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"));
    assert.equal(isLowS(sig), s > 0n && s <= half, `s = ${s.toString(16)}`);
    const random = withS(BigInt("0x" + bytes.toString("hex")));
    const r = BigInt("0x" + bytes.toString("hex"));
    assert.equal(isLowS(random), r > 0n && r <= half);
  }
  assert.equal(isLowS(new Uint8Array(63)), false);
});

test("the signature cache never fills itself, remembers what it is told, never a failure, and is bounded in bytes", () => {
  const entry = 129 + ByteLru.EntryOverheadBytes; // digest + signature + key, and the entry's overhead
  const cache = new SignatureCache(2 * entry);
  const secret = digest("cache");
  const publicKey = noble.getPublicKey(secret, true);
  const sigs = ["a", "b", "c"].map((m) => ({ digest: digest(m), signature: noble.sign(digest(m), secret, { prehash: false }), publicKey }));
  assert.equal(cache.verify(sigs[0].digest, sigs[0].signature, publicKey), true);
  assert.equal(cache.verify(sigs[0].digest, toHighS(sigs[0].signature), publicKey), false);
  assert.equal(cache.size, 0, "verify alone remembers nothing (the ante handler remembers once the tx paid)");
  cache.remember([sigs[0]]);
  assert.deepEqual([cache.size, cache.bytes], [1, entry]);
  assert.equal(cache.verify(sigs[0].digest, sigs[0].signature, publicKey), true);
  cache.remember([sigs[1], sigs[2]]);
  assert.deepEqual([cache.size, cache.bytes], [2, 2 * entry], "bounded by its bytes");
});
