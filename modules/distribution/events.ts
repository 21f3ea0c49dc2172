import { event, type Event } from "../../app/events.js";

export const EventTypes = {
  rewards: "rewards",
  proposerReward: "proposer_reward",
  commission: "commission",
  communityPool: "community_pool",
  withdrawRewards: "withdraw_rewards",
  compound: "compound",
} as const;

export const rewardsEvent = (validator: string, amount: string, commission: string): Event => event(EventTypes.rewards, { validator, amount, commission });
export const proposerRewardEvent = (validator: string, amount: string): Event => event(EventTypes.proposerReward, { validator, amount });
export const communityPoolEvent = (added: string, total: string): Event => event(EventTypes.communityPool, { added, total });
export const withdrawEvent = (validator: string, delegator: string, amount: string, commission: string): Event =>
  event(EventTypes.withdrawRewards, { validator, delegator, amount, commission });
export const compoundEvent = (validator: string, delegator: string, amount: string): Event => event(EventTypes.compound, { validator, delegator, amount });
