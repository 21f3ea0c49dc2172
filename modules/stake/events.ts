import { event, type Event } from "../../app/events.js";

export const EventTypes = {
  createValidator: "create_validator",
  editValidator: "edit_validator",
  revokeValidator: "revoke_validator",
  activateValidator: "activate_validator",
  inactiveValidator: "inactive_validator",
  closeValidator: "close_validator",
  delegate: "delegate",
  unbond: "unbond",
  unbondComplete: "unbond_complete",
  redelegate: "redelegate",
  slash: "slash",
  missedVote: "missed_vote",
} as const;

export const validatorEvent = (type: string, validator: string, attrs: Record<string, string> = {}): Event => event(type, { validator, ...attrs });
export const delegationEvent = (type: string, validator: string, delegator: string, amount: string, attrs: Record<string, string> = {}): Event =>
  event(type, { validator, delegator, amount, ...attrs });
