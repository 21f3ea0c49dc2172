// State sync on a real network: 4 validators take a snapshot every 5 blocks; a fifth node configured with
// [statesync] (two RPC servers, a trusted height and hash) restores the newest snapshot instead of
// replaying from genesis, catches up, computes the same results and app hashes at every later height and
// answers queries. Two validators and the joiner keep their state on disk, two in memory (chunks may come
// from either; QOS_TEST_STATE_BACKEND puts every node on one backend instead).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { Method, TypeUrl } from "../../gen/names.js";
import { setTomlValue } from "../../cmd/common/cometbft.js";
import { createTestnet, sleep, testStateBackend, type StateBackend, type Testnet, type TestnetNode } from "../../testnet/testnet.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const Funds = 1_000_000_000_000n;
const Interval = 5;
const validatorBackends: StateBackend[] = testStateBackend() ? Array(4).fill(testStateBackend()) : ["disk", "disk", "memory", "memory"];
const joinerBackend: StateBackend = testStateBackend() ?? "disk";

describe("state sync", () => {
  let net: Testnet;
  let sender: TestAccount;
  let receiver: TestAccount;
  let accountNumber = 0n;
  let sequence = 0;

  before(async () => {
    sender = await testAccount("statesync-sender");
    receiver = await testAccount("statesync-receiver");
    net = await createTestnet({
      validators: 4,
      chainId: "qos-statesync-1",
      accounts: [{ address: sender.address, coins: `${Funds}uqos` }],
      timeoutCommit: "300ms",
      timeoutPropose: "1s",
      stakeParams: { voting_status_len: 10_000, voting_status_least: 7_000 },
      stateBackend: validatorBackends,
    });
    // blocks come every ~0.5 s here: keep enough snapshots that the one the joiner picks (after its 5 s of
    // discovery) is still served while it fetches it
    for (const node of net.nodes) setAppConfig(node, { snapshot_interval: Interval, snapshot_keep_recent: 10 });
    await net.startAll();
    const res = await query(net.nodes[0], Method.cosmos.auth.v1beta1.Query.Account, QueryAccountRequest.encode({ address: sender.address }).finish());
    const account = BaseAccount.decode(QueryAccountResponse.decode(res).account!.value);
    accountNumber = account.accountNumber;
    sequence = Number(account.sequence);
  });

  after(async () => {
    await net?.destroy();
  });

  function setAppConfig(node: TestnetNode, values: Record<string, unknown>): void {
    const file = join(node.home, "config/app.json");
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), ...values }, null, 2));
  }

  async function query(node: TestnetNode, path: string, data: Uint8Array, height?: number): Promise<Uint8Array> {
    const res = await node.rpc<{ response: { code: number; value: string | null; log: string; height: string } }>("abci_query", {
      path,
      data: Buffer.from(data).toString("hex"),
      ...(height !== undefined ? { height: String(height) } : {}),
    });
    assert.equal(res.response.code, 0, `${node.name} ${path} at ${height ?? "latest"}: ${res.response.log}`);
    return Buffer.from(res.response.value ?? "", "base64");
  }

  async function balance(node: TestnetNode, address: string, height: number): Promise<bigint> {
    const value = await query(node, Method.cosmos.bank.v1beta1.Query.Balance, QueryBalanceRequest.encode({ address, denom: "uqos" }).finish(), height);
    return BigInt(QueryBalanceResponse.decode(value).balance?.amount ?? "0");
  }

  /** a transfer to the receiver, committed: returns its height */
  async function transfer(node: TestnetNode, amount: bigint): Promise<number> {
    const msg = { typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend, value: MsgSend.fromPartial({ fromAddress: sender.address, toAddress: receiver.address, amount: [{ denom: "uqos", amount: String(amount) }] }) };
    const tx = await signTx(sender, [msg], { chainId: net.chainId, accountNumber, sequence: sequence++ });
    const res = await node.rpc<{ code: number; log: string; hash: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
    assert.equal(res.code, 0, `CheckTx: ${res.log}`);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = await node.rpc<{ height: string; tx_result: { code: number; log: string } }>("tx", { hash: Buffer.from(res.hash, "hex").toString("base64") }).catch(() => undefined);
      if (found) {
        assert.equal(found.tx_result.code, 0, found.tx_result.log);
        return Number(found.height);
      }
      if (Date.now() > deadline) throw new Error(`tx ${res.hash} not committed`);
      await sleep(100);
    }
  }

  test("a fifth node state-syncs from the validators' snapshots, agrees at every later height and serves queries", async () => {
    for (let i = 0; i < 3; i++) await transfer(net.nodes[i], 1000n + BigInt(i));
    // a snapshot at a multiple of Interval, and two blocks above it (CometBFT's light client verifies
    // the snapshot's app hash in header H+1 and builds the state from H+2)
    const tip = await net.nodes[0].waitForHeight(3 * Interval + 2, 60_000);
    const trustHeight = tip - 2;
    const trusted = await net.nodes[0].rpc<{ block_id: { hash: string } }>("block", { height: String(trustHeight) });

    const joiner = await net.addFullNode({ stateBackend: joinerBackend });
    const file = join(joiner.home, "config/config.toml");
    let toml = readFileSync(file, "utf8");
    toml = setTomlValue(toml, "statesync", "enable", true);
    toml = setTomlValue(toml, "statesync", "rpc_servers", `${net.nodes[0].rpcUrl},${net.nodes[1].rpcUrl}`);
    toml = setTomlValue(toml, "statesync", "trust_height", trustHeight);
    toml = setTomlValue(toml, "statesync", "trust_hash", trusted.block_id.hash);
    toml = setTomlValue(toml, "statesync", "discovery_time", "5s");
    toml = setTomlValue(toml, "statesync", "chunk_request_timeout", "5s");
    writeFileSync(file, toml);
    const started = Date.now();
    await joiner.start({ timeoutMs: 120_000 });
    // transfers while it syncs and after: later heights have content to agree on
    const later = [await transfer(net.nodes[1], 7n)];
    const target = (await net.nodes[0].height()) + 3;
    await joiner.waitForHeight(target, 120_000);
    later.push(await transfer(net.nodes[2], 9n));
    await joiner.waitForHeight(later[1] + 1, 60_000);
    const syncMs = Date.now() - started;

    const log = readFileSync(joiner.logFile, "utf8");
    const restored = /restored the snapshot at height (\d+)/.exec(log);
    assert.ok(restored, `the joiner restored a snapshot:\n${joiner.logTail()}`);
    assert.match(log, new RegExp(`state on ${joinerBackend},`));
    for (const [i, backend] of validatorBackends.entries()) assert.match(readFileSync(net.nodes[i].logFile, "utf8"), new RegExp(`state on ${backend},`));
    const snapshotHeight = Number(restored[1]);
    assert.equal(snapshotHeight % Interval, 0);
    assert.ok(snapshotHeight >= 2 * Interval, `a recent snapshot (${snapshotHeight}), not genesis`);
    assert.doesNotMatch(log, /InitChain/, "the joiner never ran genesis");
    const status = await joiner.rpc<{ sync_info: { earliest_block_height: string; catching_up: boolean } }>("status");
    assert.ok(Number(status.sync_info.earliest_block_height) > snapshotHeight, `no block at or below the snapshot (earliest ${status.sync_info.earliest_block_height})`);
    console.error(`state sync: snapshot ${snapshotHeight}, joined and caught up to ${later[1] + 1} in ${syncMs} ms`);

    // every height after the snapshot: the joiner's own results and app hash equal the validators'
    const last = later[1] + 1;
    for (let h = snapshotHeight + 1; h <= last; h++) {
      const [mine, theirs] = await Promise.all([joiner, net.nodes[3]].map((n) => n.rpc<{ txs_results: unknown; finalize_block_events: unknown; app_hash: string }>("block_results", { height: String(h) })));
      assert.deepEqual(mine, theirs, `block_results at ${h}`);
      const [a, b] = await Promise.all([joiner, net.nodes[3]].map((n) => n.rpc<{ signed_header: { header: { app_hash: string } } }>("commit", { height: String(h) })));
      assert.equal(a.signed_header.header.app_hash, b.signed_header.header.app_hash, `app hash in header ${h}`);
    }
    // its app state answers queries at the snapshot height and after, as the validators'
    const info = await joiner.rpc<{ response: { last_block_height: string; last_block_app_hash: string } }>("abci_info");
    const infoHeight = Number(info.response.last_block_height);
    const header = await net.nodes[0].rpc<{ signed_header: { header: { app_hash: string } } }>("commit", { height: String(infoHeight + 1) }).catch(() => undefined);
    if (header) assert.equal(Buffer.from(info.response.last_block_app_hash, "base64").toString("hex").toUpperCase(), header.signed_header.header.app_hash);
    for (const h of [snapshotHeight, later[0], later[1]]) {
      for (const who of [sender.address, receiver.address]) {
        assert.equal(await balance(joiner, who, h), await balance(net.nodes[0], who, h), `balance of ${who} at ${h}`);
      }
    }
    assert.equal(await balance(joiner, receiver.address, later[1]), 1000n + 1001n + 1002n + 7n + 9n);
  });
});
