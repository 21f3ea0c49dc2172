// Swap routes and their arithmetic on the current reserves, shared by MsgSwap and the quote query.
// A route lists denoms from what is paid to what is received: [QSC, uqos], [uqos, QSC] or
// [X, uqos, Y]; at most two hops, each through one QSC's pool against QOS.
import { BaseDenom } from "../../app/coins.js";
import type { KVReader } from "../../app/state/kv.js";
import { inGivenOut, outGivenIn, spotPrice, FeeDenominator } from "./amm.js";
import { ExchangeErrors } from "./errors.js";
import type { ExchangeKeeper, Hop } from "./keeper.js";

export const MaxHops = 2;

/** A route's hops: the pool (QSC denom) of each and whether it sells the QSC. Stateless. */
export function parseRoute(route: readonly string[]): Array<{ denom: string; sellsQsc: boolean }> {
  if (route.length < 2 || route.length > MaxHops + 1) {
    throw ExchangeErrors.invalidRoute.with(`a route has 2 or 3 denoms (at most ${MaxHops} hops), got ${route.length}`);
  }
  const hops: Array<{ denom: string; sellsQsc: boolean }> = [];
  for (let i = 0; i + 1 < route.length; i++) {
    const [from, to] = [route[i], route[i + 1]];
    if ((from === BaseDenom) === (to === BaseDenom)) {
      throw ExchangeErrors.invalidRoute.with(`hop ${from} → ${to}: every hop is between a QSC and ${BaseDenom}`);
    }
    hops.push(from === BaseDenom ? { denom: to, sellsQsc: false } : { denom: from, sellsQsc: true });
  }
  if (hops.length === 2 && hops[0].denom === hops[1].denom) throw ExchangeErrors.invalidRoute.with(`${route[0]} → ${route[2]}: the same token`);
  return hops;
}

export type SwapAmount = { exactIn: bigint } | { exactOut: bigint };

/**
 * The hops of a swap on the current reserves, nothing written: pools must exist (exchange 6), their
 * tokens be tradable (4, 5), every hop pay out something (13) and move its pool's price by at most
 * max_price_impact_bps (11). Exact input runs the hops forward; exact output backward (each hop's input
 * is what the next needs), so each pool receives at least what x·y = k with the fee asks.
 */
export function planSwap(keeper: ExchangeKeeper, store: KVReader, route: readonly string[], amount: SwapAmount): Hop[] {
  const parsed = parseRoute(route);
  const { swap_fee_bps, max_price_impact_bps } = keeper.getParams(store);
  const fee = BigInt(swap_fee_bps);
  const pools = parsed.map((h) => {
    keeper.requireTradable(store, h.denom);
    return { ...h, pool: keeper.requirePool(store, h.denom) };
  });
  const sides = (h: (typeof pools)[number]) =>
    h.sellsQsc ? { reserveIn: h.pool.reserveQsc, reserveOut: h.pool.reserveQos } : { reserveIn: h.pool.reserveQos, reserveOut: h.pool.reserveQsc };
  const amounts: Array<{ amountIn: bigint; amountOut: bigint }> = new Array(pools.length);
  if ("exactIn" in amount) {
    let carried = amount.exactIn;
    pools.forEach((h, i) => {
      const { reserveIn, reserveOut } = sides(h);
      const out = outGivenIn(carried, reserveIn, reserveOut, fee);
      if (out === 0n) throw ExchangeErrors.insufficientLiquidity.with(`hop ${i} (${h.denom} pool): ${carried} buys nothing`);
      amounts[i] = { amountIn: carried, amountOut: out };
      carried = out;
    });
  } else {
    let needed = amount.exactOut;
    for (let i = pools.length - 1; i >= 0; i--) {
      const { reserveIn, reserveOut } = sides(pools[i]);
      const paid = inGivenOut(needed, reserveIn, reserveOut, fee);
      amounts[i] = { amountIn: paid, amountOut: needed };
      needed = paid;
    }
  }
  return pools.map((h, i) => {
    const { reserveIn, reserveOut } = sides(h);
    const { amountIn, amountOut } = amounts[i];
    const inAfter = reserveIn + amountIn;
    const outAfter = reserveOut - amountOut;
    // the price of what this hop buys, in what it pays, rises from R_in/R_out to R_in'/R_out'
    if (inAfter * reserveOut * FeeDenominator > reserveIn * outAfter * (FeeDenominator + BigInt(max_price_impact_bps))) {
      throw ExchangeErrors.priceImpact.with(`hop ${i} (${h.denom} pool) would move its price by more than ${max_price_impact_bps} bps`);
    }
    const [reserveQscAfter, reserveQosAfter] = h.sellsQsc ? [inAfter, outAfter] : [outAfter, inAfter];
    return {
      pool: h.pool, sellsQsc: h.sellsQsc,
      denomIn: h.sellsQsc ? h.denom : BaseDenom, denomOut: h.sellsQsc ? BaseDenom : h.denom,
      amountIn, amountOut, reserveQscAfter, reserveQosAfter, priceAfter: spotPrice(reserveQscAfter, reserveQosAfter),
    };
  });
}
