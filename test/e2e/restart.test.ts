// Crash safety on a real node: a clean stop and a kill -9 under load both resume with nothing committed
// lost, CometBFT's handshake agreeing with the app's height and app hash. Also: proofs of committed
// state verify against the app hash in the next block's header, and (disk backend) proofs at H−1 right
// after a restart, where relayers and light clients ask. Runs on both state backends, or only on the one
// QOS_TEST_STATE_BACKEND names.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TestNode, sleep } from "../helpers/node.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { decodeProof, verifyMembership, verifyNonMembership } from "../../app/state/smt.js";
import { ProofOpType } from "../../app/app.js";
import { testStateBackend, type StateBackend } from "../../testnet/testnet.js";

const backends: StateBackend[] = testStateBackend() ? [testStateBackend()!] : ["memory", "disk"];

for (const backend of backends) describe(`restart and crash recovery (state on ${backend})`, () => {
  let node: TestNode;
  let alice: TestAccount;
  let bob: TestAccount;
  let sequence = 0;

  before(async () => {
    [alice, bob] = await Promise.all([testAccount("crash-alice"), testAccount("crash-bob")]);
    node = await TestNode.create({ accounts: [{ address: alice.address, coins: "1000000000000uqos" }], timeoutCommit: "200ms", stateBackend: backend });
    await node.start();
    assert.match(node.output, new RegExp(`app at height 0, state on ${backend},`));
  });
  after(() => node?.destroy());

  const transfer = async (amount: number) => {
    const tx = await signTx(
      alice,
      [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount: String(amount) }] }) }],
      { chainId: node.chainId, accountNumber: 0, sequence },
    );
    const res = await node.rpc<{ code: number; log: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
    if (res.code === 0) sequence++;
    return res;
  };
  const balance = (address: string): Promise<bigint> => balanceAt(address);
  const balanceAt = async (address: string, height?: number): Promise<bigint> => {
    const { QueryBalanceRequest, QueryBalanceResponse } = await import("cosmjs-types/cosmos/bank/v1beta1/query");
    const res = await node.rpc<{ response: { code: number; value: string; log: string } }>("abci_query", {
      path: "/cosmos.bank.v1beta1.Query/Balance",
      data: Buffer.from(QueryBalanceRequest.encode({ address, denom: "uqos" }).finish()).toString("hex"),
      ...(height !== undefined ? { height: String(height) } : {}),
    });
    assert.equal(res.response.code, 0, res.response.log);
    return BigInt(QueryBalanceResponse.decode(Buffer.from(res.response.value, "base64")).balance!.amount);
  };
  const committedToBob = async (): Promise<number[]> => {
    const amounts: number[] = [];
    for (let page = 1; ; page++) {
      const res = await node.rpc<{ txs: { tx_result: { code: number; events: { type: string; attributes: { key: string; value: string }[] }[] } }[]; total_count: string }>(
        "tx_search",
        { query: `transfer.recipient='${bob.address}'`, page: String(page), per_page: "100" },
      );
      for (const tx of res.txs) {
        if (tx.tx_result.code !== 0) continue;
        const transferToBob = tx.tx_result.events.find((e) => e.type === "transfer" && e.attributes.some((a) => a.key === "recipient" && a.value === bob.address));
        amounts.push(parseInt(transferToBob!.attributes.find((a) => a.key === "amount")!.value, 10));
      }
      if (page * 100 >= Number(res.total_count)) return amounts;
    }
  };

  test("Ctrl-C and start again: same height, app hash and balances, then the chain goes on", async () => {
    for (let i = 1; i <= 5; i++) assert.equal((await transfer(i)).code, 0);
    while ((await committedToBob()).length < 5) await sleep(100);
    assert.equal(await node.stop(), 0);
    const stoppedAt = Number(/stopped at height (\d+)/.exec(node.output)![1]);
    const info = await (async () => {
      await node.start();
      return Number(/app at height (\d+)/.exec(node.output)![1]);
    })();
    assert.equal(info, stoppedAt, "the app reopens at the height it stopped at");
    // the header of stoppedAt+1 carries the app hash the app had at stoppedAt, on both sides of the restart
    await node.waitForHeight(stoppedAt + 2);
    const abciInfo = await node.rpc<{ response: { last_block_height: string } }>("abci_info");
    assert.ok(Number(abciInfo.response.last_block_height) > stoppedAt);
    assert.equal(await balance(bob.address), 15n);
  });

  test("kill -9 of the app under load: the handshake succeeds and every committed tx is in the state", async (t) => {
    const sent: number[] = [];
    let stop = false;
    const load = (async () => {
      let amount = 100;
      while (!stop) {
        const res = await transfer(amount).catch(() => ({ code: -1, log: "node down" }));
        if (res.code === 0) sent.push(amount);
        amount++;
        if (res.code !== 0) await sleep(20);
      }
    })();
    await sleep(2500);
    const committedBeforeKill = await committedToBob();
    await node.crashApp();
    stop = true;
    await load;
    assert.ok(committedBeforeKill.length > 5, `load ran: ${committedBeforeKill.length} txs committed`);

    // CometBFT writes cometbft.log itself and appends across restarts. When the kill lands inside a block,
    // the CometBFT of the killed run logs "CONSENSUS FAILURE" (its ABCI connection died mid-FinalizeBlock)
    // before it stops: that is the crash itself, not a fault. Only what the restarted node logs is checked.
    const logFile = join(node.home, "cometbft.log");
    const crashRunBytes = statSync(logFile).size;
    await node.start(); // waits for a block: CometBFT's handshake with the app succeeded
    const h = await node.height();
    await node.waitForHeight(h + 2); // and consensus goes on (no app hash mismatch)
    const cometLog = readFileSync(logFile).subarray(crashRunBytes).toString("utf8");
    const crashRunFailure = /CONSENSUS FAILURE[^\n]*/.exec(readFileSync(logFile).subarray(0, crashRunBytes).toString("utf8"));
    t.diagnostic(`the killed run's CometBFT: ${crashRunFailure ? crashRunFailure[0].slice(0, 200) : "no consensus failure logged"}`);
    assert.doesNotMatch(cometLog, /does not match AppHash|wrong Block\.Header\.AppHash|CONSENSUS FAILURE/);
    assert.match(cometLog, /ABCI Handshake App Info/);
    const committedAfter = await committedToBob();
    for (const amount of committedBeforeKill) assert.ok(committedAfter.includes(amount), `tx of ${amount} committed before the kill is still there`);
    const expected = BigInt(committedAfter.reduce((a, b) => a + b, 0));
    assert.equal(await balance(bob.address), expected, "bob's balance is the sum of every committed transfer");
  });

  // the memory backend keeps only the latest version across a restart, so this one runs on disk only
  if (backend === "disk") test("right after a restart, a /store/key proof at H−1 verifies against header H (disk: every kept height answers)", async () => {
    assert.equal(await node.stop(), 0);
    const stoppedAt = Number(/stopped at height (\d+)/.exec(node.output)![1]);
    await node.start();
    // the heights a relayer asks for after the restart, before any new block: H−1 (its proofs verify
    // against header H) and H (against header H+1, once it exists)
    const key = Buffer.from("app/chain_id", "latin1");
    const answers = [];
    for (const height of [stoppedAt - 1, stoppedAt]) {
      const res = await node.rpc<{ response: { code: number; log: string; value: string; height: string; proofOps: { ops: { type: string; data: string }[] } } }>(
        "abci_query",
        { path: "/store/key", data: key.toString("hex"), height: String(height), prove: true },
      );
      assert.equal(res.response.code, 0, `height ${height}: ${res.response.log}`);
      assert.equal(res.response.height, String(height));
      answers.push({ height, res });
    }
    await node.waitForHeight(stoppedAt + 1);
    for (const { height, res } of answers) {
      const header = await node.rpc<{ block: { header: { app_hash: string } } }>("block", { height: String(height + 1) });
      const appHash = Buffer.from(header.block.header.app_hash, "hex");
      const value = Buffer.from(res.response.value, "base64");
      assert.equal(value.toString(), node.chainId);
      const proof = decodeProof(Buffer.from(res.response.proofOps.ops[0].data, "base64"));
      assert.equal(verifyMembership(appHash, key, value, proof), true, `proof at ${height} against header ${height + 1}`);
    }
    // bob's balance at H−1 as it was committed, from the restarted node
    const before = await balanceAt(bob.address, stoppedAt - 1);
    assert.equal(before, BigInt((await committedToBob()).reduce((a, b) => a + b, 0)));
  });

  test("a /store/key proof at height h verifies against the app hash in header h+1", async () => {
    const height = (await node.height()) - 1;
    const key = Buffer.from("app/chain_id", "latin1");
    const res = await node.rpc<{ response: { code: number; value: string; height: string; proofOps: { ops: { type: string; key: string; data: string }[] } } }>(
      "abci_query",
      { path: "/store/key", data: key.toString("hex"), height: String(height), prove: true },
    );
    assert.equal(res.response.code, 0);
    assert.equal(res.response.height, String(height));
    assert.equal(res.response.proofOps.ops[0].type, ProofOpType);
    const header = await node.rpc<{ block: { header: { app_hash: string } } }>("block", { height: String(height + 1) });
    const appHash = Buffer.from(header.block.header.app_hash, "hex");
    const value = Buffer.from(res.response.value, "base64");
    assert.equal(value.toString(), node.chainId);
    const proof = decodeProof(Buffer.from(res.response.proofOps.ops[0].data, "base64"));
    assert.equal(verifyMembership(appHash, key, value, proof), true);
    assert.equal(verifyMembership(appHash, key, Buffer.from("forged"), proof), false);
    assert.equal(verifyNonMembership(appHash, key, proof), false);
  });
});
