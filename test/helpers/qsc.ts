// Builders for QSC and approve messages and certificates, shared by unit and end-to-end tests.
import { issueCertificate, type CaKeyPair } from "../../app/certificate.js";
import { MsgCreateQsc, MsgFreeze, MsgIssueQsc, MsgPause, MsgUnfreeze } from "../../gen/qos/qsc/v1/tx.js";
import * as approve from "../../gen/qos/approve/v1/tx.js";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";

export function qscCertificate(ca: CaKeyPair, opts: { chainId: string; name: string; bankerPublicKey: Uint8Array; notBefore: bigint; notAfter: bigint }): Uint8Array {
  return issueCertificate(ca, {
    qsc: { chainId: opts.chainId, name: opts.name, bankerPublicKey: opts.bankerPublicKey },
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
  });
}

export const msg = {
  create: (v: Partial<MsgCreateQsc>) => ({ typeUrl: "/qos.qsc.v1.MsgCreateQsc", value: MsgCreateQsc.fromPartial({ symbol: "TOK", decimals: 0, ...v }) }),
  issue: (banker: string, name: string, amount: string) => ({ typeUrl: "/qos.qsc.v1.MsgIssueQsc", value: MsgIssueQsc.fromPartial({ banker, name, amount }) }),
  freeze: (banker: string, name: string, holder: string, amount: string) => ({ typeUrl: "/qos.qsc.v1.MsgFreeze", value: MsgFreeze.fromPartial({ banker, name, holder, amount }) }),
  unfreeze: (banker: string, name: string, holder: string, amount: string) => ({ typeUrl: "/qos.qsc.v1.MsgUnfreeze", value: MsgUnfreeze.fromPartial({ banker, name, holder, amount }) }),
  pause: (banker: string, name: string, paused: boolean) => ({ typeUrl: "/qos.qsc.v1.MsgPause", value: MsgPause.fromPartial({ banker, name, paused }) }),
  send: (from: string, to: string, amount: string, denom: string) => ({
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom, amount }] }),
  }),
  approveCreate: (from: string, to: string, amount: string, denom: string) => ({
    typeUrl: "/qos.approve.v1.MsgCreateApprove",
    value: approve.MsgCreateApprove.fromPartial({ from, to, coins: [{ denom, amount }] }),
  }),
  approveIncrease: (from: string, to: string, amount: string, denom: string) => ({
    typeUrl: "/qos.approve.v1.MsgIncreaseApprove",
    value: approve.MsgIncreaseApprove.fromPartial({ from, to, coins: [{ denom, amount }] }),
  }),
  approveDecrease: (from: string, to: string, amount: string, denom: string) => ({
    typeUrl: "/qos.approve.v1.MsgDecreaseApprove",
    value: approve.MsgDecreaseApprove.fromPartial({ from, to, coins: [{ denom, amount }] }),
  }),
  approveUse: (from: string, to: string, amount: string, denom: string, recipient = "") => ({
    typeUrl: "/qos.approve.v1.MsgUseApprove",
    value: approve.MsgUseApprove.fromPartial({ from, to, coins: [{ denom, amount }], recipient }),
  }),
  approveCancel: (from: string, to: string) => ({ typeUrl: "/qos.approve.v1.MsgCancelApprove", value: approve.MsgCancelApprove.fromPartial({ from, to }) }),
};

export const qscRegistryTypes: Array<[string, any]> = [
  ["/qos.qsc.v1.MsgCreateQsc", MsgCreateQsc],
  ["/qos.qsc.v1.MsgIssueQsc", MsgIssueQsc],
  ["/qos.qsc.v1.MsgFreeze", MsgFreeze],
  ["/qos.qsc.v1.MsgUnfreeze", MsgUnfreeze],
  ["/qos.qsc.v1.MsgPause", MsgPause],
  ["/qos.approve.v1.MsgCreateApprove", approve.MsgCreateApprove],
  ["/qos.approve.v1.MsgIncreaseApprove", approve.MsgIncreaseApprove],
  ["/qos.approve.v1.MsgDecreaseApprove", approve.MsgDecreaseApprove],
  ["/qos.approve.v1.MsgUseApprove", approve.MsgUseApprove],
  ["/qos.approve.v1.MsgCancelApprove", approve.MsgCancelApprove],
];
