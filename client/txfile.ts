// The transaction file qoscli writes (`--generate-only`, `tx sign`) and reads (`tx sign`, `tx broadcast`).
//
// {
//   "qos_tx_file": 1,
//   "chain_id": "qos-test-1",                     // "" until known; the sign doc's chain id
//   "body_bytes": "<base64 TxBody>",              // authoritative: what is signed
//   "fee": { "amount": [{"denom": "uqos", "amount": "5000"}], "gas_limit": "200000" },
//   "signers": [                                  // in the order the messages require them
//     { "address": "qosacc1...", "pubkey": "<base64 33 bytes>" | null,
//       "account_number": "7" | null, "sequence": "3" | null }
//   ],
//   "auth_info_bytes": "<base64 AuthInfo>" | null, // fixed by the first signature (it is signed too)
//   "signatures": ["<base64 64 bytes>" | "", ...], // one per signer, "" = not signed yet
//   "readable": { "messages": [{"@type": TypeUrl.cosmos.bank.v1beta1.MsgSend, ...}], "memo": "", ... }
// }
//
// Only body_bytes, fee, signers, auth_info_bytes, signatures and chain_id are read back; "readable" is
// a decoded copy for people to review before signing. Signatures are SIGN_MODE_DIRECT over
// SignDoc{body_bytes, auth_info_bytes, chain_id, account_number}; a complete file becomes TxRaw.
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { DirectSecp256k1Wallet, encodePubkey, makeAuthInfoBytes, makeSignDoc, type EncodeObject } from "@cosmjs/proto-signing";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { AccountPrefix } from "../app/address.js";
import { registry } from "./context.js";
import { CliError } from "./errors.js";
import { TypeUrl } from "../gen/names.js";

const coinSchema = z.object({ denom: z.string(), amount: z.string().regex(/^[0-9]+$/) });
const uintString = z.string().regex(/^[0-9]+$/);

export const txFileSchema = z.object({
  qos_tx_file: z.literal(1),
  chain_id: z.string(),
  body_bytes: z.string(),
  fee: z.object({ amount: z.array(coinSchema), gas_limit: uintString }),
  signers: z
    .array(
      z.object({
        address: z.string().startsWith(`${AccountPrefix}1`),
        pubkey: z.string().nullable(),
        account_number: uintString.nullable(),
        sequence: uintString.nullable(),
      }),
    )
    .min(1),
  auth_info_bytes: z.string().nullable(),
  signatures: z.array(z.string()),
  readable: z.unknown().optional(),
});

export type TxFile = z.infer<typeof txFileSchema>;
export type TxFileSigner = TxFile["signers"][number];

export interface Fee {
  amount: { denom: string; amount: string }[];
  gasLimit: bigint;
}

export function newTxFile(
  msgs: EncodeObject[],
  memo: string,
  fee: Fee,
  signers: TxFileSigner[],
  chainId: string,
): TxFile {
  const bodyBytes = registry.encode({ typeUrl: TypeUrl.cosmos.tx.v1beta1.TxBody, value: { messages: msgs, memo } });
  const file: TxFile = {
    qos_tx_file: 1,
    chain_id: chainId,
    body_bytes: toBase64(bodyBytes),
    fee: { amount: fee.amount, gas_limit: fee.gasLimit.toString() },
    signers,
    auth_info_bytes: null,
    signatures: signers.map(() => ""),
  };
  file.readable = readableTx(bodyBytes, file);
  return file;
}

export function readTxFile(path: string): TxFile {
  let text: string;
  try {
    text = readFileSync(path === "-" ? 0 : path, "utf8");
  } catch (e) {
    throw new CliError(`cannot read tx file ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new CliError(`tx file ${path} is not JSON (${(e as Error).message}); expected the output of --generate-only or tx sign`);
  }
  const result = txFileSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new CliError(`tx file ${path} is not a qoscli tx file: ${issue.path.join(".") || "(root)"}: ${issue.message}. See \`qoscli tx sign --help\``);
  }
  const file = result.data;
  if (file.signatures.length !== file.signers.length) throw new CliError(`tx file ${path}: ${file.signatures.length} signatures for ${file.signers.length} signers`);
  return file;
}

/** AuthInfo bytes for the file's signers and fee; needs every signer's pubkey and sequence. */
export function buildAuthInfo(file: TxFile): Uint8Array {
  const missing = file.signers.filter((s) => s.pubkey === null || s.sequence === null).map((s) => s.address);
  if (missing.length) {
    throw new CliError(
      `the public key or sequence of ${missing.join(", ")} is not known yet: sign online (without --offline) so qoscli reads them from the chain, or generate the tx where their keys are`,
    );
  }
  return makeAuthInfoBytes(
    file.signers.map((s) => ({ pubkey: encodePubkey(encodeSecp256k1Pubkey(fromBase64(s.pubkey!))), sequence: BigInt(s.sequence!) })),
    file.fee.amount,
    Number(file.fee.gas_limit),
    undefined,
    undefined,
  );
}

/** Signs the file as `address` with `privateKey`; fills the signer's data first. Returns a new file. */
export async function signTxFile(
  file: TxFile,
  privateKey: Uint8Array,
  address: string,
  accountNumber: bigint,
  chainId: string,
): Promise<TxFile> {
  const index = file.signers.findIndex((s) => s.address === address);
  if (index < 0) throw new CliError(`${address} is not a signer of this tx (signers: ${file.signers.map((s) => s.address).join(", ")})`);
  if (file.chain_id && file.chain_id !== chainId) {
    throw new CliError(`the tx file is for chain ${file.chain_id} but the chain id is ${chainId}; pass --chain-id ${file.chain_id} or regenerate the tx`);
  }
  const out: TxFile = structuredClone(file);
  out.chain_id = chainId;
  const signer = out.signers[index];
  if (signer.account_number !== null && BigInt(signer.account_number) !== accountNumber) {
    throw new CliError(`the tx file says account number ${signer.account_number} for ${address}, not ${accountNumber}`);
  }
  signer.account_number = accountNumber.toString();
  const authInfoBytes = out.auth_info_bytes ? fromBase64(out.auth_info_bytes) : buildAuthInfo(out);
  out.auth_info_bytes = toBase64(authInfoBytes);
  const wallet = await DirectSecp256k1Wallet.fromKey(privateKey, AccountPrefix);
  const [{ address: walletAddress, pubkey }] = await wallet.getAccounts();
  if (walletAddress !== address) throw new CliError(`the key's address ${walletAddress} is not ${address}`);
  const info = AuthInfo.decode(authInfoBytes).signerInfos[index];
  const signed = info?.publicKey ? PubKey.decode(info.publicKey.value).key : undefined;
  if (!signed || toBase64(signed) !== toBase64(pubkey)) throw new CliError(`the tx's signer info ${index} does not carry the public key of ${address}`);
  const signDoc = makeSignDoc(fromBase64(out.body_bytes), authInfoBytes, chainId, Number(accountNumber));
  const { signature } = await wallet.signDirect(address, signDoc);
  out.signatures[index] = signature.signature;
  out.readable = readableTx(fromBase64(out.body_bytes), out);
  return out;
}

/** The TxRaw bytes of a fully signed file. */
export function txRawBytes(file: TxFile): Uint8Array {
  const unsigned = file.signers.filter((_, i) => file.signatures[i] === "").map((s) => s.address);
  if (unsigned.length || !file.auth_info_bytes) {
    throw new CliError(`the tx is not signed by ${unsigned.join(", ")} yet: run \`qoscli tx sign <file> --from <key>\` for each`);
  }
  return TxRaw.encode({
    bodyBytes: fromBase64(file.body_bytes),
    authInfoBytes: fromBase64(file.auth_info_bytes),
    signatures: file.signatures.map(fromBase64),
  }).finish();
}

/** Tx bytes for /cosmos.tx.v1beta1.Service/Simulate: the real body and signers, empty signatures. */
export function simulationBytes(file: TxFile): Uint8Array {
  const sim: TxFile = { ...file, fee: { amount: [], gas_limit: "0" } };
  return TxRaw.encode({
    bodyBytes: fromBase64(file.body_bytes),
    authInfoBytes: buildAuthInfo(sim),
    signatures: file.signers.map(() => new Uint8Array()),
  }).finish();
}

/** A decoded, human-readable view of a tx (messages as JSON with "@type"). */
export function readableTx(bodyBytes: Uint8Array, file?: TxFile): Record<string, unknown> {
  const body = TxBody.decode(bodyBytes);
  return {
    messages: body.messages.map(msgToJson),
    memo: body.memo,
    ...(body.timeoutHeight ? { timeout_height: body.timeoutHeight.toString() } : {}),
    ...(file ? { fee: file.fee.amount.map((c) => `${c.amount}${c.denom}`).join(","), gas_limit: file.fee.gas_limit } : {}),
  };
}

export function msgToJson(any: { typeUrl: string; value: Uint8Array }): Record<string, unknown> {
  const type = registry.lookupType(any.typeUrl) as
    | { decode(b: Uint8Array): unknown; toJSON?(m: unknown): unknown }
    | undefined;
  if (!type || !type.toJSON) return { "@type": any.typeUrl, value: toBase64(any.value) };
  return { "@type": any.typeUrl, ...(type.toJSON(type.decode(any.value)) as Record<string, unknown>) };
}

/** A whole TxRaw as JSON (for `query tx`). */
export function decodeTxJson(bytes: Uint8Array): Record<string, unknown> {
  try {
    const raw = TxRaw.decode(bytes);
    const authInfo = AuthInfo.decode(raw.authInfoBytes);
    return {
      body: readableTx(raw.bodyBytes),
      auth_info: {
        signer_infos: authInfo.signerInfos.map((s) => ({
          public_key: s.publicKey ? toBase64(PubKey.decode(s.publicKey.value).key) : null,
          sequence: s.sequence.toString(),
        })),
        fee: {
          amount: authInfo.fee?.amount ?? [],
          gas_limit: (authInfo.fee?.gasLimit ?? 0n).toString(),
        },
      },
      signatures: raw.signatures.map(toBase64),
    };
  } catch {
    return { undecodable: toBase64(bytes) };
  }
}

/** Fills one signer's pubkey, account number and sequence (the pubkey and sequence only while no one has signed). */
export function withSignerData(file: TxFile, address: string, data: { pubkey?: string; accountNumber: bigint; sequence: bigint }): TxFile {
  const out = structuredClone(file);
  const s = out.signers.find((x) => x.address === address);
  if (!s) throw new CliError(`${address} is not a signer of this tx (signers: ${file.signers.map((x) => x.address).join(", ")})`);
  if (out.auth_info_bytes) {
    if (s.sequence !== null && BigInt(s.sequence) !== data.sequence) {
      throw new CliError(`the tx was already signed with sequence ${s.sequence} for ${address}, not ${data.sequence}; regenerate it`);
    }
  } else {
    s.sequence = data.sequence.toString();
    s.pubkey = data.pubkey ?? s.pubkey;
  }
  s.account_number = data.accountNumber.toString();
  return out;
}
