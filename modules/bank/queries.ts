import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { parseAccAddress } from "../../app/address.js";
import { coinsToWire, validateDenom } from "../../app/coins.js";
import type { QueryHandler } from "../../app/module.js";
import * as qos from "../../gen/qos/bank/v1/query.js";
import * as cosmos from "../../gen/cosmos/bank/v1beta1/query.js";
import { Errors } from "../../app/errors.js";
import { Method } from "../../gen/names.js";
import type { BankKeeper } from "./keeper.js";

export function bankQueries(keeper: BankKeeper): Record<string, QueryHandler> {
  return {
    [Method.cosmos.bank.v1beta1.Query.Balance]: (ctx, request) => {
      const req = QueryBalanceRequest.decode(request);
      validateDenom(req.denom);
      const amount = keeper.getBalance(ctx.store, parseAccAddress(req.address), req.denom);
      // CosmJS asserts a balance is present: a zero balance is {denom, "0"}, never absent.
      return QueryBalanceResponse.encode({ balance: { denom: req.denom, amount: amount.toString() } }).finish();
    },
    [Method.cosmos.bank.v1beta1.Query.AllBalances]: (ctx, request) => {
      const req = QueryAllBalancesRequest.decode(request);
      const page = keeper.balancesPage(ctx.store, parseAccAddress(req.address), req.pagination);
      return QueryAllBalancesResponse.encode({ balances: coinsToWire(page.items), pagination: page.pagination }).finish();
    },
    [Method.cosmos.bank.v1beta1.Query.TotalSupply]: (ctx, request) => {
      const page = keeper.supplyPage(ctx.store, QueryTotalSupplyRequest.decode(request).pagination);
      return QueryTotalSupplyResponse.encode({ supply: coinsToWire(page.items), pagination: page.pagination }).finish();
    },
    [Method.cosmos.bank.v1beta1.Query.SupplyOf]: (ctx, request) => {
      const { denom } = QuerySupplyOfRequest.decode(request);
      validateDenom(denom);
      return QuerySupplyOfResponse.encode({ amount: { denom, amount: keeper.getSupply(ctx.store, denom).toString() } }).finish();
    },
    // QOS locks no coins in an account (frozen QSC coins leave the balance): everything held can be sent
    [Method.cosmos.bank.v1beta1.Query.SpendableBalances]: (ctx, request) => {
      const req = cosmos.QuerySpendableBalancesRequest.decode(request);
      const page = keeper.balancesPage(ctx.store, parseAccAddress(req.address), req.pagination);
      return cosmos.QuerySpendableBalancesResponse.encode({ balances: coinsToWire(page.items), pagination: page.pagination }).finish();
    },
    // every denom can be sent (a paused QSC refuses its transfers in qsc, not by bank's parameters)
    [Method.cosmos.bank.v1beta1.Query.Params]: () =>
      cosmos.QueryParamsResponse.encode({ params: { sendEnabled: [], defaultSendEnabled: true } }).finish(),
    [Method.qos.bank.v1.Query.Account]: (ctx, request) => {
      const { address } = qos.QueryAccountRequest.decode(request);
      const bytes = parseAccAddress(address);
      const account = keeper.accounts.getAccount(ctx.store, bytes);
      if (!account) throw Errors.keyNotFound.with(`account ${address} not found`);
      return qos.QueryAccountResponse.encode({
        address,
        accountNumber: account.accountNumber,
        sequence: account.sequence,
        pubKey: account.pubKey ?? new Uint8Array(),
        balances: coinsToWire(keeper.getAllBalances(ctx.store, bytes)),
      }).finish();
    },
    [Method.qos.bank.v1.Query.Supply]: (ctx, request) => {
      const page = keeper.supplyPage(ctx.store, qos.QuerySupplyRequest.decode(request).pagination);
      return qos.QuerySupplyResponse.encode({ supply: coinsToWire(page.items), pagination: page.pagination }).finish();
    },
    [Method.qos.bank.v1.Query.SupplyOf]: (ctx, request) => {
      const { denom } = qos.QuerySupplyOfRequest.decode(request);
      validateDenom(denom);
      return qos.QuerySupplyOfResponse.encode({ amount: { denom, amount: keeper.getSupply(ctx.store, denom).toString() } }).finish();
    },
  };
}
