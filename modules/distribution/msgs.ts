// distribution messages: checkStateless parses (addresses to bytes), execute works on the parsed message.
import { parseAccAddress } from "../../app/address.js";
import { aliasHandler, attribute } from "../../app/alias.js";
import { BaseDenom } from "../../app/coins.js";
import type { MsgHandler } from "../../app/module.js";
import { TypeUrl } from "../../gen/names.js";
import { MsgWithdrawRewards, MsgWithdrawRewardsResponse } from "../../gen/qos/distribution/v1/tx.js";
import * as cosmos from "../../gen/cosmos/distribution/v1beta1/tx.js";
import { operatorAddress, parseValAddress } from "../stake/index.js";
import { DistributionErrors } from "./errors.js";
import { EventTypes, sdkDistributionEvents } from "./events.js";
import type { DistributionKeeper } from "./keeper.js";

/** MsgWithdrawRewards parsed: the bech32 strings (for logs) and their bytes. */
export interface ParsedWithdrawRewards {
  msg: MsgWithdrawRewards;
  delegator: Uint8Array;
  owner: Uint8Array;
}

export function distributionMsgs(keeper: DistributionKeeper): MsgHandler[] {
  const withdraw: MsgHandler<MsgWithdrawRewards, ParsedWithdrawRewards> = {
    typeUrl: TypeUrl.qos.distribution.v1.MsgWithdrawRewards,
    codec: MsgWithdrawRewards,
    signers: (m) => [m.delegator],
    checkStateless(m) {
      return { msg: m, delegator: parseAccAddress(m.delegator, "delegator"), owner: parseValAddress(m.validator) };
    },
    execute(ctx, { msg: m, delegator, owner }) {
      const isOwner = Buffer.from(owner).equals(Buffer.from(delegator));
      if (!keeper.stake.getDelegation(ctx.store, delegator, owner) && !(isOwner && keeper.commission(ctx.store, owner) > 0n)) {
        throw DistributionErrors.noDelegation.with(`${m.delegator} has no delegation to ${m.validator}`);
      }
      const { rewards, commission } = keeper.withdraw(ctx.store, ctx.events, owner, delegator);
      return {
        typeUrl: TypeUrl.qos.distribution.v1.MsgWithdrawRewardsResponse,
        value: MsgWithdrawRewardsResponse.encode({ amount: (rewards + commission).toString() }).finish(),
      };
    },
  };
  // what wallets send to claim (D13), run by the handler above
  const cosmosWithdraw = aliasHandler<cosmos.MsgWithdrawDelegatorReward, MsgWithdrawRewards, ParsedWithdrawRewards>({
    typeUrl: TypeUrl.cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward,
    codec: cosmos.MsgWithdrawDelegatorReward,
    target: withdraw,
    signers: (m) => [m.delegatorAddress],
    toTarget: (m) => MsgWithdrawRewards.fromPartial({
      delegator: m.delegatorAddress,
      validator: operatorAddress(m.validatorAddress, "validator_address", DistributionErrors.notOperatorAddress),
    }),
    sdkEvents: (e) => sdkDistributionEvents(e),
    response(_, events) {
      const paid = events.find((e) => e.type === EventTypes.withdrawRewards);
      const total = paid ? BigInt(attribute(paid, "amount") || "0") + BigInt(attribute(paid, "commission") || "0") : 0n;
      return {
        typeUrl: TypeUrl.cosmos.distribution.v1beta1.MsgWithdrawDelegatorRewardResponse,
        value: cosmos.MsgWithdrawDelegatorRewardResponse.encode({ amount: total > 0n ? [{ denom: BaseDenom, amount: total.toString() }] : [] }).finish(),
      };
    },
  });
  return [withdraw, cosmosWithdraw];
}
