// qosd's commands as an operator runs them: help, init, add-genesis-account, start --abci-only beside a
// separately run CometBFT, export, and a new chain started from the exported genesis.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TestNode, qosd, qosdBin, sleep } from "../helpers/node.js";
import { signTx, testAccount } from "../helpers/wallet.js";
import { cometbftBinary } from "../../cmd/common/cometbft.js";
import { composeChain } from "../../chain/index.js";

function qosdFails(args: string[]): string {
  try {
    execFileSync(process.execPath, [qosdBin, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { status: number; stderr: string };
    assert.notEqual(err.status, 0);
    return err.stderr;
  }
  throw new Error(`qosd ${args.join(" ")} succeeded but should have failed`);
}

describe("qosd commands", () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  after(async () => {
    for (const fn of cleanup.reverse()) await fn();
  });

  test("--help on every command, version as JSON", () => {
    for (const cmd of ["init", "add-genesis-account", "start", "export", "version"]) {
      const help = qosd([cmd, "--help"]);
      assert.match(help, new RegExp(`Usage: qosd ${cmd}`));
      assert.match(help, /--home|--output/);
    }
    const version = JSON.parse(qosd(["version", "--output", "json"]));
    assert.equal(version.cometbft, readFileSync(join(import.meta.dirname, "../../../scripts/cometbft-version"), "utf8").trim());
  });

  test("init writes genesis defaults; add-genesis-account refuses bad input with a clear message", async () => {
    const home = mkdtempSync(join(tmpdir(), "qosd-init-"));
    cleanup.push(() => rmSync(home, { recursive: true, force: true }));
    qosd(["init", "n0", "--home", home, "--chain-id", "qos-init-1"]);
    const genesis = JSON.parse(readFileSync(join(home, "config/genesis.json"), "utf8"));
    assert.equal(genesis.chain_id, "qos-init-1");
    // every module of the qos profile has its defaults in genesis
    const expected = [...composeChain("qos").modules.filter((m) => m.defaultGenesis).map((m) => m.name), "profile"].sort();
    assert.deepEqual(Object.keys(genesis.app_state).sort(), expected);
    for (const name of ["auth", "bank", "stake", "mint", "distribution", "gov"]) assert.ok(expected.includes(name), name);
    assert.equal(genesis.app_state.profile, "qos");
    assert.equal(genesis.app_state.auth.params.max_memo_characters, 256);
    assert.match(qosdFails(["init", "n0", "--home", home]), /already exists.*--overwrite/);
    assert.match(qosdFails(["add-genesis-account", "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a", "5uqos", "--home", home]), /expected qosacc/);
    const { address } = await testAccount("init-a");
    assert.match(qosdFails(["add-genesis-account", address, "five uqos", "--home", home]), /cannot parse/);
    qosd(["add-genesis-account", address, "5uqos,7ustar", "--home", home]);
    qosd(["add-genesis-account", address, "10uqos", "--home", home]);
    const after = JSON.parse(readFileSync(join(home, "config/genesis.json"), "utf8"));
    assert.deepEqual(after.app_state.bank.balances, [{ address, coins: [{ denom: "uqos", amount: "15" }, { denom: "ustar", amount: "7" }] }]);
    assert.deepEqual(after.app_state.auth.accounts, [{ address }]);
  });

  test("start --abci-only serves a CometBFT run separately; export then restarts a new chain with the same balances", async () => {
    const alice = await testAccount("export-alice");
    const bob = await testAccount("export-bob");
    const node = await TestNode.create({ accounts: [{ address: alice.address, coins: "1000000uqos" }] });
    cleanup.push(() => node.destroy());
    const app = spawn(process.execPath, [qosdBin, "start", "--abci-only", "--home", node.home], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let appLog = "";
    app.stderr!.on("data", (d) => (appLog += d));
    const comet = spawn(cometbftBinary(), ["start", "--home", node.home], { detached: true, stdio: "ignore" });
    cleanup.push(() => {
      for (const p of [comet, app]) try { process.kill(-p.pid!, "SIGKILL"); } catch { /* gone */ }
    });
    await node.waitForHeight(2);
    const tx = await signTx(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount: "777" }] }) }], { chainId: node.chainId, accountNumber: 0, sequence: 0 });
    const res = await node.rpc<{ code: number; log: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
    assert.equal(res.code, 0, res.log);
    await node.waitForHeight((await node.height()) + 2);
    assert.match(appLog, /ABCI on tcp:\/\/127\.0\.0\.1/);
    assert.doesNotMatch(appLog, /CometBFT .* started/);

    // export refuses while the node holds the database
    assert.match(qosdFails(["export", "--home", node.home]), /stop the node/);
    const stopped = new Promise((resolve) => app.once("exit", resolve));
    comet.kill("SIGTERM");
    await sleep(500);
    app.kill("SIGINT");
    await stopped;
    const exported = JSON.parse(qosd(["export", "--home", node.home]));
    assert.ok(Number(exported.initial_height) > 2);
    const balances = Object.fromEntries(exported.app_state.bank.balances.map((b: { address: string; coins: { amount: string }[] }) => [b.address, b.coins[0].amount]));
    assert.equal(balances[bob.address], "777");
    assert.equal(balances[alice.address], String(1000000 - 777 - 5000));
    assert.equal(exported.app_state.auth.accounts.find((a: { address: string }) => a.address === alice.address).sequence, "1");

    // a new chain from the exported genesis carries the same state
    const next = await TestNode.create({ chainId: node.chainId });
    cleanup.push(() => next.destroy());
    const genesisFile = join(next.home, "config/genesis.json");
    const fresh = JSON.parse(readFileSync(genesisFile, "utf8"));
    writeFileSync(genesisFile, JSON.stringify({ ...exported, validators: fresh.validators, genesis_time: fresh.genesis_time }, null, 2));
    await next.start();
    const { StargateClient } = await import("@cosmjs/stargate");
    const client = await StargateClient.connect(next.rpcUrl);
    try {
      assert.deepEqual(await client.getBalance(bob.address, "uqos"), { denom: "uqos", amount: "777" });
      assert.equal((await client.getSequence(alice.address)).sequence, 1);
      assert.ok((await client.getHeight()) >= Number(exported.initial_height));
    } finally {
      client.disconnect();
    }
  });
});
