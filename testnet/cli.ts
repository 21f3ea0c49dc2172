#!/usr/bin/env node
// `npm run testnet` / `npm run testnet:stop`: a local N-validator QOS network in .testnet/ (git-ignored).
//   node dist/testnet/cli.js start [--validators 4] [--full-nodes 0] [--base-port 27000] [--dir .testnet] [--reset]
//   node dist/testnet/cli.js stop  [--dir .testnet]
//   node dist/testnet/cli.js stop --node node3 / start --node node3   (one node)
//   node dist/testnet/cli.js add-node [--dir .testnet]                (a new full node joins, started)
//   node dist/testnet/cli.js status [--dir .testnet]
// The first start creates the network (owner keys in <dir>/keyring, gentxs, shared genesis, funded
// accounts whose mnemonics are saved in <dir>/accounts.json); later starts resume it. Nodes run
// detached; `stop` ends them (SIGINT, then SIGKILL of the process group).
import { Command } from "commander";
import { chmodSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Bip39, Random, stringToPath } from "@cosmjs/crypto";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { repoRoot } from "../cmd/common/cometbft.js";
import { ManifestFile, createTestnet, openTestnet, type Testnet, type TestnetNode } from "./testnet.js";

const hdPath = "m/44'/389'/0'/0/0";
const defaultDir = process.env.QOS_TESTNET_DIR ?? join(repoRoot, ".testnet");

const program = new Command("testnet").description("a local multi-validator QOS network").showHelpAfterError();
const dirOption = (cmd: Command) => cmd.option("--dir <dir>", "testnet folder", defaultDir);

dirOption(
  program
    .command("start")
    .description("create (first time) and start every node, detached")
    .option("--validators <n>", "number of validators", "4")
    .option("--full-nodes <n>", "number of full nodes (no gentx; their owners are funded)", "0")
    .option("--stake-params <json>", 'genesis stake params over the local ones, e.g. \'{"voting_status_len":1000,"voting_status_least":700}\'')
    .option("--base-port <port>", "node i listens on base+10i+6 (p2p), +7 (RPC), +8 (ABCI), +9.. (app servers)", "27000")
    .option("--chain-id <id>", "chain id", "qos-testnet-1")
    .option("--timeout-commit <duration>", "block interval", "500ms")
    .option("--accounts <n>", "funded accounts (1,000,000 QOS each)", "3")
    .option("--reset", "delete the folder and create a fresh network", false)
    .option("--node <name>", "start only this node of an existing testnet (e.g. node3)"),
).action(async (opts) => {
  const dir = resolve(opts.dir);
  if (opts.node) {
    const node = openTestnet(dir).nodes.find((n) => n.name === opts.node);
    if (!node) throw new Error(`no node ${opts.node} in ${dir}`);
    await node.start({ detach: true });
    console.log(`${node.name} started (pid ${node.pid}), RPC ${node.rpcUrl}, at height ${await node.height()}`);
    process.exit(0);
  }
  if (opts.reset && existsSync(join(dir, ManifestFile))) {
    await openTestnet(dir).killAll();
    rmSync(dir, { recursive: true, force: true });
  }
  let net: Testnet;
  if (existsSync(join(dir, ManifestFile))) {
    net = openTestnet(dir);
    console.log(`resuming the testnet in ${dir}`);
  } else {
    const accounts: Array<{ name: string; address: string; mnemonic: string; hd_path: string }> = [];
    for (let i = 0; i < Number(opts.accounts); i++) {
      const mnemonic = Bip39.encode(Random.getBytes(32)).toString();
      const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "qosacc", hdPaths: [stringToPath(hdPath)] });
      const [{ address }] = await wallet.getAccounts();
      accounts.push({ name: `account${i}`, address, mnemonic, hd_path: hdPath });
    }
    net = await createTestnet({
      dir,
      validators: Number(opts.validators),
      fullNodes: Number(opts.fullNodes),
      stakeParams: opts.stakeParams ? JSON.parse(opts.stakeParams) : undefined,
      chainId: opts.chainId,
      basePort: Number(opts.basePort),
      timeoutCommit: opts.timeoutCommit,
      timeoutPropose: "1s",
      accounts: accounts.map((a) => ({ address: a.address, coins: "1000000000000uqos" })),
    });
    const file = join(dir, "accounts.json");
    writeFileSync(file, JSON.stringify(accounts, null, 2) + "\n");
    chmodSync(file, 0o600);
    console.log(`created a testnet of ${opts.validators} validators and ${opts.fullNodes} full nodes in ${dir}`);
  }
  try {
    await net.startAll({ detach: true });
  } catch (e) {
    await net.stopAll();
    throw e;
  }
  const height = await net.nodes[0].height();
  console.log(`\n  chain ${net.chainId}, height ${height}, ${net.nodes.length} nodes\n`);
  for (const n of net.nodes) printNode(n);
  console.log(`
  accounts (mnemonics)  ${join(dir, "accounts.json")}${net.keyringHome ? `\n  node owners (keys)    qoscli keys list --home ${net.keyringHome} --keyring-backend test` : ""}
  logs                  ${join(dir, "node<i>/qosd.log")} and cometbft.log
  stop                  npm run testnet:stop      (start again: npm run testnet; fresh chain: npm run testnet -- --reset)
`);
  process.exit(0);
});

dirOption(
  program
    .command("stop")
    .description("stop every node (SIGINT, then SIGKILL of its process group)")
    .option("--node <name>", "stop only this node (e.g. node3)"),
).action(async (opts) => {
  const dir = resolve(opts.dir);
  if (!existsSync(join(dir, ManifestFile))) {
    console.log(`no testnet in ${dir}`);
    return;
  }
  const net = openTestnet(dir);
  const nodes = net.nodes.filter((n) => !opts.node || n.name === opts.node);
  if (nodes.length === 0) throw new Error(`no node ${opts.node} in ${dir}`);
  const running = nodes.filter((n) => n.running()).map((n) => n.name);
  await Promise.all(nodes.map((n) => n.stop()));
  console.log(running.length ? `stopped ${running.join(", ")}` : "no node was running");
});

dirOption(
  program
    .command("add-node")
    .description("a new full node (own keys, the chain's genesis, every node as peer) joins the running testnet"),
).action(async (opts) => {
  const net = openTestnet(resolve(opts.dir));
  const node = await net.addFullNode();
  await node.start({ detach: true });
  const target = await net.nodes[0].height().catch(() => 0);
  await node.waitForHeight(target, 120_000);
  console.log(`${node.name} joined as a full node at height ${await node.height()}`);
  printNode(node);
  if (node.owner) {
    console.log(`
  owner ${node.owner} (key ${node.manifest.ownerKey} in ${net.keyringHome}, test backend, not funded)
  to make it a validator: fund the owner, then send /qos.stake.v1.MsgCreateValidator from it with the
  consensus key ${node.manifest.consensusPubkey} (config/priv_validator_key.json)
`);
  }
  process.exit(0);
});

function printNode(n: TestnetNode): void {
  const extra = Object.entries(n.manifest.appListen).map(([k, v]) => `  ${k} ${v}`).join("");
  const role = n.manifest.genesisValidator ? "validator" : "full node";
  console.log(`  ${n.name} (${role})  RPC ${n.rpcUrl}  p2p ${n.nodeId}@${n.manifest.p2p}  ABCI ${n.manifest.proxyApp}${extra}  pid ${n.pid}${n.owner ? `  owner ${n.owner}` : ""}`);
}

dirOption(program.command("status").description("each node: running or not, height")).action(async (opts) => {
  const net = openTestnet(resolve(opts.dir));
  for (const n of net.nodes) {
    const height = n.running() ? await n.height().catch(() => "?") : "-";
    console.log(`${n.name}  ${n.running() ? `running (pid ${n.pid})` : "stopped"}  height ${height}  RPC ${n.rpcUrl}`);
  }
});

program.parseAsync(process.argv).catch((e: Error) => {
  console.error(`Error: ${e.message}`);
  process.exit(1);
});
