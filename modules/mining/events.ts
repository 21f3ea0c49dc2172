// The mining module's events: a scenario created, a payment, a rate published, a period settled, a claim.
import { event, type Event } from "../../app/events.js";

export const EventTypes = {
  createScenario: "mining_create_scenario",
  pay: "mining_pay",
  setRate: "mining_set_rate",
  settle: "mining_settle",
  claim: "mining_claim",
} as const;

export const createScenarioEvent = (denom: string, banker: string, community: string, periodEnd: string, teamReserve: string): Event =>
  event(EventTypes.createScenario, { denom, banker, community, period_end: periodEnd, team_reserve: teamReserve });
export const payEvent = (denom: string, payer: string, payee: string, amount: string, commission: string, memo: string): Event =>
  event(EventTypes.pay, { denom, payer, payee, amount, commission, memo });
export const setRateEvent = (denom: string, rate: string): Event => event(EventTypes.setRate, { denom, rate });
export const settleEvent = (
  denom: string, period: string, commission: string, holders: string, community: string, price: string, priceSource: string, teamUnlocked: string,
): Event =>
  event(EventTypes.settle, { denom, period, commission, holders, community, price, price_source: priceSource, team_unlocked: teamUnlocked });
export const claimEvent = (denom: string, claimer: string, dividends: string, rewards: string): Event =>
  event(EventTypes.claim, { denom, claimer, dividends, rewards });
