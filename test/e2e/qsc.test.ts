// QSC tokens and allowances on a real node: a token created with a CA certificate, the whitepaper's
// events found with tx_search, CosmJS showing QSC balances, and per-denom conservation checked after
// every block (the node runs with QOS_CHECK_INVARIANTS=1: bank's Σ balances == supply, qsc's frozen
// account == Σ frozen, so balances + frozen == supply).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toBase64 } from "@cosmjs/encoding";
import { GasPrice, SigningStargateClient, calculateFee } from "@cosmjs/stargate";
import { DirectSecp256k1Wallet, type EncodeObject } from "@cosmjs/proto-signing";
import { newCaKeyPair, type CaKeyPair } from "../../app/certificate.js";
import { TestNode } from "../helpers/node.js";
import { msg, qscCertificate } from "../helpers/qsc.js";
import { registry, testAccount, type TestAccount } from "../helpers/wallet.js";
import { QueryTokenRequest, QueryTokenResponse } from "../../gen/qos/qsc/v1/query.js";

describe("QSC on a real node", () => {
  let node: TestNode;
  let ca: CaKeyPair;
  let alice: TestAccount, banker: TestAccount, carol: TestAccount;
  const clients = new Map<string, SigningStargateClient>();
  const fee = calculateFee(300000, GasPrice.fromString("0.025uqos"));

  before(async () => {
    ca = newCaKeyPair();
    [alice, banker, carol] = await Promise.all(["e-alice", "e-banker", "e-carol"].map(testAccount));
    node = await TestNode.create({ accounts: [alice, banker, carol].map((a) => ({ address: a.address, coins: "100000000uqos" })) });
    const genesisFile = join(node.home, "config/genesis.json");
    const genesis = JSON.parse(readFileSync(genesisFile, "utf8"));
    genesis.app_state.qsc.root_ca_public_key = toBase64(ca.publicKey);
    writeFileSync(genesisFile, JSON.stringify(genesis, null, 2));
    await node.start();
    for (const account of [alice, banker, carol]) {
      clients.set(account.address, await SigningStargateClient.connectWithSigner(node.rpcUrl, account.wallet as DirectSecp256k1Wallet, { registry }));
    }
  });
  after(async () => {
    for (const c of clients.values()) c.disconnect();
    await node?.destroy();
  });

  const send = (who: TestAccount, msgs: EncodeObject[]) => clients.get(who.address)!.signAndBroadcast(who.address, msgs, fee);
  const blockTime = async () => BigInt(Math.trunc(Date.parse((await node.rpc<{ block: { header: { time: string } } }>("block")).block.header.time) / 1000));

  test("create with a certificate, issue, transfer, approve, freeze: events are searchable and CosmJS sees QSC balances", async () => {
    const now = await blockTime();
    const certificate = qscCertificate(ca, { chainId: node.chainId, name: "GOLD", bankerPublicKey: banker.pubkey, notBefore: now - 60n, notAfter: now + 3600n });
    const expired = qscCertificate(ca, { chainId: node.chainId, name: "GOLD", bankerPublicKey: banker.pubkey, notBefore: now - 60n, notAfter: now - 1n });
    const refused = await send(banker, [msg.create({ creator: banker.address, certificate: expired, name: "GOLD", banker: banker.address })]);
    assert.equal(refused.code, 3, refused.rawLog);

    const created = await send(banker, [msg.create({ creator: banker.address, certificate, name: "GOLD", banker: banker.address, initialHolders: [{ address: alice.address, amount: "5000" }] })]);
    assert.equal(created.code, 0, created.rawLog);
    assert.equal((await send(banker, [msg.issue(banker.address, "GOLD", "700")])).code, 0);
    assert.equal((await send(carol, [msg.issue(carol.address, "GOLD", "700")])).code, 8, "not the banker");

    const transfer = await send(alice, [msg.send(alice.address, carol.address, "1200", "GOLD")]);
    assert.equal(transfer.code, 0, transfer.rawLog);
    const client = clients.get(carol.address)!;
    // carol paid one fee (7500uqos) for her refused issue
    assert.deepEqual(await client.getAllBalances(carol.address), [{ denom: "GOLD", amount: "1200" }, { denom: "uqos", amount: String(100000000 - 7500) }]);

    const approved = await send(alice, [msg.approveCreate(alice.address, carol.address, "300", "GOLD")]);
    assert.equal(approved.code, 0, approved.rawLog);
    const used = await send(carol, [msg.approveUse(alice.address, carol.address, "250", "GOLD")]);
    assert.equal(used.code, 0, used.rawLog);
    const beyond = await send(carol, [msg.approveUse(alice.address, carol.address, "51", "GOLD")]);
    assert.equal(beyond.code, 4);

    const froze = await send(banker, [msg.freeze(banker.address, "GOLD", carol.address, "1000")]);
    assert.equal(froze.code, 0, froze.rawLog);
    assert.deepEqual(await client.getBalance(carol.address, "GOLD"), { denom: "GOLD", amount: "450" });

    const byRecipient = await client.searchTx(`Transfer.recipient='${carol.address}'`);
    assert.deepEqual(new Set(byRecipient.map((t) => t.hash)), new Set([transfer.transactionHash, used.transactionHash]));
    const bySpender = await client.searchTx(`Approval.spender='${carol.address}'`);
    assert.deepEqual(new Set(bySpender.map((t) => t.hash)), new Set([approved.transactionHash, used.transactionHash]));
    const byFrozen = await client.searchTx(`Frozen.owner='${carol.address}'`);
    assert.deepEqual(byFrozen.map((t) => t.hash), [froze.transactionHash]);
    const byIssue = await client.searchTx(`Issue.name='GOLD'`);
    assert.equal(byIssue.length, 2);

    // pause stops the token everywhere, including allowances; unpause resumes
    assert.equal((await send(banker, [msg.pause(banker.address, "GOLD", true)])).code, 0);
    assert.equal((await send(carol, [msg.send(carol.address, alice.address, "1", "GOLD")])).code, 9);
    assert.equal((await send(carol, [msg.approveUse(alice.address, carol.address, "1", "GOLD")])).code, 9);
    assert.equal((await send(banker, [msg.pause(banker.address, "GOLD", false)])).code, 0);
    assert.equal((await send(carol, [msg.send(carol.address, alice.address, "1", "GOLD")])).code, 0);

    // conservation: spendable balances + frozen == supply
    const supply = await node.rpc<{ response: { value: string } }>("abci_query", {
      path: "/qos.qsc.v1.Query/Token",
      data: Buffer.from(QueryTokenRequest.encode({ name: "GOLD" }).finish()).toString("hex"),
    });
    const total = BigInt(QueryTokenResponse.decode(Buffer.from(supply.response.value, "base64")).totalSupply);
    let sum = 1000n; // frozen
    for (const a of [alice, banker, carol]) sum += BigInt((await client.getBalance(a.address, "GOLD")).amount);
    assert.equal(total, 5700n);
    assert.equal(sum, total);
  });
});
