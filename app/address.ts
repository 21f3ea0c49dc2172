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
  return toBech32Cache.get(key) ?? remember(toBech32Cache, key, toBech32(AccountPrefix, bytes));
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
  const cached = fromBech32Cache.get(address);
  if (cached) return cached;
  const decoded = decodeBech32(address, field);
  if (decoded.prefix !== AccountPrefix) {
    throw Errors.invalidAddress.with(`${field} ${address} has prefix ${decoded.prefix}, expected ${AccountPrefix}`);
  }
  if (decoded.data.length !== 20) {
    throw Errors.invalidAddress.with(`${field} ${address} has ${decoded.data.length} bytes, expected 20`);
  }
  return remember(fromBech32Cache, address, decoded.data);
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
