// A stock CosmJS SigningStargateClient against a real node (qosd + the real CometBFT over the ABCI socket).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { GasPrice, SigningStargateClient, StargateClient, calculateFee } from "@cosmjs/stargate";
import { TestNode } from "../helpers/node.js";
import { hdPath, mnemonicWallet, registry } from "../helpers/wallet.js";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";

const mnemonic =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

describe("CosmJS against a real node", () => {
  let node: TestNode;
  let client: SigningStargateClient;
  let me: string;
  let other: string;
  let third: string;

  before(async () => {
    const wallet = await mnemonicWallet(mnemonic);
    [{ address: me }] = await wallet.getAccounts();
    const others = await (await import("@cosmjs/proto-signing")).DirectSecp256k1HdWallet.fromMnemonic(mnemonic, {
      prefix: "qosacc",
      hdPaths: [hdPath, [...hdPath.slice(0, 4), (hdPath[4] as any).constructor ? hdPath[4] : hdPath[4]]],
    });
    void others;
    other = "qosacc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqjalh4r";
    third = (await import("../../app/address.js")).toAccAddress(new Uint8Array(20).fill(7));
    node = await TestNode.create({ accounts: [{ address: me, coins: "1000000000000uqos,5000ustar" }], profile: "business" });
    await node.start();
    client = await SigningStargateClient.connectWithSigner(node.rpcUrl, wallet, {
      gasPrice: GasPrice.fromString("0.025uqos"),
      registry,
    });
  });

  after(async () => {
    client?.disconnect();
    await node?.destroy();
  });

  test("derives the address with prefix qosacc on path m/44'/389'/0'/0/0 and reads chain id and balance", async () => {
    assert.match(me, /^qosacc1/);
    assert.equal(await client.getChainId(), node.chainId);
    const balance = await client.getBalance(me, "uqos");
    assert.deepEqual(balance, { denom: "uqos", amount: "1000000000000" });
    assert.deepEqual(await client.getBalance(other, "uqos"), { denom: "uqos", amount: "0" });
    assert.equal(await client.getAccount(other), null);
    const all = await client.getAllBalances(me);
    assert.deepEqual(all.map((c) => c.denom), ["uqos", "ustar"]);
  });

  test("sendTokens with fee 'auto' moves the amount; getTx and searchTx find it; the sequence increments", async () => {
    const seqBefore = (await client.getSequence(me)).sequence;
    const result = await client.sendTokens(me, other, [{ denom: "uqos", amount: "424242" }], "auto", "first transfer");
    assert.equal(result.code, 0, result.rawLog);
    assert.ok(result.gasUsed > 0n);
    assert.deepEqual(await client.getBalance(other, "uqos"), { denom: "uqos", amount: "424242" });
    assert.equal((await client.getSequence(me)).sequence, seqBefore + 1);

    const tx = await client.getTx(result.transactionHash);
    assert.ok(tx);
    assert.equal(tx.height, result.height);
    assert.equal(tx.code, 0);
    const found = await client.searchTx(`transfer.recipient='${other}'`);
    assert.deepEqual(found.map((t) => t.hash), [result.transactionHash]);
    const bySender = await client.searchTx(`message.sender='${me}'`);
    assert.ok(bySender.some((t) => t.hash === result.transactionHash));
    const feeEvents = tx.events.filter((e) => e.type === "tx").flatMap((e) => e.attributes.filter((a) => a.key === "fee"));
    assert.equal(feeEvents.length, 1);
    assert.match(feeEvents[0].value, /^[0-9]+uqos$/);
    const account = await client.getAccount(other);
    assert.equal(account?.address, other);
  });

  test("a custom qos.bank.v1.MsgTransfer through signAndBroadcast pays two receivers exactly", async () => {
    const before = BigInt((await client.getBalance(third, "uqos")).amount);
    const msg = {
      typeUrl: "/qos.bank.v1.MsgTransfer",
      value: MsgTransfer.fromPartial({
        senders: [{ address: me, coins: [{ denom: "uqos", amount: "3000" }, { denom: "ustar", amount: "7" }] }],
        receivers: [
          { address: other, coins: [{ denom: "ustar", amount: "7" }] },
          { address: third, coins: [{ denom: "uqos", amount: "3000" }] },
        ],
      }),
    };
    const result = await client.signAndBroadcast(me, [msg], calculateFee(200000, GasPrice.fromString("0.025uqos")));
    assert.equal(result.code, 0, result.rawLog);
    assert.equal(BigInt((await client.getBalance(third, "uqos")).amount), before + 3000n);
    assert.deepEqual(await client.getBalance(other, "ustar"), { denom: "ustar", amount: "7" });
    assert.deepEqual(await client.getBalance(me, "ustar"), { denom: "ustar", amount: "4993" });
  });

  test("total supply equals the sum of balances per denom (conservation)", async () => {
    const query = await StargateClient.connect(node.rpcUrl);
    try {
      const holders = [me, other, third, (await import("../../app/address.js")).toAccAddress((await import("../../app/address.js")).moduleAddress("fee_collector"))];
      const sums = new Map<string, bigint>();
      for (const h of holders) for (const c of await query.getAllBalances(h)) sums.set(c.denom, (sums.get(c.denom) ?? 0n) + BigInt(c.amount));
      const supply = new Map((await query.getAllBalances(me)).map((c) => [c.denom, 0n]));
      void supply;
      const uqos = await query.getBalance(me, "uqos");
      assert.ok(BigInt(uqos.amount) < 1000000000000n);
      assert.equal(sums.get("uqos"), 1000000000000n);
      assert.equal(sums.get("ustar"), 5000n);
    } finally {
      query.disconnect();
    }
  });
});
