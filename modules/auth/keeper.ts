// Accounts: number, sequence, public key. Key layout (auth's keys are declared here only, as collections):
//   auth/a/<address 20 bytes> → BaseAccount (protobuf: bech32 address, number, sequence, secp256k1 key)
//   auth/n                    → the next account number (decimal ASCII; 0 when absent)
//   auth/p                    → params (JSON, app/params.ts storedParams: parsed once per value, read every tx)
import { storedParams } from "../../app/params.js";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { toAccAddress } from "../../app/address.js";
import type { ModuleAccount } from "../../app/module.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import type { Page, PageRequest } from "../../app/query.js";
import { bytesKey, protoValue, Sequence, StoreMap } from "../../app/state/collections.js";
import { TypeUrl } from "../../gen/names.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";

const accounts = new StoreMap("auth/a/", bytesKey(20), protoValue(BaseAccount));
const nextAccountNumber = new Sequence("auth/n", 0n);
const params = storedParams("auth/p", ParamsSchema, DefaultParams);

/** An account as qoscli --verify proves it (absent = never seen by the chain). */
export const accountEntry = (address: Uint8Array) => accounts.provable(address);

/** The fee collector (the Cosmos SDK's auth module account): the ante handler pays fees into it and
 *  distribution empties it each block; no mint or burn. */
export const FeeCollectorAccount = { name: "fee_collector", permissions: [] } as const satisfies ModuleAccount;

export const Secp256k1PubKeyTypeUrl = TypeUrl.cosmos.crypto.secp256k1.PubKey;

export interface Account {
  address: Uint8Array;
  accountNumber: bigint;
  sequence: bigint;
  /** compressed secp256k1 key, undefined until the account signs */
  pubKey?: Uint8Array;
}

/** The stored BaseAccount as an Account (the address from the key: no bech32 decoding on the hot path). */
function toAccount(address: Uint8Array, base: BaseAccount): Account {
  return {
    address,
    accountNumber: base.accountNumber,
    sequence: base.sequence,
    pubKey: base.pubKey ? PubKey.decode(base.pubKey.value).key : undefined,
  };
}

/** Accounts and auth's parameters. One per composed chain (chain/index.ts creates it and hands it to
 *  bank and the ante handler); it keeps no state of its own. */
export class AuthKeeper {
  getAccount(store: KVReader, address: Uint8Array): Account | undefined {
    const base = accounts.get(store, address);
    return base ? toAccount(address, base) : undefined;
  }

  setAccount(store: KVStore, account: Account): void {
    accounts.set(store, account.address, this.toBaseAccount(account));
  }

  /** `bech32`: the account's address as already spelled (genesis read it), else spelled from its bytes */
  toBaseAccount(account: Account, bech32?: string): BaseAccount {
    return BaseAccount.fromPartial({
      address: bech32 ?? toAccAddress(account.address),
      accountNumber: account.accountNumber,
      sequence: account.sequence,
      pubKey: account.pubKey
        ? { typeUrl: Secp256k1PubKeyTypeUrl, value: PubKey.encode({ key: account.pubKey }).finish() }
        : undefined,
    });
  }

  /** Creates the account with the next account number; the caller checked it does not exist. */
  createAccount(store: KVStore, address: Uint8Array): Account {
    const accountNumber = nextAccountNumber.next(store);
    const account: Account = { address, accountNumber, sequence: 0n };
    this.setAccount(store, account);
    return account;
  }

  /** A genesis account: the next account number, its sequence and key, written once. `bech32` is the
   *  address genesis gave, which decoded to `address` (a valid address has one spelling). */
  createGenesisAccount(store: KVStore, address: Uint8Array, bech32: string, sequence: bigint, pubKey: Uint8Array | undefined): void {
    const account: Account = { address, accountNumber: nextAccountNumber.next(store), sequence, pubKey };
    accounts.set(store, address, this.toBaseAccount(account, bech32));
  }

  /** Creates the account unless it exists. Reads the account's entry as getAccount does (the same read,
   *  the same gas) without decoding it: every coin received (each fee into the fee collector) comes here. */
  ensureAccount(store: KVStore, address: Uint8Array): void {
    if (store.get(accounts.storeKey(address)) === undefined) this.createAccount(store, address);
  }

  /** Every account, by address. */
  *allAccounts(store: KVReader): IterableIterator<Account> {
    for (const [address, base] of accounts.entries(store)) yield toAccount(address, base);
  }

  /** One page of the accounts by address, as stored (BaseAccount; app/query.ts pagination). */
  accountsPage(store: KVReader, page: PageRequest | undefined): Page<BaseAccount> {
    return accounts.page(store, page, (_, base) => base);
  }

  getParams(store: KVReader): Params {
    return params.get(store);
  }

  setParams(store: KVStore, value: Params): void {
    params.set(store, value);
  }
}
