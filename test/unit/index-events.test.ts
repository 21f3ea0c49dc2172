// config/app.json index_events (issue 16): a node may have CometBFT index fewer event attributes, as the
// Cosmos SDK's index-events allows. That is only sound if the index flag reaches no hash nodes must agree
// on: CometBFT's LastResultsHash (the next header's) and the app hash. Two nodes, one indexing as the
// modules mark attributes and one with a short list, run the same blocks here.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { ExecTxResult, type Event } from "cosmjs-types/tendermint/abci/types";
import { hashFromByteSlices } from "../../app/light/index.js";
import { AppConfigSchema } from "../../cmd/qosd/home.js";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const chainId = "qos-index-1";
const fee = { amount: [{ denom: "uqos", amount: "5000" }], gas: "200000" };
const send = (from: string, to: string, amount: string) => ({
  typeUrl: "/cosmos.bank.v1beta1.MsgSend",
  value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom: "uqos", amount }] }),
});
/** CometBFT v0.38's LastResultsHash: the merkle root of each tx's deterministicExecTxResult (code, data,
 *  gas_wanted, gas_used), encoded */
const lastResultsHash = (results: ExecTxResult[]) =>
  hashFromByteSlices(results.map((r) => ExecTxResult.encode(ExecTxResult.fromPartial({ code: r.code, data: r.data, gasWanted: r.gasWanted, gasUsed: r.gasUsed })).finish()));
const indexedKeys = (events: Event[]) => [...new Set(events.flatMap((e) => e.attributes.filter((a) => a.index).map((a) => `${e.type}.${a.key}`)))].sort();
const withoutFlags = (events: Event[]) => events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => [a.key, a.value]) }));

describe("index_events: a node-local indexing policy", () => {
  let alice: TestAccount, bob: TestAccount;
  const apps: TestApp[] = [];
  before(async () => {
    [alice, bob] = await Promise.all(["index-alice", "index-bob"].map(testAccount));
  });
  after(async () => {
    for (const t of apps) await t.destroy();
  });
  const open = async (indexEvents?: string[]) => {
    const t = await createTestApp(genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: "1000000000" }] }]), { chainId, indexEvents });
    apps.push(t);
    return t;
  };

  test("the same blocks with and without a policy: same results, app hashes and LastResultsHash; only the listed attributes indexed", async () => {
    const policy = ["message.sender", "transfer.recipient"];
    const [asMarked, short, emptyList] = await Promise.all([open(), open(policy), open([])]);
    const txs = [
      await signTx(alice, [send(alice.address, bob.address, "7")], { chainId, accountNumber: 0, sequence: 0, fee }),
      await signTx(alice, [send(alice.address, bob.address, "8")], { chainId, accountNumber: 0, sequence: 1, fee }),
      // refused in the block (sequence already used): a failed tx's result is hashed too
      await signTx(alice, [send(alice.address, bob.address, "9")], { chainId, accountNumber: 0, sequence: 1, fee }),
    ];
    for (const block of [[], txs, []]) {
      const [a, b, c] = [await asMarked.block(block), await short.block(block), await emptyList.block(block)];
      assert.deepEqual(b.appHash, a.appHash);
      assert.deepEqual(lastResultsHash(b.results), lastResultsHash(a.results));
      assert.deepEqual(b.results.map((r) => [r.code, r.codespace, r.log, r.gasWanted, r.gasUsed, withoutFlags(r.events)]), a.results.map((r) => [r.code, r.codespace, r.log, r.gasWanted, r.gasUsed, withoutFlags(r.events)]));
      assert.deepEqual(withoutFlags(b.events), withoutFlags(a.events));
      // an empty list is today's behaviour, flags included
      assert.deepEqual(c, a);
    }
    // the block with the transfers, again, to look at its flags
    const fresh = await Promise.all([open(), open(policy)]);
    await fresh[0].block([]);
    await fresh[1].block([]);
    const [marked, listed] = [await fresh[0].block(txs), await fresh[1].block(txs)];
    assert.deepEqual(marked.results.map((r) => r.code), [0, 0, 32]);
    assert.deepEqual(lastResultsHash(listed.results), lastResultsHash(marked.results));
    const okEvents = (r: { results: ExecTxResult[] }) => r.results.slice(0, 2).flatMap((x) => x.events);
    assert.deepEqual(indexedKeys(okEvents(listed)), ["message.sender", "transfer.recipient"]);
    // the flags did differ: the modules index more than the list (the test would pass vacuously otherwise)
    assert.ok(indexedKeys(okEvents(marked)).length > 2, indexedKeys(okEvents(marked)).join(" "));
    assert.ok(indexedKeys(okEvents(marked)).includes("transfer.amount"));
    // every listed attribute is indexed wherever it occurs, and nothing else is
    for (const e of [...okEvents(listed), ...listed.events]) {
      for (const attr of e.attributes) assert.equal(attr.index, policy.includes(`${e.type}.${attr.key}`), `${e.type}.${attr.key}`);
    }
  });

  test("config/app.json: index_events defaults to [] (what qosd init writes); entries must be type.attribute", () => {
    assert.deepEqual(AppConfigSchema.parse({}).index_events, []);
    assert.deepEqual(AppConfigSchema.parse({ index_events: ["transfer.recipient", "qcp_recv.from", "Transfer.recipient"] }).index_events, ["transfer.recipient", "qcp_recv.from", "Transfer.recipient"]);
    for (const bad of ["transfer", "transfer.", ".recipient", "transfer.recipient ", "transfer .recipient", ""]) {
      assert.equal(AppConfigSchema.safeParse({ index_events: [bad] }).success, false, JSON.stringify(bad));
    }
  });
});
