// QCP events (D8): `qcp` on every outbox write, so a relayer subscribes to
// `tm.event='Tx' AND qcp.to='<chain>'` (the whitepaper's qcp.to=xxx).
import { event, type Event } from "../../app/events.js";

export const EventTypes = {
  enqueue: "qcp",
  recv: "qcp_recv",
  result: "qcp_result",
  init: "qcp_init",
  transfer: "qcp_transfer",
  clientCreated: "qcp_client_created",
  clientUpdated: "qcp_client_updated",
  clientFrozen: "qcp_client_frozen",
  clientRecovered: "qcp_client_recovered",
  substituteCreated: "qcp_substitute_created",
  substituteUpdated: "qcp_substitute_updated",
  substituteFrozen: "qcp_substitute_frozen",
} as const;

export const enqueueEvent = (a: { to: string; from: string; sequence: bigint; hash: string; isResult: boolean }): Event =>
  event(EventTypes.enqueue, { to: a.to, from: a.from, sequence: a.sequence.toString(), hash: a.hash, is_result: String(a.isResult) });
export const recvEvent = (a: { from: string; sequence: bigint; hash: string; code: number; relayer: string; proofHeight: bigint }): Event =>
  event(EventTypes.recv, { from: a.from, sequence: a.sequence.toString(), hash: a.hash, code: String(a.code), relayer: a.relayer, proof_height: a.proofHeight.toString() });
export const resultEvent = (a: { from: string; origSequence: bigint; code: number; log: string }): Event =>
  event(EventTypes.result, { from: a.from, orig_sequence: a.origSequence.toString(), code: String(a.code), log: a.log });
export const initEvent = (chain: string, relayer: string, creator: string): Event => event(EventTypes.init, { chain, relayer, creator });
export const transferEvent = (a: { to: string; sender: string; receiver: string; amount: string; returning: boolean }): Event =>
  event(EventTypes.transfer, { to_chain: a.to, sender: a.sender, receiver: a.receiver, amount: a.amount, returning: String(a.returning) });
export const clientCreatedEvent = (chain: string, height: bigint): Event => event(EventTypes.clientCreated, { chain, height: height.toString() });
export const clientUpdatedEvent = (chain: string, height: bigint, trustedHeight: bigint): Event =>
  event(EventTypes.clientUpdated, { chain, height: height.toString(), trusted_height: trustedHeight.toString() });
/** reason: "conflicting_header" (two headers at one height) or "time_monotonicity" */
export const clientFrozenEvent = (chain: string, height: bigint, reason: string): Event =>
  event(EventTypes.clientFrozen, { chain, height: height.toString(), reason });
/** governance recovered the client of `chain` from substitute `substitute`, now at `height` */
export const clientRecoveredEvent = (chain: string, substitute: bigint, height: bigint): Event =>
  event(EventTypes.clientRecovered, { chain, substitute: substitute.toString(), height: height.toString() });
export const substituteCreatedEvent = (chain: string, substitute: bigint, height: bigint, creator: string): Event =>
  event(EventTypes.substituteCreated, { chain, substitute: substitute.toString(), height: height.toString(), creator });
export const substituteUpdatedEvent = (chain: string, substitute: bigint, height: bigint, trustedHeight: bigint): Event =>
  event(EventTypes.substituteUpdated, { chain, substitute: substitute.toString(), height: height.toString(), trusted_height: trustedHeight.toString() });
export const substituteFrozenEvent = (chain: string, substitute: bigint, height: bigint, reason: string): Event =>
  event(EventTypes.substituteFrozen, { chain, substitute: substitute.toString(), height: height.toString(), reason });
