// `npm start`: a local single-validator QOS chain in .localnet/ (git-ignored). The first run creates it
// with a funded dev account whose mnemonic is saved in .localnet/dev-account.json; later runs resume.
// Ctrl-C stops qosd and CometBFT cleanly. Environment: QOS_HOME (default .localnet), QOS_RPC_PORT (26657; p2p one below, ABCI one
// above), QOS_GRPC_ADDRESS (127.0.0.1:9090), QOS_REST_ADDRESS (127.0.0.1:1317; CORS open, for browser wallets),
// QOS_EXPLORER_ADDRESS (127.0.0.1:8080; the block explorer page, "" = off).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, writeFileSync, readFileSync, chmodSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Bip39, Random } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { stringToPath } from "@cosmjs/crypto";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const home = resolve(process.env.QOS_HOME ?? join(root, ".localnet"));
const qosd = join(root, "dist/cmd/qosd/main.js");
const qoscli = join(root, "dist/cmd/qoscli/main.js");
const rpcPort = Number(process.env.QOS_RPC_PORT ?? 26657);
const grpcAddress = process.env.QOS_GRPC_ADDRESS ?? "127.0.0.1:9090";
const restAddress = process.env.QOS_REST_ADDRESS ?? "127.0.0.1:1317";
const explorerAddress = process.env.QOS_EXPLORER_ADDRESS ?? "127.0.0.1:8080";
const chainId = "qos-local-1";
const devFile = join(home, "dev-account.json");
const hdPath = "m/44'/389'/0'/0/0";

const run = (...args) => execFileSync(process.execPath, [qosd, ...args], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

if (!existsSync(join(home, "config/genesis.json"))) {
  const mnemonic = Bip39.encode(Random.getBytes(32)).toString();
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "qosacc", hdPaths: [stringToPath(hdPath)] });
  const [{ address }] = await wallet.getAccounts();
  run("init", "dev-node", "--home", home, "--chain-id", chainId,
    "--rpc-laddr", `tcp://127.0.0.1:${rpcPort}`, "--p2p-laddr", `tcp://127.0.0.1:${rpcPort - 1}`,
    "--proxy-app", `tcp://127.0.0.1:${rpcPort + 1}`, "--grpc-address", grpcAddress, "--local-network");
  // 4.9 billion QOS: the whitepaper's 49% genesis allocation, all to the dev account on a local chain
  run("add-genesis-account", address, "4900000000000000uqos", "--home", home);
  // the dev account also owns the node's validator: a gentx bonding 1,000,000 QOS, as on a real network
  const keyringHome = join(home, "qoscli");
  execFileSync(process.execPath, [qoscli, "keys", "add", "dev", "--recover", "--home", keyringHome, "--keyring-backend", "test", "--output", "json"], { input: mnemonic + "\n", stdio: ["pipe", "pipe", "inherit"] });
  run("gentx", "dev", "1000000000000uqos", "--home", home, "--keyring-home", keyringHome, "--keyring-backend", "test", "--moniker", "dev-validator");
  run("collect-gentxs", "--home", home);
  writeFileSync(devFile, JSON.stringify({ name: "dev", address, mnemonic, hd_path: hdPath }, null, 2) + "\n");
  chmodSync(devFile, 0o600);
  console.log(`created a new local chain in ${home}`);
}

const dev = JSON.parse(readFileSync(devFile, "utf8"));
console.log(`
  QOS local chain   ${chainId}   (home ${home})
  RPC               http://127.0.0.1:${rpcPort}      (CosmJS: SigningStargateClient.connectWithSigner)
  ABCI              tcp://127.0.0.1:${rpcPort + 1}
  gRPC              ${grpcAddress}      (queries, server reflection)
  REST (LCD)        http://${restAddress}      (Keplr, explorers; CORS open)
  Explorer          ${explorerAddress ? `http://${explorerAddress}      (block explorer: open it in a browser)` : "off"}
  dev account       ${dev.address}
  dev mnemonic      in ${devFile}  (qoscli: --home ${join(home, "qoscli")} --keyring-backend test, key "dev")
  validator         the dev account's, bonding 1,000,000 QOS (qoscli query stake validators)
  CosmJS settings   prefix "qosacc", hdPaths [stringToPath("${hdPath}")], denom "uqos", gasPrice "0.025uqos"
  CometBFT log      ${join(home, "cometbft.log")}
  Ctrl-C stops the node; \`npm start\` again resumes it. Delete ${home} to start a fresh chain.
`);

const child = spawn(process.execPath, [qosd, "start", "--home", home, "--rest.address", restAddress, "--rest.cors", "*", "--explorer.address", explorerAddress], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
