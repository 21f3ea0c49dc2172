// Query requests go through the strict wire validator before a handler's generated decoder sees them (D11):
// a request carrying nested groups is an invalid request answered with a code, and no decoder recurses on it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { QueryAllBalancesRequest, QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { testAccount, type TestAccount } from "../helpers/wallet.js";
import { concat, nestedGroups } from "../helpers/group-bomb.js";

const BalancePath = "/cosmos.bank.v1beta1.Query/Balance";
const AllBalancesPath = "/cosmos.bank.v1beta1.Query/AllBalances";

describe("query requests are validated before decoding", () => {
  let alice: TestAccount;
  let t: TestApp;

  before(async () => {
    alice = await testAccount("alice");
    t = await createTestApp(genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: "1234" }] }]), { profile: "business" });
    await t.block([]);
  });
  after(() => t.destroy());

  const query = (path: string, data: Uint8Array) => t.app.query({ path, data, height: 0n, prove: false });
  const balanceRequest = () => QueryBalanceRequest.encode({ address: alice.address, denom: "uqos" }).finish();

  test("a well-formed request answers", () => {
    const res = query(BalancePath, balanceRequest());
    assert.equal(res.code, 0, res.log);
    assert.equal(QueryBalanceResponse.decode(res.value).balance?.amount, "1234");
  });

  test("attack: 10,000 nested groups in an unknown field of a query request are an invalid request (sdk 18)", () => {
    const res = query(BalancePath, concat(balanceRequest(), nestedGroups(9, 10_000)));
    assert.equal(res.code, 18);
    assert.equal(res.codespace, "sdk");
    assert.match(res.log, /cannot decode query request: .*group.* at byte \d+/);
  });

  test("attack: nested groups inside a known sub-message (pagination) of a query request are refused", () => {
    const page = concat(Uint8Array.from([0x12, 20_000 % 128 | 0x80, Math.trunc(20_000 / 128) % 128 | 0x80, Math.trunc(20_000 / 16384)]), nestedGroups(9, 10_000));
    const request = concat(QueryAllBalancesRequest.encode({ address: alice.address, resolveDenom: false }).finish(), page);
    const res = query(AllBalancesPath, request);
    assert.equal(res.code, 18);
    assert.match(res.log, /cannot decode query request: .*group.* at byte \d+/);
  });

  test("an unknown top-level scalar field (a client built from newer protos) is skipped", () => {
    const res = query(BalancePath, concat(balanceRequest(), Uint8Array.from([0x48, 0x01])));
    assert.equal(res.code, 0, res.log);
    assert.equal(QueryBalanceResponse.decode(res.value).balance?.amount, "1234");
  });
});
