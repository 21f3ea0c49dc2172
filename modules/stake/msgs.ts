// stake messages. Two phases (app/module.ts): checkStateless parses the message once into what execute works
// on (addresses as bytes, amounts as bigints, commission rates as 18-decimal fixed point), refusing what is
// malformed; execute(ctx, parsed) checks against state and changes it, without parsing the message again.
// The order of the checks in each phase is part of the behaviour: a message with two faults gets the
// error of the first.
import { decodeBech32, parseAccAddress, ValidatorPrefix } from "../../app/address.js";
import { parseAmount } from "../../app/coins.js";
import { aliasHandler, attribute } from "../../app/alias.js";
import { BaseDenom } from "../../app/coins.js";
import { Errors, type ErrorDef } from "../../app/errors.js";
import { One, decSpellingProblem, formatDec, parseDec, tryParseDec } from "../../app/decimal.js";
import { blockSeconds, type Context, type MsgHandler } from "../../app/module.js";
import * as tx from "../../gen/qos/stake/v1/tx.js";
import * as cosmos from "../../gen/cosmos/staking/v1beta1/tx.js";
import type { Coin } from "../../gen/cosmos/base/v1beta1/coin.js";
import { TypeUrl } from "../../gen/names.js";
import type { Description } from "../../gen/qos/stake/v1/types.js";
import { ValidatorStatus } from "../../gen/qos/stake/v1/types.js";
import { StakeErrors } from "./errors.js";
import { EventTypes, delegationEvent, sdkStakingEvent, validatorEvent } from "./events.js";
import { consensusAddress, toValAddress, type StakeKeeper } from "./keeper.js";

const DaySecs = 86_400n;

/** A qosval (or qosacc) address → the owner's 20 bytes. */
export function parseValAddress(address: string, field = "validator"): Uint8Array {
  const decoded = decodeBech32(address, field);
  if (decoded.prefix === ValidatorPrefix) {
    if (decoded.data.length !== 20) throw Errors.invalidAddress.with(`${field} has ${decoded.data.length} bytes, expected 20`);
    return decoded.data;
  }
  return parseAccAddress(address, field);
}

/** A cosmos message's validator_address: the SDK names validators by their operator address, so only the
 *  qosval form maps (D13); `refusal` is the calling module's error for any other form. */
export function operatorAddress(address: string, field: string, refusal: ErrorDef): string {
  if (!address.startsWith(ValidatorPrefix + "1")) throw refusal.with(`${field} ${JSON.stringify(address.slice(0, 90))}`);
  parseValAddress(address, field);
  return address;
}

/** A cosmos.staking Coin: uqos only; its amount as the qos message's amount string. */
function stakeAmount(coin: Coin | undefined): string {
  if (!coin) throw StakeErrors.invalidAmount.with("amount is missing");
  if (coin.denom !== BaseDenom) throw StakeErrors.notStakeDenom.with(`amount is in ${JSON.stringify(coin.denom.slice(0, 128))}`);
  return coin.amount;
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

/** A commission rate from the message: 18-decimal fixed point in its one spelling (isCanonicalDec; parseDec
 *  alone trims and takes "00.1" and "0.10"). */
function dec(text: string, what: string): bigint {
  if (!/^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(text)) throw StakeErrors.invalidCommission.with(`${what}: ${JSON.stringify(text.slice(0, 40))} is not a decimal without sign, spaces or leading zeros`);
  const value = tryParseDec(text);
  if (value === undefined) throw StakeErrors.invalidCommission.with(`${what}: ${JSON.stringify(text)} is not a decimal with at most 18 fractional digits`);
  const problem = decSpellingProblem(text, value);
  if (problem) throw StakeErrors.invalidCommission.with(`${what}: ${problem}`);
  return value;
}


/** owner (signer) of a validator message: bytes, and its text as the message gave it (logs and events) */
interface Owner {
  owner: Uint8Array;
  ownerText: string;
}
const parseOwner = (m: { owner: string }): Owner => ({ owner: parseAccAddress(m.owner, "owner"), ownerText: m.owner });

export interface ParsedCreateValidator extends Owner {
  consensusPubkey: Uint8Array;
  selfBond: bigint;
  description: Description | undefined;
  rate: bigint;
  maxRate: bigint;
  maxChangeRate: bigint;
}
export interface ParsedEditValidator extends Owner {
  description: Description | undefined;
  /** the new rate, when the message changes it */
  rate?: bigint;
}
export interface ParsedActivateValidator extends Owner {
  /** 0 when the message bonds nothing more */
  extraBond: bigint;
}
/** a delegator's message about one validator */
interface DelegatorToValidator {
  delegator: Uint8Array;
  delegatorText: string;
  owner: Uint8Array;
}
export interface ParsedDelegate extends DelegatorToValidator {
  amount: bigint;
  /** the amount as the message wrote it (the event carries it) */
  amountText: string;
  autoCompound: boolean;
}
export interface ParsedUnbond extends DelegatorToValidator {
  /** undefined: all of the delegation */
  amount?: bigint;
}
export interface ParsedRedelegate {
  delegator: Uint8Array;
  delegatorText: string;
  from: Uint8Array;
  to: Uint8Array;
  /** undefined: all of the delegation */
  amount?: bigint;
}
export interface ParsedSetAutoCompound extends DelegatorToValidator {
  autoCompound: boolean;
}

const parseDelegatorToValidator = (m: { delegator: string; validator: string }): DelegatorToValidator => ({
  delegator: parseAccAddress(m.delegator, "delegator"),
  delegatorText: m.delegator,
  owner: parseValAddress(m.validator),
});

const response = (typeUrl: string) => ({ typeUrl, value: new Uint8Array() });

/** After a change that takes power out of the consensus set: refuse it when nothing would be left. */
function requirePowerLeft(keeper: StakeKeeper, ctx: Context, what: string): void {
  if (!keeper.consensusSetHasPower(ctx.store, ctx.block.lastCommit)) throw StakeErrors.lastConsensusPower.with(what);
}

export function stakeMsgs(keeper: StakeKeeper): MsgHandler[] {
  const create: MsgHandler<tx.MsgCreateValidator, ParsedCreateValidator> = {
    typeUrl: TypeUrl.qos.stake.v1.MsgCreateValidator,
    codec: tx.MsgCreateValidator,
    signers: (m) => [m.owner],
    checkStateless(m) {
      const owner = parseOwner(m);
      if (m.consensusPubkey.length !== 32) throw StakeErrors.invalidConsensusKey.with("an ed25519 public key has 32 bytes");
      const selfBond = positive(m.selfBond, "self_bond");
      checkDescription(m.description, true);
      const rate = dec(m.commissionRate, "commission_rate");
      const maxRate = dec(m.commissionMaxRate, "commission_max_rate");
      const maxChangeRate = dec(m.commissionMaxChangeRate, "commission_max_change_rate");
      if (!(maxRate >= 0n && maxRate <= One)) throw StakeErrors.invalidCommission.with("max rate must be between 0 and 1");
      if (!(rate >= 0n && rate <= maxRate)) throw StakeErrors.invalidCommission.with("rate must be between 0 and the max rate");
      if (!(maxChangeRate >= 0n && maxChangeRate <= maxRate)) throw StakeErrors.invalidCommission.with("max change rate must be between 0 and the max rate");
      return { ...owner, consensusPubkey: m.consensusPubkey, selfBond, description: m.description, rate, maxRate, maxChangeRate };
    },
    execute(ctx, p) {
      const params = keeper.getParams(ctx.store);
      const { owner, selfBond } = p;
      if (selfBond < BigInt(params.min_self_bond)) throw StakeErrors.selfBondTooSmall.with(`self-bond ${selfBond}uqos, minimum ${params.min_self_bond}uqos`);
      if (p.maxRate > parseDec(params.max_commission_rate)) {
        throw StakeErrors.invalidCommission.with(`max rate above the chain's limit ${params.max_commission_rate}`);
      }
      if (keeper.getValidator(ctx.store, owner)) throw StakeErrors.validatorExists.with(`${p.ownerText} owns ${toValAddress(owner)} already`);
      const consAddr = consensusAddress(p.consensusPubkey);
      const key = Buffer.from(p.consensusPubkey).toString("base64");
      if (keeper.ownerByConsensusAddress(ctx.store, consAddr)) throw StakeErrors.consensusKeyInUse.with(`consensus key ${key}`);
      // a genesis validator's key or a former validator's: never given to anyone else (see the error)
      if (keeper.isGenesisKey(ctx.store, consAddr)) throw StakeErrors.consensusKeyReserved.with(`consensus key ${key} is a genesis validator's`);
      if (keeper.consensusKeyOwner(ctx.store, consAddr)) throw StakeErrors.consensusKeyReserved.with(`consensus key ${key} was a former validator's`);
      keeper.setValidator(ctx.store, owner, {
        owner: p.ownerText,
        consensusPubkey: p.consensusPubkey,
        tokens: "0",
        status: ValidatorStatus.VALIDATOR_STATUS_ACTIVE,
        inactiveReason: "",
        inactiveTime: 0n,
        inactiveHeight: 0n,
        description: p.description,
        commission: {
          rate: formatDec(p.rate),
          maxRate: formatDec(p.maxRate),
          maxChangeRate: formatDec(p.maxChangeRate),
          updatedTime: blockSeconds(ctx.block),
        },
        bondHeight: BigInt(ctx.block.height),
      });
      keeper.setConsensusIndex(ctx.store, p.consensusPubkey, owner);
      keeper.resetKeepAlive(ctx.store, owner, ctx.block.height);
      keeper.hooks.afterValidatorCreated(ctx.store, owner);
      keeper.delegate(ctx.store, ctx.events, owner, owner, selfBond, false);
      ctx.events.push(validatorEvent(EventTypes.createValidator, toValAddress(owner), { owner: p.ownerText, amount: selfBond.toString() }));
      return response(TypeUrl.qos.stake.v1.MsgCreateValidatorResponse);
    },
  };

  const edit: MsgHandler<tx.MsgEditValidator, ParsedEditValidator> = {
    typeUrl: TypeUrl.qos.stake.v1.MsgEditValidator,
    codec: tx.MsgEditValidator,
    signers: (m) => [m.owner],
    checkStateless(m) {
      const owner = parseOwner(m);
      checkDescription(m.description, false);
      return { ...owner, description: m.description, rate: m.commissionRate ? dec(m.commissionRate, "commission_rate") : undefined };
    },
    execute(ctx, p) {
      const { owner } = p;
      const v = keeper.requireValidator(ctx.store, owner);
      const d = p.description;
      if (d) {
        const current = v.description ?? { moniker: "", identity: "", website: "", details: "" };
        v.description = {
          moniker: d.moniker || current.moniker,
          identity: d.identity || current.identity,
          website: d.website || current.website,
          details: d.details || current.details,
        };
      }
      if (p.rate !== undefined) {
        const c = v.commission!;
        const rate = p.rate;
        if (blockSeconds(ctx.block) - c.updatedTime < DaySecs) throw StakeErrors.commissionChangeTooSoon.with(`last change at ${c.updatedTime}`);
        if (rate < 0n || rate > parseDec(c.maxRate)) throw StakeErrors.invalidCommission.with(`rate must be between 0 and ${c.maxRate}`);
        if (rate - parseDec(c.rate) > parseDec(c.maxChangeRate)) throw StakeErrors.invalidCommission.with(`rate may rise by at most ${c.maxChangeRate} a day`);
        v.commission = { ...c, rate: formatDec(rate), updatedTime: blockSeconds(ctx.block) };
      }
      keeper.setValidator(ctx.store, owner, v);
      ctx.events.push(validatorEvent(EventTypes.editValidator, toValAddress(owner), { owner: p.ownerText }));
      return response(TypeUrl.qos.stake.v1.MsgEditValidatorResponse);
    },
  };

  const revoke: MsgHandler<tx.MsgRevokeValidator, Owner> = {
    typeUrl: TypeUrl.qos.stake.v1.MsgRevokeValidator,
    codec: tx.MsgRevokeValidator,
    signers: (m) => [m.owner],
    checkStateless: parseOwner,
    execute(ctx, { owner, ownerText }) {
      const v = keeper.requireValidator(ctx.store, owner);
      if (v.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) throw StakeErrors.notActive.with(toValAddress(owner));
      keeper.makeInactive(ctx.store, ctx.events, owner, v, "revoked", ctx.block.height, blockSeconds(ctx.block));
      requirePowerLeft(keeper, ctx, `${toValAddress(owner)} holds the last voting power`);
      ctx.events.push(validatorEvent(EventTypes.revokeValidator, toValAddress(owner), { owner: ownerText }));
      return response(TypeUrl.qos.stake.v1.MsgRevokeValidatorResponse);
    },
  };

  const activate: MsgHandler<tx.MsgActivateValidator, ParsedActivateValidator> = {
    typeUrl: TypeUrl.qos.stake.v1.MsgActivateValidator,
    codec: tx.MsgActivateValidator,
    signers: (m) => [m.owner],
    checkStateless(m) {
      const owner = parseOwner(m);
      return { ...owner, extraBond: m.extraBond ? parseAmount(m.extraBond, "extra_bond") : 0n };
    },
    execute(ctx, { owner, ownerText, extraBond }) {
      const v = keeper.requireValidator(ctx.store, owner);
      if (v.status !== ValidatorStatus.VALIDATOR_STATUS_INACTIVE) throw StakeErrors.notInactive.with(toValAddress(owner));
      keeper.setValidator(ctx.store, owner, { ...v, status: ValidatorStatus.VALIDATOR_STATUS_ACTIVE, inactiveReason: "", inactiveTime: 0n, inactiveHeight: 0n });
      keeper.resetKeepAlive(ctx.store, owner, ctx.block.height);
      if (extraBond > 0n) keeper.delegate(ctx.store, ctx.events, owner, owner, extraBond);
      ctx.events.push(validatorEvent(EventTypes.activateValidator, toValAddress(owner), { owner: ownerText }));
      return response(TypeUrl.qos.stake.v1.MsgActivateValidatorResponse);
    },
  };

  const delegate: MsgHandler<tx.MsgDelegate, ParsedDelegate> = {
    typeUrl: TypeUrl.qos.stake.v1.MsgDelegate,
    codec: tx.MsgDelegate,
    signers: (m) => [m.delegator],
    checkStateless(m) {
      const parties = parseDelegatorToValidator(m);
      return { ...parties, amount: positive(m.amount, "amount"), amountText: m.amount, autoCompound: m.autoCompound };
    },
    execute(ctx, p) {
      const { owner, delegator } = p;
      const v = keeper.requireValidator(ctx.store, owner);
      // whitepaper §3.3.1: an inactive validator cannot be delegated to
      if (v.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) throw StakeErrors.notActive.with(`${toValAddress(owner)} is inactive: it cannot be delegated to`);
      keeper.delegate(ctx.store, ctx.events, delegator, owner, p.amount, p.autoCompound);
      if (p.autoCompound) keeper.hooks.autoCompoundEnabled(ctx.store, owner, delegator, ctx.block.height);
      ctx.events.push(delegationEvent(EventTypes.delegate, toValAddress(owner), p.delegatorText, p.amountText));
      return response(TypeUrl.qos.stake.v1.MsgDelegateResponse);
    },
  };

  const unbond: MsgHandler<tx.MsgUnbond, ParsedUnbond> = {
    typeUrl: TypeUrl.qos.stake.v1.MsgUnbond,
    codec: tx.MsgUnbond,
    signers: (m) => [m.delegator],
    checkStateless(m) {
      const parties = parseDelegatorToValidator(m);
      return { ...parties, amount: m.all ? undefined : positive(m.amount, "amount") };
    },
    execute(ctx, p) {
      const { owner, delegator } = p;
      const d = keeper.getDelegation(ctx.store, delegator, owner);
      if (!d) throw StakeErrors.delegationNotFound.with(`${p.delegatorText} has no delegation to ${toValAddress(owner)}`);
      const amount = p.amount ?? BigInt(d.amount);
      keeper.reduceDelegation(ctx.store, ctx.events, delegator, owner, amount);
      requirePowerLeft(keeper, ctx, `unbonding ${amount}uqos from ${toValAddress(owner)} leaves no validator with power`);
      const completion = blockSeconds(ctx.block) + BigInt(keeper.getParams(ctx.store).unbonding_secs);
      keeper.addUnbonding(ctx.store, delegator, owner, amount, ctx.block.height, completion);
      ctx.events.push(delegationEvent(EventTypes.unbond, toValAddress(owner), p.delegatorText, amount.toString(), { completion_time: completion.toString() }));
      return response(TypeUrl.qos.stake.v1.MsgUnbondResponse);
    },
  };

  const redelegate: MsgHandler<tx.MsgRedelegate, ParsedRedelegate> = {
    typeUrl: TypeUrl.qos.stake.v1.MsgRedelegate,
    codec: tx.MsgRedelegate,
    signers: (m) => [m.delegator],
    checkStateless(m) {
      const delegator = parseAccAddress(m.delegator, "delegator");
      const from = parseValAddress(m.fromValidator, "from_validator");
      const to = parseValAddress(m.toValidator, "to_validator");
      if (Buffer.from(from).equals(Buffer.from(to))) throw StakeErrors.sameValidator.with(m.toValidator);
      return { delegator, delegatorText: m.delegator, from, to, amount: m.all ? undefined : positive(m.amount, "amount") };
    },
    execute(ctx, p) {
      const { from, to, delegator } = p;
      const target = keeper.requireValidator(ctx.store, to);
      if (target.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) throw StakeErrors.notActive.with(`${toValAddress(to)} is inactive`);
      const d = keeper.getDelegation(ctx.store, delegator, from);
      if (!d) throw StakeErrors.delegationNotFound.with(`${p.delegatorText} has no delegation to ${toValAddress(from)}`);
      const now = blockSeconds(ctx.block);
      if (keeper.hasRedelegationInto(ctx.store, delegator, from, now)) {
        throw StakeErrors.transitiveRedelegation.with(`${p.delegatorText} moved stake into ${toValAddress(from)} less than unbonding_secs ago`);
      }
      const amount = p.amount ?? BigInt(d.amount);
      keeper.reduceDelegation(ctx.store, ctx.events, delegator, from, amount);
      keeper.delegate(ctx.store, ctx.events, delegator, to, amount, undefined, true);
      requirePowerLeft(keeper, ctx, `moving ${amount}uqos from ${toValAddress(from)} to ${toValAddress(to)} leaves no validator with power`);
      // the moved stake still answers for what `from` signed until it would have finished unbonding
      keeper.addRedelegation(ctx.store, delegator, from, to, amount, ctx.block.height, now + BigInt(keeper.getParams(ctx.store).unbonding_secs));
      ctx.events.push(delegationEvent(EventTypes.redelegate, toValAddress(from), p.delegatorText, amount.toString(), { to_validator: toValAddress(to) }));
      return response(TypeUrl.qos.stake.v1.MsgRedelegateResponse);
    },
  };

  const compound: MsgHandler<tx.MsgSetAutoCompound, ParsedSetAutoCompound> = {
    typeUrl: TypeUrl.qos.stake.v1.MsgSetAutoCompound,
    codec: tx.MsgSetAutoCompound,
    signers: (m) => [m.delegator],
    checkStateless: (m) => ({ ...parseDelegatorToValidator(m), autoCompound: m.autoCompound }),
    execute(ctx, { delegator, owner, autoCompound }) {
      keeper.setAutoCompound(ctx.store, delegator, owner, autoCompound);
      if (autoCompound) keeper.hooks.autoCompoundEnabled(ctx.store, owner, delegator, ctx.block.height);
      return response(TypeUrl.qos.stake.v1.MsgSetAutoCompoundResponse);
    },
  };

  // The cosmos.staking messages wallets send (D13), run by the handlers above. An SDK delegation is never
  // auto-compounding; an SDK undelegation or redelegation names an amount (never "all").
  const cosmosDelegate = aliasHandler<cosmos.MsgDelegate, tx.MsgDelegate, ParsedDelegate>({
    typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgDelegate,
    codec: cosmos.MsgDelegate,
    target: delegate,
    signers: (m) => [m.delegatorAddress],
    toTarget: (m) => tx.MsgDelegate.fromPartial({
      delegator: m.delegatorAddress,
      validator: operatorAddress(m.validatorAddress, "validator_address", StakeErrors.notOperatorAddress),
      amount: stakeAmount(m.amount),
    }),
    sdkEvents: (e) => [sdkStakingEvent(e)],
    response: () => ({ typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgDelegateResponse, value: cosmos.MsgDelegateResponse.encode({}).finish() }),
  });
  const cosmosUndelegate = aliasHandler<cosmos.MsgUndelegate, tx.MsgUnbond, ParsedUnbond>({
    typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgUndelegate,
    codec: cosmos.MsgUndelegate,
    target: unbond,
    signers: (m) => [m.delegatorAddress],
    toTarget: (m) => tx.MsgUnbond.fromPartial({
      delegator: m.delegatorAddress,
      validator: operatorAddress(m.validatorAddress, "validator_address", StakeErrors.notOperatorAddress),
      amount: stakeAmount(m.amount),
    }),
    sdkEvents: (e) => [sdkStakingEvent(e)],
    response: (_, events, p) => {
      // the qos handler's unbond event carries the completion time (unix seconds)
      const unbondEvent = events.find((e) => e.type === EventTypes.unbond);
      const completion = unbondEvent ? BigInt(attribute(unbondEvent, "completion_time")) : 0n;
      return {
        typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgUndelegateResponse,
        value: cosmos.MsgUndelegateResponse.encode({ completionTime: { seconds: completion, nanos: 0 }, amount: { denom: BaseDenom, amount: (p.amount ?? 0n).toString() } }).finish(),
      };
    },
  });
  const cosmosRedelegate = aliasHandler<cosmos.MsgBeginRedelegate, tx.MsgRedelegate, ParsedRedelegate>({
    typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgBeginRedelegate,
    codec: cosmos.MsgBeginRedelegate,
    target: redelegate,
    signers: (m) => [m.delegatorAddress],
    toTarget: (m) => tx.MsgRedelegate.fromPartial({
      delegator: m.delegatorAddress,
      fromValidator: operatorAddress(m.validatorSrcAddress, "validator_src_address", StakeErrors.notOperatorAddress),
      toValidator: operatorAddress(m.validatorDstAddress, "validator_dst_address", StakeErrors.notOperatorAddress),
      amount: stakeAmount(m.amount),
    }),
    sdkEvents: (e) => [sdkStakingEvent(e)],
    // a qos redelegation moves the stake at once: no completion time to report
    response: () => ({ typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgBeginRedelegateResponse, value: cosmos.MsgBeginRedelegateResponse.encode({ completionTime: undefined }).finish() }),
  });

  return [create, edit, revoke, activate, delegate, unbond, redelegate, compound, cosmosDelegate, cosmosUndelegate, cosmosRedelegate];
}
