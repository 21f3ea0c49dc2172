// A business operator's QSC flow with qoscli only, against a real node: a root CA, a certificate, the
// token created, an allowance used, a holder frozen, the token paused.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { TestNode } from "../helpers/node.js";

const qoscliBin = join(repoRoot, "dist/cmd/qoscli/main.js");

describe("QSC with qoscli", () => {
  let node: TestNode;
  const home = mkdtempSync(join(tmpdir(), "qoscli-qsc-"));
  let alice = "";
  let banker = "";
  let nodeUrl = "http://127.0.0.1:1";

  const run = (args: string[]) => spawnSync(process.execPath, [qoscliBin, ...args, "--home", home, "--keyring-backend", "test", "--node", nodeUrl], { encoding: "utf8", timeout: 120_000 });
  const json = (args: string[]) => {
    const r = run([...args, "--output", "json"]);
    assert.equal(r.status, 0, `qoscli ${args.join(" ")}:\n${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const tx = (args: string[]) => {
    const out = json([...args, "--gas", "auto", "--broadcast-mode", "block"]);
    assert.equal(out.code, 0, JSON.stringify(out));
    return out;
  };

  before(async () => {
    alice = json(["keys", "add", "alice"]).address;
    banker = json(["keys", "add", "banker"]).address;
    const root = json(["ca", "new-root", "--out", join(home, "root.json")]);
    node = await TestNode.create({ accounts: [{ address: alice, coins: "50000000uqos" }, { address: banker, coins: "50000000uqos" }] });
    const genesisFile = join(node.home, "config/genesis.json");
    const genesis = JSON.parse(readFileSync(genesisFile, "utf8"));
    genesis.app_state.qsc.root_ca_public_key = root.public_key;
    writeFileSync(genesisFile, JSON.stringify(genesis));
    await node.start();
    nodeUrl = node.rpcUrl;
  });
  after(async () => {
    await node?.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  test("ca issue-qsc → tx qsc create → approve → freeze → pause, each visible in queries", () => {
    const crt = join(home, "SILVER.crt");
    const issued = json(["ca", "issue-qsc", "--root", join(home, "root.json"), "--chain-id", node.chainId, "--name", "SILVER", "--banker", "banker", "--out", crt]);
    assert.equal(issued.banker, banker);
    tx(["tx", "qsc", "create", "banker", "--certificate", crt, "--holders", "alice,1000", "--description", "a test token"]);
    const token = json(["query", "qsc", "SILVER"]);
    assert.deepEqual([token.name, token.banker, token.total_supply, token.paused], ["SILVER", banker, "1000", false]);

    tx(["tx", "approve", "create", "alice", "banker", "100SILVER"]);
    tx(["tx", "approve", "use", alice, "banker", "60SILVER"]);
    assert.deepEqual(json(["query", "approve", "alice", "banker"]).coins, [{ denom: "SILVER", amount: "40" }]);
    const beyond = run(["tx", "approve", "use", alice, "banker", "41SILVER", "--gas", "300000", "--broadcast-mode", "block"]);
    assert.notEqual(beyond.status, 0);
    assert.match(beyond.stderr + beyond.stdout, /exceeds the allowance/);

    tx(["tx", "qsc", "freeze", "banker", "SILVER", "alice", "500"]);
    assert.deepEqual(json(["query", "qsc-balance", "SILVER", "alice"]), { name: "SILVER", address: alice, spendable: "440", frozen: "500" });
    const spendFrozen = run(["tx", "bank", "send", "alice", banker, "441SILVER", "--gas", "300000", "--broadcast-mode", "block"]);
    assert.notEqual(spendFrozen.status, 0);
    assert.match(spendFrozen.stderr, /has 440/);

    tx(["tx", "qsc", "pause", "banker", "SILVER"]);
    const paused = run(["tx", "bank", "send", "alice", banker, "1SILVER", "--gas", "300000", "--broadcast-mode", "block"]);
    assert.notEqual(paused.status, 0);
    assert.match(paused.stderr + paused.stdout, /paused/);
    tx(["tx", "qsc", "unpause", "banker", "SILVER"]);
    tx(["tx", "bank", "send", "alice", banker, "1SILVER"]);
    assert.equal(json(["query", "qsc-balance", "SILVER", "banker"]).spendable, "61");

    const notBanker = run(["tx", "qsc", "issue", "alice", "SILVER", "5", "--gas", "300000", "--broadcast-mode", "block"]);
    assert.notEqual(notBanker.status, 0);
    assert.match(notBanker.stderr + notBanker.stdout, /not the banker/);
    assert.deepEqual(json(["query", "qscs"]).tokens.map((t: { name: string }) => t.name), ["SILVER"]);
  });
});
