// The contract between the framework (app/) and the modules (modules/<name>/index.ts), and what the app
// needs from a composed chain (`Chain`, built by chain/index.ts): the framework never imports a module.
import type { Coin, GasPrice } from "./coins.js";
import type { Event } from "./events.js";
import type { GasMeter } from "./gas.js";
import type { KVReader, KVStore } from "./state/kv.js";
import type { DecodedTx } from "./tx/decode.js";
import type { SignatureCache } from "./tx/verify.js";

/** What the block gives a state transition: never the wall clock (D7). */
export interface BlockInfo {
  chainId: string;
  height: number;
  /** block time in nanoseconds since the epoch */
  timeNs: bigint;
  /** consensus address (20 bytes) of this block's proposer */
  proposer?: Uint8Array;
  /** the previous block's commit: who was in the set and whether it signed (FinalizeBlock decided_last_commit) */
  lastCommit?: ReadonlyArray<{ address: Uint8Array; power: bigint; signed: boolean }>;
  /** evidence of double signing reported in this block */
  misbehavior?: ReadonlyArray<{ address: Uint8Array; height: number; timeNs: bigint }>;
}

/** The block's time in whole seconds, rounded toward −∞ (a time before the epoch is not rounded up).
 *  The one conversion every module uses: deadlines, completion times and phases compare seconds. */
export function blockSeconds(block: { timeNs: bigint }): bigint {
  const ns = block.timeNs;
  return ns >= 0n ? ns / 1_000_000_000n : -((-ns + 999_999_999n) / 1_000_000_000n);
}

/** A change of a validator's consensus power for CometBFT (power 0 removes it). */
export interface ValidatorUpdate {
  /** ed25519 public key, 32 bytes */
  pubKey: Uint8Array;
  power: bigint;
}

export interface Context {
  readonly store: KVStore;
  readonly block: BlockInfo;
  readonly gas: GasMeter;
  readonly events: Event[];
  /** "check" runs in the mempool (no message execution), "deliver" in a block, "simulate" for gas estimates */
  readonly mode: "check" | "deliver" | "simulate" | "genesis";
}

export interface QueryContext {
  readonly store: KVReader;
  readonly height: number;
  /** the time (ns) of the block that made this state, when known: a query of the latest state after a
   *  block this process finalized; undefined for past heights and right after a restart */
  readonly timeNs?: bigint;
}

export interface Codec<T> {
  decode(bytes: Uint8Array): T;
  encode(message: T): { finish(): Uint8Array };
  fromPartial(object: any): T;
}

/** What one message may carry: chain parameters (bank's, changed by governance). A handler checks these
 *  counts first, before the per-party work they bound (parsing addresses and coins). */
export interface MsgLimits {
  /** senders + receivers (or other listed parties) in one message */
  maxParties: number;
  /** coins in one list (one party's, or one message's amount) */
  maxCoins: number;
}

/** What a module account may do besides sending: create coins, destroy coins (the Cosmos SDK's
 *  Minter/Burner permissions). */
export type ModuleAccountPermission = "minter" | "burner";

/** An account a module owns (address = moduleAddress(name)): it holds what that module's accounting
 *  says, so it is a blocked address for every recipient a user chooses. The chain's composition lists
 *  them once (from the modules that own them) and gives each module a bank handle for its own. */
export interface ModuleAccount {
  readonly name: string;
  readonly permissions: readonly ModuleAccountPermission[];
}

/**
 * One message type's handler. The contract parses once: `checkStateless` turns the decoded message into
 * what `execute` works on (addresses as bytes, coins as bigints, decimals as fixed-point), refusing what
 * is malformed; `execute` gets that parsed value and never parses the message again.
 * T: the generated message type; P: its parsed form.
 */
export interface MsgHandler<T = any, P = any> {
  /** e.g. "/qos.bank.v1.MsgTransfer": TypeUrl.qos.bank.v1.MsgTransfer from gen/names.ts, never typed by hand */
  readonly typeUrl: string;
  readonly codec: Codec<T>;
  /** bech32 addresses that must sign, in order */
  signers(msg: T): string[];
  /** checks that need no state but the limits (run by the ante handler in CheckTx and in the block, after
   *  the tx's size gas is charged); throws AppError. Without `limits`, the handler applies its module's
   *  defaults. Returns the parsed message for execute. */
  checkStateless(msg: T, limits?: MsgLimits): P;
  /** checks against state, then the state change; returns the response message to put in TxMsgData */
  execute(ctx: Context, parsed: P): { typeUrl: string; value: Uint8Array };
}

/** Handles a gRPC-style query: request bytes in, response bytes out; throws AppError. */
export type QueryHandler = (ctx: QueryContext, request: Uint8Array) => Uint8Array;

export interface Module {
  readonly name: string;
  readonly msgs?: readonly MsgHandler[];
  /** full method path ("/cosmos.bank.v1beta1.Query/Balance") → handler (D5) */
  readonly queries?: Readonly<Record<string, QueryHandler>>;
  /** JSON value of app_state[name] when genesis does not give one */
  defaultGenesis?(): unknown;
  initGenesis?(ctx: Context, genesis: unknown): void;
  exportGenesis?(store: KVReader): unknown;
  beginBlock?(ctx: Context): void;
  endBlock?(ctx: Context): void;
  /** after endBlock (and at genesis): changes of the consensus set for CometBFT */
  validatorUpdates?(ctx: Context): ValidatorUpdate[];
  /** at InitChain, after genesis and genesis txs: CometBFT's own genesis validators (ed25519 keys of
   *  RequestInitChain.validators), which the app does not manage but which are in the consensus set:
   *  a module that manages the set must never let anyone claim (and later remove) their keys */
  genesisValidators?(ctx: Context, validators: readonly ValidatorUpdate[]): void;
  /** throws with a description when an invariant is broken */
  checkInvariants?(store: KVReader): void;
}

/** What the ante handler runs in: the tx's context (its store metered by the tx's gas meter) and the same
 *  branch unmetered, for the reads and writes the ante does not charge (fee exemption, the fee move). */
export type AnteContext = Context & { readonly unmeteredStore: KVStore };

/** How the app runs the ante handler for one tx. */
export interface AnteOptions {
  /** simulation: no signature or fee checks (CosmJS sends empty signatures and an empty fee) */
  simulate: boolean;
  /** node-local mempool policy, applied in CheckTx only (never in FinalizeBlock: it is not consensus) */
  minGasPrice?: GasPrice;
  /** the node's verified-signature cache (D11: filled only once the fee is paid) */
  signatureCache: SignatureCache;
}

export interface AnteResult {
  gasLimit: bigint;
  fee: Coin[];
  /** each message as its handler's checkStateless parsed it, for execute */
  parsed: unknown[];
}

/**
 * Everything a transaction must pass before its messages run (the SDK's AnteHandler; the chain's is
 * modules/auth/ante.ts). Throws an AppError to refuse the tx. Its writes to ctx.store (sequences, fee)
 * stay even when a message fails afterwards; the app hands `parsed` to the handlers' execute.
 */
export type AnteHandler = (ctx: AnteContext, tx: DecodedTx, options: AnteOptions) => AnteResult;

/** A software upgrade governance scheduled: the app refuses the block at `height` until this binary is
 *  told the upgrade is done. */
export interface UpgradePlan {
  name: string;
  height: bigint;
  version: string;
}

/**
 * What the app (QosApp) needs from a composed chain, nothing more: the framework never imports a module;
 * the composition (chain/index.ts, like the SDK's simapp/app.go) builds the modules, wires them and hands
 * this to the app. Everything here reads state the app passes in; none of it keeps state of its own.
 */
export interface Chain {
  /** the profile the chain was composed for; genesis app_state.profile must name the same */
  readonly profile: string;
  /** the modules in order: genesis, begin/end block and invariants run in this order */
  readonly modules: Module[];
  /** the ante handler every tx passes before its messages */
  readonly ante: AnteHandler;
  /** the largest tx (bytes) the chain accepts: a chain parameter, read before the tx is decoded */
  maxTxBytes(store: KVReader): number;
  /** why no block may be made any more (a genesis guardian halted the network), if so */
  haltReason(store: KVReader): string | undefined;
  /** the software upgrade governance scheduled, if any */
  upgradePlan(store: KVReader): UpgradePlan | undefined;
  /** the worker entry that checks CheckTx's txs off the main thread (app/tx/verify-pool.ts) with this
   *  chain's router, and what it is started with; without it the app checks every tx inline */
  readonly verifyWorker?: { script: URL; data: unknown };
}
