import { z } from "zod";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { AmountString, parseAmount, Uint64String } from "../../app/coins.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { ValidatorStatus } from "../../gen/qos/stake/v1/types.js";
import { StakeErrors } from "./errors.js";
import { toValAddress, type StakeKeeper } from "./keeper.js";
import { parseValAddress } from "./msgs.js";
import { DefaultParams, ParamsSchema } from "./params.js";

const ValidatorSchema = z.object({
  owner: z.string(),
  consensus_pubkey: z.string(),
  status: z.enum(["active", "inactive"]).default("active"),
  inactive_reason: z.string().default(""),
  inactive_time: Uint64String.default("0"),
  moniker: z.string().default(""),
  identity: z.string().default(""),
  website: z.string().default(""),
  details: z.string().default(""),
  inactive_height: Uint64String.default("0"),
  commission: z.object({ rate: z.string(), max_rate: z.string(), max_change_rate: z.string(), updated_time: Uint64String.default("0") }),
  bond_height: Uint64String.default("0"),
});
/** a validator's keep-alive window (an export carries it, so a re-imported chain counts missed blocks on) */
const KeepAliveSchema = z.object({
  validator: z.string(),
  start_height: Uint64String,
  blocks_counted: Uint64String,
  missed: Uint64String,
  index: Uint64String,
  /** positions in the circular window that are missed blocks */
  missed_indexes: z.array(z.number().int().min(0)).default([]),
});
const DelegationSchema = z.object({ delegator: z.string(), validator: z.string(), amount: AmountString, auto_compound: z.boolean().default(false) });
const UnbondingSchema = z.object({ delegator: z.string(), validator: z.string(), amount: AmountString, creation_height: Uint64String, completion_time: Uint64String });

const RedelegationSchema = z.object({
  delegator: z.string(), validator_src: z.string(), validator_dst: z.string(), amount: AmountString, creation_height: Uint64String, completion_time: Uint64String,
});

export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  validators: z.array(ValidatorSchema).default([]),
  delegations: z.array(DelegationSchema).default([]),
  unbondings: z.array(UnbondingSchema).default([]),
  keep_alive: z.array(KeepAliveSchema).default([]),
  /** ed25519 keys (base64) of CometBFT genesis validators outside staking: nobody may claim them */
  genesis_validator_keys: z.array(z.string()).default([]),
  /** consensus addresses (base64, 20 bytes) former validators used, with their owners: never reused */
  former_consensus_keys: z.array(z.object({ address: z.string(), owner: z.string() })).default([]),
  /** redelegations still answering for their source validator */
  redelegations: z.array(RedelegationSchema).default([]),
  /** double-sign evidence already slashed (consensus address base64, infraction height) */
  evidence: z.array(z.object({ address: z.string(), height: z.string().regex(/^[0-9]{1,18}$/) })).default([]),
});
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { params: DefaultParams, validators: [], delegations: [], unbondings: [], keep_alive: [], genesis_validator_keys: [], former_consensus_keys: [], redelegations: [], evidence: [] };
}

/** Validators and delegations from an export. New chains create validators with genesis txs (qosd gentx).
 *  The coins of delegations and unbondings must be in bank's genesis as the stake_pool's balance. */
export function initGenesis(keeper: StakeKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw StakeErrors.invalidGenesis.with(parsed.error.message);
  const g = parsed.data;
  keeper.setParams(ctx.store, g.params);
  for (const v of g.validators) {
    const owner = parseAccAddress(v.owner);
    const pubKey = fromBase64(v.consensus_pubkey);
    if (keeper.getValidator(ctx.store, owner)) throw StakeErrors.invalidGenesis.with(`validator ${v.owner} listed twice`);
    keeper.setValidator(ctx.store, owner, {
      owner: v.owner,
      consensusPubkey: pubKey,
      tokens: "0",
      status: v.status === "active" ? ValidatorStatus.VALIDATOR_STATUS_ACTIVE : ValidatorStatus.VALIDATOR_STATUS_INACTIVE,
      inactiveReason: v.inactive_reason,
      inactiveTime: BigInt(v.inactive_time),
      inactiveHeight: BigInt(v.inactive_height),
      description: { moniker: v.moniker, identity: v.identity, website: v.website, details: v.details },
      commission: { rate: v.commission.rate, maxRate: v.commission.max_rate, maxChangeRate: v.commission.max_change_rate, updatedTime: BigInt(v.commission.updated_time) },
      bondHeight: BigInt(v.bond_height),
    });
    keeper.setConsensusIndex(ctx.store, pubKey, owner);
    keeper.resetKeepAlive(ctx.store, owner, 0);
    keeper.hooks.afterValidatorCreated(ctx.store, owner);
  }
  for (const k of g.keep_alive) {
    const owner = parseValAddress(k.validator);
    if (!keeper.getValidator(ctx.store, owner)) throw StakeErrors.invalidGenesis.with(`keep-alive window of ${k.validator}, which is not a validator`);
    const ka = { startHeight: BigInt(k.start_height), blocksCounted: BigInt(k.blocks_counted), missed: BigInt(k.missed), index: BigInt(k.index) };
    if (BigInt(k.missed_indexes.length) !== ka.missed) throw StakeErrors.invalidGenesis.with(`keep-alive window of ${k.validator}: missed ${k.missed} but ${k.missed_indexes.length} positions`);
    keeper.importKeepAlive(ctx.store, owner, ka, k.missed_indexes);
  }
  for (const key of g.genesis_validator_keys) {
    const pubKey = fromBase64(key);
    if (pubKey.length !== 32) throw StakeErrors.invalidGenesis.with(`genesis validator key ${key} is not 32 bytes`);
    keeper.reserveGenesisKey(ctx.store, pubKey);
  }
  for (const f of g.former_consensus_keys) {
    const address = fromBase64(f.address);
    if (address.length !== 20) throw StakeErrors.invalidGenesis.with(`former consensus address ${f.address} is not 20 bytes`);
    keeper.setConsensusAddressOwner(ctx.store, address, parseAccAddress(f.owner));
  }
  for (const e of g.evidence) {
    const address = fromBase64(e.address);
    if (address.length !== 20) throw StakeErrors.invalidGenesis.with(`evidence address ${e.address} is not 20 bytes`);
    keeper.recordEvidence(ctx.store, address, Number(e.height));
  }
  for (const r of g.redelegations) {
    keeper.addRedelegation(ctx.store, parseAccAddress(r.delegator), parseValAddress(r.validator_src), parseValAddress(r.validator_dst),
      parseAmount(r.amount, "redelegation amount"), Number(parseAmount(r.creation_height, "creation_height")), parseAmount(r.completion_time, "completion_time"));
  }
  for (const d of g.delegations) {
    keeper.delegate(ctx.store, ctx.events, parseAccAddress(d.delegator), parseValAddress(d.validator), BigInt(d.amount), d.auto_compound, true);
  }
  for (const u of g.unbondings) {
    keeper.addUnbonding(ctx.store, parseAccAddress(u.delegator), parseValAddress(u.validator), BigInt(u.amount), Number(u.creation_height), BigInt(u.completion_time));
  }
}

export function exportGenesis(keeper: StakeKeeper, store: KVReader): Genesis {
  const validators = [...keeper.allValidators(store)].map(([owner, v]) => ({
    owner: v.owner,
    consensus_pubkey: toBase64(v.consensusPubkey),
    status: (v.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE ? "active" : "inactive") as "active" | "inactive",
    inactive_reason: v.inactiveReason,
    inactive_time: v.inactiveTime.toString(),
    moniker: v.description?.moniker ?? "",
    identity: v.description?.identity ?? "",
    website: v.description?.website ?? "",
    details: v.description?.details ?? "",
    inactive_height: v.inactiveHeight.toString(),
    commission: { rate: v.commission!.rate, max_rate: v.commission!.maxRate, max_change_rate: v.commission!.maxChangeRate, updated_time: v.commission!.updatedTime.toString() },
    bond_height: v.bondHeight.toString(),
    operator: toValAddress(owner),
  }));
  const delegations = [...keeper.allValidators(store)].flatMap(([owner]) =>
    keeper.delegatorsOf(store, owner).map((d) => {
      const del = keeper.getDelegation(store, d, owner)!;
      return { delegator: del.delegator, validator: del.validator, amount: del.amount, auto_compound: del.autoCompound };
    }),
  );
  const unbondings = [...keeper.allUnbondings(store)].map((u) => ({
    delegator: u.delegator, validator: u.validator, amount: u.amount, creation_height: u.creationHeight.toString(), completion_time: u.completionTime.toString(),
  }));
  const keep_alive = [...keeper.allValidators(store)].flatMap(([owner]) => {
    const ka = keeper.getKeepAlive(store, owner);
    if (!ka) return [];
    return [{
      validator: toValAddress(owner), start_height: ka.startHeight.toString(), blocks_counted: ka.blocksCounted.toString(), missed: ka.missed.toString(),
      index: ka.index.toString(), missed_indexes: keeper.missedIndexes(store, owner),
    }];
  });
  const genesis_validator_keys = [...keeper.genesisKeys(store)].map(toBase64);
  const former_consensus_keys = [...keeper.consensusIndex(store)]
    .filter(([address]) => !keeper.ownerByConsensusAddress(store, address))
    .map(([address, owner]) => ({ address: toBase64(address), owner: toAccAddress(owner) }));
  const redelegations = [...keeper.allRedelegations(store)].map((r) => ({
    delegator: r.delegator, validator_src: r.validatorSrc, validator_dst: r.validatorDst, amount: r.amount,
    creation_height: r.creationHeight.toString(), completion_time: r.completionTime.toString(),
  }));
  const evidence = [...keeper.allEvidence(store)].map((e) => ({ address: toBase64(e.address), height: e.height.toString() }));
  return { params: keeper.getParams(store), validators, delegations, unbondings, keep_alive, genesis_validator_keys, former_consensus_keys, redelegations, evidence };
}
