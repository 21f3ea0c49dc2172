// Address aliases. bech32 allows an all-upper-case string, so "QOSACC1…" names the same 20 bytes as "qosacc1…",
// while duplicate-party, self-approve and signer checks compare strings (issue 10, defect 11), and a signed
// message would have two spellings of one meaning (issue 14). Issue 10 lower-cased such addresses at decoding;
// now they are refused (sdk 7, invalid address): at decoding (app/tx/decode.ts decodeMsg) for every string of
// a message, and by the parsers (app/address.ts) for mixed case and for anything else that parses addresses.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { encodePubkey, makeAuthInfoBytes, makeSignDoc, type EncodeObject } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { fromBase64, toBech32, fromBech32 } from "@cosmjs/encoding";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";
import { MsgCreateApprove } from "../../gen/qos/approve/v1/tx.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { isUpperCaseAddress, parseAccAddress } from "../../app/address.js";

const chainId = "qos-alias-1";
const fee = { amount: [{ denom: "uqos", amount: "10000" }], gas: "400000" };
const Funds = 1_000_000_000n;

describe("attack: upper-case address aliases", () => {
  let alice: TestAccount, bob: TestAccount;
  let t: TestApp;
  let sequence = 0;

  before(async () => {
    [alice, bob] = await Promise.all(["alice", "bob"].map(testAccount));
    t = await createTestApp(genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: Funds.toString() }] }]), { chainId, profile: "business" });
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
  const sign = (msgs: EncodeObject[]) => signTx(alice, msgs, { chainId, accountNumber: 0, sequence, fee });
  const result = (r: { code: number; codespace: string; log: string }) => ({ code: r.code, codespace: r.codespace, log: r.log });
  function balance(address: string): bigint {
    const res = t.app.query({ path: Method.cosmos.bank.v1beta1.Query.Balance, data: QueryBalanceRequest.encode({ address, denom: "uqos" }).finish(), height: 0n, prove: false });
    assert.equal(res.code, 0, res.log);
    return BigInt(QueryBalanceResponse.decode(res.value).balance!.amount);
  }
  function aliceSequence(): bigint {
    const res = t.app.query({ path: Method.cosmos.auth.v1beta1.Query.Account, data: QueryAccountRequest.encode({ address: alice.address }).finish(), height: 0n, prove: false });
    return BaseAccount.decode(QueryAccountResponse.decode(res.value).account!.value).sequence;
  }

  /** `tx` gets `expected` in CheckTx and in a block, and nothing moves: no fee, no sequence, no balance */
  async function refusedEverywhere(tx: Uint8Array, expected: { code: number; codespace: string; log: string }) {
    const before = { alice: balance(alice.address), bob: balance(bob.address), sequence: aliceSequence() };
    assert.deepEqual(result(t.app.checkTx({ tx, type: 0 })), expected);
    const { results } = await t.block([tx]);
    assert.deepEqual(results.map(result), [expected]);
    assert.deepEqual({ alice: balance(alice.address), bob: balance(bob.address), sequence: aliceSequence() }, before);
  }
  const upperCase = (what: string, field: string, address: string) =>
    ({ code: 7, codespace: "sdk", log: `${what}: ${field} ${JSON.stringify(address)} is not in lower case (addresses have one spelling): invalid address` });

  test("isUpperCaseAddress: only upper-case QOS bech32 with a valid checksum; the parser refuses upper case (and mixed case, as before: not bech32)", () => {
    assert.equal(isUpperCaseAddress(alice.address.toUpperCase()), true);
    assert.equal(isUpperCaseAddress(toBech32("qosval", fromBech32(alice.address).data).toUpperCase()), true);
    assert.equal(isUpperCaseAddress(alice.address), false);
    const badChecksum = alice.address.slice(0, -1) + (alice.address.endsWith("q") ? "p" : "q");
    assert.equal(isUpperCaseAddress(badChecksum.toUpperCase()), false);
    assert.equal(isUpperCaseAddress(toBech32("cosmos", fromBech32(alice.address).data).toUpperCase()), false, "another chain's prefix is not ours to judge");
    assert.equal(isUpperCaseAddress("UQOS"), false);
    assert.deepEqual(parseAccAddress(alice.address), fromBech32(alice.address).data);
    const upper = alice.address.toUpperCase();
    assert.throws(() => parseAccAddress(upper, "to"), (e: Error) => e.message === `to ${JSON.stringify(upper)} is not in lower case (addresses have one spelling): invalid address`);
    const mixed = alice.address.slice(0, 10) + alice.address.slice(10).toUpperCase();
    assert.throws(() => parseAccAddress(mixed, "to"), (e: Error) => e.message === `to ${JSON.stringify(mixed)} is not valid bech32 (String must be lowercase or uppercase): invalid address`);
  });

  test("attack: a MsgTransfer naming the same sender twice, once in upper case, is refused (sdk 7), nothing moves", async () => {
    const coins = [{ denom: "uqos", amount: "5" }];
    const upper = alice.address.toUpperCase();
    const msg = MsgTransfer.fromPartial({
      senders: [{ address: alice.address, coins }, { address: upper, coins }],
      receivers: [{ address: bob.address, coins: [{ denom: "uqos", amount: "10" }] }],
    });
    const tx = await signRepeated([{ typeUrl: TypeUrl.qos.bank.v1.MsgTransfer, value: msg }], 2);
    await refusedEverywhere(tx, upperCase(`message 0 (${TypeUrl.qos.bank.v1.MsgTransfer})`, "address", upper));
  });

  test("attack: an approve to oneself with the address written in upper case is refused (sdk 7), nothing moves", async () => {
    const upper = alice.address.toUpperCase();
    const msg = MsgCreateApprove.fromPartial({ from: alice.address, to: upper, coins: [{ denom: "uqos", amount: "100" }] });
    const tx = await sign([{ typeUrl: TypeUrl.qos.approve.v1.MsgCreateApprove, value: msg }]);
    await refusedEverywhere(tx, upperCase(`message 0 (${TypeUrl.qos.approve.v1.MsgCreateApprove})`, "to", upper));
  });

  const send = (from: string, to: string) => ({ typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend, value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom: "uqos", amount: "3" }] }) });

  test("a signer written in upper case (two sends from alice, one spelled upper case) is refused (sdk 7), nothing moves", async () => {
    const upper = alice.address.toUpperCase();
    const tx = await sign([send(alice.address, bob.address), send(upper, bob.address)]);
    await refusedEverywhere(tx, upperCase(`message 1 (${TypeUrl.cosmos.bank.v1beta1.MsgSend})`, "from_address", upper));
  });

  test("a recipient in upper case or in mixed case is refused (sdk 7), nothing moves", async () => {
    const upper = bob.address.toUpperCase();
    await refusedEverywhere(await sign([send(alice.address, upper)]), upperCase(`message 0 (${TypeUrl.cosmos.bank.v1beta1.MsgSend})`, "to_address", upper));
    // mixed case is not bech32 at all, so the decoder's check passes it on and the parser refuses it (in the
    // ante, before the fee is taken)
    const mixed = bob.address.slice(0, 10) + bob.address.slice(10).toUpperCase();
    await refusedEverywhere(await sign([send(alice.address, mixed)]), {
      code: 7, codespace: "sdk", log: `message 0 (${TypeUrl.cosmos.bank.v1beta1.MsgSend}): to_address ${JSON.stringify(mixed)} is not valid bech32 (String must be lowercase or uppercase): invalid address`,
    });
  });

  test("the same transfer in lower case commits: the refusals above left alice's account usable", async () => {
    const tx = await sign([send(alice.address, bob.address)]);
    assert.deepEqual(result(t.app.checkTx({ tx, type: 0 })), { code: 0, codespace: "", log: "" });
    const { results } = await t.block([tx]);
    assert.deepEqual(results.map((r) => r.code), [0]);
    sequence++;
    assert.equal(balance(bob.address), 3n);
    assert.equal(balance(alice.address), Funds - 3n - 10_000n);
  });
});
