import { parseAccAddress } from "../../app/address.js";
import { formatDec } from "../../app/decimal.js";
import { blockSeconds, type QueryHandler } from "../../app/module.js";
import { Method } from "../../gen/names.js";
import {
  QueryAveragePriceRequest, QueryAveragePriceResponse, QueryPoolRequest, QueryPoolResponse, QueryPoolsRequest, QueryPoolsResponse,
  QueryQuoteRequest, QueryQuoteResponse, QuerySharesRequest, QuerySharesResponse,
} from "../../gen/qos/exchange/v1/query.js";
import { withdrawal } from "./amm.js";
import { ExchangeErrors } from "./errors.js";
import { poolToProto, shareDenom, type ExchangeKeeper } from "./keeper.js";
import { parseExchangeAmount } from "./msgs.js";
import { planSwap } from "./route.js";

const Paths = Method.qos.exchange.v1.Query;

export function exchangeQueries(keeper: ExchangeKeeper): Record<string, QueryHandler> {
  return {
    [Paths.Pools]: (ctx, request) => {
      const page = keeper.poolsPage(ctx.store, QueryPoolsRequest.decode(request).pagination);
      return QueryPoolsResponse.encode({ pools: page.items.map(poolToProto), pagination: page.pagination }).finish();
    },
    [Paths.Pool]: (ctx, request) => {
      const { denom } = QueryPoolRequest.decode(request);
      return QueryPoolResponse.encode({ pool: poolToProto(keeper.requirePool(ctx.store, denom)), shareDenom: shareDenom(denom) }).finish();
    },
    [Paths.Quote]: (ctx, request) => {
      const q = QueryQuoteRequest.decode(request);
      if ((q.amountIn === "") === (q.amountOut === "")) throw ExchangeErrors.invalidAmount.with("give exactly one of amount_in and amount_out");
      const amount = q.amountIn !== "" ? { exactIn: parseExchangeAmount(q.amountIn, "amount_in") } : { exactOut: parseExchangeAmount(q.amountOut, "amount_out") };
      const hops = planSwap(keeper, ctx.store, q.route, amount);
      return QueryQuoteResponse.encode({
        amountIn: hops[0].amountIn.toString(),
        amountOut: hops[hops.length - 1].amountOut.toString(),
        hopAmountsOut: hops.map((h) => h.amountOut.toString()),
        pricesAfter: hops.map((h) => formatDec(h.priceAfter)),
      }).finish();
    },
    [Paths.Shares]: (ctx, request) => {
      const { address, denom } = QuerySharesRequest.decode(request);
      const pool = keeper.requirePool(ctx.store, denom);
      const shares = keeper.sharesOf(ctx.store, parseAccAddress(address), denom);
      const worth = withdrawal(pool, shares);
      return QuerySharesResponse.encode({ shares: shares.toString(), amountQsc: worth.amountQsc.toString(), amountQos: worth.amountQos.toString() }).finish();
    },
    [Paths.AveragePrice]: (ctx, request) => {
      const { denom, startTime, endTime } = QueryAveragePriceRequest.decode(request);
      // the latest state knows its block's time; an older height or a fresh restart ends at the pool's last action
      const now = ctx.timeNs === undefined ? undefined : blockSeconds({ timeNs: ctx.timeNs });
      return QueryAveragePriceResponse.encode({ price: formatDec(keeper.averagePrice(ctx.store, denom, startTime, endTime, now)) }).finish();
    },
  };
}
