// guardian messages: checkStateless → checkStateful → execute.
import { parseAccAddress } from "../../app/address.js";
import type { MsgHandler } from "../../app/module.js";
import {
  MsgAddGuardian, MsgAddGuardianResponse, MsgDeleteGuardian, MsgDeleteGuardianResponse, MsgHaltNetwork, MsgHaltNetworkResponse,
} from "../../gen/qos/guardian/v1/tx.js";
import { GuardianErrors } from "./errors.js";
import * as events from "./events.js";
import { GuardianType, type GuardianKeeper } from "./keeper.js";
import { MaxDescriptionBytes, MaxReasonBytes } from "./params.js";

const bytes = (s: string) => new TextEncoder().encode(s).length;

export function guardianMsgs(keeper: GuardianKeeper): MsgHandler[] {
  const add: MsgHandler<MsgAddGuardian> = {
    typeUrl: "/qos.guardian.v1.MsgAddGuardian",
    codec: MsgAddGuardian,
    signers: (msg) => [msg.creator],
    checkStateless(msg) {
      parseAccAddress(msg.creator, "creator");
      parseAccAddress(msg.address, "address");
      if (bytes(msg.description) > MaxDescriptionBytes) throw GuardianErrors.invalidField.with(`description is over ${MaxDescriptionBytes} bytes`);
      return msg;
    },
    execute(ctx, msg) {
      keeper.requireGenesisGuardian(ctx.store, msg.creator);
      if (keeper.isGuardian(ctx.store, parseAccAddress(msg.address))) throw GuardianErrors.guardianExists.with(msg.address);
      keeper.setGuardian(ctx.store, { address: msg.address, type: GuardianType.GUARDIAN_TYPE_ORDINARY, description: msg.description, creator: msg.creator });
      ctx.events.push(events.addEvent(msg.creator, msg.address));
      return { typeUrl: "/qos.guardian.v1.MsgAddGuardianResponse", value: MsgAddGuardianResponse.encode({}).finish() };
    },
  };

  const del: MsgHandler<MsgDeleteGuardian> = {
    typeUrl: "/qos.guardian.v1.MsgDeleteGuardian",
    codec: MsgDeleteGuardian,
    signers: (msg) => [msg.deletedBy],
    checkStateless(msg) {
      parseAccAddress(msg.deletedBy, "deleted_by");
      parseAccAddress(msg.address, "address");
      return msg;
    },
    execute(ctx, msg) {
      keeper.requireGenesisGuardian(ctx.store, msg.deletedBy);
      const address = parseAccAddress(msg.address);
      const target = keeper.getGuardian(ctx.store, address);
      if (!target) throw GuardianErrors.guardianNotFound.with(msg.address);
      if (target.type === GuardianType.GUARDIAN_TYPE_GENESIS) throw GuardianErrors.cannotDeleteGenesis.with(msg.address);
      keeper.deleteGuardian(ctx.store, address);
      ctx.events.push(events.deleteEvent(msg.deletedBy, msg.address));
      return { typeUrl: "/qos.guardian.v1.MsgDeleteGuardianResponse", value: MsgDeleteGuardianResponse.encode({}).finish() };
    },
  };

  const halt: MsgHandler<MsgHaltNetwork> = {
    typeUrl: "/qos.guardian.v1.MsgHaltNetwork",
    codec: MsgHaltNetwork,
    signers: (msg) => [msg.guardian],
    checkStateless(msg) {
      parseAccAddress(msg.guardian, "guardian");
      const n = bytes(msg.reason.trim());
      if (n === 0 || bytes(msg.reason) > MaxReasonBytes) throw GuardianErrors.invalidField.with(`reason must be 1-${MaxReasonBytes} bytes`);
      return msg;
    },
    execute(ctx, msg) {
      keeper.requireGenesisGuardian(ctx.store, msg.guardian);
      if (keeper.getHalt(ctx.store)) throw GuardianErrors.alreadyHalted.with();
      keeper.setHalt(ctx.store, { reason: msg.reason, guardian: msg.guardian, height: BigInt(ctx.block.height) });
      ctx.events.push(events.haltEvent(msg.guardian, msg.reason, ctx.block.height));
      return { typeUrl: "/qos.guardian.v1.MsgHaltNetworkResponse", value: MsgHaltNetworkResponse.encode({}).finish() };
    },
  };

  return [add, del, halt];
}
