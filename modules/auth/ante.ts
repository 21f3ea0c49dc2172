// The ante handler: everything a transaction must pass before its messages run — size, memo, timeout,
// message count, each message's stateless check, signer count, public keys, account numbers, sequences,
// signatures, fee. Work that grows with the input is charged as gas before it is done: the tx's bytes
// (10 each) before the messages are checked, every signer (1000 each) before any account is read or
// signature verified; the counts that bound the rest are checked before the work they bound. On success
// it bumps each signer's sequence and takes the fee from the first signer; those effects stay even if a
// message later fails (the Cosmos SDK rule: a tx that reached a block pays and consumes its sequence).
import { toBase64 } from "@cosmjs/encoding";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { SignDoc, TxBody } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createHash } from "node:crypto";
import { addressFromPubKey, parseAccAddress } from "../../app/address.js";
import { sameBytes } from "../../app/bytes.js";
import { BaseDenom, coinsToString, feeForGas, parseSortedCoins, type Coin } from "../../app/coins.js";
import { AppError, Errors } from "../../app/errors.js";
import type { Event } from "../../app/events.js";
import { GasCosts } from "../../app/gas.js";
import type { AnteContext, AnteHandler, AnteOptions, AnteResult, MsgLimits } from "../../app/module.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { aminoSignBytes, aminoSignDocBody } from "../../app/tx/amino.js";
import type { DecodedTx, VerifiedSigner } from "../../app/tx/decode.js";
import { isLowS, verifySecp256k1 } from "../../app/tx/verify.js";
import { accSeqEvent, feeEvent, signatureEvent } from "./events.js";
import { Secp256k1PubKeyTypeUrl, type Account, type AuthKeeper } from "./keeper.js";

/** What the ante handler needs from auth, bank and guardian, nothing more (wired in chain/index.ts). */
export interface AnteDeps {
  /** accounts (number, sequence, key) and auth's parameters (memo, signer and message limits, fee denoms) */
  accounts: Pick<AuthKeeper, "getAccount" | "setAccount" | "getParams">;
  /** what one message may carry (parties, coins): chain parameters */
  msgLimits(store: KVReader): MsgLimits;
  /** moves the fee from the payer to the fee collector; throws insufficient funds. `events` undefined:
   *  build none (CheckTx) */
  payFee(store: KVStore, events: Event[] | undefined, payer: Uint8Array, fee: readonly Coin[]): void;
  /** a fee payer (first signer) that pays no fee (guardians): no minimum gas price, nothing taken */
  feeExempt?(store: KVReader, payer: Uint8Array): boolean;
}

/** The chain's ante handler over its dependencies (the SDK's x/auth/ante NewAnteHandler). */
export function createAnteHandler(deps: AnteDeps): AnteHandler {
  return (ctx, tx, options) => runAnte(ctx, tx, deps, options);
}

function runAnte(ctx: AnteContext, tx: DecodedTx, deps: AnteDeps, options: AnteOptions): AnteResult {
  const params = deps.accounts.getParams(ctx.store);
  const { body, authInfo, raw } = tx;

  if (body.memo.length > params.max_memo_characters) {
    throw Errors.memoTooLarge.with(`memo has ${body.memo.length} characters, at most ${params.max_memo_characters}`);
  }
  if (body.timeoutHeight > 0n && BigInt(ctx.block.height) > body.timeoutHeight) {
    throw Errors.txTimeoutHeight.with(`block height ${ctx.block.height} is past the tx's timeout height ${body.timeoutHeight}`);
  }

  const fee = authInfo.fee;
  if (!fee) throw Errors.insufficientFee.with("AuthInfo.fee is missing");
  if (fee.payer !== "" || fee.granter !== "") throw Errors.notSupported.with("fee payer and fee granter are not supported");
  const feeCoins = parseSortedCoins(fee.amount, "fee");
  // Consensus rule (every mode): a fee only in denoms the chain pays out, else it is stranded.
  const feeDenoms: readonly string[] = params.fee_denoms;
  for (const coin of feeCoins) {
    if (!feeDenoms.includes(coin.denom)) {
      throw Errors.insufficientFee.with(`a fee in ${coin.denom} is not accepted: fees are paid in ${feeDenoms.join(", ")}`);
    }
  }
  const gasLimit = fee.gasLimit;
  const payer = tx.signers[0];
  const exempt = payer !== undefined && deps.feeExempt !== undefined && deps.feeExempt(ctx.unmeteredStore, parseAccAddress(payer, "signer 0"));
  if (!options.simulate) {
    if (gasLimit === 0n) throw Errors.invalidRequest.with("gas limit is 0: set a gas limit (or use gas 'auto')");
    if (options.minGasPrice && ctx.mode === "check" && !exempt) {
      const required = feeForGas(gasLimit, options.minGasPrice);
      const paid = feeCoins.find((c) => c.denom === options.minGasPrice!.denom)?.amount ?? 0n;
      if (paid < required) {
        throw Errors.insufficientFee.with(
          `fee ${coinsToString(feeCoins) || "0" + BaseDenom} is below ${required}${options.minGasPrice.denom} (gas ${gasLimit} × minimum gas price of this node)`,
        );
      }
    }
  }

  // Gas from here on is charged against the tx's limit (the meter of ctx). A simulation is charged for
  // the 64-byte signatures it does not carry yet, and for verifying them.
  const missingSignatureBytes = options.simulate ? raw.signatures.reduce((n, s) => n + Math.max(0, 64 - s.length), 0) : 0;
  ctx.gas.consume(GasCosts.txSizePerByte * BigInt(tx.bytes.length + missingSignatureBytes), "tx size");

  if (tx.msgs.length > params.max_msgs_per_tx) {
    throw Errors.tooManyMsgs.with(`${tx.msgs.length} messages, at most ${params.max_msgs_per_tx}`);
  }
  const limits = deps.msgLimits(ctx.store);
  const parsed = tx.msgs.map(({ typeUrl, handler, msg }, i) => {
    try {
      return handler.checkStateless(msg, limits);
    } catch (e) {
      if (e instanceof AppError) throw new AppError(e.def, `message ${i} (${typeUrl}): ${e.message}`);
      throw e;
    }
  });

  const signers = tx.signers;
  if (signers.length > params.tx_sig_limit) {
    throw Errors.tooManySignatures.with(`${signers.length} signers, at most ${params.tx_sig_limit}`);
  }
  // every signature's verification is paid for before the first account read (the SDK's SigVerifyCost)
  ctx.gas.consume(GasCosts.sigVerifySecp256k1 * BigInt(signers.length), "signature verification");
  if (authInfo.signerInfos.length !== signers.length) {
    throw Errors.unauthorized.with(`the tx has ${authInfo.signerInfos.length} signer infos but its messages need ${signers.length} signers`);
  }
  if (raw.signatures.length !== signers.length) {
    throw Errors.unauthorized.with(`the tx has ${raw.signatures.length} signatures but its messages need ${signers.length} signers`);
  }

  // CheckTx's events reach nobody (ResponseCheckTx carries none): they are not built there
  const emit = ctx.mode !== "check";
  const signatureEvents: Event[] = [];
  const amino: AminoDoc = {};
  const verified: Array<{ digest: Uint8Array; signature: Uint8Array; publicKey: Uint8Array }> = [];
  const verifiedSigners: VerifiedSigner[] = [];
  const accounts: Account[] = [];
  signers.forEach((signer, i) => {
    const address = parseAccAddress(signer, `signer ${i}`);
    const account = deps.accounts.getAccount(ctx.store, address);
    if (!account) throw Errors.unknownAddress.with(`account ${signer} does not exist: it must receive funds first`);
    const info = authInfo.signerInfos[i];
    // this signer passed on these bytes before (DecodedTx.verifiedSigners): what depends on the bytes
    // alone is not redone, what depends on the state is
    const memo = tx.verifiedSigners?.[i];

    let pubKey = account.pubKey;
    if (info.publicKey) {
      // with a memo, the signer info carried this key and it passed signerInfoKey's checks
      const key = memo?.pubKey ?? signerInfoKey(info.publicKey, i, address, signer);
      if (pubKey && !sameBytes(pubKey, key)) {
        throw Errors.invalidPubKey.with(`signer ${i}: public key differs from the one ${signer} signed with before`);
      }
      pubKey = key;
    }
    if (!pubKey) throw Errors.invalidPubKey.with(`signer ${i}: ${signer} has no public key on chain and the tx gives none`);

    if (info.sequence !== account.sequence) {
      throw Errors.wrongSequence.with(`account sequence mismatch, expected ${account.sequence}, got ${info.sequence}`);
    }

    if (!options.simulate) {
      // genesis transactions are signed before account numbers exist (the Cosmos SDK's rule)
      const accountNumber = ctx.mode === "genesis" ? 0n : account.accountNumber;
      const signature = raw.signatures[i];
      verifiedSigners.push({ chainId: ctx.block.chainId, accountNumber, pubKey });
      if (memo && memo.chainId === ctx.block.chainId && memo.accountNumber === accountNumber && sameBytes(memo.pubKey, pubKey)) {
        // the same sign bytes, signature and key as a verification that passed
        if (emit) signatureEvents.push(signatureEvent(toBase64(signature)));
        accounts.push({ ...account, pubKey });
        return;
      }
      const digest = signDigest(tx, i, ctx.block.chainId, accountNumber, amino);
      if (signature.length !== 64) {
        throw Errors.unauthorized.with(`signer ${i}: signature has ${signature.length} bytes, expected 64 (r||s)`);
      }
      if (!isLowS(signature)) {
        throw Errors.unauthorized.with(`signer ${i}: signature has a high-S value (s > n/2, malleable); sign with low-S`);
      }
      if (!options.signatureCache.verify(digest, signature, pubKey)) {
        throw Errors.unauthorized.with(
          `signature verification failed; check account number (${account.accountNumber}), sequence (${account.sequence}) and chain-id (${ctx.block.chainId})`,
        );
      }
      if (emit) signatureEvents.push(signatureEvent(toBase64(signature)));
      verified.push({ digest, signature, publicKey: pubKey });
    }
    accounts.push({ ...account, pubKey });
  });

  // Effects: sequences, keys, fee. Written to the ante branch, which survives a failing message.
  accounts.forEach((account, i) => {
    deps.accounts.setAccount(ctx.store, { ...account, sequence: account.sequence + 1n });
    if (emit) ctx.events.push(accSeqEvent(signers[i], account.sequence));
  });
  ctx.events.push(...signatureEvents);
  ctx.gas.consume(GasCosts.feeDeduction, "fee deduction");
  const paid = exempt ? [] : feeCoins;
  if (paid.length > 0) deps.payFee(ctx.unmeteredStore, emit ? ctx.events : undefined, accounts[0].address, paid);
  if (emit) ctx.events.push(feeEvent(coinsToString(paid), signers[0]));
  // only now, with the fee paid, may the tx's signatures take memory in the cache (D11)
  options.signatureCache.remember(verified);
  if (!options.simulate) tx.verifiedSigners = verifiedSigners;
  return { gasLimit, fee: paid, parsed };
}

/** The amino JSON document's part every signer of a tx shares, built at the first amino signer. */
interface AminoDoc {
  body?: ReturnType<typeof aminoSignDocBody>;
}

/** The sha256 of what signer `i` signs under `chainId` and `accountNumber` (its sign mode's document);
 *  throws notSupported for another sign mode, and amino JSON's refusals. */
function signDigest(tx: DecodedTx, i: number, chainId: string, accountNumber: bigint, amino: AminoDoc): Buffer {
  const { raw, authInfo } = tx;
  const info = authInfo.signerInfos[i];
  const mode = info.modeInfo?.single?.mode;
  let signBytes: Uint8Array;
  if (mode === SignMode.SIGN_MODE_DIRECT) {
    signBytes = SignDoc.encode({ bodyBytes: raw.bodyBytes, authInfoBytes: raw.authInfoBytes, chainId, accountNumber }).finish();
  } else if (mode === SignMode.SIGN_MODE_LEGACY_AMINO_JSON) {
    amino.body ??= aminoDocBody(tx, chainId);
    signBytes = aminoSignBytes(amino.body, accountNumber, info.sequence);
  } else {
    throw Errors.notSupported.with(`signer ${i}: sign mode ${mode ?? "multi"} is not supported, use SIGN_MODE_DIRECT or SIGN_MODE_LEGACY_AMINO_JSON`);
  }
  return createHash("sha256").update(signBytes).digest();
}

/**
 * What can be verified of a tx's signatures without the state (a verify worker, app/tx/verify-pool.ts):
 * per signer whose signer info carries a key, and whose account number `accountNumberOf` guesses, the
 * VerifiedSigner the ante handler's own checks would record (the key's checks, the sign mode, the 64-byte
 * low-S signature verifying over the sign bytes); undefined where any of them fails or nothing is known.
 * A fact about the bytes under that chain id, account number and key: the ante uses it only when the
 * state holds the same three, and checks everything else (accounts, sequences, fee) itself.
 */
export function signatureFacts(tx: DecodedTx, chainId: string, accountNumberOf: (signer: string) => bigint | undefined): Array<VerifiedSigner | undefined> {
  const { authInfo, raw } = tx;
  if (authInfo.signerInfos.length !== tx.signers.length || raw.signatures.length !== tx.signers.length) return [];
  const amino: AminoDoc = {};
  return tx.signers.map((signer, i) => {
    const publicKey = authInfo.signerInfos[i].publicKey;
    const accountNumber = accountNumberOf(signer);
    if (!publicKey || accountNumber === undefined) return undefined;
    const signature = raw.signatures[i];
    try {
      const pubKey = signerInfoKey(publicKey, i, parseAccAddress(signer, `signer ${i}`), signer);
      const digest = signDigest(tx, i, chainId, accountNumber, amino);
      if (signature.length !== 64 || !isLowS(signature) || !verifySecp256k1(digest, signature, pubKey)) return undefined;
      return { chainId, accountNumber, pubKey };
    } catch {
      return undefined;
    }
  });
}

/** The key a signer info carries for `signer` (a pure function of the tx): secp256k1, decodable, 33
 *  bytes, and the key of that address; throws invalidPubKey naming what is wrong. */
function signerInfoKey(publicKey: { typeUrl: string; value: Uint8Array }, i: number, address: Uint8Array, signer: string): Uint8Array {
  if (publicKey.typeUrl !== Secp256k1PubKeyTypeUrl) {
    throw Errors.invalidPubKey.with(`signer ${i}: key type ${publicKey.typeUrl} is not supported, use ${Secp256k1PubKeyTypeUrl}`);
  }
  let key: Uint8Array;
  try {
    key = PubKey.decode(publicKey.value).key;
  } catch {
    throw Errors.invalidPubKey.with(`signer ${i}: undecodable public key`);
  }
  if (key.length !== 33) throw Errors.invalidPubKey.with(`signer ${i}: public key has ${key.length} bytes, expected 33`);
  if (!sameBytes(addressFromPubKey(key), address)) {
    throw Errors.invalidPubKey.with(`signer ${i}: public key does not belong to ${signer}`);
  }
  return key;
}

/** The amino JSON sign document of a tx but for each signer's account number and sequence. Amino JSON signs
 *  the messages, memo, timeout and fee only: a body that carries anything else (extension options, fields
 *  outside TxBody's, a non-canonical encoding) would be unsigned content, so it is refused. */
function aminoDocBody(tx: DecodedTx, chainId: string): ReturnType<typeof aminoSignDocBody> {
  const { body, raw, authInfo } = tx;
  if (body.nonCriticalExtensionOptions.length > 0) throw Errors.aminoUnsignedContent.with("non-critical extension options");
  if (!sameBytes(TxBody.encode(body).finish(), raw.bodyBytes)) {
    throw Errors.aminoUnsignedContent.with("the body bytes are not the canonical encoding of its messages, memo and timeout");
  }
  const msgs = tx.msgs.map(({ typeUrl, msg, aminoName }, i) => {
    if (!aminoName) throw Errors.noAminoJson.with(`message ${i} (${typeUrl})`);
    return { aminoName, typeName: typeUrl.slice(1), value: msg };
  });
  const fee = authInfo.fee!;
  // JSON is a few times longer than protobuf (names, base64, escapes); a document beyond this is an attack
  const maxLength = 4 * tx.bytes.length + AminoDocSlack;
  return aminoSignDocBody({ chainId, timeoutHeight: body.timeoutHeight, memo: body.memo, fee: { amount: fee.amount, gasLimit: fee.gasLimit, payer: fee.payer, granter: fee.granter }, msgs }, maxLength);
}
const AminoDocSlack = 16 * 1024;
