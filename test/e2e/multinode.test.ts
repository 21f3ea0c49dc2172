// Determinism on a real 4-validator network (testnet/): every node computes the same app hash, the same
// results hash and answers the same balances at the same height, with signed transfers sent to
// different nodes. Then one validator is killed: the other three (30 of 40 power > 2/3) keep making
// blocks, and the restarted one catches up (block sync + replay) and agrees again. The validators come
// from gentxs (testnet/); the keep-alive window is long here so that node3's downtime does not make it
// inactive (test/e2e/staking.test.ts covers that).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";
import { createTestnet, sleep, type Testnet, type TestnetNode } from "../../testnet/testnet.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const Fee = 5000n; // signTx's default fee: 200000 gas × 0.025uqos
const Funds = 1_000_000_000_000n;

describe("4-validator network", () => {
  let net: Testnet;
  let senders: TestAccount[];
  let receivers: TestAccount[];
  const accountNumber = new Map<string, bigint>();
  const sequence = new Map<string, number>();
  const expected = new Map<string, bigint>();
  /** heights holding our txs */
  const txHeights = new Set<number>();

  before(async () => {
    senders = await Promise.all(Array.from({ length: 8 }, (_, i) => testAccount(`multinode-sender-${i}`)));
    receivers = await Promise.all(Array.from({ length: 4 }, (_, i) => testAccount(`multinode-receiver-${i}`)));
    for (const s of senders) expected.set(s.address, Funds);
    for (const r of receivers) expected.set(r.address, 0n);
    net = await createTestnet({
      validators: 4,
      chainId: "qos-multinode-1",
      accounts: senders.map((s) => ({ address: s.address, coins: `${Funds}uqos` })),
      timeoutCommit: "300ms",
      timeoutPropose: "1s",
      stakeParams: { voting_status_len: 10_000, voting_status_least: 7_000 },
      env: { QOS_CHECK_INVARIANTS: "1" },
    });
    await net.startAll();
    for (const s of senders) {
      const res = await query(net.nodes[0], "/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: s.address }).finish());
      const account = BaseAccount.decode(QueryAccountResponse.decode(res).account!.value);
      accountNumber.set(s.address, account.accountNumber);
      sequence.set(s.address, Number(account.sequence));
    }
  });

  after(async () => {
    await net?.destroy();
  });

  /** one signed tx from sender: a MsgSend, or a qos MsgTransfer to two receivers */
  async function makeTx(sender: TestAccount, to: TestAccount[], amount: bigint): Promise<Uint8Array> {
    const seq = sequence.get(sender.address)!;
    sequence.set(sender.address, seq + 1);
    const msg =
      to.length === 1
        ? { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: sender.address, toAddress: to[0].address, amount: [{ denom: "uqos", amount: String(amount) }] }) }
        : {
            typeUrl: "/qos.bank.v1.MsgTransfer",
            value: MsgTransfer.fromPartial({
              senders: [{ address: sender.address, coins: [{ denom: "uqos", amount: String(amount * BigInt(to.length)) }] }],
              receivers: to.map((r) => ({ address: r.address, coins: [{ denom: "uqos", amount: String(amount) }] })),
            }),
          };
    const tx = await signTx(sender, [msg], { chainId: net.chainId, accountNumber: accountNumber.get(sender.address)!, sequence: seq });
    expected.set(sender.address, expected.get(sender.address)! - Fee - amount * BigInt(to.length));
    for (const r of to) expected.set(r.address, expected.get(r.address)! + amount);
    return tx;
  }

  async function broadcast(node: TestnetNode, tx: Uint8Array): Promise<string> {
    const res = await node.rpc<{ code: number; log: string; hash: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
    assert.equal(res.code, 0, `${node.name} CheckTx: ${res.log}`);
    return createHash("sha256").update(tx).digest("hex").toUpperCase();
  }

  /** waits until every hash is committed (as seen by `node`), asserts success, records the heights */
  async function waitCommitted(node: TestnetNode, hashes: string[], timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const hash of hashes) {
      for (;;) {
        const res = await node.rpc<{ height: string; tx_result: { code: number; log: string } }>("tx", { hash: Buffer.from(hash, "hex").toString("base64") }).catch(() => undefined);
        if (res) {
          assert.equal(res.tx_result.code, 0, `tx ${hash}: ${res.tx_result.log}`);
          txHeights.add(Number(res.height));
          break;
        }
        if (Date.now() > deadline) throw new Error(`tx ${hash} not committed on ${node.name} in ${timeoutMs} ms`);
        await sleep(100);
      }
    }
  }

  async function query(node: TestnetNode, path: string, data: Uint8Array, height?: number): Promise<Uint8Array> {
    const res = await node.rpc<{ response: { code: number; value: string | null; log: string; height: string } }>("abci_query", {
      path,
      data: Buffer.from(data).toString("hex"),
      ...(height !== undefined ? { height: String(height) } : {}),
    });
    assert.equal(res.response.code, 0, `${node.name} ${path}: ${res.response.log}`);
    if (height !== undefined) assert.equal(res.response.height, String(height));
    return Buffer.from(res.response.value ?? "", "base64");
  }

  async function balance(node: TestnetNode, address: string, height?: number): Promise<bigint> {
    const value = await query(node, "/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "uqos" }).finish(), height);
    return BigInt(QueryBalanceResponse.decode(value).balance?.amount ?? "0");
  }

  /** a stream of rounds; in each, every sender sends `perSender` txs to the node `pick(k, round)` */
  async function sendRounds(rounds: number, perSender: number, pick: (k: number, round: number) => TestnetNode): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      const sent = await Promise.all(
        senders.map(async (sender, k) => {
          const node = pick(k, round);
          const hashes: string[] = [];
          for (let j = 0; j < perSender; j++) {
            // odd senders use the multi-party qos MsgTransfer, even ones the Cosmos MsgSend
            const to = k % 2 ? [receivers[(k + round) % 4], receivers[(k + round + 1) % 4]] : [receivers[(k + round + j) % 4]];
            hashes.push(await broadcast(node, await makeTx(sender, to, BigInt(1000 * (k + 1) + 10 * round + j))));
          }
          return { node, hashes };
        }),
      );
      // read the results from another node than the one the tx went to: it was gossiped and committed
      const nodes = net.nodes.filter((n) => n.running());
      await Promise.all(sent.map(({ node, hashes }) => waitCommitted(nodes[(nodes.indexOf(node) + 1) % nodes.length], hashes)));
    }
  }

  /** asserts that the given nodes agree on headers in [from, to], and returns the app hashes */
  async function assertSameHeaders(nodes: TestnetNode[], from: number, to: number): Promise<string[]> {
    const appHashes: string[] = [];
    for (let h = from; h <= to; h++) {
      const headers = await Promise.all(
        nodes.map(async (n) => {
          const b = await n.rpc<{ block_id: { hash: string }; block: { header: { app_hash: string; last_results_hash: string; data_hash: string; validators_hash: string } } }>(
            "block",
            { height: String(h) },
          );
          return { node: n.name, blockHash: b.block_id.hash, ...b.block.header };
        }),
      );
      for (const header of headers.slice(1)) {
        assert.equal(header.app_hash, headers[0].app_hash, `app_hash at height ${h}: ${header.node} vs ${headers[0].node}`);
        assert.equal(header.last_results_hash, headers[0].last_results_hash, `last_results_hash at height ${h}: ${header.node} vs ${headers[0].node}`);
        assert.equal(header.data_hash, headers[0].data_hash, `data_hash at height ${h}`);
        assert.equal(header.blockHash, headers[0].blockHash, `block hash at height ${h}`);
      }
      appHashes.push(headers[0].app_hash);
    }
    return appHashes;
  }

  /** every node answers the same balances at `height` */
  async function assertSameBalances(nodes: TestnetNode[], height: number): Promise<Map<string, bigint>> {
    await Promise.all(nodes.map((n) => n.waitForHeight(height)));
    const result = new Map<string, bigint>();
    for (const address of expected.keys()) {
      const values = await Promise.all(nodes.map((n) => balance(n, address, height)));
      for (let i = 1; i < values.length; i++) assert.equal(values[i], values[0], `balance of ${address} at height ${height}: ${nodes[i].name} vs ${nodes[0].name}`);
      result.set(address, values[0]);
    }
    return result;
  }

  async function assertExpectedBalances(nodes: TestnetNode[], height: number): Promise<void> {
    const balances = await assertSameBalances(nodes, height);
    for (const [address, amount] of expected) assert.equal(balances.get(address), amount, `balance of ${address} at height ${height}`);
  }

  function assertNoConsensusFailure(): void {
    for (const n of net.nodes) {
      const log = readFileSync(n.cometLogFile, "utf8");
      assert.doesNotMatch(log, /CONSENSUS FAILURE|wrong Block\.Header\.AppHash|does not match AppHash|invariant/i, `${n.name}'s cometbft.log`);
      assert.doesNotMatch(readFileSync(n.logFile, "utf8"), /invariant|panic/i, `${n.name}'s qosd.log`);
    }
  }

  test("transfers sent to all four nodes: same app hash, results hash and balances on every node at every height", async (t) => {
    const start = Math.min(...(await Promise.all(net.nodes.map((n) => n.height()))));
    await sendRounds(4, 2, (k, round) => net.nodes[(k + round) % 4]);
    assert.equal(txHeights.size > 1, true, "txs spread over several blocks");

    // the header of h+1 carries the app hash after block h: wait until every node has it for the last tx block
    const lastTx = Math.max(...txHeights);
    await Promise.all(net.nodes.map((n) => n.waitForHeight(lastTx + 2)));
    const top = Math.min(...(await Promise.all(net.nodes.map((n) => n.height()))));
    const appHashes = await assertSameHeaders(net.nodes, 1, top);
    assert.ok(new Set(appHashes.slice(start)).size > txHeights.size / 2, "the app hash moves with the txs");

    // balances at each tx height (and the one before the first) are the same on every node
    for (const h of [Math.min(...txHeights) - 1, ...[...txHeights].sort((a, b) => a - b)]) await assertSameBalances(net.nodes, h);
    // and after the last one they are exactly the sums of what was sent
    await assertExpectedBalances(net.nodes, lastTx);
    await assertExpectedBalances(net.nodes, top);
    // every block since the first tx was signed by at least 3 of the 4 validators
    const commit = await net.nodes[2].rpc<{ signed_header: { header: { app_hash: string }; commit: { signatures: { block_id_flag: number }[] } } }>("commit", { height: String(lastTx + 1) });
    assert.equal(commit.signed_header.header.app_hash, appHashes[lastTx]);
    assert.ok(commit.signed_header.commit.signatures.filter((s) => s.block_id_flag === 2).length >= 3);
    assertNoConsensusFailure();
    t.diagnostic(`${4 * 2 * senders.length} txs in ${txHeights.size} blocks; headers of heights 1..${top} and ${expected.size} balances at ${txHeights.size + 1} heights identical on 4 nodes`);
  });

  test("one validator killed: the other three go on; restarted, it catches up and agrees", async (t) => {
    const [n0, n1, n2, n3] = net.nodes;
    const before = await n0.height();
    await n3.kill(); // kill -9 of qosd and its CometBFT
    assert.equal(n3.running(), false);
    await assert.rejects(n3.height(), "node3's RPC is down");

    // the three others still commit blocks, with transfers in them
    txHeights.clear();
    await sendRounds(2, 2, (k, round) => [n0, n1, n2][(k + round) % 3]);
    const during = await n0.height();
    await Promise.all([n0, n1, n2].map((n) => n.waitForHeight(Math.max(during, before + 5) + 1)));
    assert.ok((await n0.height()) >= before + 5, "blocks without node3");
    const lastTx = Math.max(...txHeights);
    await assertExpectedBalances([n0, n1, n2], lastTx);

    // node3 restarts (handshake + WAL replay), block-syncs the missed heights, then votes again
    const restarted = Date.now();
    await n3.start();
    const target = await n0.height();
    const resumedAt = await n3.height();
    await n3.waitForHeight(target + 2, 30_000);
    const caughtUpMs = Date.now() - restarted;
    const top = Math.min(...(await Promise.all(net.nodes.map((n) => n.height()))));
    await assertSameHeaders(net.nodes, Math.max(1, before - 2), top);
    await assertExpectedBalances(net.nodes, lastTx);
    await assertExpectedBalances(net.nodes, top);

    // node3 is a voting validator again: it signs new blocks
    const signedBy3 = async () => {
      const h = (await n0.height()) - 1;
      const c = await n0.rpc<{ signed_header: { commit: { signatures: { validator_address: string; block_id_flag: number }[] } } }>("commit", { height: String(h) });
      return c.signed_header.commit.signatures.some((s) => s.validator_address === n3.manifest.validatorAddress && s.block_id_flag === 2);
    };
    const deadline = Date.now() + 15_000;
    while (!(await signedBy3())) {
      assert.ok(Date.now() < deadline, "node3 signs blocks again after catching up");
      await sleep(200);
    }
    // and the chain still accepts transfers through node3
    txHeights.clear();
    await sendRounds(1, 1, () => n3);
    await assertExpectedBalances(net.nodes, Math.max(...txHeights));
    assertNoConsensusFailure();
    t.diagnostic(`node3 down from height ${before}; restarted at ${resumedAt}, caught up to ${target + 2} in ${caughtUpMs} ms (restart included)`);
  });
});
