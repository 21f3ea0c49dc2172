// On-chain account data the tx flow needs (account number, sequence, public key), via
// /cosmos.auth.v1beta1.Query/Account.
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryError, type CliContext } from "./context.js";
import { Method } from "../gen/names.js";

export interface ChainAccount {
  address: string;
  accountNumber: bigint;
  sequence: bigint;
  /** compressed secp256k1 key, if the account has signed before */
  pubkey?: Uint8Array;
}

/** The account, or undefined when the chain has never seen it. */
export async function fetchAccount(ctx: CliContext, address: string): Promise<ChainAccount | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await ctx.abciQuery(Method.cosmos.auth.v1beta1.Query.Account, QueryAccountRequest.encode({ address }).finish());
  } catch (e) {
    if (e instanceof QueryError && e.notFound) return undefined;
    throw e;
  }
  const any = QueryAccountResponse.decode(bytes).account;
  if (!any) return undefined;
  const base = BaseAccount.decode(any.value);
  return {
    address: base.address,
    accountNumber: base.accountNumber,
    sequence: base.sequence,
    pubkey: base.pubKey && base.pubKey.value.length ? PubKey.decode(base.pubKey.value).key : undefined,
  };
}

export async function fetchBalance(ctx: CliContext, address: string, denom: string): Promise<bigint> {
  const bytes = await ctx.abciQuery(Method.cosmos.bank.v1beta1.Query.Balance, QueryBalanceRequest.encode({ address, denom }).finish());
  return BigInt(QueryBalanceResponse.decode(bytes).balance?.amount ?? "0");
}
