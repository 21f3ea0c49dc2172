// Decoding a Cosmos SDK transaction (D1): TxRaw → TxBody + AuthInfo from their raw bytes, each message
// resolved to its handler and decoded. The messages' stateless checks run in the ante handler (their
// limits are parameters), so this stays a pure function of the bytes.
// Every byte string is validated by the strict wire validator (wire.ts, D11) before a generated decoder
// reads it, so a decoding result depends only on the bytes, never on the JS engine's stack or JIT state.
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createHash } from "node:crypto";
import { refuseUpperCaseAddresses } from "../address.js";
import { Errors } from "../errors.js";
import type { MsgHandler } from "../module.js";
import type { Router } from "../router.js";
import { aminoNameOf } from "./amino.js";
import { requireCanonical, requireCanonicalBody } from "./canonical.js";
import { NonCriticalFieldStart, schema, schemaOfTypeUrl, validateWire } from "./wire.js";

const TxRawSchema = schema("cosmos.tx.v1beta1.TxRaw");
const TxBodySchema = schema("cosmos.tx.v1beta1.TxBody");
const AuthInfoSchema = schema("cosmos.tx.v1beta1.AuthInfo");
const Secp256k1PubKeyTypeUrl = "/cosmos.crypto.secp256k1.PubKey";

export interface DecodedMsg {
  typeUrl: string;
  handler: MsgHandler;
  msg: unknown;
  /** the type's amino name (SIGN_MODE_LEGACY_AMINO_JSON), if it has one */
  aminoName?: string;
}

export interface DecodedTx {
  bytes: Uint8Array;
  /** uppercase hex sha256 of the bytes: CometBFT's and CosmJS's tx hash */
  hash: string;
  raw: TxRaw;
  body: TxBody;
  authInfo: AuthInfo;
  msgs: DecodedMsg[];
  /** signer addresses of all messages, de-duplicated, first occurrence first */
  signers: string[];
  /**
   * Per signer, what this node verified the signature under: set by the ante handler once the whole tx
   * has passed it (the fee paid), or before the ante by a verify worker (verify-pool.ts) for the signers
   * whose key the tx carries. The signature's validity is a function of the bytes and of these three,
   * so a check of the same bytes (CheckTx after the worker, the recheck after each Commit, FinalizeBlock)
   * whose account has the same number and key may skip the sign bytes, their hash, the public key's
   * decoding and address and the curve check: the result is the one verifying again would give. Lives as
   * long as this decoded tx in the node's cache; at most one entry per signature the tx carries, none
   * (undefined) for a signer nothing was verified for.
   */
  verifiedSigners?: ReadonlyArray<VerifiedSigner | undefined>;
}

export interface VerifiedSigner {
  chainId: string;
  /** the account number in the sign bytes (0 for a genesis transaction) */
  accountNumber: bigint;
  /** the key the signature verified with (the signer info's, else the account's) */
  pubKey: Uint8Array;
}

function decodeOrThrow<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    throw Errors.txDecode.with(`cannot decode ${what}: ${(e as Error).message}`);
  }
}

/** Bytes a sender controls, decoded as the message `typeName` (full protobuf name) after strict wire
 *  validation; throws txDecode naming `what`. For anything outside a tx that is decoded from such bytes. */
export function decodeStrict<T>(codec: { decode(bytes: Uint8Array): T }, typeName: string, bytes: Uint8Array, what = typeName): T {
  validateWire(bytes, schema(typeName), what);
  return decodeOrThrow(what, () => codec.decode(bytes));
}

/**
 * One message from its bytes, the way every message enters the chain (in a tx, or from a QCP execute
 * payload): strict wire validation against the schema its type URL names, the generated decoder, then
 * upper-case addresses refused (invalidAddress), so that the signer list, the stateless checks and every
 * later string comparison see one form per account. Throws txDecode (or, with `canonical`, nonCanonicalTx
 * when the bytes are not the message's canonical encoding); the caller runs checkStateless.
 */
export function decodeMsg<T>(handler: MsgHandler<T>, bytes: Uint8Array, what = handler.typeUrl, canonical = false): T {
  const s = schemaOfTypeUrl(handler.typeUrl);
  if (!s) throw Errors.txDecode.with(`${what}: no wire schema for ${handler.typeUrl}`);
  validateWire(bytes, s, what);
  const msg = decodeOrThrow(what, () => handler.codec.decode(bytes));
  if (canonical) requireCanonical(what, bytes, handler.codec.encode(msg).finish());
  refuseUpperCaseAddresses(msg, what);
  return msg;
}

/** `digest`: the sha256 of `bytes` when the caller has it already (the node's tx cache key) */
export function decodeTx(bytes: Uint8Array, router: Router, maxTxBytes: number, digest?: Buffer): DecodedTx {
  if (bytes.length === 0) throw Errors.txDecode.with("empty transaction");
  if (bytes.length > maxTxBytes) throw Errors.txTooLarge.with(`${bytes.length} bytes, at most ${maxTxBytes}`);
  validateWire(bytes, TxRawSchema, "TxRaw");
  const raw = decodeOrThrow("TxRaw", () => TxRaw.decode(bytes));
  if (raw.bodyBytes.length === 0) throw Errors.txDecode.with("TxRaw.body_bytes is empty");
  if (raw.authInfoBytes.length === 0) throw Errors.txDecode.with("TxRaw.auth_info_bytes is empty");
  validateWire(raw.bodyBytes, TxBodySchema, "TxBody", { skipUnknownFrom: NonCriticalFieldStart });
  validateWire(raw.authInfoBytes, AuthInfoSchema, "AuthInfo");
  const body = decodeOrThrow("TxBody", () => TxBody.decode(raw.bodyBytes));
  const authInfo = decodeOrThrow("AuthInfo", () => AuthInfo.decode(raw.authInfoBytes));
  // One hash per tx: TxRaw is not signed, so it must be the one encoding of what is (canonical.ts).
  requireCanonical("TxRaw", bytes, TxRaw.encode(raw).finish());
  requireCanonicalBody(raw.bodyBytes, TxBody.encode(body).finish());
  requireCanonical("AuthInfo", raw.authInfoBytes, AuthInfo.encode(authInfo).finish());
  authInfo.signerInfos.forEach(({ publicKey }, i) => {
    if (publicKey?.typeUrl === Secp256k1PubKeyTypeUrl) {
      requireCanonical(`signer ${i}'s public key`, publicKey.value, PubKey.encode(PubKey.decode(publicKey.value)).finish());
    }
  });
  if (body.messages.length === 0) throw Errors.invalidRequest.with("transaction has no messages");
  if (body.extensionOptions.length > 0) throw Errors.unknownRequest.with("extension options are not supported");
  // Each message's stateless check runs in the ante handler (runAnte), not here: its limits are chain
  // parameters, and decoding must stay a pure function of the bytes.
  const msgs = body.messages.map((any, i) => {
    const handler = router.msg(any.typeUrl);
    const msg = decodeMsg(handler, any.value, `message ${i} (${any.typeUrl})`, true);
    return { typeUrl: any.typeUrl, handler, msg, aminoName: aminoNameOf(any.typeUrl) };
  });
  return assemble(bytes, raw, body, authInfo, msgs, digest);
}

/**
 * The DecodedTx of bytes that passed decodeTx with the same router elsewhere (a verify worker,
 * verify-pool.ts): the generated decoders only, without the wire validation, canonical re-encodings and
 * refusals that passed there. Decoding is a pure function of the bytes, so the result is decodeTx's; the
 * size limit (a chain parameter) is the caller's to check. Bytes that did not pass must go to decodeTx.
 */
export function decodePassedTx(bytes: Uint8Array, router: Router, digest: Buffer): DecodedTx {
  const raw = TxRaw.decode(bytes);
  const body = TxBody.decode(raw.bodyBytes);
  const authInfo = AuthInfo.decode(raw.authInfoBytes);
  const msgs = body.messages.map((any) => {
    const handler = router.msg(any.typeUrl);
    return { typeUrl: any.typeUrl, handler, msg: handler.codec.decode(any.value), aminoName: aminoNameOf(any.typeUrl) };
  });
  return assemble(bytes, raw, body, authInfo, msgs, digest);
}

function assemble(bytes: Uint8Array, raw: TxRaw, body: TxBody, authInfo: AuthInfo, msgs: DecodedMsg[], digest: Buffer | undefined): DecodedTx {
  // a Set, not Array.includes: thousands of signers must cost linear time, not quadratic (CheckTx CPU)
  const seen = new Set<string>();
  for (const { handler, msg } of msgs) for (const signer of handler.signers(msg)) seen.add(signer);
  const signers = [...seen];
  const hash = (digest ?? createHash("sha256").update(bytes).digest()).toString("hex").toUpperCase();
  return { bytes, hash, raw, body, authInfo, msgs, signers };
}
