// Accounts and transaction building for the simulation: SIGN_MODE_DIRECT Cosmos txs signed with
// deterministic keys (RFC 6979 signatures), messages encoded with the app's own codecs (the router),
// so every message type the app registers can be sent without a client-side registry.
import secp256k1 from "secp256k1";
import { createHash } from "node:crypto";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { AuthInfo, SignDoc, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { addressFromPubKey, toAccAddress } from "../app/address.js";
import type { Router } from "../app/router.js";

export interface SimAccount {
  name: string;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  bytes: Uint8Array;
  address: string;
}

export function simAccount(name: string): SimAccount {
  let privateKey = new Uint8Array(createHash("sha256").update(`qos-sim:${name}`).digest());
  while (!secp256k1.privateKeyVerify(privateKey)) privateKey = new Uint8Array(createHash("sha256").update(privateKey).digest());
  const publicKey = secp256k1.publicKeyCreate(privateKey, true);
  const bytes = addressFromPubKey(publicKey);
  return { name, privateKey, publicKey, bytes, address: toAccAddress(bytes) };
}

/** consensus keys are ed25519 keys from names, kept where headers are signed */
export { consensusKey } from "./headers.js";

export interface Msg {
  typeUrl: string;
  value: unknown;
}

export interface SignerSpec {
  account: SimAccount;
  accountNumber: bigint;
  sequence: bigint;
  /** sign with this key instead (a wrong signer) */
  signWith?: SimAccount;
  /** put this public key in the signer info (undefined = the account's own) */
  publicKey?: Uint8Array | null;
}

export interface TxSpec {
  msgs: Msg[];
  signers: SignerSpec[];
  chainId: string;
  fee?: { denom: string; amount: string }[];
  gas?: bigint;
  memo?: string;
  timeoutHeight?: bigint;
  /** raw Any messages appended as given (unknown type URLs, bytes that do not decode) */
  rawMsgs?: { typeUrl: string; value: Uint8Array }[];
}

export function encodeMsg(router: Router, msg: Msg): { typeUrl: string; value: Uint8Array } {
  const codec = router.msg(msg.typeUrl).codec;
  return { typeUrl: msg.typeUrl, value: codec.encode(codec.fromPartial(msg.value)).finish() };
}

export function buildTx(router: Router, spec: TxSpec): Uint8Array {
  const messages = [...spec.msgs.map((m) => encodeMsg(router, m)), ...(spec.rawMsgs ?? [])];
  const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages, memo: spec.memo ?? "", timeoutHeight: spec.timeoutHeight ?? 0n })).finish();
  const authInfoBytes = AuthInfo.encode(
    AuthInfo.fromPartial({
      signerInfos: spec.signers.map((s) => ({
        publicKey: s.publicKey === null ? undefined : { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: s.publicKey ?? s.account.publicKey }).finish() },
        modeInfo: { single: { mode: SignMode.SIGN_MODE_DIRECT } },
        sequence: s.sequence,
      })),
      fee: { amount: spec.fee ?? [], gasLimit: spec.gas ?? 2_000_000n, payer: "", granter: "" },
    }),
  ).finish();
  const signatures = spec.signers.map((s) => {
    const signDoc = SignDoc.encode({ bodyBytes, authInfoBytes, chainId: spec.chainId, accountNumber: s.accountNumber }).finish();
    const digest = createHash("sha256").update(signDoc).digest();
    return secp256k1.ecdsaSign(digest, (s.signWith ?? s.account).privateKey).signature;
  });
  return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: signatures.map((sig) => Uint8Array.from(sig)) }).finish();
}
