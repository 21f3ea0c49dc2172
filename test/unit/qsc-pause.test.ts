// Pause stops every action on a token (whitepaper: "any action about the protocol") except unpause:
// issue, freeze, unfreeze, sends, multi-party transfers, every allowance message on it, QCP transfers.
// Each action is tried on a paused token (qsc 9, nothing changed) and again after unpause (it works).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { msg } from "../helpers/qsc.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { MsgTransfer as BankTransfer } from "../../gen/qos/bank/v1/tx.js";
import { MsgTransfer as QcpTransfer } from "../../gen/qos/qcp/v1/tx.js";
import { QscErrors } from "../../modules/qsc/errors.js";

for (const [url, type] of [["/qos.bank.v1.MsgTransfer", BankTransfer], ["/qos.qcp.v1.MsgTransfer", QcpTransfer]] as const) registry.register(url, type as never);

const chainId = "qos-pause-1";

describe("pause", () => {
  let alice: TestAccount, banker: TestAccount, carol: TestAccount;
  let t: TestApp;
  const numbers = new Map<string, number>();

  const sequence = (address: string) =>
    BaseAccount.decode(QueryAccountResponse.decode(t.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false }).value).account!.value).sequence;
  async function run(signer: TestAccount, m: EncodeObject) {
    const tx = await signTx(signer, [m], { chainId, accountNumber: numbers.get(signer.address)!, sequence: sequence(signer.address), fee: { amount: [{ denom: "uqos", amount: "10000" }], gas: "400000" } });
    const { results, appHash } = await t.block([tx]);
    return { ...results[0], appHash };
  }
  const transfer = (from: string, to: string, amount: string): EncodeObject => ({
    typeUrl: "/qos.bank.v1.MsgTransfer",
    value: BankTransfer.fromPartial({ senders: [{ address: from, coins: [{ denom: "STAR", amount }] }], receivers: [{ address: to, coins: [{ denom: "STAR", amount }] }] }),
  });
  const qcpTransfer = (from: string, to: string, amount: string): EncodeObject => ({
    typeUrl: "/qos.qcp.v1.MsgTransfer",
    value: QcpTransfer.fromPartial({ sender: from, toChain: "biz-1", receiver: to, denom: "STAR", amount }),
  });
  const exported = () => JSON.stringify(t.app.exportAppState());

  before(async () => {
    [alice, banker, carol] = await Promise.all(["p-alice", "p-banker", "p-carol"].map(testAccount));
    [alice, banker, carol].forEach((a, i) => numbers.set(a.address, i));
    t = await createTestApp(
      {
        auth: { accounts: [alice, banker, carol].map((a) => ({ address: a.address })) },
        bank: {
          balances: [
            { address: alice.address, coins: [{ denom: "STAR", amount: "1000" }, { denom: "uqos", amount: "100000000" }] },
            { address: banker.address, coins: [{ denom: "uqos", amount: "100000000" }] },
            { address: carol.address, coins: [{ denom: "uqos", amount: "100000000" }] },
          ],
        },
        qsc: { tokens: [{ name: "STAR", symbol: "STAR", banker: banker.address }] },
        qcp: { chains: [{ chain_id: "biz-1" }] },
      },
      { chainId, profile: "business" },
    );
    await t.block([]);
    // before the pause: an allowance of STAR and uqos, and 10 STAR frozen
    assert.equal((await run(alice, msg.approveCreate(alice.address, carol.address, "100", "STAR"))).code, 0);
    assert.equal((await run(alice, msg.approveIncrease(alice.address, carol.address, "100", "uqos"))).code, 0);
    assert.equal((await run(banker, msg.freeze(banker.address, "STAR", alice.address, "10"))).code, 0);
    assert.equal((await run(banker, msg.pause(banker.address, "STAR", true))).code, 0);
  });
  after(() => t.destroy());

  test("attack: every action on a paused token is refused with qsc 9 and changes nothing but the fee; unpause lifts it", async () => {
    const actions: Array<[string, TestAccount, EncodeObject]> = [
      ["issue", banker, msg.issue(banker.address, "STAR", "5")],
      ["freeze", banker, msg.freeze(banker.address, "STAR", alice.address, "5")],
      ["unfreeze", banker, msg.unfreeze(banker.address, "STAR", alice.address, "5")],
      ["send", alice, msg.send(alice.address, carol.address, "5", "STAR")],
      ["multi-party transfer", alice, transfer(alice.address, carol.address, "5")],
      ["approve create", alice, msg.approveCreate(alice.address, banker.address, "5", "STAR")],
      ["approve increase", alice, msg.approveIncrease(alice.address, carol.address, "5", "STAR")],
      ["approve decrease", alice, msg.approveDecrease(alice.address, carol.address, "5", "STAR")],
      ["approve use", carol, msg.approveUse(alice.address, carol.address, "5", "STAR")],
      ["approve cancel", alice, msg.approveCancel(alice.address, carol.address)],
      ["qcp transfer", alice, qcpTransfer(alice.address, carol.address, "5")],
    ];
    const state = () => {
      const s = JSON.parse(exported());
      const star = s.bank.balances.map((b: { address: string; coins: Array<{ denom: string }> }) => [b.address, b.coins.filter((c) => c.denom === "STAR")]);
      return JSON.stringify([star, s.bank.supply, s.qsc, s.approve, s.qcp]);
    };
    const before = state();
    for (const [name, signer, m] of actions) {
      const res = await run(signer, m);
      assert.deepEqual([res.codespace, res.code], [QscErrors.paused.codespace, QscErrors.paused.code], `${name}: ${res.log}`);
      assert.match(res.log, /^(message 0 \([^)]*\): )?STAR is paused by its banker: nothing can be done with it until unpaused: token is paused$/, name);
    }
    assert.equal(state(), before, "no refused action changed STAR's balances, supply, freezes, allowances or the outbox");
    // uqos still moves; pausing again is no action on the token's coins
    assert.equal((await run(alice, msg.send(alice.address, carol.address, "1", "uqos"))).code, 0);

    assert.equal((await run(banker, msg.pause(banker.address, "STAR", false))).code, 0);
    for (const [name, signer, m] of actions) {
      const res = await run(signer, m);
      assert.equal(res.code, 0, `${name} after unpause: ${res.log}`);
    }
  });
});
