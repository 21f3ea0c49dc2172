// One hash per transaction (issue 14 part 3): every re-encoding of a signed tx is refused in CheckTx and in
// FinalizeBlock with the same code and log, so a tx commits only under the hash its signer computed. The
// attacker of the issue took alice's signed transfer, re-encoded the TxRaw (which no signature covers), got
// it committed under a new hash, and alice's own tx was then refused as a replay (32).
import { before, after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { makeSignDoc } from "@cosmjs/proto-signing";
import { fromBase64 } from "@cosmjs/encoding";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { testAccount, type TestAccount } from "../helpers/wallet.js";
import { concat, ld, paddedVarint as padded, tag, utf8, varint, vf } from "../helpers/protobuf.js";
import { TypeUrl } from "../../gen/names.js";

const chainId = "qos-canonical-1";

describe("one hash per transaction", () => {
  let alice: TestAccount, bob: TestAccount;
  let t: TestApp;

  before(async () => {
    [alice, bob] = await Promise.all(["canon-alice", "canon-bob"].map(testAccount));
    t = await createTestApp(
      genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: "1000000000" }, { denom: "zeta", amount: "1000" }] }]),
      { chainId, profile: "business" },
    );
    await t.block([]);
  });
  after(() => t.destroy());

  // The canonical pieces, written field by field so that each variant below changes exactly one thing.
  const coin = (denom: string, amount: string) => concat(ld(1, utf8(denom)), ld(2, utf8(amount)));
  const send = (coins = [coin("uqos", "7")]) => concat(ld(1, utf8(alice.address)), ld(2, utf8(bob.address)), ...coins.map((c) => ld(3, c)));
  const anyOf = (typeUrl: string, value: Uint8Array) => concat(ld(1, utf8(typeUrl)), ld(2, value));
  const body = (msg = send(), extra = new Uint8Array()) => concat(ld(1, anyOf(TypeUrl.cosmos.bank.v1beta1.MsgSend, msg)), extra);
  const pubKey = () => anyOf("/cosmos.crypto.secp256k1.PubKey", ld(1, alice.pubkey));
  const modeInfo = () => ld(1, vf(1, 1)); // single { mode: SIGN_MODE_DIRECT }
  const signerInfo = (parts = [ld(1, pubKey()), ld(2, modeInfo())]) => concat(...parts);
  const fee = (parts = [ld(1, coin("uqos", "5000")), vf(2, 200_000)]) => concat(...parts);
  const authInfo = (parts = [ld(1, signerInfo()), ld(2, fee())]) => concat(...parts);

  async function sign(bodyBytes: Uint8Array, authInfoBytes: Uint8Array): Promise<Uint8Array> {
    const { signature } = await alice.wallet.signDirect(alice.address, makeSignDoc(bodyBytes, authInfoBytes, chainId, 0));
    return fromBase64(signature.signature);
  }
  const raw = (bodyBytes: Uint8Array, authInfoBytes: Uint8Array, signature: Uint8Array) => concat(ld(1, bodyBytes), ld(2, authInfoBytes), ld(3, signature));
  const hash = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex").toUpperCase();

  test("the hand-written pieces are exactly what CosmJS's encoders write (so the variants differ from a real tx in one place only)", () => {
    const viaCodecs = TxBody.encode(
      TxBody.fromPartial({
        messages: [{ typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend, value: MsgSend.encode({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount: "7" }] }).finish() }],
      }),
    ).finish();
    assert.deepEqual(body(), viaCodecs);
    const auth = AuthInfo.encode(
      AuthInfo.fromPartial({
        signerInfos: [{ publicKey: { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: alice.pubkey }).finish() }, modeInfo: { single: { mode: 1 } }, sequence: 0n }],
        fee: { amount: [{ denom: "uqos", amount: "5000" }], gasLimit: 200_000n },
      }),
    ).finish();
    assert.deepEqual(authInfo(), auth);
  });

  test("attack: re-encodings of alice's signed transfer are refused in CheckTx and FinalizeBlock; the original commits under its own hash", async () => {
    const bodyBytes = body();
    const authBytes = authInfo();
    const sig = await sign(bodyBytes, authBytes);
    const original = raw(bodyBytes, authBytes, sig);
    const bodyLen = varint(bodyBytes.length).length;

    const nonCanonical = (what: string, at: number, length: number, canonical: number) =>
      [44, `${what} differs from its canonical encoding at byte ${at} (${length} bytes, canonical ${canonical}): tx is not canonically encoded`] as const;
    const variants: Array<{ name: string; bytes: Uint8Array; expect: readonly [number, string] }> = [];
    const add = (name: string, bytes: Uint8Array, expect: readonly [number, string]) => variants.push({ name, bytes, expect });

    // TxRaw, which no signature covers: what anyone relaying the tx can change
    add("a non-minimal length of body_bytes", concat(tag(1, 2), padded(bodyBytes.length, bodyLen + 1), bodyBytes, ld(2, authBytes), ld(3, sig)), nonCanonical("TxRaw", bodyLen, original.length + 1, original.length));
    add("a non-minimal tag of body_bytes", concat(padded(0x0a, 2), varint(bodyBytes.length), bodyBytes, ld(2, authBytes), ld(3, sig)), nonCanonical("TxRaw", 0, original.length + 1, original.length));
    add("auth_info_bytes before body_bytes", concat(ld(2, authBytes), ld(1, bodyBytes), ld(3, sig)), nonCanonical("TxRaw", 0, original.length, original.length));
    add("the signature first", concat(ld(3, sig), ld(1, bodyBytes), ld(2, authBytes)), nonCanonical("TxRaw", 0, original.length, original.length));
    add("a non-minimal length of the signature", concat(ld(1, bodyBytes), ld(2, authBytes), tag(3, 2), padded(64, 3), sig), nonCanonical("TxRaw", original.length - 65, original.length + 2, original.length));
    // refused by the strict wire rules before (D11), kept here so the whole list of the issue is covered
    add("two appended bytes", concat(original, Uint8Array.of(0, 0)), [2, `cannot decode TxRaw: field number 0 at byte ${original.length + 1}: tx parse error`]);
    add("unknown field 5000", concat(original, vf(5000, 1)), [2, `cannot decode TxRaw: unknown field 5000 in cosmos.tx.v1beta1.TxRaw at byte ${original.length + 3}: tx parse error`]);
    add("leading nested groups", concat(tag(15, 3), tag(15, 4), original), [2, "cannot decode TxRaw: field 15 is a group (wire type 3); groups are not accepted at byte 1: tx parse error"]);
    add("a wire-type change (body_bytes as a varint)", concat(vf(1, 5), original.subarray(0)), [2, "cannot decode TxRaw: field 1 of cosmos.tx.v1beta1.TxRaw has wire type 0, which a bytes field cannot have at byte 1: tx parse error"]);
    add("body_bytes twice", concat(original, ld(1, bodyBytes)), [2, `cannot decode TxRaw: field 1 of cosmos.tx.v1beta1.TxRaw appears twice at byte ${original.length + 1}: tx parse error`]);
    add("an appended empty signature", concat(original, ld(3, new Uint8Array())), [4, "the tx has 2 signatures but its messages need 1 signers: unauthorized"]);

    // What only the signer can change (it re-signs): still one encoding per content, inside every part
    const signed = async (b: Uint8Array, a: Uint8Array) => raw(b, a, await sign(b, a));
    const msgLen = send().length;
    const bodyVariants: Array<[string, Uint8Array, readonly [number, string]]> = [
      ["an explicit empty memo", body(send(), ld(2, new Uint8Array())), nonCanonical("TxBody", bodyBytes.length, bodyBytes.length + 2, bodyBytes.length)],
      ["an explicit zero timeout_height", body(send(), vf(3, 0)), nonCanonical("TxBody", bodyBytes.length, bodyBytes.length + 2, bodyBytes.length)],
      ["the memo before the messages", concat(ld(2, utf8("m")), body()), [44, "TxBody differs from its canonical encoding at byte 0 (" + (bodyBytes.length + 3) + " bytes, canonical " + (bodyBytes.length + 3) + "): tx is not canonically encoded"]],
      ["the message's value before its type URL", ld(1, concat(ld(2, send()), ld(1, utf8(TypeUrl.cosmos.bank.v1beta1.MsgSend)))), nonCanonical("TxBody", 1 + bodyLen, bodyBytes.length, bodyBytes.length)],
      ["to_address before from_address in MsgSend", body(concat(ld(2, utf8(bob.address)), ld(1, utf8(alice.address)), ld(3, coin("uqos", "7")))), nonCanonical(`message 0 (${TypeUrl.cosmos.bank.v1beta1.MsgSend})`, 0, msgLen, msgLen)],
      ["a coin's amount before its denom", body(send([concat(ld(2, utf8("7")), ld(1, utf8("uqos")))])), nonCanonical(`message 0 (${TypeUrl.cosmos.bank.v1beta1.MsgSend})`, msgLen - 9, msgLen, msgLen)],
      ["a coin with an explicit empty amount", body(send([concat(ld(1, utf8("uqos")), ld(2, new Uint8Array()))])), nonCanonical(`message 0 (${TypeUrl.cosmos.bank.v1beta1.MsgSend})`, msgLen - 10, msgLen - 1, msgLen - 3)],
      ["a leading zero in the message's amount", body(send([coin("uqos", "07")])), [10, `message 0 (${TypeUrl.cosmos.bank.v1beta1.MsgSend}): amount amount of uqos "07" is not a non-negative integer of at most 78 digits: invalid coins`]],
      ["unsorted coins in the message", body(send([coin("zeta", "1"), coin("uqos", "7")])), [10, `message 0 (${TypeUrl.cosmos.bank.v1beta1.MsgSend}): amount: denoms are not sorted (zeta before uqos): invalid coins`]],
    ];
    for (const [name, b, expect] of bodyVariants) add(name, await signed(b, authBytes), expect);
    const siLen = signerInfo().length;
    const authVariants: Array<[string, Uint8Array, readonly [number, string]]> = [
      ["the fee before the signer infos", authInfo([ld(2, fee()), ld(1, signerInfo())]), nonCanonical("AuthInfo", 0, authBytes.length, authBytes.length)],
      ["an explicit zero sequence", authInfo([ld(1, signerInfo([ld(1, pubKey()), ld(2, modeInfo()), vf(3, 0)])), ld(2, fee())]), nonCanonical("AuthInfo", 1, authBytes.length + 2, authBytes.length)],
      ["a padded gas limit", authInfo([ld(1, signerInfo()), ld(2, concat(ld(1, coin("uqos", "5000")), tag(2, 0), padded(200_000, 5)))]), nonCanonical("AuthInfo", 2 + siLen + 1, authBytes.length + 2, authBytes.length)],
      ["a padded sign mode", authInfo([ld(1, signerInfo([ld(1, pubKey()), ld(2, ld(1, concat(tag(1, 0), padded(1, 2))))])), ld(2, fee())]), nonCanonical("AuthInfo", 1, authBytes.length + 1, authBytes.length)],
      ["a zero-padded fee amount", authInfo([ld(1, signerInfo()), ld(2, fee([ld(1, coin("uqos", "005000")), vf(2, 200_000)]))]), [10, 'fee amount of uqos "005000" is not a non-negative integer of at most 78 digits: invalid coins']],
      ["unsorted fee coins", authInfo([ld(1, signerInfo()), ld(2, fee([ld(1, coin("zeta", "1")), ld(1, coin("uqos", "5000")), vf(2, 200_000)]))]), [10, "fee: denoms are not sorted (zeta before uqos): invalid coins"]],
    ];
    for (const [name, a, expect] of authVariants) add(name, await signed(bodyBytes, a), expect);
    const paddedKey = anyOf("/cosmos.crypto.secp256k1.PubKey", concat(tag(1, 2), padded(33, 2), alice.pubkey));
    add("a padded length inside the public key", await signed(bodyBytes, authInfo([ld(1, signerInfo([ld(1, paddedKey), ld(2, modeInfo())])), ld(2, fee())])), nonCanonical("signer 0's public key", 1, 36, 35));

    const expected = variants.map((v) => [v.name, ...v.expect]);
    const checked = variants.map((v) => {
      const r = t.app.checkTx({ tx: v.bytes, type: 0 });
      return [v.name, r.code, r.log];
    });
    assert.deepEqual(checked, expected, "CheckTx");
    // every variant in a block ahead of the original (a proposer may include what a mempool refused)
    const { results } = await t.block([...variants.map((v) => v.bytes), original]);
    assert.deepEqual(results.slice(0, -1).map((r, i) => [variants[i].name, r.code, r.log]), expected, "FinalizeBlock");
    assert.deepEqual([results.at(-1)!.code, results.at(-1)!.log], [0, ""], "the original commits");
    assert.equal(new Set([original, ...variants.map((v) => v.bytes)].map(hash)).size, variants.length + 1, "every variant had a hash of its own");
    // after it, the original is a replay (32): it committed once, under its own hash
    assert.equal(t.app.checkTx({ tx: original, type: 0 }).code, 32);
  });
});
