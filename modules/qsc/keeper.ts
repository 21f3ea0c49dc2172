// QSC tokens, frozen amounts and the root CA. Keys live here only, as collections:
//   qsc/t/<name>                → Token (protobuf)
//   qsc/f/<name>/<address 20>   → frozen amount (decimal ASCII; absent = 0)
//   qsc/ca                      → root CA ed25519 public key (32 bytes)
//   qsc/p                       → params (JSON)
// Names contain no '/' (isQscName), so the '/' after one ends it (delimitedStringKey).
// Frozen coins leave the holder's balance into the module account "qsc_frozen", so bank's supply
// invariant keeps holding and, per token, balances + frozen == supply.
import { storedParams } from "../../app/params.js";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import type { Coin } from "../../app/coins.js";
import type { Event } from "../../app/events.js";
import type { ModuleAccount } from "../../app/module.js";
import {
  Item, StoreMap, bigintValue, bytesKey, bytesValue, delimitedStringKey, keyPrefix, protoValue, stringKey, tupleKey,
} from "../../app/state/collections.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { Token } from "../../gen/qos/qsc/v1/types.js";
import { QscErrors } from "./errors.js";
import * as events from "./events.js";
import { DefaultParams, ParamsSchema, isQscName, type Params } from "./params.js";
import type { Page, PageRequest } from "../../app/query.js";

const tokens = new StoreMap("qsc/t/", stringKey, protoValue(Token));
const tokenName = delimitedStringKey("/");
const frozen = new StoreMap("qsc/f/", tupleKey(tokenName, bytesKey(20)), bigintValue);
const rootCa = new Item("qsc/ca", bytesValue);
const params = storedParams("qsc/p", ParamsSchema, DefaultParams);
export const FrozenAccountName = "qsc_frozen";
export const frozenAccount = moduleAddress(FrozenAccountName);
/** qsc's module account: holds frozen coins; its permission mints new tokens (create, issue) */
export const QscModuleAccount = { name: FrozenAccountName, permissions: ["minter"] } as const satisfies ModuleAccount;

/** What qsc needs from bank (its module account's handle): mint to holders (never a module account),
 *  move coins into and out of the frozen account. */
export interface QscBank {
  mint(store: KVStore, events: Event[] | undefined, to: Uint8Array, coins: readonly Coin[]): void;
  sendFromAccountToModule(store: KVStore, events: Event[], from: Uint8Array, coins: readonly Coin[]): void;
  sendFromModuleToAccount(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
  getSupply(store: KVReader, denom: string): bigint;
  getBalance(store: KVReader, address: Uint8Array, denom: string): bigint;
}

const pausedError = (denom: string) => QscErrors.paused.with(`${denom} is paused by its banker: nothing can be done with it until unpaused`);

export class QscKeeper {
  /** set while `restoring` runs: see there */
  private pauseLifted = false;

  constructor(readonly bank: QscBank) {}

  /** Pause stops every action on a token but unpause (whitepaper: "any action about the protocol"):
   *  issue, freeze, unfreeze, transfers, allowances, QCP transfers. Throws qsc 9 for a paused token;
   *  denoms that are not tokens here pass. */
  requireUnpaused(store: KVReader, denom: string): void {
    if (this.pauseLifted || !isQscName(denom)) return;
    if (this.getToken(store, denom)?.paused) throw pausedError(denom);
  }

  /** Runs `move` with the pause lifted: for coins going back to where they were before an action that
   *  failed elsewhere (a QCP refund). Refusing it would not keep the token still, it would stall every
   *  later delivery on that route until the banker unpauses. */
  restoring<T>(move: () => T): T {
    const was = this.pauseLifted;
    this.pauseLifted = true;
    try {
      return move();
    } finally {
      this.pauseLifted = was;
    }
  }

  getToken(store: KVReader, name: string): Token | undefined {
    return tokens.get(store, name);
  }

  requireToken(store: KVReader, name: string): Token {
    const token = this.getToken(store, name);
    if (!token) throw QscErrors.tokenNotFound.with(`no token named ${JSON.stringify(name)}`);
    return token;
  }

  setToken(store: KVStore, token: Token): void {
    tokens.set(store, token.name, token);
  }

  *allTokens(store: KVReader): IterableIterator<Token> {
    for (const [, token] of tokens.entries(store)) yield token;
  }

  /** One page of the tokens, by name (app/query.ts pagination). */
  tokensPage(store: KVReader, page: PageRequest | undefined): Page<Token> {
    return tokens.page(store, page, (_, token) => token);
  }

  getRootCa(store: KVReader): Uint8Array | undefined {
    return rootCa.get(store);
  }

  setRootCa(store: KVStore, publicKey: Uint8Array): void {
    rootCa.set(store, publicKey);
  }

  getFrozen(store: KVReader, name: string, address: Uint8Array): bigint {
    return frozen.get(store, [name, address]) ?? 0n;
  }

  private setFrozen(store: KVStore, name: string, address: Uint8Array, amount: bigint): void {
    if (amount === 0n) frozen.delete(store, [name, address]);
    else frozen.set(store, [name, address], amount);
  }

  /** Genesis import of a frozen record (the coins are in bank's genesis already). */
  importFrozen(store: KVStore, name: string, address: Uint8Array, amount: bigint): void {
    this.setFrozen(store, name, address, this.getFrozen(store, name, address) + amount);
  }

  /** Every frozen record (of one token): [name, holder, amount], by name and holder. */
  *allFrozen(store: KVReader, name?: string): IterableIterator<[string, Uint8Array, bigint]> {
    const within = name === undefined ? undefined : keyPrefix([tokenName, name]);
    for (const [[token, holder], amount] of frozen.entries(store, { within })) yield [token, holder, amount];
  }

  freeze(store: KVStore, events_: Event[], name: string, holder: Uint8Array, amount: bigint): void {
    this.requireUnpaused(store, name);
    this.bank.sendFromAccountToModule(store, events_, holder, [{ denom: name, amount }]);
    const total = this.getFrozen(store, name, holder) + amount;
    this.setFrozen(store, name, holder, total);
    events_.push(events.frozenEvent(name, toAccAddress(holder), amount.toString(), total.toString()));
  }

  unfreeze(store: KVStore, events_: Event[], name: string, holder: Uint8Array, amount: bigint): void {
    this.requireUnpaused(store, name);
    const frozen = this.getFrozen(store, name, holder);
    if (frozen < amount) throw QscErrors.frozenExceeded.with(`${toAccAddress(holder)} has ${frozen}${name} frozen, asked to unfreeze ${amount}`);
    this.bank.sendFromModuleToAccount(store, events_, holder, [{ denom: name, amount }]);
    this.setFrozen(store, name, holder, frozen - amount);
    events_.push(events.unfrozenEvent(name, toAccAddress(holder), amount.toString(), (frozen - amount).toString()));
  }

  /** bank send hook: a paused token does not move; every QSC move gets the whitepaper's Transfer event. */
  readonly sendHook = (store: KVStore, events_: Event[], from: Uint8Array | undefined, to: Uint8Array | undefined, coins: readonly Coin[]): void => {
    for (const coin of coins) {
      if (!isQscName(coin.denom)) continue; // uqos and other non-QSC denoms: no lookup, no gas
      const token = this.getToken(store, coin.denom);
      if (!token) continue;
      if (token.paused && !this.pauseLifted) throw pausedError(coin.denom);
      events_.push(
        events.transferEvent(coin.denom, {
          sender: from ? toAccAddress(from) : undefined,
          recipient: to ? toAccAddress(to) : undefined,
          amount: coin.amount.toString(),
        }),
      );
    }
  };

  getParams(store: KVReader): Params {
    return params.get(store);
  }

  setParams(store: KVStore, value: Params): void {
    params.set(store, value);
  }

  /** Per token: the frozen module account holds exactly the sum of the frozen records. */
  checkInvariants(store: KVReader): void {
    for (const token of this.allTokens(store)) {
      let sum = 0n;
      for (const [, , amount] of this.allFrozen(store, token.name)) sum += amount;
      const held = this.bank.getBalance(store, frozenAccount, token.name);
      if (sum !== held) throw QscErrors.invariantBroken.with(`${token.name}: frozen records sum to ${sum}, frozen account holds ${held}`);
    }
  }
}
