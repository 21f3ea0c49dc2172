// stake's queries (paths from gen/names.ts): validators, delegations, unbondings, keep-alive windows, params.
import { parseAccAddress } from "../../app/address.js";
import type { QueryContext, QueryHandler } from "../../app/module.js";
import * as q from "../../gen/qos/stake/v1/query.js";
import { Method } from "../../gen/names.js";
import { ValidatorStatus, type Validator } from "../../gen/qos/stake/v1/types.js";
import { StakeErrors } from "./errors.js";
import { toValAddress, type StakeKeeper } from "./keeper.js";
import { parseValAddress } from "./msgs.js";

const Query = Method.qos.stake.v1.Query;

export function stakeQueries(keeper: StakeKeeper): Record<string, QueryHandler> {
  const view = (ctx: QueryContext, owner: Uint8Array, v: Validator): q.QueryValidatorResponse => ({
    validator: v,
    operatorAddress: toValAddress(owner),
    power: v.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE ? keeper.power(ctx.store, keeper.tokens(v)) : 0n,
  });
  return {
    [Query.Validator]: (ctx, request) => {
      const owner = parseValAddress(q.QueryValidatorRequest.decode(request).validator);
      return q.QueryValidatorResponse.encode(view(ctx, owner, keeper.requireValidator(ctx.store, owner))).finish();
    },
    [Query.Validators]: (ctx, request) => {
      const { status, pagination } = q.QueryValidatorsRequest.decode(request);
      const wanted = status === "active" ? ValidatorStatus.VALIDATOR_STATUS_ACTIVE : status === "inactive" ? ValidatorStatus.VALIDATOR_STATUS_INACTIVE : undefined;
      if (status && wanted === undefined) throw StakeErrors.invalidAmount.with(`status ${JSON.stringify(status)}: use "", "active" or "inactive"`);
      const page = keeper.validatorsPage(ctx.store, pagination, (o, v) => (wanted === undefined || v.status === wanted ? view(ctx, o, v) : undefined));
      return q.QueryValidatorsResponse.encode({ validators: page.items, pagination: page.pagination }).finish();
    },
    [Query.Delegation]: (ctx, request) => {
      const req = q.QueryDelegationRequest.decode(request);
      const d = keeper.getDelegation(ctx.store, parseAccAddress(req.delegator, "delegator"), parseValAddress(req.validator));
      if (!d) throw StakeErrors.delegationNotFound.with(`${req.delegator} → ${req.validator}`);
      return q.QueryDelegationResponse.encode({ delegation: d }).finish();
    },
    [Query.DelegatorDelegations]: (ctx, request) => {
      const { delegator, pagination } = q.QueryDelegatorRequest.decode(request);
      const page = keeper.delegationsPage(ctx.store, parseAccAddress(delegator, "delegator"), pagination);
      return q.QueryDelegationsResponse.encode({ delegations: page.items, pagination: page.pagination }).finish();
    },
    [Query.ValidatorDelegations]: (ctx, request) => {
      const req = q.QueryValidatorDelegationsRequest.decode(request);
      const page = keeper.validatorDelegationsPage(ctx.store, parseValAddress(req.validator), req.pagination);
      return q.QueryDelegationsResponse.encode({ delegations: page.items, pagination: page.pagination }).finish();
    },
    [Query.Unbondings]: (ctx, request) => {
      const { delegator, pagination } = q.QueryDelegatorRequest.decode(request);
      const page = keeper.unbondingsPage(ctx.store, parseAccAddress(delegator, "delegator"), pagination);
      return q.QueryUnbondingsResponse.encode({ unbondings: page.items, pagination: page.pagination }).finish();
    },
    [Query.KeepAlive]: (ctx, request) => {
      const owner = parseValAddress(q.QueryValidatorRequest.decode(request).validator);
      keeper.requireValidator(ctx.store, owner);
      const params = keeper.getParams(ctx.store);
      return q.QueryKeepAliveResponse.encode({
        keepAlive: keeper.getKeepAlive(ctx.store, owner),
        windowLength: BigInt(params.voting_status_len),
        leastSigned: BigInt(params.voting_status_least),
      }).finish();
    },
    [Query.Params]: (ctx) => q.QueryParamsResponse.encode({ paramsJson: JSON.stringify(keeper.getParams(ctx.store)) }).finish(),
  };
}
