// Free CPU (issue 10, defect 7): what one transaction may carry is bounded by chain parameters (messages
// per tx: auth.max_msgs_per_tx; parties per message: bank.max_transfer_parties; coins per party:
// bank.max_coins_per_party), checked on counts before any per-party work, and the work proportional to
// the input is charged as gas (10 per tx byte, 1000 per signer) before signatures are verified.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";

const chainId = "qos-limits-1";
const fee = { amount: [{ denom: "uqos", amount: "25000" }], gas: "1000000" };
const send = (from: string, to: string, coins: Array<{ denom: string; amount: string }>) => ({
  typeUrl: "/cosmos.bank.v1beta1.MsgSend",
  value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: coins }),
});
const transfer = (senders: Array<{ address: string; amount: string }>, receivers: Array<{ address: string; amount: string }>) => ({
  typeUrl: "/qos.bank.v1.MsgTransfer",
  value: MsgTransfer.fromPartial({
    senders: senders.map((s) => ({ address: s.address, coins: [{ denom: "uqos", amount: s.amount }] })),
    receivers: receivers.map((r) => ({ address: r.address, coins: [{ denom: "uqos", amount: r.amount }] })),
  }),
});

describe("attack: free CPU through oversized transactions", () => {
  let alice: TestAccount, bob: TestAccount;
  let others: TestAccount[];
  let t: TestApp;

  before(async () => {
    [alice, bob] = await Promise.all(["lim-alice", "lim-bob"].map(testAccount));
    others = await Promise.all(Array.from({ length: 101 }, (_, i) => testAccount(`lim-other-${i}`)));
    t = await createTestApp(genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: "1000000000" }] }]), { chainId, profile: "business" });
    await t.block([]);
  });
  after(() => t.destroy());
  // alice's txs here never pass a block, so her sequence stays 0; an empty block resets the check state
  // (where an accepted CheckTx bumped it)
  beforeEach(() => t.block([]));

  /** gas of one metered read of a stored key: 1000 flat + 3 per byte of key and value */
  const readGas = (key: string) => 1000n + 3n * BigInt(key.length + t.app.store.latest.reader.get(key)!.length);
  const check = (tx: Uint8Array) => t.app.checkTx({ tx, type: CheckTxType.NEW });
  const sign = (msgs: Array<{ typeUrl: string; value: unknown }>) => signTx(alice, msgs, { chainId, accountNumber: 0, sequence: 0, fee });

  test("attack: a MsgTransfer with 101 senders is refused on the party count (bank 6), in CheckTx and in a block", async () => {
    const tx = await sign([transfer(others.map((o) => ({ address: o.address, amount: "1" })), [{ address: bob.address, amount: "101" }])]);
    const res = check(tx);
    assert.deepEqual([res.codespace, res.code], ["bank", 6], res.log);
    assert.match(res.log, /^message 0 \(\/qos\.bank\.v1\.MsgTransfer\): 102 parties, at most 100: too many senders and receivers$/);
    const { results } = await t.block([tx]);
    assert.deepEqual([results[0].codespace, results[0].code], ["bank", 6], results[0].log);
  });

  test("attack: one sender paying 100 receivers (101 parties) is refused with bank 6; 99 receivers pass CheckTx", async () => {
    const big = check(await sign([transfer([{ address: alice.address, amount: "100" }], others.slice(0, 100).map((o) => ({ address: o.address, amount: "1" })))]));
    assert.deepEqual([big.codespace, big.code], ["bank", 6], big.log);
    const ok = check(await sign([transfer([{ address: alice.address, amount: "99" }], others.slice(0, 99).map((o) => ({ address: o.address, amount: "1" })))]));
    assert.deepEqual([ok.codespace, ok.code], ["", 0], ok.log);
  });

  test("attack: a MsgSend with 17 coins is refused (bank 11); 16 coins pass the count", async () => {
    const coins = (n: number) => Array.from({ length: n }, (_, i) => ({ denom: `ucoin${String(i).padStart(2, "0")}`, amount: "1" }));
    const res = check(await sign([send(alice.address, bob.address, coins(17))]));
    assert.deepEqual([res.codespace, res.code], ["bank", 11], res.log);
    assert.match(res.log, /^message 0 \(\/cosmos\.bank\.v1beta1\.MsgSend\): amount has 17 coins, at most 16: too many coins$/);
    const ok = check(await sign([send(alice.address, bob.address, coins(16))]));
    assert.deepEqual([ok.codespace, ok.code], ["", 0], ok.log);
  });

  test("attack: a MsgTransfer party with 17 coins is refused (bank 11)", async () => {
    const coins = Array.from({ length: 17 }, (_, i) => ({ denom: `ucoin${String(i).padStart(2, "0")}`, amount: "1" }));
    const msg = {
      typeUrl: "/qos.bank.v1.MsgTransfer",
      value: MsgTransfer.fromPartial({ senders: [{ address: alice.address, coins }], receivers: [{ address: bob.address, coins }] }),
    };
    const res = check(await sign([msg]));
    assert.deepEqual([res.codespace, res.code], ["bank", 11], res.log);
  });

  test("attack: a tx with 65 messages is refused (sdk 43) and has used exactly its size gas and the params read", async () => {
    const tx = await sign(Array.from({ length: 65 }, () => send(alice.address, bob.address, [{ denom: "uqos", amount: "1" }])));
    const res = check(tx);
    assert.deepEqual([res.codespace, res.code], ["sdk", 43], res.log);
    assert.match(res.log, /^65 messages, at most 64: too many messages$/);
    // gas: reading auth's params (1000 flat + 3 per byte of key and value), then 10 per tx byte
    assert.equal(res.gasUsed, readGas("auth/p") + 10n * BigInt(tx.length));
    const { results } = await t.block([tx]);
    assert.deepEqual([results[0].codespace, results[0].code], ["sdk", 43]);
    assert.equal(results[0].gasUsed, res.gasUsed);
    const ok = check(await sign(Array.from({ length: 64 }, () => send(alice.address, bob.address, [{ denom: "uqos", amount: "1" }]))));
    assert.deepEqual([ok.codespace, ok.code], ["", 0], ok.log);
  });

  test("gas of a known tx: one more memo byte costs exactly 10 gas; each signer costs 1000 before its signature is checked", async () => {
    const gasOf = async (memo: string) => {
      await t.block([]);
      const tx = await signTx(alice, [send(alice.address, bob.address, [{ denom: "uqos", amount: "1" }])], { chainId, accountNumber: 0, sequence: 0, fee, memo });
      const res = check(tx);
      assert.equal(res.code, 0, res.log);
      return { gas: res.gasUsed, bytes: tx.length };
    };
    const a = await gasOf("");
    const b = await gasOf("x".repeat(40));
    assert.equal(b.bytes - a.bytes, 42); // 40 memo bytes, its tag and length
    assert.equal(b.gas - a.gas, 420n);
    // a gas limit that covers the params reads, the size and the stateless checks but not the signer's
    // 1000: out of gas before the account is read or the signature verified
    await t.block([]);
    const unsigned = await signTx(alice, [send(alice.address, bob.address, [{ denom: "uqos", amount: "1" }])], {
      chainId, accountNumber: 0, sequence: 0, fee: { amount: fee.amount, gas: "1000" },
    });
    const limit = readGas("auth/p") + readGas("bank/p") + 10n * BigInt(unsigned.length) + 999n;
    const tx = await signTx(alice, [send(alice.address, bob.address, [{ denom: "uqos", amount: "1" }])], {
      chainId, accountNumber: 0, sequence: 0, fee: { amount: fee.amount, gas: String(limit) },
    });
    assert.equal(tx.length, unsigned.length, "the gas limit's varint has the same length");
    const res = check(tx);
    assert.deepEqual([res.codespace, res.code], ["sdk", 11], res.log);
    assert.equal(res.gasUsed, limit + 1n);
    assert.match(res.log, /out of gas in signature verification/);
  });
});
