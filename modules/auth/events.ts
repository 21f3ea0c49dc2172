// Ante-handler events, in the Cosmos SDK's form so explorers and CosmJS users find them.
import { event, type Event } from "../../app/events.js";

export const EventTypes = { tx: "tx" } as const;

export function feeEvent(fee: string, feePayer: string): Event {
  return event(EventTypes.tx, { fee, fee_payer: feePayer });
}

export function accSeqEvent(address: string, sequence: bigint): Event {
  return event(EventTypes.tx, { acc_seq: `${address}/${sequence}` });
}

export function signatureEvent(signatureBase64: string): Event {
  return event(EventTypes.tx, { signature: signatureBase64 }, ["signature"]);
}
