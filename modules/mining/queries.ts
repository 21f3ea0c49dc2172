import { parseAccAddress } from "../../app/address.js";
import type { QueryHandler } from "../../app/module.js";
import { Method } from "../../gen/names.js";
import {
  QueryPendingRequest, QueryPendingResponse, QueryPeriodsRequest, QueryPeriodsResponse, QueryRatesRequest, QueryRatesResponse,
  QueryScenarioRequest, QueryScenarioResponse,
} from "../../gen/qos/mining/v1/query.js";
import { periodCodec, ratePointCodec, scenarioCodec, type MiningKeeper } from "./keeper.js";

const Paths = Method.qos.mining.v1.Query;

export function miningQueries(keeper: MiningKeeper): Record<string, QueryHandler> {
  return {
    [Paths.Scenario]: (ctx, request) => {
      const { denom } = QueryScenarioRequest.decode(request);
      return QueryScenarioResponse.encode({ scenario: scenarioCodec.toWire(keeper.requireScenario(ctx.store, denom)) }).finish();
    },
    [Paths.Periods]: (ctx, request) => {
      const { denom, pagination } = QueryPeriodsRequest.decode(request);
      keeper.requireScenario(ctx.store, denom);
      const page = keeper.periodsPage(ctx.store, denom, pagination);
      return QueryPeriodsResponse.encode({ periods: page.items.map((p) => periodCodec.toWire(p)), pagination: page.pagination }).finish();
    },
    [Paths.Pending]: (ctx, request) => {
      const { denom, address } = QueryPendingRequest.decode(request);
      const account = parseAccAddress(address);
      const s = keeper.requireScenario(ctx.store, denom);
      // a module account's balance earns nothing (it has no record either)
      const held = keeper.bank.isModuleAccount(account) ? 0n : keeper.bank.getBalance(ctx.store, account, denom);
      const h = keeper.holderNow(ctx.store, s, account, held);
      const m = keeper.minerNow(ctx.store, s, account);
      return QueryPendingResponse.encode({
        dividends: h.owed.toString(), rewards: m.owed.toString(), leastBalance: h.leastBalance.toString(), credit: m.credit.toString(),
      }).finish();
    },
    [Paths.Rates]: (ctx, request) => {
      const { denom, pagination } = QueryRatesRequest.decode(request);
      keeper.requireScenario(ctx.store, denom);
      const page = keeper.ratesPage(ctx.store, denom, pagination);
      return QueryRatesResponse.encode({ rates: page.items.map((r) => ratePointCodec.toWire(r)), pagination: page.pagination }).finish();
    },
  };
}
