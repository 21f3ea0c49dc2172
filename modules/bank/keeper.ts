// Balances and supply. Key layout (bank's keys are declared here only, as collections):
//   bank/b/<address 20 bytes><denom> → amount (decimal ASCII); a zero balance is deleted
//   bank/s/<denom>                   → total supply (decimal ASCII); a zero supply is deleted
//   bank/p                           → params (JSON, app/params.ts storedParams: parsed once per value)
import { storedParams } from "../../app/params.js";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import { sameBytes } from "../../app/bytes.js";
import { coinsToString, MaxAmount, type Coin } from "../../app/coins.js";
import type { Event } from "../../app/events.js";
import type { ModuleAccount, ModuleAccountPermission } from "../../app/module.js";
import { bytesToKey, type KVReader, type KVStore } from "../../app/state/kv.js";
import { bigintValue, bytesKey, keyPrefix, StoreMap, stringKey, tupleKey } from "../../app/state/collections.js";
import { Errors } from "../../app/errors.js";
import { BankErrors } from "./errors.js";
import * as events from "./events.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";
import type { Page, PageRequest } from "../../app/query.js";

const addressKey = bytesKey(20);
const balances = new StoreMap("bank/b/", tupleKey(addressKey, stringKey), bigintValue);
const supplies = new StoreMap("bank/s/", stringKey, bigintValue);
const params = storedParams("bank/p", ParamsSchema, DefaultParams);

/** An account's balance of one denom as qoscli --verify proves it (absent = a zero balance). */
export const balanceEntry = (address: Uint8Array, denom: string) => balances.provable([address, denom]);
/** A denom's total supply as qoscli --verify proves it (absent = no supply). */
export const supplyEntry = (denom: string) => supplies.provable(denom);

/** An amount is stored only while it is not zero (no entry reads as 0). */
function writeAmount<K>(map: StoreMap<K, bigint>, store: KVStore, key: K, amount: bigint): void {
  if (amount === 0n) map.delete(store, key);
  else map.set(store, key, amount);
}

/** What bank needs from auth: accounts come into existence when they first receive coins, and the
 *  qos.bank.v1 account query shows number, sequence and key beside the balances. */
export interface AccountKeeper {
  ensureAccount(store: KVStore, address: Uint8Array): unknown;
  getAccount(store: KVReader, address: Uint8Array): { accountNumber: bigint; sequence: bigint; pubKey?: Uint8Array } | undefined;
}

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

/** Called before an account's balance of one denom changes (sends, mints, burns alike), with the balance
 *  before and after: a module that keeps per-holder accounting (mining's dividends) settles it here. It
 *  may refuse by throwing; the move is then rolled back with the message. */
export type BalanceHook = (store: KVStore, address: Uint8Array, denom: string, before: bigint, after: bigint) => void;

/** What every module's bank handle offers: reads, its own account, and the three moves a module makes
 *  (the Cosmos SDK's SendCoinsFromAccountToModule / FromModuleToAccount / FromModuleToModule). Each move
 *  runs the send hooks and emits the transfer events of a send. */
export interface ModuleBank {
  /** the module account's name and address */
  readonly name: string;
  readonly address: Uint8Array;
  getBalance(store: KVReader, address: Uint8Array, denom: string): bigint;
  getSupply(store: KVReader, denom: string): bigint;
  /** throws bank 12 when `address` is a module account (for recipients a user chooses) */
  checkRecipient(address: Uint8Array, field?: string): void;
  /** coins of an account (never a module account) into this module's account; `events` undefined: none
   *  are built (CheckTx, whose events nobody receives) */
  sendFromAccountToModule(store: KVStore, events: Event[] | undefined, from: Uint8Array, coins: readonly Coin[]): void;
  /** coins of this module's account to an account (never a module account: bank 12) */
  sendFromModuleToAccount(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
  /** coins of this module's account to another module's account (given by address) */
  sendFromModuleToModule(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
}
/** Only on the handle of a module account with the "minter" permission. */
export interface MintingBank {
  /** new coins into this module's account or an account (never another module's account), supply raised */
  mint(store: KVStore, events: Event[] | undefined, to: Uint8Array, coins: readonly Coin[]): void;
}
/** Only on the handle of a module account with the "burner" permission. */
export interface BurningBank {
  /** coins of this module's account or an account (never another module's) destroyed, supply lowered */
  burn(store: KVStore, events: Event[] | undefined, from: Uint8Array, coins: readonly Coin[]): void;
}
/** The handle a module account's permissions give, decided by the type of its declaration: a module
 *  declared without "burner" gets a handle with no `burn` at all (and a runtime check behind it). */
export type ModuleBankOf<A extends ModuleAccount> = ModuleBank &
  ("minter" extends A["permissions"][number] ? MintingBank : unknown) &
  ("burner" extends A["permissions"][number] ? BurningBank : unknown);

export class BankKeeper {
  private readonly sendHooks: SendHook[] = [];
  private readonly balanceHooks: BalanceHook[] = [];
  /** module accounts by address (a latin1 key: kv.ts bytesToKey; the blocked addresses), set once by the chain's composition */
  private moduleAccounts?: Map<string, ModuleAccount>;

  constructor(readonly accounts: AccountKeeper) {}

  addSendHook(hook: SendHook): void {
    this.sendHooks.push(hook);
  }

  addBalanceHook(hook: BalanceHook): void {
    this.balanceHooks.push(hook);
  }

  private writeBalance(store: KVStore, address: Uint8Array, denom: string, before: bigint, after: bigint): void {
    for (const hook of this.balanceHooks) hook(store, address, denom, before, after);
    writeAmount(balances, store, [address, denom], after);
  }

  private runSendHooks(store: KVStore, events_: Event[], from: Uint8Array | undefined, to: Uint8Array | undefined, coins: readonly Coin[]): void {
    for (const hook of this.sendHooks) hook(store, events_, from, to, coins);
  }

  /** The chain's module accounts (one list, from the modules that own them): blocked as recipients of
   *  users' sends, and the only holders of mint/burn permissions. Set once, before any handle is used. */
  setModuleAccounts(list: readonly ModuleAccount[]): void {
    if (this.moduleAccounts) throw new Error("bank: module accounts are set already");
    const accounts = new Map<string, ModuleAccount>();
    for (const account of list) {
      const key = bytesToKey(moduleAddress(account.name));
      if (accounts.has(key)) throw new Error(`bank: module account ${account.name} listed twice`);
      accounts.set(key, { name: account.name, permissions: [...account.permissions] });
    }
    this.moduleAccounts = accounts;
  }

  /** The module account at `address`, if it is one. */
  moduleAccountAt(address: Uint8Array): ModuleAccount | undefined {
    if (!this.moduleAccounts) throw new Error("bank: module accounts are not set (the chain's composition sets them)");
    // every send asks (sender and recipient, the fee's payer): the address as a latin1 key, not copied
    return this.moduleAccounts.get(bytesToKey(address));
  }

  /** Refuses a module account where a user chose the address (a recipient, a holder). */
  checkRecipient(address: Uint8Array, field = "recipient"): void {
    const account = this.moduleAccountAt(address);
    if (account) {
      throw BankErrors.blockedAddress.with(`${field} ${toAccAddress(address)} is the ${account.name} module account`);
    }
  }

  /**
   * The bank a module gets for its own account: sends in and out of it, and mint/burn only when the
   * account was declared with that permission — checked against the composition's list when the handle
   * is made and again on every call (bank 13), so a forged declaration gains nothing.
   */
  forModule<const A extends ModuleAccount>(declared: A): ModuleBankOf<A> {
    const address = moduleAddress(declared.name);
    const registered = this.moduleAccountAt(address);
    if (!registered || registered.name !== declared.name) throw BankErrors.noPermission.with(`${declared.name} is not a module account of this chain`);
    const permitted = (permission: ModuleAccountPermission) => {
      if (!registered.permissions.includes(permission)) throw BankErrors.noPermission.with(`module account ${declared.name} has no ${permission} permission`);
    };
    for (const p of declared.permissions) permitted(p);
    // own account or an ordinary one; never another module's
    const ownOrAccount = (other: Uint8Array, field: string) => {
      if (!sameBytes(other, address)) this.checkRecipient(other, field);
    };
    const handle: ModuleBank & Partial<MintingBank & BurningBank> = {
      name: declared.name,
      address,
      getBalance: (store, owner, denom) => this.getBalance(store, owner, denom),
      getSupply: (store, denom) => this.getSupply(store, denom),
      checkRecipient: (other, field) => this.checkRecipient(other, field),
      sendFromAccountToModule: (store, events_, from, coins) => {
        this.checkRecipient(from, "sender"); // a module's coins leave only through that module
        this.move(store, events_, from, address, coins);
      },
      sendFromModuleToAccount: (store, events_, to, coins) => {
        this.checkRecipient(to);
        this.move(store, events_, address, to, coins);
      },
      sendFromModuleToModule: (store, events_, to, coins) => {
        if (!this.moduleAccountAt(to)) throw BankErrors.noPermission.with(`${toAccAddress(to)} is not a module account`);
        this.move(store, events_, address, to, coins);
      },
    };
    if (declared.permissions.includes("minter")) {
      handle.mint = (store, events_, to, coins) => {
        permitted("minter");
        ownOrAccount(to, "recipient");
        this.mint(store, events_, to, coins);
      };
    }
    if (declared.permissions.includes("burner")) {
      handle.burn = (store, events_, from, coins) => {
        permitted("burner");
        ownOrAccount(from, "sender");
        this.burn(store, events_, from, coins);
      };
    }
    return handle as ModuleBankOf<A>;
  }

  getBalance(store: KVReader, address: Uint8Array, denom: string): bigint {
    return balances.get(store, [address, denom]) ?? 0n;
  }

  getAllBalances(store: KVReader, address: Uint8Array): Coin[] {
    return [...balances.entries(store, { within: keyPrefix([addressKey, address]) })].map(([[, denom], amount]) => ({ denom, amount }));
  }

  /** One page of an account's balances, by denom (app/query.ts pagination). */
  balancesPage(store: KVReader, address: Uint8Array, page: PageRequest | undefined): Page<Coin> {
    return balances.page(store, page, ([, denom], amount) => ({ denom, amount }), keyPrefix([addressKey, address]));
  }
  /** One page of the total supply, by denom. */
  supplyPage(store: KVReader, page: PageRequest | undefined): Page<Coin> {
    return supplies.page(store, page, (denom, amount) => ({ denom, amount }));
  }

  /** Every non-zero balance: [address bytes, coin], ordered by address then denom. */
  *allBalances(store: KVReader): IterableIterator<[Uint8Array, Coin]> {
    for (const [[address, denom], amount] of balances.entries(store)) yield [address, { denom, amount }];
  }

  getSupply(store: KVReader, denom: string): bigint {
    return supplies.get(store, denom) ?? 0n;
  }

  getTotalSupply(store: KVReader): Coin[] {
    return [...supplies.entries(store)].map(([denom, amount]) => ({ denom, amount }));
  }

  /** Takes coins out of an account; throws insufficientFunds naming the balance. Private: coins leave an
   *  account only through a send, a module move or a burn. */
  private subtract(store: KVStore, address: Uint8Array, coins: readonly Coin[]): void {
    for (const coin of coins) {
      const balance = this.getBalance(store, address, coin.denom);
      if (balance < coin.amount) {
        throw Errors.insufficientFunds.with(
          `${toAccAddress(address)} has ${balance}${coin.denom}, needs ${coin.amount}${coin.denom}`,
        );
      }
      this.writeBalance(store, address, coin.denom, balance, balance - coin.amount);
    }
  }

  private add(store: KVStore, address: Uint8Array, coins: readonly Coin[]): void {
    this.accounts.ensureAccount(store, address);
    for (const coin of coins) {
      const before = this.getBalance(store, address, coin.denom);
      const balance = before + coin.amount;
      if (balance > MaxAmount) throw Errors.invalidCoins.with(`balance of ${coin.denom} would overflow 2^256-1`);
      this.writeBalance(store, address, coin.denom, before, balance);
    }
  }

  /** A user's send (MsgSend, an allowance's use): one account to another, never into or out of a module
   *  account (bank 12), with the SDK's events. */
  send(store: KVStore, events_: Event[], from: Uint8Array, to: Uint8Array, coins: readonly Coin[]): void {
    this.checkRecipient(from, "sender");
    this.checkRecipient(to);
    this.move(store, events_, from, to, coins);
  }

  /** A user's multi-party transfer (MsgTransfer): every sender pays, every receiver (never a module
   *  account: bank 12) is paid, with the events of each side. The sums were checked equal. */
  transfer(store: KVStore, events_: Event[], senders: ReadonlyArray<{ address: Uint8Array; coins: readonly Coin[] }>, receivers: ReadonlyArray<{ address: Uint8Array; coins: readonly Coin[] }>): void {
    for (const s of senders) this.checkRecipient(s.address, "sender");
    for (const r of receivers) this.checkRecipient(r.address, "receiver");
    for (const s of senders) {
      this.runSendHooks(store, events_, s.address, undefined, s.coins);
      this.subtract(store, s.address, s.coins);
      const sender = toAccAddress(s.address);
      const amount = coinsToString(s.coins);
      events_.push(events.coinSpentEvent(sender, amount), events.transferOutEvent(sender, amount), events.messageSenderEvent(sender));
    }
    for (const r of receivers) {
      this.runSendHooks(store, events_, undefined, r.address, r.coins);
      this.add(store, r.address, r.coins);
      const recipient = toAccAddress(r.address);
      const amount = coinsToString(r.coins);
      events_.push(events.coinReceivedEvent(recipient, amount), events.transferInEvent(recipient, amount));
    }
  }

  /** Coins from one account to another: hooks, balances, events (none built when `events_` is undefined).
   *  No address rule: callers apply theirs. */
  private move(store: KVStore, events_: Event[] | undefined, from: Uint8Array, to: Uint8Array, coins: readonly Coin[]): void {
    this.runSendHooks(store, events_ ?? [], from, to, coins);
    this.subtract(store, from, coins);
    this.add(store, to, coins);
    if (!events_) return;
    const amount = coinsToString(coins);
    const sender = toAccAddress(from);
    const recipient = toAccAddress(to);
    events_.push(
      events.coinSpentEvent(sender, amount),
      events.coinReceivedEvent(recipient, amount),
      events.transferEvent(sender, recipient, amount),
    );
  }

  /** New coins into an account, supply raised: bank's genesis (module accounts' balances included);
   *  modules mint through a handle with the minter permission. */
  mint(store: KVStore, events_: Event[] | undefined, to: Uint8Array, coins: readonly Coin[]): void {
    this.add(store, to, coins);
    for (const coin of coins) {
      const supply = this.getSupply(store, coin.denom) + coin.amount;
      if (supply > MaxAmount) throw Errors.invalidCoins.with(`supply of ${coin.denom} would overflow 2^256-1`);
      writeAmount(supplies, store, coin.denom, supply);
    }
    events_?.push(events.mintEvent(toAccAddress(to), coinsToString(coins)));
  }

  /** Coins destroyed, supply lowered; modules burn through a handle with the burner permission. */
  burn(store: KVStore, events_: Event[] | undefined, from: Uint8Array, coins: readonly Coin[]): void {
    this.subtract(store, from, coins);
    for (const coin of coins) writeAmount(supplies, store, coin.denom, this.getSupply(store, coin.denom) - coin.amount);
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
