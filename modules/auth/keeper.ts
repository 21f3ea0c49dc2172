// Accounts: number, sequence, public key. Keys live here only.
import { storedParams } from "../../app/params.js";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { toAccAddress } from "../../app/address.js";
import type { ModuleAccount } from "../../app/module.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { bytesToKey } from "../../app/state/kv.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";

const Prefix = "auth/";
const AccountPrefix = `${Prefix}a/`;
const NextAccountNumberKey = `${Prefix}n`;
const ParamsKey = `${Prefix}p`;
const params = storedParams(ParamsKey, ParamsSchema, DefaultParams);
const encoder = new TextEncoder();
const decoder = new TextDecoder();


/** The fee collector (the Cosmos SDK's auth module account): the ante handler pays fees into it and
 *  distribution empties it each block; no mint or burn. */
export const FeeCollectorAccount = { name: "fee_collector", permissions: [] } as const satisfies ModuleAccount;

export const Secp256k1PubKeyTypeUrl = "/cosmos.crypto.secp256k1.PubKey";

export interface Account {
  address: Uint8Array;
  accountNumber: bigint;
  sequence: bigint;
  /** compressed secp256k1 key, undefined until the account signs */
  pubKey?: Uint8Array;
}

function accountKey(address: Uint8Array): string {
  return AccountPrefix + bytesToKey(address);
}

/** Accounts and auth's parameters. One per composed chain (chain/index.ts creates it and hands it to
 *  bank and the ante handler); it keeps no state of its own. */
export class AuthKeeper {
  getAccount(store: KVReader, address: Uint8Array): Account | undefined {
    const raw = store.get(accountKey(address));
    if (!raw) return undefined;
    const base = BaseAccount.decode(raw);
    return {
      address,
      accountNumber: base.accountNumber,
      sequence: base.sequence,
      pubKey: base.pubKey ? PubKey.decode(base.pubKey.value).key : undefined,
    };
  }

  setAccount(store: KVStore, account: Account): void {
    store.set(accountKey(account.address), BaseAccount.encode(this.toBaseAccount(account)).finish());
  }

  toBaseAccount(account: Account): BaseAccount {
    return BaseAccount.fromPartial({
      address: toAccAddress(account.address),
      accountNumber: account.accountNumber,
      sequence: account.sequence,
      pubKey: account.pubKey
        ? { typeUrl: Secp256k1PubKeyTypeUrl, value: PubKey.encode({ key: account.pubKey }).finish() }
        : undefined,
    });
  }

  /** Creates the account with the next account number; the caller checked it does not exist. */
  createAccount(store: KVStore, address: Uint8Array): Account {
    const raw = store.get(NextAccountNumberKey);
    const accountNumber = raw ? BigInt(decoder.decode(raw)) : 0n;
    store.set(NextAccountNumberKey, encoder.encode((accountNumber + 1n).toString()));
    const account: Account = { address, accountNumber, sequence: 0n };
    this.setAccount(store, account);
    return account;
  }

  ensureAccount(store: KVStore, address: Uint8Array): Account {
    return this.getAccount(store, address) ?? this.createAccount(store, address);
  }

  *allAccounts(store: KVReader): IterableIterator<BaseAccount> {
    const end = `${Prefix}a0`; // '0' follows '/' in byte order: the end of the "auth/a/" range
    for (const [, value] of store.iterate(AccountPrefix, end)) yield BaseAccount.decode(value);
  }

  getParams(store: KVReader): Params {
    return params.get(store);
  }

  setParams(store: KVStore, value: Params): void {
    params.set(store, value);
  }
}
