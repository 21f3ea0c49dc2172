// Issue 10, defect 1 on a real 4-validator network: crafted txs (10,000 nested groups outside the signed
// bytes, unknown fields in TxBody, in a message, a group in AuthInfo) broadcast over RPC to each node are
// refused by CheckTx with code 2; re-encodings that keep the signature valid are refused with 44 (issue 14,
// one hash per tx) and the signed tx commits under its own hash; all four nodes keep the same app hash.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { encodePubkey, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { fromBase64 } from "@cosmjs/encoding";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { createTestnet, sleep, type Testnet, type TestnetNode } from "../../testnet/testnet.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { nestedGroups } from "../helpers/group-bomb.js";
import { concat, ld, paddedVarint, varint } from "../helpers/protobuf.js";

describe("attack: crafted encodings broadcast to a 4-validator network", () => {
  let net: Testnet;
  let alice: TestAccount, bob: TestAccount;
  let accountNumber = 0n;

  before(async () => {
    [alice, bob] = await Promise.all([testAccount("hostile-alice"), testAccount("hostile-bob")]);
    net = await createTestnet({
      validators: 4,
      chainId: "qos-hostile-1",
      accounts: [{ address: alice.address, coins: "1000000000000uqos" }],
      timeoutCommit: "300ms",
      timeoutPropose: "1s",
      stakeParams: { voting_status_len: 10_000, voting_status_least: 7_000 },
    });
    await net.startAll();
    const res = await net.nodes[0].rpc<{ response: { value: string } }>("abci_query", {
      path: "/cosmos.auth.v1beta1.Query/Account",
      data: Buffer.from(QueryAccountRequest.encode({ address: alice.address }).finish()).toString("hex"),
    });
    accountNumber = BaseAccount.decode(QueryAccountResponse.decode(Buffer.from(res.response.value, "base64")).account!.value).accountNumber;
  });
  after(async () => {
    await net?.destroy();
  });

  const send = (amount: string) => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount }] }) });
  const fee = { amount: [{ denom: "uqos", amount: "20000" }], gas: "800000" };

  /** alice's correctly signed tx over exactly these body bytes (sequence 0) */
  async function signBody(bodyBytes: Uint8Array, authExtra = new Uint8Array()): Promise<Uint8Array> {
    const authInfoBytes = concat(makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(alice.pubkey)), sequence: 0n }], fee.amount, Number(fee.gas), undefined, undefined), authExtra);
    const { signature } = await alice.wallet.signDirect(alice.address, makeSignDoc(bodyBytes, authInfoBytes, net.chainId, Number(accountNumber)));
    return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish();
  }

  async function broadcast(node: TestnetNode, tx: Uint8Array) {
    return node.rpc<{ code: number; codespace: string; log: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
  }

  test("attack: each crafted tx is refused by CheckTx (code 2) on every node; the nodes keep agreeing", async () => {
    const signed = await signTx(alice, [send("5")], { chainId: net.chainId, accountNumber, sequence: 0, fee });
    const body = registry.encode({ typeUrl: "/cosmos.tx.v1beta1.TxBody", value: { messages: [send("5")], memo: "" } });
    const msgWithUnknown = concat(MsgSend.encode(send("5").value).finish(), Uint8Array.of(0x20, 0x01)); // field 4, varint
    const crafted: Array<[string, Uint8Array, string]> = [
      ["10,000 nested groups in TxRaw field 5", concat(signed, nestedGroups(5, 10_000)), "cannot decode TxRaw: field 5 is a group (wire type 3); groups are not accepted"],
      ["unknown field 4 in TxBody", await signBody(concat(body, Uint8Array.of(0x20, 0x01))), "cannot decode TxBody: unknown field 4 in cosmos.tx.v1beta1.TxBody"],
      [
        "unknown field 4 in MsgSend",
        await signBody(TxBody.encode(TxBody.fromPartial({ messages: [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: msgWithUnknown }] })).finish()),
        "cannot decode TxBody: unknown field 4 in cosmos.bank.v1beta1.MsgSend",
      ],
      ["a group in AuthInfo", await signBody(body, Uint8Array.of(0x4b, 0x4c)), "cannot decode AuthInfo: field 9 is a group (wire type 3); groups are not accepted"],
    ];
    const start = await net.nodes[0].height();
    for (const [what, tx, log] of crafted) {
      for (const node of net.nodes) {
        const res = await broadcast(node, tx);
        assert.equal(res.code, 2, `${what} on ${node.name}: ${res.log}`);
        assert.equal(res.codespace, "sdk");
        // (the byte offset the log ends with is checked in test/unit/wire.test.ts)
        assert.equal(res.log.replace(/ at byte \d+(?=: tx parse error$)/, ""), `${log}: tx parse error`, what);
      }
    }

    // Issue 14 part 3 through real CometBFT: re-encodings of alice's signed tx that keep her signature
    // valid (which CometBFT would hash differently) are refused with 44 by every node, so her tx can only
    // commit under the hash she computed
    const raw = TxRaw.decode(signed);
    const paddedLength = (n: number) => paddedVarint(n, varint(n).length + 1); // one byte longer, same value
    const [bodyField, authField, signatureField] = [ld(1, raw.bodyBytes), ld(2, raw.authInfoBytes), ld(3, raw.signatures[0])];
    const malleated: Array<[string, Uint8Array]> = [
      ["the signature first", concat(signatureField, bodyField, authField)],
      ["auth_info_bytes before body_bytes", concat(authField, bodyField, signatureField)],
      ["a non-minimal length of body_bytes", concat(Uint8Array.of(0x0a), paddedLength(raw.bodyBytes.length), raw.bodyBytes, authField, signatureField)],
    ];
    for (const [what, tx] of malleated) {
      assert.notDeepEqual(tx, signed, what);
      for (const node of net.nodes) {
        const res = await broadcast(node, tx);
        assert.deepEqual([res.codespace, res.code], ["sdk", 44], `${what} on ${node.name}: ${res.log}`);
        assert.match(res.log, /^TxRaw differs from its canonical encoding at byte \d+ \(\d+ bytes, canonical \d+\): tx is not canonically encoded$/, what);
      }
    }

    // the honest tx goes through, and every node agrees on every header since
    const res = await broadcast(net.nodes[1], signed);
    assert.equal(res.code, 0, res.log);
    const hash = createHash("sha256").update(signed).digest("hex").toUpperCase();
    let height = 0;
    for (let tries = 0; tries < 200 && height === 0; tries++) {
      const r = await net.nodes[2].rpc<{ height: string; tx_result: { code: number } }>("tx", { hash: Buffer.from(hash, "hex").toString("base64") }).catch(() => undefined);
      if (r) {
        assert.equal(r.tx_result.code, 0);
        height = Number(r.height);
      } else await sleep(100);
    }
    assert.ok(height > start, "the honest tx was committed after the crafted ones");
    for (const [what, tx] of malleated) {
      const malleatedHash = createHash("sha256").update(tx).digest("base64");
      await assert.rejects(net.nodes[2].rpc("tx", { hash: malleatedHash }), /not found/, `${what}: no tx under the malleated hash`);
    }
    await Promise.all(net.nodes.map((n) => n.waitForHeight(height + 3)));
    for (let h = 1; h <= height + 3; h++) {
      const headers = await Promise.all(net.nodes.map((n) => n.rpc<{ block: { header: { app_hash: string; last_results_hash: string } } }>("block", { height: String(h) })));
      for (const [k, b] of headers.entries()) {
        assert.equal(b.block.header.app_hash, headers[0].block.header.app_hash, `app hash at ${h}: ${net.nodes[k].name}`);
        assert.equal(b.block.header.last_results_hash, headers[0].block.header.last_results_hash, `results hash at ${h}: ${net.nodes[k].name}`);
      }
    }
  });
});
