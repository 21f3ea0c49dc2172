// Deterministic gas (D7): a fixed cost per store access and per byte, the Cosmos SDK's KV numbers.
import { Errors } from "./errors.js";
import { CacheStore, type KVReader, type KVStore } from "./state/kv.js";

export const GasCosts = {
  readFlat: 1000n,
  readPerByte: 3n,
  writeFlat: 2000n,
  writePerByte: 30n,
  has: 1000n,
  delete: 1000n,
  iterNextFlat: 30n,
  txSizePerByte: 10n,
  sigVerifySecp256k1: 1000n,
  /** one ed25519 verification (the SDK's DefaultSigVerifyCostED25519): a light client's commit signatures */
  sigVerifyEd25519: 590n,
  /** flat cost of taking the fee, charged whether or not a fee is given, so that a simulation (which
   *  CosmJS sends with an empty fee) estimates what the signed tx will use */
  feeDeduction: 10000n,
};

export class GasMeter {
  private used = 0n;
  /** limit undefined = unlimited (simulation, genesis, block hooks) */
  constructor(readonly limit?: bigint) {}

  consume(amount: bigint, what: string): void {
    this.used += amount;
    if (this.limit !== undefined && this.used > this.limit) {
      throw Errors.outOfGas.with(`out of gas in ${what}; gasWanted: ${this.limit}, gasUsed: ${this.used}`);
    }
  }

  get consumed(): bigint {
    return this.used;
  }
}

/** A store view that charges every access to a gas meter. */
export class GasStore implements KVStore {
  constructor(
    readonly inner: KVStore,
    private readonly meter: GasMeter,
  ) {}

  get(key: string): Uint8Array | undefined {
    const value = this.inner.get(key);
    this.meter.consume(GasCosts.readFlat + GasCosts.readPerByte * BigInt(key.length + (value?.length ?? 0)), "read");
    return value;
  }

  has(key: string): boolean {
    this.meter.consume(GasCosts.has, "has");
    return this.inner.has(key);
  }

  set(key: string, value: Uint8Array): void {
    this.meter.consume(GasCosts.writeFlat + GasCosts.writePerByte * BigInt(key.length + value.length), "write");
    this.inner.set(key, value);
  }

  delete(key: string): void {
    this.meter.consume(GasCosts.delete, "delete");
    this.inner.delete(key);
  }

  *iterate(start: string, end?: string): IterableIterator<[string, Uint8Array]> {
    for (const [key, value] of this.inner.iterate(start, end)) {
      this.meter.consume(GasCosts.iterNextFlat + GasCosts.readPerByte * BigInt(key.length + value.length), "iterate");
      yield [key, value];
    }
  }
}

/** The same branch without the meter, for point reads: a lookup that runs on every balance change of
 *  every denom (is this denom mined?), whose fixed small cost the move's own metered writes already
 *  cover; charging it would change the gas of every existing transfer. What a hook does once the lookup
 *  says yes is metered. A branch a module made over a metered store (qcp's delivery branch) is seen
 *  through: its buffered writes over the unmetered parent. */
export function unmetered(store: KVReader): KVReader {
  if (store instanceof GasStore) return store.inner;
  if (store instanceof CacheStore) {
    const parent = store.parentReader;
    const bare = unmetered(parent);
    return bare === parent ? store : store.readsOver(bare);
  }
  return store;
}
