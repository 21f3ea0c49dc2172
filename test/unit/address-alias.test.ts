// Issue 10, defect 11: bech32 is case-insensitive, so "QOSACC1…" names the same account as "qosacc1…", while
// duplicate-party, self-approve and signer checks compared strings. Addresses are now made canonical (lower
// case) once, when a message is decoded (app/tx/decode.ts decodeMsg → app/address.ts canonicalizeAddresses).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { encodePubkey, makeAuthInfoBytes, makeSignDoc, type EncodeObject } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { fromBase64 } from "@cosmjs/encoding";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";
import { MsgCreateApprove } from "../../gen/qos/approve/v1/tx.js";
import { canonicalAddress } from "../../app/address.js";

const chainId = "qos-alias-1";
const fee = { amount: [{ denom: "uqos", amount: "10000" }], gas: "400000" };

describe("attack: upper-case address aliases", () => {
  let alice: TestAccount, bob: TestAccount;
  let t: TestApp;
  let sequence = 0;

  before(async () => {
    [alice, bob] = await Promise.all(["alice", "bob"].map(testAccount));
    t = await createTestApp(genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: "1000000000" }] }]), { chainId, profile: "business" });
    await t.block([]);
  });
  after(() => t.destroy());

  /** the same key signing `count` times (one signer info per listed signer), as an alias-listing tx needs */
  async function signRepeated(msgs: EncodeObject[], count: number): Promise<Uint8Array> {
    const bodyBytes = registry.encode({ typeUrl: "/cosmos.tx.v1beta1.TxBody", value: { messages: msgs, memo: "" } });
    const pubkey = encodePubkey(encodeSecp256k1Pubkey(alice.pubkey));
    const authInfoBytes = makeAuthInfoBytes(Array.from({ length: count }, (_, i) => ({ pubkey, sequence: BigInt(sequence + i) })), fee.amount, Number(fee.gas), undefined, undefined);
    const { signature } = await alice.wallet.signDirect(alice.address, makeSignDoc(bodyBytes, authInfoBytes, chainId, 0));
    return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: Array.from({ length: count }, () => fromBase64(signature.signature)) }).finish();
  }
  const checkTx = (tx: Uint8Array) => {
    const r = t.app.checkTx({ tx, type: 0 });
    return { code: r.code, codespace: r.codespace, log: r.log };
  };

  test("canonicalAddress lower-cases only upper-case QOS bech32 with a valid checksum", () => {
    assert.equal(canonicalAddress(alice.address.toUpperCase()), alice.address);
    assert.equal(canonicalAddress(alice.address), alice.address);
    const badChecksum = alice.address.slice(0, -1) + (alice.address.endsWith("q") ? "p" : "q");
    assert.equal(canonicalAddress(badChecksum.toUpperCase()), badChecksum.toUpperCase());
    assert.equal(canonicalAddress("UQOS"), "UQOS");
  });

  test("attack: a MsgTransfer naming the same sender twice, once in upper case, is refused as a duplicate", async () => {
    const coins = [{ denom: "uqos", amount: "5" }];
    const msg = MsgTransfer.fromPartial({
      senders: [{ address: alice.address, coins }, { address: alice.address.toUpperCase(), coins }],
      receivers: [{ address: bob.address, coins: [{ denom: "uqos", amount: "10" }] }],
    });
    const tx = await signRepeated([{ typeUrl: "/qos.bank.v1.MsgTransfer", value: msg }], 2);
    const expected = { code: 5, codespace: "bank", log: `message 0 (/qos.bank.v1.MsgTransfer): senders: ${alice.address}: address listed twice on one side` };
    assert.deepEqual(checkTx(tx), expected);
    const { results } = await t.block([tx]);
    assert.deepEqual(results.map((r) => ({ code: r.code, codespace: r.codespace, log: r.log })), [expected]);
  });

  test("attack: an approve to oneself with the address written in upper case is refused as a self-approve", async () => {
    const msg = MsgCreateApprove.fromPartial({ from: alice.address, to: alice.address.toUpperCase(), coins: [{ denom: "uqos", amount: "100" }] });
    const tx = await signTx(alice, [{ typeUrl: "/qos.approve.v1.MsgCreateApprove", value: msg }], { chainId, accountNumber: 0, sequence, fee });
    const expected = { code: 5, codespace: "approve", log: `message 0 (/qos.approve.v1.MsgCreateApprove): ${alice.address}: from and to are the same account` };
    assert.deepEqual(checkTx(tx), expected);
  });

  test("signer de-duplication uses canonical addresses: two sends from alice, one in upper case, need one signature", async () => {
    const send = (from: string) => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: from, toAddress: bob.address, amount: [{ denom: "uqos", amount: "3" }] }) });
    const tx = await signTx(alice, [send(alice.address.toUpperCase()), send(alice.address)], { chainId, accountNumber: 0, sequence, fee });
    assert.deepEqual(checkTx(tx), { code: 0, codespace: "", log: "" });
    const { results } = await t.block([tx]);
    assert.deepEqual(results.map((r) => r.code), [0]);
    sequence++;
    // the events name the canonical address only: the fee, then the two sends
    const senders = results[0].events.filter((e) => e.type === "transfer").flatMap((e) => e.attributes.filter((a) => a.key === "sender").map((a) => a.value));
    assert.deepEqual(senders, [alice.address, alice.address, alice.address]);
  });
});
