// Allowances. Key layout (approve's keys are declared here only, as collections):
//   approve/<from 20 bytes><to 20 bytes> → coins (qos.approve.v1.Allowance, addresses left empty)
import { toAccAddress } from "../../app/address.js";
import { BaseDenom, MaxAmount, coinsToWire, type Coin } from "../../app/coins.js";
import type { Event } from "../../app/events.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { bytesKey, keyPrefix, StoreMap, tupleKey, type ValueCodec } from "../../app/state/collections.js";
import { Allowance } from "../../gen/qos/approve/v1/query.js";
import { ApproveErrors } from "./errors.js";
import type { Page, PageRequest } from "../../app/query.js";

/** Stored coins as written by `set` (sorted, positive, decimal). Read without the input limits so that
 *  whatever is in state can always be queried, cancelled and exported. */
const allowanceCoins: ValueCodec<Coin[]> = {
  encode: (coins) => Allowance.encode({ from: "", to: "", coins: coinsToWire(coins) }).finish(),
  decode: (raw) => Allowance.decode(raw).coins.map((c) => ({ denom: c.denom, amount: BigInt(c.amount) })),
};
const addressKey = bytesKey(20);
const allowances = new StoreMap("approve/", tupleKey(addressKey, addressKey), allowanceCoins);

/** What approve needs from bank and qsc. */
export interface ApproveDeps {
  send(store: KVStore, events: Event[], from: Uint8Array, to: Uint8Array, coins: readonly Coin[]): void;
  tokenExists(store: KVReader, denom: string): boolean;
  /** throws when `denom` is a paused token: nothing may be done with it, allowances included */
  requireUnpaused(store: KVReader, denom: string): void;
}

export class ApproveKeeper {
  constructor(readonly deps: ApproveDeps) {}

  get(store: KVReader, from: Uint8Array, to: Uint8Array): Coin[] | undefined {
    return allowances.get(store, [from, to]);
  }

  /** Never stores an amount over 2^256-1 (the largest amount any message or genesis may name): such an
   *  allowance could not be decreased, used or re-imported. */
  set(store: KVStore, from: Uint8Array, to: Uint8Array, coins: readonly Coin[]): void {
    for (const coin of coins) {
      if (coin.amount > MaxAmount) throw ApproveErrors.overflow.with(`${coin.amount}${coin.denom} from ${toAccAddress(from)} to ${toAccAddress(to)}`);
    }
    if (coins.length === 0) allowances.delete(store, [from, to]);
    else allowances.set(store, [from, to], [...coins]);
  }

  /** Allowances given by `from` (or by everyone): [from, to, coins], ordered. */
  *all(store: KVReader, from?: Uint8Array): IterableIterator<[Uint8Array, Uint8Array, Coin[]]> {
    const within = from ? keyPrefix([addressKey, from]) : "";
    for (const [[owner, spender], coins] of allowances.entries(store, { within })) yield [owner, spender, coins];
  }

  /** A paused token's allowances are frozen with it: no message may create, change, use or cancel them
   *  (genesis import still takes them as they are). */
  checkUnpaused(store: KVReader, coins: readonly Coin[]): void {
    for (const coin of coins) this.deps.requireUnpaused(store, coin.denom);
  }

  /** One page of the allowances `from` gave (app/query.ts pagination; next_key is the recipient's address). */
  page(store: KVReader, from: Uint8Array, page: PageRequest | undefined): Page<[Uint8Array, Uint8Array, Coin[]]> {
    return allowances.page(store, page, ([owner, spender], coins) => [owner, spender, coins], keyPrefix([addressKey, from]));
  }

  checkDenoms(store: KVReader, coins: readonly Coin[]): void {
    for (const coin of coins) {
      if (coin.denom !== BaseDenom && !this.deps.tokenExists(store, coin.denom)) {
        throw ApproveErrors.unknownDenom.with(coin.denom);
      }
    }
  }

  describe(coins: readonly Coin[]): string {
    return coins.map((c) => `${c.amount}${c.denom}`).join(",");
  }

  address(bytes: Uint8Array): string {
    return toAccAddress(bytes);
  }
}
