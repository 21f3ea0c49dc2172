// qosd init: CometBFT's files via `cometbft init`, then our genesis and config on top.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cometbftBinary, setTomlValue } from "../common/cometbft.js";
import { composeChain, Profiles, type Profile } from "../../chain/index.js";
import { AppConfigSchema, DefaultCometbftMetricsAddress, paths, readGenesis, writeAppConfig, writeGenesis } from "./home.js";

export interface InitOptions {
  home: string;
  moniker: string;
  chainId: string;
  cometbft?: string;
  rpcLaddr: string;
  p2pLaddr: string;
  proxyApp: string;
  timeoutCommit: string;
  minGasPrice: string;
  /** gRPC query server address for config/app.json; "" disables it; undefined = the default */
  grpcAddress?: string;
  restAddress?: string;
  restCorsOrigins?: string[];
  /** block explorer page address for config/app.json; "" disables it; undefined = the default */
  explorerAddress?: string;
  /** qosd's Prometheus metrics address for config/app.json; "" disables them; undefined = the default */
  metricsAddress?: string;
  /** CometBFT's own Prometheus metrics (instrumentation.prometheus_listen_addr); "" leaves them off;
   *  undefined = DefaultCometbftMetricsAddress */
  cometbftMetricsAddress?: string;
  /** base64 ed25519 public key of the QSC root CA (`qoscli ca new-root`); tokens can be created only with one */
  qscRootCa?: string;
  /** base64 ed25519 public key of the QCP root CA; relayers can be registered (MsgInitQcp) only with one */
  qcpRootCa?: string;
  /** "qos" (the public chain) or "business" (a business chain: no staking, no inflation) */
  profile?: Profile;
  /** several nodes on one host (npm start, testnet/): allow_duplicate_ip=true, addr_book_strict=false.
   *  Off by default: on a public network they let one host fill a node's peer slots and make it keep
   *  private and unroutable addresses (CometBFT's own defaults are kept). */
  localNetwork?: boolean;
  overwrite: boolean;
}

export function defaultAppState(profile: Profile = "qos"): Record<string, unknown> {
  const state: Record<string, unknown> = { profile };
  for (const module of composeChain(profile).modules) state[module.name] = module.defaultGenesis?.();
  return state;
}

export function initHome(options: InitOptions): { genesisFile: string } {
  const p = paths(options.home);
  if (existsSync(p.genesis) && !options.overwrite) {
    throw new Error(`${p.genesis} already exists: use --overwrite to replace it`);
  }
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,49}$/.test(options.chainId)) {
    throw new Error(`chain id ${JSON.stringify(options.chainId)} must be 1-50 characters of letters, digits, '.', '_' or '-'`);
  }
  mkdirSync(options.home, { recursive: true });
  execFileSync(cometbftBinary(options.cometbft), ["init", "--home", options.home], { stdio: "pipe" });

  let toml = readFileSync(p.cometConfig, "utf8");
  const cometbftMetrics = options.cometbftMetricsAddress ?? DefaultCometbftMetricsAddress;
  const settings: Array<[string, string, string | boolean]> = [
    ["", "proxy_app", options.proxyApp],
    ["", "moniker", options.moniker],
    ["rpc", "laddr", options.rpcLaddr],
    ["p2p", "laddr", options.p2pLaddr],
    ["p2p", "allow_duplicate_ip", options.localNetwork === true],
    ["p2p", "addr_book_strict", options.localNetwork !== true],
    ["consensus", "timeout_commit", options.timeoutCommit],
    ["tx_index", "indexer", "kv"],
    // CometBFT's metrics (consensus, p2p, mempool) beside qosd's own
    ["instrumentation", "prometheus", cometbftMetrics !== ""],
    ["instrumentation", "prometheus_listen_addr", cometbftMetrics || DefaultCometbftMetricsAddress],
  ];
  for (const [section, key, value] of settings) toml = setTomlValue(toml, section, key, value);
  writeFileSync(p.cometConfig, toml);

  const genesis = readGenesis(options.home);
  genesis.chain_id = options.chainId;
  const profile = options.profile ?? "qos";
  if (!Profiles.includes(profile)) throw new Error(`--profile must be one of ${Profiles.join(", ")}`);
  genesis.app_state = defaultAppState(profile);
  if (options.qscRootCa) {
    if (Buffer.from(options.qscRootCa, "base64").length !== 32) throw new Error("--qsc-root-ca must be a base64 32-byte ed25519 public key (from `qoscli ca new-root`)");
    (genesis.app_state.qsc as { root_ca_public_key: string }).root_ca_public_key = options.qscRootCa;
  }
  if (options.qcpRootCa) {
    if (Buffer.from(options.qcpRootCa, "base64").length !== 32) throw new Error("--qcp-root-ca must be a base64 32-byte ed25519 public key (from `qoscli ca new-root`)");
    (genesis.app_state.qcp as { root_ca_public_key: string }).root_ca_public_key = options.qcpRootCa;
  }
  writeGenesis(options.home, genesis);
  writeAppConfig(options.home, AppConfigSchema.parse({
    min_gas_price: options.minGasPrice, grpc_address: options.grpcAddress, rest_address: options.restAddress, rest_cors_origins: options.restCorsOrigins,
    explorer_address: options.explorerAddress, metrics_address: options.metricsAddress,
  }));
  return { genesisFile: p.genesis };
}
