// The staking economy with qoscli only, against a real node: a validator created (consensus key given
// as base64, and read from a qosd home), a delegation, an unbonding, a redelegation, rewards withdrawn,
// the community pool, and the errors a user meets. The new validators never sign (their keys are not the
// node's): their power stays well under a third of the total, so the node keeps committing. The node's own
// validator is a genesis validator outside staking, so no managed validator ever signs or proposes: no
// reward and no proposer bonus is ever paid, and every block's mint and every fee go to the community pool.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuthInfo, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { TestNode } from "../helpers/node.js";
import { defaultModel } from "../helpers/mint-model.js";
import { QueryCommunityPoolResponse } from "../../gen/qos/distribution/v1/query.js";
import { QueryAppliedResponse } from "../../gen/qos/mint/v1/query.js";

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

  /** a query's answer from the state committed at `height` */
  async function abciQuery(path: string, height: number): Promise<Uint8Array> {
    const res = await node.rpc<{ response: { code: number; value: string | null; log: string; height: string } }>("abci_query", { path, data: "", height: String(height) });
    assert.equal(res.response.code, 0, `${path} at ${height}: ${res.response.log}`);
    assert.equal(res.response.height, String(height));
    return Buffer.from(res.response.value ?? "", "base64");
  }
  const seconds = (rfc3339: string) => BigInt(Date.parse(`${rfc3339.slice(0, 19)}Z`) / 1000);
  /** What inflation minted in each block 1..height, by the whitepaper's formula over the blocks' header times
   *  (tests/helpers/mint-model.ts: the default 7 phases from the genesis time), and the uqos fees every
   *  transaction of blocks 1..height paid (the fee its signer put in AuthInfo; every one succeeded). */
  async function mintsAndFees(height: number): Promise<{ mints: bigint[]; fees: bigint[] }> {
    const genesis = await node.rpc<{ genesis: { genesis_time: string } }>("genesis");
    const model = defaultModel(seconds(genesis.genesis.genesis_time));
    const mints: bigint[] = [0n];
    const fees: bigint[] = [0n];
    for (let h = 1; h <= height; h++) {
      const { block } = await node.rpc<{ block: { header: { time: string }; data: { txs: string[] | null } } }>("block", { height: String(h) });
      mints.push(model.step(h, seconds(block.header.time) * 1_000_000_000n).minted);
      const results = (await node.rpc<{ txs_results: Array<{ code: number }> | null }>("block_results", { height: String(h) })).txs_results ?? [];
      assert.deepEqual(results.map((r) => r.code), (block.data.txs ?? []).map(() => 0), `block ${h}: every tx succeeded (each paid its fee)`);
      fees.push((block.data.txs ?? []).reduce((sum, tx) => {
        const fee = AuthInfo.decode(TxRaw.decode(Buffer.from(tx, "base64")).authInfoBytes).fee!.amount;
        return sum + fee.filter((c) => c.denom === "uqos").reduce((s, c) => s + BigInt(c.amount), 0n);
      }, 0n));
    }
    return { mints, fees };
  }

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

    // carol's validator never signs a block (its key is not the node's): it is paid no share, so bob earns
    // exactly nothing; the withdrawal pays 0 (bob's balance falls by the fee only)
    const rewards = json(["query", "distribution", "rewards", "bob", "carol"]);
    assert.deepEqual(rewards, { delegator: bob, validator: carolVal.operator_address, rewards: "0", commission: "0", total: "0" });
    const bobBefore = BigInt(json(["query", "balance", "bob", "uqos"]).amount);
    const withdrawn = tx(["tx", "distribution", "withdraw-rewards", "bob", "carol"]);
    const attrs = (type: string) => withdrawn.events.filter((e: { type: string }) => e.type === type).map((e: { attributes: Array<{ key: string; value: string }> }) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));
    assert.deepEqual(attrs("withdraw_rewards").map((a: Record<string, string>) => [a.delegator, a.amount, a.commission]), [[bob, "0", "0"]]);
    const [fee] = attrs("tx").filter((a: Record<string, string>) => a.fee !== undefined).map((a: Record<string, string>) => a.fee);
    assert.match(fee, /^[0-9]+uqos$/);
    assert.equal(BigInt(json(["query", "balance", "bob", "uqos"]).amount), bobBefore - BigInt(fee.slice(0, -4)));
    // the owner's validator: never signed either, so no commission, nothing outstanding; its period went
    // 1 (created) → 2 (self-bond) → 3 (bob's delegation) → 4 (bob's unbonding) → 5 (bob's redelegation away)
    assert.deepEqual(json(["query", "distribution", "validator", val]), { validator: val, commission: "0", outstanding: "0", current_period: "5", current_rewards: "0" });

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

  test("the community pool holds exactly every block's mint and every fee (no managed validator ever signed)", async () => {
    // block h shares out the fee collector: h's own mint and the fees of block h − 1; with no managed signer
    // and no managed proposer all of it joins the pool, so pool(H) = Σ mint(1..H) + Σ fees(1..H−1)
    const first = await node.height();
    await node.waitForHeight(first + 3);
    const last = await node.height();
    const { mints, fees } = await mintsAndFees(last);
    const sum = (xs: bigint[], upTo: number) => xs.slice(0, upTo + 1).reduce((a, b) => a + b, 0n);
    for (const h of [first, last]) {
      const pool = BigInt(QueryCommunityPoolResponse.decode(await abciQuery("/qos.distribution.v1.Query/CommunityPool", h)).amount);
      assert.equal(pool, sum(mints, h) + sum(fees, h - 1), `community pool at height ${h}`);
      const applied = QueryAppliedResponse.decode(await abciQuery("/qos.mint.v1.Query/Applied", h));
      assert.deepEqual([applied.applied, applied.lastMint], [String(sum(mints, h)), String(mints[h])], `inflation at height ${h}`);
    }
    assert.ok(sum(fees, last) > 0n && mints[last] > 0n, "the check covers both fees and mints");
    assert.match(text(["query", "distribution", "community-pool"]), /^[0-9]+uqos \([0-9.]+ QOS\)$/m);
  });

  test("errors exit non-zero and say what was wrong", () => {
    const bobVal = json(["query", "stake", "validators"]).validators.find((v: { owner: string }) => v.owner === bob);
    assert.equal(bobVal, undefined);
    fails(["query", "stake", "validator", "bob"], /NotFound: validator qosval1\S+ does not exist/);
    fails(["query", "distribution", "validator", "bob"], /NotFound: validator qosval1\S+ does not exist/);
    // every typed queryOrNotFound call site turns the node's "not found" into the same NotFound line
    fails(["query", "stake", "keep-alive", "bob"], /NotFound: validator qosval1\S+ does not exist/);
    fails(["query", "distribution", "rewards", "owner", "bob"], /NotFound: validator qosval1\S+ does not exist/);
    fails(["tx", "distribution", "withdraw-rewards", "owner", "carol"], /NotFound: qosacc1\S+ has no delegation to qosval1\S+: no rewards to withdraw/);
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
