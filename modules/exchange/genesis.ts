import { z } from "zod";
import { AmountString, BaseDenom } from "../../app/coins.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { ExchangeErrors } from "./errors.js";
import type { ExchangeKeeper } from "./keeper.js";
import { DefaultParams, ParamsSchema } from "./params.js";

const Seconds = z.union([z.string().regex(/^-?[0-9]{1,19}$/), z.number().int()]).transform((v) => BigInt(v));

const PoolSchema = z.object({
  denom: z.string().min(1).max(128).refine((d) => d !== BaseDenom && !d.includes("/"), "a QSC name"),
  reserve_qsc: AmountString,
  reserve_qos: AmountString,
  shares: AmountString,
  created_time: Seconds,
  last_time: Seconds,
  price_cumulative: AmountString,
  last_price: AmountString,
  twap_from: Seconds,
  observations: z.array(z.object({ time: Seconds, price_cumulative: AmountString, price_before: AmountString })).default([]),
});

/** Pools and their observations; the reserves and shares themselves are coins in bank's genesis (the
 *  module account's balances, the holders' share coins), which the invariants check against. */
export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  pools: z.array(PoolSchema).default([]),
});
export type Genesis = z.input<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { params: DefaultParams, pools: [] };
}

export function initGenesis(keeper: ExchangeKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw ExchangeErrors.invalidGenesis.with(parsed.error.message);
  const genesis = parsed.data;
  // An absent key reads as the defaults: a chain whose genesis has no exchange section (or the default
  // one) keeps the state, and app hash, it had before this module existed.
  if (JSON.stringify(genesis.params) !== JSON.stringify(DefaultParams)) keeper.setParams(ctx.store, genesis.params);
  for (const p of genesis.pools) {
    if (keeper.getPool(ctx.store, p.denom)) throw ExchangeErrors.invalidGenesis.with(`pool ${p.denom} listed twice`);
    keeper.setPool(ctx.store, {
      denom: p.denom, reserveQsc: BigInt(p.reserve_qsc), reserveQos: BigInt(p.reserve_qos), shares: BigInt(p.shares),
      createdTime: p.created_time, lastTime: p.last_time, cumulative: BigInt(p.price_cumulative), lastPrice: BigInt(p.last_price), twapFrom: p.twap_from,
    });
    for (const o of p.observations) keeper.setObservation(ctx.store, p.denom, o.time, { cumulative: BigInt(o.price_cumulative), priceBefore: BigInt(o.price_before) });
  }
}

export function exportGenesis(keeper: ExchangeKeeper, store: KVReader): Genesis {
  return {
    params: keeper.getParams(store),
    pools: [...keeper.allPools(store)].map((p) => ({
      denom: p.denom, reserve_qsc: p.reserveQsc.toString(), reserve_qos: p.reserveQos.toString(), shares: p.shares.toString(),
      created_time: p.createdTime.toString(), last_time: p.lastTime.toString(), price_cumulative: p.cumulative.toString(), last_price: p.lastPrice.toString(),
      twap_from: p.twapFrom.toString(),
      observations: [...keeper.allObservations(store, p.denom)].map(([time, o]) => ({
        time: time.toString(), price_cumulative: o.cumulative.toString(), price_before: o.priceBefore.toString(),
      })),
    })),
  };
}
