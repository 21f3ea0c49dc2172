// Drives QosApp's ABCI methods in-process, for fast unit tests (the end-to-end tests use the real node).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppObserver, QosApp } from "../../app/app.js";
import { openApp, type Profile, type QosChain } from "../../chain/index.js";
import type { QueryLimits } from "../../app/query.js";
import type { PruningOptions } from "../../app/state/disk/store.js";
import type { Event, ExecTxResult, ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";

export interface BlockOptions {
  /** the previous block's commit: consensus addresses and whether each signed */
  votes?: Array<{ address: Uint8Array; signed: boolean; power?: bigint }>;
  proposer?: Uint8Array;
  /** double-sign evidence; its time defaults to genesis + height seconds */
  misbehavior?: Array<{ address: Uint8Array; height: number; timeSeconds?: bigint }>;
  /** block time in unix seconds (default: genesis + height) */
  timeSeconds?: bigint;
}

export interface TestApp {
  app: QosApp<QosChain>;
  dir: string;
  height: number;
  /** block time (unix seconds) of each block this helper made: a signed header of the app's chain needs it */
  times: Map<number, bigint>;
  /** FinalizeBlock + Commit of one block; returns the tx results, the app hash, events and validator updates */
  block(txs: Uint8Array[], options?: BlockOptions): Promise<{ results: ExecTxResult[]; appHash: Uint8Array; events: Event[]; validatorUpdates: ValidatorUpdate[]; retainHeight: bigint }>;
  /** the validator updates InitChain returned (from genesis transactions) */
  genesisValidators: ValidatorUpdate[];
  /** InitChain's app hash (the genesis state's root: what header 1 carries) */
  genesisAppHash: Uint8Array;
  reopen(): Promise<void>;
  destroy(): Promise<void>;
}

export const GenesisTime = { seconds: 1_800_000_000n, nanos: 0 };

export async function createTestApp(
  appState: Record<string, unknown>,
  options: {
    chainId?: string; minGasPrice?: string; dir?: string; profile?: Profile; queryLimits?: Partial<QueryLimits>;
    /** bounds of the node's caches (AppOptions) */
    txCacheBytes?: number; signatureCacheBytes?: number;
    /** state backend, pruning and CometBFT block retention (AppOptions) */
    stateBackend?: "memory" | "disk"; pruning?: PruningOptions; minRetainBlocks?: number;
    /** CometBFT's genesis validators (genesis.json `validators`), outside staking */
    validators?: Array<{ pubKey: Uint8Array; power: bigint }>;
    /** told every tx result (AppOptions.observer: metrics) */
    observer?: AppObserver;
    /** node-local indexing policy (AppOptions.indexEvents: config/app.json index_events) */
    indexEvents?: readonly string[];
    /** CheckTx's verify worker threads (AppOptions.verifyWorkers; default none) */
    verifyWorkers?: number;
  } = {},
): Promise<TestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "qos-app-"));
  const open = () =>
    openApp({ dbPath: join(dir, "app.db"), minGasPrice: options.minGasPrice ?? "0.025uqos", checkInvariants: true, profile: options.profile, queryLimits: options.queryLimits,
      txCacheBytes: options.txCacheBytes, signatureCacheBytes: options.signatureCacheBytes, observer: options.observer, log: () => {},
      stateBackend: options.stateBackend, pruning: options.pruning, minRetainBlocks: options.minRetainBlocks, indexEvents: options.indexEvents,
      verifyWorkers: options.verifyWorkers });
  const t: TestApp = {
    app: await open(),
    dir,
    height: 0,
    times: new Map(),
    genesisValidators: [],
    genesisAppHash: new Uint8Array(),
    async block(txs, options = {}) {
      const height = t.height + 1;
      const seconds = options.timeSeconds ?? GenesisTime.seconds + BigInt(height);
      const res = t.app.finalizeBlock({
        txs,
        decidedLastCommit: {
          round: 0,
          votes: (options.votes ?? []).map((v) => ({ validator: { address: v.address, power: v.power ?? 1n }, blockIdFlag: v.signed ? 2 : 1 })),
        },
        misbehavior: (options.misbehavior ?? []).map((m) => ({
          type: 1,
          validator: { address: m.address, power: 1n },
          height: BigInt(m.height),
          time: { seconds: m.timeSeconds ?? GenesisTime.seconds + BigInt(m.height), nanos: 0 },
          totalVotingPower: 1n,
        })),
        hash: new Uint8Array(32),
        height: BigInt(height),
        time: { seconds, nanos: 0 },
        nextValidatorsHash: new Uint8Array(32),
        proposerAddress: options.proposer ?? new Uint8Array(20),
      });
      const { retainHeight } = await t.app.commit();
      t.height = height;
      t.times.set(height, seconds);
      return { results: res.txResults, appHash: res.appHash, events: res.events, validatorUpdates: res.validatorUpdates, retainHeight };
    },
    async reopen() {
      await t.app.close();
      t.app = await open();
    },
    async destroy() {
      await t.app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const init = t.app.initChain({
    time: GenesisTime,
    chainId: options.chainId ?? "qos-unit-1",
    validators: (options.validators ?? []).map((v) => ({ pubKey: { ed25519: v.pubKey }, power: v.power })),
    appStateBytes: new TextEncoder().encode(JSON.stringify({ ...appState, profile: options.profile ?? "qos" })),
    initialHeight: 1n,
  });
  t.genesisValidators = init.validators;
  t.genesisAppHash = init.appHash;
  return t;
}

export function genesisWith(balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }>) {
  return {
    auth: { accounts: balances.map((b) => ({ address: b.address })) },
    bank: { balances },
  };
}
