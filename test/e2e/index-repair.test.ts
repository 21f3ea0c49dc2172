// Index completeness (issue 14 part 1): CometBFT indexes a block's txs after it committed the block, so
// killing it right after a commit can leave committed txs that neither `tx` (by hash) nor `tx_search`
// finds — a wallet waiting for the hash it signed would never see a transfer that happened. qosd start
// finds such a gap before CometBFT serves and reindexes it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { setTomlValue } from "../../cmd/common/cometbft.js";
import { TestNode, sleep } from "../helpers/node.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { TypeUrl } from "../../gen/names.js";

const Senders = 4;

describe("qosd start repairs CometBFT's tx index after a kill", () => {
  let node: TestNode;
  let senders: TestAccount[];
  let bob: TestAccount;

  before(async () => {
    senders = await Promise.all(Array.from({ length: 2 * Senders }, (_, i) => testAccount(`index-sender-${i}`)));
    bob = await testAccount("index-bob");
    node = await TestNode.create({ accounts: senders.map((s) => ({ address: s.address, coins: "1000000000000uqos" })), timeoutCommit: "200ms" });
  });
  after(() => node?.destroy());

  const setIndexer = (indexer: "kv" | "null") => {
    const file = join(node.home, "config/config.toml");
    writeFileSync(file, setTomlValue(readFileSync(file, "utf8"), "tx_index", "indexer", indexer));
  };

  /** Transfers from `from` (each its own sequence) until `stop()`; the hashes CheckTx accepted. */
  const load = (from: TestAccount[], firstAccountNumber: number, stop: () => boolean): Promise<string[]> =>
    Promise.all(
      from.map(async (sender, i) => {
        const accepted: string[] = [];
        for (let sequence = 0; !stop(); ) {
          const tx = await signTx(
            sender,
            [{ typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend, value: MsgSend.fromPartial({ fromAddress: sender.address, toAddress: bob.address, amount: [{ denom: "uqos", amount: "1" }] }) }],
            { chainId: node.chainId, accountNumber: firstAccountNumber + i, sequence },
          );
          const res = await node.rpc<{ code: number }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") }).catch(() => undefined);
          if (res?.code === 0) {
            accepted.push(createHash("sha256").update(tx).digest("hex").toUpperCase());
            sequence++;
          } else await sleep(20);
        }
        return accepted;
      }),
    ).then((lists) => lists.flat());

  /** Runs load until a block with txs is committed, then kill -9 of CometBFT at once (qosd then stops:
   *  its CometBFT is gone). Returns the app's height at the kill and the hashes CheckTx accepted. */
  const killCometbftAfterCommit = async (from: TestAccount[], firstAccountNumber: number) => {
    let stop = false;
    const loaded = load(from, firstAccountNumber, () => stop);
    let commit: RegExpExecArray | undefined;
    try {
      await sleep(1500);
      commit = await node.nextOutput(/committed height (\d+) txs [1-9]/);
      process.kill(node.cometbftPid, "SIGKILL");
    } finally {
      stop = true;
    }
    assert.equal(await node.exited(), 1);
    // the kill lands after the output is read, so a later block may have been committed too
    const stoppedAt = Number(/stopped at height (\d+)/.exec(node.output)![1]);
    assert.ok(stoppedAt >= Number(commit![1]));
    return { stoppedAt, accepted: await loaded };
  };

  /** Every tx in blocks 1..height: found by hash, and by tx_search (height by height, and by sender). */
  const assertAllFindable = async (height: number, accepted: string[]) => {
    const committed = new Set<string>();
    for (let h = 1; h <= height; h++) {
      const block = await node.rpc<{ block: { data: { txs: string[] } } }>("block", { height: String(h) });
      const hashes = block.block.data.txs.map((tx) => createHash("sha256").update(Buffer.from(tx, "base64")).digest("hex").toUpperCase());
      hashes.forEach((hash) => committed.add(hash));
      const search = await node.rpc<{ total_count: string; txs: { hash: string }[] }>("tx_search", { query: `tx.height = ${h}`, per_page: "100" });
      assert.deepEqual(search.txs.map((t) => t.hash).sort(), [...hashes].sort(), `tx_search at height ${h}`);
    }
    for (const hash of committed) {
      const found = await node.rpc<{ hash: string; tx_result: { code: number } }>("tx", { hash: Buffer.from(hash, "hex").toString("base64") });
      assert.equal(found.hash, hash);
    }
    const bySender = new Set<string>();
    for (const sender of senders) {
      for (let page = 1; ; page++) {
        const res = await node.rpc<{ total_count: string; txs: { hash: string }[] }>("tx_search", { query: `message.sender='${sender.address}'`, page: String(page), per_page: "100" });
        for (const tx of res.txs) if (committed.has(tx.hash)) bySender.add(tx.hash);
        if (page * 100 >= Number(res.total_count)) break;
      }
    }
    assert.equal(bySender.size, committed.size, "every committed transfer is found by its sender");
    // what the client saw accepted and a block holds: the client's view (the rest was lost with the mempool)
    return { committed, acceptedCommitted: accepted.filter((hash) => committed.has(hash)).length };
  };

  test("a gap made deliberately (indexer off, then kill -9 right after a commit): the exact heights are reindexed before CometBFT serves", async () => {
    setIndexer("null");
    await node.start();
    const { stoppedAt, accepted } = await killCometbftAfterCommit(senders.slice(0, Senders), 0);

    setIndexer("kv");
    await node.start();
    const txsInGap = await (async () => {
      let n = 0;
      for (let h = 1; h <= stoppedAt; h++) n += (await node.rpc<{ block: { data: { txs: string[] } } }>("block", { height: String(h) })).block.data.txs.length;
      return n;
    })();
    assert.ok(txsInGap > 0);
    // nothing was indexed while the indexer was off: the whole chain up to the kill is the gap
    assert.match(node.output, new RegExp(`tx index gap repaired: heights 1-${stoppedAt} \\(${stoppedAt} blocks, ${txsInGap} txs\\) were committed but not indexed; reindexed in \\d+ ms\\n`));
    // it ran before CometBFT started
    assert.ok(node.output.indexOf("tx index gap repaired") < node.output.indexOf("CometBFT "), node.output);
    const { committed, acceptedCommitted } = await assertAllFindable(stoppedAt, accepted);
    assert.equal(committed.size, txsInGap);
    assert.equal(acceptedCommitted, txsInGap, "every committed tx is one the client broadcast");
  });

  test("kill -9 of CometBFT right after a commit under load (stock indexer): every committed tx is found after qosd start", async (t) => {
    const { stoppedAt, accepted } = await killCometbftAfterCommit(senders.slice(Senders), Senders);
    await node.start();
    // either the indexer had finished the last block before the kill, or the gap ends at the kill height
    const line = /tx index (complete up to height (\d+)|gap repaired: heights (\d+)-(\d+) )/.exec(node.output);
    assert.ok(line, node.output);
    assert.equal(Number(line[2] ?? line[4]), stoppedAt);
    t.diagnostic(line[0]); // whether this kill beat the indexer (a race: either outcome is correct)
    await assertAllFindable(stoppedAt, accepted);
  });
});
