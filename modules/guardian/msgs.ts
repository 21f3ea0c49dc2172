// guardian messages. Two phases (app/module.ts): checkStateless parses the message once (addresses as
// bytes, text lengths) and execute(ctx, parsed) checks the signer is a genesis guardian and applies it.
import { parseAccAddress } from "../../app/address.js";
import type { MsgHandler } from "../../app/module.js";
import { TypeUrl } from "../../gen/names.js";
import {
  MsgAddGuardian, MsgAddGuardianResponse, MsgDeleteGuardian, MsgDeleteGuardianResponse, MsgHaltNetwork, MsgHaltNetworkResponse,
} from "../../gen/qos/guardian/v1/tx.js";
import { GuardianErrors } from "./errors.js";
import * as events from "./events.js";
import { GuardianType, type GuardianKeeper } from "./keeper.js";
import { MaxDescriptionBytes, MaxReasonBytes } from "./params.js";

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** An address as bytes (for state) and as bech32 (for events, errors and the stored Guardian). */
interface Addr {
  bytes: Uint8Array;
  bech32: string;
}
const addr = (bech32: string, field: string): Addr => ({ bytes: parseAccAddress(bech32, field), bech32 });

/** MsgAddGuardian / MsgDeleteGuardian as execute gets them: the signer (a genesis guardian) and the target. */
export interface ParsedGuardianChange {
  signer: Addr;
  address: Addr;
  /** MsgAddGuardian only */
  description: string;
}

/** MsgHaltNetwork as execute gets it. */
export interface ParsedHalt {
  guardian: Addr;
  reason: string;
}

export function guardianMsgs(keeper: GuardianKeeper): MsgHandler[] {
  const urls = TypeUrl.qos.guardian.v1;
  const add: MsgHandler<MsgAddGuardian, ParsedGuardianChange> = {
    typeUrl: urls.MsgAddGuardian,
    codec: MsgAddGuardian,
    signers: (msg) => [msg.creator],
    checkStateless(msg) {
      const signer = addr(msg.creator, "creator");
      const address = addr(msg.address, "address");
      if (bytes(msg.description) > MaxDescriptionBytes) throw GuardianErrors.invalidField.with(`description is over ${MaxDescriptionBytes} bytes`);
      return { signer, address, description: msg.description };
    },
    execute(ctx, p) {
      keeper.requireGenesisGuardian(ctx.store, p.signer.bytes, p.signer.bech32);
      if (keeper.isGuardian(ctx.store, p.address.bytes)) throw GuardianErrors.guardianExists.with(p.address.bech32);
      keeper.setGuardian(ctx.store, p.address.bytes, {
        address: p.address.bech32, type: GuardianType.GUARDIAN_TYPE_ORDINARY, description: p.description, creator: p.signer.bech32,
      });
      ctx.events.push(events.addEvent(p.signer.bech32, p.address.bech32));
      return { typeUrl: urls.MsgAddGuardianResponse, value: MsgAddGuardianResponse.encode({}).finish() };
    },
  };

  const del: MsgHandler<MsgDeleteGuardian, ParsedGuardianChange> = {
    typeUrl: urls.MsgDeleteGuardian,
    codec: MsgDeleteGuardian,
    signers: (msg) => [msg.deletedBy],
    checkStateless: (msg) => ({ signer: addr(msg.deletedBy, "deleted_by"), address: addr(msg.address, "address"), description: "" }),
    execute(ctx, p) {
      keeper.requireGenesisGuardian(ctx.store, p.signer.bytes, p.signer.bech32);
      const target = keeper.getGuardian(ctx.store, p.address.bytes);
      if (!target) throw GuardianErrors.guardianNotFound.with(p.address.bech32);
      if (target.type === GuardianType.GUARDIAN_TYPE_GENESIS) throw GuardianErrors.cannotDeleteGenesis.with(p.address.bech32);
      keeper.deleteGuardian(ctx.store, p.address.bytes);
      ctx.events.push(events.deleteEvent(p.signer.bech32, p.address.bech32));
      return { typeUrl: urls.MsgDeleteGuardianResponse, value: MsgDeleteGuardianResponse.encode({}).finish() };
    },
  };

  const halt: MsgHandler<MsgHaltNetwork, ParsedHalt> = {
    typeUrl: urls.MsgHaltNetwork,
    codec: MsgHaltNetwork,
    signers: (msg) => [msg.guardian],
    checkStateless(msg) {
      const guardian = addr(msg.guardian, "guardian");
      const n = bytes(msg.reason.trim());
      if (n === 0 || bytes(msg.reason) > MaxReasonBytes) throw GuardianErrors.invalidField.with(`reason must be 1-${MaxReasonBytes} bytes`);
      return { guardian, reason: msg.reason };
    },
    execute(ctx, p) {
      keeper.requireGenesisGuardian(ctx.store, p.guardian.bytes, p.guardian.bech32);
      if (keeper.getHalt(ctx.store)) throw GuardianErrors.alreadyHalted.with();
      keeper.setHalt(ctx.store, { reason: p.reason, guardian: p.guardian.bech32, height: BigInt(ctx.block.height) });
      ctx.events.push(events.haltEvent(p.guardian.bech32, p.reason, ctx.block.height));
      return { typeUrl: urls.MsgHaltNetworkResponse, value: MsgHaltNetworkResponse.encode({}).finish() };
    },
  };

  return [add, del, halt];
}
