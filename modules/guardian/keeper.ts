// Guardians: foundation accounts whose transactions are fee-free (modules/auth/ante.ts asks isGuardian for the
// fee payer); genesis guardians add/delete ordinary guardians and can halt the network. Keys live here only:
//   guardian/g/<address 20> → Guardian (protobuf)
//   guardian/halt           → Halt (protobuf): set by MsgHaltNetwork; the app makes no block after it
import { parseAccAddress } from "../../app/address.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { bytesToKey, prefixEnd } from "../../app/state/kv.js";
import { Guardian, GuardianType, Halt } from "../../gen/qos/guardian/v1/types.js";
import { GuardianErrors } from "./errors.js";
import { paginate, type Page, type PageRequest } from "../../app/query.js";

const GuardianPrefix = "guardian/g/";
const HaltKey = "guardian/halt";

export { GuardianType };

export class GuardianKeeper {
  getGuardian(store: KVReader, address: Uint8Array): Guardian | undefined {
    const raw = store.get(GuardianPrefix + bytesToKey(address));
    return raw ? Guardian.decode(raw) : undefined;
  }

  isGuardian(store: KVReader, address: Uint8Array): boolean {
    return store.has(GuardianPrefix + bytesToKey(address));
  }

  setGuardian(store: KVStore, guardian: Guardian): void {
    store.set(GuardianPrefix + bytesToKey(parseAccAddress(guardian.address)), Guardian.encode(guardian).finish());
  }

  deleteGuardian(store: KVStore, address: Uint8Array): void {
    store.delete(GuardianPrefix + bytesToKey(address));
  }

  *allGuardians(store: KVReader): IterableIterator<Guardian> {
    for (const [, value] of store.iterate(GuardianPrefix, prefixEnd(GuardianPrefix))) yield Guardian.decode(value);
  }

  /** One page of the guardians, by address (app/query.ts pagination). */
  guardiansPage(store: KVReader, page: PageRequest | undefined): Page<Guardian> {
    return paginate(store, GuardianPrefix, page, (_, value) => Guardian.decode(value));
  }

  /** The signer as a genesis guardian; a distinct error for non-guardians and for ordinary guardians. */
  requireGenesisGuardian(store: KVReader, address: string): Guardian {
    const g = this.getGuardian(store, parseAccAddress(address));
    if (!g) throw GuardianErrors.notGuardian.with(`${address} is not a guardian`);
    if (g.type !== GuardianType.GUARDIAN_TYPE_GENESIS) throw GuardianErrors.notGenesisGuardian.with(`${address} is an ordinary guardian`);
    return g;
  }

  getHalt(store: KVReader): Halt | undefined {
    const raw = store.get(HaltKey);
    return raw ? Halt.decode(raw) : undefined;
  }

  setHalt(store: KVStore, halt: Halt): void {
    store.set(HaltKey, Halt.encode(halt).finish());
  }
}
