// Decoding a Cosmos SDK transaction (D1): TxRaw → TxBody + AuthInfo from their raw bytes, each message
// resolved to its handler and decoded. The messages' stateless checks run in the ante handler (their
// limits are parameters), so this stays a pure function of the bytes.
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createHash } from "node:crypto";
import { Errors } from "../errors.js";
import type { MsgHandler } from "../module.js";
import type { Router } from "../router.js";

export interface DecodedMsg {
  typeUrl: string;
  handler: MsgHandler;
  msg: unknown;
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
}

function decodeOrThrow<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    throw Errors.txDecode.with(`cannot decode ${what}: ${(e as Error).message}`);
  }
}

export function decodeTx(bytes: Uint8Array, router: Router, maxTxBytes: number): DecodedTx {
  if (bytes.length === 0) throw Errors.txDecode.with("empty transaction");
  if (bytes.length > maxTxBytes) throw Errors.txTooLarge.with(`${bytes.length} bytes, at most ${maxTxBytes}`);
  const raw = decodeOrThrow("TxRaw", () => TxRaw.decode(bytes));
  if (raw.bodyBytes.length === 0) throw Errors.txDecode.with("TxRaw.body_bytes is empty");
  if (raw.authInfoBytes.length === 0) throw Errors.txDecode.with("TxRaw.auth_info_bytes is empty");
  const body = decodeOrThrow("TxBody", () => TxBody.decode(raw.bodyBytes));
  const authInfo = decodeOrThrow("AuthInfo", () => AuthInfo.decode(raw.authInfoBytes));
  if (body.messages.length === 0) throw Errors.invalidRequest.with("transaction has no messages");
  if (body.extensionOptions.length > 0) throw Errors.unknownRequest.with("extension options are not supported");
  // Each message's stateless check runs in the ante handler (runAnte), not here: its limits are chain
  // parameters, and decoding must stay a pure function of the bytes.
  const msgs = body.messages.map((any, i) => {
    const handler = router.msg(any.typeUrl);
    const msg = decodeOrThrow(`message ${i} (${any.typeUrl})`, () => handler.codec.decode(any.value));
    return { typeUrl: any.typeUrl, handler, msg };
  });
  // a Set, not Array.includes: thousands of signers must cost linear time, not quadratic (CheckTx CPU)
  const seen = new Set<string>();
  for (const { handler, msg } of msgs) for (const signer of handler.signers(msg)) seen.add(signer);
  const signers = [...seen];
  const hash = createHash("sha256").update(bytes).digest("hex").toUpperCase();
  return { bytes, hash, raw, body, authInfo, msgs, signers };
}
