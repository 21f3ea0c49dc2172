import { parseAccAddress } from "../../app/address.js";
import type { QueryContext, QueryHandler } from "../../app/module.js";
import type { Token } from "../../gen/qos/qsc/v1/types.js";
import {
  QueryBalanceRequest, QueryBalanceResponse, QueryFrozenRequest, QueryFrozenResponse,
  QueryTokenRequest, QueryTokenResponse, QueryTokensRequest, QueryTokensResponse,
} from "../../gen/qos/qsc/v1/query.js";
import { Method } from "../../gen/names.js";
import type { QscKeeper } from "./keeper.js";

const Paths = Method.qos.qsc.v1.Query;

export function qscQueries(keeper: QscKeeper): Record<string, QueryHandler> {
  const tokenInfo = (ctx: QueryContext, token: Token): QueryTokenResponse => ({
    token,
    totalSupply: keeper.bank.getSupply(ctx.store, token.name).toString(),
  });
  return {
    [Paths.Token]: (ctx, request) => {
      const { name } = QueryTokenRequest.decode(request);
      return QueryTokenResponse.encode(tokenInfo(ctx, keeper.requireToken(ctx.store, name))).finish();
    },
    [Paths.Tokens]: (ctx, request) => {
      const page = keeper.tokensPage(ctx.store, QueryTokensRequest.decode(request).pagination);
      return QueryTokensResponse.encode({ tokens: page.items.map((t) => tokenInfo(ctx, t)), pagination: page.pagination }).finish();
    },
    [Paths.Frozen]: (ctx, request) => {
      const { name, address } = QueryFrozenRequest.decode(request);
      keeper.requireToken(ctx.store, name);
      return QueryFrozenResponse.encode({ amount: keeper.getFrozen(ctx.store, name, parseAccAddress(address)).toString() }).finish();
    },
    [Paths.Balance]: (ctx, request) => {
      const { name, address } = QueryBalanceRequest.decode(request);
      keeper.requireToken(ctx.store, name);
      const holder = parseAccAddress(address);
      return QueryBalanceResponse.encode({
        spendable: keeper.bank.getBalance(ctx.store, holder, name).toString(),
        frozen: keeper.getFrozen(ctx.store, name, holder).toString(),
      }).finish();
    },
  };
}
