// Addresses (D2): 20 bytes = ripemd160(sha256(compressed secp256k1 pubkey)), bech32 with prefix qosacc.
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { createHash, getHashes } from "node:crypto";
import { ByteLru } from "./cache.js";
import { Errors } from "./errors.js";

export const AccountPrefix = "qosacc";
export const ValidatorPrefix = "qosval";
export const ConsensusPrefix = "qoscons";
const MaxBech32Length = 90;

// Node's OpenSSL ripemd160 costs a fraction of the JS one (every CheckTx of a signer that shows its key
// derives its address); the JS one stays for a Node built without it. Same function, same bytes.
const nativeRipemd160 = getHashes().includes("ripemd160");

export function addressFromPubKey(compressedPubKey: Uint8Array): Uint8Array {
  const sha = createHash("sha256").update(compressedPubKey).digest();
  if (!nativeRipemd160) return ripemd160(sha);
  const address = createHash("ripemd160").update(sha).digest();
  return new Uint8Array(address.buffer, address.byteOffset, address.byteLength);
}

// bech32 conversions are a hot path (every tx converts a few addresses, CheckTx and FinalizeBlock
// alike): remember recent ones. Bounded in bytes (D11; an entry is at most a 90-character address and
// 20 bytes, so anyone's addresses can only churn it); a pure function, so it never changes a result.
// The returned bytes must not be mutated.
const AddressCacheBytes = 4 * 1024 * 1024;
const toBech32Cache = new ByteLru<string>(AddressCacheBytes);
const fromBech32Cache = new ByteLru<Uint8Array>(AddressCacheBytes);
function remember<V extends string | Uint8Array>(cache: ByteLru<V>, key: string, value: V): V {
  cache.set(key, value, value.length);
  return value;
}

export function toAccAddress(bytes: Uint8Array): string {
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  return toBech32Cache.get(key) ?? remember(toBech32Cache, key, bytes.length === 20 ? encodeAcc20(bytes) : toBech32(AccountPrefix, bytes));
}

// bech32 (BIP-173) of the one shape nearly every address has: prefix qosacc and 20 bytes, which are exactly
// 32 five-bit words (no padding bits), so "qosacc1" + 32 data + 6 checksum characters. A genesis of a
// million accounts decodes and encodes each address more than once, beyond what the caches hold; the
// general codec (@cosmjs/encoding) costs several µs an address, this one a fraction. Same function:
// the decoder answers only when every character and the checksum are valid and otherwise leaves the
// address to the general codec, which accepts or refuses it with its own message.
const Bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const Bech32Value = new Int8Array(128).fill(-1);
for (let i = 0; i < Bech32Charset.length; i++) Bech32Value[Bech32Charset.charCodeAt(i)] = i;
const AccHead = AccountPrefix + "1";
const AccLength = AccHead.length + 32 + 6;

function polymodStep(pre: number): number {
  const b = pre >>> 25;
  return (
    (((pre & 0x1ffffff) << 5) ^
      (-((b >> 0) & 1) & 0x3b6a57b2) ^
      (-((b >> 1) & 1) & 0x26508e6d) ^
      (-((b >> 2) & 1) & 0x1ea119fa) ^
      (-((b >> 3) & 1) & 0x3d4233dd) ^
      (-((b >> 4) & 1) & 0x2a1462b3)) >>> 0
  );
}

/** the checksum state after the account prefix (high bits, a zero, low bits), the same for every address */
const AccPrefixChecksum = (() => {
  let chk = 1;
  for (let i = 0; i < AccountPrefix.length; i++) chk = polymodStep(chk) ^ (AccountPrefix.charCodeAt(i) >> 5);
  chk = polymodStep(chk);
  for (let i = 0; i < AccountPrefix.length; i++) chk = polymodStep(chk) ^ (AccountPrefix.charCodeAt(i) & 31);
  return chk;
})();

const Bech32Codes = Uint8Array.from(Bech32Charset, (c) => c.charCodeAt(0));
/** where encodeAcc20 spells an address (single-threaded: safe to reuse; a string concatenation costs more) */
const accScratch = Buffer.from(AccHead.padEnd(AccLength), "latin1");

/** qosacc bech32 of 20 bytes */
function encodeAcc20(bytes: Uint8Array): string {
  let chk = AccPrefixChecksum;
  let acc = 0;
  let bits = 0;
  let o = AccHead.length;
  for (let i = 0; i < 20; i++) {
    acc = ((acc & 0xff) << 8) | bytes[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      const word = (acc >> bits) & 31;
      chk = polymodStep(chk) ^ word;
      accScratch[o++] = Bech32Codes[word];
    }
  }
  for (let i = 0; i < 6; i++) chk = polymodStep(chk);
  chk ^= 1;
  for (let i = 0; i < 6; i++) accScratch[o++] = Bech32Codes[(chk >>> (5 * (5 - i))) & 31];
  return accScratch.toString("latin1", 0, AccLength);
}

/** the 20 bytes of a valid lower-case qosacc address of 20 bytes; undefined for anything else */
function decodeAcc20(address: string): Uint8Array | undefined {
  if (address.length !== AccLength || !address.startsWith(AccHead)) return undefined;
  const out = new Uint8Array(20);
  let chk = AccPrefixChecksum;
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = AccHead.length; i < AccLength; i++) {
    const c = address.charCodeAt(i);
    const word = c < 128 ? Bech32Value[c] : -1;
    if (word < 0) return undefined;
    chk = polymodStep(chk) ^ word;
    if (i < AccLength - 6) {
      acc = ((acc & 0xff) << 5) | word;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out[n++] = (acc >> bits) & 0xff;
      }
    }
  }
  return chk === 1 ? out : undefined;
}

/** Decodes bech32 written in lower case, the one spelling QOS accepts (see below), or throws invalidAddress
 *  naming `field`; mixed case is not bech32 at all (fromBech32 says so). The prefix and length are the
 *  caller's to check. */
export function decodeBech32(address: string, field = "address"): { prefix: string; data: Uint8Array } {
  if (address !== address.toLowerCase() && address === address.toUpperCase()) {
    throw Errors.invalidAddress.with(`${field} ${JSON.stringify(address.slice(0, MaxBech32Length))} is not in lower case (addresses have one spelling)`);
  }
  try {
    return fromBech32(address, MaxBech32Length);
  } catch (e) {
    throw Errors.invalidAddress.with(`${field} ${JSON.stringify(address)} is not valid bech32 (${(e as Error).message})`);
  }
}

/** Parses a qosacc bech32 address into its 20 bytes, or throws invalidAddress saying what is wrong. */
export function parseAccAddress(address: string, field = "address"): Uint8Array {
  if (typeof address !== "string" || address.length === 0) throw Errors.invalidAddress.with(`${field} is empty`);
  return fromBech32Cache.get(address) ?? remember(fromBech32Cache, address, decodeAccAddress(address, field));
}

/** parseAccAddress without the cache, for addresses read once in bulk (a genesis of a million accounts
 *  would only churn it); the same answer and the same errors. */
export function decodeAccAddress(address: string, field = "address"): Uint8Array {
  if (typeof address !== "string" || address.length === 0) throw Errors.invalidAddress.with(`${field} is empty`);
  const fast = decodeAcc20(address);
  if (fast) return fast;
  const decoded = decodeBech32(address, field);
  if (decoded.prefix !== AccountPrefix) {
    throw Errors.invalidAddress.with(`${field} ${address} has prefix ${decoded.prefix}, expected ${AccountPrefix}`);
  }
  if (decoded.data.length !== 20) {
    throw Errors.invalidAddress.with(`${field} ${address} has ${decoded.data.length} bytes, expected 20`);
  }
  return decoded.data;
}

// Address aliases (issue 10, defect 11; issue 14): bech32 allows a string in all upper case, so "QOSACC1…"
// and "qosacc1…" would name the same 20 bytes, while the modules compare address strings (duplicate parties,
// self-approve, signer lists) and a signed message would have two spellings of one meaning. QOS accepts lower
// case only: the parsers above refuse upper case (and mixed case, which is not bech32), and every message is checked when it is decoded
// (app/tx/decode.ts decodeMsg), so that a field no parser reads cannot carry an upper-case alias either.
const OurPrefixes = [AccountPrefix, ValidatorPrefix, ConsensusPrefix].map((p) => p.toUpperCase() + "1");

/** `s` is a QOS bech32 address (valid checksum) written in upper case. Mixed case is not bech32 at all. */
export function isUpperCaseAddress(s: string): boolean {
  if (s.length > MaxBech32Length || !OurPrefixes.some((p) => s.startsWith(p)) || s !== s.toUpperCase()) return false;
  try {
    fromBech32(s.toLowerCase(), MaxBech32Length);
  } catch {
    return false;
  }
  return true;
}

/** a decoded field's name as the .proto spells it (the decoders' names are camelCase) */
const protoName = (key: string) => key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

/** Throws invalidAddress (naming `what`) if any string anywhere in a decoded message is an upper-case QOS
 *  address. Walks with an explicit stack (decoded messages are depth-capped anyway). */
export function refuseUpperCaseAddresses(message: unknown, what: string): void {
  const stack: unknown[] = [message];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null || ArrayBuffer.isView(node)) continue;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (typeof value === "string") {
        if (isUpperCaseAddress(value)) throw Errors.invalidAddress.with(`${what}: ${protoName(key)} ${JSON.stringify(value)} is not in lower case (addresses have one spelling)`);
      } else if (typeof value === "object" && value !== null) stack.push(value);
    }
  }
}

/** Address of a module account: the first 20 bytes of sha256(name), as in the Cosmos SDK. */
export function moduleAddress(name: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(name).digest().subarray(0, 20));
}
