// One in-process chain for the simulation: a QosApp driven through its ABCI methods the way CometBFT
// drives it (InitChain, CheckTx, PrepareProposal, ProcessProposal, FinalizeBlock, Commit), with a model
// of CometBFT's validator set: updates returned at height H take effect at H+2, a block's
// decided_last_commit lists the previous height's set, the proposer is one of the block's set.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { ResponseCheckTx, ResponseFinalizeBlock, ResponseQuery, type ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import type { QosApp } from "../app/app.js";
import { openApp, type Profile, type QosChain } from "../chain/index.js";

export type StateBackend = "memory" | "disk";

export interface CometValidator {
  pubKey: Uint8Array;
  power: bigint;
}
/** consensus address (hex) → validator */
export type ValidatorSet = Map<string, CometValidator>;

export const consAddress = (pubKey: Uint8Array): Uint8Array => new Uint8Array(createHash("sha256").update(pubKey).digest().subarray(0, 20));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Thrown for anything that ends a run as a failure: a crash out of an ABCI method, a broken invariant,
 *  a determinism or export mismatch. */
export class SimFailure extends Error {
  constructor(readonly kind: string, readonly height: number, detail: string) {
    super(`${kind} at height ${height}: ${detail}`);
  }
}

export interface BlockInput {
  /** the block's txs (already through CheckTx or not: a proposer may include any bytes) */
  txs: Uint8Array[];
  timeSeconds: bigint;
  /** consensus addresses (hex) of last-commit voters that did not sign */
  missed?: ReadonlySet<string>;
  /** the last commit's validator set, when not the model's (the first block after an import) */
  lastSet?: ValidatorSet;
  proposer?: Uint8Array;
  misbehavior?: Array<{ address: Uint8Array; height: number; timeSeconds: bigint; power: bigint }>;
}

export interface BlockOutput {
  results: ExecTxResult[];
  appHash: Uint8Array;
}

export class SimChain {
  height: number;
  /** the validator set of each height (CometBFT's view) */
  readonly sets = new Map<number, ValidatorSet>();
  readonly times = new Map<number, bigint>();
  /** the app hash after each committed height (initialHeight - 1: InitChain's): header H carries H - 1's */
  readonly appHashes = new Map<number, Uint8Array>();
  invariantChecks = 0;
  /** sha256 over every CheckTx, FinalizeBlock and query response of the run, in order (codes, logs,
   *  gas, events, app hashes): a change of behaviour anywhere changes it (the golden test in sim.test.ts) */
  readonly trace = createHash("sha256");

  /** a query whose response goes into the trace */
  query(req: Parameters<QosApp["query"]>[0]): ResponseQuery {
    const res = this.app.query(req);
    this.trace.update(ResponseQuery.encode(res).finish());
    return res;
  }

  private constructor(
    public app: QosApp<QosChain>,
    readonly dir: string,
    readonly chainId: string,
    readonly initialHeight: number,
    private readonly options: { profile: Profile; upgradesDone: string[]; stateBackend: StateBackend },
  ) {
    this.height = initialHeight - 1;
  }

  static async create(opts: {
    chainId: string;
    appState: Record<string, unknown>;
    profile: Profile;
    genesisSeconds: bigint;
    initialHeight?: number;
    /** CometBFT's genesis validators (used when the app returns none) */
    validators?: ValidatorSet;
    upgradesDone?: string[];
    /** the app's state store (default "memory"); a run must give the same trace on both */
    stateBackend?: StateBackend;
  }): Promise<SimChain> {
    const dir = mkdtempSync(join(tmpdir(), "qos-sim-"));
    const options = { profile: opts.profile, upgradesDone: opts.upgradesDone ?? [], stateBackend: opts.stateBackend ?? "memory" };
    const app = await SimChain.open(dir, options);
    const initialHeight = opts.initialHeight ?? 1;
    const chain = new SimChain(app, dir, opts.chainId, initialHeight, options);
    let res;
    try {
      res = app.initChain({
        time: { seconds: opts.genesisSeconds, nanos: 0 },
        chainId: opts.chainId,
        consensusParams: undefined,
        validators: [...(opts.validators ?? new Map()).values()].map((v) => ({ pubKey: { ed25519: v.pubKey }, power: v.power })),
        appStateBytes: new TextEncoder().encode(JSON.stringify({ ...opts.appState, profile: opts.profile })),
        initialHeight: BigInt(initialHeight),
      });
    } catch (e) {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
      throw new SimFailure("InitChain threw", 0, (e as Error).stack ?? String(e));
    }
    const set: ValidatorSet = new Map();
    if (res.validators.length > 0) {
      for (const u of res.validators) if (u.power > 0n) set.set(hex(consAddress(u.pubKey!.ed25519!)), { pubKey: u.pubKey!.ed25519!, power: u.power });
    } else {
      for (const [k, v] of opts.validators ?? new Map()) set.set(k, v);
    }
    chain.sets.set(initialHeight, set);
    chain.sets.set(initialHeight + 1, new Map(set));
    chain.times.set(initialHeight - 1, opts.genesisSeconds);
    chain.genesisAppHash = res.appHash;
    chain.appHashes.set(initialHeight - 1, res.appHash);
    return chain;
  }

  genesisAppHash: Uint8Array = new Uint8Array();

  get stateBackend(): StateBackend {
    return this.options.stateBackend;
  }

  private static open(dir: string, { profile, upgradesDone, stateBackend }: SimChain["options"]): Promise<QosApp<QosChain>> {
    return openApp({
      dbPath: join(dir, "app.db"),
      stateBackend,
      minGasPrice: "0.025uqos",
      profile,
      // invariants are checked by the simulation itself after each commit (counted, named)
      checkInvariants: false,
      upgradesDone,
      log: () => {},
    });
  }

  /** A node restart: the app closes and opens its database again (every in-memory cache is gone); Info
   *  must report the last committed height and app hash, and the chain goes on from there. */
  async restart(lastAppHash: Uint8Array): Promise<void> {
    await this.app.close();
    this.app = await SimChain.open(this.dir, this.options);
    const info = this.app.info({ version: "", blockVersion: 0n, p2pVersion: 0n, abciVersion: "" });
    if (info.lastBlockHeight !== BigInt(this.height) || !Buffer.from(info.lastBlockAppHash).equals(Buffer.from(lastAppHash))) {
      throw new SimFailure("restart", this.height, `Info after a restart says height ${info.lastBlockHeight}, app hash ${Buffer.from(info.lastBlockAppHash).toString("hex")}`);
    }
  }

  get nextHeight(): number {
    return this.height + 1;
  }

  set_(height: number): ValidatorSet {
    return this.sets.get(height) ?? new Map();
  }

  get lastTime(): bigint {
    return this.times.get(this.height)!;
  }

  /** CheckTx on the mempool's state (an exception escaping it is a failure). */
  checkTx(tx: Uint8Array): ResponseCheckTx {
    try {
      const res = this.app.checkTx({ tx, type: 0 });
      this.trace.update(ResponseCheckTx.encode(res).finish());
      return res;
    } catch (e) {
      throw new SimFailure("CheckTx threw", this.nextHeight, (e as Error).stack ?? String(e));
    }
  }

  /** One block with the given txs, then Commit and every module's invariants. */
  async block(input: BlockInput): Promise<BlockOutput> {
    const height = this.nextHeight;
    const time = { seconds: input.timeSeconds, nanos: 0 };
    const lastSet = input.lastSet ?? (height > this.initialHeight ? this.set_(height - 1) : new Map<string, CometValidator>());
    const votes = [...lastSet.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([addr, v]) => ({
      validator: { address: Buffer.from(addr, "hex"), power: v.power },
      blockIdFlag: input.missed?.has(addr) ? 1 : 2,
    }));
    const misbehavior = (input.misbehavior ?? []).map((m) => ({
      type: 1,
      validator: { address: m.address, power: m.power },
      height: BigInt(m.height),
      time: { seconds: m.timeSeconds, nanos: 0 },
      totalVotingPower: [...this.set_(m.height).values()].reduce((s, v) => s + v.power, 0n),
    }));
    const proposer = input.proposer ?? new Uint8Array(20);
    let results: ExecTxResult[];
    let appHash: Uint8Array;
    let updates;
    try {
      const prepared = this.app.prepareProposal({
        maxTxBytes: 22_020_096n, txs: input.txs, localLastCommit: { round: 0, votes: [] }, misbehavior, height: BigInt(height), time,
        nextValidatorsHash: new Uint8Array(32), proposerAddress: proposer,
      });
      const status = this.app.processProposal({
        txs: prepared.txs, proposedLastCommit: { round: 0, votes: [] }, misbehavior, hash: new Uint8Array(32), height: BigInt(height), time,
        nextValidatorsHash: new Uint8Array(32), proposerAddress: proposer,
      });
      if (status.status !== 1) throw new Error(`ProcessProposal rejected the block (status ${status.status})`);
      const res = this.app.finalizeBlock({
        txs: prepared.txs,
        decidedLastCommit: { round: 0, votes },
        misbehavior,
        hash: createHash("sha256").update(`block-${this.chainId}-${height}`).digest(),
        height: BigInt(height),
        time,
        nextValidatorsHash: new Uint8Array(32),
        proposerAddress: proposer,
      });
      this.trace.update(ResponseFinalizeBlock.encode(res).finish());
      results = res.txResults;
      appHash = res.appHash;
      updates = res.validatorUpdates;
      if (prepared.txs.length !== input.txs.length) throw new Error(`PrepareProposal dropped ${input.txs.length - prepared.txs.length} txs`);
    } catch (e) {
      if (e instanceof SimFailure) throw e;
      throw new SimFailure("FinalizeBlock threw", height, (e as Error).stack ?? String(e));
    }
    try {
      await this.app.commit();
    } catch (e) {
      throw new SimFailure("Commit threw", height, (e as Error).stack ?? String(e));
    }
    this.height = height;
    this.times.set(height, input.timeSeconds);
    this.appHashes.set(height, appHash);
    // CometBFT: updates from block H apply to the set of H+2
    const next: ValidatorSet = new Map(this.set_(height + 1));
    for (const u of updates) {
      const key = u.pubKey?.ed25519;
      if (!key) throw new SimFailure("bad validator update", height, "an update without an ed25519 key");
      const addr = hex(consAddress(key));
      if (u.power === 0n) next.delete(addr);
      else if (u.power < 0n) throw new SimFailure("bad validator update", height, `negative power ${u.power}`);
      else next.set(addr, { pubKey: key, power: u.power });
    }
    this.sets.set(height + 2, next);
    // kept long enough for a light client's bisection from an old trusted height (sim/headers.ts)
    this.sets.delete(height - 2000);
    this.checkInvariants(height);
    return { results, appHash };
  }

  checkInvariants(height: number): void {
    const reader = this.app.store.latest.reader;
    for (const module of this.app.modules) {
      if (!module.checkInvariants) continue;
      try {
        module.checkInvariants(reader);
      } catch (e) {
        throw new SimFailure(`invariant broken (${module.name})`, height, (e as Error).message);
      }
      this.invariantChecks++;
    }
  }

  async destroy(): Promise<void> {
    await this.app.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
