// stake messages: checkStateless → checkStateful → execute.
import { fromBech32 } from "@cosmjs/encoding";
import { parseAccAddress, ValidatorPrefix } from "../../app/address.js";
import { parseAmount } from "../../app/coins.js";
import { Errors } from "../../app/errors.js";
import { One, parseDec, formatDec } from "../../app/decimal.js";
import { blockSeconds, type Context, type MsgHandler } from "../../app/module.js";
import * as tx from "../../gen/qos/stake/v1/tx.js";
import type { Description } from "../../gen/qos/stake/v1/types.js";
import { ValidatorStatus } from "../../gen/qos/stake/v1/types.js";
import { StakeErrors } from "./errors.js";
import { EventTypes, delegationEvent, validatorEvent } from "./events.js";
import { consensusAddress, toValAddress, type StakeKeeper } from "./keeper.js";

const DaySecs = 86_400n;

/** A qosval (or qosacc) address → the owner's 20 bytes. */
export function parseValAddress(address: string, field = "validator"): Uint8Array {
  let decoded: { prefix: string; data: Uint8Array };
  try {
    decoded = fromBech32(address, 90);
  } catch (e) {
    throw Errors.invalidAddress.with(`${field} ${JSON.stringify(address)} is not valid bech32 (${(e as Error).message})`);
  }
  if (decoded.prefix === ValidatorPrefix) {
    if (decoded.data.length !== 20) throw Errors.invalidAddress.with(`${field} has ${decoded.data.length} bytes, expected 20`);
    return decoded.data;
  }
  return parseAccAddress(address, field);
}

function positive(amount: string, what: string): bigint {
  const value = parseAmount(amount, what);
  if (value === 0n) throw StakeErrors.invalidAmount.with(`${what} must be positive`);
  return value;
}

function checkDescription(d: Description | undefined, requireMoniker: boolean): void {
  const limits: Array<[keyof Description, number]> = [["moniker", 70], ["identity", 64], ["website", 140], ["details", 280]];
  if (requireMoniker && !(d?.moniker ?? "").trim()) throw StakeErrors.invalidDescription.with("moniker is required");
  for (const [field, max] of limits) {
    if ((d?.[field] ?? "").length > max) throw StakeErrors.invalidDescription.with(`${field} is longer than ${max} characters`);
  }
}

function dec(text: string, what: string): bigint {
  try {
    return parseDec(text);
  } catch (e) {
    throw StakeErrors.invalidCommission.with(`${what}: ${(e as Error).message}`);
  }
}


export function stakeMsgs(keeper: StakeKeeper): MsgHandler[] {
  const create: MsgHandler<tx.MsgCreateValidator> = {
    typeUrl: "/qos.stake.v1.MsgCreateValidator",
    codec: tx.MsgCreateValidator,
    signers: (m) => [m.owner],
    checkStateless(m) {
      parseAccAddress(m.owner, "owner");
      if (m.consensusPubkey.length !== 32) throw StakeErrors.invalidConsensusKey.with("an ed25519 public key has 32 bytes");
      positive(m.selfBond, "self_bond");
      checkDescription(m.description, true);
      const rate = dec(m.commissionRate, "commission_rate");
      const max = dec(m.commissionMaxRate, "commission_max_rate");
      const change = dec(m.commissionMaxChangeRate, "commission_max_change_rate");
      if (!(max >= 0n && max <= One)) throw StakeErrors.invalidCommission.with("max rate must be between 0 and 1");
      if (!(rate >= 0n && rate <= max)) throw StakeErrors.invalidCommission.with("rate must be between 0 and the max rate");
      if (!(change >= 0n && change <= max)) throw StakeErrors.invalidCommission.with("max change rate must be between 0 and the max rate");
      return m;
    },
    execute(ctx, m) {
      const params = keeper.getParams(ctx.store);
      const owner = parseAccAddress(m.owner);
      const selfBond = parseAmount(m.selfBond);
      if (selfBond < BigInt(params.min_self_bond)) throw StakeErrors.selfBondTooSmall.with(`self-bond ${selfBond}uqos, minimum ${params.min_self_bond}uqos`);
      if (dec(m.commissionMaxRate, "max") > parseDec(params.max_commission_rate)) {
        throw StakeErrors.invalidCommission.with(`max rate above the chain's limit ${params.max_commission_rate}`);
      }
      if (keeper.getValidator(ctx.store, owner)) throw StakeErrors.validatorExists.with(`${m.owner} owns ${toValAddress(owner)} already`);
      const consAddr = consensusAddress(m.consensusPubkey);
      const key = Buffer.from(m.consensusPubkey).toString("base64");
      if (keeper.ownerByConsensusAddress(ctx.store, consAddr)) throw StakeErrors.consensusKeyInUse.with(`consensus key ${key}`);
      // a genesis validator's key or a former validator's: never given to anyone else (see the error)
      if (keeper.isGenesisKey(ctx.store, consAddr)) throw StakeErrors.consensusKeyReserved.with(`consensus key ${key} is a genesis validator's`);
      if (keeper.consensusKeyOwner(ctx.store, consAddr)) throw StakeErrors.consensusKeyReserved.with(`consensus key ${key} was a former validator's`);
      keeper.setValidator(ctx.store, owner, {
        owner: m.owner,
        consensusPubkey: m.consensusPubkey,
        tokens: "0",
        status: ValidatorStatus.VALIDATOR_STATUS_ACTIVE,
        inactiveReason: "",
        inactiveTime: 0n,
        inactiveHeight: 0n,
        description: m.description,
        commission: {
          rate: formatDec(dec(m.commissionRate, "rate")),
          maxRate: formatDec(dec(m.commissionMaxRate, "max")),
          maxChangeRate: formatDec(dec(m.commissionMaxChangeRate, "change")),
          updatedTime: blockSeconds(ctx.block),
        },
        bondHeight: BigInt(ctx.block.height),
      });
      keeper.setConsensusIndex(ctx.store, m.consensusPubkey, owner);
      keeper.resetKeepAlive(ctx.store, owner, ctx.block.height);
      keeper.hooks!.afterValidatorCreated(ctx.store, owner);
      keeper.delegate(ctx.store, ctx.events, owner, owner, selfBond, false);
      ctx.events.push(validatorEvent(EventTypes.createValidator, toValAddress(owner), { owner: m.owner, amount: selfBond.toString() }));
      return { typeUrl: "/qos.stake.v1.MsgCreateValidatorResponse", value: new Uint8Array() };
    },
  };

  const edit: MsgHandler<tx.MsgEditValidator> = {
    typeUrl: "/qos.stake.v1.MsgEditValidator",
    codec: tx.MsgEditValidator,
    signers: (m) => [m.owner],
    checkStateless(m) {
      parseAccAddress(m.owner, "owner");
      checkDescription(m.description, false);
      if (m.commissionRate) dec(m.commissionRate, "commission_rate");
      return m;
    },
    execute(ctx, m) {
      const owner = parseAccAddress(m.owner);
      const v = keeper.requireValidator(ctx.store, owner);
      const d = m.description;
      if (d) {
        const current = v.description ?? { moniker: "", identity: "", website: "", details: "" };
        v.description = {
          moniker: d.moniker || current.moniker,
          identity: d.identity || current.identity,
          website: d.website || current.website,
          details: d.details || current.details,
        };
      }
      if (m.commissionRate) {
        const c = v.commission!;
        const rate = dec(m.commissionRate, "commission_rate");
        if (blockSeconds(ctx.block) - c.updatedTime < DaySecs) throw StakeErrors.commissionChangeTooSoon.with(`last change at ${c.updatedTime}`);
        if (rate < 0n || rate > parseDec(c.maxRate)) throw StakeErrors.invalidCommission.with(`rate must be between 0 and ${c.maxRate}`);
        if (rate - parseDec(c.rate) > parseDec(c.maxChangeRate)) throw StakeErrors.invalidCommission.with(`rate may rise by at most ${c.maxChangeRate} a day`);
        v.commission = { ...c, rate: formatDec(rate), updatedTime: blockSeconds(ctx.block) };
      }
      keeper.setValidator(ctx.store, owner, v);
      ctx.events.push(validatorEvent(EventTypes.editValidator, toValAddress(owner), { owner: m.owner }));
      return { typeUrl: "/qos.stake.v1.MsgEditValidatorResponse", value: new Uint8Array() };
    },
  };

  const revoke: MsgHandler<tx.MsgRevokeValidator> = {
    typeUrl: "/qos.stake.v1.MsgRevokeValidator",
    codec: tx.MsgRevokeValidator,
    signers: (m) => [m.owner],
    checkStateless(m) {
      parseAccAddress(m.owner, "owner");
      return m;
    },
    execute(ctx, m) {
      const owner = parseAccAddress(m.owner);
      const v = keeper.requireValidator(ctx.store, owner);
      if (v.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) throw StakeErrors.notActive.with(toValAddress(owner));
      keeper.makeInactive(ctx.store, ctx.events, owner, v, "revoked", ctx.block.height, blockSeconds(ctx.block));
      ctx.events.push(validatorEvent(EventTypes.revokeValidator, toValAddress(owner), { owner: m.owner }));
      return { typeUrl: "/qos.stake.v1.MsgRevokeValidatorResponse", value: new Uint8Array() };
    },
  };

  const activate: MsgHandler<tx.MsgActivateValidator> = {
    typeUrl: "/qos.stake.v1.MsgActivateValidator",
    codec: tx.MsgActivateValidator,
    signers: (m) => [m.owner],
    checkStateless(m) {
      parseAccAddress(m.owner, "owner");
      if (m.extraBond) parseAmount(m.extraBond, "extra_bond");
      return m;
    },
    execute(ctx, m) {
      const owner = parseAccAddress(m.owner);
      const v = keeper.requireValidator(ctx.store, owner);
      if (v.status !== ValidatorStatus.VALIDATOR_STATUS_INACTIVE) throw StakeErrors.notInactive.with(toValAddress(owner));
      keeper.setValidator(ctx.store, owner, { ...v, status: ValidatorStatus.VALIDATOR_STATUS_ACTIVE, inactiveReason: "", inactiveTime: 0n, inactiveHeight: 0n });
      keeper.resetKeepAlive(ctx.store, owner, ctx.block.height);
      const extra = m.extraBond ? parseAmount(m.extraBond) : 0n;
      if (extra > 0n) keeper.delegate(ctx.store, ctx.events, owner, owner, extra);
      ctx.events.push(validatorEvent(EventTypes.activateValidator, toValAddress(owner), { owner: m.owner }));
      return { typeUrl: "/qos.stake.v1.MsgActivateValidatorResponse", value: new Uint8Array() };
    },
  };

  const delegate: MsgHandler<tx.MsgDelegate> = {
    typeUrl: "/qos.stake.v1.MsgDelegate",
    codec: tx.MsgDelegate,
    signers: (m) => [m.delegator],
    checkStateless(m) {
      parseAccAddress(m.delegator, "delegator");
      parseValAddress(m.validator);
      positive(m.amount, "amount");
      return m;
    },
    execute(ctx, m) {
      const owner = parseValAddress(m.validator);
      const v = keeper.requireValidator(ctx.store, owner);
      // whitepaper §3.3.1: an inactive validator cannot be delegated to
      if (v.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) throw StakeErrors.notActive.with(`${toValAddress(owner)} is inactive: it cannot be delegated to`);
      const delegator = parseAccAddress(m.delegator);
      keeper.delegate(ctx.store, ctx.events, delegator, owner, parseAmount(m.amount), m.autoCompound);
      if (m.autoCompound) keeper.hooks!.autoCompoundEnabled(ctx.store, owner, delegator, ctx.block.height);
      ctx.events.push(delegationEvent(EventTypes.delegate, toValAddress(owner), m.delegator, m.amount));
      return { typeUrl: "/qos.stake.v1.MsgDelegateResponse", value: new Uint8Array() };
    },
  };

  const unbond: MsgHandler<tx.MsgUnbond> = {
    typeUrl: "/qos.stake.v1.MsgUnbond",
    codec: tx.MsgUnbond,
    signers: (m) => [m.delegator],
    checkStateless(m) {
      parseAccAddress(m.delegator, "delegator");
      parseValAddress(m.validator);
      if (!m.all) positive(m.amount, "amount");
      return m;
    },
    execute(ctx, m) {
      const owner = parseValAddress(m.validator);
      const delegator = parseAccAddress(m.delegator);
      const d = keeper.getDelegation(ctx.store, delegator, owner);
      if (!d) throw StakeErrors.delegationNotFound.with(`${m.delegator} has no delegation to ${toValAddress(owner)}`);
      const amount = m.all ? BigInt(d.amount) : parseAmount(m.amount);
      keeper.reduceDelegation(ctx.store, ctx.events, delegator, owner, amount);
      const completion = blockSeconds(ctx.block) + BigInt(keeper.getParams(ctx.store).unbonding_secs);
      keeper.addUnbonding(ctx.store, delegator, owner, amount, ctx.block.height, completion);
      ctx.events.push(delegationEvent(EventTypes.unbond, toValAddress(owner), m.delegator, amount.toString(), { completion_time: completion.toString() }));
      return { typeUrl: "/qos.stake.v1.MsgUnbondResponse", value: new Uint8Array() };
    },
  };

  const redelegate: MsgHandler<tx.MsgRedelegate> = {
    typeUrl: "/qos.stake.v1.MsgRedelegate",
    codec: tx.MsgRedelegate,
    signers: (m) => [m.delegator],
    checkStateless(m) {
      parseAccAddress(m.delegator, "delegator");
      const from = parseValAddress(m.fromValidator, "from_validator");
      const to = parseValAddress(m.toValidator, "to_validator");
      if (Buffer.from(from).equals(Buffer.from(to))) throw StakeErrors.sameValidator.with(m.toValidator);
      if (!m.all) positive(m.amount, "amount");
      return m;
    },
    execute(ctx, m) {
      const from = parseValAddress(m.fromValidator);
      const to = parseValAddress(m.toValidator);
      const delegator = parseAccAddress(m.delegator);
      const target = keeper.requireValidator(ctx.store, to);
      if (target.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) throw StakeErrors.notActive.with(`${toValAddress(to)} is inactive`);
      const d = keeper.getDelegation(ctx.store, delegator, from);
      if (!d) throw StakeErrors.delegationNotFound.with(`${m.delegator} has no delegation to ${toValAddress(from)}`);
      const now = blockSeconds(ctx.block);
      if (keeper.hasRedelegationInto(ctx.store, delegator, from, now)) {
        throw StakeErrors.transitiveRedelegation.with(`${m.delegator} moved stake into ${toValAddress(from)} less than unbonding_secs ago`);
      }
      const amount = m.all ? BigInt(d.amount) : parseAmount(m.amount);
      keeper.reduceDelegation(ctx.store, ctx.events, delegator, from, amount);
      keeper.delegate(ctx.store, ctx.events, delegator, to, amount, undefined, true);
      // the moved stake still answers for what `from` signed until it would have finished unbonding
      keeper.addRedelegation(ctx.store, delegator, from, to, amount, ctx.block.height, now + BigInt(keeper.getParams(ctx.store).unbonding_secs));
      ctx.events.push(delegationEvent(EventTypes.redelegate, toValAddress(from), m.delegator, amount.toString(), { to_validator: toValAddress(to) }));
      return { typeUrl: "/qos.stake.v1.MsgRedelegateResponse", value: new Uint8Array() };
    },
  };

  const compound: MsgHandler<tx.MsgSetAutoCompound> = {
    typeUrl: "/qos.stake.v1.MsgSetAutoCompound",
    codec: tx.MsgSetAutoCompound,
    signers: (m) => [m.delegator],
    checkStateless(m) {
      parseAccAddress(m.delegator, "delegator");
      parseValAddress(m.validator);
      return m;
    },
    execute(ctx, m) {
      const delegator = parseAccAddress(m.delegator);
      const owner = parseValAddress(m.validator);
      keeper.setAutoCompound(ctx.store, delegator, owner, m.autoCompound);
      if (m.autoCompound) keeper.hooks!.autoCompoundEnabled(ctx.store, owner, delegator, ctx.block.height);
      return { typeUrl: "/qos.stake.v1.MsgSetAutoCompoundResponse", value: new Uint8Array() };
    },
  };

  return [create, edit, revoke, activate, delegate, unbond, redelegate, compound];
}
