import { QueryAccountRequest, QueryAccountResponse, QueryParamsResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { AccountPrefix, parseAccAddress } from "../../app/address.js";
import * as q from "../../gen/cosmos/auth/v1beta1/query.js";
import type { QueryHandler } from "../../app/module.js";
import { Errors } from "../../app/errors.js";
import { GasCosts } from "../../app/gas.js";
import { Method, TypeUrl } from "../../gen/names.js";
import type { AuthKeeper } from "./keeper.js";

export const authQueries = (keeper: AuthKeeper): Record<string, QueryHandler> => ({
  [Method.cosmos.auth.v1beta1.Query.Account]: (ctx, request) => {
    const { address } = QueryAccountRequest.decode(request);
    const account = keeper.getAccount(ctx.store, parseAccAddress(address));
    // CosmJS returns null for an unknown account only when the log says "rpc error: code = NotFound".
    if (!account) throw Errors.keyNotFound.with(`account ${address} not found`);
    return QueryAccountResponse.encode({
      account: { typeUrl: TypeUrl.cosmos.auth.v1beta1.BaseAccount, value: BaseAccount.encode(keeper.toBaseAccount(account)).finish() },
    }).finish();
  },
  [Method.cosmos.auth.v1beta1.Query.Accounts]: (ctx, request) => {
    const page = keeper.accountsPage(ctx.store, q.QueryAccountsRequest.decode(request).pagination);
    const accounts = page.items.map((base) => ({ typeUrl: TypeUrl.cosmos.auth.v1beta1.BaseAccount, value: BaseAccount.encode(base).finish() }));
    return q.QueryAccountsResponse.encode({ accounts, pagination: page.pagination }).finish();
  },
  [Method.cosmos.auth.v1beta1.Query.Bech32Prefix]: () => q.Bech32PrefixResponse.encode({ bech32Prefix: AccountPrefix }).finish(),
  [Method.cosmos.auth.v1beta1.Query.Params]: (ctx) => {
    const params = keeper.getParams(ctx.store);
    return QueryParamsResponse.encode({
      params: {
        maxMemoCharacters: BigInt(params.max_memo_characters),
        txSigLimit: BigInt(params.tx_sig_limit),
        txSizeCostPerByte: GasCosts.txSizePerByte,
        sigVerifyCostEd25519: 590n,
        sigVerifyCostSecp256k1: GasCosts.sigVerifySecp256k1,
      },
    }).finish();
  },
});
