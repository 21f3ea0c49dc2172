// qosd chain-info: this node's chain described for wallets and registries (client/wallets.ts): Keplr's
// ChainInfo on stdout, or the chain-registry chain.json and assetlist.json written into a folder. The facts
// come from the home: the chain id from genesis, the RPC address from CometBFT's config, the REST and gRPC
// addresses and the minimum gas price from config/app.json; --rpc / --rest give public URLs instead.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BaseDenom } from "../../app/coins.js";
import { DefaultRestAddress } from "../../app/rest/server.js";
import { keplrChainInfo, registryAssetList, registryChain, type ChainFacts } from "../../client/wallets.js";
import { getTomlValue } from "../common/cometbft.js";
import { paths, readAppConfig, readGenesis } from "./home.js";

const asHttp = (address: string) => (/^[a-z]+:\/\//.test(address) ? address.replace(/^tcp:\/\//, "http://") : `http://${address}`);

export function chainFacts(home: string, overrides: { rpc?: string; rest?: string; chainName?: string } = {}): ChainFacts {
  const config = readAppConfig(home);
  const toml = readFileSync(paths(home).cometConfig, "utf8");
  const price = /^(\d+(?:\.\d+)?)([a-z][a-z0-9/]*)$/.exec(config.min_gas_price);
  if (!price || price[2] !== BaseDenom) throw new Error(`config/app.json min_gas_price ${JSON.stringify(config.min_gas_price)} is not a price in ${BaseDenom}`);
  return {
    chainId: readGenesis(home).chain_id,
    rpc: overrides.rpc ?? asHttp(getTomlValue(toml, "rpc", "laddr") ?? "tcp://127.0.0.1:26657"),
    // the gateway switched off ("") still has a URL to name: where it would listen by default
    rest: overrides.rest ?? asHttp(config.rest_address || DefaultRestAddress),
    grpc: config.grpc_address || undefined,
    minGasPrice: price[1],
    chainName: overrides.chainName,
  };
}

export function chainInfo(home: string, opts: { keplr?: boolean; registry?: string; rpc?: string; rest?: string; chainName?: string }): string {
  const facts = chainFacts(home, opts);
  if (opts.registry) {
    mkdirSync(opts.registry, { recursive: true });
    writeFileSync(join(opts.registry, "chain.json"), JSON.stringify(registryChain(facts), null, 2) + "\n");
    writeFileSync(join(opts.registry, "assetlist.json"), JSON.stringify(registryAssetList(facts), null, 2) + "\n");
    return JSON.stringify({ written: [join(opts.registry, "chain.json"), join(opts.registry, "assetlist.json")] }, null, 2);
  }
  return JSON.stringify(keplrChainInfo(facts), null, 2);
}
