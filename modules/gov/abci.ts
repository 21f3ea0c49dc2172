// gov's part of every block: at the start a scheduled upgrade whose height is reached is marked applied;
// at the end the proposals whose deposit period or voting period ended are settled (the tally rules and
// the deposit rules are in keeper.ts's header), a passed one executed on a branch of the store.
import { parseAccAddress } from "../../app/address.js";
import { One, parseDec } from "../../app/decimal.js";
import type { Event } from "../../app/events.js";
import { blockSeconds, type Context } from "../../app/module.js";
import { CacheStore } from "../../app/state/kv.js";
import { ProposalStatus, type Proposal } from "../../gen/qos/gov/v1/types.js";
import * as events from "./events.js";
import { StatusNames, nextSchedule, tallyProto, type GovKeeper } from "./keeper.js";

/** BeginBlock: the app only runs a block at or past the plan's height once the upgrade is done
 *  (app.ts refuses otherwise), so reaching here means it is applied. */
export function beginBlock(keeper: GovKeeper, ctx: Context): void {
  const plan = keeper.getUpgradePlan(ctx.store);
  if (!plan || BigInt(ctx.block.height) < plan.height) return;
  keeper.markUpgradeApplied(ctx.store, plan, ctx.block.height);
  ctx.events.push(events.upgradeAppliedEvent(plan.name, ctx.block.height));
}

/** EndBlock: deposit periods that ended below min_deposit (deposits burned), then voting periods that ended. */
export function endBlock(keeper: GovKeeper, ctx: Context): void {
  const now = blockSeconds(ctx.block);
  for (const p of keeper.takeEnded(ctx.store, "deposit", now)) {
    keeper.settleDeposits(ctx, p.id, One);
    finish(keeper, ctx, p, ProposalStatus.PROPOSAL_STATUS_REJECTED, "expired", "deposit period ended below min_deposit: deposits burned");
  }
  for (const p of keeper.takeEnded(ctx.store, "voting", now)) decide(keeper, ctx, p);
}

function decide(keeper: GovKeeper, ctx: Context, p: Proposal): void {
  const lp = keeper.levelParams(ctx.store, p.level);
  const t = keeper.tally(ctx.store, p.id);
  p.finalTally = tallyProto(t);
  const voted = t.yes + t.abstain + t.no + t.noWithVeto;
  if (t.totalPower === 0n || voted * One < parseDec(lp.quorum) * t.totalPower) {
    keeper.settleDeposits(ctx, p.id, parseDec(lp.burn_rate));
    return finish(keeper, ctx, p, ProposalStatus.PROPOSAL_STATUS_REJECTED, "quorum_not_reached", `${voted} of ${t.totalPower} voted: quorum ${lp.quorum} not reached; ${lp.burn_rate} of deposits burned`);
  }
  if (t.noWithVeto * One > parseDec(lp.veto) * voted) {
    keeper.settleDeposits(ctx, p.id, One);
    return finish(keeper, ctx, p, ProposalStatus.PROPOSAL_STATUS_REJECTED, "vetoed", `no_with_veto ${t.noWithVeto} of ${voted} is over ${lp.veto}: deposits burned`);
  }
  const nonAbstain = voted - t.abstain;
  if (nonAbstain === 0n || t.yes * One <= parseDec(lp.threshold) * nonAbstain) {
    keeper.settleDeposits(ctx, p.id, 0n);
    return finish(keeper, ctx, p, ProposalStatus.PROPOSAL_STATUS_REJECTED, "rejected", `yes ${t.yes} of ${nonAbstain} non-abstaining is not over ${lp.threshold}`);
  }
  keeper.settleDeposits(ctx, p.id, 0n);
  // execute on a branch: a failing execution changes nothing but the proposal's status
  const branch = new CacheStore(ctx.store);
  const own: Event[] = [];
  try {
    execute(keeper, { ...ctx, store: branch, events: own }, p);
  } catch (e) {
    return finish(keeper, ctx, p, ProposalStatus.PROPOSAL_STATUS_FAILED, "failed", `passed, but execution failed: ${(e as Error).message}`);
  }
  branch.write();
  ctx.events.push(...own);
  finish(keeper, ctx, p, ProposalStatus.PROPOSAL_STATUS_PASSED, "passed", `yes ${t.yes} of ${nonAbstain} non-abstaining`);
}

function finish(keeper: GovKeeper, ctx: Context, p: Proposal, status: ProposalStatus, result: string, detail: string): void {
  p.status = status;
  p.result = `${result}: ${detail}`;
  keeper.setProposal(ctx.store, p);
  ctx.events.push(events.resultEvent(p.id, result, StatusNames[status], detail));
}

/** A passed proposal's content, checked again against the state it now meets. */
function execute(keeper: GovKeeper, ctx: Context, p: Proposal): void {
  const content = p.content!;
  const deps = keeper.deps;
  keeper.checkContent(ctx, content);
  if (content.parameterChange) deps.params.apply(ctx.store, ctx.events, content.parameterChange.changes);
  if (content.communityPoolSpend) {
    const spend = content.communityPoolSpend;
    deps.distribution.spendCommunityPool(ctx.store, ctx.events, parseAccAddress(spend.recipient), BigInt(spend.amount));
  }
  if (content.inflationChange) {
    deps.mint.setPhases(ctx.store, nextSchedule(deps.mint.phases(ctx.store), content.inflationChange.phases, blockSeconds(ctx.block)));
  }
  if (content.softwareUpgrade) keeper.setUpgradePlan(ctx.store, content.softwareUpgrade.plan!);
  if (content.qcpClient) deps.qcpClient.apply(ctx, content.qcpClient);
  if (content.qcpRecover) deps.qcpRecover.apply(ctx, content.qcpRecover);
}
