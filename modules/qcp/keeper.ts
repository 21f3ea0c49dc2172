// QCP state. Keys live here only, as collections (all under "qcp/"; chain ids contain no '/' and end with
// one (delimitedStringKey), numbers are 8-byte big-endian so they sort numerically):
//   qcp/ca                          → QCP root CA ed25519 public key (32 bytes)
//   qcp/p                           → params (JSON)
//   qcp/c/<chain>                   → ChainInfo (registered counterpart, its relayers)
//   qcp/os/<chain>                  → out-sequence toward <chain> (u64 BE)
//   qcp/is/<chain>                  → in-sequence from <chain> (u64 BE): last delivered
//   qcp/o/<chain>/<seq u64 BE>      → OutboxEntry toward <chain> (the bytes a relayer proves)
//   qcp/x/<chain>/<seq u64 BE>      → ResultPayload the destination sent back for our entry <seq>
//   qcp/k/<chain>                   → ClientState: the light client of counterpart <chain>
//   qcp/s/<chain>/<height u64 BE>   → ConsensusState the client verified at header height <height>
//   qcp/u/<id u64 BE>               → SubstituteClient <id> (governance recovery; ids from qcp/un, from 1)
//   qcp/un                          → the last substitute id given out (u64 BE)
//   qcp/ui/<chain>/<id u64 BE>      → (empty) index: the substitutes of <chain>
//   qcp/t/<id u64 BE>/<height u64 BE> → ConsensusState substitute <id> verified at header height <height>
//   qcp/e/<chain>/<denom>           → amount of local <denom> escrowed here for transfers toward <chain> (decimal)
//   qcp/v/<chain>/<denom>           → vouchers outstanding here for <denom> as named on <chain> (decimal)
//   qcp/d/<voucher denom>           → DenomTrace of a voucher minted here: the chain and denom it stands for
// Vouchers are namespaced by route: coins of <denom> arriving from <chain> are minted here as
// voucherDenom(<chain>, <denom>) = "qcp/" + upper-case hex sha256("<chain>/<denom>"), never as <denom>
// itself, so equal names from different chains never mix. A transfer out of a voucher whose trace names
// the destination goes home: it is burned (v -= amount) and the destination releases its escrow of the
// traced denom (its e -= amount). Any other transfer out (a native coin, or a voucher going elsewhere)
// escrows the local denom in the module account "qcp_escrow" (e += amount) and the destination mints its
// own voucher (its v += amount). So per route and denom, e on one side == v on the other once every
// message and result is delivered; the escrow account's balance of a denom ≥ Σ e over chains, and every
// voucher's supply == its v record (both checked as invariants).
import { storedParams } from "../../app/params.js";
import { createHash } from "node:crypto";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import type { Coin } from "../../app/coins.js";
import type { Event } from "../../app/events.js";
import type { Context, ModuleAccount } from "../../app/module.js";
import {
  Item, StoreMap, bigintValue, bytesValue, delimitedStringKey, keyPrefix, protoValue, stringKey, tupleKey, u64Key, u64Value,
} from "../../app/state/collections.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { keyToBytes } from "../../app/state/kv.js";
import { ChainInfo, ClientState, ConsensusState, DenomTrace, OutboxEntry, ResultPayload, SubstituteClient } from "../../gen/qos/qcp/v1/types.js";
import { QcpErrors } from "./errors.js";
import * as events from "./events.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";
import type { Page, PageRequest } from "../../app/query.js";

const chainId = delimitedStringKey("/");
const rootCa = new Item("qcp/ca", bytesValue);
const params = storedParams("qcp/p", ParamsSchema, DefaultParams);
const chains = new StoreMap("qcp/c/", stringKey, protoValue(ChainInfo));
const outSequences = new StoreMap("qcp/os/", stringKey, u64Value);
const inSequences = new StoreMap("qcp/is/", stringKey, u64Value);
/** the encoded entries as stored: their bytes are what a relayer proves and a result refers to */
const outbox = new StoreMap("qcp/o/", tupleKey(chainId, u64Key), bytesValue);
const results = new StoreMap("qcp/x/", tupleKey(chainId, u64Key), protoValue(ResultPayload));
const clients = new StoreMap("qcp/k/", stringKey, protoValue(ClientState));
const consensusStates = new StoreMap("qcp/s/", tupleKey(chainId, u64Key), protoValue(ConsensusState));
const substitutes = new StoreMap("qcp/u/", u64Key, protoValue(SubstituteClient));
const lastSubstituteId = new Item("qcp/un", u64Value);
const substitutesOfChain = new StoreMap("qcp/ui/", tupleKey(chainId, u64Key), bytesValue);
const substituteStates = new StoreMap("qcp/t/", tupleKey(u64Key, u64Key), protoValue(ConsensusState));
const escrowed = new StoreMap("qcp/e/", tupleKey(chainId, stringKey), bigintValue);
const vouchers = new StoreMap("qcp/v/", tupleKey(chainId, stringKey), bigintValue);
const traces = new StoreMap("qcp/d/", stringKey, protoValue(DenomTrace));
/** the entries of one chain in a map keyed <chain>/...: keyPrefix of its first part */
const ofChain = (chain: string) => ({ within: keyPrefix([chainId, chain]) });

export const EscrowAccountName = "qcp_escrow";
export const escrowAccount = moduleAddress(EscrowAccountName);
/** qcp's module account: escrows native coins sent away; its permissions mint and burn vouchers */
export const QcpModuleAccount = { name: EscrowAccountName, permissions: ["minter", "burner"] } as const satisfies ModuleAccount;

/** The state key of outbox entry `sequence` toward `to` (what a relayer asks /store/key to prove). */
export const outboxKey = (to: string, sequence: bigint): string => outbox.storeKey([to, sequence]);
export const outboxKeyBytes = (to: string, sequence: bigint): Uint8Array => keyToBytes(outboxKey(to, sequence));
/** The out- and in-sequence with `chain` as qoscli --verify proves them (absent = 0). */
export const sequenceEntries = (chain: string) => ({ out: outSequences.provable(chain), in: inSequences.provable(chain) });
/** A voucher's DenomTrace as qoscli --verify proves it (absent: no voucher of that denom was minted here). */
export const traceEntry = (voucher: string) => traces.provable(voucher);

/** The denom of the voucher minted here for `denom` arriving from `chain` (see the header comment). */
export function voucherDenom(chain: string, denom: string): string {
  return "qcp/" + createHash("sha256").update(`${chain}/${denom}`).digest("hex").toUpperCase();
}

export const entryHash = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Address of `sender` (on `sourceChain`)'s interchain account on this chain. */
export function interchainAccount(sourceChain: string, sender: string): Uint8Array {
  return moduleAddress(`qcp/ica/${sourceChain}/${sender}`);
}

/** What qcp needs from bank (its escrow account's handle): escrow in and out, vouchers minted to
 *  receivers (never a module account) and burned from senders. */
export interface QcpBank {
  sendFromAccountToModule(store: KVStore, events: Event[], from: Uint8Array, coins: readonly Coin[]): void;
  sendFromModuleToAccount(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
  mint(store: KVStore, events: Event[] | undefined, to: Uint8Array, coins: readonly Coin[]): void;
  burn(store: KVStore, events: Event[] | undefined, from: Uint8Array, coins: readonly Coin[]): void;
  getBalance(store: KVReader, address: Uint8Array, denom: string): bigint;
  getSupply(store: KVReader, denom: string): bigint;
  checkRecipient(address: Uint8Array, field?: string): void;
}

/** a ledger amount: absent = 0, and 0 is deleted rather than stored */
function setAmount(map: typeof escrowed, store: KVStore, chain: string, denom: string, n: bigint): void {
  if (n === 0n) map.delete(store, [chain, denom]);
  else map.set(store, [chain, denom], n);
}

/** The refusal of a client that is missing, frozen or expired (`status` from clientStatus); the frozen
 *  height is read only for that message, so callers keep their own store reads (metered). */
export function requireActive(chain: string, status: ReturnType<QcpKeeper["clientStatus"]>, frozenHeight: () => bigint): void {
  if (status === undefined) throw QcpErrors.clientNotFound.with(`chain ${JSON.stringify(chain)} has no light client here`);
  if (status === "frozen") throw QcpErrors.clientFrozen.with(`the client of ${chain} is frozen (misbehaviour at height ${frozenHeight()}) until governance replaces it`);
  if (status === "expired") throw QcpErrors.clientExpired.with(`the client of ${chain} was not updated within its trusting period`);
}

/** The refusal of a substitute that is missing, frozen or expired: the client codes for the last two. */
export function requireActiveSubstitute(id: bigint, status: ReturnType<QcpKeeper["clientStatus"]>): void {
  if (status === undefined) throw QcpErrors.substituteNotFound.with(`there is no substitute client ${id}`);
  if (status === "frozen") throw QcpErrors.clientFrozen.with(`substitute client ${id} is frozen by misbehaviour`);
  if (status === "expired") throw QcpErrors.clientExpired.with(`substitute client ${id} was not updated within its trusting period`);
}

/**
 * One light client's state, wherever it is kept: the client of a chain that deliveries use (substitute
 * 0) or a substitute client. The update and freeze rules run on either through this.
 */
export interface ClientSlot {
  readonly chain: string;
  /** 0 for the chain's own client */
  readonly substitute: bigint;
  getClient(store: KVReader): ClientState | undefined;
  setClient(store: KVStore, client: ClientState): void;
  getState(store: KVReader, height: bigint): ConsensusState | undefined;
  setState(store: KVStore, height: bigint, state: ConsensusState): void;
  deleteState(store: KVStore, height: bigint): void;
  /** stored states with from <= height < to (to absent: to the end), lowest first */
  statesBetween(store: KVReader, from: bigint, to?: bigint): IterableIterator<[bigint, ConsensusState]>;
}

export class QcpKeeper {
  constructor(readonly bank: QcpBank) {}

  getRootCa(store: KVReader): Uint8Array | undefined {
    return rootCa.get(store);
  }
  setRootCa(store: KVStore, key: Uint8Array): void {
    rootCa.set(store, key);
  }

  getParams(store: KVReader): Params {
    return params.get(store);
  }
  setParams(store: KVStore, value: Params): void {
    params.set(store, value);
  }

  getChain(store: KVReader, chain: string): ChainInfo | undefined {
    return chains.get(store, chain);
  }
  requireChain(store: KVReader, chain: string): ChainInfo {
    const info = this.getChain(store, chain);
    if (!info) throw QcpErrors.unknownChain.with(`chain ${JSON.stringify(chain)} is not registered here (MsgInitQcp)`);
    return info;
  }
  setChain(store: KVStore, info: ChainInfo): void {
    chains.set(store, info.chainId, info);
  }
  *allChains(store: KVReader): IterableIterator<ChainInfo> {
    for (const [, info] of chains.entries(store)) yield info;
  }

  /** One page of the registered chains, by chain id (app/query.ts pagination). */
  chainsPage(store: KVReader, page: PageRequest | undefined): Page<ChainInfo> {
    return chains.page(store, page, (_, info) => info);
  }

  getOutSequence(store: KVReader, chain: string): bigint {
    return outSequences.get(store, chain) ?? 0n;
  }
  getInSequence(store: KVReader, chain: string): bigint {
    return inSequences.get(store, chain) ?? 0n;
  }
  setInSequence(store: KVStore, chain: string, seq: bigint): void {
    inSequences.set(store, chain, seq);
  }
  /** genesis import only */
  setOutSequence(store: KVStore, chain: string, seq: bigint): void {
    outSequences.set(store, chain, seq);
  }

  getEntryBytes(store: KVReader, chain: string, seq: bigint): Uint8Array | undefined {
    return outbox.get(store, [chain, seq]);
  }
  getEntry(store: KVReader, chain: string, seq: bigint): OutboxEntry | undefined {
    const raw = this.getEntryBytes(store, chain, seq);
    return raw ? OutboxEntry.decode(raw) : undefined;
  }
  /** genesis import only: the exact stored bytes */
  putEntryBytes(store: KVStore, chain: string, seq: bigint, bytes: Uint8Array): void {
    outbox.set(store, [chain, seq], bytes);
  }
  *allEntries(store: KVReader, chain: string): IterableIterator<[bigint, Uint8Array]> {
    for (const [[, seq], bytes] of outbox.entries(store, ofChain(chain))) yield [seq, bytes];
  }

  /**
   * The one way any module sends a cross-chain message: appends an entry to the outbox toward `to`
   * (sequence = out + 1, no gaps) and emits the indexed `qcp` event {to, from, sequence, hash}.
   * Runs in the caller's store: if the caller's transaction fails, the entry and its event go with it.
   */
  enqueue(ctx: Pick<Context, "store" | "block" | "events">, to: string, payloadType: string, payload: Uint8Array, isResult = false): bigint {
    this.requireChain(ctx.store, to);
    if (!isResult && payload.length > this.getParams(ctx.store).max_payload_bytes) {
      throw QcpErrors.invalidField.with(`payload of ${payload.length} bytes is over max_payload_bytes`);
    }
    const sequence = this.getOutSequence(ctx.store, to) + 1n;
    const entry: OutboxEntry = {
      from: ctx.block.chainId, to, sequence, height: BigInt(ctx.block.height), isResult, payloadType, payload,
    };
    const bytes = OutboxEntry.encode(entry).finish();
    outbox.set(ctx.store, [to, sequence], bytes);
    outSequences.set(ctx.store, to, sequence);
    ctx.events.push(events.enqueueEvent({ to, from: entry.from, sequence, hash: entryHash(bytes), isResult }));
    return sequence;
  }

  getResult(store: KVReader, chain: string, seq: bigint): ResultPayload | undefined {
    return results.get(store, [chain, seq]);
  }
  setResult(store: KVStore, chain: string, result: ResultPayload): void {
    results.set(store, [chain, result.origSequence], result);
  }
  *allResults(store: KVReader, chain: string): IterableIterator<ResultPayload> {
    for (const [, result] of results.entries(store, ofChain(chain))) yield result;
  }

  getClient(store: KVReader, chain: string): ClientState | undefined {
    return clients.get(store, chain);
  }
  setClient(store: KVStore, client: ClientState): void {
    clients.set(store, client.chainId, client);
  }
  *allClients(store: KVReader): IterableIterator<ClientState> {
    for (const [, client] of clients.entries(store)) yield client;
  }
  getConsensusState(store: KVReader, chain: string, height: bigint): ConsensusState | undefined {
    return consensusStates.get(store, [chain, height]);
  }
  setConsensusState(store: KVStore, chain: string, height: bigint, state: ConsensusState): void {
    consensusStates.set(store, [chain, height], state);
  }
  deleteConsensusState(store: KVStore, chain: string, height: bigint): void {
    consensusStates.delete(store, [chain, height]);
  }
  /** [header height, consensus state] of a client, lowest height first */
  *allConsensusStates(store: KVReader, chain: string): IterableIterator<[bigint, ConsensusState]> {
    for (const [[, height], state] of consensusStates.entries(store, ofChain(chain))) yield [height, state];
  }

  /** The stored consensus states of `chain` with from <= height < to (to absent: to the end), lowest first. */
  *consensusStatesBetween(store: KVReader, chain: string, from: bigint, to?: bigint): IterableIterator<[bigint, ConsensusState]> {
    const at = (h: bigint) => keyPrefix([chainId, chain], [u64Key, h]);
    const range = { within: keyPrefix([chainId, chain]), from: at(from), to: to === undefined ? undefined : at(to) };
    for (const [[, height], state] of consensusStates.entries(store, range)) yield [height, state];
  }

  /** "active", "frozen" (misbehaviour proven) or "expired" (latest consensus state older than the
   *  trusting period at block time `nowSeconds`); undefined if the chain has no client. */
  clientStatus(store: KVReader, chain: string, nowSeconds: bigint): "active" | "frozen" | "expired" | undefined {
    return this.slotStatus(store, this.clientSlot(chain), nowSeconds);
  }
  slotStatus(store: KVReader, slot: ClientSlot, nowSeconds: bigint): "active" | "frozen" | "expired" | undefined {
    const client = slot.getClient(store);
    if (!client) return undefined;
    if (client.frozenHeight !== 0n) return "frozen";
    const latest = slot.getState(store, client.latestHeight);
    if (!latest?.timestamp || latest.timestamp.seconds + BigInt(client.trustingPeriodSeconds) <= nowSeconds) return "expired";
    return "active";
  }

  /** The client of `chain` that deliveries use, as a slot. */
  clientSlot(chain: string): ClientSlot {
    return {
      chain, substitute: 0n,
      getClient: (store) => this.getClient(store, chain),
      setClient: (store, client) => this.setClient(store, client),
      getState: (store, height) => this.getConsensusState(store, chain, height),
      setState: (store, height, state) => this.setConsensusState(store, chain, height, state),
      deleteState: (store, height) => this.deleteConsensusState(store, chain, height),
      statesBetween: (store, from, to) => this.consensusStatesBetween(store, chain, from, to),
    };
  }

  /** Substitute client `id` (of `chain`, as stored) as a slot; setClient keeps its id and creator. */
  substituteSlot(sub: SubstituteClient): ClientSlot {
    const id = sub.id;
    const at = (h: bigint) => keyPrefix([u64Key, id], [u64Key, h]);
    return {
      chain: sub.client!.chainId, substitute: id,
      getClient: (store) => substitutes.get(store, id)?.client,
      setClient: (store, client) => substitutes.set(store, id, { ...sub, client }),
      getState: (store, height) => substituteStates.get(store, [id, height]),
      setState: (store, height, state) => substituteStates.set(store, [id, height], state),
      deleteState: (store, height) => substituteStates.delete(store, [id, height]),
      statesBetween: function* (store, from, to) {
        const range = { within: keyPrefix([u64Key, id]), from: at(from), to: to === undefined ? undefined : at(to) };
        for (const [[, height], state] of substituteStates.entries(store, range)) yield [height, state];
      },
    };
  }

  getSubstitute(store: KVReader, id: bigint): SubstituteClient | undefined {
    return substitutes.get(store, id);
  }
  /** The substitutes of `chain`, lowest id first (at most client_max_substitutes). */
  substitutesOf(store: KVReader, chain: string): SubstituteClient[] {
    const out: SubstituteClient[] = [];
    for (const [[, id]] of substitutesOfChain.entries(store, ofChain(chain))) out.push(substitutes.get(store, id)!);
    return out;
  }
  /** Stores a new substitute (the next id) with its first consensus state; returns its id. */
  addSubstitute(store: KVStore, client: ClientState, creator: string, state: ConsensusState): bigint {
    const id = (lastSubstituteId.get(store) ?? 0n) + 1n;
    lastSubstituteId.set(store, id);
    substitutes.set(store, id, { id, client, creator });
    substitutesOfChain.set(store, [client.chainId, id], new Uint8Array());
    substituteStates.set(store, [id, client.latestHeight], state);
    return id;
  }
  /** Genesis import: registers substitute `id` of `chain` (its client and states are then written through
   *  its slot) and keeps the id counter at or above it, so a new substitute never reuses an id. */
  importSubstitute(store: KVStore, id: bigint, chain: string, creator: string): SubstituteClient {
    const sub: SubstituteClient = { id, client: ClientState.fromPartial({ chainId: chain }), creator };
    substitutes.set(store, id, sub);
    substitutesOfChain.set(store, [chain, id], new Uint8Array());
    if ((lastSubstituteId.get(store) ?? 0n) < id) lastSubstituteId.set(store, id);
    return sub;
  }
  lastSubstituteId(store: KVReader): bigint {
    return lastSubstituteId.get(store) ?? 0n;
  }
  setLastSubstituteId(store: KVStore, id: bigint): void {
    lastSubstituteId.set(store, id);
  }
  /** Every substitute, lowest id first. */
  *allSubstitutes(store: KVReader): IterableIterator<SubstituteClient> {
    for (const [, sub] of substitutes.entries(store)) yield sub;
  }

  /** Removes substitute `id`, its consensus states and its index entry. */
  removeSubstitute(store: KVStore, sub: SubstituteClient): void {
    const heights = [...this.substituteSlot(sub).statesBetween(store, 0n)].map(([h]) => h);
    for (const h of heights) substituteStates.delete(store, [sub.id, h]);
    substitutesOfChain.delete(store, [sub.client!.chainId, sub.id]);
    substitutes.delete(store, sub.id);
  }

  /**
   * The app hash a delivery from `chain` proven at `proofHeight` must be checked against: the app hash
   * of the header of that height, verified by the client (the source state after block proofHeight - 1).
   * Refuses a missing, frozen or expired client and a height the client has not verified.
   */
  verifiedAppHash(store: KVReader, chain: string, proofHeight: bigint, nowSeconds: bigint): Uint8Array {
    requireActive(chain, this.clientStatus(store, chain, nowSeconds), () => this.getClient(store, chain)!.frozenHeight);
    const state = this.getConsensusState(store, chain, proofHeight);
    if (!state) throw QcpErrors.consensusStateNotFound.with(`the client of ${chain} has not verified height ${proofHeight} (update it first)`);
    return state.appHash;
  }

  getEscrowed(store: KVReader, chain: string, denom: string): bigint {
    return escrowed.get(store, [chain, denom]) ?? 0n;
  }
  setEscrowed(store: KVStore, chain: string, denom: string, n: bigint): void {
    setAmount(escrowed, store, chain, denom, n);
  }
  getVouchers(store: KVReader, chain: string, denom: string): bigint {
    return vouchers.get(store, [chain, denom]) ?? 0n;
  }
  setVouchers(store: KVStore, chain: string, denom: string, n: bigint): void {
    setAmount(vouchers, store, chain, denom, n);
  }
  /** The trace of a voucher minted here (undefined for any other denom). */
  getTrace(store: KVReader, voucher: string): DenomTrace | undefined {
    return traces.get(store, voucher);
  }
  /** Records where voucherDenom(trace) comes from (idempotent); returns that denom. */
  setTrace(store: KVStore, trace: DenomTrace): string {
    const denom = voucherDenom(trace.chainId, trace.denom);
    if (!traces.has(store, denom)) traces.set(store, denom, { chainId: trace.chainId, denom: trace.denom });
    return denom;
  }
  /** [voucher denom, trace], by voucher denom */
  *allTraces(store: KVReader): IterableIterator<[string, DenomTrace]> {
    yield* traces.entries(store);
  }

  /** Local `denom` leaves for `chain`: from `from` into escrow (e += amount). */
  escrow(store: KVStore, events: Event[], chain: string, denom: string, from: Uint8Array, amount: bigint): void {
    this.bank.sendFromAccountToModule(store, events, from, [{ denom, amount }]);
    this.setEscrowed(store, chain, denom, this.getEscrowed(store, chain, denom) + amount);
  }
  /** Local `denom` escrowed toward `chain` comes back to `to` (e -= amount); refused if e is short. */
  release(store: KVStore, events: Event[], chain: string, denom: string, to: Uint8Array, amount: bigint): void {
    const held = this.getEscrowed(store, chain, denom);
    if (held < amount) throw QcpErrors.escrowShort.with(`${held}${denom} escrowed toward ${chain}, ${amount} returning`);
    this.bank.sendFromModuleToAccount(store, events, to, [{ denom, amount }]);
    this.setEscrowed(store, chain, denom, held - amount);
  }
  /** Mints to `to` the voucher for `denom` of `chain` (recording its trace on first mint; v += amount). */
  mintVoucher(store: KVStore, events: Event[], chain: string, denom: string, to: Uint8Array, amount: bigint): string {
    const voucher = this.setTrace(store, { chainId: chain, denom });
    this.bank.mint(store, events, to, [{ denom: voucher, amount }]);
    this.setVouchers(store, chain, denom, this.getVouchers(store, chain, denom) + amount);
    return voucher;
  }
  /** Burns `from`'s voucher `voucher` (traced to `trace`) on its way home (v -= amount). */
  burnVoucher(store: KVStore, events: Event[], voucher: string, trace: DenomTrace, from: Uint8Array, amount: bigint): void {
    this.bank.burn(store, events, from, [{ denom: voucher, amount }]);
    const outstanding = this.getVouchers(store, trace.chainId, trace.denom);
    // the burn succeeded, so the supply was ≥ amount, and the supply == outstanding (invariant)
    if (outstanding < amount) throw QcpErrors.invariantBroken.with(`${outstanding} ${voucher} outstanding, ${amount} burned`);
    this.setVouchers(store, trace.chainId, trace.denom, outstanding - amount);
  }

  /** [kind, chain, denom, amount] for every escrow/voucher record */
  *allLedger(store: KVReader): IterableIterator<["e" | "v", string, string, bigint]> {
    for (const [kind, map] of [["e", escrowed], ["v", vouchers]] as const) {
      for (const [[chain, denom], amount] of map.entries(store)) yield [kind, chain, denom, amount];
    }
  }

  /** The escrow account holds, per denom, at least the sum of the escrow records (anyone may send it more);
   *  every voucher has a trace and a supply equal to its outstanding record (only qcp mints and burns it). */
  checkInvariants(store: KVReader): void {
    const sums = new Map<string, bigint>();
    const outstanding = new Map<string, bigint>();
    for (const [kind, chain, denom, amount] of this.allLedger(store)) {
      if (kind === "e") sums.set(denom, (sums.get(denom) ?? 0n) + amount);
      else outstanding.set(voucherDenom(chain, denom), amount);
    }
    for (const [voucher, amount] of outstanding) {
      if (!traces.has(store, voucher)) throw QcpErrors.invariantBroken.with(`${amount} ${voucher} outstanding without a denom trace`);
    }
    for (const [voucher, trace] of traces.entries(store)) {
      const supply = this.bank.getSupply(store, voucher);
      const recorded = outstanding.get(voucher) ?? 0n;
      if (supply !== recorded) throw QcpErrors.invariantBroken.with(`${voucher} (${trace.denom} from ${trace.chainId}): supply ${supply}, outstanding ${recorded}`);
    }
    for (const [denom, sum] of sums) {
      const held = this.bank.getBalance(store, escrowAccount, denom);
      if (held < sum) throw QcpErrors.invariantBroken.with(`escrow records of ${denom} sum to ${sum}, ${toAccAddress(escrowAccount)} holds ${held}`);
    }
  }
}
