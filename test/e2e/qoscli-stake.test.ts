// The staking economy with qoscli only, against a real node: a validator created (consensus key given
// as base64, and read from a qosd home), a delegation, an unbonding, a redelegation, rewards withdrawn,
// the community pool growing, and the errors a user meets. The new validators never sign (their keys
// are not the node's): their power stays well under a third of the total, so the node keeps committing.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { TestNode } from "../helpers/node.js";

const qoscliBin = join(repoRoot, "dist/cmd/qoscli/main.js");

/** a real ed25519 public key, base64 (raw 32 bytes: the end of its SPKI DER) */
function consensusPubkey(): string {
  const der = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" });
  return der.subarray(der.length - 32).toString("base64");
}

describe("staking with qoscli", () => {
  let node: TestNode;
  const home = mkdtempSync(join(tmpdir(), "qoscli-stake-"));
  let owner = "";
  let bob = "";
  let carol = "";
  let nodeUrl = "http://127.0.0.1:1";

  const run = (args: string[]) => spawnSync(process.execPath, [qoscliBin, ...args, "--home", home, "--keyring-backend", "test", "--node", nodeUrl], { encoding: "utf8", timeout: 120_000 });
  const json = (args: string[]) => {
    const r = run([...args, "--output", "json"]);
    assert.equal(r.status, 0, `qoscli ${args.join(" ")}:\n${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const text = (args: string[]) => {
    const r = run(args);
    assert.equal(r.status, 0, `qoscli ${args.join(" ")}:\n${r.stderr}`);
    return r.stdout;
  };
  const tx = (args: string[]) => {
    const out = json([...args, "--gas", "auto", "--broadcast-mode", "block"]);
    assert.equal(out.code, 0, JSON.stringify(out));
    return out;
  };
  const fails = (args: string[], expected: RegExp) => {
    const r = run(args);
    assert.notEqual(r.status, 0, `qoscli ${args.join(" ")} should fail:\n${r.stdout}`);
    assert.match(r.stderr, expected);
  };

  before(async () => {
    owner = json(["keys", "add", "owner"]).address;
    bob = json(["keys", "add", "bob"]).address;
    carol = json(["keys", "add", "carol"]).address;
    node = await TestNode.create({
      accounts: [{ address: owner, coins: "10000000uqos" }, { address: bob, coins: "10000000uqos" }, { address: carol, coins: "5000000uqos" }],
    });
    await node.start();
    nodeUrl = node.rpcUrl;
  });
  after(async () => {
    await node?.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  test("create-validator → delegate → unbond → redelegate → withdraw, with exact queries", async () => {
    assert.deepEqual(json(["query", "stake", "validators"]).validators, []);
    const pubkey = consensusPubkey();
    tx(["tx", "stake", "create-validator", "owner", "2000000uqos", "--moniker", "e2e-val", "--consensus-pubkey", pubkey, "--commission-rate", "0.1", "--website", "https://example.org"]);

    const [listed] = json(["query", "stake", "validators", "--status", "active"]).validators;
    const val: string = listed.operator_address;
    assert.match(val, /^qosval1/);
    assert.deepEqual(
      [listed.owner, listed.moniker, listed.status, listed.power, listed.tokens, listed.consensus_pubkey, listed.commission.rate, listed.description.website],
      [owner, "e2e-val", "active", "2", "2000000", pubkey, "0.100000000000000000", "https://example.org"],
    );
    // the same validator by its owner's account address and by the owner's key name
    assert.equal(json(["query", "stake", "validator", owner]).operator_address, val);
    assert.equal(json(["query", "stake", "validator", "owner"]).operator_address, val);
    assert.deepEqual(json(["query", "stake", "validators", "--status", "inactive"]).validators, []);

    tx(["tx", "stake", "delegate", "bob", val, "1000000", "--auto-compound"]);
    assert.deepEqual(json(["query", "stake", "delegation", "bob", val]), { delegator: bob, validator: val, amount: "1000000", auto_compound: true });
    const v = json(["query", "stake", "validator", val]);
    assert.deepEqual([v.power, v.tokens, v.status], ["3", "3000000", "active"]);
    const to = json(["query", "stake", "delegations-to", "owner"]);
    assert.equal(to.total, "3000000");
    assert.deepEqual(to.delegations.map((d: { delegator: string; amount: string }) => [d.delegator, d.amount]).sort(), [[bob, "1000000"], [owner, "2000000"]].sort());
    // readable text: status name, power, QOS amounts
    const line = text(["query", "stake", "validators"]);
    assert.match(line, new RegExp(`${val}\\te2e-val\\tactive\\tpower 3\\t3000000uqos \\(3 QOS\\)\\tcommission 10%`));
    assert.match(text(["query", "stake", "delegation", "bob", "owner"]), /1000000uqos \(1 QOS\)\tauto-compound on/);

    tx(["tx", "stake", "set-auto-compound", "bob", val, "false"]);
    assert.equal(json(["query", "stake", "delegation", "bob", val]).auto_compound, false);

    tx(["tx", "stake", "unbond", "bob", val, "400000uqos"]);
    assert.equal(json(["query", "stake", "delegation", "bob", val]).amount, "600000");
    assert.deepEqual([json(["query", "stake", "validator", val]).power, json(["query", "stake", "validator", val]).tokens], ["2", "2600000"]);
    const { unbondings } = json(["query", "stake", "unbondings", "bob"]);
    assert.equal(unbondings.length, 1);
    assert.deepEqual([unbondings[0].delegator, unbondings[0].validator, unbondings[0].amount], [bob, val, "400000"]);
    const params = json(["query", "stake", "params"]);
    assert.equal(params.min_self_bond, "1000000");
    assert.ok(BigInt(unbondings[0].completion_time) > BigInt(Math.floor(Date.now() / 1000)) + BigInt(params.unbonding_secs) - 600n);
    assert.match(text(["query", "stake", "unbondings", "bob"]), /400000uqos \(0\.4 QOS\)\treturns 20/);

    // a second validator whose consensus key is read from a qosd home
    const nodeHome = join(home, "carol-node");
    mkdirSync(join(nodeHome, "config"), { recursive: true });
    const carolKey = consensusPubkey();
    writeFileSync(join(nodeHome, "config/priv_validator_key.json"), JSON.stringify({ address: "", pub_key: { type: "tendermint/PubKeyEd25519", value: carolKey }, priv_key: { type: "tendermint/PrivKeyEd25519", value: "" } }));
    tx(["tx", "stake", "create-validator", "carol", "1000000", "--moniker", "carol", "--node-home", nodeHome]);
    const carolVal = json(["query", "stake", "validator", "carol"]);
    assert.deepEqual([carolVal.consensus_pubkey, carolVal.power, carolVal.commission.max_rate], [carolKey, "1", "0.200000000000000000"]);

    tx(["tx", "stake", "redelegate", "bob", val, "carol", "--all"]);
    const bobs = json(["query", "stake", "delegations", "bob"]);
    assert.deepEqual(bobs.delegations, [{ delegator: bob, validator: carolVal.operator_address, amount: "600000", auto_compound: false }]);
    assert.deepEqual([json(["query", "stake", "validator", val]).tokens, json(["query", "stake", "validator", "carol"]).tokens], ["2000000", "1600000"]);

    const rewards = json(["query", "distribution", "rewards", "bob", "carol"]);
    assert.deepEqual([rewards.delegator, rewards.validator, rewards.commission], [bob, carolVal.operator_address, "0"]);
    assert.match(rewards.rewards, /^[0-9]+$/);
    tx(["tx", "distribution", "withdraw-rewards", "bob", "carol"]);
    const dv = json(["query", "distribution", "validator", val]);
    assert.deepEqual(Object.keys(dv).sort(), ["commission", "current_period", "current_rewards", "outstanding", "validator"]);

    tx(["tx", "stake", "edit-validator", "owner", "--moniker", "renamed"]);
    assert.equal(json(["query", "stake", "validator", val]).moniker, "renamed");
    tx(["tx", "stake", "revoke", "owner"]);
    const revoked = json(["query", "stake", "validator", val]);
    assert.deepEqual([revoked.status, revoked.inactive_reason, revoked.power], ["inactive", "revoked", "0"]);
    tx(["tx", "stake", "activate", "owner", "--extra-bond", "1000000uqos"]);
    const back = json(["query", "stake", "validator", val]);
    assert.deepEqual([back.status, back.tokens, back.power], ["active", "3000000", "3"]);

    const keepAlive = json(["query", "stake", "keep-alive", val]);
    assert.deepEqual([keepAlive.window_length, keepAlive.least_signed], [String(params.voting_status_len), String(params.voting_status_least)]);
    assert.equal(json(["query", "distribution", "params"]).proposer_reward_rate, "0.040000000000000000");
  });

  test("query distribution community-pool grows with inflation", async () => {
    const first = BigInt(json(["query", "distribution", "community-pool"]).amount);
    await node.waitForHeight((await node.height()) + 3);
    const second = BigInt(json(["query", "distribution", "community-pool"]).amount);
    assert.ok(second > first, `community pool ${first} → ${second}`);
    assert.match(text(["query", "distribution", "community-pool"]), /^[0-9]+uqos \([0-9.]+ QOS\)$/m);
    assert.match(json(["query", "inflation-applied"]).applied, /^[1-9][0-9]*$/);
  });

  test("errors exit non-zero and say what was wrong", () => {
    const bobVal = json(["query", "stake", "validators"]).validators.find((v: { owner: string }) => v.owner === bob);
    assert.equal(bobVal, undefined);
    fails(["query", "stake", "validator", "bob"], /NotFound: validator qosval1\S+ does not exist/);
    fails(["query", "distribution", "validator", "bob"], /NotFound: validator qosval1\S+ does not exist/);
    fails(["tx", "stake", "delegate", "carol", "bob", "1000", "--broadcast-mode", "block"], /NotFound: validator qosval1\S+ does not exist/);
    fails(["query", "stake", "validator", "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"], /has prefix cosmos: expected qosval1/);
    fails(["tx", "stake", "delegate", "bob", "owner", "5qos"], /only uqos can be bonded, not qos/);
    fails(["tx", "stake", "delegate", "bob", "owner", "-5"], /error|amount/i);
    fails(["tx", "stake", "delegate", "bob", "owner", "999999999999uqos"], /insufficient funds/);
    fails(["tx", "stake", "unbond", "bob", "owner"], /either <amount> or --all/);
    fails(["tx", "stake", "unbond", "bob", "owner", "1"], /NotFound: \S+ has no delegation to qosval1/);
    fails(["query", "stake", "delegation", "owner", "carol"], /NotFound: \S+ has no delegation to qosval1/);
    fails(["tx", "stake", "create-validator", "bob", "1000000", "--moniker", "x"], /exactly one of --consensus-pubkey/);
    fails(["tx", "stake", "create-validator", "bob", "1000000", "--moniker", "x", "--consensus-pubkey", "AAAA"], /32 bytes/);
    fails(["tx", "stake", "create-validator", "bob", "1000000", "--moniker", "x", "--consensus-pubkey", consensusPubkey(), "--commission-rate", "0.5"], /above --commission-max-rate/);
    fails(["tx", "stake", "set-auto-compound", "bob", "carol", "yes"], /true or false/);
    for (const cmd of [["tx", "stake", "create-validator"], ["tx", "stake", "unbond"], ["query", "stake", "validators"], ["query", "distribution", "rewards"], ["tx", "distribution", "withdraw-rewards"]]) {
      assert.match(text([...cmd, "--help"]), /Examples?:\n {2}qoscli /);
    }
  });
});
