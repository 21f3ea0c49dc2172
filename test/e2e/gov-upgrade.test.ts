// A software upgrade on a real node (qosd + CometBFT), driven with qoscli only: a validator from a gentx
// submits a software-upgrade proposal and votes; once it passes, the node stops at the plan's height with
// "UPGRADE v2 NEEDED at height H" (nothing of height H is committed); a plain restart stops there again;
// `qosd start --upgrade-done v2` runs height H and the chain continues. Then a genesis guardian halts the
// network: no block is made after the halt, the node keeps answering queries with the reason.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { TestNode, qosd, qosdBin, sleep } from "../helpers/node.js";

const qoscliBin = join(repoRoot, "dist/cmd/qoscli/main.js");
const QOS = 1_000_000n;
const level = {
  min_deposit: String(10n * QOS), min_initial_deposit_rate: "0.5", max_deposit_period_secs: 60, voting_period_secs: 12,
  quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.2",
};

describe("software upgrade and guardian halt on a real node", () => {
  let node: TestNode;
  let keyringHome: string;
  let val: string;
  const extra: ChildProcess[] = [];
  const timings: string[] = [];

  const cli = (...args: string[]) =>
    execFileSync(process.execPath, [qoscliBin, ...args, "--node", node.rpcUrl, "--home", keyringHome, "--keyring-backend", "test"], { encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
  const cliJson = (...args: string[]) => JSON.parse(cli(...args, "--output", "json"));

  /** qosd start with extra flags, in its own process group (killed in after()) */
  function startQosd(flags: string[]): { child: ChildProcess; output: () => string } {
    let output = "";
    const child = spawn(process.execPath, [qosdBin, "start", "--home", node.home, ...flags], { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, QOS_CHECK_INVARIANTS: "1" } });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    extra.push(child);
    return { child, output: () => output };
  }
  const exited = (child: ChildProcess, ms: number) =>
    new Promise<number | null>((resolve, reject) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      const timer = setTimeout(() => reject(new Error(`qosd still running after ${ms} ms`)), ms);
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });

  before(async () => {
    const started = Date.now();
    node = await TestNode.create({ chainId: "qos-gov-e2e-1", timeoutCommit: "200ms" });
    keyringHome = mkdtempSync(join(tmpdir(), "qos-gov-keys-"));
    val = JSON.parse(execFileSync(process.execPath, [qoscliBin, "keys", "add", "val", "--home", keyringHome, "--keyring-backend", "test", "--output", "json"], { encoding: "utf8" })).address;
    qosd(["add-genesis-account", val, `${10_000n * QOS}uqos`, "--home", node.home]);
    qosd(["gentx", "val", `${100n * QOS}uqos`, "--home", node.home, "--keyring-home", keyringHome, "--keyring-backend", "test", "--moniker", "val"]);
    qosd(["collect-gentxs", "--home", node.home]);
    const file = join(node.home, "config/genesis.json");
    const genesis = JSON.parse(readFileSync(file, "utf8"));
    genesis.app_state.gov = { ...genesis.app_state.gov, params: { normal: level, important: level, critical: level } };
    genesis.app_state.guardian = { guardians: [{ address: val, type: "genesis", description: "foundation" }] };
    writeFileSync(file, JSON.stringify(genesis, null, 2) + "\n");
    await node.start();
    timings.push(`node up in ${Date.now() - started} ms`);
  });

  after(async () => {
    for (const child of extra) {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }
    await node?.destroy();
    rmSync(keyringHome, { recursive: true, force: true });
    console.log(timings.join("\n"));
  });

  test("an upgrade proposal submitted and voted with qoscli passes (critical level) and schedules the plan", async () => {
    const t0 = Date.now();
    // margin for a loaded machine: the CLI calls below must all land before the node reaches the height
    const upgradeHeight = (await node.height()) + 350;
    cli("tx", "gov", "submit-proposal", "software-upgrade", "val", "--title", "v2", "--description", "the next version",
      "--name", "v2", "--height", String(upgradeHeight), "--deposit", String(100n * QOS), "--gas", "auto", "--broadcast-mode", "block");
    cli("tx", "gov", "vote", "val", "1", "yes", "--gas", "auto", "--broadcast-mode", "block");
    for (let i = 0; i < 300 && cliJson("query", "gov", "proposal", "1").status === "voting_period"; i++) await sleep(200);
    const p = cliJson("query", "gov", "proposal", "1");
    assert.equal(p.status, "passed", p.result);
    assert.equal(p.level, "critical");
    assert.equal(cliJson("query", "gov", "upgrade").plan.name, "v2");
    assert.ok((await node.height()) < upgradeHeight - 1, "the proposal passed before the upgrade height");

    // the node stops by itself at the height: qosd exits after CometBFT stopped on the app's refusal
    await node.stop();
    timings.push(`upgrade proposal passed in ${Date.now() - t0} ms`);
  });

  test("stop at the height, a plain restart stops there again, --upgrade-done continues the chain", async () => {
    // (the previous test stopped the node cleanly before the height: start it again and let it run into it)
    const t0 = Date.now();
    const plain = startQosd([]);
    await exited(plain.child, 360_000);
    assert.match(plain.output(), /UPGRADE v2 NEEDED at height \d+/);
    const upgradeHeight = Number(/UPGRADE v2 NEEDED at height (\d+)/.exec(plain.output())![1]);
    assert.match(plain.output(), new RegExp(`stopped at height ${upgradeHeight - 1}\\b`), "nothing of the upgrade height was committed");
    timings.push(`stopped at the upgrade height in ${Date.now() - t0} ms`);

    const again = startQosd([]);
    await exited(again.child, 60_000);
    assert.match(again.output(), /UPGRADE v2 NEEDED/);
    assert.match(again.output(), new RegExp(`stopped at height ${upgradeHeight - 1}\\b`));

    const t1 = Date.now();
    const upgraded = startQosd(["--upgrade-done", "v2"]);
    for (let i = 0; i < 300; i++) {
      try {
        if ((await node.height()) >= upgradeHeight + 3) break;
      } catch {
        // RPC not up yet
      }
      assert.equal(upgraded.child.exitCode, null, upgraded.output().slice(-2000));
      await sleep(100);
    }
    assert.ok((await node.height()) >= upgradeHeight + 3, upgraded.output().slice(-2000));
    const info = cliJson("query", "gov", "upgrade");
    assert.equal(info.plan, undefined);
    assert.deepEqual(info.applied.map((a: { name: string; height: string }) => [a.name, Number(a.height)]), [["v2", upgradeHeight]]);
    assert.match(upgraded.output(), /upgrade v2 is done/);
    timings.push(`continued past the upgrade height ${Date.now() - t1} ms after the restart with --upgrade-done`);
  });

  test("a genesis guardian (fee-free) halts the network: no more blocks, the reason in logs and queries", async () => {
    const upgraded = extra[extra.length - 1];
    const balance = () => BigInt(cliJson("query", "balance", "val", "uqos").amount);
    const before = balance();
    // qoscli offers the default fee (gas × 0.025uqos); a guardian is not charged
    cli("tx", "guardian", "halt", "val", "critical bug, wait for v3", "--gas", "200000", "--broadcast-mode", "block");
    assert.equal(balance(), before, "the guardian paid no fee");
    const halt = cliJson("query", "halt");
    assert.equal(halt.halted, true);
    assert.equal(halt.halt.reason, "critical bug, wait for v3");
    const haltHeight = Number(halt.halt.height);
    await sleep(4000);
    assert.ok((await node.height()) <= haltHeight + 1, "CometBFT may have stored no block after the halt");
    const appHeight = Number(JSON.parse(JSON.stringify(await node.rpc("abci_info"))).response.last_block_height);
    assert.equal(appHeight, haltHeight, "the app committed nothing after the halt");
    assert.equal(cliJson("query", "halt").halt.reason, "critical bug, wait for v3", "queries still answer");
    assert.equal(upgraded.exitCode, null, "the node keeps running (and answering) while halted");
  });
});
