// qosd start: the app behind its ABCI socket and, unless --abci-only, the CometBFT process it supervises.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { openApp } from "../../chain/index.js";
import { startAbciServer } from "../../app/abci/server.js";
import { startGrpcServer, type GrpcQueryServer } from "../../app/grpc/server.js";
import { startRestServer, type RestServer } from "../../app/rest/server.js";
import { startExplorerServer, type ExplorerServer } from "./explorer.js";
import { nodeServices } from "./services/index.js";
import { cometbftBinary, getTomlValue } from "../common/cometbft.js";
import { followLog, rotateClosedLog, rotateOpenLog } from "./cometbft-log.js";
import { repairTxIndex } from "./index-repair.js";
import { genesisProfile, paths, pruningOf, readAppConfig, stateOptionsOf } from "./home.js";
import { createLogger, type LogFormat } from "./logger.js";
import type { LogLevel } from "../../app/log.js";
import { instrumentApp } from "./instrument.js";
import { BlockLog } from "./block-log.js";
import { NodeMetrics, startMetricsServer, type MetricsServer } from "./metrics.js";

export interface StartOptions {
  home: string;
  abciOnly: boolean;
  cometbft?: string;
  /** copy what CometBFT writes to <home>/cometbft.log to our stderr as well */
  verbose: boolean;
  /** overrides config/app.json grpc_address ("" disables the gRPC server) */
  grpcAddress?: string;
  /** overrides config/app.json rest_address ("" disables the REST gateway) */
  restAddress?: string;
  /** overrides config/app.json rest_cors_origins */
  restCorsOrigins?: string[];
  /** overrides config/app.json verify_workers (0: CheckTx verifies on the main thread) */
  verifyWorkers?: number;
  /** overrides config/app.json explorer_address ("" disables the explorer page) */
  explorerAddress?: string;
  /** governance software upgrades this node has carried out (qosd start --upgrade-done) */
  upgradesDone?: string[];
  /** overrides config/app.json metrics_address ("" disables the metrics) */
  metricsAddress?: string;
  /** override config/app.json log_level and log_format */
  logLevel?: LogLevel;
  logFormat?: LogFormat;
}

export async function startNode(options: StartOptions): Promise<void> {
  const p = paths(options.home);
  const config = readAppConfig(options.home);
  const grpcAddress = options.grpcAddress ?? config.grpc_address;
  const restAddress = options.restAddress ?? config.rest_address;
  const corsOrigins = options.restCorsOrigins ?? config.rest_cors_origins;
  const explorerAddress = options.explorerAddress ?? config.explorer_address;
  const toml = readFileSync(p.cometConfig, "utf8");
  const proxyApp = getTomlValue(toml, "", "proxy_app") ?? "tcp://127.0.0.1:26658";
  const rpc = getTomlValue(toml, "rpc", "laddr") ?? "";
  const metricsAddress = options.metricsAddress ?? config.metrics_address;
  const logger = createLogger({ level: options.logLevel ?? config.log_level, format: options.logFormat ?? config.log_format });
  const log = logger.sink();
  const metrics = metricsAddress ? new NodeMetrics() : undefined;
  const app = await openApp({
    profile: genesisProfile(options.home),
    dbPath: p.appDb,
    minGasPrice: config.min_gas_price,
    ...stateOptionsOf(config),
    txCacheBytes: config.tx_cache_bytes,
    signatureCacheBytes: config.signature_cache_bytes,
    verifyWorkers: options.verifyWorkers ?? config.verify_workers,
    indexEvents: config.index_events,
    checkInvariants: process.env.QOS_CHECK_INVARIANTS === "1",
    upgradesDone: options.upgradesDone,
    snapshots: { dir: p.snapshots, interval: config.snapshot_interval, keepRecent: config.snapshot_keep_recent },
    log,
    observer: metrics?.observer,
  });
  // Timings for operators and the benchmark (wall clock, outside the state machine).
  const blockLog = new BlockLog(logger, { summaryEvery: config.log_summary_blocks, emptyBlocks: config.log_empty_blocks });
  instrumentApp(app, {
    block: (b) => {
      blockLog.block(b);
      metrics?.watchers.block?.(b);
    },
    checkTx: metrics?.watchers.checkTx,
  });
  const server = await startAbciServer(app, proxyApp, { logger: logger.sink("abci") });
  log(`app at height ${app.lastHeight}, state on ${config.state_backend}, ABCI on ${server.address}, signature verifier: ${app.verifierName}`);
  let metricsServer: MetricsServer | undefined;
  if (metrics) {
    metrics.attach(app, server);
    try {
      metricsServer = await startMetricsServer(metrics, metricsAddress);
    } catch (e) {
      await server.close();
      await app.close();
      throw e;
    }
    log(`metrics on http://${metricsServer.address}/metrics`);
  } else {
    log("metrics disabled (metrics_address is empty)");
  }
  // blocks, broadcast, tx search and node settings, beside the router's queries (on gRPC and REST alike)
  const services = nodeServices({
    rpcUrl: localRpcUrl(rpc),
    abciQuery: (req) => app.query(req),
    minGasPrice: config.min_gas_price,
    // what the node's config endpoint reports as pruning: the versions that answer queries
    pruning: config.state_backend === "disk" ? pruningOf(config) : { keepRecent: config.keep_recent, interval: 0 },
  });
  let grpcServer: GrpcQueryServer | undefined;
  if (grpcAddress) {
    try {
      grpcServer = await startGrpcServer(app, { address: grpcAddress, services, log });
    } catch (e) {
      await metricsServer?.close();
      await server.close();
      await app.close();
      throw e;
    }
    log(`gRPC on ${grpcServer.address} (${grpcServer.services.length} services, ${grpcServer.reflected.length} with reflection)`);
  } else {
    log("gRPC server disabled (grpc_address is empty)");
  }
  let restServer: RestServer | undefined;
  if (restAddress) {
    try {
      restServer = await startRestServer(app, { address: restAddress, corsOrigins, services, log });
    } catch (e) {
      await grpcServer?.close();
      await metricsServer?.close();
      await server.close();
      await app.close();
      throw e;
    }
    log(`REST on http://${restServer.address}${corsOrigins.length ? ` (CORS: ${corsOrigins.join(", ")})` : ""}`);
  } else {
    log("REST gateway disabled (rest_address is empty)");
  }
  let explorer: ExplorerServer | undefined;
  if (explorerAddress) {
    try {
      explorer = await startExplorerServer({ address: explorerAddress, restUrl: restServer ? `http://${restServer.address}` : undefined, rpcUrl: localRpcUrl(rpc), log });
    } catch (e) {
      await restServer?.close();
      await grpcServer?.close();
      await metricsServer?.close();
      await server.close();
      await app.close();
      throw e;
    }
    log(`explorer on http://${explorer.address}`);
  } else {
    log("explorer disabled (explorer_address is empty)");
  }

  let comet: ChildProcess | undefined;
  let stopping = false;
  // a stop during the index repair must not leave `cometbft inspect` or `reindex-event` holding the stores
  const repairAbort = new AbortController();
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    repairAbort.abort();
    if (comet && comet.exitCode === null && comet.signalCode === null) {
      const exited = new Promise((resolve) => comet!.once("exit", resolve));
      comet.kill("SIGTERM");
      const timer = setTimeout(() => comet!.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await explorer?.close();
    await restServer?.close();
    await grpcServer?.close();
    await metricsServer?.close();
    await server.close();
    await app.close();
    log(`stopped at height ${app.lastHeight}`);
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  if (!options.abciOnly) {
    const binary = cometbftBinary(options.cometbft);
    const rotation = { maxBytes: config.cometbft_log_max_bytes, keep: config.cometbft_log_keep };
    if (rotateClosedLog(p.cometLog, rotation)) log(`rotated ${p.cometLog} (over ${rotation.maxBytes} bytes)`);
    await repairTxIndex(binary, options.home, toml, app.lastHeight, log, repairAbort.signal);
    if (stopping) return;
    // The file itself, not a pipe through qosd: CometBFT's last words must outlive qosd, and a pipe
    // whose reader died would kill CometBFT by SIGPIPE instead of letting it stop cleanly.
    const logFd = openSync(p.cometLog, "a");
    try {
      comet = spawn(binary, ["start", "--home", options.home], { stdio: ["ignore", logFd, logFd] });
    } finally {
      closeSync(logFd);
    }
    const rotateTimer = setInterval(() => {
      try {
        if (rotateOpenLog(p.cometLog, rotation)) log(`rotated ${p.cometLog} (over ${rotation.maxBytes} bytes)`);
      } catch (e) {
        log(`cannot rotate ${p.cometLog}: ${(e as Error).message}`, "warn");
      }
    }, 1000);
    rotateTimer.unref();
    const stopFollowing = options.verbose ? followLog(p.cometLog, process.stderr) : undefined;
    comet.once("exit", () => {
      clearInterval(rotateTimer);
      stopFollowing?.();
    });
    comet.on("exit", (code, signal) => {
      if (stopping) return;
      log(`CometBFT exited (${signal ?? `code ${code}`}); its log is ${p.cometLog}`, "error");
      void shutdown(1);
    });
    log(`CometBFT ${binary} started (pid ${comet.pid}), RPC ${rpc.replace("tcp://", "http://")}, log ${p.cometLog}`);
  }
}

/** The URL qosd reaches its CometBFT's RPC at: the listen address, a wildcard host as loopback. */
export function localRpcUrl(laddr: string): string {
  const url = laddr.replace(/^tcp:\/\//, "http://");
  return url.replace(/^http:\/\/(0\.0\.0\.0|\[::\])?:/, "http://127.0.0.1:");
}
