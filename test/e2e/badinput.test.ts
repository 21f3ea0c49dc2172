// Bad input through broadcast_tx_sync on a real node: each gets a non-zero code and a clear log, and
// the node keeps making blocks with its state intact.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { StargateClient } from "@cosmjs/stargate";
import { TestNode } from "../helpers/node.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const CurveOrder = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("bad input on a real node", () => {
  let node: TestNode;
  let alice: TestAccount;
  let bob: TestAccount;

  before(async () => {
    [alice, bob] = await Promise.all([testAccount("bad-alice"), testAccount("bad-bob")]);
    node = await TestNode.create({ accounts: [{ address: alice.address, coins: "1000000000uqos" }] });
    await node.start();
  });
  after(() => node?.destroy());

  const send = (amount: string) => ({
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: MsgSend.fromPartial({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount }] }),
  });
  const broadcast = (tx: Uint8Array) =>
    node.rpc<{ code: number; log: string; codespace: string; hash: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });

  test("every malformed or invalid tx is refused with its code; the node keeps producing blocks", async () => {
    const chainId = node.chainId;
    const good = (seq = 0, amount = "1") => signTx(alice, [send(amount)], { chainId, accountNumber: 0, sequence: seq });
    const mutate = async (fn: (raw: TxRaw) => TxRaw) => TxRaw.encode(fn(TxRaw.decode(await good()))).finish();

    // one valid tx first, so that sequence 0 is used and "reused sequence" is real
    const first = await broadcast(await good(0, "10"));
    assert.equal(first.code, 0, first.log);
    await waitForTx(first.hash);

    const cases: Array<[string, Uint8Array, number, RegExp]> = [
      ["random bytes", new Uint8Array(Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff)), 2, /decode/],
      ["truncated protobuf", (await good(1)).subarray(0, 50), 2, /decode/],
      ["bad signature", await (async () => TxRaw.encode({ ...TxRaw.decode(await good(1)), signatures: [new Uint8Array(64).fill(3)] }).finish())(), 4, /signature/],
      ["high-S signature", await highS(await good(1)), 4, /high-S/],
      ["wrong chain id", await signTx(alice, [send("1")], { chainId: "another-chain", accountNumber: 0, sequence: 1 }), 4, /chain-id/],
      ["reused sequence", await signTx(alice, [send("2")], { chainId, accountNumber: 0, sequence: 0 }), 32, /account sequence mismatch, expected 1, got 0/],
      ["fee too low", await signTx(alice, [send("1")], { chainId, accountNumber: 0, sequence: 1, fee: { amount: [{ denom: "uqos", amount: "10" }], gas: "200000" } }), 13, /minimum gas price/],
      ["amount overflow", await signTx(alice, [send("9".repeat(90))], { chainId, accountNumber: 0, sequence: 1 }), 10, /78 digits/],
      ["amount above 2^256", await signTx(alice, [send((1n << 256n).toString())], { chainId, accountNumber: 0, sequence: 1 }), 10, /overflow/],
      ["unknown message type", await mutate((raw) => {
        const body = TxBody.decode(raw.bodyBytes);
        body.messages[0].typeUrl = "/qos.nothing.v1.MsgUnknown";
        return { ...raw, bodyBytes: TxBody.encode(body).finish() };
      }), 6, /unknown message type/],
      ["zero amount", await signTx(alice, [send("0")], { chainId, accountNumber: 0, sequence: 1 }), 10, /zero amount/],
    ];
    const heightBefore = await node.height();
    for (const [name, tx, code, log] of cases) {
      const res = await broadcast(tx);
      assert.equal(res.code, code, `${name}: code ${res.code} ${res.log}`);
      assert.match(res.log, log, name);
    }
    // the node is alive and keeps committing blocks
    await node.waitForHeight(heightBefore + 2);
    // nothing was charged for the refused txs: only the first transfer and its fee left alice's account
    const client = await StargateClient.connect(node.rpcUrl);
    try {
      assert.deepEqual(await client.getBalance(bob.address, "uqos"), { denom: "uqos", amount: "10" });
      assert.equal((await client.getSequence(alice.address)).sequence, 1);
      assert.equal(BigInt((await client.getBalance(alice.address, "uqos")).amount), 1000000000n - 10n - 5000n);
    } finally {
      client.disconnect();
    }
    // and a valid tx with the next sequence still goes through
    const next = await broadcast(await good(1, "5"));
    assert.equal(next.code, 0, next.log);
  });

  test("malformed queries get error codes and the node keeps answering", async () => {
    const bad = await node.rpc<{ response: { code: number; log: string } }>("abci_query", {
      path: "/cosmos.bank.v1beta1.Query/Balance",
      data: "ffffffff",
    });
    assert.notEqual(bad.response.code, 0);
    const unknown = await node.rpc<{ response: { code: number; log: string } }>("abci_query", { path: "/no/such/path", data: "" });
    assert.equal(unknown.response.code, 6);
    assert.match(unknown.response.log, /unknown query path/);
    const h = await node.height();
    await node.waitForHeight(h + 1);
  });

  async function highS(tx: Uint8Array): Promise<Uint8Array> {
    const raw = TxRaw.decode(tx);
    const sig = new Uint8Array(raw.signatures[0]);
    const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"));
    sig.set(Buffer.from((CurveOrder - s).toString(16).padStart(64, "0"), "hex"), 32);
    return TxRaw.encode({ ...raw, signatures: [sig] }).finish();
  }

  async function waitForTx(hash: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      try {
        const res = await node.rpc<{ tx_result: { code: number; log: string } }>("tx", { hash: Buffer.from(hash, "hex").toString("base64") });
        assert.equal(res.tx_result.code, 0, res.tx_result.log);
        return;
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`tx ${hash} not committed`);
  }
});
