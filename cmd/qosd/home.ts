// A node home: CometBFT's config/ and data/ plus the app's own files, as in a Cosmos SDK node.
//   config/config.toml, genesis.json, priv_validator_key.json, node_key.json   (CometBFT)
//   config/app.json                                                             (qosd: gas price, gRPC, ...)
//   data/application.db                                                         (qosd state, LevelDB)
//   data/snapshots/                                                             (qosd state sync snapshots)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { Profiles, type Profile } from "../../chain/index.js";
import { DefaultGrpcAddress } from "../../app/grpc/server.js";
import { DefaultRestAddress } from "../../app/rest/server.js";
import { DefaultExplorerAddress } from "./explorer.js";
import { DefaultTxCacheBytes } from "../../app/app.js";
import { DefaultSignatureCacheBytes } from "../../app/tx/verify.js";
import type { PruningOptions } from "../../app/state/disk/store.js";
import { LogLevels } from "../../app/log.js";
import { LogFormats } from "./logger.js";
import { EventTypes as ApproveEvents } from "../../modules/approve/events.js";
import { EventTypes as BankEvents } from "../../modules/bank/events.js";
import { EventTypes as ExchangeEvents } from "../../modules/exchange/events.js";
import { EventTypes as QcpEvents } from "../../modules/qcp/events.js";
import { EventTypes as QscEvents } from "../../modules/qsc/events.js";

/** where qosd serves its Prometheus metrics unless config/app.json says otherwise */
export const DefaultMetricsAddress = "127.0.0.1:26661";
/** where `qosd init` has CometBFT serve its own Prometheus metrics */
export const DefaultCometbftMetricsAddress = "127.0.0.1:26660";

/** The event attributes the project's own tools find txs by with tx_search: the explorer and CosmJS
 *  searchTx (message.sender, transfer.recipient), qoscli query txs (transfer.sender too), the relayer
 *  (client updates), the QCP tests and tools (qcp_recv), the QSC and exchange tests. A node that narrows
 *  index_events should keep these (docs/operators.md); tx.hash and tx.height CometBFT indexes anyway. */
export const SearchedEventAttributes: readonly string[] = [
  `${BankEvents.message}.sender`, `${BankEvents.transfer}.sender`, `${BankEvents.transfer}.recipient`,
  `${QcpEvents.recv}.from`, `${QcpEvents.recv}.sequence`, `${QcpEvents.clientUpdated}.chain`, `${QcpEvents.clientUpdated}.height`,
  `${QscEvents.transfer}.sender`, `${QscEvents.transfer}.recipient`, `${QscEvents.issue}.name`, `${QscEvents.frozen}.owner`,
  `${ApproveEvents.approval}.spender`, `${ExchangeEvents.swap}.sender`,
];

export const AppConfigSchema = z.object({
  /** minimum gas price this node's mempool accepts (CheckTx only; not consensus) */
  min_gas_price: z.string().default("0.025uqos"),
  /** where the committed state lives: "memory" (every pair in memory, keep_recent versions answer, rebuilt
   *  at start) or "disk" (versions on disk behind state_cache_mb of caches, kept as pruning says) */
  state_backend: z.enum(["memory", "disk"]).default("memory"),
  /** memory backend: recent heights kept in memory for queries and proofs */
  keep_recent: z.number().int().min(1).default(100),
  /** disk backend: MiB the state's caches may hold (latest values and tree nodes; the state is on disk) */
  state_cache_mb: z.number().int().min(1).default(512),
  /** disk backend: which state versions stay (Cosmos SDK options): default keeps the last 362,880 and
   *  prunes every 10 blocks, nothing keeps all, everything keeps the last 2, custom uses the two below */
  pruning: z.enum(["default", "nothing", "everything", "custom"]).default("default"),
  pruning_keep_recent: z.number().int().min(0).default(0),
  pruning_interval: z.number().int().min(0).default(0),
  /** blocks CometBFT keeps at least (Commit's retain_height = height − this); 0 keeps every block */
  min_retain_blocks: z.number().int().min(0).default(0),
  /** bytes of memory the decoded-tx cache may hold (filled only by txs that passed signatures and fee) */
  tx_cache_bytes: z.number().int().min(0).default(DefaultTxCacheBytes),
  /** bytes of memory the verified-signature cache may hold */
  signature_cache_bytes: z.number().int().min(0).default(DefaultSignatureCacheBytes),
  /** worker threads that decode and verify new txs for CheckTx off the consensus thread (0 = none: all on
   *  it); the main thread keeps the state-dependent checks, so a result never depends on them. Off by
   *  default: behind CometBFT on 2 cores it lowered committed tx/s (bench/README.md "Verify workers") */
  verify_workers: z.number().int().min(0).max(64).default(0),
  /** state sync: take a snapshot of the state every this many blocks (0 = never; a node restores
   *  snapshots from peers whatever this is), into data/snapshots/ */
  snapshot_interval: z.number().int().min(0).default(0),
  /** how many snapshots stay on disk (the newest ones) */
  snapshot_keep_recent: z.number().int().min(1).default(2),
  /** log level of qosd (`--log-level`): "info" prints a line per committed block, "debug" more */
  log_level: z.enum(LogLevels).default("info"),
  /** "text" for people, "json" (`--log-format json`): one object per line for log collectors */
  log_format: z.enum(LogFormats).default("text"),
  /** a summary line of the blocks every this many heights (0: none) */
  log_summary_blocks: z.number().int().min(0).default(100),
  /** a line at info for every empty block (false: blocks with txs and the summaries only) */
  log_empty_blocks: z.boolean().default(true),
  /** host:port of the Prometheus metrics (GET /metrics); "" disables them */
  metrics_address: z
    .string()
    .regex(/^$|^(tcp:\/\/)?\S+:\d{1,5}$/, 'must be host:port (e.g. "127.0.0.1:26661") or "" to disable the metrics')
    .default(DefaultMetricsAddress),
  /** host:port of the gRPC query server (same methods as ABCI Query, with reflection); "" disables it */
  grpc_address: z
    .string()
    .regex(/^$|^(tcp:\/\/)?\S+:\d{1,5}$/, 'must be host:port (e.g. "127.0.0.1:9090") or "" to disable the gRPC server')
    .default(DefaultGrpcAddress),
  /** <home>/cometbft.log is rotated (copied to cometbft.log.1, …) once it is larger than this */
  cometbft_log_max_bytes: z.number().int().min(1024).default(100 * 1024 * 1024),
  /** rotated CometBFT log files kept (cometbft.log.1 newest … cometbft.log.<keep>) */
  cometbft_log_keep: z.number().int().min(0).max(100).default(5),
  /** host:port of the REST (LCD) gateway: the annotated routes of proto/ in Cosmos JSON; "" disables it */
  rest_address: z
    .string()
    .regex(/^$|^(tcp:\/\/)?\S+:\d{1,5}$/, 'must be host:port (e.g. "127.0.0.1:1317") or "" to disable the REST gateway')
    .default(DefaultRestAddress),
  /** origins browsers may call the REST gateway from (CORS): ["*"] any, [] none */
  rest_cors_origins: z.array(z.string().min(1)).default([]),
  /** what this node's CometBFT indexes for tx_search/block_search, as the Cosmos SDK's index-events:
   *  "type.attribute" pairs (e.g. "transfer.recipient"); [] indexes each attribute as its module marks it.
   *  Node-local: the index flags are in no result or app hash. tx.hash and tx.height are always indexed. */
  index_events: z.array(z.string().regex(/^[^\s.]+(\.[^\s.]+)*\.[^\s.]+$/, 'must be "type.attribute", e.g. "transfer.recipient"')).default([]),
  /** host:port of the block explorer page (it reads the REST gateway and CometBFT's RPC); "" disables it */
  explorer_address: z
    .string()
    .regex(/^$|^(tcp:\/\/)?\S+:\d{1,5}$/, 'must be host:port (e.g. "127.0.0.1:8080") or "" to disable the explorer')
    .default(DefaultExplorerAddress),
});
export type AppConfig = z.infer<typeof AppConfigSchema>;

/** The state pruning of a config (pruning_keep_recent/pruning_interval for custom). */
export function pruningOf(config: AppConfig): PruningOptions {
  switch (config.pruning) {
    case "default":
      return { keepRecent: 362_880, interval: 10 };
    case "nothing":
      return { keepRecent: 0, interval: 1 };
    case "everything":
      return { keepRecent: 2, interval: 10 };
    case "custom":
      // as in the Cosmos SDK: custom says how much to keep and how often
      if (config.pruning_keep_recent < 2 || config.pruning_interval < 1) {
        throw new Error(`pruning "custom" needs pruning_keep_recent >= 2 and pruning_interval >= 1 (got ${config.pruning_keep_recent} / ${config.pruning_interval})`);
      }
      return { keepRecent: config.pruning_keep_recent, interval: config.pruning_interval };
  }
}

/** The state options of openApp from a config (config/app.json state_*, keep_recent, pruning*, min_retain_blocks). */
export function stateOptionsOf(config: AppConfig) {
  return {
    stateBackend: config.state_backend,
    keepRecent: config.keep_recent,
    stateCacheBytes: config.state_cache_mb * 1024 * 1024,
    pruning: pruningOf(config),
    minRetainBlocks: config.min_retain_blocks,
  };
}

export const paths = (home: string) => ({
  config: join(home, "config"),
  cometConfig: join(home, "config/config.toml"),
  genesis: join(home, "config/genesis.json"),
  appConfig: join(home, "config/app.json"),
  appDb: join(home, "data/application.db"),
  snapshots: join(home, "data/snapshots"),
  cometLog: join(home, "cometbft.log"),
});

export function readAppConfig(home: string): AppConfig {
  const file = paths(home).appConfig;
  const raw = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const parsed = AppConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is invalid: ${parsed.error.message}`);
  return parsed.data;
}

export function writeAppConfig(home: string, config: AppConfig): void {
  writeFileSync(paths(home).appConfig, JSON.stringify(config, null, 2) + "\n");
}

export interface GenesisDoc {
  genesis_time: string;
  chain_id: string;
  initial_height: string;
  consensus_params: unknown;
  validators?: unknown[];
  app_hash: string;
  app_state?: Record<string, any>;
}

export function readGenesis(home: string): GenesisDoc {
  const file = paths(home).genesis;
  if (!existsSync(file)) throw new Error(`no genesis at ${file}: run \`qosd init\` first`);
  return JSON.parse(readFileSync(file, "utf8"));
}

export function writeGenesis(home: string, genesis: GenesisDoc): void {
  writeFileSync(paths(home).genesis, JSON.stringify(genesis, null, 2) + "\n");
}

/** The chain profile a genesis declares (app_state.profile, default "qos"). */
export function genesisProfile(home: string): Profile {
  const profile = readGenesis(home).app_state?.profile ?? "qos";
  if (!Profiles.includes(profile)) throw new Error(`genesis app_state.profile ${JSON.stringify(profile)} is not one of ${Profiles.join(", ")}`);
  return profile;
}
