// The REST (LCD) gateway of a real node (qosd + CometBFT), called as Keplr and Ping.pub call it: plain fetch,
// Cosmos JSON, the SDK's error bodies; hostile requests are answered with a 4xx and the node keeps making
// blocks.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { AppVersion } from "../../app/app.js";
import { TestNode } from "../helpers/node.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; height: string | null; body: any }> {
  const res = await fetch(base + path, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, height: res.headers.get("x-cosmos-block-height"), body: await res.json() };
}
async function post(base: string, path: string, body: string): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, { method: "POST", body, headers: { "content-type": "application/json" }, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.json() };
}

describe("REST gateway of a real node", () => {
  let node: TestNode;
  let alice: TestAccount;
  let bob: TestAccount;
  let base: string;

  before(async () => {
    alice = await testAccount("rest-e2e-alice");
    bob = await testAccount("rest-e2e-bob");
    node = await TestNode.create({ chainId: "qos-rest-1", accounts: [{ address: alice.address, coins: "5000000000uqos" }] });
    await node.start();
    base = node.restUrl;
  });
  after(async () => {
    await node?.destroy();
  });

  test("Keplr's reads: account (BaseAccount in an Any), balances; unknown account → 404 NotFound", async () => {
    const account = await get(base, `/cosmos/auth/v1beta1/accounts/${alice.address}`);
    assert.equal(account.status, 200);
    assert.deepEqual(account.body.account, { "@type": "/cosmos.auth.v1beta1.BaseAccount", address: alice.address, pub_key: null, account_number: account.body.account.account_number, sequence: "0" });
    assert.match(account.body.account.account_number, /^\d+$/);
    assert.match(account.height!, /^[1-9]\d*$/);
    const balances = await get(base, `/cosmos/bank/v1beta1/balances/${alice.address}`);
    assert.deepEqual(balances.body, { balances: [{ denom: "uqos", amount: "5000000000" }], pagination: { next_key: null, total: "0" } });
    const unknown = await get(base, `/cosmos/auth/v1beta1/accounts/${bob.address}`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { code: 5, message: `account ${bob.address} not found: key not found`, details: [] });
  });

  test("simulate by POST gives the gas the tx needs", async () => {
    const info = await get(base, `/cosmos/auth/v1beta1/accounts/${alice.address}`);
    const tx = await signTx(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount: "1" }] } }], {
      chainId: "qos-rest-1", accountNumber: BigInt(info.body.account.account_number), sequence: 0,
    });
    const res = await post(base, "/cosmos/tx/v1beta1/simulate", JSON.stringify({ tx_bytes: toBase64(tx) }));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.body.gas_info.gas_used, /^[1-9]\d*$/);
  });

  test("CometBFT service: node_info (network = chain id, application_version), syncing, blocks, validator sets, abci_query", async () => {
    const info = await get(base, "/cosmos/base/tendermint/v1beta1/node_info");
    assert.equal(info.status, 200, JSON.stringify(info.body));
    assert.equal(info.body.default_node_info.network, "qos-rest-1");
    assert.match(info.body.default_node_info.default_node_id, /^[0-9a-f]{40}$/);
    assert.deepEqual(Object.keys(info.body.default_node_info.protocol_version), ["p2p", "block", "app"]);
    assert.equal(info.body.default_node_info.protocol_version.block, "11");
    assert.equal(info.body.application_version.app_name, "qosd");
    assert.equal(info.body.application_version.version, AppVersion);
    assert.deepEqual((await get(base, "/cosmos/base/tendermint/v1beta1/syncing")).body, { syncing: false });

    const latest = await get(base, "/cosmos/base/tendermint/v1beta1/blocks/latest");
    assert.equal(latest.status, 200);
    assert.equal(fromBase64(latest.body.block_id.hash).length, 32);
    const h = latest.body.block.header;
    assert.equal(h.chain_id, "qos-rest-1");
    assert.match(h.height, /^[1-9]\d*$/);
    assert.match(h.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(latest.body.sdk_block.header.height, h.height);
    assert.match(latest.body.sdk_block.header.proposer_address, /^qoscons1[02-9ac-hj-np-z]{38}$/);
    assert.equal(fromBase64(h.proposer_address).length, 20);
    assert.deepEqual(latest.body.block.data, latest.body.sdk_block.data);
    assert.deepEqual(latest.body.block.evidence, { evidence: [] });
    assert.equal(latest.body.block.last_commit.height, String(Number(h.height) - 1));

    const second = await get(base, "/cosmos/base/tendermint/v1beta1/blocks/2");
    assert.equal(second.body.block.header.height, "2");
    assert.equal(second.body.block.last_commit.signatures.length, 1);
    assert.equal(second.body.block.last_commit.signatures[0].block_id_flag, "BLOCK_ID_FLAG_COMMIT");
    for (const bad of ["0", "-1", "99999999", "abc"]) {
      const res = await get(base, `/cosmos/base/tendermint/v1beta1/blocks/${bad}`);
      assert.equal(res.status, 400, bad);
      assert.equal(res.body.code, 3, bad);
    }

    const set = await get(base, "/cosmos/base/tendermint/v1beta1/validatorsets/latest");
    assert.equal(set.body.validators.length, 1);
    assert.match(set.body.validators[0].address, /^qoscons1/);
    assert.equal(set.body.validators[0].pub_key["@type"], "/cosmos.crypto.ed25519.PubKey");
    assert.equal(fromBase64(set.body.validators[0].pub_key.key).length, 32);
    assert.match(set.body.validators[0].voting_power, /^[1-9]\d*$/);
    assert.deepEqual(set.body.pagination, { next_key: null, total: "1" });
    const atTwo = await get(base, "/cosmos/base/tendermint/v1beta1/validatorsets/2");
    assert.equal(atTwo.body.block_height, "2");
    assert.deepEqual(atTwo.body.validators, set.body.validators);

    const data = toBase64(QueryBalanceRequest.encode({ address: alice.address, denom: "uqos" }).finish());
    const q = await get(base, `/cosmos/base/tendermint/v1beta1/abci_query?path=${encodeURIComponent("/cosmos.bank.v1beta1.Query/Balance")}&data=${encodeURIComponent(data)}`);
    assert.equal(q.body.code, 0);
    assert.match(q.body.height, /^[1-9]\d*$/);
    assert.ok(QueryBalanceResponse.decode(fromBase64(q.body.value)).balance!.amount.length > 0);

    assert.deepEqual((await get(base, "/cosmos/base/node/v1beta1/config")).body, { minimum_gas_price: "0.025uqos", pruning_keep_recent: "100", pruning_interval: "0", halt_height: "0" });
  });

  test("tx service: broadcast (sync), the tx by hash and by message.sender, the block with its txs; bad modes and hashes refused", async () => {
    const info = await get(base, `/cosmos/auth/v1beta1/accounts/${alice.address}`);
    const tx = await signTx(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount: "777" }] } }], {
      chainId: "qos-rest-1", accountNumber: BigInt(info.body.account.account_number), sequence: BigInt(info.body.account.sequence),
    });
    const block = await post(base, "/cosmos/tx/v1beta1/txs", JSON.stringify({ tx_bytes: toBase64(tx), mode: "BROADCAST_MODE_BLOCK" }));
    assert.equal(block.status, 400);
    assert.match(block.body.message, /^broadcast mode BROADCAST_MODE_BLOCK is not supported/);
    const sent = await post(base, "/cosmos/tx/v1beta1/txs", JSON.stringify({ tx_bytes: toBase64(tx), mode: "BROADCAST_MODE_SYNC" }));
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.equal(sent.body.tx_response.code, 0, sent.body.tx_response.raw_log);
    const hash = sent.body.tx_response.txhash;
    assert.match(hash, /^[0-9A-F]{64}$/);

    let found: { status: number; body: any } | undefined;
    for (let i = 0; i < 100; i++) {
      found = await get(base, `/cosmos/tx/v1beta1/txs/${hash}`);
      if (found.status === 200) break;
      assert.equal(found.status, 404, JSON.stringify(found.body));
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(found!.status, 200);
    const r = found!.body.tx_response;
    assert.equal(r.txhash, hash);
    assert.equal(r.code, 0);
    assert.match(r.height, /^[1-9]\d*$/);
    assert.match(r.timestamp, /^\d{4}-\d\d-\d\dT/);
    assert.equal(r.tx["@type"], "/cosmos.tx.v1beta1.Tx");
    assert.deepEqual(found!.body.tx.body.messages, [{ "@type": "/cosmos.bank.v1beta1.MsgSend", from_address: alice.address, to_address: bob.address, amount: [{ denom: "uqos", amount: "777" }] }]);
    assert.ok(r.events.some((e: any) => e.type === "message" && e.attributes.some((a: any) => a.key === "sender" && a.value === alice.address)));

    for (const q of [`query=${encodeURIComponent(`message.sender='${alice.address}'`)}`, `events=${encodeURIComponent(`message.sender='${alice.address}'`)}`]) {
      const search = await get(base, `/cosmos/tx/v1beta1/txs?${q}&order_by=ORDER_BY_DESC`);
      assert.equal(search.status, 200, JSON.stringify(search.body));
      assert.equal(search.body.total, "1");
      assert.equal(search.body.tx_responses[0].txhash, hash);
      assert.equal(search.body.txs.length, 1);
    }
    const withTxs = await get(base, `/cosmos/tx/v1beta1/txs/block/${r.height}`);
    assert.equal(withTxs.body.txs.length, 1);
    assert.equal(withTxs.body.block.header.height, r.height);
    assert.deepEqual(withTxs.body.pagination, { next_key: null, total: "1" });

    assert.equal((await get(base, `/cosmos/tx/v1beta1/txs/${"AB".repeat(32)}`)).status, 404);
    const badHash = await get(base, "/cosmos/tx/v1beta1/txs/xyz");
    assert.equal(badHash.status, 400);
    assert.equal((await get(base, "/cosmos/tx/v1beta1/txs")).status, 400);
    assert.equal((await get(base, `/cosmos/tx/v1beta1/txs?query=${encodeURIComponent("message.sender=")}`)).status, 400);
  });

  test("hostile input: bad JSON, unknown fields, wrong types, bad address, unkept height, unknown route, huge body → 4xx/501 with the SDK body; blocks go on", async () => {
    const before = await node.height();
    const cases: Array<[Promise<{ status: number; body: any }>, number, number]> = [
      [post(base, "/cosmos/tx/v1beta1/simulate", "{not json"), 400, 3],
      [post(base, "/cosmos/tx/v1beta1/simulate", '{"tx_bytes":"","admin":true}'), 400, 3],
      [post(base, "/cosmos/tx/v1beta1/simulate", '{"tx_bytes":[1,2]}'), 400, 3],
      [get(base, "/cosmos/bank/v1beta1/balances/qosacc1bad"), 400, 3],
      [get(base, "/cosmos/bank/v1beta1/balances/" + alice.address + "?pagination.limit=ten"), 400, 3],
      [get(base, "/cosmos/bank/v1beta1/supply", { "x-cosmos-block-height": "999999" }), 400, 11],
      [get(base, "/cosmos/unknown/v1/route"), 501, 12],
      [post(base, "/cosmos/tx/v1beta1/simulate", JSON.stringify({ tx_bytes: "A".repeat(5 * 1024 * 1024) })), 413, 8],
    ];
    for (const [i, [reply, status, code]] of cases.entries()) {
      const res = await reply;
      assert.equal(res.status, status, `case ${i}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.code, code, `case ${i}`);
      assert.equal(typeof res.body.message, "string");
      assert.deepEqual(res.body.details, []);
    }
    await node.waitForHeight(before + 2, 30_000);
  });
});
