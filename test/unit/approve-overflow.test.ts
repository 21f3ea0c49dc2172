// Allowances never exceed 2^256-1, the largest amount any message or genesis may name: MsgIncreaseApprove
// past it is refused (approve 9). Before, the sum was stored; the allowance could then be neither read nor
// cancelled, and the export (qosd export) threw. What the chain accepts always exports and re-imports.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryApproveRequest, QueryApproveResponse } from "../../gen/qos/approve/v1/query.js";
import { MaxAmount } from "../../app/coins.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { msg } from "../helpers/qsc.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const chainId = "qos-approve-1";

describe("allowance overflow", () => {
  let alice: TestAccount, bob: TestAccount;
  let t: TestApp;
  const others: TestApp[] = [];

  const sequence = (address: string) =>
    BaseAccount.decode(QueryAccountResponse.decode(t.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false }).value).account!.value).sequence;
  async function run(m: EncodeObject) {
    const tx = await signTx(alice, [m], { chainId, accountNumber: 0, sequence: sequence(alice.address) });
    return (await t.block([tx])).results[0];
  }
  const allowance = (app: TestApp) => {
    const res = app.app.query({ path: "/qos.approve.v1.Query/Approve", data: QueryApproveRequest.encode({ from: alice.address, to: bob.address }).finish(), height: 0n, prove: false });
    assert.equal(res.code, 0, res.log);
    return QueryApproveResponse.decode(res.value).allowance!.coins;
  };
  const genesis = (approve?: unknown) => ({
    auth: { accounts: [{ address: alice.address }, { address: bob.address }] },
    bank: { balances: [{ address: alice.address, coins: [{ denom: "uqos", amount: "100000000" }] }] },
    ...(approve ? { approve } : {}),
  });

  before(async () => {
    [alice, bob] = await Promise.all(["ov-alice", "ov-bob"].map(testAccount));
    t = await createTestApp(genesis(), { chainId, profile: "business" });
    await t.block([]);
  });
  after(async () => {
    await t.destroy();
    for (const o of others) await o.destroy();
  });

  test("attack: increasing an allowance past 2^256-1 is refused with approve 9; the allowance stays readable", async () => {
    const max = MaxAmount.toString();
    assert.equal((await run(msg.approveCreate(alice.address, bob.address, max, "uqos"))).code, 0);
    const res = await run(msg.approveIncrease(alice.address, bob.address, "1", "uqos"));
    assert.deepEqual([res.codespace, res.code, res.log], [
      "approve", 9, `${MaxAmount + 1n}uqos from ${alice.address} to ${bob.address}: allowance would exceed 2^256-1`,
    ]);
    assert.deepEqual(allowance(t), [{ denom: "uqos", amount: max }]);
    assert.equal((await run(msg.approveDecrease(alice.address, bob.address, "5", "uqos"))).code, 0);
    assert.equal((await run(msg.approveIncrease(alice.address, bob.address, "5", "uqos"))).code, 0, "back to exactly 2^256-1");
    assert.deepEqual(allowance(t), [{ denom: "uqos", amount: max }]);
  });

  test("an allowance of exactly 2^256-1 exports, re-imports into a new chain, and can be cancelled", async () => {
    const exported = t.app.exportAppState();
    assert.deepEqual(exported.approve, { approves: [{ from: alice.address, to: bob.address, coins: [{ denom: "uqos", amount: MaxAmount.toString() }] }] });
    const copy = await createTestApp(genesis(exported.approve), { chainId, profile: "business" });
    others.push(copy);
    await copy.block([]);
    assert.deepEqual(allowance(copy), [{ denom: "uqos", amount: MaxAmount.toString() }]);
    assert.equal((await run(msg.approveCancel(alice.address, bob.address))).code, 0);
    assert.deepEqual(t.app.exportAppState().approve, { approves: [] });
  });
});
