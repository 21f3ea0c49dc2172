// The whitepaper's QSC events (§1.6: Transfer, Approval, Frozen) and the ones this port adds (Issue,
// Unfrozen, Pause, CreateQsc), as indexed ABCI events: `tx_search "Transfer.recipient='…'"` finds them.
import { event, type Event } from "../../app/events.js";

export const EventTypes = {
  create: "CreateQsc",
  transfer: "Transfer",
  issue: "Issue",
  frozen: "Frozen",
  unfrozen: "Unfrozen",
  pause: "Pause",
} as const;

export const createEvent = (name: string, creator: string, banker: string): Event => event(EventTypes.create, { name, creator, banker });
export const transferEvent = (name: string, attrs: { sender?: string; recipient?: string; amount: string }): Event =>
  event(EventTypes.transfer, { name, ...(attrs.sender ? { sender: attrs.sender } : {}), ...(attrs.recipient ? { recipient: attrs.recipient } : {}), amount: attrs.amount });
export const issueEvent = (name: string, recipient: string, amount: string): Event => event(EventTypes.issue, { name, recipient, amount });
export const frozenEvent = (name: string, owner: string, amount: string, total: string): Event =>
  event(EventTypes.frozen, { name, owner, amount, frozen: total });
export const unfrozenEvent = (name: string, owner: string, amount: string, total: string): Event =>
  event(EventTypes.unfrozen, { name, owner, amount, frozen: total });
export const pauseEvent = (name: string, paused: boolean): Event => event(EventTypes.pause, { name, paused: String(paused) });
