// The whitepaper's Approval event (§1.6), for QOS and QSC allowances alike.
import { event, type Event } from "../../app/events.js";

export const EventTypes = { approval: "Approval" } as const;

/** `amount` is the allowance after the action ("" once it is gone). */
export const approvalEvent = (action: string, owner: string, spender: string, amount: string): Event =>
  event(EventTypes.approval, { action, owner, spender, amount });
