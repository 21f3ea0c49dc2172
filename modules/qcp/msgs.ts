// qcp messages, in two phases: checkStateless (no state: the message parsed once; MsgRecvQcp's proof
// decoded) → execute (checks against state, then the change), which works on what checkStateless parsed.
//
// MsgRecvQcp, in this order (every failure before the inbox moves rejects the message, so a bad,
// duplicate or early submission consumes nothing; the original's "result for a rejected delivery" is
// not copied): entry decodes → entry.to is this chain → source chain registered → sequence == in + 1
// (≤ in: code 3 "already delivered", > in + 1: code 4) → entry.height < proof_height (the header of
// proof_height carries the state after block proof_height - 1) → the source's light client is active and
// has verified a header at proof_height → the proof shows sha256(entry) under the source key
// qcp/o/<to>/<seq> in the tree whose root is that header's app hash. Anyone may relay (the signer only
// pays the gas): no relayer-stated value is trusted, so who relays does not matter (D12). Then the inbox
// moves, the payload runs on a branch (a failing payload is rolled back, its code and log kept), and a
// result entry goes back to the source. A result entry is recorded (and a failed transfer refunded)
// instead of producing another result.
import { addressFromPubKey, parseAccAddress, toAccAddress } from "../../app/address.js";
import { parsePositiveAmount, validateDenom } from "../../app/coins.js";
import { checkCertificateSize, requireCertificate } from "../../app/certificate.js";
import { Errors, toStateError } from "../../app/errors.js";
import { blockSeconds, type Context, type MsgHandler } from "../../app/module.js";
import { CacheStore, type KVReader } from "../../app/state/kv.js";
import { decodeProof, verifyMembership, type MerkleProof } from "../../app/state/smt.js";
import { decodeMsg, decodeStrict } from "../../app/tx/decode.js";
import { TypeUrl } from "../../gen/names.js";
import type { QcpSubject } from "../../gen/qos/ca/v1/cert.js";
import {
  MsgExecute, MsgExecuteResponse, MsgInitQcp, MsgInitQcpResponse, MsgRecvQcp, MsgRecvQcpResponse, MsgTransfer, MsgTransferResponse,
} from "../../gen/qos/qcp/v1/tx.js";
import { ExecutePayload, OutboxEntry, ResultPayload, TransferPayload } from "../../gen/qos/qcp/v1/types.js";
import { QcpErrors } from "./errors.js";
import * as events from "./events.js";
import { entryHash, interchainAccount, outboxKeyBytes, type QcpKeeper } from "./keeper.js";
import { ChainIdPattern } from "./params.js";

const Urls = TypeUrl.qos.qcp.v1;
/** An outbox entry's payload_type: the type URL of its payload. */
export const PayloadTypes = {
  transfer: Urls.TransferPayload,
  execute: Urls.ExecutePayload,
  result: Urls.ResultPayload,
} as const;
/** the full protobuf name a type URL names (decodeStrict's schema) */
const typeName = (typeUrl: string) => typeUrl.slice(1);

export const certificateErrors = { invalid: QcpErrors.invalidCertificate, notValidNow: QcpErrors.certificateNotValidNow, noRootCa: QcpErrors.noRootCa };
const MaxEntryBytes = 1_100_000;
const MaxResultLog = 512;

/** What qcp needs from the rest of the app. */
export interface QcpEnv {
  /** the message handler for a type URL (the app's router), to run ExecutePayload messages */
  msgHandler(typeUrl: string): MsgHandler | undefined;
  /** denoms that originate here (the base denom, registered QSC tokens): never minted as vouchers */
  isNativeDenom(store: KVReader, denom: string): boolean;
  /** runs a refund even if its token was paused meanwhile: refusing it would stall the whole route */
  restoring<T>(move: () => T): T;
}

export function checkChainId(chain: string, what: string): void {
  if (!ChainIdPattern.test(chain)) throw QcpErrors.invalidField.with(`${what} ${JSON.stringify(chain)} is not a chain id`);
}

export const bytesEqual = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** MsgRecvQcp with its proof decoded (the entry is decoded in execute: its failures are delivery
 *  failures, reported after the stateless checks of the whole tx, as they always were). */
export interface ParsedRecv {
  msg: MsgRecvQcp;
  proof: MerkleProof;
}

/** MsgTransfer with its sender and amount decoded. */
export interface ParsedTransfer {
  msg: MsgTransfer;
  sender: Uint8Array;
  amount: bigint;
}

/** A QCP root CA certificate valid at block time for a route from this chain to another: its subject. */
export function requireQcpSubject(ctx: Pick<Context, "store" | "block">, keeper: QcpKeeper, certificate: Uint8Array, noRootCa: string): QcpSubject {
  const request = requireCertificate(certificate, keeper.getRootCa(ctx.store), blockSeconds(ctx.block), certificateErrors, noRootCa);
  const subject = request.qcp;
  if (!subject) throw QcpErrors.invalidCertificate.with("the certificate is not a QCP certificate");
  if (subject.chainId !== ctx.block.chainId) throw QcpErrors.invalidCertificate.with(`certificate is for chain ${subject.chainId}, this is ${ctx.block.chainId}`);
  checkChainId(subject.qcpChain, "certificate qcp_chain");
  if (subject.qcpChain === ctx.block.chainId) throw QcpErrors.invalidCertificate.with("qcp_chain is this chain");
  return subject;
}

export function qcpMsgs(keeper: QcpKeeper, env: QcpEnv): MsgHandler[] {
  /** nothing to parse: the certificate is checked against state (the root CA, the block time) */
  const init: MsgHandler<MsgInitQcp, MsgInitQcp> = {
    typeUrl: Urls.MsgInitQcp,
    codec: MsgInitQcp,
    signers: (msg) => [msg.creator],
    checkStateless(msg) {
      parseAccAddress(msg.creator, "creator");
      checkCertificateSize(msg.certificate, certificateErrors);
      return msg;
    },
    execute(ctx, msg) {
      const subject = requireQcpSubject(ctx, keeper, msg.certificate, "this chain's genesis has no qcp.root_ca_public_key: no relayer can be registered");
      if (subject.relayerPublicKey.length !== 33) throw QcpErrors.invalidCertificate.with("relayer key must be a 33-byte secp256k1 key");
      const relayer = toAccAddress(addressFromPubKey(subject.relayerPublicKey));
      const info = keeper.getChain(ctx.store, subject.qcpChain) ?? { chainId: subject.qcpChain, relayers: [] };
      if (info.relayers.includes(relayer)) throw QcpErrors.relayerExists.with(`${relayer} already relays ${subject.qcpChain}`);
      keeper.setChain(ctx.store, { ...info, relayers: [...info.relayers, relayer] });
      ctx.events.push(events.initEvent(subject.qcpChain, relayer, msg.creator));
      return { typeUrl: Urls.MsgInitQcpResponse, value: MsgInitQcpResponse.encode({ qcpChain: subject.qcpChain, relayer }).finish() };
    },
  };

  /** Runs an incoming payload on a branch; returns its outcome (never throws, except out of gas). */
  function runPayload(ctx: Context, entry: OutboxEntry): ResultPayload {
    const branch = new CacheStore(ctx.store);
    const own: Context["events"] = [];
    const sub: Context = { store: branch, block: ctx.block, gas: ctx.gas, events: own, mode: ctx.mode };
    try {
      if (entry.payloadType === PayloadTypes.transfer) receiveTransfer(sub, entry.from, decodeStrict(TransferPayload, typeName(Urls.TransferPayload), entry.payload, "transfer payload"));
      else if (entry.payloadType === PayloadTypes.execute) receiveExecute(sub, entry.from, decodeStrict(ExecutePayload, typeName(Urls.ExecutePayload), entry.payload, "execute payload"));
      else throw QcpErrors.unknownPayload.with(JSON.stringify(entry.payloadType));
    } catch (e) {
      if (Errors.outOfGas.is(e)) throw e; // the relayer gave too little gas: nothing is consumed, it retries
      const err = toStateError(e); // the result goes into the outbox (state): the app's own text only
      return { origSequence: entry.sequence, code: err.code, codespace: err.codespace, log: err.message.slice(0, MaxResultLog) };
    }
    branch.write();
    ctx.events.push(...own);
    return { origSequence: entry.sequence, code: 0, codespace: "", log: "" };
  }

  /** A transfer from `from`: going home (returning) releases our escrow of that denom toward `from`
   *  only; anything else is minted as `from`'s voucher, namespaced by route (never the bare denom). */
  function receiveTransfer(ctx: Context, from: string, p: TransferPayload): void {
    const amount = parsePositiveAmount(p.amount, "amount");
    validateDenom(p.denom);
    const receiver = parseAccAddress(p.receiver, "receiver");
    if (p.returning) keeper.release(ctx.store, ctx.events, from, p.denom, receiver, amount);
    else {
      // Not needed for safety any more (the voucher is voucherDenom(from, denom), never a native denom):
      // kept so a coin that merely shares the name of one of our own tokens is not minted as a look-alike,
      // and its refund path stays the same (decisions.md).
      if (env.isNativeDenom(ctx.store, p.denom)) throw QcpErrors.nativeDenom.with(`${p.denom} from ${from}`);
      keeper.mintVoucher(ctx.store, ctx.events, from, p.denom, receiver, amount);
    }
  }

  function receiveExecute(ctx: Context, from: string, p: ExecutePayload): void {
    const account = toAccAddress(interchainAccount(from, p.sender));
    if (p.msgs.length === 0) throw QcpErrors.invalidField.with("no messages");
    p.msgs.forEach(({ typeUrl, value }, i) => {
      const handler = env.msgHandler(typeUrl);
      if (!handler) throw Errors.unknownRequest.with(`message ${i}: unknown type ${JSON.stringify(typeUrl)}`);
      const decoded = decodeMsg(handler, value, `message ${i} (${typeUrl})`);
      const parsed = handler.checkStateless(decoded);
      const signers = handler.signers(decoded);
      if (signers.length === 0 || signers.some((s) => s !== account)) {
        throw QcpErrors.unauthorizedMsg.with(`message ${i} (${typeUrl}) is signed by ${signers.join(", ") || "nobody"}, not ${account}`);
      }
      handler.execute(ctx, parsed);
    });
  }

  /** A result for one of our entries: record it; a failed transfer is refunded to its sender. */
  function receiveResult(ctx: Context, from: string, result: ResultPayload): void {
    const original = keeper.getEntry(ctx.store, from, result.origSequence);
    if (!original || original.isResult) throw QcpErrors.invalidEntry.with(`result for ${from} #${result.origSequence}: no such outgoing entry`);
    if (keeper.getResult(ctx.store, from, result.origSequence)) throw QcpErrors.invalidEntry.with(`result for ${from} #${result.origSequence} already recorded`);
    keeper.setResult(ctx.store, from, result);
    if (result.code !== 0 && original.payloadType === PayloadTypes.transfer) {
      // the exact reverse of what MsgTransfer did: re-mint the burned voucher, or release the escrow
      const p = TransferPayload.decode(original.payload);
      const amount = BigInt(p.amount);
      const sender = parseAccAddress(p.sender);
      if (p.returning) keeper.mintVoucher(ctx.store, ctx.events, from, p.denom, sender, amount);
      else env.restoring(() => keeper.release(ctx.store, ctx.events, from, p.denom, sender, amount));
    }
    ctx.events.push(events.resultEvent({ from, origSequence: result.origSequence, code: result.code, log: result.log }));
  }

  const recv: MsgHandler<MsgRecvQcp, ParsedRecv> = {
    typeUrl: Urls.MsgRecvQcp,
    codec: MsgRecvQcp,
    signers: (msg) => [msg.relayer],
    checkStateless(msg) {
      parseAccAddress(msg.relayer, "relayer");
      if (msg.entry.length === 0 || msg.entry.length > MaxEntryBytes) throw QcpErrors.invalidEntry.with(`entry must be 1-${MaxEntryBytes} bytes`);
      if (msg.proofHeight <= 0n) throw QcpErrors.invalidProof.with("proof_height must be positive");
      let proof: MerkleProof;
      try {
        proof = decodeProof(msg.proof);
      } catch (e) {
        throw QcpErrors.invalidProof.with((e as Error).message);
      }
      return { msg, proof };
    },
    execute(ctx, { msg, proof }) {
      let entry: OutboxEntry;
      try {
        entry = decodeStrict(OutboxEntry, typeName(Urls.OutboxEntry), msg.entry, "entry");
      } catch (e) {
        throw QcpErrors.invalidEntry.with(`entry does not decode: ${(e as Error).message}`);
      }
      if (entry.to !== ctx.block.chainId) throw QcpErrors.wrongDestination.with(`entry is for ${JSON.stringify(entry.to)}, this is ${ctx.block.chainId}`);
      checkChainId(entry.from, "entry.from");
      keeper.requireChain(ctx.store, entry.from);
      const last = keeper.getInSequence(ctx.store, entry.from);
      if (entry.sequence <= last) throw QcpErrors.alreadyDelivered.with(`${entry.from} #${entry.sequence}: delivered up to #${last}`);
      if (entry.sequence !== last + 1n) throw QcpErrors.sequenceGap.with(`${entry.from} #${entry.sequence}: next is #${last + 1n}`);
      if (entry.height <= 0n) throw QcpErrors.invalidEntry.with(`entry height ${entry.height}`);
      if (entry.height >= msg.proofHeight) {
        throw QcpErrors.entryNotProvable.with(`entry written at ${entry.from} height ${entry.height}; header ${msg.proofHeight} proves the state after block ${msg.proofHeight - 1n}`);
      }
      const root = keeper.verifiedAppHash(ctx.store, entry.from, msg.proofHeight, blockSeconds(ctx.block));
      if (!verifyMembership(root, outboxKeyBytes(entry.to, entry.sequence), msg.entry, proof)) {
        throw QcpErrors.invalidProof.with(`${entry.from} #${entry.sequence} at height ${msg.proofHeight}`);
      }
      keeper.setInSequence(ctx.store, entry.from, entry.sequence);

      let outcome: ResultPayload;
      if (entry.isResult) {
        if (entry.payloadType !== PayloadTypes.result) throw QcpErrors.invalidEntry.with("a result entry must carry a ResultPayload");
        let result: ResultPayload;
        try {
          result = decodeStrict(ResultPayload, typeName(Urls.ResultPayload), entry.payload, "result payload");
        } catch (e) {
          throw QcpErrors.invalidEntry.with(`result does not decode: ${(e as Error).message}`);
        }
        receiveResult(ctx, entry.from, result);
        outcome = { origSequence: entry.sequence, code: 0, codespace: "", log: "" };
      } else {
        outcome = runPayload(ctx, entry);
        keeper.enqueue(ctx, entry.from, PayloadTypes.result, ResultPayload.encode(outcome).finish(), true);
      }
      ctx.events.push(events.recvEvent({
        from: entry.from, sequence: entry.sequence, hash: entryHash(msg.entry), code: outcome.code, relayer: msg.relayer, proofHeight: msg.proofHeight,
      }));
      return {
        typeUrl: Urls.MsgRecvQcpResponse,
        value: MsgRecvQcpResponse.encode({ sequence: entry.sequence, code: outcome.code, log: outcome.log }).finish(),
      };
    },
  };

  const transfer: MsgHandler<MsgTransfer, ParsedTransfer> = {
    typeUrl: Urls.MsgTransfer,
    codec: MsgTransfer,
    signers: (msg) => [msg.sender],
    checkStateless(msg) {
      const sender = parseAccAddress(msg.sender, "sender");
      // module accounts have the same address on every chain (sha256 of the name): refused here already
      keeper.bank.checkRecipient(parseAccAddress(msg.receiver, "receiver"), "receiver");
      checkChainId(msg.toChain, "to_chain");
      validateDenom(msg.denom);
      return { msg, sender, amount: parsePositiveAmount(msg.amount, "amount") };
    },
    execute(ctx, { msg, sender, amount }) {
      if (msg.toChain === ctx.block.chainId) throw QcpErrors.invalidField.with("to_chain is this chain");
      keeper.requireChain(ctx.store, msg.toChain);
      // Only a voucher whose trace names the destination goes home (burned here, released there, as the
      // denom it has there); a native coin or a voucher going elsewhere is escrowed per (to_chain, denom).
      const trace = keeper.getTrace(ctx.store, msg.denom);
      const returning = trace?.chainId === msg.toChain;
      if (returning) keeper.burnVoucher(ctx.store, ctx.events, msg.denom, trace, sender, amount);
      else keeper.escrow(ctx.store, ctx.events, msg.toChain, msg.denom, sender, amount);
      const denom = returning ? trace.denom : msg.denom;
      const payload = TransferPayload.encode({ sender: msg.sender, receiver: msg.receiver, denom, amount: amount.toString(), returning }).finish();
      const sequence = keeper.enqueue(ctx, msg.toChain, PayloadTypes.transfer, payload);
      ctx.events.push(events.transferEvent({ to: msg.toChain, sender: msg.sender, receiver: msg.receiver, amount: `${amount}${msg.denom}`, returning }));
      return { typeUrl: Urls.MsgTransferResponse, value: MsgTransferResponse.encode({ sequence }).finish() };
    },
  };

  /** nothing to parse: the messages travel as they are, to be parsed where they run */
  const execute: MsgHandler<MsgExecute, MsgExecute> = {
    typeUrl: Urls.MsgExecute,
    codec: MsgExecute,
    signers: (msg) => [msg.sender],
    checkStateless(msg) {
      parseAccAddress(msg.sender, "sender");
      checkChainId(msg.toChain, "to_chain");
      if (msg.msgs.length === 0) throw QcpErrors.invalidField.with("msgs is empty");
      for (const m of msg.msgs) if (!m.typeUrl) throw QcpErrors.invalidField.with("a message has no type_url");
      return msg;
    },
    execute(ctx, msg) {
      if (msg.toChain === ctx.block.chainId) throw QcpErrors.invalidField.with("to_chain is this chain");
      const params = keeper.getParams(ctx.store);
      if (msg.msgs.length > params.max_execute_msgs) throw QcpErrors.invalidField.with(`at most ${params.max_execute_msgs} messages`);
      const payload = ExecutePayload.encode({ sender: msg.sender, msgs: msg.msgs }).finish();
      const sequence = keeper.enqueue(ctx, msg.toChain, PayloadTypes.execute, payload);
      return { typeUrl: Urls.MsgExecuteResponse, value: MsgExecuteResponse.encode({ sequence }).finish() };
    },
  };

  return [init, recv, transfer, execute];
}
