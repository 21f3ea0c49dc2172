// gov events: submit, deposit, vote, result (one per finished proposal), upgrade applied.
import { attribute } from "../../app/alias.js";
import { event, type Event } from "../../app/events.js";

export const EventTypes = {
  submit: "submit_proposal",
  deposit: "proposal_deposit",
  vote: "proposal_vote",
  votingStarted: "proposal_voting_started",
  result: "proposal_result",
  upgradeApplied: "upgrade_applied",
} as const;

export const submitEvent = (id: bigint, proposer: string, kind: string, level: string): Event =>
  event(EventTypes.submit, { proposal_id: id.toString(), proposer, proposal_type: kind, level });
export const depositEvent = (id: bigint, depositor: string, amount: bigint): Event =>
  event(EventTypes.deposit, { proposal_id: id.toString(), depositor, amount: amount.toString() });
export const voteEvent = (id: bigint, voter: string, option: string): Event => event(EventTypes.vote, { proposal_id: id.toString(), voter, option });
export const votingStartedEvent = (id: bigint, endTime: bigint): Event => event(EventTypes.votingStarted, { proposal_id: id.toString(), voting_end_time: endTime.toString() });
export const resultEvent = (id: bigint, result: string, status: string, detail: string): Event =>
  event(EventTypes.result, { proposal_id: id.toString(), result, status, detail });
export const upgradeAppliedEvent = (name: string, height: number): Event => event(EventTypes.upgradeApplied, { name, height: String(height) });

/** A vote in the Cosmos SDK's x/gov shape, for the cosmos.gov aliases (D13): the option as the SDK's weighted
 *  options (one option of weight 1). Events of other types pass through. */
export function sdkGovEvent(e: Event, option: number): Event {
  if (e.type !== EventTypes.vote) return e;
  return event(e.type, {
    option: `[{"option":${option},"weight":"1.000000000000000000"}]`,
    proposal_id: attribute(e, "proposal_id"),
    voter: attribute(e, "voter"),
  });
}
