import { parseAccAddress } from "../../app/address.js";
import type { QueryHandler } from "../../app/module.js";
import { Method } from "../../gen/names.js";
import * as q from "../../gen/qos/distribution/v1/query.js";
import { parseValAddress } from "../stake/index.js";
import type { DistributionKeeper } from "./keeper.js";

export function distributionQueries(keeper: DistributionKeeper): Record<string, QueryHandler> {
  return {
    [Method.qos.distribution.v1.Query.PendingRewards]: (ctx, request) => {
      const req = q.QueryPendingRewardsRequest.decode(request);
      const owner = parseValAddress(req.validator);
      const delegator = parseAccAddress(req.delegator, "delegator");
      keeper.stake.requireValidator(ctx.store, owner);
      const isOwner = Buffer.from(owner).equals(Buffer.from(delegator));
      return q.QueryPendingRewardsResponse.encode({
        rewards: keeper.pendingRewards(ctx.store, owner, delegator).toString(),
        commission: (isOwner ? keeper.commission(ctx.store, owner) : 0n).toString(),
      }).finish();
    },
    [Method.qos.distribution.v1.Query.Validator]: (ctx, request) => {
      const owner = parseValAddress(q.QueryValidatorRequest.decode(request).validator);
      keeper.stake.requireValidator(ctx.store, owner);
      const current = keeper.current(ctx.store, owner);
      return q.QueryValidatorResponse.encode({
        commission: keeper.commission(ctx.store, owner).toString(),
        outstanding: keeper.outstanding(ctx.store, owner).toString(),
        currentPeriod: current.period,
        currentRewards: current.rewards.toString(),
      }).finish();
    },
    [Method.qos.distribution.v1.Query.CommunityPool]: (ctx) => q.QueryCommunityPoolResponse.encode({ amount: keeper.communityPool(ctx.store).toString() }).finish(),
    [Method.qos.distribution.v1.Query.Params]: (ctx) => q.QueryParamsResponse.encode({ paramsJson: JSON.stringify(keeper.getParams(ctx.store)) }).finish(),
  };
}
