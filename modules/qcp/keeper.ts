// QCP state. Keys live here only (all under "qcp/"; chain ids contain no '/', numbers are 8-byte big-endian
// so they sort numerically and every prefix ends with '/'):
//   qcp/ca                          → QCP root CA ed25519 public key (32 bytes)
//   qcp/p                           → params (JSON)
//   qcp/c/<chain>                   → ChainInfo (registered counterpart, its relayers)
//   qcp/os/<chain>                  → out-sequence toward <chain> (u64 BE)
//   qcp/is/<chain>                  → in-sequence from <chain> (u64 BE): last delivered
//   qcp/o/<chain>/<seq u64 BE>      → OutboxEntry toward <chain> (the bytes a relayer proves)
//   qcp/x/<chain>/<seq u64 BE>      → ResultPayload the destination sent back for our entry <seq>
//   qcp/h/<chain>/<height u64 BE>   → source app hash a delivery stated for that source state height
//   qcp/e/<chain>/<denom>           → amount escrowed here for transfers toward <chain> (decimal)
//   qcp/v/<chain>/<denom>           → vouchers minted here for transfers from <chain>, outstanding (decimal)
// Supply per chain: a transfer out either escrows coins in the module account "qcp_escrow" (e += amount)
// or, when this chain holds vouchers from the destination, burns them (v -= amount). The destination mints
// a voucher (its v += amount) or releases from its escrow (its e -= amount). So per denom and route,
// e on one side == v on the other once every message and result is delivered, and the escrow account's
// balance of a denom == Σ e over chains (checked as an invariant).
import { storedParams } from "../../app/params.js";
import { createHash } from "node:crypto";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import type { Coin } from "../../app/coins.js";
import type { Event } from "../../app/events.js";
import type { Context, ModuleAccount } from "../../app/module.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { bytesToKey, keyToBytes, prefixEnd } from "../../app/state/kv.js";
import { ChainInfo, OutboxEntry, ResultPayload } from "../../gen/qos/qcp/v1/types.js";
import { QcpErrors } from "./errors.js";
import * as events from "./events.js";
import { DefaultParams, ParamsSchema, type Params } from "./params.js";
import { paginate, type Page, type PageRequest } from "../../app/query.js";

export const EscrowAccountName = "qcp_escrow";
export const escrowAccount = moduleAddress(EscrowAccountName);
/** qcp's module account: escrows native coins sent away; its permissions mint and burn vouchers */
export const QcpModuleAccount = { name: EscrowAccountName, permissions: ["minter", "burner"] } as const satisfies ModuleAccount;
const RootCaKey = "qcp/ca";
const ParamsKey = "qcp/p";
const params = storedParams(ParamsKey, ParamsSchema, DefaultParams);
const ChainPrefix = "qcp/c/";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function u64be(n: bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b.toString("latin1");
}

/** The state key of outbox entry `sequence` toward `to` (what a relayer asks /store/key to prove). */
export function outboxKey(to: string, sequence: bigint): string {
  return `qcp/o/${to}/${u64be(sequence)}`;
}
export const outboxKeyBytes = (to: string, sequence: bigint): Uint8Array => keyToBytes(outboxKey(to, sequence));
const outSeqKey = (chain: string) => `qcp/os/${chain}`;
const inSeqKey = (chain: string) => `qcp/is/${chain}`;
const resultKey = (chain: string, seq: bigint) => `qcp/x/${chain}/${u64be(seq)}`;
const appHashKey = (chain: string, height: bigint) => `qcp/h/${chain}/${u64be(height)}`;
const escrowKey = (chain: string, denom: string) => `qcp/e/${chain}/${denom}`;
const voucherKey = (chain: string, denom: string) => `qcp/v/${chain}/${denom}`;

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
  checkRecipient(address: Uint8Array, field?: string): void;
}

function readU64(store: KVReader, key: string): bigint {
  const raw = store.get(key);
  return raw ? Buffer.from(raw).readBigUInt64BE() : 0n;
}
function writeU64(store: KVStore, key: string, n: bigint): void {
  store.set(key, keyToBytes(u64be(n)));
}
function readAmount(store: KVReader, key: string): bigint {
  const raw = store.get(key);
  return raw ? BigInt(decoder.decode(raw)) : 0n;
}
function writeAmount(store: KVStore, key: string, n: bigint): void {
  if (n === 0n) store.delete(key);
  else store.set(key, encoder.encode(n.toString()));
}

export class QcpKeeper {
  constructor(readonly bank: QcpBank) {}

  getRootCa(store: KVReader): Uint8Array | undefined {
    return store.get(RootCaKey);
  }
  setRootCa(store: KVStore, key: Uint8Array): void {
    store.set(RootCaKey, key);
  }

  getParams(store: KVReader): Params {
    return params.get(store);
  }
  setParams(store: KVStore, value: Params): void {
    params.set(store, value);
  }

  getChain(store: KVReader, chain: string): ChainInfo | undefined {
    const raw = store.get(ChainPrefix + chain);
    return raw ? ChainInfo.decode(raw) : undefined;
  }
  requireChain(store: KVReader, chain: string): ChainInfo {
    const info = this.getChain(store, chain);
    if (!info) throw QcpErrors.unknownChain.with(`chain ${JSON.stringify(chain)} is not registered here (MsgInitQcp)`);
    return info;
  }
  setChain(store: KVStore, info: ChainInfo): void {
    store.set(ChainPrefix + info.chainId, ChainInfo.encode(info).finish());
  }
  *allChains(store: KVReader): IterableIterator<ChainInfo> {
    for (const [, value] of store.iterate(ChainPrefix, prefixEnd(ChainPrefix))) yield ChainInfo.decode(value);
  }

  /** One page of the registered chains, by chain id (app/query.ts pagination). */
  chainsPage(store: KVReader, page: PageRequest | undefined): Page<ChainInfo> {
    return paginate(store, ChainPrefix, page, (_, value) => ChainInfo.decode(value));
  }

  getOutSequence(store: KVReader, chain: string): bigint {
    return readU64(store, outSeqKey(chain));
  }
  getInSequence(store: KVReader, chain: string): bigint {
    return readU64(store, inSeqKey(chain));
  }
  setInSequence(store: KVStore, chain: string, seq: bigint): void {
    writeU64(store, inSeqKey(chain), seq);
  }
  /** genesis import only */
  setOutSequence(store: KVStore, chain: string, seq: bigint): void {
    writeU64(store, outSeqKey(chain), seq);
  }

  getEntryBytes(store: KVReader, chain: string, seq: bigint): Uint8Array | undefined {
    return store.get(outboxKey(chain, seq));
  }
  getEntry(store: KVReader, chain: string, seq: bigint): OutboxEntry | undefined {
    const raw = this.getEntryBytes(store, chain, seq);
    return raw ? OutboxEntry.decode(raw) : undefined;
  }
  /** genesis import only: the exact stored bytes */
  putEntryBytes(store: KVStore, chain: string, seq: bigint, bytes: Uint8Array): void {
    store.set(outboxKey(chain, seq), bytes);
  }
  *allEntries(store: KVReader, chain: string): IterableIterator<[bigint, Uint8Array]> {
    const prefix = `qcp/o/${chain}/`;
    for (const [key, value] of store.iterate(prefix, prefixEnd(prefix))) {
      yield [Buffer.from(keyToBytes(key.slice(prefix.length))).readBigUInt64BE(), value];
    }
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
    ctx.store.set(outboxKey(to, sequence), bytes);
    writeU64(ctx.store, outSeqKey(to), sequence);
    ctx.events.push(events.enqueueEvent({ to, from: entry.from, sequence, hash: entryHash(bytes), isResult }));
    return sequence;
  }

  getResult(store: KVReader, chain: string, seq: bigint): ResultPayload | undefined {
    const raw = store.get(resultKey(chain, seq));
    return raw ? ResultPayload.decode(raw) : undefined;
  }
  setResult(store: KVStore, chain: string, result: ResultPayload): void {
    store.set(resultKey(chain, result.origSequence), ResultPayload.encode(result).finish());
  }
  *allResults(store: KVReader, chain: string): IterableIterator<ResultPayload> {
    const prefix = `qcp/x/${chain}/`;
    for (const [, value] of store.iterate(prefix, prefixEnd(prefix))) yield ResultPayload.decode(value);
  }

  getAppHash(store: KVReader, chain: string, height: bigint): Uint8Array | undefined {
    return store.get(appHashKey(chain, height));
  }
  setAppHash(store: KVStore, chain: string, height: bigint, hash: Uint8Array): void {
    store.set(appHashKey(chain, height), hash);
  }
  /** [source height, app hash] recorded for a source chain, by height */
  *allAppHashes(store: KVReader, chain: string): IterableIterator<[bigint, Uint8Array]> {
    const prefix = `qcp/h/${chain}/`;
    for (const [key, value] of store.iterate(prefix, prefixEnd(prefix))) {
      yield [keyToBytes(key.slice(prefix.length)).reduce((n, b) => (n << 8n) | BigInt(b), 0n), value];
    }
  }

  getEscrowed(store: KVReader, chain: string, denom: string): bigint {
    return readAmount(store, escrowKey(chain, denom));
  }
  setEscrowed(store: KVStore, chain: string, denom: string, n: bigint): void {
    writeAmount(store, escrowKey(chain, denom), n);
  }
  getVouchers(store: KVReader, chain: string, denom: string): bigint {
    return readAmount(store, voucherKey(chain, denom));
  }
  setVouchers(store: KVStore, chain: string, denom: string, n: bigint): void {
    writeAmount(store, voucherKey(chain, denom), n);
  }
  /** [kind, chain, denom, amount] for every escrow/voucher record */
  *allLedger(store: KVReader): IterableIterator<["e" | "v", string, string, bigint]> {
    for (const kind of ["e", "v"] as const) {
      const prefix = `qcp/${kind}/`;
      for (const [key, value] of store.iterate(prefix, prefixEnd(prefix))) {
        const rest = key.slice(prefix.length);
        const slash = rest.indexOf("/");
        yield [kind, rest.slice(0, slash), rest.slice(slash + 1), BigInt(decoder.decode(value))];
      }
    }
  }

  /** The escrow account holds, per denom, at least the sum of the escrow records (anyone may send it more). */
  checkInvariants(store: KVReader): void {
    const sums = new Map<string, bigint>();
    for (const [kind, , denom, amount] of this.allLedger(store)) {
      if (kind === "e") sums.set(denom, (sums.get(denom) ?? 0n) + amount);
    }
    for (const [denom, sum] of sums) {
      const held = this.bank.getBalance(store, escrowAccount, denom);
      if (held < sum) throw QcpErrors.invariantBroken.with(`escrow records of ${denom} sum to ${sum}, ${toAccAddress(escrowAccount)} holds ${held}`);
    }
  }
}

export { bytesToKey };
