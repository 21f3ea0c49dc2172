// Guardians: foundation accounts whose transactions are fee-free (modules/auth/ante.ts asks isGuardian for
// the fee payer); genesis guardians add/delete ordinary guardians and can halt the network. Key layout
// (guardian's keys are declared here only, as collections):
//   guardian/g/<address 20> → Guardian (protobuf)
//   guardian/halt           → Halt (protobuf): set by MsgHaltNetwork; the app makes no block after it
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { bytesKey, Item, protoValue, StoreMap } from "../../app/state/collections.js";
import { Guardian, GuardianType, Halt } from "../../gen/qos/guardian/v1/types.js";
import { GuardianErrors } from "./errors.js";
import type { Page, PageRequest } from "../../app/query.js";

const guardians = new StoreMap("guardian/g/", bytesKey(20), protoValue(Guardian));
const halt = new Item("guardian/halt", protoValue(Halt));

export { GuardianType };

export class GuardianKeeper {
  getGuardian(store: KVReader, address: Uint8Array): Guardian | undefined {
    return guardians.get(store, address);
  }

  isGuardian(store: KVReader, address: Uint8Array): boolean {
    return guardians.has(store, address);
  }

  /** `address` is guardian.address as bytes (the caller parsed it) */
  setGuardian(store: KVStore, address: Uint8Array, guardian: Guardian): void {
    guardians.set(store, address, guardian);
  }

  deleteGuardian(store: KVStore, address: Uint8Array): void {
    guardians.delete(store, address);
  }

  *allGuardians(store: KVReader): IterableIterator<Guardian> {
    for (const [, guardian] of guardians.entries(store)) yield guardian;
  }

  /** One page of the guardians, by address (app/query.ts pagination). */
  guardiansPage(store: KVReader, page: PageRequest | undefined): Page<Guardian> {
    return guardians.page(store, page, (_, guardian) => guardian);
  }

  /** The signer as a genesis guardian; a distinct error for non-guardians and for ordinary guardians.
   *  `bech32` is the same address as text, for the error. */
  requireGenesisGuardian(store: KVReader, address: Uint8Array, bech32: string): Guardian {
    const g = this.getGuardian(store, address);
    if (!g) throw GuardianErrors.notGuardian.with(`${bech32} is not a guardian`);
    if (g.type !== GuardianType.GUARDIAN_TYPE_GENESIS) throw GuardianErrors.notGenesisGuardian.with(`${bech32} is an ordinary guardian`);
    return g;
  }

  getHalt(store: KVReader): Halt | undefined {
    return halt.get(store);
  }

  setHalt(store: KVStore, value: Halt): void {
    halt.set(store, value);
  }
}
