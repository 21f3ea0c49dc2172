// Load for the benchmark: funded accounts written straight into genesis.json, and MsgSend transfers
// pre-signed (SIGN_MODE_DIRECT, low-S secp256k1 over sha256(SignDoc)) before the measured window.
import { createHash, createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as noble from "@noble/secp256k1";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { addressFromPubKey, toAccAddress } from "../app/address.js";

interface NativeSecp256k1 {
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array;
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
}

function loadNative(): NativeSecp256k1 | undefined {
  try {
    return createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
  } catch {
    return undefined;
  }
}
const native = loadNative();
if (!native) {
  noble.hashes.sha256 = (m: Uint8Array) => new Uint8Array(createHash("sha256").update(m).digest());
  noble.hashes.hmacSha256 = (k: Uint8Array, m: Uint8Array) => new Uint8Array(createHmac("sha256", k).update(m).digest());
}
/** Which signer the generator used (the node's verifier is reported separately, from qosd's log). */
export const signerName = native ? "libsecp256k1 (native)" : "@noble/secp256k1 (pure JS)";

export interface BenchAccount {
  privateKey: Uint8Array;
  pubKey: Uint8Array;
  address: string;
  /** the next account: each account sends 1uqos to its neighbour */
  bodyBytes: Uint8Array;
  pubKeyAny: { typeUrl: string; value: Uint8Array };
}

export const Denom = "uqos";
export const FeeAmount = "5000"; // = gas 200000 × the default minimum gas price 0.025uqos
export const GasLimit = 200_000n;

/**
 * `count` funded accounts; only the first `signers` get keys (the ones the pre-signed transfers come
 * from: a run of 100,000 txs over 1,000,000 accounts signs with the first 100,000). The others only
 * hold state, under addresses derived from a hash, since deriving a million public keys would take
 * minutes and nothing signs for them. Each account sends 1 of `denom` to the next (the fee is uqos
 * whatever the denom).
 */
export function makeAccounts(count: number, signers = count, denom = Denom): BenchAccount[] {
  const NoBytes = new Uint8Array(0);
  const keys = Array.from({ length: count }, (_, i) => (i >= signers ? { privateKey: NoBytes, pubKey: NoBytes, address: holderAddress(i) } : accountKey(i)));
  return keys.map((k, i) => {
    if (i >= signers) return { ...k, bodyBytes: NoBytes, pubKeyAny: { typeUrl: "", value: NoBytes } };
    return withTransfer(k, keys[(i + 1) % count].address, denom);
  });
}

/** The address of unkeyed account `i` (a funded holder). */
export function holderAddress(i: number): string {
  return toAccAddress(new Uint8Array(createHash("sha256").update(`qos-bench-holder-${i}`).digest().subarray(0, 20)));
}

/** The key of keyed account `i`. */
function accountKey(i: number): { privateKey: Uint8Array; pubKey: Uint8Array; address: string } {
  const privateKey = new Uint8Array(createHash("sha256").update(`qos-bench-account-${i}`).digest());
  const pubKey = native ? native.publicKeyCreate(privateKey, true) : noble.getPublicKey(privateKey, true);
  return { privateKey, pubKey: new Uint8Array(pubKey), address: toAccAddress(addressFromPubKey(pubKey)) };
}

function withTransfer(k: { privateKey: Uint8Array; pubKey: Uint8Array; address: string }, to: string, denom: string): BenchAccount {
  const bodyBytes = TxBody.encode(
    TxBody.fromPartial({
      messages: [
        {
          typeUrl: "/cosmos.bank.v1beta1.MsgSend",
          value: MsgSend.encode({ fromAddress: k.address, toAddress: to, amount: [{ denom, amount: "1" }] }).finish(),
        },
      ],
    }),
  ).finish();
  const pubKeyAny = { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: k.pubKey }).finish() };
  return { ...k, bodyBytes, pubKeyAny };
}

/** Keyed account `i` (anywhere in the list, not only among the first: bench:genesis signs with accounts
 *  spread over a large state) sending 1 of `denom` to `to`. */
export function keyedAccount(i: number, to: string, denom = Denom): BenchAccount {
  return withTransfer(accountKey(i), to, denom);
}

/** Writes the accounts into genesis app_state (auth.accounts order = account numbers 0..n-1). */
export function fundInGenesis(home: string, accounts: BenchAccount[], balance = "1000000000000"): void {
  const file = join(home, "config/genesis.json");
  const genesis = JSON.parse(readFileSync(file, "utf8"));
  const state = (genesis.app_state ??= {});
  state.auth ??= {};
  state.bank ??= {};
  if ((state.auth.accounts ?? []).length > 0) throw new Error("genesis already has accounts: account numbers would not be the indexes");
  state.auth.accounts = accounts.map((a) => ({ address: a.address }));
  state.bank.balances = accounts.map((a) => ({ address: a.address, coins: [{ denom: Denom, amount: balance }] }));
  delete state.bank.supply;
  writeFileSync(file, JSON.stringify(genesis));
}

/** One signed MsgSend of `account` (number = index) at `sequence`, as TxRaw bytes. */
export function signTransfer(account: BenchAccount, accountNumber: number, sequence: number, chainId: string): Uint8Array {
  return signBody(account, account.bodyBytes, accountNumber, sequence, chainId);
}

/** A tx of any body (TxBody bytes) signed by `account` alone, with the transfers' fee and gas limit. */
export function signBody(account: BenchAccount, bodyBytes: Uint8Array, accountNumber: number, sequence: number, chainId: string): Uint8Array {
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: [{ publicKey: account.pubKeyAny, modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } }, sequence: BigInt(sequence) }],
      fee: { amount: [{ denom: Denom, amount: FeeAmount }], gasLimit: GasLimit, payer: "", granter: "" },
    }),
  ).finish();
  const signDoc = SignDoc.encode({ bodyBytes, authInfoBytes, chainId, accountNumber: BigInt(accountNumber) }).finish();
  const digest = createHash("sha256").update(signDoc).digest();
  // libsecp256k1 and noble both produce low-S (normalized) signatures.
  const signature = native
    ? native.ecdsaSign(digest, account.privateKey).signature
    : noble.sign(digest, account.privateKey, { prehash: false, lowS: true, format: "compact" });
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [new Uint8Array(signature)] }).finish();
}

/**
 * Pre-signs `total` transfers as base64 strings, ticket k = account k mod n, round (sequence) k div n,
 * so that sending tickets in order keeps every account's sequences in order.
 */
export function presignTransfers(accounts: BenchAccount[], total: number, chainId: string): string[] {
  const out: string[] = new Array(total);
  const n = accounts.length;
  for (let k = 0; k < total; k++) {
    const i = k % n;
    if (accounts[i].privateKey.length === 0) throw new Error(`account ${i} has no key: makeAccounts(count, signers) with signers ≥ min(count, txs)`);
    out[k] = Buffer.from(signTransfer(accounts[i], i, Math.floor(k / n), chainId)).toString("base64");
  }
  return out;
}

/** A kvstore tx of about `size` bytes: `key=value`, unique per ticket. */
export function kvstoreTx(ticket: number, size: number, salt: string): string {
  const key = `b${salt}k${ticket}`;
  const fill = Math.max(1, size - key.length - 1);
  const value = (ticket.toString(36) + "v").repeat(Math.ceil(fill / 4)).slice(0, fill);
  return Buffer.from(`${key}=${value}`).toString("base64");
}
