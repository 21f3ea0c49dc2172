// QSC tokens, frozen amounts and the root CA. Keys live here only:
//   qsc/t/<name>                → Token (protobuf)
//   qsc/f/<name>/<address 20>   → frozen amount (decimal ASCII)
//   qsc/ca                      → root CA ed25519 public key (32 bytes)
//   qsc/p                       → params (JSON)
// Frozen coins leave the holder's balance into the module account "qsc_frozen", so bank's supply
// invariant keeps holding and, per token, balances + frozen == supply.
import { storedParams } from "../../app/params.js";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import type { Coin } from "../../app/coins.js";
import type { Event } from "../../app/events.js";
import type { ModuleAccount } from "../../app/module.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { bytesToKey, keyToBytes, prefixEnd } from "../../app/state/kv.js";
import { Token } from "../../gen/qos/qsc/v1/types.js";
import { QscErrors } from "./errors.js";
import * as events from "./events.js";
import { DefaultParams, ParamsSchema, isQscName, type Params } from "./params.js";
import { paginate, type Page, type PageRequest } from "../../app/query.js";

const TokenPrefix = "qsc/t/";
const FrozenPrefix = "qsc/f/";
const RootCaKey = "qsc/ca";
const ParamsKey = "qsc/p";
const params = storedParams(ParamsKey, ParamsSchema, DefaultParams);
export const FrozenAccountName = "qsc_frozen";
export const frozenAccount = moduleAddress(FrozenAccountName);
/** qsc's module account: holds frozen coins; its permission mints new tokens (create, issue) */
export const QscModuleAccount = { name: FrozenAccountName, permissions: ["minter"] } as const satisfies ModuleAccount;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

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
const frozenKey = (name: string, address: Uint8Array) => `${FrozenPrefix}${name}/${bytesToKey(address)}`;

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
    const raw = store.get(TokenPrefix + name);
    return raw ? Token.decode(raw) : undefined;
  }

  requireToken(store: KVReader, name: string): Token {
    const token = this.getToken(store, name);
    if (!token) throw QscErrors.tokenNotFound.with(`no token named ${JSON.stringify(name)}`);
    return token;
  }

  setToken(store: KVStore, token: Token): void {
    store.set(TokenPrefix + token.name, Token.encode(token).finish());
  }

  *allTokens(store: KVReader): IterableIterator<Token> {
    for (const [, value] of store.iterate(TokenPrefix, prefixEnd(TokenPrefix))) yield Token.decode(value);
  }

  /** One page of the tokens, by name (app/query.ts pagination). */
  tokensPage(store: KVReader, page: PageRequest | undefined): Page<Token> {
    return paginate(store, TokenPrefix, page, (_, value) => Token.decode(value));
  }

  getRootCa(store: KVReader): Uint8Array | undefined {
    return store.get(RootCaKey);
  }

  setRootCa(store: KVStore, publicKey: Uint8Array): void {
    store.set(RootCaKey, publicKey);
  }

  getFrozen(store: KVReader, name: string, address: Uint8Array): bigint {
    const raw = store.get(frozenKey(name, address));
    return raw ? BigInt(decoder.decode(raw)) : 0n;
  }

  private setFrozen(store: KVStore, name: string, address: Uint8Array, amount: bigint): void {
    const key = frozenKey(name, address);
    if (amount === 0n) store.delete(key);
    else store.set(key, encoder.encode(amount.toString()));
  }

  /** Genesis import of a frozen record (the coins are in bank's genesis already). */
  importFrozen(store: KVStore, name: string, address: Uint8Array, amount: bigint): void {
    this.setFrozen(store, name, address, this.getFrozen(store, name, address) + amount);
  }

  /** Every frozen record of a token: [holder, amount], by holder. */
  *allFrozen(store: KVReader, name?: string): IterableIterator<[string, Uint8Array, bigint]> {
    const prefix = name === undefined ? FrozenPrefix : `${FrozenPrefix}${name}/`;
    for (const [key, value] of store.iterate(prefix, prefixEnd(prefix))) {
      const rest = key.slice(FrozenPrefix.length); // <name>/<20 address bytes>
      yield [rest.slice(0, rest.length - 21), keyToBytes(rest.slice(rest.length - 20)), BigInt(decoder.decode(value))];
    }
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
