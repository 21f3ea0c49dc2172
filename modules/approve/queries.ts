import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { coinsToWire } from "../../app/coins.js";
import type { QueryHandler } from "../../app/module.js";
import { QueryApproveRequest, QueryApproveResponse, QueryApprovesRequest, QueryApprovesResponse } from "../../gen/qos/approve/v1/query.js";
import { Method } from "../../gen/names.js";
import { ApproveErrors } from "./errors.js";
import type { ApproveKeeper } from "./keeper.js";

export function approveQueries(keeper: ApproveKeeper): Record<string, QueryHandler> {
  return {
    [Method.qos.approve.v1.Query.Approve]: (ctx, request) => {
      const { from, to } = QueryApproveRequest.decode(request);
      const coins = keeper.get(ctx.store, parseAccAddress(from, "from"), parseAccAddress(to, "to"));
      if (!coins) throw ApproveErrors.notFound.with(`${from} → ${to}`);
      return QueryApproveResponse.encode({ allowance: { from, to, coins: coinsToWire(coins) } }).finish();
    },
    [Method.qos.approve.v1.Query.Approves]: (ctx, request) => {
      const { from, pagination } = QueryApprovesRequest.decode(request);
      const page = keeper.page(ctx.store, parseAccAddress(from, "from"), pagination);
      const allowances = page.items.map(([f, t, coins]) => ({
        from: toAccAddress(f),
        to: toAccAddress(t),
        coins: coinsToWire(coins),
      }));
      return QueryApprovesResponse.encode({ allowances, pagination: page.pagination }).finish();
    },
  };
}
