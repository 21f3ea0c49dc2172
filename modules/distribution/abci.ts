// distribution's part of every block: at the start the fee collector (this block's mint + the previous
// block's fees) is shared out among the proposer and the validators that signed; at the end the
// delegations whose auto-compounding is due are compounded.
import { toAccAddress } from "../../app/address.js";
import { BaseDenom } from "../../app/coins.js";
import { mulDecFloor, parseDec } from "../../app/decimal.js";
import type { Context } from "../../app/module.js";
import { toValAddress, ValidatorStatus } from "../stake/index.js";
import * as events from "./events.js";
import { distributionAccount, type DistributionKeeper } from "./keeper.js";

/** BeginBlock: the fee collector's uqos is shared out. */
export function beginBlock(keeper: DistributionKeeper, ctx: Context): void {
  const { store, events: events_ } = ctx;
  const total = keeper.fees.getBalance(store, keeper.fees.address, BaseDenom);
  if (total === 0n) return;
  keeper.fees.sendFromModuleToModule(store, events_, distributionAccount, [{ denom: BaseDenom, amount: total }]);
  const params = keeper.getParams(store);
  let remaining = total;

  // the proposer's extra: proposer_reward_rate (4%) of this block's mint, as commission to its owner
  const proposer = ctx.block.proposer;
  const proposerOwner = proposer ? keeper.stake.ownerByConsensusAddress(store, proposer) : undefined;
  const bonus = mulDecFloor(keeper.mint?.lastMint(store) ?? 0n, parseDec(params.proposer_reward_rate));
  if (bonus > 0n && proposerOwner && keeper.isActive(store, proposerOwner)) {
    keeper.credit(store, proposerOwner, 0n, bonus);
    remaining -= bonus;
    events_.push(events.proposerRewardEvent(toValAddress(proposerOwner), bonus.toString()));
  }

  // the rest by bonded tokens among the active validators that signed the last block
  const signers = (ctx.block.lastCommit ?? [])
    .filter((vote) => vote.signed)
    .map((vote) => keeper.stake.ownerByConsensusAddress(store, vote.address))
    .filter((owner): owner is Uint8Array => owner !== undefined && keeper.isActive(store, owner))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const bonded = signers.reduce((sum, owner) => sum + keeper.stake.tokens(keeper.stake.getValidator(store, owner)!), 0n);
  let handedOut = 0n;
  if (bonded > 0n) {
    for (const owner of signers) {
      const v = keeper.stake.getValidator(store, owner)!;
      const share = (remaining * keeper.stake.tokens(v)) / bonded;
      const commission = mulDecFloor(share, parseDec(v.commission?.rate ?? "0"));
      keeper.credit(store, owner, share - commission, commission);
      handedOut += share;
      events_.push(events.rewardsEvent(toValAddress(owner), share.toString(), commission.toString()));
    }
  }
  const toPool = remaining - handedOut; // rounding dust, or everything when no managed validator signed
  if (toPool > 0n) {
    keeper.addToCommunityPool(store, toPool);
    events_.push(events.communityPoolEvent(toPool.toString(), keeper.communityPool(store).toString()));
  }
}

/** EndBlock: compounds the delegations due at this height: their rewards (and the commission, for the
 *  owner's own delegation) are re-delegated to the same validator, so the balance does not change. */
export function endBlock(keeper: DistributionKeeper, ctx: Context): void {
  const { store, events: events_ } = ctx;
  const height = ctx.block.height;
  for (const [owner, delegator] of keeper.takeDueCompoundings(store, height)) {
    const d = keeper.stake.getDelegation(store, delegator, owner);
    // switched off or gone: the queue forgets it until the delegator asks again
    if (!d || !d.autoCompound) continue;
    const v = keeper.stake.getValidator(store, owner);
    // an inactive validator cannot be delegated to: the rewards stay pending (not paid out) until a later period
    if (v?.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE) {
      const { rewards, commission } = keeper.withdraw(store, events_, owner, delegator);
      const amount = rewards + commission;
      if (amount > 0n) {
        keeper.stake.delegate(store, events_, delegator, owner, amount);
        events_.push(events.compoundEvent(toValAddress(owner), toAccAddress(delegator), amount.toString()));
      }
    }
    keeper.scheduleCompound(store, owner, delegator, height);
  }
}
