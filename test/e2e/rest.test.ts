// The REST (LCD) gateway of a real node (qosd + CometBFT), called as Keplr and Ping.pub call it: plain fetch,
// Cosmos JSON, the SDK's error bodies; hostile requests are answered with a 4xx and the node keeps making
// blocks.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { toBase64 } from "@cosmjs/encoding";
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
