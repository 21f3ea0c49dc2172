// Governance and the guardian on a real 4-validator network (testnet/: validators from gentxs, real
// CometBFT, every invariant checked after every block), driven with qoscli against different nodes. The
// genesis (TestnetOptions.genesisPatch) makes every gov level short (30 s of voting: 8 votes by qoscli, two per owner one after the other, took over 15 s in CI; 10 QOS deposit) and
// node0's owner a genesis guardian. Every validator bonds 10 QOS (power 10, 40 in all).
//   1. a parameter change (stake max_validators 21 → 7) passes with the validators' votes and takes effect
//      in the block that ends its voting period, on every node; one voted down (bank
//      max_transfer_parties, 1 yes of 4) changes nothing;
//   2. a software upgrade at height H: all four nodes stop by themselves (UPGRADE v2 NEEDED, last
//      committed H−1, qosd exits); restarted with `--upgrade-done v2` they continue, same blocks and
//      app hashes on every node;
//   3. a non-guardian's halt fails (guardian code 2, fee paid); the genesis guardian's halt is free and
//      stops the network: no node makes another block, every node answers the halt query.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { QueryParamsRequest, QueryParamsResponse } from "../../gen/qos/params/v1/query.js";
import { QueryProposalRequest, QueryProposalResponse } from "../../gen/qos/gov/v1/query.js";
import { ProposalStatus } from "../../gen/qos/gov/v1/types.js";
import { createTestnet, sleep, type Testnet, type TestnetNode } from "../../testnet/testnet.js";

const execFileAsync = promisify(execFile);
const qoscliBin = join(repoRoot, "dist/cmd/qoscli/main.js");
const QOS = 1_000_000n;
const Deposit = 10n * QOS;
const level = {
  min_deposit: String(Deposit), min_initial_deposit_rate: "0.5", max_deposit_period_secs: 60, voting_period_secs: 30,
  quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.2",
};
/** qoscli's default fee: --gas 200000 × 0.025uqos */
const Fee = 5_000n;

describe("governance and guardian on a 4-validator network", () => {
  let net: Testnet;
  const timings: string[] = [];

  /** qoscli against a node, as the keyring of the node owners */
  async function cli(node: TestnetNode, ...args: string[]): Promise<string> {
    const { stdout } = await execFileAsync(process.execPath, [qoscliBin, ...args, "--node", node.rpcUrl, "--home", net.keyringHome!, "--keyring-backend", "test"], { encoding: "utf8" });
    return stdout;
  }
  const cliJson = async (node: TestnetNode, ...args: string[]) => JSON.parse(await cli(node, ...args, "--output", "json"));
  /** a tx from node i's owner, sent to node i, waiting for its block */
  const tx = (i: number, ...args: string[]) => cliJson(net.nodes[i], "tx", ...args, "--gas", "200000", "--broadcast-mode", "block");
  const owner = (i: number) => net.nodes[i].manifest.ownerKey!;
  const balance = async (node: TestnetNode, i: number) => BigInt((await cliJson(node, "query", "balance", net.nodes[i].owner!, "uqos")).amount);

  async function abciQuery(node: TestnetNode, path: string, data: Uint8Array, height: number): Promise<Uint8Array> {
    const res = await node.rpc<{ response: { code: number; value: string | null; log: string; height: string } }>("abci_query", {
      path, data: Buffer.from(data).toString("hex"), height: String(height),
    });
    assert.equal(res.response.code, 0, `${path} at ${height}: ${res.response.log}`);
    assert.equal(res.response.height, String(height));
    return Buffer.from(res.response.value ?? "", "base64");
  }
  const paramsAt = async (node: TestnetNode, module: string, height: number) =>
    JSON.parse(QueryParamsResponse.decode(await abciQuery(node, "/qos.params.v1.Query/Params", QueryParamsRequest.encode({ module }).finish(), height)).paramsJson);
  const statusAt = async (node: TestnetNode, id: bigint, height: number) =>
    QueryProposalResponse.decode(await abciQuery(node, "/qos.gov.v1.Query/Proposal", QueryProposalRequest.encode({ proposalId: id }).finish(), height)).proposal!.status;
  const blockSecs = async (node: TestnetNode, height: number) =>
    Math.floor(Date.parse((await node.rpc<{ block: { header: { time: string } } }>("block", { height: String(height) })).block.header.time) / 1000);

  async function waitDecided(id: string): Promise<any> {
    for (let i = 0; i < 100; i++) {
      const p = await cliJson(net.nodes[0], "query", "gov", "proposal", id);
      if (p.status !== "voting_period" && p.status !== "deposit_period") return p;
      await sleep(300);
    }
    throw new Error(`proposal ${id} still open`);
  }

  before(async () => {
    const started = Date.now();
    net = await createTestnet({
      validators: 4,
      chainId: "qos-gov-net-1",
      timeoutCommit: "300ms",
      timeoutPropose: "1s",
      env: { QOS_CHECK_INVARIANTS: "1" },
      // nodes stop for the upgrade: a long keep-alive window so no validator becomes inactive meanwhile
      stakeParams: { voting_status_len: 1000, voting_status_least: 1, survival_secs: 3600 },
      genesisPatch: (genesis, nodes) => {
        genesis.app_state.gov = { ...genesis.app_state.gov, params: { normal: level, important: level, critical: level } };
        genesis.app_state.guardian = { guardians: [{ address: nodes[0].owner, type: "genesis", description: "foundation" }] };
      },
    });
    await net.startAll();
    timings.push(`testnet created and started in ${Date.now() - started} ms`);
  });

  after(async () => {
    await net?.destroy();
    console.log(timings.join("\n"));
  });

  test("a parameter change passes with the validators' votes and applies at the end of voting; a voted-down one changes nothing", async () => {
    const t0 = Date.now();
    const [n1, n2] = [net.nodes[1], net.nodes[2]];
    await Promise.all([n1.waitForHeight(3), n2.waitForHeight(3)]);
    const h0 = Math.min(await n1.height(), await n2.height());
    assert.equal((await paramsAt(n1, "stake", h0)).max_validators, 21);
    assert.equal((await paramsAt(n2, "bank", h0)).max_transfer_parties, 100);

    // #1 by node0's owner (to node0), #2 by node1's owner (to node1)
    const [s1, s2] = await Promise.all([
      tx(0, "gov", "submit-proposal", "param-change", owner(0), "--title", "fewer validators", "--description", "d",
        "--param", "stake:max_validators:7", "--deposit", String(Deposit)),
      tx(1, "gov", "submit-proposal", "param-change", owner(1), "--title", "more parties", "--description", "d",
        "--param", "bank:max_transfer_parties:9", "--deposit", String(Deposit)),
    ]);
    assert.equal(s1.code, 0);
    assert.equal(s2.code, 0);
    const ids = [s1, s2].map((s) => s.events.find((e: any) => e.type === "submit_proposal")?.attributes.find((a: any) => a.key === "proposal_id")?.value);
    assert.deepEqual([...ids].sort(), ["1", "2"]);
    const [changeMax, changeParties] = ids as string[];
    // every validator's owner votes, each on its own node: yes on max_validators; only node0 yes on the other
    // (one owner's txs one after the other: each needs the previous one's sequence)
    const votes = await Promise.all([0, 1, 2, 3].map(async (i) => [
      await tx(i, "gov", "vote", owner(i), changeMax, "yes"),
      await tx(i, "gov", "vote", owner(i), changeParties, i === 0 ? "yes" : "no"),
    ]));
    for (const v of votes.flat()) assert.equal(v.code, 0);
    // still the old values while voting
    const during = await n2.height();
    assert.equal(await statusAt(n2, BigInt(changeMax), during), ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    assert.equal((await paramsAt(n2, "stake", during)).max_validators, 21);

    const passed = await waitDecided(changeMax);
    assert.equal(passed.status, "passed", passed.result);
    assert.equal(passed.level, "important");
    assert.deepEqual(passed.final_tally, { yes: String(40n * QOS), abstain: "0", no: "0", noWithVeto: "0", totalPower: String(40n * QOS) });
    const rejected = await waitDecided(changeParties);
    assert.equal(rejected.status, "rejected");
    assert.deepEqual(rejected.final_tally, { yes: String(10n * QOS), abstain: "0", no: String(30n * QOS), noWithVeto: "0", totalPower: String(40n * QOS) });

    // the block that ended the voting period: the status and the value change together, on two nodes
    const now = Math.min(await n1.height(), await n2.height());
    let end = now;
    while ((await statusAt(n1, BigInt(changeMax), end - 1)) !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) end--;
    const votingEnd = Number(passed.voting_end_time);
    assert.ok((await blockSecs(n1, end)) >= votingEnd && (await blockSecs(n1, end - 1)) < votingEnd, "the first block at or after voting_end_time");
    for (const node of [n1, n2]) {
      assert.equal(await statusAt(node, BigInt(changeMax), end), ProposalStatus.PROPOSAL_STATUS_PASSED);
      assert.equal((await paramsAt(node, "stake", end - 1)).max_validators, 21, node.name);
      assert.equal((await paramsAt(node, "stake", end)).max_validators, 7, node.name);
      assert.equal((await paramsAt(node, "stake", now)).max_validators, 7, node.name);
      assert.equal((await paramsAt(node, "bank", now)).max_transfer_parties, 100, node.name);
      assert.equal((await cliJson(node, "query", "stake", "params")).max_validators, 7);
    }
    timings.push(`param change: ${Date.now() - t0} ms`);
  });

  test("a software upgrade stops all four nodes at its height; --upgrade-done v2 continues the chain", async () => {
    const t0 = Date.now();
    const H = (await net.nodes[0].height()) + 170; // ≈ 60 s: submission, votes and the 30 s voting period fit before it, also on a busy machine
    const s = await tx(2, "gov", "submit-proposal", "software-upgrade", owner(2), "--title", "v2", "--description", "next version",
      "--name", "v2", "--height", String(H), "--deposit", String(Deposit));
    const id = s.events.find((e: any) => e.type === "submit_proposal").attributes.find((a: any) => a.key === "proposal_id").value;
    assert.equal(id, "3");
    await Promise.all([0, 1, 2, 3].map((i) => tx(i, "gov", "vote", owner(i), id, "yes")));
    const p = await waitDecided(id);
    assert.equal(p.status, "passed", p.result);
    assert.equal(p.level, "critical");
    for (const node of net.nodes) assert.deepEqual((await cliJson(node, "query", "gov", "upgrade")).plan.height, String(H));
    assert.ok((await net.nodes[0].height()) < H - 1, `the upgrade passed before its height ${H}`);
    timings.push(`upgrade proposal passed in ${Date.now() - t0} ms, H = ${H}`);

    // every node stops by itself: qosd exits after CometBFT stopped on the app's refusal of block H
    // A node that had not yet received the commit of block H when its peers stopped stays at H−1 (still
    // running, nobody left to gossip H): it gets H, refuses it and exits once the others are restarted.
    const exits = net.nodes.map((n) => n.exited(90_000).then((code) => ({ code, log: readFileSync(n.logFile, "utf8") })));
    await Promise.race(exits);
    const stopped = await Promise.all(exits.map((e) => Promise.race([e, sleep(15_000).then(() => undefined)])));
    const lagging = net.nodes.filter((_, i) => stopped[i] === undefined);
    for (const node of lagging) assert.equal(await node.height(), H - 1, `${node.name} (still running) is at H−1`);
    timings.push(`${4 - lagging.length} nodes exited at H within 15 s of the first${lagging.length ? `; lagging (exits after the others restart): ${lagging.map((n) => n.name)}` : ""}`);
    if (lagging.length) await Promise.all(net.nodes.filter((n) => !lagging.includes(n)).map((n) => n.start({ args: ["--upgrade-done", "v2"] })));
    const ended = await Promise.all(exits);
    assert.deepEqual(ended.map((e) => e.code), [1, 1, 1, 1], "every qosd exits with code 1 at the upgrade height");
    for (const [i, node] of net.nodes.entries()) {
      const log = ended[i].log;
      assert.match(log, new RegExp(`UPGRADE v2 NEEDED at height ${H}\\b`), node.name);
      assert.match(log, new RegExp(`committed height ${H - 1} `), node.name);
      assert.doesNotMatch(log, new RegExp(`committed height ${H} `), node.name);
      assert.match(log, new RegExp(`stopped at height ${H - 1}\\n`), node.name);
    }
    timings.push(`all four stopped at ${H} ${Date.now() - t0} ms after the proposal`);

    const t1 = Date.now();
    await Promise.all(net.nodes.filter((n) => !n.running()).map((n) => n.start({ args: ["--upgrade-done", "v2"] })));
    await Promise.all(net.nodes.map((n) => n.waitForHeight(H + 2, 60_000)));
    const appHashes = await Promise.all(net.nodes.map(async (n) => (await n.rpc("block", { height: String(H + 1) })).block.header.app_hash as string));
    const blockHashes = await Promise.all(net.nodes.map(async (n) => (await n.rpc("block", { height: String(H) })).block_id.hash as string));
    assert.equal(new Set(appHashes).size, 1, `app hash after H differs: ${appHashes}`);
    assert.equal(new Set(blockHashes).size, 1, `block H differs: ${blockHashes}`);
    for (const node of net.nodes) {
      assert.ok((await node.height()) > H);
      const info = await cliJson(node, "query", "gov", "upgrade");
      assert.equal(info.plan, undefined);
      assert.deepEqual(info.applied.map((a: { name: string; height: string }) => [a.name, Number(a.height)]), [["v2", H]]);
      assert.match(readFileSync(node.logFile, "utf8"), /upgrade v2 is done/);
    }
    timings.push(`restarted with --upgrade-done, past ${H} on all four in ${Date.now() - t1} ms`);
  });

  test("a non-guardian cannot halt; the genesis guardian halts the network for free and no node makes another block", async () => {
    const [n0, n3] = [net.nodes[0], net.nodes[3]];
    // node3's owner is no guardian: included, code 2 of codespace guardian, its fee paid
    const before3 = await balance(n3, 3);
    const refused = await cli(n3, "tx", "guardian", "halt", owner(3), "not mine to stop", "--gas", "200000", "--broadcast-mode", "block", "--output", "json")
      .then(() => assert.fail("the halt of a non-guardian succeeded"), (e) => e as { stdout: string; stderr: string });
    const r = JSON.parse(refused.stdout);
    assert.equal(r.codespace, "guardian");
    assert.equal(r.code, 2, r.raw_log);
    assert.match(refused.stderr, /code 2, codespace guardian/);
    assert.equal(await balance(n3, 3), before3 - Fee, "the non-guardian paid its fee");
    assert.equal((await cliJson(n0, "query", "halt")).halted, false);

    // the genesis guardian (node0's owner), through node1: qoscli offers the default fee; it is not charged
    const before0 = await balance(n0, 0);
    const res = await cliJson(net.nodes[1], "tx", "guardian", "halt", owner(0), "critical bug, wait for v3", "--gas", "200000", "--broadcast-mode", "block");
    assert.equal(res.code, 0);
    const haltHeight = Number(res.height);
    for (const node of net.nodes) {
      const halt = await cliJson(node, "query", "halt");
      assert.equal(halt.halted, true, node.name);
      assert.equal(halt.halt.reason, "critical bug, wait for v3", node.name);
      assert.equal(Number(halt.halt.height), haltHeight, node.name);
      assert.equal(halt.halt.guardian, net.nodes[0].owner);
      assert.equal(await balance(node, 0), before0, "the guardian paid no fee");
    }
    const first = await Promise.all(net.nodes.map((n) => n.height()));
    await sleep(5000);
    const later = await Promise.all(net.nodes.map((n) => n.height()));
    assert.deepEqual(first, [haltHeight, haltHeight, haltHeight, haltHeight]);
    assert.deepEqual(later, first, "no node committed a block after the halt");
    for (const node of net.nodes) {
      const info = await node.rpc<{ response: { last_block_height: string } }>("abci_info");
      assert.equal(Number(info.response.last_block_height), haltHeight, `${node.name}: the app committed nothing after the halt`);
      assert.equal(node.running(), true, `${node.name} keeps running and answering`);
      assert.match(readFileSync(node.logFile, "utf8"), /HALT: refusing the proposal for height \d+/);
    }
  });
});
