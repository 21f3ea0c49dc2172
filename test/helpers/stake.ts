// Builders for stake and distribution messages, shared by unit and end-to-end tests.
import * as stake from "../../gen/qos/stake/v1/tx.js";
import { MsgWithdrawRewards } from "../../gen/qos/distribution/v1/tx.js";

export const stakeMsg = {
  createValidator: (owner: string, consensusPubkey: Uint8Array, selfBond: string, moniker = "validator", rate = "0.1") => ({
    typeUrl: "/qos.stake.v1.MsgCreateValidator",
    value: stake.MsgCreateValidator.fromPartial({
      owner, consensusPubkey, selfBond,
      description: { moniker, identity: "", website: "", details: "" },
      commissionRate: rate, commissionMaxRate: "0.5", commissionMaxChangeRate: "0.05",
    }),
  }),
  delegate: (delegator: string, validator: string, amount: string, autoCompound = false) => ({
    typeUrl: "/qos.stake.v1.MsgDelegate", value: stake.MsgDelegate.fromPartial({ delegator, validator, amount, autoCompound }),
  }),
  unbond: (delegator: string, validator: string, amount: string, all = false) => ({
    typeUrl: "/qos.stake.v1.MsgUnbond", value: stake.MsgUnbond.fromPartial({ delegator, validator, amount, all }),
  }),
  redelegate: (delegator: string, from: string, to: string, amount: string) => ({
    typeUrl: "/qos.stake.v1.MsgRedelegate", value: stake.MsgRedelegate.fromPartial({ delegator, fromValidator: from, toValidator: to, amount }),
  }),
  revoke: (owner: string) => ({ typeUrl: "/qos.stake.v1.MsgRevokeValidator", value: stake.MsgRevokeValidator.fromPartial({ owner }) }),
  activate: (owner: string) => ({ typeUrl: "/qos.stake.v1.MsgActivateValidator", value: stake.MsgActivateValidator.fromPartial({ owner }) }),
  setAutoCompound: (delegator: string, validator: string, autoCompound: boolean) => ({
    typeUrl: "/qos.stake.v1.MsgSetAutoCompound", value: stake.MsgSetAutoCompound.fromPartial({ delegator, validator, autoCompound }),
  }),
  withdraw: (delegator: string, validator: string) => ({
    typeUrl: "/qos.distribution.v1.MsgWithdrawRewards", value: MsgWithdrawRewards.fromPartial({ delegator, validator }),
  }),
};

export const stakeRegistryTypes: Array<[string, any]> = [
  ["/qos.stake.v1.MsgCreateValidator", stake.MsgCreateValidator],
  ["/qos.stake.v1.MsgEditValidator", stake.MsgEditValidator],
  ["/qos.stake.v1.MsgRevokeValidator", stake.MsgRevokeValidator],
  ["/qos.stake.v1.MsgActivateValidator", stake.MsgActivateValidator],
  ["/qos.stake.v1.MsgDelegate", stake.MsgDelegate],
  ["/qos.stake.v1.MsgUnbond", stake.MsgUnbond],
  ["/qos.stake.v1.MsgRedelegate", stake.MsgRedelegate],
  ["/qos.stake.v1.MsgSetAutoCompound", stake.MsgSetAutoCompound],
  ["/qos.distribution.v1.MsgWithdrawRewards", MsgWithdrawRewards],
];
