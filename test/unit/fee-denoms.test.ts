// Fees are accepted in uqos only (auth param fee_denoms, a consensus rule): distribution shares out the
// fee collector's uqos and nothing else, so a fee paid in a QSC would stay in the fee collector forever.
// The rule holds in FinalizeBlock as well as CheckTx: it must not depend on a node's min_gas_price.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAllBalancesRequest, QueryAllBalancesResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { msg } from "../helpers/qsc.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const chainId = "qos-fees-1";

describe("fee denoms", () => {
  let alice: TestAccount, banker: TestAccount;
  let t: TestApp;
  const feeCollector = toAccAddress(moduleAddress("fee_collector"));

  const query = <T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => {
    const res = t.app.query({ path, data, height: 0n, prove: false });
    assert.equal(res.code, 0, `${path}: ${res.log}`);
    return decode(res.value);
  };
  const balances = (address: string) =>
    query("/cosmos.bank.v1beta1.Query/AllBalances", QueryAllBalancesRequest.encode(QueryAllBalancesRequest.fromPartial({ address })).finish(), QueryAllBalancesResponse.decode).balances;
  const sequence = (address: string) =>
    BaseAccount.decode(query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish(), QueryAccountResponse.decode).account!.value).sequence;
  const sign = (msgs: EncodeObject[], fee: Array<{ denom: string; amount: string }>) =>
    signTx(alice, msgs, { chainId, accountNumber: 0, sequence: sequence(alice.address), fee: { amount: fee, gas: "200000" } });

  before(async () => {
    [alice, banker] = await Promise.all(["fee-alice", "fee-banker"].map(testAccount));
    t = await createTestApp(
      {
        auth: { accounts: [{ address: alice.address }, { address: banker.address }] },
        bank: { balances: [{ address: alice.address, coins: [{ denom: "STAR", amount: "1000000" }, { denom: "uqos", amount: "1000000" }] }] },
        qsc: { tokens: [{ name: "STAR", symbol: "STAR", banker: banker.address }] },
      },
      { chainId },
    );
    await t.block([]);
  });
  after(() => t.destroy());

  test("attack: a fee paid in a QSC is refused with sdk 13 in CheckTx and in FinalizeBlock; nothing is taken", async () => {
    const send = msg.send(alice.address, banker.address, "1", "uqos");
    for (const fee of [[{ denom: "STAR", amount: "100000" }], [{ denom: "STAR", amount: "1" }, { denom: "uqos", amount: "5000" }]]) {
      const tx = await sign([send], fee);
      const checked = t.app.checkTx({ tx, type: 0 });
      assert.deepEqual([checked.codespace, checked.code, checked.log], ["sdk", 13, "a fee in STAR is not accepted: fees are paid in uqos: insufficient fee"]);
      // a proposer that ignores its mempool's verdict: the block refuses it just the same
      const { results } = await t.block([tx]);
      assert.deepEqual([results[0].codespace, results[0].code, results[0].log], ["sdk", 13, "a fee in STAR is not accepted: fees are paid in uqos: insufficient fee"]);
    }
    assert.deepEqual(balances(alice.address), [{ denom: "STAR", amount: "1000000" }, { denom: "uqos", amount: "1000000" }]);
    assert.equal(sequence(alice.address), 0n);
    assert.deepEqual(balances(feeCollector), []);
  });

  test("a fee in uqos is taken as before", async () => {
    const { results } = await t.block([await sign([msg.send(alice.address, banker.address, "1", "uqos")], [{ denom: "uqos", amount: "5000" }])]);
    assert.equal(results[0].code, 0, results[0].log);
    assert.deepEqual(balances(alice.address), [{ denom: "STAR", amount: "1000000" }, { denom: "uqos", amount: "994999" }]);
  });
});
