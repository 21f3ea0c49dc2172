#!/usr/bin/env node
// qosd: the QOS node. `qosd --help` lists the commands; every command has its own --help.
import { Command, InvalidArgumentError, Option } from "commander";
import { createWriteStream, type WriteStream } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { AppVersion } from "../../app/app.js";
import { DefaultGrpcAddress } from "../../app/grpc/server.js";
import { DefaultRestAddress } from "../../app/rest/server.js";
import { DefaultExplorerAddress } from "./explorer.js";
import { pinnedCometbftVersion } from "../common/cometbft.js";
import { addGenesisAccount } from "./genesis-account.js";
import { exportGenesis } from "./export.js";
import { initHome } from "./init.js";
import { startNode } from "./start.js";
import { pruneHome } from "./prune.js";
import { collectGentxs, gentx } from "./gentx.js";
import { chainInfo } from "./chain-info.js";
import { LogLevels } from "../../app/log.js";
import { LogFormats } from "./logger.js";
import { DefaultCometbftMetricsAddress, DefaultMetricsAddress } from "./home.js";

const defaultHome = process.env.QOSD_HOME ?? join(homedir(), ".qosd");
const program = new Command("qosd")
  .description("QOS node: the QOS state machine as an ABCI 2.0 app for CometBFT")
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(`Error: ${text.replace(/^error: /, "")}`) });

/** "a,b" → ["a", "b"]; "" → [] */
const corsList = (text: string): string[] => text.split(",").map((s) => s.trim()).filter((s) => s.length > 0);

const homeOption = (cmd: Command) => cmd.option("--home <dir>", "node home directory", defaultHome);

homeOption(
  program
    .command("init")
    .argument("<moniker>", "a name for this node")
    .description("create a node home: CometBFT config and keys, genesis with QOS defaults, app config")
    .option("--chain-id <id>", "chain id", "qos-local-1")
    .option("--rpc-laddr <addr>", "CometBFT RPC listen address", "tcp://127.0.0.1:26657")
    .option("--p2p-laddr <addr>", "CometBFT p2p listen address", "tcp://0.0.0.0:26656")
    .option("--proxy-app <addr>", "ABCI address qosd listens on and CometBFT dials: tcp://127.0.0.1:<port> or unix://<path> (socket file mode 0600)", "tcp://127.0.0.1:26658")
    .option("--local-network", "several nodes on one host: p2p allow_duplicate_ip=true, addr_book_strict=false (never on a public network)", false)
    .option("--timeout-commit <duration>", "pause after each block (block interval)", "1s")
    .option("--min-gas-price <price>", "lowest gas price this node's mempool accepts", "0.025uqos")
    .option("--grpc-address <host:port>", 'gRPC query server address ("" disables it)', DefaultGrpcAddress)
    .option("--rest.address <host:port>", 'REST (LCD) gateway address ("" disables it)', DefaultRestAddress)
    .option("--rest.cors <origins>", 'comma-separated origins allowed to call the REST gateway from a browser ("*" any)', "")
    .option("--explorer.address <host:port>", 'block explorer page address ("" disables it)', DefaultExplorerAddress)
    .option("--metrics.address <host:port>", 'qosd Prometheus metrics address ("" disables them)', DefaultMetricsAddress)
    .option("--cometbft-metrics <host:port>", 'CometBFT\'s own Prometheus metrics address (instrumentation.prometheus_listen_addr; "" turns them off)', DefaultCometbftMetricsAddress)
    .option("--profile <profile>", "qos (the public chain) or business (a business chain: bank, qsc, approve, qcp; fixed validators, no inflation)", "qos")
    .option("--qsc-root-ca <base64>", "public key of the QSC root CA (from `qoscli ca new-root`): lets tokens be created")
    .option("--qcp-root-ca <base64>", "public key of the QCP root CA (from `qoscli ca new-root`): lets relayers be registered")
    .option("--cometbft <path>", "CometBFT binary")
    .option("--overwrite", "replace an existing genesis", false)
    .addHelpText("after", "\nExample:\n  qosd init mynode --chain-id qos-test-1 --home ~/.qosd"),
).action((moniker: string, opts) => {
  const { genesisFile } = initHome({
    home: resolve(opts.home),
    moniker,
    chainId: opts.chainId,
    cometbft: opts.cometbft,
    rpcLaddr: opts.rpcLaddr,
    p2pLaddr: opts.p2pLaddr,
    proxyApp: opts.proxyApp,
    timeoutCommit: opts.timeoutCommit,
    minGasPrice: opts.minGasPrice,
    grpcAddress: opts.grpcAddress,
    restAddress: opts["rest.address"],
    restCorsOrigins: corsList(opts["rest.cors"]),
    explorerAddress: opts["explorer.address"],
    metricsAddress: opts["metrics.address"],
    cometbftMetricsAddress: opts.cometbftMetrics,
    qscRootCa: opts.qscRootCa,
    qcpRootCa: opts.qcpRootCa,
    profile: opts.profile,
    localNetwork: opts.localNetwork,
    overwrite: opts.overwrite,
  });
  console.log(JSON.stringify({ moniker, chain_id: opts.chainId, home: resolve(opts.home), genesis: genesisFile }, null, 2));
});

homeOption(
  program
    .command("add-genesis-account")
    .argument("<address>", "qosacc... address")
    .argument("<coins>", "coins, e.g. 1000000000uqos")
    .description("add an account with a balance to genesis.json")
    .addHelpText("after", "\nExample:\n  qosd add-genesis-account qosacc1... 1000000000000uqos --home ~/.qosd"),
).action((address: string, coins: string, opts) => {
  addGenesisAccount(resolve(opts.home), address, coins);
  console.log(`added ${coins} for ${address} to the genesis`);
});

homeOption(
  program
    .command("gentx")
    .argument("<key>", "qoscli key of the validator's owner (its account must be in genesis)")
    .argument("<self-bond>", "uqos to bond, e.g. 100000000uqos")
    .description("sign a genesis MsgCreateValidator for this node's consensus key (config/gentx/)")
    .option("--keyring-home <dir>", "qoscli home that holds the key", process.env.QOSCLI_HOME ?? join(homedir(), ".qoscli"))
    .option("--keyring-backend <backend>", "file or test", "file")
    .option("--moniker <name>", "validator name (default: the node's moniker)")
    .option("--commission-rate <rate>", "commission rate", "0.1")
    .option("--commission-max-rate <rate>", "highest commission rate ever", "0.2")
    .option("--commission-max-change-rate <rate>", "largest daily increase", "0.01")
    .option("--output-document <file>", "where to write the gentx (default config/gentx/gentx-<owner>.json)")
    .addHelpText("after", "\nExample:\n  qosd add-genesis-account qosacc1... 1000000000uqos && qosd gentx alice 100000000uqos --home ~/.qosd"),
).action(async (key: string, selfBond: string, opts) => {
  const { file, owner } = await gentx({
    home: resolve(opts.home), keyName: key, selfBond, keyringHome: resolve(opts.keyringHome), keyringBackend: opts.keyringBackend,
    moniker: opts.moniker, commissionRate: opts.commissionRate, commissionMaxRate: opts.commissionMaxRate,
    commissionMaxChangeRate: opts.commissionMaxChangeRate, output: opts.outputDocument,
  });
  console.log(JSON.stringify({ owner, file }, null, 2));
});

homeOption(
  program
    .command("collect-gentxs")
    .description("put every gentx of config/gentx/ into genesis (the validator set then comes from them)")
    .option("--gentx-dir <dir>", "folder with the gentx files (default <home>/config/gentx)")
    .addHelpText("after", "\nExample:\n  qosd collect-gentxs --home ~/.qosd && cp ~/.qosd/config/genesis.json <every node>/config/"),
).action((opts) => {
  const { count, owners } = collectGentxs(resolve(opts.home), opts.gentxDir ? resolve(opts.gentxDir) : undefined);
  console.log(JSON.stringify({ gentxs: count, owners }, null, 2));
});

homeOption(
  program
    .command("start")
    .description("run the app and the CometBFT node it supervises (Ctrl-C stops both)")
    .option("--abci-only", "serve ABCI only, for a CometBFT process run by you", false)
    .option("--cometbft <path>", "CometBFT binary (default: the project's pinned one, then PATH)")
    .option("--verbose", "also print CometBFT's log (always written to <home>/cometbft.log)", false)
    .option("--grpc-address <host:port>", 'gRPC query server address, overriding config/app.json ("" disables it)')
    .option("--rest.address <host:port>", 'REST (LCD) gateway address, overriding config/app.json rest_address ("" disables it)')
    .option("--rest.cors <origins>", 'comma-separated origins allowed to call the REST gateway from a browser ("*" any), overriding config/app.json rest_cors_origins')
    .option("--explorer.address <host:port>", 'block explorer page address, overriding config/app.json explorer_address ("" disables it)')
    .option("--verify-workers <n>", "worker threads that decode and verify new txs for CheckTx, overriding config/app.json verify_workers (0: none)", (v) => {
      if (!/^\d{1,2}$/.test(v) || Number(v) > 64) throw new InvalidArgumentError("a number of threads, 0 to 64");
      return Number(v);
    })
    .option("--upgrade-done <name...>", "software upgrade(s) scheduled by governance that this node has carried out: the chain continues past their height")
    .option("--metrics.address <host:port>", 'Prometheus metrics address (GET /metrics), overriding config/app.json metrics_address ("" disables them)')
    .addOption(new Option("--log-level <level>", "least severe log lines printed, overriding config/app.json log_level").choices([...LogLevels]))
    .addOption(new Option("--log-format <format>", "text, or json: one object per line (ts, level, component, msg, ...), overriding config/app.json log_format").choices([...LogFormats]))
    .addHelpText("after", "\nExamples:\n  qosd start --home ~/.qosd\n  qosd start --abci-only --home ~/.qosd   # then: cometbft start --home ~/.qosd\n  qosd start --home ~/.qosd --upgrade-done v2   # after the chain stopped with UPGRADE v2 NEEDED"),
).action(async (opts) => {
  await startNode({ home: resolve(opts.home), abciOnly: opts.abciOnly, cometbft: opts.cometbft, verbose: opts.verbose, grpcAddress: opts.grpcAddress, restAddress: opts["rest.address"], restCorsOrigins: opts["rest.cors"] === undefined ? undefined : corsList(opts["rest.cors"]), explorerAddress: opts["explorer.address"], verifyWorkers: opts.verifyWorkers, upgradesDone: opts.upgradeDone, metricsAddress: opts["metrics.address"], logLevel: opts.logLevel, logFormat: opts.logFormat });
});

homeOption(
  program
    .command("export")
    .description("write the committed state as a genesis document, streamed (stop the node first); a chain started from it has the same state and app hash")
    .option("--output <file>", "write to this file instead of stdout")
    .addHelpText("after", "\nExample:\n  qosd export --home ~/.qosd --output new-genesis.json"),
).action(async (opts) => {
  const out = opts.output ? createWriteStream(resolve(opts.output)) : process.stdout;
  await exportGenesis(resolve(opts.home), out);
  if (out !== process.stdout) await new Promise<void>((done, fail) => (out as WriteStream).end((e?: Error) => (e ? fail(e) : done())));
});

homeOption(
  program
    .command("chain-info")
    .description("describe this node's chain for wallets: Keplr's ChainInfo (--keplr, the default) or chain-registry files (--registry <dir>)")
    .option("--keplr", "print a Keplr ChainInfo (for window.keplr.experimentalSuggestChain)", false)
    .option("--registry <dir>", "write the cosmos chain-registry chain.json and assetlist.json into <dir>")
    .option("--rpc <url>", "public RPC URL (default: CometBFT's rpc.laddr as http://)")
    .option("--rest <url>", "public REST URL (default: config/app.json rest_address)")
    .option("--chain-name <name>", "readable chain name (default: QOS <chain id>)")
    .addHelpText("after", "\nExamples:\n  qosd chain-info --keplr --home .localnet/node > keplr.json\n  qosd chain-info --registry ./registry/qos --rpc https://rpc.example.org --rest https://lcd.example.org"),
).action((opts) => {
  console.log(chainInfo(resolve(opts.home), { keplr: opts.keplr, registry: opts.registry ? resolve(opts.registry) : undefined, rpc: opts.rpc, rest: opts.rest, chainName: opts.chainName }));
});

homeOption(
  program
    .command("prune")
    .description("delete the state versions config/app.json's pruning does not keep and compact the database (disk backend; stop the node first)")
    .option("--keep-recent <n>", "versions to keep, the latest included, instead of config/app.json's (0 keeps all)")
    .addHelpText("after", "\nExample:\n  qosd prune --home ~/.qosd --keep-recent 100"),
).action(async (opts) => {
  const result = await pruneHome(resolve(opts.home), opts.keepRecent === undefined ? undefined : Number(opts.keepRecent));
  console.log(JSON.stringify({ latest_height: result.latest, earliest_height: result.earliest }));
});

program
  .command("version")
  .description("print the qosd version and the CometBFT version it is built for")
  .option("--output <format>", "text or json", "text")
  .action((opts) => {
    const info = { qosd: AppVersion, cometbft: pinnedCometbftVersion, abci: "2.0.0" };
    console.log(opts.output === "json" ? JSON.stringify(info) : `qosd ${info.qosd} (CometBFT ${info.cometbft}, ABCI ${info.abci})`);
  });

program.parseAsync(process.argv).catch((e: Error) => {
  console.error(`Error: ${e.message}`);
  process.exit(1);
});
