import { blockSeconds, type Context } from "../../app/module.js";
import type { MiningKeeper } from "./keeper.js";

/** Settles, before the block's transactions, every scenario whose period ended at or before the block's
 *  time (a payment in this block belongs to the next period). Work is per scenario due, never per holder. */
export function beginBlock(keeper: MiningKeeper, ctx: Context): void {
  const now = blockSeconds(ctx.block);
  for (const [, denom] of keeper.due(ctx.store, now)) keeper.settle(ctx.store, ctx.events, denom, now);
}
