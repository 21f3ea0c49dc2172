import { attribute } from "../../app/alias.js";
import { BaseDenom } from "../../app/coins.js";
import { event, type Event } from "../../app/events.js";

export const EventTypes = {
  rewards: "rewards",
  proposerReward: "proposer_reward",
  commission: "commission",
  communityPool: "community_pool",
  withdrawRewards: "withdraw_rewards",
  compound: "compound",
  /** the Cosmos SDK's event for a validator's commission paid out (cosmos.distribution alias, D13) */
  withdrawCommission: "withdraw_commission",
} as const;

export const rewardsEvent = (validator: string, amount: string, commission: string): Event => event(EventTypes.rewards, { validator, amount, commission });
export const proposerRewardEvent = (validator: string, amount: string): Event => event(EventTypes.proposerReward, { validator, amount });
export const communityPoolEvent = (added: string, total: string): Event => event(EventTypes.communityPool, { added, total });
export const withdrawEvent = (validator: string, delegator: string, amount: string, commission: string): Event =>
  event(EventTypes.withdrawRewards, { validator, delegator, amount, commission });
export const compoundEvent = (validator: string, delegator: string, amount: string): Event => event(EventTypes.compound, { validator, delegator, amount });

/** A withdrawal in the Cosmos SDK's x/distribution shape, for MsgWithdrawDelegatorReward (D13): withdraw_rewards
 *  with the delegator's rewards as a coin, and withdraw_commission when the owner's commission was paid out
 *  with them (QOS pays both in one withdrawal). Events of other types pass through. */
export function sdkDistributionEvents(e: Event): Event[] {
  if (e.type !== EventTypes.withdrawRewards) return [e];
  const commission = attribute(e, "commission");
  const rewards = event(e.type, { amount: attribute(e, "amount") + BaseDenom, validator: attribute(e, "validator"), delegator: attribute(e, "delegator") });
  return commission === "0" || commission === "" ? [rewards] : [rewards, event(EventTypes.withdrawCommission, { amount: commission + BaseDenom })];
}
