// QSC tokens and allowances through the app's ABCI methods: certificates judged by block time, banker
// rights, freeze, pause, allowances, conservation.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { newCaKeyPair, type CaKeyPair } from "../../app/certificate.js";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryTokenRequest, QueryTokenResponse, QueryBalanceRequest as QscBalanceRequest, QueryBalanceResponse as QscBalanceResponse } from "../../gen/qos/qsc/v1/query.js";
import { QueryApproveRequest, QueryApproveResponse } from "../../gen/qos/approve/v1/query.js";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { msg, qscCertificate } from "../helpers/qsc.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { encodePubkey, makeAuthInfoBytes, makeSignDoc, type EncodeObject } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";

const chainId = "qos-qsc-1";

describe("QSC tokens and allowances", () => {
  let ca: CaKeyPair;
  let alice: TestAccount, banker: TestAccount, carol: TestAccount, mallory: TestAccount;
  let t: TestApp;
  const numbers = new Map<string, number>();

  before(async () => {
    ca = newCaKeyPair();
    [alice, banker, carol, mallory] = await Promise.all(["q-alice", "q-banker", "q-carol", "q-mallory"].map(testAccount));
    const funded = [alice, banker, carol, mallory];
    funded.forEach((a, i) => numbers.set(a.address, i));
    t = await createTestApp(
      {
        auth: { accounts: funded.map((a) => ({ address: a.address })) },
        bank: { balances: funded.map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: "100000000" }] })) },
        qsc: { root_ca_public_key: toBase64(ca.publicKey) },
      },
      { chainId },
    );
    await t.block([]);
  });
  after(() => t.destroy());

  /** signs with the signer's next sequence and runs the tx in its own block */
  async function run(signer: TestAccount, msgs: EncodeObject[]) {
    const tx = await signTx(signer, msgs, { chainId, accountNumber: numbers.get(signer.address)!, sequence: sequenceOf(signer.address) });
    const { results } = await t.block([tx]);
    return results[0];
  }
  /** a tx whose messages name someone else as signer, signed by `key`'s holder and claiming `claimedPubkey` */
  async function signAs(key: TestAccount, claimedPubkey: Uint8Array, msgs: EncodeObject[], accountNumber: number, sequence: bigint): Promise<Uint8Array> {
    const bodyBytes = registry.encode({ typeUrl: "/cosmos.tx.v1beta1.TxBody", value: { messages: msgs, memo: "" } });
    const authInfoBytes = makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(claimedPubkey)), sequence }], [{ denom: "uqos", amount: "5000" }], 200000, undefined, undefined);
    const { signature } = await key.wallet.signDirect(key.address, makeSignDoc(bodyBytes, authInfoBytes, chainId, accountNumber));
    return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish();
  }
  const sequenceOf = (address: string) =>
    BaseAccount.decode(QueryAccountResponse.decode(t.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address }).finish(), height: 0n, prove: false }).value).account!.value).sequence;
  const now = () => GenesisTime.seconds + BigInt(t.height + 1);
  const cert = (over: Partial<{ name: string; banker: Uint8Array; notBefore: bigint; notAfter: bigint; key: CaKeyPair; chain: string }> = {}) =>
    qscCertificate(over.key ?? ca, {
      chainId: over.chain ?? chainId,
      name: over.name ?? "STAR",
      bankerPublicKey: over.banker ?? banker.pubkey,
      notBefore: over.notBefore ?? now() - 100n,
      notAfter: over.notAfter ?? now() + 1000n,
    });
  const create = (certificate: Uint8Array, name = "STAR", holders = [{ address: carol.address, amount: "1000" }]) =>
    msg.create({ creator: banker.address, certificate, name, banker: banker.address, initialHolders: holders });
  const bal = (address: string, denom = "STAR") =>
    BigInt(QueryBalanceResponse.decode(t.app.query({ path: "/cosmos.bank.v1beta1.Query/Balance", data: QueryBalanceRequest.encode({ address, denom }).finish(), height: 0n, prove: false }).value).balance!.amount);
  const frozen = (address: string) =>
    QscBalanceResponse.decode(t.app.query({ path: "/qos.qsc.v1.Query/Balance", data: QscBalanceRequest.encode({ name: "STAR", address }).finish(), height: 0n, prove: false }).value);
  const supply = () => BigInt(QueryTokenResponse.decode(t.app.query({ path: "/qos.qsc.v1.Query/Token", data: QueryTokenRequest.encode({ name: "STAR" }).finish(), height: 0n, prove: false }).value).totalSupply);

  test("certificates are refused when expired, not yet valid, from another CA, for another name, banker or chain, or malformed", async () => {
    const cases: Array<[string, EncodeObject, string, number]> = [
      ["expired", create(cert({ notBefore: now() - 100n, notAfter: now() - 1n })), "qsc", 3],
      ["not yet valid", create(cert({ notBefore: now() + 50n })), "qsc", 3],
      ["signed by another key", create(cert({ key: newCaKeyPair() })), "qsc", 2],
      ["for another name", create(cert({ name: "MOON" }), "STAR"), "qsc", 4],
      ["for another banker", create(cert({ banker: mallory.pubkey })), "qsc", 4],
      ["for another chain", create(cert({ chain: "other-chain" })), "qsc", 4],
      ["malformed certificate", create(new Uint8Array([1, 2, 3, 4, 5, 6, 7])), "qsc", 2],
      ["bad name", create(cert({ name: "star" }), "star"), "qsc", 11],
    ];
    for (const [name, m, codespace, code] of cases) {
      const res = await run(banker, [m]);
      assert.equal(res.codespace, codespace, `${name}: ${res.log}`);
      assert.equal(res.code, code, `${name}: ${res.log}`);
    }
    assert.equal(t.app.query({ path: "/qos.qsc.v1.Query/Token", data: QueryTokenRequest.encode({ name: "STAR" }).finish(), height: 0n, prove: false }).code, 7);
  });

  test("attack: front-running a create with the banker's certificate and oneself as holder is refused (qsc 15); the banker's create works; a replay gets qsc 16", async () => {
    const certificate = cert();
    const loot = [{ address: mallory.address, amount: "1000000000000" }];
    // mallory copies the certificate from the banker's pending tx and names himself creator and holder
    const stolen = msg.create({ creator: mallory.address, certificate, name: "STAR", banker: banker.address, initialHolders: loot });
    const tx = await signTx(mallory, [stolen], { chainId, accountNumber: numbers.get(mallory.address)!, sequence: sequenceOf(mallory.address) });
    const checked = t.app.checkTx({ tx, type: CheckTxType.NEW });
    assert.deepEqual([checked.codespace, checked.code], ["qsc", 15], checked.log);
    const { results } = await t.block([tx]);
    assert.deepEqual([results[0].codespace, results[0].code, results[0].log], [
      "qsc", 15, `message 0 (/qos.qsc.v1.MsgCreateQsc): creator ${mallory.address} is not the banker ${banker.address}: only the certified banker may create the token`,
    ]);
    assert.equal(bal(mallory.address), 0n);
    // claiming to be the banker needs the banker's signature
    const posing = await run(mallory, [msg.create({ creator: banker.address, certificate, name: "STAR", banker: banker.address, initialHolders: loot })]);
    assert.deepEqual([posing.codespace, posing.code], ["sdk", 8], posing.log);
    assert.equal(t.app.query({ path: "/qos.qsc.v1.Query/Token", data: QueryTokenRequest.encode({ name: "STAR" }).finish(), height: 0n, prove: false }).code, 7);

    const res = await run(banker, [create(certificate)]);
    assert.equal(res.code, 0, res.log);
    assert.ok(res.events.some((e) => e.type === "CreateQsc" && e.attributes.some((a) => a.key === "banker" && a.value === banker.address)));
    assert.equal(bal(carol.address), 1000n);
    assert.equal(supply(), 1000n);
    // the banker replaying its own certificate (or a new one for the name) mints nothing more
    const again = await run(banker, [create(certificate, "STAR", [{ address: banker.address, amount: "5" }])]);
    assert.deepEqual([again.codespace, again.code, again.log], [
      "qsc", 16, "a token named STAR exists: the token was already created: its certificate is spent",
    ]);
    assert.equal(supply(), 1000n);
  });

  test("only the banker issues, freezes and pauses; anyone else gets qsc code 8", async () => {
    for (const m of [msg.issue(mallory.address, "STAR", "5"), msg.freeze(mallory.address, "STAR", carol.address, "1"), msg.pause(mallory.address, "STAR", true)]) {
      const res = await run(mallory, [m]);
      assert.deepEqual([res.codespace, res.code], ["qsc", 8], res.log);
    }
    // a signer claiming to be the banker without its key fails signature rules before anything else:
    // mallory signs an issue naming the banker, with her own public key (it is not the banker's: sdk 8) or
    // with the banker's public key (her signature does not verify under it: sdk 4). Nothing changes, no fee is taken.
    const before = [bal(banker.address), supply(), bal(banker.address, "uqos"), bal(mallory.address, "uqos"), sequenceOf(banker.address), sequenceOf(mallory.address)];
    for (const [claimedKey, codespace, code, log] of [
      [mallory.pubkey, "sdk", 8, /signer 0: public key does not belong to/],
      [banker.pubkey, "sdk", 4, new RegExp(`^signature verification failed; check account number \\(1\\), sequence \\(${sequenceOf(banker.address)}\\) and chain-id \\(qos-qsc-1\\)`)],
    ] as const) {
      const forged = await signAs(mallory, claimedKey, [msg.issue(banker.address, "STAR", "500")], numbers.get(banker.address)!, sequenceOf(banker.address));
      const { results } = await t.block([forged]);
      assert.deepEqual([results[0].codespace, results[0].code], [codespace, code], results[0].log);
      assert.match(results[0].log, log);
      assert.deepEqual([bal(banker.address), supply(), bal(banker.address, "uqos"), bal(mallory.address, "uqos"), sequenceOf(banker.address), sequenceOf(mallory.address)], before);
    }
    const res = await run(banker, [msg.issue(banker.address, "STAR", "500")]);
    assert.equal(res.code, 0, res.log);
    assert.equal(bal(banker.address), 500n);
    assert.equal(supply(), 1500n);
    assert.deepEqual([(await run(banker, [msg.issue(banker.address, "NOPE", "5")])).code], [7]);
    assert.equal((await run(banker, [msg.issue(banker.address, "STAR", "0")])).code, 10);
    assert.equal((await run(banker, [msg.issue(banker.address, "STAR", "1" + "0".repeat(90))])).code, 10);
  });

  test("freeze stops spending exactly the frozen part; unfreeze restores it; balances + frozen == supply", async () => {
    assert.equal((await run(banker, [msg.freeze(banker.address, "STAR", carol.address, "600")])).code, 0);
    assert.deepEqual(frozen(carol.address), { spendable: "400", frozen: "600" });
    assert.equal(bal(carol.address), 400n);
    const tooMuch = await run(carol, [msg.send(carol.address, alice.address, "401", "STAR")]);
    assert.equal(tooMuch.code, 5, tooMuch.log);
    assert.equal((await run(carol, [msg.send(carol.address, alice.address, "400", "STAR")])).code, 0);
    assert.equal(bal(alice.address), 400n);
    assert.equal((await run(banker, [msg.unfreeze(banker.address, "STAR", carol.address, "601")])).code, 10);
    assert.equal((await run(banker, [msg.unfreeze(banker.address, "STAR", carol.address, "100")])).code, 0);
    assert.deepEqual(frozen(carol.address), { spendable: "100", frozen: "500" });
    assert.equal(bal(carol.address) + 500n + bal(alice.address) + bal(banker.address), supply());
  });

  test("allowances: use within reduces it, beyond fails with no balance change; pause stops transfers and allowances", async () => {
    assert.equal((await run(alice, [msg.approveCreate(alice.address, mallory.address, "150", "STAR")])).code, 0);
    assert.equal((await run(alice, [msg.approveCreate(alice.address, mallory.address, "1", "STAR")])).code, 2, "create twice");
    const used = await run(mallory, [msg.approveUse(alice.address, mallory.address, "100", "STAR")]);
    assert.equal(used.code, 0, used.log);
    assert.ok(used.events.some((e) => e.type === "Approval" && e.attributes.some((a) => a.key === "spender" && a.value === mallory.address)));
    assert.ok(used.events.some((e) => e.type === "Transfer" && e.attributes.some((a) => a.key === "recipient" && a.value === mallory.address)));
    assert.equal(bal(mallory.address), 100n);
    const allowance = () => QueryApproveResponse.decode(t.app.query({ path: "/qos.approve.v1.Query/Approve", data: QueryApproveRequest.encode({ from: alice.address, to: mallory.address }).finish(), height: 0n, prove: false }).value).allowance!.coins;
    assert.deepEqual(allowance(), [{ denom: "STAR", amount: "50" }]);
    const before = [bal(alice.address), bal(mallory.address)];
    const beyond = await run(mallory, [msg.approveUse(alice.address, mallory.address, "51", "STAR")]);
    assert.deepEqual([beyond.codespace, beyond.code], ["approve", 4]);
    assert.deepEqual([bal(alice.address), bal(mallory.address)], before);

    assert.equal((await run(banker, [msg.pause(banker.address, "STAR", true)])).code, 0);
    const send = await run(alice, [msg.send(alice.address, carol.address, "1", "STAR")]);
    assert.deepEqual([send.codespace, send.code], ["qsc", 9]);
    const pull = await run(mallory, [msg.approveUse(alice.address, mallory.address, "10", "STAR")]);
    assert.deepEqual([pull.codespace, pull.code], ["qsc", 9]);
    assert.deepEqual(allowance(), [{ denom: "STAR", amount: "50" }], "a refused use does not consume the allowance");
    // uqos is not affected by a QSC pause
    assert.equal((await run(alice, [msg.send(alice.address, carol.address, "1", "uqos")])).code, 0);
    assert.equal((await run(banker, [msg.pause(banker.address, "STAR", false)])).code, 0);
    assert.equal((await run(mallory, [msg.approveUse(alice.address, mallory.address, "10", "STAR", carol.address)])).code, 0);
    assert.equal(bal(carol.address), 110n);
    assert.equal((await run(alice, [msg.approveCancel(alice.address, mallory.address)])).code, 0);
    assert.equal((await run(mallory, [msg.approveUse(alice.address, mallory.address, "1", "STAR")])).code, 3);
  });

  test("bad input is refused in CheckTx with clear codes", async () => {
    const seq = sequenceOf(banker.address);
    const cases: Array<[EncodeObject, number, RegExp]> = [
      [msg.issue(banker.address, "STAR", "-5"), 10, /non-negative integer/],
      [msg.freeze(banker.address, "STAR", "qosacc1bad", "5"), 7, /bech32/],
      [msg.approveCreate(banker.address, banker.address, "5", "STAR"), 5, /same account/],
    ];
    for (const [m, code, log] of cases) {
      const tx = await signTx(banker, [m], { chainId, accountNumber: numbers.get(banker.address)!, sequence: seq });
      const res = t.app.checkTx({ tx, type: CheckTxType.NEW });
      assert.equal(res.code, code, res.log);
      assert.match(res.log, log);
    }
  });
});
