// Validators, delegations, unbondings and the keep-alive window. Keys live here only:
//   stake/v/<owner 20>                       → Validator
//   stake/c/<consensus address 20>           → owner 20 (kept forever: a consensus key is never used twice,
//                                              and evidence against a closed validator still finds its owner)
//   stake/g/<consensus address 20>           → ed25519 key of a CometBFT genesis validator outside staking
//   stake/d/<delegator 20><owner 20>         → Delegation
//   stake/dv/<owner 20><delegator 20>        → (index: delegations of a validator)
//   stake/u/<completion 8 BE><delegator 20><owner 20><height 8 BE>  → Unbonding (same key: amounts add up)
//   stake/ud/<delegator 20><completion 8 BE><owner 20><height 8 BE> → (index: unbondings of a delegator)
//   stake/uv/<owner 20><completion 8 BE><delegator 20><height 8 BE> → (index: unbondings from a validator,
//                                              so a slash walks only that validator's entries)
//   stake/r/<completion 8 BE><delegator 20><src 20><dst 20><height 8 BE> → Redelegation (liable until completion)
//   stake/rs/<src 20><completion 8 BE><delegator 20><dst 20><height 8 BE> → (index: redelegations from a validator)
//   stake/rd/<delegator 20><dst 20><completion 8 BE><src 20><height 8 BE> → (index: redelegations into a validator)
//   stake/e/<consensus address 20><height 8 BE> → double-sign evidence already handled (never slashed twice)
//   stake/k/<owner 20>                       → KeepAlive
//   stake/kw/<owner 20><chunk 4 BE>          → 128-byte bitmap of missed blocks (1 = missed)
//   stake/l/<owner 20>                       → power last reported to CometBFT (with the pubkey)
//   stake/a/<owner 20>                       → (index: ACTIVE validators)
//   stake/iq/<inactive time 8 BE><owner 20>  → (queue: inactive validators by the time they became inactive)
//   stake/p                                  → params (JSON)
// The index and the queue keep per-block work (ranking, consensus updates, closing) to the validators it acts on,
// never every validator ever created.
// Bonded and unbonding coins sit in the module account "stake_pool".
import { storedParams } from "../../app/params.js";
import { createHash } from "node:crypto";
import { moduleAddress, toAccAddress, ValidatorPrefix } from "../../app/address.js";
import type { Coin } from "../../app/coins.js";
import { BaseDenom } from "../../app/coins.js";
import type { Event } from "../../app/events.js";
import type { ModuleAccount } from "../../app/module.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { bytesToKey, keyToBytes, prefixEnd } from "../../app/state/kv.js";
import { toBech32 } from "@cosmjs/encoding";
import { Delegation, KeepAlive, Redelegation, Unbonding, Validator, ValidatorStatus } from "../../gen/qos/stake/v1/types.js";
import { mulDecFloor } from "../../app/decimal.js";
import { EventTypes, delegationEvent } from "./events.js";
import { StakeErrors } from "./errors.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";
import { paginate, type Page, type PageRequest } from "../../app/query.js";

const P = "stake/";
const ValidatorPrefixKey = `${P}v/`;
const ConsensusPrefix = `${P}c/`;
const GenesisKeyPrefix = `${P}g/`;
const DelegationPrefix = `${P}d/`;
const ValidatorDelegationPrefix = `${P}dv/`;
const UnbondingPrefix = `${P}u/`;
const DelegatorUnbondingPrefix = `${P}ud/`;
const ValidatorUnbondingPrefix = `${P}uv/`;
const RedelegationPrefix = `${P}r/`;
const SourceRedelegationPrefix = `${P}rs/`;
const DestinationRedelegationPrefix = `${P}rd/`;
const EvidencePrefix = `${P}e/`;
const KeepAlivePrefix = `${P}k/`;
const WindowPrefix = `${P}kw/`;
const LastPowerPrefix = `${P}l/`;
const ActivePrefix = `${P}a/`;
const InactiveQueuePrefix = `${P}iq/`;
const ParamsKey = `${P}p`;
const params = storedParams(ParamsKey, ParamsSchema, DefaultParams);
export const StakePoolName = "stake_pool";
export const stakePool = moduleAddress(StakePoolName);
/** stake's module account: holds every bonded and unbonding uqos; no mint or burn */
export const StakeModuleAccount = { name: StakePoolName, permissions: [] } as const satisfies ModuleAccount;
const ChunkBits = 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export { ValidatorStatus };

/** What stake needs from bank. */
export interface StakeBank {
  sendFromAccountToModule(store: KVStore, events: Event[], from: Uint8Array, coins: readonly Coin[]): void;
  sendFromModuleToAccount(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
  sendFromModuleToModule(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
  getBalance(store: KVReader, address: Uint8Array, denom: string): bigint;
}

/** What stake tells distribution (set after both exist: they need each other). */
export interface StakeHooks {
  afterValidatorCreated(store: KVStore, owner: Uint8Array): void;
  /** settle a delegation's rewards before its amount changes */
  beforeDelegationChange(store: KVStore, events: Event[], owner: Uint8Array, delegator: Uint8Array): void;
  afterDelegationChange(store: KVStore, owner: Uint8Array, delegator: Uint8Array, amount: bigint): void;
  beforeValidatorRemoved(store: KVStore, events: Event[], owner: Uint8Array): void;
  /** the delegation asked to compound its rewards automatically (distribution queues it) */
  autoCompoundEnabled(store: KVStore, owner: Uint8Array, delegator: Uint8Array, height: number): void;
  /** slashed coins, already moved to distribution's account, join the community pool */
  addToCommunityPool(store: KVStore, amount: bigint): void;
  /** where slashed coins go */
  readonly communityPoolAccount: Uint8Array;
}

const be64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n < 0n ? 0n : n);
  return b.toString("latin1");
};
const be32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b.toString("latin1");
};

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** An unbonding's key and its two indexes, from its parts (key strings: 8-byte times/heights, 20-byte addresses). */
interface UnbondingKeys { primary: string; byDelegator: string; byValidator: string }
const unbondingKeys = (completion: string, delegator: string, owner: string, height: string): UnbondingKeys => ({
  primary: UnbondingPrefix + completion + delegator + owner + height,
  byDelegator: DelegatorUnbondingPrefix + delegator + completion + owner + height,
  byValidator: ValidatorUnbondingPrefix + owner + completion + delegator + height,
});
const redelegationKeys = (completion: string, delegator: string, src: string, dst: string, height: string) => ({
  primary: RedelegationPrefix + completion + delegator + src + dst + height,
  bySource: SourceRedelegationPrefix + src + completion + delegator + dst + height,
  byDestination: DestinationRedelegationPrefix + delegator + dst + completion + src + height,
});

export function consensusAddress(pubKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(pubKey).digest().subarray(0, 20));
}

export function toValAddress(owner: Uint8Array): string {
  return toBech32(ValidatorPrefix, owner);
}

export class StakeKeeper {
  #hooks?: StakeHooks;

  constructor(readonly bank: StakeBank) {}

  /** Wires the hooks, once: the chain's composition (chain/index.ts) does it, as the SDK's app.go calls
   *  stakingKeeper.SetHooks. A second call is a wiring bug. */
  setHooks(hooks: StakeHooks): void {
    if (this.#hooks) throw new Error("stake hooks are already set");
    this.#hooks = hooks;
  }

  /** The wired hooks; using them unwired is a wiring bug with a clear message. */
  get hooks(): StakeHooks {
    if (!this.#hooks) throw new Error("stake hooks are not set: the chain's composition wires them with setHooks");
    return this.#hooks;
  }

  // ---- params ----
  getParams(store: KVReader): Params {
    return params.get(store);
  }
  setParams(store: KVStore, value: Params): void {
    params.set(store, value);
  }
  power(store: KVReader, tokens: bigint): bigint {
    return tokens / BigInt(this.getParams(store).power_reduction);
  }

  // ---- validators ----
  getValidator(store: KVReader, owner: Uint8Array): Validator | undefined {
    const raw = store.get(ValidatorPrefixKey + bytesToKey(owner));
    return raw ? Validator.decode(raw) : undefined;
  }
  requireValidator(store: KVReader, owner: Uint8Array): Validator {
    const v = this.getValidator(store, owner);
    if (!v) throw StakeErrors.validatorNotFound.with(`no validator ${toValAddress(owner)}`);
    return v;
  }
  setValidator(store: KVStore, owner: Uint8Array, v: Validator): void {
    const o = bytesToKey(owner);
    this.dropFromCloseQueue(store, owner);
    store.set(ValidatorPrefixKey + o, Validator.encode(v).finish());
    if (v.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE) store.set(ActivePrefix + o, new Uint8Array());
    else store.delete(ActivePrefix + o);
    if (v.status === ValidatorStatus.VALIDATOR_STATUS_INACTIVE) store.set(InactiveQueuePrefix + be64(v.inactiveTime) + o, new Uint8Array());
  }
  /** The active validators, by owner address (the active index: per-block work never reads the others). */
  *activeValidators(store: KVReader): IterableIterator<[Uint8Array, Validator]> {
    for (const [key] of store.iterate(ActivePrefix, prefixEnd(ActivePrefix))) {
      const owner = keyToBytes(key.slice(ActivePrefix.length));
      yield [owner, this.requireValidator(store, owner)];
    }
  }
  /** The queue entry of the stored validator goes before it changes or goes (the queue is part of the state
   *  and of exports: it holds exactly the inactive validators). */
  private dropFromCloseQueue(store: KVStore, owner: Uint8Array): void {
    const old = this.getValidator(store, owner);
    if (old?.status === ValidatorStatus.VALIDATOR_STATUS_INACTIVE) store.delete(InactiveQueuePrefix + be64(old.inactiveTime) + bytesToKey(owner));
  }
  /** Validators inactive since `maxSecs` or earlier (their close is due), oldest first. */
  dueForClose(store: KVReader, maxSecs: bigint): Array<[Uint8Array, Validator]> {
    const due: Array<[Uint8Array, Validator]> = [];
    for (const [key] of store.iterate(InactiveQueuePrefix, InactiveQueuePrefix + be64(maxSecs + 1n))) {
      const owner = keyToBytes(key.slice(InactiveQueuePrefix.length + 8));
      due.push([owner, this.requireValidator(store, owner)]);
    }
    return due;
  }
  /** The owner of the validator that signs with this consensus address now (its current key), if any. */
  ownerByConsensusAddress(store: KVReader, consAddr: Uint8Array): Uint8Array | undefined {
    const owner = this.consensusKeyOwner(store, consAddr);
    const v = owner && this.getValidator(store, owner);
    return v && Buffer.from(consensusAddress(v.consensusPubkey)).equals(Buffer.from(consAddr)) ? owner : undefined;
  }
  /** Whoever ever used this consensus address, whether its validator still exists or uses it now. */
  consensusKeyOwner(store: KVReader, consAddr: Uint8Array): Uint8Array | undefined {
    return store.get(ConsensusPrefix + bytesToKey(consAddr));
  }
  setConsensusIndex(store: KVStore, pubKey: Uint8Array, owner: Uint8Array): void {
    this.setConsensusAddressOwner(store, consensusAddress(pubKey), owner);
  }
  setConsensusAddressOwner(store: KVStore, consAddr: Uint8Array, owner: Uint8Array): void {
    store.set(ConsensusPrefix + bytesToKey(consAddr), owner);
  }
  *consensusIndex(store: KVReader): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const [key, owner] of store.iterate(ConsensusPrefix, prefixEnd(ConsensusPrefix))) yield [keyToBytes(key.slice(ConsensusPrefix.length)), owner];
  }
  /** CometBFT's genesis validators are in the consensus set without staking: their keys stay theirs. */
  reserveGenesisKey(store: KVStore, pubKey: Uint8Array): void {
    store.set(GenesisKeyPrefix + bytesToKey(consensusAddress(pubKey)), pubKey);
  }
  isGenesisKey(store: KVReader, consAddr: Uint8Array): boolean {
    return store.has(GenesisKeyPrefix + bytesToKey(consAddr));
  }
  *genesisKeys(store: KVReader): IterableIterator<Uint8Array> {
    for (const [, pubKey] of store.iterate(GenesisKeyPrefix, prefixEnd(GenesisKeyPrefix))) yield pubKey;
  }
  /** Every validator, by owner address. */
  *allValidators(store: KVReader): IterableIterator<[Uint8Array, Validator]> {
    for (const [key, value] of store.iterate(ValidatorPrefixKey, prefixEnd(ValidatorPrefixKey))) {
      yield [keyToBytes(key.slice(ValidatorPrefixKey.length)), Validator.decode(value)];
    }
  }
  tokens(v: Validator): bigint {
    return BigInt(v.tokens || "0");
  }

  makeInactive(store: KVStore, events: Event[], owner: Uint8Array, v: Validator, reason: string, height: number, timeSecs: bigint): void {
    v.status = ValidatorStatus.VALIDATOR_STATUS_INACTIVE;
    v.inactiveReason = reason;
    v.inactiveTime = timeSecs;
    v.inactiveHeight = BigInt(height);
    this.setValidator(store, owner, v);
    events.push({ type: "inactive_validator", attributes: [
      { key: "validator", value: toValAddress(owner), index: true },
      { key: "reason", value: reason, index: true },
      { key: "height", value: String(height), index: true },
    ] });
  }

  // ---- delegations ----
  getDelegation(store: KVReader, delegator: Uint8Array, owner: Uint8Array): Delegation | undefined {
    const raw = store.get(DelegationPrefix + bytesToKey(delegator) + bytesToKey(owner));
    return raw ? Delegation.decode(raw) : undefined;
  }
  private writeDelegation(store: KVStore, delegator: Uint8Array, owner: Uint8Array, d: Delegation | undefined): void {
    const key = DelegationPrefix + bytesToKey(delegator) + bytesToKey(owner);
    const index = ValidatorDelegationPrefix + bytesToKey(owner) + bytesToKey(delegator);
    if (!d || BigInt(d.amount) === 0n) {
      store.delete(key);
      store.delete(index);
    } else {
      store.set(key, Delegation.encode(d).finish());
      store.set(index, new Uint8Array());
    }
  }
  *delegationsOf(store: KVReader, delegator: Uint8Array): IterableIterator<Delegation> {
    const prefix = DelegationPrefix + bytesToKey(delegator);
    for (const [, value] of store.iterate(prefix, prefixEnd(prefix))) yield Delegation.decode(value);
  }
  /** delegators of a validator, by address */
  delegatorsOf(store: KVReader, owner: Uint8Array): Uint8Array[] {
    const prefix = ValidatorDelegationPrefix + bytesToKey(owner);
    return [...store.iterate(prefix, prefixEnd(prefix))].map(([key]) => keyToBytes(key.slice(prefix.length)));
  }

  /** Bonds `amount` of the delegator's uqos to a validator (coins move into the stake pool). */
  delegate(store: KVStore, events: Event[], delegator: Uint8Array, owner: Uint8Array, amount: bigint, autoCompound?: boolean, fromPool = false): void {
    const v = this.requireValidator(store, owner);
    const existing = this.getDelegation(store, delegator, owner);
    this.hooks.beforeDelegationChange(store, events, owner, delegator);
    if (!fromPool) this.bank.sendFromAccountToModule(store, events, delegator, [{ denom: BaseDenom, amount }]);
    const next = (existing ? BigInt(existing.amount) : 0n) + amount;
    this.writeDelegation(store, delegator, owner, {
      delegator: toAccAddress(delegator),
      validator: toValAddress(owner),
      amount: next.toString(),
      autoCompound: autoCompound ?? existing?.autoCompound ?? false,
    });
    v.tokens = (this.tokens(v) + amount).toString();
    this.setValidator(store, owner, v);
    this.hooks.afterDelegationChange(store, owner, delegator, next);
  }

  /** Takes `amount` out of a delegation (and the validator's tokens); returns nothing to anyone. */
  reduceDelegation(store: KVStore, events: Event[], delegator: Uint8Array, owner: Uint8Array, amount: bigint): void {
    const d = this.getDelegation(store, delegator, owner);
    if (!d) throw StakeErrors.delegationNotFound.with(`${toAccAddress(delegator)} has no delegation to ${toValAddress(owner)}`);
    const current = BigInt(d.amount);
    if (amount > current) throw StakeErrors.insufficientDelegation.with(`delegation is ${current}uqos, asked ${amount}uqos`);
    this.hooks.beforeDelegationChange(store, events, owner, delegator);
    const next = current - amount;
    this.writeDelegation(store, delegator, owner, next === 0n ? undefined : { ...d, amount: next.toString() });
    const v = this.requireValidator(store, owner);
    v.tokens = (this.tokens(v) - amount).toString();
    this.setValidator(store, owner, v);
    this.hooks.afterDelegationChange(store, owner, delegator, next);
  }

  setAutoCompound(store: KVStore, delegator: Uint8Array, owner: Uint8Array, value: boolean): void {
    const d = this.getDelegation(store, delegator, owner);
    if (!d) throw StakeErrors.delegationNotFound.with(`${toAccAddress(delegator)} has no delegation to ${toValAddress(owner)}`);
    this.writeDelegation(store, delegator, owner, { ...d, autoCompound: value });
  }

  // ---- unbondings ----
  addUnbonding(store: KVStore, delegator: Uint8Array, owner: Uint8Array, amount: bigint, height: number, completionSecs: bigint): void {
    const keys = unbondingKeys(be64(completionSecs), bytesToKey(delegator), bytesToKey(owner), be64(BigInt(height)));
    const raw = store.get(keys.primary);
    const previous = raw ? BigInt(Unbonding.decode(raw).amount) : 0n;
    store.set(keys.primary, Unbonding.encode({
      delegator: toAccAddress(delegator),
      validator: toValAddress(owner),
      amount: (previous + amount).toString(),
      creationHeight: BigInt(height),
      completionTime: completionSecs,
    }).finish());
    store.set(keys.byDelegator, new Uint8Array());
    store.set(keys.byValidator, new Uint8Array());
  }
  private *unbondingEntriesOf(store: KVReader, delegator: Uint8Array): IterableIterator<{ keys: UnbondingKeys; u: Unbonding }> {
    const d = bytesToKey(delegator);
    const prefix = DelegatorUnbondingPrefix + d;
    for (const [key] of store.iterate(prefix, prefixEnd(prefix))) {
      const rest = key.slice(prefix.length);
      const keys = unbondingKeys(rest.slice(0, 8), d, rest.slice(8, 28), rest.slice(28, 36));
      const raw = store.get(keys.primary);
      if (raw) yield { keys, u: Unbonding.decode(raw) };
    }
  }
  private *unbondingEntriesFrom(store: KVReader, owner: Uint8Array): IterableIterator<{ keys: UnbondingKeys; u: Unbonding }> {
    const o = bytesToKey(owner);
    const prefix = ValidatorUnbondingPrefix + o;
    for (const [key] of store.iterate(prefix, prefixEnd(prefix))) {
      const rest = key.slice(prefix.length);
      const keys = unbondingKeys(rest.slice(0, 8), rest.slice(8, 28), o, rest.slice(28, 36));
      const raw = store.get(keys.primary);
      if (raw) yield { keys, u: Unbonding.decode(raw) };
    }
  }
  *allUnbondings(store: KVReader): IterableIterator<[string, Unbonding]> {
    for (const [key, value] of store.iterate(UnbondingPrefix, prefixEnd(UnbondingPrefix))) yield [key, Unbonding.decode(value)];
  }
  private deleteUnbonding(store: KVStore, keys: UnbondingKeys): void {
    store.delete(keys.primary);
    store.delete(keys.byDelegator);
    store.delete(keys.byValidator);
  }
  /** Takes `cut` (≤ its amount) out of an unbonding entry; the coins stay in the pool for the caller to move. */
  private cutUnbonding(store: KVStore, keys: UnbondingKeys, u: Unbonding, cut: bigint): void {
    const left = BigInt(u.amount) - cut;
    if (left === 0n) this.deleteUnbonding(store, keys);
    else store.set(keys.primary, Unbonding.encode({ ...u, amount: left.toString() }).finish());
  }
  /** Pays out every unbonding whose completion time has come. */
  completeUnbondings(store: KVStore, events: Event[], nowSecs: bigint): void {
    const due = [...store.iterate(UnbondingPrefix, UnbondingPrefix + be64(nowSecs + 1n))];
    for (const [key, value] of due) {
      const u = Unbonding.decode(value);
      const rest = key.slice(UnbondingPrefix.length);
      const keys = unbondingKeys(rest.slice(0, 8), rest.slice(8, 28), rest.slice(28, 48), rest.slice(48, 56));
      this.bank.sendFromModuleToAccount(store, events, keyToBytes(rest.slice(8, 28)), [{ denom: BaseDenom, amount: BigInt(u.amount) }]);
      this.deleteUnbonding(store, keys);
      events.push({ type: "unbond_complete", attributes: [
        { key: "delegator", value: u.delegator, index: true },
        { key: "validator", value: u.validator, index: true },
        { key: "amount", value: u.amount, index: true },
      ] });
    }
  }

  // ---- redelegations (liability records: the coins moved with the delegation) ----
  addRedelegation(store: KVStore, delegator: Uint8Array, src: Uint8Array, dst: Uint8Array, amount: bigint, height: number, completionSecs: bigint): void {
    const keys = redelegationKeys(be64(completionSecs), bytesToKey(delegator), bytesToKey(src), bytesToKey(dst), be64(BigInt(height)));
    const raw = store.get(keys.primary);
    const previous = raw ? BigInt(Redelegation.decode(raw).amount) : 0n;
    store.set(keys.primary, Redelegation.encode({
      delegator: toAccAddress(delegator),
      validatorSrc: toValAddress(src),
      validatorDst: toValAddress(dst),
      amount: (previous + amount).toString(),
      creationHeight: BigInt(height),
      completionTime: completionSecs,
    }).finish());
    store.set(keys.bySource, new Uint8Array());
    store.set(keys.byDestination, new Uint8Array());
  }
  /** Whether stake of the delegator moved into `dst` is still liable for its source (completion after now). */
  hasRedelegationInto(store: KVReader, delegator: Uint8Array, dst: Uint8Array, nowSecs: bigint): boolean {
    const prefix = DestinationRedelegationPrefix + bytesToKey(delegator) + bytesToKey(dst);
    for (const _ of store.iterate(prefix + be64(nowSecs + 1n), prefixEnd(prefix))) return true;
    return false;
  }
  *allRedelegations(store: KVReader): IterableIterator<Redelegation> {
    for (const [, value] of store.iterate(RedelegationPrefix, prefixEnd(RedelegationPrefix))) yield Redelegation.decode(value);
  }
  /** Forgets the redelegations whose liability has ended. */
  completeRedelegations(store: KVStore, nowSecs: bigint): void {
    for (const [key] of [...store.iterate(RedelegationPrefix, RedelegationPrefix + be64(nowSecs + 1n))]) {
      const rest = key.slice(RedelegationPrefix.length);
      const keys = redelegationKeys(rest.slice(0, 8), rest.slice(8, 28), rest.slice(28, 48), rest.slice(48, 68), rest.slice(68, 76));
      store.delete(keys.primary);
      store.delete(keys.bySource);
      store.delete(keys.byDestination);
    }
  }

  // ---- slashing ----
  evidenceHandled(store: KVReader, consAddr: Uint8Array, height: number): boolean {
    return store.has(EvidencePrefix + bytesToKey(consAddr) + be64(BigInt(height)));
  }
  recordEvidence(store: KVStore, consAddr: Uint8Array, height: number): void {
    store.set(EvidencePrefix + bytesToKey(consAddr) + be64(BigInt(height)), new Uint8Array());
  }
  *allEvidence(store: KVReader): IterableIterator<{ address: Uint8Array; height: bigint }> {
    for (const [key] of store.iterate(EvidencePrefix, prefixEnd(EvidencePrefix))) {
      const rest = key.slice(EvidencePrefix.length);
      yield { address: keyToBytes(rest.slice(0, 20)), height: Buffer.from(rest.slice(20), "latin1").readBigUInt64BE() };
    }
  }
  /** Cuts `fraction` of every delegation to the validator (slashed coins stay in the pool); returns the total. */
  slashDelegations(store: KVStore, events: Event[], owner: Uint8Array, fraction: bigint): bigint {
    let total = 0n;
    for (const delegator of this.delegatorsOf(store, owner)) {
      const cut = mulDecFloor(BigInt(this.getDelegation(store, delegator, owner)!.amount), fraction);
      if (cut === 0n) continue;
      this.reduceDelegation(store, events, delegator, owner, cut);
      total += cut;
      events.push(delegationEvent(EventTypes.slash, toValAddress(owner), toAccAddress(delegator), cut.toString(), { reason: "double-sign" }));
    }
    return total;
  }
  /** Cuts `fraction` of every unbonding from the validator created in [fromHeight, untilHeight): stake that was
   *  still bonded to it when it misbehaved. Walks only this validator's entries. Returns the total cut. */
  slashUnbondings(store: KVStore, events: Event[], owner: Uint8Array, fromHeight: bigint, untilHeight: bigint | undefined, fraction: bigint): bigint {
    let total = 0n;
    for (const { keys, u } of [...this.unbondingEntriesFrom(store, owner)]) {
      if (u.creationHeight < fromHeight || (untilHeight !== undefined && u.creationHeight >= untilHeight)) continue;
      const cut = mulDecFloor(BigInt(u.amount), fraction);
      if (cut === 0n) continue;
      this.cutUnbonding(store, keys, u, cut);
      total += cut;
      events.push(delegationEvent(EventTypes.slash, u.validator, u.delegator, cut.toString(), { reason: "double-sign", from: "unbonding" }));
    }
    return total;
  }
  /** For every redelegation away from the validator created in [fromHeight, untilHeight): `fraction` of the
   *  amount moved, taken where it went — the destination delegation, then what was unbonded from the
   *  destination since the move. Walks only this validator's redelegations. Returns the total cut. */
  slashRedelegations(store: KVStore, events: Event[], src: Uint8Array, fromHeight: bigint, untilHeight: bigint | undefined, fraction: bigint): bigint {
    let total = 0n;
    const prefix = SourceRedelegationPrefix + bytesToKey(src);
    for (const [key] of [...store.iterate(prefix, prefixEnd(prefix))]) {
      const rest = key.slice(prefix.length);
      const keys = redelegationKeys(rest.slice(0, 8), rest.slice(8, 28), bytesToKey(src), rest.slice(28, 48), rest.slice(48, 56));
      const r = Redelegation.decode(store.get(keys.primary)!);
      if (r.creationHeight < fromHeight || (untilHeight !== undefined && r.creationHeight >= untilHeight)) continue;
      let owed = mulDecFloor(BigInt(r.amount), fraction);
      const delegator = keyToBytes(rest.slice(8, 28));
      const dst = keyToBytes(rest.slice(28, 48));
      const d = this.getDelegation(store, delegator, dst);
      const bonded = d ? min(owed, BigInt(d.amount)) : 0n;
      if (bonded > 0n) {
        this.reduceDelegation(store, events, delegator, dst, bonded);
        owed -= bonded;
        total += bonded;
        events.push(delegationEvent(EventTypes.slash, r.validatorSrc, r.delegator, bonded.toString(), { reason: "double-sign", from: "redelegation", to_validator: r.validatorDst }));
      }
      for (const { keys: uk, u } of [...this.unbondingEntriesOf(store, delegator)]) {
        if (owed === 0n) break;
        if (u.validator !== r.validatorDst || u.creationHeight < r.creationHeight) continue;
        const cut = min(owed, BigInt(u.amount));
        this.cutUnbonding(store, uk, u, cut);
        owed -= cut;
        total += cut;
        events.push(delegationEvent(EventTypes.slash, r.validatorSrc, r.delegator, cut.toString(), { reason: "double-sign", from: "redelegation-unbonding", to_validator: r.validatorDst }));
      }
    }
    return total;
  }

  // ---- keep-alive window ----
  getKeepAlive(store: KVReader, owner: Uint8Array): KeepAlive | undefined {
    const raw = store.get(KeepAlivePrefix + bytesToKey(owner));
    return raw ? KeepAlive.decode(raw) : undefined;
  }
  resetKeepAlive(store: KVStore, owner: Uint8Array, height: number): void {
    const prefix = WindowPrefix + bytesToKey(owner);
    for (const [key] of [...store.iterate(prefix, prefixEnd(prefix))]) store.delete(key);
    store.set(KeepAlivePrefix + bytesToKey(owner), KeepAlive.encode({ startHeight: BigInt(height), blocksCounted: 0n, missed: 0n, index: 0n }).finish());
  }
  deleteKeepAlive(store: KVStore, owner: Uint8Array): void {
    const prefix = WindowPrefix + bytesToKey(owner);
    for (const [key] of [...store.iterate(prefix, prefixEnd(prefix))]) store.delete(key);
    store.delete(KeepAlivePrefix + bytesToKey(owner));
  }
  /** The window's missed positions, ascending (for export). */
  missedIndexes(store: KVReader, owner: Uint8Array): number[] {
    const prefix = WindowPrefix + bytesToKey(owner);
    const out: number[] = [];
    for (const [key, chunk] of store.iterate(prefix, prefixEnd(prefix))) {
      const base = keyToBytes(key.slice(prefix.length)).reduce((n, b) => n * 256 + b, 0) * ChunkBits;
      for (let bit = 0; bit < ChunkBits; bit++) if (chunk[bit >> 3] & (1 << (bit & 7))) out.push(base + bit);
    }
    return out;
  }
  /** An exported window back (import): the record and its missed positions. */
  importKeepAlive(store: KVStore, owner: Uint8Array, ka: KeepAlive, missed: readonly number[]): void {
    this.deleteKeepAlive(store, owner);
    const chunks = new Map<number, Uint8Array>();
    for (const index of missed) {
      const chunk = chunks.get(Math.trunc(index / ChunkBits)) ?? new Uint8Array(ChunkBits / 8);
      chunk[(index % ChunkBits) >> 3] |= 1 << (index % ChunkBits & 7);
      chunks.set(Math.trunc(index / ChunkBits), chunk);
    }
    for (const [n, chunk] of chunks) store.set(WindowPrefix + bytesToKey(owner) + be32(n), chunk);
    store.set(KeepAlivePrefix + bytesToKey(owner), KeepAlive.encode(ka).finish());
  }
  /** Records one block of the window (signed or missed); returns the missed count in the window. */
  recordVote(store: KVStore, owner: Uint8Array, signed: boolean, windowLength: number, height: number): bigint {
    const ka = this.getKeepAlive(store, owner) ?? KeepAlive.fromPartial({ startHeight: BigInt(height) });
    const index = Number(ka.index % BigInt(windowLength));
    const chunkKey = WindowPrefix + bytesToKey(owner) + be32(Math.trunc(index / ChunkBits));
    const chunk = new Uint8Array(store.get(chunkKey) ?? new Uint8Array(ChunkBits / 8));
    const bit = index % ChunkBits;
    const byte = bit >> 3;
    const mask = 1 << (bit & 7);
    const wasMissed = (chunk[byte] & mask) !== 0;
    const missed = !signed;
    if (wasMissed !== missed) {
      chunk[byte] ^= mask;
      // a chunk without a missed block is not stored: the window is exactly its missed positions (export)
      if (chunk.every((b) => b === 0)) store.delete(chunkKey);
      else store.set(chunkKey, chunk);
      ka.missed += missed ? 1n : -1n;
    }
    ka.index = BigInt((index + 1) % windowLength);
    if (ka.blocksCounted < BigInt(windowLength)) ka.blocksCounted += 1n;
    store.set(KeepAlivePrefix + bytesToKey(owner), KeepAlive.encode(ka).finish());
    return ka.missed;
  }

  // ---- consensus set ----
  getLastPower(store: KVReader, owner: Uint8Array): { power: bigint; pubKey: Uint8Array } | undefined {
    const raw = store.get(LastPowerPrefix + bytesToKey(owner));
    if (!raw) return undefined;
    return { pubKey: raw.subarray(0, 32), power: BigInt(decoder.decode(raw.subarray(32))) };
  }
  setLastPower(store: KVStore, owner: Uint8Array, pubKey: Uint8Array, power: bigint): void {
    if (power === 0n) store.delete(LastPowerPrefix + bytesToKey(owner));
    else store.set(LastPowerPrefix + bytesToKey(owner), Buffer.concat([pubKey, encoder.encode(power.toString())]));
  }
  *lastPowers(store: KVReader): IterableIterator<[Uint8Array, { power: bigint; pubKey: Uint8Array }]> {
    for (const [key] of store.iterate(LastPowerPrefix, prefixEnd(LastPowerPrefix))) {
      const owner = keyToBytes(key.slice(LastPowerPrefix.length));
      yield [owner, this.getLastPower(store, owner)!];
    }
  }

  removeValidatorRecords(store: KVStore, owner: Uint8Array): void {
    // the consensus index stays: the key may never be claimed again, and evidence of what it signed
    // before the close still finds the owner whose unbonding stake answers for it
    this.dropFromCloseQueue(store, owner);
    store.delete(ValidatorPrefixKey + bytesToKey(owner));
    store.delete(ActivePrefix + bytesToKey(owner));
    this.deleteKeepAlive(store, owner);
  }

  /** Σ validator tokens + Σ unbondings == the stake pool's uqos; Σ delegations of each validator == its tokens. */
  checkInvariants(store: KVReader): void {
    let bonded = 0n;
    for (const [owner, v] of this.allValidators(store)) {
      const tokens = this.tokens(v);
      bonded += tokens;
      let sum = 0n;
      for (const delegator of this.delegatorsOf(store, owner)) sum += BigInt(this.getDelegation(store, delegator, owner)!.amount);
      if (sum !== tokens) throw StakeErrors.invariantBroken.with(`${toValAddress(owner)}: delegations sum to ${sum}, tokens ${tokens}`);
      const indexed = store.has(ActivePrefix + bytesToKey(owner));
      if (indexed !== (v.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE)) throw StakeErrors.invariantBroken.with(`${toValAddress(owner)}: status ${v.status} but active index ${indexed}`);
      if (v.status === ValidatorStatus.VALIDATOR_STATUS_INACTIVE && !store.has(InactiveQueuePrefix + be64(v.inactiveTime) + bytesToKey(owner))) {
        throw StakeErrors.invariantBroken.with(`${toValAddress(owner)}: inactive since ${v.inactiveTime} but not in the close queue`);
      }
    }
    for (const [key] of store.iterate(InactiveQueuePrefix, prefixEnd(InactiveQueuePrefix))) {
      const v = this.getValidator(store, keyToBytes(key.slice(InactiveQueuePrefix.length + 8)));
      if (v?.status !== ValidatorStatus.VALIDATOR_STATUS_INACTIVE || be64(v.inactiveTime) !== key.slice(InactiveQueuePrefix.length, InactiveQueuePrefix.length + 8)) {
        throw StakeErrors.invariantBroken.with("the close queue holds a validator that is not inactive since that time");
      }
    }
    let unbonding = 0n;
    for (const [, u] of this.allUnbondings(store)) unbonding += BigInt(u.amount);
    const pool = this.bank.getBalance(store, stakePool, BaseDenom);
    if (pool !== bonded + unbonding) throw StakeErrors.invariantBroken.with(`stake pool holds ${pool}, bonded ${bonded} + unbonding ${unbonding}`);
  }

  // ---- pages for list queries (app/query.ts pagination; next_key is the rest of the key after the prefix) ----
  validatorsPage<T>(store: KVReader, page: PageRequest | undefined, item: (owner: Uint8Array, v: Validator) => T | undefined): Page<T> {
    return paginate(store, ValidatorPrefixKey, page, (owner, value) => item(keyToBytes(owner), Validator.decode(value)));
  }
  delegationsPage(store: KVReader, delegator: Uint8Array, page: PageRequest | undefined): Page<Delegation> {
    return paginate(store, DelegationPrefix + bytesToKey(delegator), page, (_, value) => Delegation.decode(value));
  }
  validatorDelegationsPage(store: KVReader, owner: Uint8Array, page: PageRequest | undefined): Page<Delegation> {
    return paginate(store, ValidatorDelegationPrefix + bytesToKey(owner), page, (delegator) => this.getDelegation(store, keyToBytes(delegator), owner));
  }
  unbondingsPage(store: KVReader, delegator: Uint8Array, page: PageRequest | undefined): Page<Unbonding> {
    return paginate(store, DelegatorUnbondingPrefix + bytesToKey(delegator), page, (rest) => {
      const raw = store.get(unbondingKeys(rest.slice(0, 8), bytesToKey(delegator), rest.slice(8, 28), rest.slice(28, 36)).primary);
      return raw ? Unbonding.decode(raw) : undefined;
    });
  }

  communityPoolAccount(): Uint8Array {
    return this.hooks.communityPoolAccount;
  }
}
