// cosmos.distribution.v1beta1 (D13): rewards, commission and the community pool as Keplr ("claim rewards") and
// explorers read them; read-only, computed from qos.distribution on each query. QOS pays whole uqos, so every
// DecCoin is a whole amount. Mapping of the parameters: QOS takes no community tax; its proposer's extra share
// (proposer_reward_rate of the block's mint) is stated as base_proposer_reward; rewards go to the delegator
// itself (no withdraw address).
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import type { QueryContext, QueryHandler } from "../../app/module.js";
import { Method } from "../../gen/names.js";
import * as q from "../../gen/cosmos/distribution/v1beta1/query.js";
import type { DecCoin } from "../../gen/cosmos/base/v1beta1/coin.js";
import type { DistributionKeeper } from "../../modules/distribution/index.js";
import { parseValAddress, StakeErrors, toValAddress } from "../../modules/stake/index.js";
import { decAtomics, uqosDecCoins } from "./convert.js";

const Query = Method.cosmos.distribution.v1beta1.Query;

export function distributionView(distribution: DistributionKeeper): Record<string, QueryHandler> {
  const stake = distribution.stake;
  const requireValidator = (ctx: QueryContext, address: string): Uint8Array => {
    const owner = parseValAddress(address, "validator_address");
    stake.requireValidator(ctx.store, owner);
    return owner;
  };
  return {
    [Query.Params]: (ctx) => {
      const params = distribution.getParams(ctx.store);
      return q.QueryParamsResponse.encode({
        params: {
          communityTax: decAtomics("0"),
          baseProposerReward: decAtomics(params.proposer_reward_rate),
          bonusProposerReward: decAtomics("0"),
          withdrawAddrEnabled: false,
        },
      }).finish();
    },
    [Query.ValidatorOutstandingRewards]: (ctx, request) => {
      const owner = requireValidator(ctx, q.QueryValidatorOutstandingRewardsRequest.decode(request).validatorAddress);
      return q.QueryValidatorOutstandingRewardsResponse.encode({ rewards: { rewards: uqosDecCoins(distribution.outstanding(ctx.store, owner)) } }).finish();
    },
    [Query.ValidatorCommission]: (ctx, request) => {
      const owner = requireValidator(ctx, q.QueryValidatorCommissionRequest.decode(request).validatorAddress);
      return q.QueryValidatorCommissionResponse.encode({ commission: { commission: uqosDecCoins(distribution.commission(ctx.store, owner)) } }).finish();
    },
    [Query.DelegationRewards]: (ctx, request) => {
      const req = q.QueryDelegationRewardsRequest.decode(request);
      const delegator = parseAccAddress(req.delegatorAddress, "delegator_address");
      const owner = requireValidator(ctx, req.validatorAddress);
      if (!stake.getDelegation(ctx.store, delegator, owner)) {
        throw StakeErrors.delegationNotFound.with(`${toAccAddress(delegator)} has no delegation to ${toValAddress(owner)}`);
      }
      return q.QueryDelegationRewardsResponse.encode({ rewards: uqosDecCoins(distribution.pendingRewards(ctx.store, owner, delegator)) }).finish();
    },
    // every delegation of the delegator (the read budget of app/query.ts bounds them), as the SDK answers it
    [Query.DelegationTotalRewards]: (ctx, request) => {
      const delegator = parseAccAddress(q.QueryDelegationTotalRewardsRequest.decode(request).delegatorAddress, "delegator_address");
      const rewards: { validatorAddress: string; reward: DecCoin[] }[] = [];
      let total = 0n;
      for (const d of stake.delegationsOf(ctx.store, delegator)) {
        const pending = distribution.pendingRewards(ctx.store, parseValAddress(d.validator), delegator);
        total += pending;
        rewards.push({ validatorAddress: d.validator, reward: uqosDecCoins(pending) });
      }
      return q.QueryDelegationTotalRewardsResponse.encode({ rewards, total: uqosDecCoins(total) }).finish();
    },
    [Query.CommunityPool]: (ctx) => q.QueryCommunityPoolResponse.encode({ pool: uqosDecCoins(distribution.communityPool(ctx.store)) }).finish(),
  };
}
