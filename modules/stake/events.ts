import { attribute, rfc3339 } from "../../app/alias.js";
import { BaseDenom } from "../../app/coins.js";
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

/** A stake event in the Cosmos SDK's x/staking shape, for the cosmos.staking aliases (D13): the amount with
 *  its denom, completion times in RFC 3339, a redelegation's source and destination by the SDK's names.
 *  Events of other types pass through. */
export function sdkStakingEvent(e: Event): Event {
  const validator = attribute(e, "validator");
  const delegator = attribute(e, "delegator");
  const amount = attribute(e, "amount") + BaseDenom;
  switch (e.type) {
    case EventTypes.delegate:
      return event(e.type, { validator, delegator, amount });
    case EventTypes.unbond:
      return event(e.type, { validator, delegator, amount, completion_time: rfc3339(BigInt(attribute(e, "completion_time"))) });
    case EventTypes.redelegate:
      return event(e.type, { source_validator: validator, destination_validator: attribute(e, "to_validator"), delegator, amount });
    default:
      return e;
  }
}
