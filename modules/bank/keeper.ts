// Balances and supply. Keys live here only:
//   bank/b/<address 20 bytes><denom> → amount (decimal ASCII)
//   bank/s/<denom>                   → total supply (decimal ASCII)
import { storedParams } from "../../app/params.js";
import { toAccAddress } from "../../app/address.js";
import { coinsToString, MaxAmount, type Coin } from "../../app/coins.js";
import type { Event } from "../../app/events.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { bytesToKey, keyToBytes, prefixEnd } from "../../app/state/kv.js";
import { Errors } from "../../app/errors.js";
import { BankErrors } from "./errors.js";
import * as events from "./events.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";
import { paginate, type Page, type PageRequest } from "../../app/query.js";

const BalancePrefix = "bank/b/";
const SupplyPrefix = "bank/s/";
const ParamsKey = "bank/p";
const params = storedParams(ParamsKey, ParamsSchema, DefaultParams);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What bank needs from auth: accounts come into existence when they first receive coins, and the
 *  qos.bank.v1 account query shows number, sequence and key beside the balances. */
export interface AccountKeeper {
  ensureAccount(store: KVStore, address: Uint8Array): unknown;
  getAccount(store: KVReader, address: Uint8Array): { accountNumber: bigint; sequence: bigint; pubKey?: Uint8Array } | undefined;
}

const balanceKey = (address: Uint8Array, denom: string) => BalancePrefix + bytesToKey(address) + denom;
const readAmount = (raw: Uint8Array | undefined) => (raw ? BigInt(decoder.decode(raw)) : 0n);
const writeAmount = (store: KVStore, key: string, amount: bigint) =>
  amount === 0n ? store.delete(key) : store.set(key, encoder.encode(amount.toString()));

/** Called before coins move between accounts (sends and transfers, not mint/burn): a module may refuse
 *  the move by throwing (a paused token) or add events. `from`/`to` is undefined for the other side of a
 *  multi-party transfer. */
export type SendHook = (
  store: KVStore,
  events: Event[],
  from: Uint8Array | undefined,
  to: Uint8Array | undefined,
  coins: readonly Coin[],
) => void;

export class BankKeeper {
  private readonly sendHooks: SendHook[] = [];

  constructor(readonly accounts: AccountKeeper) {}

  addSendHook(hook: SendHook): void {
    this.sendHooks.push(hook);
  }

  runSendHooks(store: KVStore, events_: Event[], from: Uint8Array | undefined, to: Uint8Array | undefined, coins: readonly Coin[]): void {
    for (const hook of this.sendHooks) hook(store, events_, from, to, coins);
  }

  getBalance(store: KVReader, address: Uint8Array, denom: string): bigint {
    return readAmount(store.get(balanceKey(address, denom)));
  }

  getAllBalances(store: KVReader, address: Uint8Array): Coin[] {
    const prefix = BalancePrefix + bytesToKey(address);
    const out: Coin[] = [];
    for (const [key, value] of store.iterate(prefix, prefixEnd(prefix))) {
      out.push({ denom: key.slice(prefix.length), amount: readAmount(value) });
    }
    return out;
  }

  /** One page of an account's balances, by denom (app/query.ts pagination). */
  balancesPage(store: KVReader, address: Uint8Array, page: PageRequest | undefined): Page<Coin> {
    return paginate(store, BalancePrefix + bytesToKey(address), page, (denom, value) => ({ denom, amount: readAmount(value) }));
  }
  /** One page of the total supply, by denom. */
  supplyPage(store: KVReader, page: PageRequest | undefined): Page<Coin> {
    return paginate(store, SupplyPrefix, page, (denom, value) => ({ denom, amount: readAmount(value) }));
  }

  /** Every non-zero balance: [address bytes, coin], ordered by address then denom. */
  *allBalances(store: KVReader): IterableIterator<[Uint8Array, Coin]> {
    for (const [key, value] of store.iterate(BalancePrefix, prefixEnd(BalancePrefix))) {
      const rest = key.slice(BalancePrefix.length);
      yield [keyToBytes(rest.slice(0, 20)), { denom: rest.slice(20), amount: readAmount(value) }];
    }
  }

  getSupply(store: KVReader, denom: string): bigint {
    return readAmount(store.get(SupplyPrefix + denom));
  }

  getTotalSupply(store: KVReader): Coin[] {
    const out: Coin[] = [];
    for (const [key, value] of store.iterate(SupplyPrefix, prefixEnd(SupplyPrefix))) {
      out.push({ denom: key.slice(SupplyPrefix.length), amount: readAmount(value) });
    }
    return out;
  }

  /** Takes coins out of an account; throws insufficientFunds naming the balance. */
  subtract(store: KVStore, address: Uint8Array, coins: readonly Coin[]): void {
    for (const coin of coins) {
      const key = balanceKey(address, coin.denom);
      const balance = readAmount(store.get(key));
      if (balance < coin.amount) {
        throw Errors.insufficientFunds.with(
          `${toAccAddress(address)} has ${balance}${coin.denom}, needs ${coin.amount}${coin.denom}`,
        );
      }
      writeAmount(store, key, balance - coin.amount);
    }
  }

  add(store: KVStore, address: Uint8Array, coins: readonly Coin[]): void {
    this.accounts.ensureAccount(store, address);
    for (const coin of coins) {
      const key = balanceKey(address, coin.denom);
      const balance = readAmount(store.get(key)) + coin.amount;
      if (balance > MaxAmount) throw Errors.invalidCoins.with(`balance of ${coin.denom} would overflow 2^256-1`);
      writeAmount(store, key, balance);
    }
  }

  /** One sender to one receiver, with the SDK's events. */
  send(store: KVStore, events_: Event[], from: Uint8Array, to: Uint8Array, coins: readonly Coin[]): void {
    this.runSendHooks(store, events_, from, to, coins);
    this.subtract(store, from, coins);
    this.add(store, to, coins);
    const amount = coinsToString(coins);
    const sender = toAccAddress(from);
    const recipient = toAccAddress(to);
    events_.push(
      events.coinSpentEvent(sender, amount),
      events.coinReceivedEvent(recipient, amount),
      events.transferEvent(sender, recipient, amount),
    );
  }

  /** New coins into an account, supply raised (genesis, and later mint). */
  mint(store: KVStore, events_: Event[] | undefined, to: Uint8Array, coins: readonly Coin[]): void {
    this.add(store, to, coins);
    for (const coin of coins) {
      const supply = this.getSupply(store, coin.denom) + coin.amount;
      if (supply > MaxAmount) throw Errors.invalidCoins.with(`supply of ${coin.denom} would overflow 2^256-1`);
      writeAmount(store, SupplyPrefix + coin.denom, supply);
    }
    events_?.push(events.mintEvent(toAccAddress(to), coinsToString(coins)));
  }

  burn(store: KVStore, events_: Event[] | undefined, from: Uint8Array, coins: readonly Coin[]): void {
    this.subtract(store, from, coins);
    for (const coin of coins) writeAmount(store, SupplyPrefix + coin.denom, this.getSupply(store, coin.denom) - coin.amount);
    events_?.push(events.burnEvent(toAccAddress(from), coinsToString(coins)));
  }

  getParams(store: KVReader): Params {
    return params.get(store);
  }

  setParams(store: KVStore, value: Params): void {
    params.set(store, value);
  }

  /** Σ balances per denom == supply per denom (module accounts included, they are ordinary balances). */
  checkSupplyInvariant(store: KVReader): void {
    const sums = new Map<string, bigint>();
    for (const [, coin] of this.allBalances(store)) sums.set(coin.denom, (sums.get(coin.denom) ?? 0n) + coin.amount);
    const supply = new Map(this.getTotalSupply(store).map((c) => [c.denom, c.amount]));
    for (const denom of new Set([...sums.keys(), ...supply.keys()])) {
      if ((sums.get(denom) ?? 0n) !== (supply.get(denom) ?? 0n)) {
        throw BankErrors.invariantBroken.with(
          `supply invariant broken for ${denom}: balances sum to ${sums.get(denom) ?? 0n}, supply is ${supply.get(denom) ?? 0n}`,
        );
      }
    }
  }
}
