// stake's part of every block: the keep-alive window and double-sign evidence at the start; matured
// unbondings, closing long-inactive validators and the consensus set at the end.
import { toAccAddress } from "../../app/address.js";
import { BaseDenom } from "../../app/coins.js";
import { parseDec } from "../../app/decimal.js";
import { blockSeconds, type Context, type ValidatorUpdate } from "../../app/module.js";
import { ValidatorStatus } from "../../gen/qos/stake/v1/types.js";
import { EventTypes, delegationEvent, validatorEvent } from "./events.js";
import { toValAddress, type StakeKeeper } from "./keeper.js";

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
      keeper.makeInactive(ctx.store, ctx.events, owner, v, "keep-alive", ctx.block.height, blockSeconds(ctx.block));
    }
  }
  // double signing: slash the stake that was bonded to the validator at the infraction height, wherever it
  // is now, whatever the validator's status (revoking or closing does not shed the liability)
  for (const evidence of ctx.block.misbehavior ?? []) {
    const owner = keeper.consensusKeyOwner(ctx.store, evidence.address);
    if (!owner) continue; // a genesis (bootstrap) validator that stake does not manage
    if (ctx.block.timeNs - evidence.timeNs > BigInt(params.max_evidence_age_secs) * 1_000_000_000n) continue;
    if (keeper.tombstoned(ctx.store, evidence.address)) continue; // slashed once already, whatever the height
    keeper.recordEvidence(ctx.store, evidence.address, evidence.height);
    slash(keeper, ctx, owner, evidence.address, evidence.height, parseDec(params.slash_fraction_double_sign));
    const v = keeper.getValidator(ctx.store, owner);
    if (v?.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE && keeper.ownerByConsensusAddress(ctx.store, evidence.address)) {
      keeper.makeInactive(ctx.store, ctx.events, owner, v, "double-sign", ctx.block.height, blockSeconds(ctx.block));
    }
  }
}

/**
 * Slashes `fraction` of the stake behind the validator's votes at `infractionHeight`: its delegations now
 * (when the evidence is about its current key), unbondings and redelegations away from it made since.
 * CometBFT applies a set change two blocks after the block that made it, so stake that left in block
 * infractionHeight − 1 was still in the set that signed (the Cosmos SDK's ValidatorUpdateDelay).
 */
function slash(keeper: StakeKeeper, ctx: Context, owner: Uint8Array, consAddr: Uint8Array, infractionHeight: number, fraction: bigint): void {
  const fromHeight = BigInt(infractionHeight - 1);
  const v = keeper.getValidator(ctx.store, owner);
  const current = v !== undefined && keeper.ownerByConsensusAddress(ctx.store, consAddr) !== undefined;
  // the owner closed that validator and made a new one (new key): only entries from before the new one answer
  const untilHeight = v && !current ? v.bondHeight : undefined;
  let total = current ? keeper.slashDelegations(ctx.store, ctx.events, owner, fraction) : 0n;
  total += keeper.slashUnbondings(ctx.store, ctx.events, owner, fromHeight, untilHeight, fraction);
  total += keeper.slashRedelegations(ctx.store, ctx.events, owner, fromHeight, untilHeight, fraction);
  if (total > 0n) {
    keeper.bank.sendFromModuleToModule(ctx.store, ctx.events, keeper.communityPoolAccount(), [{ denom: BaseDenom, amount: total }]);
    keeper.hooks.addToCommunityPool(ctx.store, total);
  }
}

export function endBlock(keeper: StakeKeeper, ctx: Context): void {
  const params = keeper.getParams(ctx.store);
  const now = blockSeconds(ctx.block);
  keeper.completeUnbondings(ctx.store, ctx.events, now);
  keeper.completeRedelegations(ctx.store, now);
  // inactive longer than survival_secs → closed: every delegation (the self-bond too) goes back to its owner,
  // unbonding_secs after the validator went inactive — until then it still answers for double signs
  for (const [owner, v] of keeper.dueForClose(ctx.store, now - BigInt(params.survival_secs))) {
    const completion = v.inactiveTime + BigInt(params.unbonding_secs);
    for (const delegator of keeper.delegatorsOf(ctx.store, owner)) {
      const amount = BigInt(keeper.getDelegation(ctx.store, delegator, owner)!.amount);
      keeper.reduceDelegation(ctx.store, ctx.events, delegator, owner, amount);
      if (completion <= now) {
        keeper.bank.sendFromModuleToAccount(ctx.store, ctx.events, delegator, [{ denom: BaseDenom, amount }]);
        ctx.events.push(delegationEvent(EventTypes.unbondComplete, toValAddress(owner), toAccAddress(delegator), amount.toString(), { reason: "validator closed" }));
      } else {
        keeper.addUnbonding(ctx.store, delegator, owner, amount, ctx.block.height, completion);
        ctx.events.push(delegationEvent(EventTypes.unbond, toValAddress(owner), toAccAddress(delegator), amount.toString(), { reason: "validator closed", completion_time: completion.toString() }));
      }
    }
    keeper.hooks.beforeValidatorRemoved(ctx.store, ctx.events, owner);
    keeper.removeValidatorRecords(ctx.store, owner);
    ctx.events.push(validatorEvent(EventTypes.closeValidator, toValAddress(owner), { height: String(ctx.block.height) }));
  }
  // an active validator whose bond fell below one unit of power (an unbond, a slash) leaves the active set:
  // CometBFT cannot count it and the keep-alive window never sees it vote, so left active it would stay
  // forever and be walked here every block — two fees per entry to grow the active index without bound
  const active = [...keeper.activeValidators(ctx.store)];
  const ranked: typeof active = [];
  for (const [owner, v] of active) {
    if (keeper.power(ctx.store, keeper.tokens(v)) > 0n) ranked.push([owner, v]);
    else keeper.makeInactive(ctx.store, ctx.events, owner, v, "zero power", ctx.block.height, now);
  }
  // the active set: at most max_validators by bonded power; the others are replaced (inactive)
  ranked.sort(([oa, a], [ob, b]) => {
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
  for (const [owner, v] of keeper.activeValidators(ctx.store)) {
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
