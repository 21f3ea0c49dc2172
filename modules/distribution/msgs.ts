import { parseAccAddress } from "../../app/address.js";
import type { MsgHandler } from "../../app/module.js";
import { MsgWithdrawRewards, MsgWithdrawRewardsResponse } from "../../gen/qos/distribution/v1/tx.js";
import { parseValAddress } from "../stake/index.js";
import { DistributionErrors } from "./errors.js";
import type { DistributionKeeper } from "./keeper.js";

export function distributionMsgs(keeper: DistributionKeeper): MsgHandler[] {
  const withdraw: MsgHandler<MsgWithdrawRewards> = {
    typeUrl: "/qos.distribution.v1.MsgWithdrawRewards",
    codec: MsgWithdrawRewards,
    signers: (m) => [m.delegator],
    checkStateless(m) {
      parseAccAddress(m.delegator, "delegator");
      parseValAddress(m.validator);
      return m;
    },
    execute(ctx, m) {
      const delegator = parseAccAddress(m.delegator);
      const owner = parseValAddress(m.validator);
      const isOwner = Buffer.from(owner).equals(Buffer.from(delegator));
      if (!keeper.stake.getDelegation(ctx.store, delegator, owner) && !(isOwner && keeper.commission(ctx.store, owner) > 0n)) {
        throw DistributionErrors.noDelegation.with(`${m.delegator} has no delegation to ${m.validator}`);
      }
      const { rewards, commission } = keeper.withdraw(ctx.store, ctx.events, owner, delegator);
      return {
        typeUrl: "/qos.distribution.v1.MsgWithdrawRewardsResponse",
        value: MsgWithdrawRewardsResponse.encode({ amount: (rewards + commission).toString() }).finish(),
      };
    },
  };
  return [withdraw];
}
