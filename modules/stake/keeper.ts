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
//   stake/e/<consensus address 20><height 8 BE> → double-sign evidence handled; any entry tombstones the key
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
import {
  bigintValue, bytesKey, bytesValue, IndexedMap, KeySet, keyPrefix, MapIndex, protoValue, rawBytesKey, StoreMap, tupleKey, u32Key, u64Key,
  type ValueCodec,
} from "../../app/state/collections.js";
import { toBech32 } from "@cosmjs/encoding";
import { Delegation, KeepAlive, Redelegation, Unbonding, Validator, ValidatorStatus } from "../../gen/qos/stake/v1/types.js";
import { mulDecFloor } from "../../app/decimal.js";
import { EventTypes, delegationEvent } from "./events.js";
import { StakeErrors } from "./errors.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";
import type { Page, PageRequest } from "../../app/query.js";

const P = "stake/";
/** an owner, delegator or (in a tuple) consensus address */
const addr = bytesKey(20);
const u64 = u64Key;

const validators = new StoreMap(`${P}v/`, addr, protoValue(Validator));
// Consensus addresses are looked up as CometBFT reports them (a vote without a validator has none): a key of
// any length, which simply finds nothing, rather than a 20-byte part that would throw in the block.
const consensusOwners = new StoreMap(`${P}c/`, rawBytesKey, bytesValue);
const genesisKeys = new StoreMap(`${P}g/`, rawBytesKey, bytesValue);

type DelegationKey = [delegator: Uint8Array, owner: Uint8Array];
const delegationsByValidator = new MapIndex<DelegationKey, [Uint8Array, Uint8Array]>(
  `${P}dv/`, tupleKey(addr, addr), ([delegator, owner]) => [owner, delegator], ([owner, delegator]) => [delegator, owner]);
const delegations = new IndexedMap(new StoreMap<DelegationKey, Delegation>(`${P}d/`, tupleKey(addr, addr), protoValue(Delegation)), [delegationsByValidator]);

type UnbondingKey = [completion: bigint, delegator: Uint8Array, owner: Uint8Array, height: bigint];
const unbondingsByDelegator = new MapIndex<UnbondingKey, [Uint8Array, bigint, Uint8Array, bigint]>(
  `${P}ud/`, tupleKey(addr, u64, addr, u64), ([c, d, o, h]) => [d, c, o, h], ([d, c, o, h]) => [c, d, o, h]);
const unbondingsByValidator = new MapIndex<UnbondingKey, [Uint8Array, bigint, Uint8Array, bigint]>(
  `${P}uv/`, tupleKey(addr, u64, addr, u64), ([c, d, o, h]) => [o, c, d, h], ([o, c, d, h]) => [c, d, o, h]);
const unbondings = new IndexedMap(
  new StoreMap<UnbondingKey, Unbonding>(`${P}u/`, tupleKey(u64, addr, addr, u64), protoValue(Unbonding)), [unbondingsByDelegator, unbondingsByValidator]);

type RedelegationKey = [completion: bigint, delegator: Uint8Array, src: Uint8Array, dst: Uint8Array, height: bigint];
const redelegationsBySource = new MapIndex<RedelegationKey, [Uint8Array, bigint, Uint8Array, Uint8Array, bigint]>(
  `${P}rs/`, tupleKey(addr, u64, addr, addr, u64), ([c, d, s, t, h]) => [s, c, d, t, h], ([s, c, d, t, h]) => [c, d, s, t, h]);
const redelegationsByDestination = new MapIndex<RedelegationKey, [Uint8Array, Uint8Array, bigint, Uint8Array, bigint]>(
  `${P}rd/`, tupleKey(addr, addr, u64, addr, u64), ([c, d, s, t, h]) => [d, t, c, s, h], ([d, t, c, s, h]) => [c, d, s, t, h]);
const redelegations = new IndexedMap(
  new StoreMap<RedelegationKey, Redelegation>(`${P}r/`, tupleKey(u64, addr, addr, addr, u64), protoValue(Redelegation)),
  [redelegationsBySource, redelegationsByDestination]);

const evidence = new KeySet(`${P}e/`, tupleKey(addr, u64));
const keepAlives = new StoreMap(`${P}k/`, addr, protoValue(KeepAlive));
const windowChunks = new StoreMap(`${P}kw/`, tupleKey(addr, u32Key), bytesValue);
/** the 32-byte pubkey, then the power in decimal ASCII */
const lastPowerValue: ValueCodec<{ power: bigint; pubKey: Uint8Array }> = {
  encode: ({ pubKey, power }) => Buffer.concat([pubKey, bigintValue.encode(power)]),
  decode: (raw) => ({ pubKey: raw.subarray(0, 32), power: bigintValue.decode(raw.subarray(32)) }),
};
const lastPowers = new StoreMap(`${P}l/`, addr, lastPowerValue);
const active = new KeySet(`${P}a/`, addr);
const inactiveQueue = new KeySet(`${P}iq/`, tupleKey(u64, addr));
const params = storedParams(`${P}p`, ParamsSchema, DefaultParams);

export const StakePoolName = "stake_pool";
export const stakePool = moduleAddress(StakePoolName);
/** stake's module account: holds every bonded and unbonding uqos; no mint or burn */
export const StakeModuleAccount = { name: StakePoolName, permissions: [] } as const satisfies ModuleAccount;
const ChunkBits = 1024;

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

const min = (a: bigint, b: bigint) => (a < b ? a : b);

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
    return validators.get(store, owner);
  }
  requireValidator(store: KVReader, owner: Uint8Array): Validator {
    const v = this.getValidator(store, owner);
    if (!v) throw StakeErrors.validatorNotFound.with(`no validator ${toValAddress(owner)}`);
    return v;
  }
  /** The validator and its place in the active index and the close queue, written together. */
  setValidator(store: KVStore, owner: Uint8Array, v: Validator): void {
    this.dropFromCloseQueue(store, owner);
    validators.set(store, owner, v);
    if (v.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE) active.add(store, owner);
    else active.delete(store, owner);
    if (v.status === ValidatorStatus.VALIDATOR_STATUS_INACTIVE) inactiveQueue.add(store, [v.inactiveTime, owner]);
  }
  /** The active validators, by owner address (the active index: per-block work never reads the others). */
  *activeValidators(store: KVReader): IterableIterator<[Uint8Array, Validator]> {
    for (const owner of active.keys(store)) yield [owner, this.requireValidator(store, owner)];
  }
  /** The queue entry of the stored validator goes before it changes or goes (the queue is part of the state
   *  and of exports: it holds exactly the inactive validators). */
  private dropFromCloseQueue(store: KVStore, owner: Uint8Array): void {
    const old = this.getValidator(store, owner);
    if (old?.status === ValidatorStatus.VALIDATOR_STATUS_INACTIVE) inactiveQueue.delete(store, [old.inactiveTime, owner]);
  }
  /** Validators inactive since `maxSecs` or earlier (their close is due), oldest first. */
  dueForClose(store: KVReader, maxSecs: bigint): Array<[Uint8Array, Validator]> {
    const due: Array<[Uint8Array, Validator]> = [];
    for (const [, owner] of inactiveQueue.keys(store, { to: u64.encode(maxSecs + 1n) })) due.push([owner, this.requireValidator(store, owner)]);
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
    return consensusOwners.get(store, consAddr);
  }
  setConsensusIndex(store: KVStore, pubKey: Uint8Array, owner: Uint8Array): void {
    this.setConsensusAddressOwner(store, consensusAddress(pubKey), owner);
  }
  setConsensusAddressOwner(store: KVStore, consAddr: Uint8Array, owner: Uint8Array): void {
    consensusOwners.set(store, consAddr, owner);
  }
  consensusIndex(store: KVReader): IterableIterator<[Uint8Array, Uint8Array]> {
    return consensusOwners.entries(store);
  }
  /** CometBFT's genesis validators are in the consensus set without staking: their keys stay theirs. */
  reserveGenesisKey(store: KVStore, pubKey: Uint8Array): void {
    genesisKeys.set(store, consensusAddress(pubKey), pubKey);
  }
  isGenesisKey(store: KVReader, consAddr: Uint8Array): boolean {
    return genesisKeys.has(store, consAddr);
  }
  *genesisKeys(store: KVReader): IterableIterator<Uint8Array> {
    for (const [, pubKey] of genesisKeys.entries(store)) yield pubKey;
  }
  /**
   * Whether CometBFT's validator set keeps voting power once this block's updates apply: some ACTIVE
   * validator has power (the ranking keeps the strongest active), or a CometBFT genesis validator outside
   * staking is in the set. Those never change, and are in the set unless genesis txs replaced CometBFT's
   * genesis set: the last commit's votes tell (without them — block 1 — a genesis key counts as present).
   */
  consensusSetHasPower(store: KVReader, lastCommit: ReadonlyArray<{ address: Uint8Array; power: bigint }> | undefined): boolean {
    for (const [, v] of this.activeValidators(store)) if (this.power(store, this.tokens(v)) > 0n) return true;
    const voters = lastCommit?.length ? new Set(lastCommit.filter((vote) => vote.power > 0n).map((vote) => Buffer.from(vote.address).toString("hex"))) : undefined;
    for (const consAddr of genesisKeys.keys(store)) if (!voters || voters.has(Buffer.from(consAddr).toString("hex"))) return true;
    return false;
  }
  /** Every validator, by owner address. */
  allValidators(store: KVReader): IterableIterator<[Uint8Array, Validator]> {
    return validators.entries(store);
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
    return delegations.get(store, [delegator, owner]);
  }
  /** the delegation and its by-validator index together; an amount of 0 removes both */
  private writeDelegation(store: KVStore, delegator: Uint8Array, owner: Uint8Array, d: Delegation | undefined): void {
    if (!d || BigInt(d.amount) === 0n) delegations.delete(store, [delegator, owner]);
    else delegations.set(store, [delegator, owner], d);
  }
  *delegationsOf(store: KVReader, delegator: Uint8Array): IterableIterator<Delegation> {
    for (const [, d] of delegations.entries(store, { within: keyPrefix([addr, delegator]) })) yield d;
  }
  /** delegators of a validator, by address */
  delegatorsOf(store: KVReader, owner: Uint8Array): Uint8Array[] {
    return [...delegationsByValidator.primaryKeys(store, { within: keyPrefix([addr, owner]) })].map(([delegator]) => delegator);
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
    const key: UnbondingKey = [completionSecs, delegator, owner, BigInt(height)];
    const previous = unbondings.get(store, key);
    unbondings.set(store, key, {
      delegator: toAccAddress(delegator),
      validator: toValAddress(owner),
      amount: ((previous ? BigInt(previous.amount) : 0n) + amount).toString(),
      creationHeight: BigInt(height),
      completionTime: completionSecs,
    });
  }
  /** the entries an index leads to (each read from the primary map) */
  private *unbondingsVia(store: KVReader, index: MapIndex<UnbondingKey, any>, party: Uint8Array): IterableIterator<{ key: UnbondingKey; u: Unbonding }> {
    for (const key of index.primaryKeys(store, { within: keyPrefix([addr, party]) })) {
      const u = unbondings.get(store, key);
      if (u) yield { key, u };
    }
  }
  *allUnbondings(store: KVReader): IterableIterator<Unbonding> {
    for (const [, u] of unbondings.entries(store)) yield u;
  }
  /** Takes `cut` (≤ its amount) out of an unbonding entry; the coins stay in the pool for the caller to move. */
  private cutUnbonding(store: KVStore, key: UnbondingKey, u: Unbonding, cut: bigint): void {
    const left = BigInt(u.amount) - cut;
    if (left === 0n) unbondings.delete(store, key);
    else unbondings.replace(store, key, { ...u, amount: left.toString() });
  }
  /** Pays out every unbonding whose completion time has come. */
  completeUnbondings(store: KVStore, events: Event[], nowSecs: bigint): void {
    for (const [key, u] of [...unbondings.entries(store, { to: u64.encode(nowSecs + 1n) })]) {
      this.bank.sendFromModuleToAccount(store, events, key[1], [{ denom: BaseDenom, amount: BigInt(u.amount) }]);
      unbondings.delete(store, key);
      events.push({ type: "unbond_complete", attributes: [
        { key: "delegator", value: u.delegator, index: true },
        { key: "validator", value: u.validator, index: true },
        { key: "amount", value: u.amount, index: true },
      ] });
    }
  }

  // ---- redelegations (liability records: the coins moved with the delegation) ----
  addRedelegation(store: KVStore, delegator: Uint8Array, src: Uint8Array, dst: Uint8Array, amount: bigint, height: number, completionSecs: bigint): void {
    const key: RedelegationKey = [completionSecs, delegator, src, dst, BigInt(height)];
    const previous = redelegations.get(store, key);
    redelegations.set(store, key, {
      delegator: toAccAddress(delegator),
      validatorSrc: toValAddress(src),
      validatorDst: toValAddress(dst),
      amount: ((previous ? BigInt(previous.amount) : 0n) + amount).toString(),
      creationHeight: BigInt(height),
      completionTime: completionSecs,
    });
  }
  /** Whether stake of the delegator moved into `dst` is still liable for its source (completion after now). */
  hasRedelegationInto(store: KVReader, delegator: Uint8Array, dst: Uint8Array, nowSecs: bigint): boolean {
    const within = keyPrefix([addr, delegator], [addr, dst]);
    for (const _ of redelegationsByDestination.set.keys(store, { within, from: within + u64.encode(nowSecs + 1n) })) return true;
    return false;
  }
  *allRedelegations(store: KVReader): IterableIterator<Redelegation> {
    for (const [, r] of redelegations.entries(store)) yield r;
  }
  /** Forgets the redelegations whose liability has ended. */
  completeRedelegations(store: KVStore, nowSecs: bigint): void {
    for (const key of [...redelegations.keys(store, { to: u64.encode(nowSecs + 1n) })]) redelegations.delete(store, key);
  }

  // ---- slashing ----
  /**
   * A consensus key is tombstoned by its first double-sign slash, as in the Cosmos SDK: evidence about it at
   * any other height is ignored. Each slash walks every delegation, unbonding and redelegation of the
   * validator in BeginBlock, where nobody pays gas, and a key's owner can sign conflicting votes for any past
   * height in the evidence window after the fact — without the tombstone, thousands of pieces per block
   * would each repeat the walk (docs/slashing.md).
   */
  tombstoned(store: KVReader, consAddr: Uint8Array): boolean {
    for (const _ of evidence.keys(store, { within: keyPrefix([addr, consAddr]) })) return true;
    return false;
  }
  recordEvidence(store: KVStore, consAddr: Uint8Array, height: number): void {
    evidence.add(store, [consAddr, BigInt(height)]);
  }
  *allEvidence(store: KVReader): IterableIterator<{ address: Uint8Array; height: bigint }> {
    for (const [address, height] of evidence.keys(store)) yield { address, height };
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
    for (const { key, u } of [...this.unbondingsVia(store, unbondingsByValidator, owner)]) {
      if (u.creationHeight < fromHeight || (untilHeight !== undefined && u.creationHeight >= untilHeight)) continue;
      const cut = mulDecFloor(BigInt(u.amount), fraction);
      if (cut === 0n) continue;
      this.cutUnbonding(store, key, u, cut);
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
    for (const key of [...redelegationsBySource.primaryKeys(store, { within: keyPrefix([addr, src]) })]) {
      const r = redelegations.get(store, key)!;
      if (r.creationHeight < fromHeight || (untilHeight !== undefined && r.creationHeight >= untilHeight)) continue;
      let owed = mulDecFloor(BigInt(r.amount), fraction);
      const [, delegator, , dst] = key;
      const d = this.getDelegation(store, delegator, dst);
      const bonded = d ? min(owed, BigInt(d.amount)) : 0n;
      if (bonded > 0n) {
        this.reduceDelegation(store, events, delegator, dst, bonded);
        owed -= bonded;
        total += bonded;
        events.push(delegationEvent(EventTypes.slash, r.validatorSrc, r.delegator, bonded.toString(), { reason: "double-sign", from: "redelegation", to_validator: r.validatorDst }));
      }
      for (const { key: uk, u } of [...this.unbondingsVia(store, unbondingsByDelegator, delegator)]) {
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
    return keepAlives.get(store, owner);
  }
  resetKeepAlive(store: KVStore, owner: Uint8Array, height: number): void {
    this.deleteWindow(store, owner);
    keepAlives.set(store, owner, { startHeight: BigInt(height), blocksCounted: 0n, missed: 0n, index: 0n });
  }
  deleteKeepAlive(store: KVStore, owner: Uint8Array): void {
    this.deleteWindow(store, owner);
    keepAlives.delete(store, owner);
  }
  private deleteWindow(store: KVStore, owner: Uint8Array): void {
    for (const key of [...windowChunks.keys(store, { within: keyPrefix([addr, owner]) })]) windowChunks.delete(store, key);
  }
  /** The window's missed positions, ascending (for export). */
  missedIndexes(store: KVReader, owner: Uint8Array): number[] {
    const out: number[] = [];
    for (const [[, n], chunk] of windowChunks.entries(store, { within: keyPrefix([addr, owner]) })) {
      for (let bit = 0; bit < ChunkBits; bit++) if (chunk[bit >> 3] & (1 << (bit & 7))) out.push(n * ChunkBits + bit);
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
    for (const [n, chunk] of chunks) windowChunks.set(store, [owner, n], chunk);
    keepAlives.set(store, owner, ka);
  }
  /** Records one block of the window (signed or missed); returns the missed count in the window. */
  recordVote(store: KVStore, owner: Uint8Array, signed: boolean, windowLength: number, height: number): bigint {
    const ka = this.getKeepAlive(store, owner) ?? KeepAlive.fromPartial({ startHeight: BigInt(height) });
    const index = Number(ka.index % BigInt(windowLength));
    const chunkKey: [Uint8Array, number] = [owner, Math.trunc(index / ChunkBits)];
    const chunk = new Uint8Array(windowChunks.get(store, chunkKey) ?? new Uint8Array(ChunkBits / 8));
    const bit = index % ChunkBits;
    const byte = bit >> 3;
    const mask = 1 << (bit & 7);
    const wasMissed = (chunk[byte] & mask) !== 0;
    const missed = !signed;
    if (wasMissed !== missed) {
      chunk[byte] ^= mask;
      // a chunk without a missed block is not stored: the window is exactly its missed positions (export)
      if (chunk.every((b) => b === 0)) windowChunks.delete(store, chunkKey);
      else windowChunks.set(store, chunkKey, chunk);
      ka.missed += missed ? 1n : -1n;
    }
    ka.index = BigInt((index + 1) % windowLength);
    if (ka.blocksCounted < BigInt(windowLength)) ka.blocksCounted += 1n;
    keepAlives.set(store, owner, ka);
    return ka.missed;
  }

  // ---- consensus set ----
  getLastPower(store: KVReader, owner: Uint8Array): { power: bigint; pubKey: Uint8Array } | undefined {
    return lastPowers.get(store, owner);
  }
  setLastPower(store: KVStore, owner: Uint8Array, pubKey: Uint8Array, power: bigint): void {
    if (power === 0n) lastPowers.delete(store, owner);
    else lastPowers.set(store, owner, { pubKey, power });
  }
  lastPowers(store: KVReader): IterableIterator<[Uint8Array, { power: bigint; pubKey: Uint8Array }]> {
    return lastPowers.entries(store);
  }

  removeValidatorRecords(store: KVStore, owner: Uint8Array): void {
    // the consensus index stays: the key may never be claimed again, and evidence of what it signed
    // before the close still finds the owner whose unbonding stake answers for it
    this.dropFromCloseQueue(store, owner);
    validators.delete(store, owner);
    active.delete(store, owner);
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
      const indexed = active.has(store, owner);
      if (indexed !== (v.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE)) throw StakeErrors.invariantBroken.with(`${toValAddress(owner)}: status ${v.status} but active index ${indexed}`);
      if (v.status === ValidatorStatus.VALIDATOR_STATUS_INACTIVE && !inactiveQueue.has(store, [v.inactiveTime, owner])) {
        throw StakeErrors.invariantBroken.with(`${toValAddress(owner)}: inactive since ${v.inactiveTime} but not in the close queue`);
      }
    }
    for (const [time, owner] of inactiveQueue.keys(store)) {
      const v = this.getValidator(store, owner);
      if (v?.status !== ValidatorStatus.VALIDATOR_STATUS_INACTIVE || v.inactiveTime !== time) {
        throw StakeErrors.invariantBroken.with("the close queue holds a validator that is not inactive since that time");
      }
    }
    let unbonding = 0n;
    for (const u of this.allUnbondings(store)) unbonding += BigInt(u.amount);
    const pool = this.bank.getBalance(store, stakePool, BaseDenom);
    if (pool !== bonded + unbonding) throw StakeErrors.invariantBroken.with(`stake pool holds ${pool}, bonded ${bonded} + unbonding ${unbonding}`);
  }

  // ---- pages for list queries ----
  validatorsPage<T>(store: KVReader, page: PageRequest | undefined, item: (owner: Uint8Array, v: Validator) => T | undefined): Page<T> {
    return validators.page(store, page, item);
  }
  delegationsPage(store: KVReader, delegator: Uint8Array, page: PageRequest | undefined): Page<Delegation> {
    return delegations.primary.page(store, page, (_, delegation) => delegation, keyPrefix([addr, delegator]));
  }
  validatorDelegationsPage(store: KVReader, owner: Uint8Array, page: PageRequest | undefined): Page<Delegation> {
    return delegationsByValidator.set.page(store, page, ([, delegator]) => this.getDelegation(store, delegator, owner), keyPrefix([addr, owner]));
  }
  unbondingsPage(store: KVReader, delegator: Uint8Array, page: PageRequest | undefined): Page<Unbonding> {
    return unbondingsByDelegator.set.page(store, page, (key) => unbondings.get(store, unbondingsByDelegator.toPrimary(key)), keyPrefix([addr, delegator]));
  }

  communityPoolAccount(): Uint8Array {
    return this.hooks.communityPoolAccount;
  }
}
