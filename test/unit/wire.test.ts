// The strict wire rules (app/tx/wire.ts, D11) through the real entry point (CheckTx of a chain where the
// sender is funded and every tx is correctly signed, so that the only reason for a refusal is the encoding),
// and the validator's edge cases on hand-made bytes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { makeSignDoc } from "@cosmjs/proto-signing";
import { fromBase64 } from "@cosmjs/encoding";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { AuthInfo, Fee, ModeInfo, SignerInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { testAccount, type TestAccount } from "../helpers/wallet.js";
import { concat, ld, tag, varint, vf } from "../helpers/protobuf.js";
import { MaxMessageDepth, schema, schemaOfTypeUrl, validateWire } from "../../app/tx/wire.js";
import { Router } from "../../app/router.js";
import { composeChain, Profiles } from "../../chain/index.js";
import { AppError } from "../../app/errors.js";

const chainId = "qos-wire-1";


/** What the validator says about `bytes` as a `name`, or "ok". */
function check(name: string, bytes: Uint8Array, options = {}): string {
  try {
    validateWire(bytes, schema(name), name.split(".").pop()!, options);
    return "ok";
  } catch (e) {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, 2);
    return e.message;
  }
}

describe("strict wire validation", () => {
  let alice: TestAccount, bob: TestAccount;
  let t: TestApp;
  let sequence = 0;

  before(async () => {
    [alice, bob] = await Promise.all(["alice", "bob"].map(testAccount));
    t = await createTestApp(genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: "1000000000" }] }]), { chainId, profile: "business" });
    await t.block([]);
  });
  after(() => t.destroy());

  const sendBytes = () => MsgSend.encode(MsgSend.fromPartial({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount: "7" }] })).finish();
  const bodyOf = (msgValue: Uint8Array, extra = new Uint8Array()) =>
    concat(TxBody.encode(TxBody.fromPartial({ messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: msgValue }] })).finish(), extra);
  const pubKeyAny = (extra = new Uint8Array()) => ({ typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: concat(PubKey.encode({ key: alice.pubkey }).finish(), extra) });
  const fee = () => Fee.fromPartial({ amount: [{ denom: "uqos", amount: "5000" }], gasLimit: 200_000n });
  const authOf = (extra = new Uint8Array(), pubKeyExtra = new Uint8Array()) =>
    concat(
      AuthInfo.encode(AuthInfo.fromPartial({ signerInfos: [{ publicKey: pubKeyAny(pubKeyExtra), modeInfo: { single: { mode: 1 } }, sequence: BigInt(sequence) }], fee: fee() })).finish(),
      extra,
    );
  /** alice's correctly signed tx over exactly these body and auth info bytes, with `extra` appended to TxRaw */
  async function tx(bodyBytes: Uint8Array, authInfoBytes: Uint8Array, extra = new Uint8Array()): Promise<Uint8Array> {
    const { signature } = await alice.wallet.signDirect(alice.address, makeSignDoc(bodyBytes, authInfoBytes, chainId, 0));
    return concat(TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish(), extra);
  }
  const checkTx = (bytes: Uint8Array) => {
    const r = t.app.checkTx({ tx: bytes, type: 0 });
    return { code: r.code, log: r.log.replace(/ at byte \d+/, "") };
  };

  test("attack: unknown fields refused in TxRaw, TxBody below 1024, AuthInfo, Fee, the pubkey, messages and their coins", async () => {
    const refused = (log: string) => ({ code: 2, log: `cannot decode ${log}: tx parse error` });
    assert.deepEqual(checkTx(await tx(bodyOf(sendBytes()), authOf(), vf(4, 1))), refused("TxRaw: unknown field 4 in cosmos.tx.v1beta1.TxRaw"));
    assert.deepEqual(checkTx(await tx(bodyOf(sendBytes(), vf(4, 1)), authOf())), refused("TxBody: unknown field 4 in cosmos.tx.v1beta1.TxBody"));
    assert.deepEqual(checkTx(await tx(bodyOf(sendBytes(), vf(1000, 1)), authOf())), refused("TxBody: unknown field 1000 in cosmos.tx.v1beta1.TxBody"));
    assert.deepEqual(checkTx(await tx(bodyOf(sendBytes()), authOf(vf(9, 1)))), refused("AuthInfo: unknown field 9 in cosmos.tx.v1beta1.AuthInfo"));
    assert.deepEqual(checkTx(await tx(bodyOf(sendBytes()), authOf(undefined, vf(2, 1)))), refused("AuthInfo: unknown field 2 in cosmos.crypto.secp256k1.PubKey"));
    const feeWithUnknown = concat(
      AuthInfo.encode(AuthInfo.fromPartial({ signerInfos: [{ publicKey: pubKeyAny(), modeInfo: { single: { mode: 1 } }, sequence: BigInt(sequence) }] })).finish(),
      ld(2, concat(Fee.encode(fee()).finish(), vf(7, 1))),
    );
    assert.deepEqual(checkTx(await tx(bodyOf(sendBytes()), feeWithUnknown)), refused("AuthInfo: unknown field 7 in cosmos.tx.v1beta1.Fee"));
    const signerWithUnknown = concat(
      ld(1, concat(SignerInfo.encode(SignerInfo.fromPartial({ publicKey: pubKeyAny(), modeInfo: ModeInfo.fromPartial({ single: { mode: 1 } }), sequence: BigInt(sequence) })).finish(), vf(4, 1))),
      ld(2, Fee.encode(fee()).finish()),
    );
    assert.deepEqual(checkTx(await tx(bodyOf(sendBytes()), signerWithUnknown)), refused("AuthInfo: unknown field 4 in cosmos.tx.v1beta1.SignerInfo"));
    assert.deepEqual(checkTx(await tx(bodyOf(concat(sendBytes(), vf(4, 1))), authOf())), refused("TxBody: unknown field 4 in cosmos.bank.v1beta1.MsgSend"));
    const coinWithUnknown = concat(ld(1, new TextEncoder().encode(alice.address)), ld(2, new TextEncoder().encode(bob.address)), ld(3, concat(ld(1, new TextEncoder().encode("uqos")), ld(2, new TextEncoder().encode("7")), vf(3, 1))));
    assert.deepEqual(checkTx(await tx(bodyOf(coinWithUnknown), authOf())), refused("TxBody: unknown field 3 in cosmos.base.v1beta1.Coin"));
    // a group anywhere, here inside a message inside the body
    assert.deepEqual(checkTx(await tx(bodyOf(concat(sendBytes(), tag(9, 3), tag(9, 4))), authOf())), refused("TxBody: field 9 is a group (wire type 3); groups are not accepted"));
  });

  test("TxBody fields from 1024 up are non-critical extensions: skipped (the tx executes), but groups there are still refused", async () => {
    const bytes = await tx(bodyOf(sendBytes(), concat(vf(1024, 5), ld(1500, Uint8Array.from([0x0b, 0x0c, 0xff])))), authOf());
    assert.deepEqual(checkTx(bytes), { code: 0, log: "" });
    const { results } = await t.block([bytes]);
    assert.deepEqual(results.map((r) => [r.code, r.log]), [[0, ""]]);
    sequence++;
    assert.deepEqual(checkTx(await tx(bodyOf(sendBytes(), concat(tag(1500, 3), tag(1500, 4))), authOf())), {
      code: 2,
      log: "cannot decode TxBody: field 1500 is a group (wire type 3); groups are not accepted: tx parse error",
    });
  });

  test("malformed wire: truncation, lengths past the end, long varints, field 0, bad wire types, duplicates, bad UTF-8, depth", () => {
    const name = "cosmos.base.v1beta1.Coin";
    assert.equal(check(name, concat(ld(1, new TextEncoder().encode("uqos")), ld(2, new TextEncoder().encode("7")))), "ok");
    assert.equal(check(name, Uint8Array.from([0x0a])), "cannot decode Coin: truncated varint at byte 1: tx parse error");
    assert.equal(check(name, Uint8Array.from([0x0a, 0x05, 0x61])), "cannot decode Coin: length 5 runs past the end (1 bytes left) at byte 2: tx parse error");
    assert.equal(check(name, Uint8Array.from([0x0a, 0x85, 0x80, 0x80, 0x80, 0x80, 0x00])), "cannot decode Coin: varint too long for 32 bits at byte 6: tx parse error");
    assert.equal(check(name, Uint8Array.from([0x02, 0x00])), "cannot decode Coin: field number 0 at byte 1: tx parse error");
    assert.equal(check(name, Uint8Array.from([0x0e])), "cannot decode Coin: field 1 has invalid wire type 6 at byte 1: tx parse error");
    assert.equal(check(name, Uint8Array.from([0x0c])), "cannot decode Coin: field 1 is a group (wire type 4); groups are not accepted at byte 1: tx parse error");
    assert.equal(check(name, vf(1, 3)), "cannot decode Coin: field 1 of cosmos.base.v1beta1.Coin has wire type 0, which a string cannot have at byte 1: tx parse error");
    assert.equal(check(name, concat(ld(1, Uint8Array.of(0x61)), ld(1, Uint8Array.of(0x62)))), "cannot decode Coin: field 1 of cosmos.base.v1beta1.Coin appears twice at byte 4: tx parse error");
    assert.equal(check(name, ld(1, Uint8Array.of(0xc3, 0x28))), "cannot decode Coin: field 1 of cosmos.base.v1beta1.Coin is not valid UTF-8 at byte 2: tx parse error");
    // a 64-bit varint: 10 bytes accepted, 11 refused (SignerInfo.sequence is a uint64)
    const ten = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert.equal(check("cosmos.tx.v1beta1.SignerInfo", concat(tag(3, 0), ten)), "ok");
    assert.equal(check("cosmos.tx.v1beta1.SignerInfo", concat(tag(3, 0), Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00]))), "cannot decode SignerInfo: varint longer than 64 bits at byte 11: tx parse error");
    assert.equal(check("cosmos.tx.v1beta1.SignerInfo", concat(tag(3, 0), Uint8Array.from([0xff, 0xff]))), "cannot decode SignerInfo: truncated varint at byte 3: tx parse error");
    // two members of one oneof
    const single = ld(1, vf(1, 1));
    assert.equal(check("cosmos.tx.v1beta1.ModeInfo", concat(single, ld(2, new Uint8Array()))), "cannot decode ModeInfo: field 2 of cosmos.tx.v1beta1.ModeInfo is a second member of one oneof at byte 5: tx parse error");
    // nesting: ModeInfo → Multi → ModeInfo → ... ; each pair is two levels
    const nested = (levels: number) => {
      let bytes = single;
      for (let i = 1; i < levels; i += 2) bytes = ld(2, ld(2, bytes));
      return bytes;
    };
    assert.equal(check("cosmos.tx.v1beta1.ModeInfo", nested(MaxMessageDepth - 1)), "ok");
    assert.match(check("cosmos.tx.v1beta1.ModeInfo", nested(MaxMessageDepth + 1)), /^cannot decode ModeInfo: messages nested deeper than 32 levels at byte \d+: tx parse error$/);
    // 20,000 levels: refused at level 33, in linear time, whatever the stack
    assert.match(check("cosmos.tx.v1beta1.ModeInfo", nested(20_001)), /nested deeper than 32 levels/);
  });

  test("every registered message type of every profile has a wire schema from the build (decodeMsg refuses one without)", () => {
    for (const profile of Profiles) {
      const router = new Router(composeChain(profile).modules);
      assert.deepEqual(router.msgTypeUrls.filter((url) => schemaOfTypeUrl(url) === undefined), [], profile);
      assert.ok(router.msgTypeUrls.includes("/cosmos.bank.v1beta1.MsgSend") && router.msgTypeUrls.includes("/qos.qsc.v1.MsgCreateQsc"), profile);
    }
  });
});
