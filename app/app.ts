// QosApp: the state machine behind the ABCI connections. It keeps three states (spec "States and ABCI++
// Connections"): the committed versions (queries, Info), the block's working set (FinalizeBlock, written
// at Commit in one batch) and the mempool's check state (CheckTx, reset at every Commit).
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import {
  CheckTxType,
  ExecTxResult,
  MisbehaviorType,
  ResponseProcessProposal_ProposalStatus as ProposalStatus,
  type Event,
  type RequestCheckTx,
  type RequestFinalizeBlock,
  type RequestInfo,
  type RequestInitChain,
  type RequestPrepareProposal,
  type RequestProcessProposal,
  type RequestQuery,
  type ResponseCheckTx,
  type ResponseCommit,
  type ResponseFinalizeBlock,
  type ResponseInfo,
  type ResponseInitChain,
  type ResponsePrepareProposal,
  type ResponseProcessProposal,
  type ResponseQuery,
  ResponseVerifyVoteExtension_VerifyStatus as VerifyStatus,
  ResponseOfferSnapshot_Result as OfferSnapshotResult,
  ResponseApplySnapshotChunk_Result as ApplySnapshotChunkResult,
  type RequestApplySnapshotChunk,
  type RequestLoadSnapshotChunk,
  type RequestOfferSnapshot,
  type ResponseApplySnapshotChunk,
  type ResponseListSnapshots,
  type ResponseLoadSnapshotChunk,
  type ResponseOfferSnapshot,
} from "cosmjs-types/tendermint/abci/types";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { createHash } from "node:crypto";
import { parseGasPrice, type GasPrice } from "./coins.js";
import { AppError, Errors, grpcLog, toAppError } from "./errors.js";
import { event, withIndexPolicy } from "./events.js";
import { GasMeter, GasStore } from "./gas.js";
import type { AnteHandler, BlockInfo, Chain, Context, Module, ValidatorUpdate } from "./module.js";
import { Method } from "../gen/names.js";
import { Router } from "./router.js";
import { uvarintSize } from "./varint.js";
import "./protobuf-writer.js";
import { CacheStore, type Change, type KVReader, type KVStore } from "./state/kv.js";
import { encodeProof, rootHash, update as updateTree } from "./state/smt.js";
import { checkNextHeight, CommitStore, type PreparedState, type StateStore } from "./state/store.js";
import { DiskStore, type PruningOptions } from "./state/disk/store.js";
import { decodePassedTx, decodeTx, type DecodedTx, type VerifiedSigner } from "./tx/decode.js";
import { VerifyPool } from "./tx/verify-pool.js";
import { requestSchemaOfMethod, validateWire } from "./tx/wire.js";
import { SignatureCache, verifierName } from "./tx/verify.js";
import { ByteLru } from "./cache.js";
import { checkResponseSize, DefaultQueryLimits, QueryBudget, type QueryLimits } from "./query.js";
import { SnapshotManager, type SnapshotOptions } from "./snapshots.js";
import { Progress, type LogSink } from "./log.js";

export const AppName = "qos-ts";
/** default bound of the decoded-tx cache: 64 MiB ≈ 500 txs of the largest size, 100,000 transfers */
export const DefaultTxCacheBytes = 64 * 1024 * 1024;
/** What a decoded tx keeps alive, for the cache's bound: its bytes (a copy) and the decoded messages,
 *  counted as as many bytes again. */
export const decodedTxBytes = (txLength: number) => 2 * txLength;
export const AppVersion = "0.1.0";
/** the protocol version reported to CometBFT (block header version.app) */
export const ProtocolVersion = 1n;
export const ProofOpType = "qos:smt";
export const StoreKeyQueryPath = "/store/key";

const ChainIdKey = "app/chain_id";
const InitialHeightKey = "app/initial_height";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface AppOptions<C extends Chain = Chain> {
  /** the composed chain (chain/index.ts composeChain): modules, ante handler, what blocks depend on */
  chain: C;
  /** LevelDB directory of the application state */
  dbPath: string;
  /** node-local minimum gas price for CheckTx, e.g. "0.025uqos"; empty = accept any fee */
  minGasPrice?: string;
  /** where committed state lives (config/app.json state_backend): "memory" = every pair in memory, the last
   *  keepRecent versions answer queries (CommitStore); "disk" = versions on disk behind bounded caches,
   *  kept as `pruning` says (DiskStore, issue 13). Default "memory". */
  stateBackend?: "memory" | "disk";
  /** memory backend: how many recent versions answer queries */
  keepRecent?: number;
  /** disk backend: bytes the state's value and node caches may hold (config/app.json state_cache_mb) */
  stateCacheBytes?: number;
  /** disk backend: which committed versions stay on disk (config/app.json pruning*); default every version */
  pruning?: PruningOptions;
  /** blocks CometBFT must keep (Commit's retain_height = height − min_retain_blocks); 0 keeps every block */
  minRetainBlocks?: number;
  /** bytes the decoded-tx cache may hold (default 64 MiB); config/app.json tx_cache_bytes */
  txCacheBytes?: number;
  /** bytes the signature cache may hold (default 8 MiB); config/app.json signature_cache_bytes */
  signatureCacheBytes?: number;
  /** worker threads that decode and verify CheckTx NEW txs off the main thread (app/tx/verify-pool.ts);
   *  0 or absent: none, every tx is checked inline. config/app.json verify_workers */
  verifyWorkers?: number;
  /** check every module invariant after each block and halt on a violation (tests turn it on) */
  checkInvariants?: boolean;
  /** software upgrades (governance plans, by name) this binary has been told are done
   *  (`qosd start --upgrade-done <name>`): the chain continues past their height */
  upgradesDone?: readonly string[];
  /** state sync: where snapshots live, how often they are taken (0 = never; restoring works either way)
   *  and how many are kept; without it the node neither serves nor restores snapshots */
  snapshots?: SnapshotOptions;
  /** "type.attribute" pairs this node has CometBFT index (config/app.json index_events); empty or absent:
   *  each attribute as its module marks it. Never reaches a result hash: see withIndexPolicy */
  indexEvents?: readonly string[];
  /** bounds of every query (app/query.ts); defaults DefaultQueryLimits */
  queryLimits?: Partial<QueryLimits>;
  log?: LogSink;
  /** told every CheckTx and block tx result (metrics in cmd/); must not throw, and nothing it does can
   *  reach a result */
  observer?: AppObserver;
}

/** What the app tells an observer (operators' metrics) about each tx it ran. */
export interface AppObserver {
  /** `module`: the module of the tx's first message ("" when the tx did not decode) */
  txResult?(mode: "check" | "deliver", result: { code: number; codespace: string; module: string; gasUsed: bigint }): void;
}

/** One of the node's caches, for operators: entries, bytes held and allowed, lookups that hit and missed. */
export interface CacheUsage {
  name: string;
  entries: number;
  bytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
}

interface TxOutcome {
  code: number;
  codespace: string;
  /** the module of the first message ("" before the tx decoded): for the observer only */
  module: string;
  log: string;
  gasWanted: bigint;
  gasUsed: bigint;
  events: Event[];
  data: Uint8Array;
}

export class QosApp<C extends Chain = Chain> {
  readonly modules: Module[];
  readonly router: Router;
  /** the composed chain the app runs (its keepers, for tests and tools, through C) */
  readonly keepers: C;
  /** the chain's profile (genesis app_state.profile must name it) */
  readonly profile: string;
  readonly signatureCache: SignatureCache;
  /** decoded txs by sha256 of their bytes, bounded in bytes, filled only by txs that passed the ante
   *  handler (D11); `cacheStats` shows it */
  private readonly decodedTxs: ByteLru<DecodedTx>;
  readonly verifierName = verifierName;
  private readonly minGasPrice?: GasPrice;
  private readonly ante: AnteHandler;
  private readonly log: LogSink;
  private readonly queryLimits: QueryLimits;
  /** AppOptions.indexEvents as a set; undefined when empty (the modules' own flags stand) */
  private readonly indexedEvents?: ReadonlySet<string>;
  private chainId = "";
  private initialHeight = 1;
  /** genesis writes, held until the first block is committed with them: as InitChain's branch (the first
   *  block reads through it) and sorted by key (the first block's changes are merged into them) */
  private genesis?: { state: KVReader; changes: Change[] };
  private checkState: CacheStore;
  private pending?: PreparedState;
  private lastBlockTimeNs = 0n;
  /** the height of the block lastBlockTimeNs is the time of (0: none finalized since the app opened) */
  private lastBlockTimeHeight = 0;
  /** state sync: taking, serving and restoring snapshots (undefined: refused as by the ABCI server) */
  readonly snapshots?: SnapshotManager;
  /** CheckTx's stateless work in worker threads (AppOptions.verifyWorkers) */
  readonly verifyPool?: VerifyPool;

  private constructor(
    readonly store: StateStore,
    private readonly options: AppOptions<C>,
  ) {
    this.log = options.log ?? ((line) => console.error(line));
    this.decodedTxs = new ByteLru(options.txCacheBytes ?? DefaultTxCacheBytes);
    this.signatureCache = new SignatureCache(options.signatureCacheBytes);
    this.queryLimits = { ...DefaultQueryLimits, ...options.queryLimits };
    if (options.indexEvents?.length) this.indexedEvents = new Set(options.indexEvents);
    this.keepers = options.chain;
    this.profile = this.keepers.profile;
    this.modules = this.keepers.modules;
    this.router = new Router(this.modules);
    this.router.addQuery(Method.cosmos.tx.v1beta1.Service.Simulate, (_ctx, request) => this.simulate(request));
    this.minGasPrice = options.minGasPrice ? parseGasPrice(options.minGasPrice) : undefined;
    this.ante = this.keepers.ante;
    this.checkState = new CacheStore(store.latest.reader);
    this.loadChainInfo();
    if (options.snapshots) this.snapshots = new SnapshotManager(store, options.snapshots, this.log, () => this.afterRestore());
    const worker = this.keepers.verifyWorker;
    if ((options.verifyWorkers ?? 0) > 0 && worker) {
      this.verifyPool = new VerifyPool({ workers: options.verifyWorkers!, script: worker.script, chain: worker.data, log: this.log });
    }
  }

  /** A snapshot became the latest version: what the app derives from the latest version is derived
   *  again (chain id and initial height from the state, the check state). The last block time stays
   *  unknown until the next block, as after a restart. */
  private afterRestore(): void {
    this.loadChainInfo();
    this.checkState = new CacheStore(this.store.latest.reader);
  }

  static async open<C extends Chain>(options: AppOptions<C>): Promise<QosApp<C>> {
    const store: StateStore =
      options.stateBackend === "disk"
        ? await DiskStore.open(options.dbPath, { cacheBytes: options.stateCacheBytes, pruning: options.pruning })
        : await CommitStore.open(options.dbPath, { keepRecent: options.keepRecent });
    return new QosApp(store, options);
  }

  async close(): Promise<void> {
    await this.verifyPool?.close();
    await this.snapshots?.close();
    await this.store.close();
  }

  get lastHeight(): number {
    return this.store.latest.height;
  }

  /** the height of the next block: the genesis initial height before the first commit */
  get nextHeight(): number {
    return this.lastHeight === 0 ? this.initialHeight : this.lastHeight + 1;
  }

  private loadChainInfo(): void {
    const reader = this.store.latest.reader;
    const chainId = reader.get(ChainIdKey);
    if (chainId) this.chainId = decoder.decode(chainId);
    const initial = reader.get(InitialHeightKey);
    if (initial) this.initialHeight = Number(decoder.decode(initial));
  }

  // ---- ABCI: info connection ----

  /**
   * Info (query connection). CometBFT calls it on every start, before anything else, to reconcile
   * heights (handshake: it replays the blocks the app lacks through FinalizeBlock + Commit), and for RPC
   * `abci_info`. Reads only the last committed version: its height (0 before the first Commit, which
   * makes CometBFT send InitChain) and its app hash, which must equal the one FinalizeBlock returned for
   * that height. Writes nothing; never reports a height whose Commit has not completed.
   */
  info(_req: RequestInfo): ResponseInfo {
    const latest = this.store.latest;
    return {
      data: AppName,
      version: AppVersion,
      appVersion: ProtocolVersion,
      lastBlockHeight: BigInt(latest.height),
      lastBlockAppHash: latest.height === 0 ? new Uint8Array() : latest.appHash,
    };
  }

  /**
   * Query (query connection): RPC `abci_query` and CosmJS. `path` is a full gRPC method (D5) or
   * `/store/key` (a raw key, with `prove` a Merkle proof against the app hash of the next header). Reads
   * one committed version (`height`, 0 = latest; only kept versions) through a query budget; writes
   * nothing and never sees a block's uncommitted state. Never throws: a failure is a non-zero code with
   * a gRPC-style log, and the response height is the one resolved (CosmJS needs it non-zero).
   */
  query(req: RequestQuery): ResponseQuery {
    const height = req.height === 0n ? this.lastHeight : Number(req.height);
    const fail = (err: AppError): ResponseQuery => ({
      code: err.code,
      codespace: err.codespace,
      log: grpcLog(err),
      info: "",
      index: 0n,
      key: new Uint8Array(),
      value: new Uint8Array(),
      height: BigInt(height),
    });
    try {
      if (req.path === StoreKeyQueryPath) {
        const version = this.queryVersion(height);
        const key = Buffer.from(req.data).toString("latin1");
        const value = version.reader.get(key);
        return {
          code: 0,
          codespace: "",
          log: value ? "exists" : "does not exist",
          info: "",
          index: 0n,
          key: req.data,
          value: value ?? new Uint8Array(),
          height: BigInt(height),
          proofOps: req.prove
            ? { ops: [{ type: ProofOpType, key: req.data, data: encodeProof(version.prove(key)) }] }
            : undefined,
        };
      }
      const value = this.runQuery(req.path, req.data, height, { prove: req.prove });
      return { code: 0, codespace: "", log: "", info: "", index: 0n, key: new Uint8Array(), value, height: BigInt(height) };
    } catch (e) {
      return fail(asQueryError(e));
    }
  }

  /**
   * The query code both transports run (D5): ABCI Query (above) and the gRPC server (app/grpc) call it with
   * the full method path. Reads the committed version at `height` (0 = latest; callers report the height
   * they resolved), runs the router's handler; throws an AppError (a request that does not decode is an
   * invalid request). Synchronous, so it sees one committed version: the switch happens at Commit.
   */
  runQuery(path: string, data: Uint8Array, height: number, options: { prove?: boolean } = {}): Uint8Array {
    try {
      const version = this.queryVersion(height);
      const handler = this.router.query(path);
      if (!handler) throw Errors.unknownRequest.with(`unknown query path ${JSON.stringify(path)}`);
      if (options.prove) throw Errors.notSupported.with(`proofs are served for ${StoreKeyQueryPath} only`);
      validateQueryRequest(path, data);
      // every query reads through a budget and answers within the response cap (both transports come here)
      const timeNs = version.height === this.lastBlockTimeHeight ? this.lastBlockTimeNs : undefined;
      const response = handler({ store: new QueryBudget(version.reader, this.queryLimits), height: version.height, timeNs }, data);
      return checkResponseSize(path, response, this.queryLimits);
    } catch (e) {
      throw asQueryError(e);
    }
  }

  /** The committed version a query at `height` (0 = latest) reads; invalid height when it is not kept. */
  private queryVersion(height: number) {
    const latest = this.store.latest;
    if (latest.height === 0) throw Errors.invalidHeight.with("no block has been committed yet");
    const version = this.store.at(height === 0 ? latest.height : height);
    if (!version) {
      const prunedBelow = this.store.prunedBelow;
      if (height >= 1 && height < prunedBelow) throw Errors.invalidHeight.with(`state at height ${height} is pruned (earliest kept height ${prunedBelow}, latest ${latest.height})`);
      throw Errors.invalidHeight.with(`state at height ${height} is not available (latest ${latest.height}; recent heights only)`);
    }
    return version;
  }

  // ---- ABCI: mempool connection ----

  /**
   * CheckTx (mempool connection), for a new tx (NEW) and again for every mempool tx after each Commit
   * (RECHECK). Runs decoding and the ante handler only (signatures, sequence, fee, the node's minimum gas
   * price) on the check state, a branch of the last committed version that accepted txs advance
   * (sequences, fees) and that Commit resets. Code 0 admits the tx to the mempool. Never executes
   * messages, never writes the committed state or the block's state, never throws (a bad tx is a
   * non-zero code); events are not returned (CometBFT does not index them here).
   */
  /**
   * CheckTx requests as the ABCI server reads them, before they wait their turn: NEW txs go to the verify
   * workers (when there are any), whose answers CheckTx uses when it comes to them. Reads the check state's
   * max_tx_bytes only (larger txs stay on the main thread); answers nothing, changes no state.
   */
  checkTxArrived(reqs: readonly RequestCheckTx[]): void {
    if (!this.verifyPool) return;
    const txs = reqs.filter((r) => r.type !== CheckTxType.RECHECK).map((r) => r.tx);
    if (txs.length > 0) this.verifyPool.submit(txs, this.chainId, this.keepers.maxTxBytes(this.checkState));
  }

  checkTx(req: RequestCheckTx): ResponseCheckTx {
    const block: BlockInfo = { chainId: this.chainId, height: this.nextHeight, timeNs: this.lastBlockTimeNs };
    const outcome = this.runTx(this.checkState, req.tx, "check", block);
    this.options.observer?.txResult?.("check", outcome);
    return {
      code: outcome.code,
      codespace: outcome.codespace,
      log: outcome.log,
      info: "",
      data: new Uint8Array(),
      gasWanted: outcome.gasWanted,
      gasUsed: outcome.gasUsed,
      events: [],
    };
  }

  // ---- ABCI: consensus connection ----

  /**
   * InitChain (consensus connection), once, when Info reported height 0 (again after a crash before the
   * first Commit). Parses genesis app_state (its profile must be this chain's), initialises every module
   * in order, runs the genesis txs fee-free, registers CometBFT's genesis validators, checks invariants
   * and returns the validator set and the genesis app hash. Its writes are held in memory, not committed:
   * the first block's FinalizeBlock starts from them and its Commit persists them. Throws (CometBFT stops)
   * on an invalid genesis or when the app already has state.
   */
  initChain(req: RequestInitChain): ResponseInitChain {
    if (this.lastHeight !== 0) throw new Error(`InitChain at height ${this.lastHeight}: the app already has state`);
    this.chainId = req.chainId;
    this.initialHeight = Number(req.initialHeight) || 1;
    let appState: Record<string, unknown>;
    try {
      const text = decoder.decode(req.appStateBytes).trim();
      appState = text === "" ? {} : JSON.parse(text);
    } catch (e) {
      throw new Error(`genesis app_state is not valid JSON: ${(e as Error).message}`);
    }
    const profile = appState.profile ?? "qos";
    if (profile !== this.profile) {
      throw new Error(`genesis app_state.profile is ${JSON.stringify(profile)} but this node runs profile ${JSON.stringify(this.profile)}`);
    }
    // Height 0 holds no pairs: genesis reads what genesis wrote, or nothing. Reading through the store
    // would cost the disk backend a round trip to its worker for every absent key (millions at scale).
    const genesis = new CacheStore(NothingCommitted);
    genesis.set(ChainIdKey, encoder.encode(this.chainId));
    genesis.set(InitialHeightKey, encoder.encode(String(firstHeight(appState.app, this.initialHeight))));
    const ctx = this.blockContext(genesis, { chainId: this.chainId, height: 0, timeNs: timestampNs(req.time) }, "genesis");
    // a genesis with many accounts takes a while: say how far it got
    const progress = new Progress(this.log);
    this.modules.forEach((module, i) => {
      module.initGenesis?.(ctx, appState[module.name] ?? module.defaultGenesis?.());
      progress.step(() => `InitChain: genesis of ${module.name} done (${i + 1} of ${this.modules.length} modules)`);
    });
    // Genesis transactions (qosd gentx / collect-gentxs): signed txs, e.g. MsgCreateValidator, run fee-free.
    const genTxs = (appState.genutil as { gen_txs?: string[] } | undefined)?.gen_txs ?? [];
    genTxs.forEach((encoded, i) => {
      const outcome = this.runTx(genesis, Buffer.from(encoded, "base64"), "genesis", ctx.block);
      if (outcome.code !== 0) throw new Error(`genesis transaction ${i} failed (code ${outcome.code}, ${outcome.codespace}): ${outcome.log}`);
      progress.step(() => `InitChain: genesis transaction ${i + 1} of ${genTxs.length} done`);
    });
    const cometValidators = req.validators
      .filter((v) => v.pubKey?.ed25519 && v.pubKey.ed25519.length > 0)
      .map((v) => ({ pubKey: v.pubKey!.ed25519!, power: v.power }));
    for (const module of this.modules) module.genesisValidators?.(ctx, cometValidators);
    for (const module of this.modules) module.checkInvariants?.(genesis);
    const validators = this.modules.flatMap((m) => m.validatorUpdates?.(ctx) ?? []).map(toAbciValidatorUpdate);
    this.genesis = { state: genesis, changes: genesis.changes() };
    // The genesis app hash is the tree of the genesis pairs over an empty state (lastHeight is 0). The
    // in-memory tree builds it from the leaves in one pass; the disk store's prepare would also lay out
    // every page, only for the first block's prepare to lay them out again (a minute of CPU at 1M accounts).
    checkNextHeight(this.initialHeight, 0);
    const appHash = rootHash(updateTree(null, this.genesis.changes));
    this.log(`InitChain: chain ${this.chainId}, initial height ${this.initialHeight}, ${validators.length} validators from genesis txs, app hash ${hex(appHash)}`);
    return { validators, appHash };
  }

  /**
   * PrepareProposal (consensus connection), on the proposer only: returns the block's txs, the mempool's
   * in order while they fit in `max_tx_bytes` counted with CometBFT's per-tx protobuf overhead (more
   * would make CometBFT panic; an empty response proposes an empty block). Reads and writes no state.
   * May be non-deterministic, but must never return more than it was given room for.
   */
  prepareProposal(req: RequestPrepareProposal): ResponsePrepareProposal {
    // Take mempool txs in order while they fit, counting the protobuf overhead CometBFT counts per tx.
    const txs: Uint8Array[] = [];
    let size = 0n;
    for (const tx of req.txs) {
      const framed = BigInt(tx.length + 1 + uvarintSize(tx.length));
      if (size + framed > req.maxTxBytes) break;
      size += framed;
      txs.push(tx);
    }
    return { txs };
  }

  /**
   * ProcessProposal (consensus connection), on every validator for every proposed block (the proposer's
   * own included; not for blocks replayed or block-synced). ACCEPT or REJECT, never UNKNOWN (CometBFT
   * panics). Must be deterministic: reads only the last committed version (the guardian's halt), writes
   * nothing, and does not execute the block (FinalizeBlock gives every tx its own result).
   */
  processProposal(req: RequestProcessProposal): ResponseProcessProposal {
    // Every tx of a block gets its own result in FinalizeBlock (a bad tx costs its sender, not the
    // block). A halted network (a genesis guardian's MsgHaltNetwork, in the committed state every node
    // shares) rejects every proposal: no block gets a majority, so no node makes another block, and
    // every node keeps answering queries (the reason: /qos.guardian.v1.Query/Halt).
    const halt = this.lastHeight > 0 ? this.keepers.haltReason(this.store.latest.reader) : undefined;
    if (halt) {
      this.log(`HALT: refusing the proposal for height ${req.height} (round proposals stop here): network ${halt}`, "warn");
      return { status: ProposalStatus.REJECT };
    }
    return { status: ProposalStatus.ACCEPT };
  }

  /**
   * Why the block at `height` must not run on `state` (its start state), if it must not:
   *  - a genesis guardian halted the network (also refused in ProcessProposal, see there);
   *  - a software upgrade governance scheduled for this height (or earlier) that this binary has not been
   *    told is done: `qosd start --upgrade-done <name>`, or an app version ≥ the plan's version.
   * FinalizeBlock then throws: the ABCI server answers with an exception, CometBFT stops without applying
   * the block, and a restart replays it (with the upgrade marked done, the chain continues).
   */
  private refuseBlock(state: KVStore, height: number): string | undefined {
    const halt = this.keepers.haltReason(state);
    if (halt) return `HALT THE NETWORK at height ${height}: ${halt}`;
    const plan = this.keepers.upgradePlan(state);
    if (plan && BigInt(height) >= plan.height) {
      const done = (this.options.upgradesDone ?? []).includes(plan.name) || (plan.version !== "" && compareVersions(AppVersion, plan.version) >= 0);
      if (!done) {
        return `UPGRADE ${plan.name} NEEDED at height ${plan.height}${plan.version ? ` (version ${plan.version}; this is ${AppVersion})` : ""}: ` +
          `stop, install the new version if there is one and restart with \`qosd start --upgrade-done ${plan.name}\``;
      }
      this.log(`upgrade ${plan.name} is done (height ${plan.height}): continuing`);
    }
    return undefined;
  }

  /**
   * ExtendVote (consensus connection): called only when vote extensions are enabled
   * (consensus_params.abci.vote_extensions_enable_height > 0; QOS leaves them off). Returns an empty
   * extension; reads and writes no state.
   */
  extendVote(): { voteExtension: Uint8Array } {
    return { voteExtension: new Uint8Array() };
  }

  /**
   * VerifyVoteExtension (consensus connection): with extensions off never called; ACCEPT (never
   * UNKNOWN: CometBFT panics). Deterministic; reads and writes no state.
   */
  verifyVoteExtension(): { status: VerifyStatus } {
    return { status: VerifyStatus.ACCEPT };
  }

  /**
   * FinalizeBlock (consensus connection): executes the decided block at the next height on a fresh
   * branch of the last committed version (plus the genesis writes before the first Commit): begin block
   * of every module, each tx (ante then messages; exactly one result per tx, in order, a failing tx a
   * non-zero code), end block, validator updates (effective at H+2), and returns the app hash of the
   * resulting state. Nothing is persisted: the result waits for Commit, so a replay after a crash runs
   * the same block again with the same result. Deterministic (block time only, D7). Throws (CometBFT
   * stops without applying the block) for a wrong height, a halted network or an upgrade not done.
   */
  finalizeBlock(req: RequestFinalizeBlock): ResponseFinalizeBlock {
    const height = Number(req.height);
    if (height !== this.nextHeight) {
      throw new Error(`FinalizeBlock for height ${height}, but the next height is ${this.nextHeight} (last committed ${this.lastHeight})`);
    }
    // The first block branches off the genesis writes (nothing is committed below them) rather than copying
    // them: a genesis of a million accounts would be copied and sorted again for every FinalizeBlock of it.
    const blockState = new CacheStore(this.genesis?.state ?? this.store.latest.reader);
    const refused = this.refuseBlock(blockState, height);
    if (refused) {
      this.log(refused, "error");
      throw new Error(refused);
    }
    const block: BlockInfo = {
      chainId: this.chainId,
      height,
      timeNs: timestampNs(req.time),
      proposer: req.proposerAddress,
      lastCommit: (req.decidedLastCommit?.votes ?? []).map((v) => ({
        address: v.validator?.address ?? new Uint8Array(),
        power: v.validator?.power ?? 0n,
        signed: v.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT,
      })),
      misbehavior: req.misbehavior
        .filter((m) => m.type === MisbehaviorType.DUPLICATE_VOTE)
        .map((m) => ({ address: m.validator?.address ?? new Uint8Array(), height: Number(m.height), timeNs: timestampNs(m.time) })),
    };
    const blockEvents: Event[] = [];
    const hookCtx = this.blockContext(blockState, block, "deliver", blockEvents);
    for (const module of this.modules) module.beginBlock?.(hookCtx);
    const txResults = req.txs.map((tx) => {
      const outcome = this.runTx(blockState, tx, "deliver", block);
      this.options.observer?.txResult?.("deliver", outcome);
      const { code, codespace, log, gasWanted, gasUsed, data } = outcome;
      const events = this.indexedEvents ? withIndexPolicy(outcome.events, this.indexedEvents) : outcome.events;
      return ExecTxResult.fromPartial({ code, codespace, log, gasWanted, gasUsed, events, data });
    });
    for (const module of this.modules) module.endBlock?.(hookCtx);
    const validatorUpdates = this.modules.flatMap((m) => m.validatorUpdates?.(hookCtx) ?? []).map(toAbciValidatorUpdate);
    if (this.options.checkInvariants) for (const module of this.modules) module.checkInvariants?.(blockState);
    this.pending = this.store.prepare(height, this.genesis ? overlaySorted(this.genesis.changes, blockState.changes()) : blockState.changes());
    this.lastBlockTimeNs = block.timeNs;
    this.lastBlockTimeHeight = height;
    return {
      events: this.indexedEvents ? withIndexPolicy(blockEvents, this.indexedEvents) : blockEvents,
      txResults,
      validatorUpdates,
      appHash: this.pending.appHash,
    };
  }

  /**
   * Commit (consensus connection), after FinalizeBlock: persists the finalized block's state, height and
   * app hash in one atomic batch (Info reports them from now on), makes it the version queries read, and
   * resets the check state to it (CometBFT then rechecks the mempool). CometBFT holds the mempool lock:
   * no CheckTx runs meanwhile. Never changes the state FinalizeBlock computed. retain_height lets
   * CometBFT drop blocks older than min_retain_blocks (0: keep every block).
   */
  async commit(): Promise<ResponseCommit> {
    if (!this.pending) throw new Error("Commit without a finalized block");
    const pending = this.pending;
    this.pending = undefined;
    await this.store.commit(pending);
    this.genesis = undefined;
    this.checkState = new CacheStore(this.store.latest.reader);
    this.snapshots?.afterCommit(this.store.latest.height);
    const keep = this.options.minRetainBlocks ?? 0;
    return { retainHeight: keep > 0 && pending.height > keep ? BigInt(pending.height - keep) : 0n };
  }

  // ---- ABCI: snapshot connection (state sync; app/snapshots.ts) ----

  listSnapshots(): ResponseListSnapshots {
    return this.snapshots?.listSnapshots() ?? { snapshots: [] };
  }

  loadSnapshotChunk(req: RequestLoadSnapshotChunk): Promise<ResponseLoadSnapshotChunk> | ResponseLoadSnapshotChunk {
    return this.snapshots?.loadSnapshotChunk(req) ?? { chunk: new Uint8Array() };
  }

  offerSnapshot(req: RequestOfferSnapshot): ResponseOfferSnapshot {
    return this.snapshots?.offerSnapshot(req) ?? { result: OfferSnapshotResult.ABORT };
  }

  applySnapshotChunk(req: RequestApplySnapshotChunk): Promise<ResponseApplySnapshotChunk> | ResponseApplySnapshotChunk {
    return this.snapshots?.applySnapshotChunk(req) ?? { result: ApplySnapshotChunkResult.ABORT, refetchChunks: [], rejectSenders: [] };
  }

  // ---- transactions ----

  private blockContext(store: KVStore, block: BlockInfo, mode: Context["mode"], events: Event[] = []): Context {
    return { store, block, gas: new GasMeter(), events, mode };
  }

  /** Runs one transaction on `base`: ante on a branch, messages on a branch of that; writes what succeeded. */
  private runTx(base: KVStore, bytes: Uint8Array, mode: "check" | "deliver" | "simulate" | "genesis", block: BlockInfo): TxOutcome {
    let gasWanted = 0n;
    let meter = new GasMeter(0n);
    let events: Event[] = [];
    let module = "";
    try {
      const maxTxBytes = this.keepers.maxTxBytes(base);
      const { tx, cacheKey, workerFacts } = this.decode(bytes, maxTxBytes, mode);
      module = tx.msgs.length > 0 ? moduleOf(tx.msgs[0].typeUrl) : "";
      gasWanted = tx.authInfo.fee?.gasLimit ?? 0n;
      meter = new GasMeter(mode === "simulate" ? undefined : gasWanted);
      const anteBranch = new CacheStore(base);
      const anteCtx = { store: new GasStore(anteBranch, meter), unmeteredStore: anteBranch, block, gas: meter, events, mode };
      const { parsed } = this.ante(anteCtx, tx, { simulate: mode === "simulate", minGasPrice: this.minGasPrice, signatureCache: this.signatureCache });
      // the sender has paid (signatures and fee checked): now the decoded tx may take cache memory, for
      // the recheck and the block that will see the same bytes
      if (mode === "check" || mode === "deliver") this.decodedTxs.set(cacheKey, tx, decodedTxBytes(tx.bytes.length));
      if (mode === "check") {
        if (this.verifyPool) this.teachVerifyPool(tx, workerFacts);
        anteBranch.write();
        return { code: 0, codespace: "", module, log: "", gasWanted, gasUsed: meter.consumed, events, data: new Uint8Array() };
      }
      const msgBranch = new CacheStore(anteBranch);
      const msgEvents: Event[] = [];
      const responses: { typeUrl: string; value: Uint8Array }[] = [];
      try {
        tx.msgs.forEach(({ typeUrl, handler, msg }, index) => {
          const own: Event[] = [];
          const ctx: Context = { store: new GasStore(msgBranch, meter), block, gas: meter, events: own, mode };
          responses.push(handler.execute(ctx, parsed[index]));
          const msgIndex = String(index);
          msgEvents.push(
            event("message", { action: typeUrl, sender: handler.signers(msg)[0] ?? "", module: moduleOf(typeUrl), msg_index: msgIndex }, ["msg_index"]),
            ...own.map((e) => ({ ...e, attributes: [...e.attributes, { key: "msg_index", value: msgIndex, index: false }] })),
          );
        });
      } catch (e) {
        anteBranch.write(); // fee and sequence stay consumed
        const err = toAppError(e);
        return { code: err.code, codespace: err.codespace, module, log: err.message, gasWanted, gasUsed: meter.consumed, events, data: new Uint8Array() };
      }
      msgBranch.write();
      anteBranch.write();
      const data = TxMsgData.encode({ data: [], msgResponses: responses }).finish();
      return { code: 0, codespace: "", module, log: "", gasWanted, gasUsed: meter.consumed, events: [...events, ...msgEvents], data };
    } catch (e) {
      const err = toAppError(e);
      if (err.def === Errors.internal) this.log(`tx failed with an internal error (${mode}): ${err.message}`, "error");
      return { code: err.code, codespace: err.codespace, module, log: err.message, gasWanted, gasUsed: meter.consumed, events: [], data: new Uint8Array() };
    }
  }

  /** decodeTx, remembered by the sha256 of the bytes: CheckTx, each recheck and FinalizeBlock see the
   *  same bytes. Decoding is a pure function of the bytes (and the fixed router), so a cached result is
   *  the one decoding would give: the cache never changes a result. runTx fills it after the ante. */
  private decode(bytes: Uint8Array, maxTxBytes: number, mode: string): { tx: DecodedTx; cacheKey: string; workerFacts?: ReadonlyArray<VerifiedSigner | undefined> } {
    if (bytes.length > maxTxBytes) decodeTx(bytes, this.router, maxTxBytes); // throws "too large"
    const digest = createHash("sha256").update(bytes).digest();
    const cacheKey = digest.toString("latin1");
    const cached = this.decodedTxs.get(cacheKey);
    // only CheckTx asks the workers, and it never waits for what the cache has
    const workerFacts = mode === "check" ? this.verifyPool?.take(cacheKey, cached === undefined) : undefined;
    if (cached) return { tx: cached, cacheKey };
    // a copy: the request's bytes are a view into a socket read buffer that the cache must not pin
    const copy = Uint8Array.from(bytes);
    if (!workerFacts) return { tx: decodeTx(copy, this.router, maxTxBytes, digest), cacheKey };
    // a worker's decodeTx passed these bytes (same router): what it checked is not checked again
    const tx = decodePassedTx(copy, this.router, digest);
    tx.verifiedSigners = workerFacts;
    return { tx, cacheKey, workerFacts };
  }

  /** The account numbers of the signers the workers did not verify a passed tx's signature for (first tx
   *  of an account, a number they did not know, a tx they did not get): they can verify the signers' next txs. */
  private teachVerifyPool(tx: DecodedTx, workerFacts: ReadonlyArray<VerifiedSigner | undefined> | undefined): void {
    tx.verifiedSigners?.forEach((verified, i) => {
      if (verified && workerFacts?.[i]?.accountNumber !== verified.accountNumber) this.verifyPool!.learn(tx.signers[i], verified.accountNumber);
    });
  }

  /** What the node's caches hold (operators, tests): entries and bytes of each, and their bounds. */
  get cacheStats(): { decodedTxs: { entries: number; bytes: number; maxBytes: number }; signatures: { entries: number; bytes: number } } {
    return {
      decodedTxs: { entries: this.decodedTxs.size, bytes: this.decodedTxs.bytes, maxBytes: this.decodedTxs.maxBytes },
      signatures: { entries: this.signatureCache.size, bytes: this.signatureCache.bytes },
    };
  }

  /** Every cache of the app with its use, for operators (metrics); reading it changes nothing. */
  get cacheUsage(): CacheUsage[] {
    const signatures = this.signatureCache;
    const txs = this.decodedTxs;
    return [
      { name: "decoded_txs", entries: txs.size, bytes: txs.bytes, maxBytes: txs.maxBytes, hits: txs.hits, misses: txs.misses },
      { name: "signatures", entries: signatures.size, bytes: signatures.bytes, maxBytes: signatures.maxBytes, hits: signatures.hits, misses: signatures.misses },
    ];
  }

  /** /cosmos.tx.v1beta1.Service/Simulate: runs the tx on a throw-away branch of the latest state. */
  private simulate(request: Uint8Array): Uint8Array {
    const req = SimulateRequest.decode(request);
    // the deprecated `tx` (a decoded Tx) is what older clients send: its parts encoded as the TxRaw they stand for
    const txBytes = req.txBytes.length > 0 || !req.tx ? req.txBytes : TxRaw.encode({
      bodyBytes: TxBody.encode(req.tx.body ?? TxBody.fromPartial({})).finish(),
      authInfoBytes: AuthInfo.encode(req.tx.authInfo ?? AuthInfo.fromPartial({})).finish(),
      signatures: req.tx.signatures,
    }).finish();
    if (txBytes.length === 0) throw Errors.invalidRequest.with("SimulateRequest has neither tx_bytes nor tx");
    // CosmJS sends a Tx (body, auth_info, signatures); its bytes decode as a TxRaw with the same fields.
    const block: BlockInfo = { chainId: this.chainId, height: this.nextHeight, timeNs: this.lastBlockTimeNs };
    const outcome = this.runTx(new CacheStore(this.store.latest.reader), txBytes, "simulate", block);
    if (outcome.code !== 0) throw new AppError(Errors.invalidRequest, `simulation failed: ${outcome.log}`);
    return SimulateResponse.encode({
      gasInfo: { gasWanted: outcome.gasWanted, gasUsed: outcome.gasUsed },
      result: { data: new Uint8Array(), log: "", events: outcome.events, msgResponses: [] },
    }).finish();
  }

  /** The current state as genesis app_state (qosd export). */
  exportAppState(): Record<string, unknown> {
    return Object.fromEntries(this.exportAppStateParts());
  }

  /** The current state as genesis app_state, one top-level field at a time (`qosd export` writes each
   *  before it builds the next): "app" (the chain's first height: a chain started from the export
   *  stores the same, so its genesis state and app hash are the exported ones), then every module. */
  *exportAppStateParts(): IterableIterator<[string, unknown]> {
    const reader = this.store.latest.reader;
    const first = reader.get(InitialHeightKey);
    yield ["app", { initial_height: first ? decoder.decode(first) : String(this.initialHeight) }];
    for (const module of this.modules) if (module.exportGenesis) yield [module.name, module.exportGenesis(reader)];
  }

  get chain(): { chainId: string; initialHeight: number } {
    return { chainId: this.chainId, initialHeight: this.initialHeight };
  }
}

/** `base` with `top` written over it, both sorted by key (a key in both takes top's change): sorted. */
function overlaySorted(base: readonly Change[], top: readonly Change[]): Change[] {
  const out: Change[] = new Array(base.length + top.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < base.length && j < top.length) {
    const a = base[i][0];
    const b = top[j][0];
    if (a < b) out[n++] = base[i++];
    else {
      if (a === b) i++;
      out[n++] = top[j++];
    }
  }
  while (i < base.length) out[n++] = base[i++];
  while (j < top.length) out[n++] = top[j++];
  out.length = n;
  return out;
}

/** The state before the first commit: no pairs. */
const NothingCommitted: KVReader = {
  get: () => undefined,
  has: () => false,
  *iterate() {},
};

/** The height the chain first started at: genesis app_state.app.initial_height of an exported chain
 *  (kept in the state so that the state stays the exported one), else the genesis initial height. */
function firstHeight(app: unknown, initialHeight: number): number {
  if (app === undefined) return initialHeight;
  const value = (app as { initial_height?: unknown } | null)?.initial_height;
  if (typeof value !== "string" || !/^[1-9][0-9]{0,15}$/.test(value) || Number(value) > initialHeight) {
    throw new Error(`genesis app_state.app.initial_height must be a height from 1 to the initial height ${initialHeight}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** Compares x.y.z versions numerically (missing parts are 0). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split(".").map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * A query request passes the strict wire validator before its handler's generated decoder sees it (D11), so
 * no request can make a decoder recurse. Unknown top-level fields are skipped (a client built from newer
 * protos may send fields this node does not know); groups, malformed wire data and unknown nested fields are
 * an invalid request.
 */
function validateQueryRequest(path: string, data: Uint8Array): void {
  const requestSchema = requestSchemaOfMethod(path);
  if (!requestSchema) return;
  try {
    validateWire(data, requestSchema, "query request", { skipUnknownFrom: 1 });
  } catch (e) {
    throw e instanceof AppError ? Errors.invalidRequest.with(e.message) : e;
  }
}

function asQueryError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  // A request that does not decode is the caller's fault, not the node's.
  return Errors.invalidRequest.with(e instanceof Error ? e.message : String(e));
}

function toAbciValidatorUpdate(update: ValidatorUpdate) {
  return { pubKey: { ed25519: update.pubKey }, power: update.power };
}

function moduleOf(typeUrl: string): string {
  return typeUrl.split(".")[1] ?? "";
}

export function timestampNs(time: Timestamp | undefined): bigint {
  return time ? time.seconds * 1_000_000_000n + BigInt(time.nanos) : 0n;
}


function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex").toUpperCase();
}
