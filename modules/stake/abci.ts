// stake's part of every block: the keep-alive window and double-sign evidence at the start; matured
// unbondings, closing long-inactive validators and the consensus set at the end.
import { toAccAddress } from "../../app/address.js";
import { BaseDenom } from "../../app/coins.js";
import { mulDecFloor, parseDec } from "../../app/decimal.js";
import type { Context, ValidatorUpdate } from "../../app/module.js";
import { ValidatorStatus } from "../../gen/qos/stake/v1/types.js";
import { EventTypes, delegationEvent, validatorEvent } from "./events.js";
import { toValAddress, type StakeKeeper } from "./keeper.js";

const secs = (ctx: Context) => ctx.block.timeNs / 1_000_000_000n;
const ownerOrder = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export function beginBlock(keeper: StakeKeeper, ctx: Context): void {
  const params = keeper.getParams(ctx.store);
  // keep-alive (whitepaper §3.3.1): fewer than voting_status_least signed of the last voting_status_len → inactive
  for (const vote of ctx.block.lastCommit ?? []) {
    const owner = keeper.ownerByConsensusAddress(ctx.store, vote.address);
    if (!owner) continue; // a genesis (bootstrap) validator that stake does not manage
    const v = keeper.getValidator(ctx.store, owner);
    if (!v || v.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) continue;
    const missed = keeper.recordVote(ctx.store, owner, vote.signed, params.voting_status_len, ctx.block.height);
    if (!vote.signed) ctx.events.push(validatorEvent(EventTypes.missedVote, toValAddress(owner), { missed: missed.toString(), height: String(ctx.block.height) }));
    if (missed > BigInt(params.voting_status_len - params.voting_status_least)) {
      keeper.makeInactive(ctx.store, ctx.events, owner, v, "keep-alive", ctx.block.height, secs(ctx));
    }
  }
  // double signing: slash every stake bonded to the validator at the infraction height, make it inactive
  for (const evidence of ctx.block.misbehavior ?? []) {
    const owner = keeper.ownerByConsensusAddress(ctx.store, evidence.address);
    if (!owner) continue;
    const v = keeper.getValidator(ctx.store, owner);
    if (!v || v.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) continue;
    slash(keeper, ctx, owner, evidence.height, parseDec(params.slash_fraction_double_sign));
    keeper.makeInactive(ctx.store, ctx.events, owner, keeper.requireValidator(ctx.store, owner), "double-sign", ctx.block.height, secs(ctx));
  }
}

function slash(keeper: StakeKeeper, ctx: Context, owner: Uint8Array, infractionHeight: number, fraction: bigint): void {
  let total = 0n;
  for (const delegator of keeper.delegatorsOf(ctx.store, owner)) {
    const amount = BigInt(keeper.getDelegation(ctx.store, delegator, owner)!.amount);
    const cut = mulDecFloor(amount, fraction);
    if (cut === 0n) continue;
    keeper.reduceDelegation(ctx.store, ctx.events, delegator, owner, cut);
    total += cut;
    ctx.events.push(delegationEvent(EventTypes.slash, toValAddress(owner), toAccAddress(delegator), cut.toString(), { reason: "double-sign" }));
  }
  total += keeper.slashUnbondings(ctx.store, owner, infractionHeight, (amount) => mulDecFloor(amount, fraction));
  if (total > 0n) {
    keeper.bank.sendFromModuleToModule(ctx.store, ctx.events, keeper.communityPoolAccount(), [{ denom: BaseDenom, amount: total }]);
    keeper.hooks!.addToCommunityPool(ctx.store, total);
  }
}

export function endBlock(keeper: StakeKeeper, ctx: Context): void {
  const params = keeper.getParams(ctx.store);
  const now = secs(ctx);
  keeper.completeUnbondings(ctx.store, ctx.events, now);
  // inactive longer than survival_secs → closed: every delegation (the self-bond too) goes back to its owner
  for (const [owner, v] of [...keeper.allValidators(ctx.store)]) {
    if (v.status !== ValidatorStatus.VALIDATOR_STATUS_INACTIVE || now < v.inactiveTime + BigInt(params.survival_secs)) continue;
    for (const delegator of keeper.delegatorsOf(ctx.store, owner)) {
      const amount = BigInt(keeper.getDelegation(ctx.store, delegator, owner)!.amount);
      keeper.reduceDelegation(ctx.store, ctx.events, delegator, owner, amount);
      keeper.bank.sendFromModuleToAccount(ctx.store, ctx.events, delegator, [{ denom: BaseDenom, amount }]);
      ctx.events.push(delegationEvent(EventTypes.unbondComplete, toValAddress(owner), toAccAddress(delegator), amount.toString(), { reason: "validator closed" }));
    }
    keeper.hooks!.beforeValidatorRemoved(ctx.store, ctx.events, owner);
    keeper.removeValidatorRecords(ctx.store, owner);
    ctx.events.push(validatorEvent(EventTypes.closeValidator, toValAddress(owner), { height: String(ctx.block.height) }));
  }
  // the active set: at most max_validators by bonded power; the others are replaced (inactive)
  const ranked = [...keeper.allValidators(ctx.store)]
    .filter(([, v]) => v.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE && keeper.power(ctx.store, keeper.tokens(v)) > 0n)
    .sort(([oa, a], [ob, b]) => {
      const diff = keeper.tokens(b) - keeper.tokens(a);
      return diff > 0n ? 1 : diff < 0n ? -1 : ownerOrder(oa, ob);
    });
  for (const [owner, v] of ranked.slice(params.max_validators)) {
    keeper.makeInactive(ctx.store, ctx.events, owner, v, "replaced", ctx.block.height, now);
  }
}

/** Differences between the active set now and what CometBFT was last told. */
export function validatorUpdates(keeper: StakeKeeper, ctx: Context): ValidatorUpdate[] {
  const wanted = new Map<string, { owner: Uint8Array; pubKey: Uint8Array; power: bigint }>();
  for (const [owner, v] of keeper.allValidators(ctx.store)) {
    if (v.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) continue;
    const power = keeper.power(ctx.store, keeper.tokens(v));
    if (power > 0n) wanted.set(Buffer.from(owner).toString("hex"), { owner, pubKey: v.consensusPubkey, power });
  }
  const updates: ValidatorUpdate[] = [];
  for (const [owner, last] of [...keeper.lastPowers(ctx.store)]) {
    const key = Buffer.from(owner).toString("hex");
    const next = wanted.get(key);
    if (!next || !Buffer.from(next.pubKey).equals(Buffer.from(last.pubKey))) {
      updates.push({ pubKey: last.pubKey, power: 0n });
      keeper.setLastPower(ctx.store, owner, last.pubKey, 0n);
    }
  }
  for (const next of [...wanted.values()].sort((a, b) => ownerOrder(a.owner, b.owner))) {
    const last = keeper.getLastPower(ctx.store, next.owner);
    if (last?.power === next.power) continue;
    updates.push({ pubKey: next.pubKey, power: next.power });
    keeper.setLastPower(ctx.store, next.owner, next.pubKey, next.power);
  }
  return updates;
}
