// Addresses (D2): 20 bytes = ripemd160(sha256(compressed secp256k1 pubkey)), bech32 with prefix qosacc.
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { createHash } from "node:crypto";
import { ByteLru } from "./cache.js";
import { Errors } from "./errors.js";

export const AccountPrefix = "qosacc";
export const ValidatorPrefix = "qosval";
export const ConsensusPrefix = "qoscons";

export function addressFromPubKey(compressedPubKey: Uint8Array): Uint8Array {
  return ripemd160(createHash("sha256").update(compressedPubKey).digest());
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
  return toBech32Cache.get(key) ?? remember(toBech32Cache, key, toBech32(AccountPrefix, bytes));
}

/** Parses a qosacc bech32 address into its 20 bytes, or throws invalidAddress saying what is wrong. */
export function parseAccAddress(address: string, field = "address"): Uint8Array {
  if (typeof address !== "string" || address.length === 0) throw Errors.invalidAddress.with(`${field} is empty`);
  const cached = fromBech32Cache.get(address);
  if (cached) return cached;
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = fromBech32(address, 90);
  } catch (e) {
    throw Errors.invalidAddress.with(`${field} ${JSON.stringify(address)} is not valid bech32 (${(e as Error).message})`);
  }
  if (decoded.prefix !== AccountPrefix) {
    throw Errors.invalidAddress.with(`${field} ${address} has prefix ${decoded.prefix}, expected ${AccountPrefix}`);
  }
  if (decoded.data.length !== 20) {
    throw Errors.invalidAddress.with(`${field} ${address} has ${decoded.data.length} bytes, expected 20`);
  }
  return remember(fromBech32Cache, address, decoded.data);
}

// Address aliases (issue 10, defect 11): bech32 is case-insensitive, so "QOSACC1…" and "qosacc1…" name the
// same 20 bytes, while the modules compare address strings (duplicate parties, self-approve, signer lists).
// The one canonical form is lower case; every message passes through canonicalizeAddresses when it is decoded
// (app/tx/decode.ts decodeMsg), before its stateless checks, so all later code sees that form only.
const OurPrefixes = [AccountPrefix, ValidatorPrefix, ConsensusPrefix].map((p) => p.toUpperCase() + "1");
const MaxBech32Length = 90;

/** `s` in lower case if it is an upper-case bech32 string with one of QOS's prefixes and a valid checksum;
 *  otherwise `s` unchanged (mixed case is invalid bech32 and is refused by the parsers). */
export function canonicalAddress(s: string): string {
  if (s.length > MaxBech32Length || !OurPrefixes.some((p) => s.startsWith(p)) || s !== s.toUpperCase()) return s;
  const lower = s.toLowerCase();
  try {
    fromBech32(lower, MaxBech32Length);
  } catch {
    return s;
  }
  return lower;
}

/** Rewrites, in place, every string anywhere in a decoded message that is an upper-case QOS address into
 *  its canonical lower-case form. Walks with an explicit stack (decoded messages are depth-capped anyway). */
export function canonicalizeAddresses(message: unknown): void {
  const stack: unknown[] = [message];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null || ArrayBuffer.isView(node)) continue;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (typeof value === "string") record[key] = canonicalAddress(value);
      else if (typeof value === "object" && value !== null) stack.push(value);
    }
  }
}

/** Address of a module account: the first 20 bytes of sha256(name), as in the Cosmos SDK. */
export function moduleAddress(name: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(name).digest().subarray(0, 20));
}
