// cosmos.staking.v1beta1 (D13): QOS's validators, delegations and unbondings as Keplr's staking pages and explorers
// read them; read-only, computed from qos.stake on each query. How QOS maps onto the SDK's model:
// - status: active → BOND_STATUS_BONDED, inactive → BOND_STATUS_UNBONDING (jailed), closed → BOND_STATUS_UNBONDED
//   (a closed validator's records are removed, so that filter finds none);
// - shares are tokens (QOS delegations are amounts, one share per uqos), so delegator_shares = tokens;
// - an inactive validator's unbonding_time is when it will be closed (inactive_time + survival_secs);
// - unbonding entries are paged one entry at a time and grouped by validator within the page.
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { BaseDenom } from "../../app/coins.js";
import type { QueryContext, QueryHandler } from "../../app/module.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { PubKey as Ed25519PubKey } from "../../gen/cosmos/crypto/ed25519/keys.js";
import {
  BondStatus, type DelegationResponse, type UnbondingDelegation, type Validator,
} from "../../gen/cosmos/staking/v1beta1/staking.js";
import * as q from "../../gen/cosmos/staking/v1beta1/query.js";
import type { Delegation as QosDelegation, Validator as QosValidator } from "../../gen/qos/stake/v1/types.js";
import { parseValAddress, StakeErrors, stakePool, toValAddress, ValidatorStatus, type StakeKeeper } from "../../modules/stake/index.js";
import { decAtomics, duration, timestamp, unknownValue, wholeDecAtomics } from "./convert.js";

const Query = Method.cosmos.staking.v1beta1.Query;

/** The status filter's names (BondStatus by name, as the SDK's request carries it) → QOS's status. */
const StatusFilter: Readonly<Record<string, ValidatorStatus | "closed">> = {
  BOND_STATUS_BONDED: ValidatorStatus.VALIDATOR_STATUS_ACTIVE,
  BOND_STATUS_UNBONDING: ValidatorStatus.VALIDATOR_STATUS_INACTIVE,
  BOND_STATUS_UNBONDED: "closed",
};

export function stakingView(stake: StakeKeeper): Record<string, QueryHandler> {
  const validator = (ctx: QueryContext, owner: Uint8Array, v: QosValidator): Validator => {
    const params = stake.getParams(ctx.store);
    const inactive = v.status === ValidatorStatus.VALIDATOR_STATUS_INACTIVE;
    return {
      operatorAddress: toValAddress(owner),
      consensusPubkey: { typeUrl: TypeUrl.cosmos.crypto.ed25519.PubKey, value: Ed25519PubKey.encode({ key: v.consensusPubkey }).finish() },
      jailed: inactive,
      status: v.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE ? BondStatus.BOND_STATUS_BONDED : inactive ? BondStatus.BOND_STATUS_UNBONDING : BondStatus.BOND_STATUS_UNBONDED,
      tokens: stake.tokens(v).toString(),
      delegatorShares: wholeDecAtomics(stake.tokens(v)),
      description: {
        moniker: v.description?.moniker ?? "",
        identity: v.description?.identity ?? "",
        website: v.description?.website ?? "",
        securityContact: "",
        details: v.description?.details ?? "",
      },
      unbondingHeight: inactive ? v.inactiveHeight : 0n,
      unbondingTime: timestamp(inactive ? v.inactiveTime + BigInt(params.survival_secs) : 0n),
      commission: {
        commissionRates: {
          rate: decAtomics(v.commission?.rate || "0"),
          maxRate: decAtomics(v.commission?.maxRate || "0"),
          maxChangeRate: decAtomics(v.commission?.maxChangeRate || "0"),
        },
        updateTime: timestamp(v.commission?.updatedTime ?? 0n),
      },
      minSelfDelegation: params.min_self_bond,
      unbondingOnHoldRefCount: 0n,
      unbondingIds: [],
    };
  };
  const delegationResponse = (d: QosDelegation): DelegationResponse => ({
    delegation: { delegatorAddress: d.delegator, validatorAddress: d.validator, shares: wholeDecAtomics(BigInt(d.amount)) },
    balance: { denom: BaseDenom, amount: d.amount },
  });
  const requireValidator = (ctx: QueryContext, address: string) => {
    const owner = parseValAddress(address, "validator_addr");
    return { owner, v: stake.requireValidator(ctx.store, owner) };
  };

  return {
    [Query.Validators]: (ctx, request) => {
      const { status, pagination } = q.QueryValidatorsRequest.decode(request);
      const wanted = status === "" ? undefined : StatusFilter[status];
      if (status !== "" && wanted === undefined) throw unknownValue("validator status", status, Object.keys(StatusFilter));
      // closed validators leave no records: that page is empty without reading any
      const page = wanted === "closed"
        ? { items: [], pagination: { nextKey: new Uint8Array(), total: 0n } }
        : stake.validatorsPage(ctx.store, pagination, (owner, v) => (wanted === undefined || v.status === wanted ? validator(ctx, owner, v) : undefined));
      return q.QueryValidatorsResponse.encode({ validators: page.items, pagination: page.pagination }).finish();
    },
    [Query.Validator]: (ctx, request) => {
      const { owner, v } = requireValidator(ctx, q.QueryValidatorRequest.decode(request).validatorAddr);
      return q.QueryValidatorResponse.encode({ validator: validator(ctx, owner, v) }).finish();
    },
    [Query.ValidatorDelegations]: (ctx, request) => {
      const req = q.QueryValidatorDelegationsRequest.decode(request);
      const { owner } = requireValidator(ctx, req.validatorAddr);
      const page = stake.validatorDelegationsPage(ctx.store, owner, req.pagination);
      return q.QueryValidatorDelegationsResponse.encode({ delegationResponses: page.items.map(delegationResponse), pagination: page.pagination }).finish();
    },
    [Query.Delegation]: (ctx, request) => {
      const req = q.QueryDelegationRequest.decode(request);
      const delegator = parseAccAddress(req.delegatorAddr, "delegator_addr");
      const { owner } = requireValidator(ctx, req.validatorAddr);
      const d = stake.getDelegation(ctx.store, delegator, owner);
      if (!d) throw StakeErrors.delegationNotFound.with(`${toAccAddress(delegator)} has no delegation to ${toValAddress(owner)}`);
      return q.QueryDelegationResponse.encode({ delegationResponse: delegationResponse(d) }).finish();
    },
    [Query.DelegatorDelegations]: (ctx, request) => {
      const req = q.QueryDelegatorDelegationsRequest.decode(request);
      const page = stake.delegationsPage(ctx.store, parseAccAddress(req.delegatorAddr, "delegator_addr"), req.pagination);
      return q.QueryDelegatorDelegationsResponse.encode({ delegationResponses: page.items.map(delegationResponse), pagination: page.pagination }).finish();
    },
    [Query.DelegatorUnbondingDelegations]: (ctx, request) => {
      const req = q.QueryDelegatorUnbondingDelegationsRequest.decode(request);
      const page = stake.unbondingsPage(ctx.store, parseAccAddress(req.delegatorAddr, "delegator_addr"), req.pagination);
      const byValidator = new Map<string, UnbondingDelegation>();
      for (const u of page.items) {
        let group = byValidator.get(u.validator);
        if (!group) byValidator.set(u.validator, (group = { delegatorAddress: u.delegator, validatorAddress: u.validator, entries: [] }));
        group.entries.push({
          creationHeight: u.creationHeight,
          completionTime: timestamp(u.completionTime),
          initialBalance: u.amount,
          balance: u.amount,
          unbondingId: 0n,
          unbondingOnHoldRefCount: 0n,
        });
      }
      const unbondingResponses = [...byValidator.values()].sort((a, b) => (a.validatorAddress < b.validatorAddress ? -1 : a.validatorAddress > b.validatorAddress ? 1 : 0));
      return q.QueryDelegatorUnbondingDelegationsResponse.encode({ unbondingResponses, pagination: page.pagination }).finish();
    },
    [Query.Pool]: (ctx) => {
      let bonded = 0n;
      for (const [, v] of stake.activeValidators(ctx.store)) bonded += stake.tokens(v);
      // the stake pool holds every bonded and unbonding uqos: the rest is inactive validators' and unbonding stake
      const held = stake.bank.getBalance(ctx.store, stakePool, BaseDenom);
      return q.QueryPoolResponse.encode({ pool: { bondedTokens: bonded.toString(), notBondedTokens: (held - bonded).toString() } }).finish();
    },
    [Query.Params]: (ctx) => {
      const params = stake.getParams(ctx.store);
      return q.QueryParamsResponse.encode({
        params: {
          unbondingTime: duration(params.unbonding_secs),
          maxValidators: params.max_validators,
          // QOS limits no number of unbonding entries and keeps no historical info
          maxEntries: 0,
          historicalEntries: 0,
          bondDenom: BaseDenom,
          minCommissionRate: decAtomics("0"),
        },
      }).finish();
    },
  };
}
