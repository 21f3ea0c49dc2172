// Events of the mint module (BeginBlock): amounts are uqos and times unix seconds, as decimal strings.
import { event, type Event } from "../../app/events.js";

export const EventTypes = {
  mint: "mint",
  rollover: "mint_rollover",
} as const;

/** Inflation minted in this block into the fee collector. */
export const mintEvent = (height: bigint, amount: bigint, phaseEndTime: bigint): Event =>
  event(EventTypes.mint, { height: height.toString(), amount: amount.toString(), phase_end_time: phaseEndTime.toString() });

/** An ended phase's unminted amount moved into the next phase's total. */
export const rolloverEvent = (height: bigint, phaseEndTime: bigint, amount: bigint, nextPhaseEndTime: bigint): Event =>
  event(EventTypes.rollover, {
    height: height.toString(),
    phase_end_time: phaseEndTime.toString(),
    amount: amount.toString(),
    next_phase_end_time: nextPhaseEndTime.toString(),
  });
