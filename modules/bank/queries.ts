import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { parseAccAddress } from "../../app/address.js";
import { coinsToWire, validateDenom } from "../../app/coins.js";
import type { QueryHandler } from "../../app/module.js";
import * as qos from "../../gen/qos/bank/v1/query.js";
import { Errors } from "../../app/errors.js";
import type { BankKeeper } from "./keeper.js";

export function bankQueries(keeper: BankKeeper): Record<string, QueryHandler> {
  return {
    "/cosmos.bank.v1beta1.Query/Balance": (ctx, request) => {
      const req = QueryBalanceRequest.decode(request);
      validateDenom(req.denom);
      const amount = keeper.getBalance(ctx.store, parseAccAddress(req.address), req.denom);
      // CosmJS asserts a balance is present: a zero balance is {denom, "0"}, never absent.
      return QueryBalanceResponse.encode({ balance: { denom: req.denom, amount: amount.toString() } }).finish();
    },
    "/cosmos.bank.v1beta1.Query/AllBalances": (ctx, request) => {
      const req = QueryAllBalancesRequest.decode(request);
      const balances = coinsToWire(keeper.getAllBalances(ctx.store, parseAccAddress(req.address)));
      return QueryAllBalancesResponse.encode({ balances, pagination: { nextKey: new Uint8Array(), total: BigInt(balances.length) } }).finish();
    },
    "/cosmos.bank.v1beta1.Query/TotalSupply": (ctx) => {
      const supply = coinsToWire(keeper.getTotalSupply(ctx.store));
      return QueryTotalSupplyResponse.encode({ supply, pagination: { nextKey: new Uint8Array(), total: BigInt(supply.length) } }).finish();
    },
    "/cosmos.bank.v1beta1.Query/SupplyOf": (ctx, request) => {
      const { denom } = QuerySupplyOfRequest.decode(request);
      validateDenom(denom);
      return QuerySupplyOfResponse.encode({ amount: { denom, amount: keeper.getSupply(ctx.store, denom).toString() } }).finish();
    },
    "/qos.bank.v1.Query/Account": (ctx, request) => {
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
    "/qos.bank.v1.Query/Supply": (ctx) =>
      qos.QuerySupplyResponse.encode({ supply: coinsToWire(keeper.getTotalSupply(ctx.store)) }).finish(),
    "/qos.bank.v1.Query/SupplyOf": (ctx, request) => {
      const { denom } = qos.QuerySupplyOfRequest.decode(request);
      validateDenom(denom);
      return qos.QuerySupplyOfResponse.encode({ amount: { denom, amount: keeper.getSupply(ctx.store, denom).toString() } }).finish();
    },
  };
}
