// SIGN_MODE_LEGACY_AMINO_JSON (D13): the node's sign document byte for byte (a hand-written SDK StdSignDoc and
// @cosmjs/amino's serializer), then txs signed by @cosmjs/amino's Secp256k1HdWallet through an offline
// SigningStargateClient (Keplr's and Ledger's path) run in the app: accepted with the right document, refused
// with codes when the signature, chain id, account number or sequence is not the tx's, when a signature of one
// mode is presented as the other, or when the body carries what amino JSON does not sign.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Secp256k1HdWallet, makeSignDoc, serializeSignDoc, type StdFee } from "@cosmjs/amino";
import { AminoTypes, SigningStargateClient, createDefaultAminoConverters } from "@cosmjs/stargate";
import { fromBase64 } from "@cosmjs/encoding";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { MsgDelegate } from "cosmjs-types/cosmos/staking/v1beta1/tx";
import { MsgVote } from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { MsgVote as MsgVoteV1 } from "cosmjs-types/cosmos/gov/v1/tx";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { aminoJson, aminoSignDoc, goJsonString } from "../../app/tx/amino.js";
import { AppError } from "../../app/errors.js";
import { toAccAddress } from "../../app/address.js";
import { qosAminoConverters } from "../../client/amino.js";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";
import { TypeUrl } from "../../gen/names.js";
import { createTestApp, type TestApp } from "../helpers/app.js";
import { hdPath, registry, testAccount } from "../helpers/wallet.js";

const chainId = "qos-amino-1";
const mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const fee: StdFee = { amount: [{ denom: "uqos", amount: "5000" }], gas: "200000" };
const aminoTypes = new AminoTypes({ ...createDefaultAminoConverters(), ...qosAminoConverters() });

describe("amino JSON sign documents", () => {
  const from = "qosacc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqjalh4r";
  const to = toAccAddress(new Uint8Array(20).fill(1));

  test("MsgSend: the SDK's StdSignDoc, keys sorted, no whitespace, Go's HTML escapes in the memo", () => {
    const doc = aminoSignDoc({
      chainId, accountNumber: 7n, sequence: 3n, timeoutHeight: 0n, memo: "a<b>&c\u2028",
      fee: { amount: [{ denom: "uqos", amount: "5000" }], gasLimit: 200000n, payer: "", granter: "" },
      msgs: [{ aminoName: "cosmos-sdk/MsgSend", typeName: "cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom: "uqos", amount: "1" }] }) }],
    }, 1 << 20);
    assert.equal(
      new TextDecoder().decode(doc),
      `{"account_number":"7","chain_id":"qos-amino-1","fee":{"amount":[{"amount":"5000","denom":"uqos"}],"gas":"200000"},"memo":"a\\u003cb\\u003e\\u0026c\\u2028",` +
        `"msgs":[{"type":"cosmos-sdk/MsgSend","value":{"amount":[{"amount":"1","denom":"uqos"}],"from_address":"${from}","to_address":"${to}"}}],"sequence":"3"}`,
    );
  });

  test("the same bytes as @cosmjs/amino's serializeSignDoc for send, delegate, vote v1beta1/v1 and qos/MsgTransfer, with a timeout", () => {
    const msgs: EncodeObject[] = [
      { typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend, value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom: "uqos", amount: "10" }, { denom: "ustar", amount: "2" }] }) },
      { typeUrl: TypeUrl.cosmos.staking.v1beta1.MsgDelegate, value: MsgDelegate.fromPartial({ delegatorAddress: from, validatorAddress: "qosval1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqkmlzpa", amount: { denom: "uqos", amount: "5" } }) },
      { typeUrl: TypeUrl.cosmos.gov.v1beta1.MsgVote, value: MsgVote.fromPartial({ proposalId: 12n, voter: from, option: 3 }) },
      { typeUrl: TypeUrl.cosmos.gov.v1.MsgVote, value: MsgVoteV1.fromPartial({ proposalId: 1n, voter: from, option: 1, metadata: "" }) },
      { typeUrl: TypeUrl.qos.bank.v1.MsgTransfer, value: MsgTransfer.fromPartial({ senders: [{ address: from, coins: [{ denom: "uqos", amount: "3" }] }], receivers: [{ address: to, coins: [{ denom: "uqos", amount: "3" }] }] }) },
    ];
    for (const m of msgs) {
      const cosmjs = serializeSignDoc(makeSignDoc([aminoTypes.toAmino(m)], fee, chainId, "memo <&>", 9, 4, 77n));
      const ours = aminoSignDoc({
        chainId, accountNumber: 9n, sequence: 4n, timeoutHeight: 77n, memo: "memo <&>",
        fee: { amount: fee.amount, gasLimit: 200000n, payer: "", granter: "" },
        msgs: [{ aminoName: aminoTypes.toAmino(m).type, typeName: m.typeUrl.slice(1), value: m.value }],
      }, 1 << 20);
      assert.equal(new TextDecoder().decode(ours), new TextDecoder().decode(cosmjs), m.typeUrl);
    }
  });

  test("the encoder is size-capped (code 59) and escapes like Go's encoding/json", () => {
    const big = MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: Array.from({ length: 100 }, () => ({ denom: "uqos", amount: "1" })) });
    assert.throws(() => aminoJson("cosmos.bank.v1beta1.MsgSend", big, 1000), (e: unknown) => e instanceof AppError && e.codespace === "sdk" && e.code === 59);
    assert.equal(
      aminoJson("cosmos.bank.v1beta1.MsgSend", big, 4000),
      JSON.stringify({ amount: big.amount.map((c) => ({ amount: c.amount, denom: c.denom })), from_address: from, to_address: to }),
    );
    assert.equal(goJsonString("\u0001\b\n\"\\<\u2029"), '"\\u0001\\b\\n\\"\\\\\\u003c\\u2029"');
  });
});

describe("SIGN_MODE_LEGACY_AMINO_JSON in the app", () => {
  let t: TestApp;
  let wallet: Secp256k1HdWallet;
  let me: string;
  let client: SigningStargateClient;
  const other = toAccAddress(new Uint8Array(20).fill(1));

  const query = <T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => decode(t.app.query({ path, data, height: 0n, prove: false }).value);
  const account = () => BaseAccount.decode(query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: me }).finish(), QueryAccountResponse.decode).account!.value);
  const balance = (address: string) => query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "uqos" }).finish(), QueryBalanceResponse.decode).balance!.amount;
  const signerData = (over: Partial<{ accountNumber: bigint; sequence: number; chainId: string }> = {}) => {
    const a = account();
    return { accountNumber: a.accountNumber, sequence: Number(a.sequence), chainId, ...over };
  };
  const send = (amount: string): EncodeObject => ({ typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend, value: MsgSend.fromPartial({ fromAddress: me, toAddress: other, amount: [{ denom: "uqos", amount }] }) });
  async function run(tx: Uint8Array) {
    const res = await t.block([tx]);
    return res.results[0];
  }

  before(async () => {
    wallet = await Secp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "qosacc", hdPaths: [hdPath] });
    [{ address: me }] = await wallet.getAccounts();
    const filler = await testAccount("amino-filler");
    t = await createTestApp({
      auth: { accounts: [{ address: me }, { address: filler.address }] },
      bank: { balances: [{ address: me, coins: [{ denom: "uqos", amount: "1000000000" }] }, { address: filler.address, coins: [{ denom: "uqos", amount: "1" }] }] },
    }, { chainId });
    client = await SigningStargateClient.offline(wallet, { registry, aminoTypes });
    await t.block([]);
  });
  after(() => t.destroy());

  test("a send signed by Secp256k1HdWallet (amino JSON) moves the coins; the signer mode is LEGACY_AMINO_JSON", async () => {
    const tx = await client.sign(me, [send("1234")], fee, "amino <send>", signerData());
    const authInfo = AuthInfo.decode(tx.authInfoBytes);
    assert.equal(authInfo.signerInfos[0].modeInfo!.single!.mode, SignMode.SIGN_MODE_LEGACY_AMINO_JSON);
    const r = await run(TxRaw.encode(tx).finish());
    assert.equal(r.code, 0, r.log);
    assert.equal(balance(other), "1234");
    assert.equal(balance(me), String(1_000_000_000 - 1234 - 5000));
  });

  test("qos/MsgTransfer signed in amino JSON with the client's converters is accepted", async () => {
    const msg = { typeUrl: TypeUrl.qos.bank.v1.MsgTransfer, value: MsgTransfer.fromPartial({ senders: [{ address: me, coins: [{ denom: "uqos", amount: "6" }] }], receivers: [{ address: other, coins: [{ denom: "uqos", amount: "6" }] }] }) };
    const r = await run(TxRaw.encode(await client.sign(me, [msg], fee, "", signerData())).finish());
    assert.equal(r.code, 0, r.log);
    assert.equal(balance(other), "1240");
  });

  test("refused: a tampered signature, another chain id or account number (sdk 4), a signed sequence that is not the tx's", async () => {
    const good = await client.sign(me, [send("1")], fee, "", signerData());
    const tampered = TxRaw.fromPartial({ ...good, signatures: [Uint8Array.from(good.signatures[0], (b, i) => (i === 10 ? b ^ 1 : b))] });
    const cases: Array<[string, TxRaw, number]> = [
      ["tampered signature", tampered, 4],
      ["another chain id", await client.sign(me, [send("1")], fee, "", signerData({ chainId: "qos-other" })), 4],
      ["another account number", await client.sign(me, [send("1")], fee, "", signerData({ accountNumber: 99n })), 4],
      // CosmJS writes the signed sequence into the tx: the ante finds it is not the account's
      ["a sequence ahead", await client.sign(me, [send("1")], fee, "", signerData({ sequence: signerData().sequence + 1 })), 32],
    ];
    for (const [name, tx, code] of cases) {
      const before = account().sequence;
      const r = await run(TxRaw.encode(tx).finish());
      assert.deepEqual([r.codespace, r.code], ["sdk", code], `${name}: ${r.log}`);
      assert.equal(account().sequence, before, `${name}: nothing consumed`);
    }
    // the document signed for sequence n+1 put into a tx that says n: the signature is not over this tx
    const { sequence } = signerData();
    const ahead = await client.sign(me, [send("1")], fee, "", signerData({ sequence: sequence + 1 }));
    const info = AuthInfo.decode(ahead.authInfoBytes);
    info.signerInfos[0].sequence = BigInt(sequence);
    const r = await run(TxRaw.encode({ ...ahead, authInfoBytes: AuthInfo.encode(info).finish() }).finish());
    assert.deepEqual([r.codespace, r.code], ["sdk", 4], r.log);
  });

  test("mixed sign modes: a DIRECT signature labelled amino and an amino signature labelled DIRECT are refused (sdk 4)", async () => {
    const relabel = (tx: TxRaw, mode: SignMode) => {
      const info = AuthInfo.decode(tx.authInfoBytes);
      info.signerInfos[0].modeInfo = { single: { mode } };
      return TxRaw.encode({ ...tx, authInfoBytes: AuthInfo.encode(info).finish() }).finish();
    };
    const amino = await client.sign(me, [send("1")], fee, "", signerData());
    const r1 = await run(relabel(amino, SignMode.SIGN_MODE_DIRECT));
    assert.deepEqual([r1.codespace, r1.code], ["sdk", 4], r1.log);
    // a DIRECT signature over the same body and auth info, then labelled amino
    const { accountNumber } = signerData();
    const info = AuthInfo.decode(amino.authInfoBytes);
    info.signerInfos[0].modeInfo = { single: { mode: SignMode.SIGN_MODE_DIRECT } };
    const direct = TxRaw.decode(await signDirect(amino.bodyBytes, AuthInfo.encode(info).finish(), Number(accountNumber)));
    const r2 = await run(relabel(direct, SignMode.SIGN_MODE_LEGACY_AMINO_JSON));
    assert.deepEqual([r2.codespace, r2.code], ["sdk", 4], r2.log);
  });

  test("refused: a body with content amino JSON does not sign (non-critical extension options: sdk 61)", async () => {
    const tx = await client.sign(me, [send("1")], fee, "", signerData());
    const body = TxBody.decode(tx.bodyBytes);
    body.nonCriticalExtensionOptions = [{ typeUrl: "/x.Y", value: new Uint8Array([1]) }];
    const r = await run(TxRaw.encode({ ...tx, bodyBytes: TxBody.encode(body).finish() }).finish());
    assert.deepEqual([r.codespace, r.code], ["sdk", 61], r.log);
  });

  /** a DIRECT signature by the same key over these bytes */
  async function signDirect(bodyBytes: Uint8Array, authInfoBytes: Uint8Array, accountNumber: number): Promise<Uint8Array> {
    const { DirectSecp256k1HdWallet, makeSignDoc: makeDirect } = await import("@cosmjs/proto-signing");
    const direct = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "qosacc", hdPaths: [hdPath] });
    const { signature } = await direct.signDirect(me, makeDirect(bodyBytes, authInfoBytes, chainId, accountNumber));
    return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish();
  }
});
