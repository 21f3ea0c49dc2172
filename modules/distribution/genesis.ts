// Distribution's genesis: params and, for a re-imported export, the exact reward state record by record
// (validators as qosval, delegators as qos addresses, amounts and ratios as decimal strings, periods and
// heights as decimal strings), written through the keeper's collections.
import { z } from "zod";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { AmountString, Uint64String } from "../../app/coins.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { parseValAddress, toValAddress } from "../stake/index.js";
import { DistributionErrors } from "./errors.js";
import { DistributionState as S, type DistributionKeeper } from "./keeper.js";
import { DefaultParams, ParamsSchema } from "./params.js";

const Validator = z.string();
const Delegator = z.string();

export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  /** uqos in the community pool */
  community_pool: AmountString.default("0"),
  /** each validator's open period and the rewards its delegators earned in it so far */
  current_periods: z.array(z.object({ validator: Validator, period: Uint64String, rewards: AmountString })).default([]),
  /** cumulative reward per token (×10^18) at the end of each closed period */
  historical_ratios: z.array(z.object({ validator: Validator, period: Uint64String, ratio: AmountString })).default([]),
  /** each delegation's stake and the period its rewards count from */
  delegations: z.array(z.object({ validator: Validator, delegator: Delegator, starting_period: Uint64String, stake: AmountString })).default([]),
  /** rewards and commission allocated to a validator and not paid yet */
  outstanding: z.array(z.object({ validator: Validator, amount: AmountString })).default([]),
  /** commission accumulated for a validator's owner (part of outstanding) */
  commissions: z.array(z.object({ validator: Validator, amount: AmountString })).default([]),
  /** delegations queued for auto-compounding, with the height it is due at */
  compounding: z.array(z.object({ validator: Validator, delegator: Delegator, due_height: Uint64String })).default([]),
}).strict(); // strict: an export in the old raw-pairs format ("state") is refused, not silently dropped
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return GenesisSchema.parse({ params: DefaultParams });
}

export function initGenesis(keeper: DistributionKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw DistributionErrors.invalidGenesis.with(parsed.error.message);
  const g = parsed.data;
  const store = ctx.store;
  keeper.setParams(store, g.params);
  try {
    if (BigInt(g.community_pool) > 0n) S.pool.set(store, BigInt(g.community_pool));
    for (const c of g.current_periods) S.current.set(store, parseValAddress(c.validator), { period: BigInt(c.period), amount: BigInt(c.rewards) });
    for (const h of g.historical_ratios) S.history.set(store, [parseValAddress(h.validator), BigInt(h.period)], BigInt(h.ratio));
    for (const d of g.delegations) {
      S.starts.set(store, [parseValAddress(d.validator), parseAccAddress(d.delegator, "delegator")], { period: BigInt(d.starting_period), amount: BigInt(d.stake) });
    }
    for (const o of g.outstanding) if (BigInt(o.amount) > 0n) S.outstanding.set(store, parseValAddress(o.validator), BigInt(o.amount));
    for (const c of g.commissions) if (BigInt(c.amount) > 0n) S.commission.set(store, parseValAddress(c.validator), BigInt(c.amount));
    for (const q of g.compounding) {
      const owner = parseValAddress(q.validator);
      const delegator = parseAccAddress(q.delegator, "delegator");
      S.queue.add(store, [BigInt(q.due_height), owner, delegator]);
      S.due.set(store, [owner, delegator], BigInt(q.due_height));
    }
  } catch (e) {
    throw DistributionErrors.invalidGenesis.with((e as Error).message);
  }
}

export function exportGenesis(keeper: DistributionKeeper, store: KVReader): Genesis {
  const val = toValAddress;
  return {
    params: keeper.getParams(store),
    community_pool: keeper.communityPool(store).toString(),
    current_periods: [...S.current.entries(store)].map(([owner, c]) => ({ validator: val(owner), period: c.period.toString(), rewards: c.amount.toString() })),
    historical_ratios: [...S.history.entries(store)].map(([[owner, period], ratio]) => ({ validator: val(owner), period: period.toString(), ratio: ratio.toString() })),
    delegations: [...S.starts.entries(store)].map(([[owner, delegator], s]) => ({
      validator: val(owner), delegator: toAccAddress(delegator), starting_period: s.period.toString(), stake: s.amount.toString(),
    })),
    outstanding: [...S.outstanding.entries(store)].map(([owner, amount]) => ({ validator: val(owner), amount: amount.toString() })),
    commissions: [...S.commission.entries(store)].map(([owner, amount]) => ({ validator: val(owner), amount: amount.toString() })),
    compounding: [...S.queue.keys(store)].map(([height, owner, delegator]) => ({ validator: val(owner), delegator: toAccAddress(delegator), due_height: height.toString() })),
  };
}
