// qoscli end to end: the compiled CLI as a child process against a real node (qosd + CometBFT), with a
// temporary --home and the test keyring backend.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toBech32, fromBech32 } from "@cosmjs/encoding";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { freePort, TestNode } from "../helpers/node.js";
import { mnemonicWallet } from "../helpers/wallet.js";

const qoscliBin = join(repoRoot, "dist/cmd/qoscli/main.js");
const mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const initial = 1_000_000_000_000n;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe("qoscli against a real node", () => {
  let node: TestNode;
  let home: string;
  let funded: string;

  const run = (args: string[], input?: string): Run => {
    const r = spawnSync(process.execPath, [qoscliBin, ...args, "--home", home, "--keyring-backend", "test", "--node", node.rpcUrl], {
      input: input ?? "",
      encoding: "utf8",
      timeout: 120_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (args: string[], input?: string): string => {
    const r = run(args, input);
    assert.equal(r.status, 0, `qoscli ${args.join(" ")} failed:\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };
  const json = <T = any>(args: string[], input?: string): T => JSON.parse(ok([...args, "--output", "json"], input)) as T;
  const fails = (args: string[], pattern: RegExp, input?: string): Run => {
    const r = run(args, input);
    assert.notEqual(r.status, 0, `expected qoscli ${args.join(" ")} to fail, got:\n${r.stdout}`);
    assert.match(r.stderr, pattern);
    return r;
  };
  const balance = (who: string, denom = "uqos"): bigint => {
    const b = json<{ denom: string; amount: string }>(["query", "balance", who, denom]);
    assert.equal(b.denom, denom);
    return BigInt(b.amount);
  };
  const feeOf = (hash: string): bigint => {
    const tx = json(["query", "tx", hash]);
    const fee = tx.tx.auth_info.fee.amount as { denom: string; amount: string }[];
    return fee.filter((c) => c.denom === "uqos").reduce((s, c) => s + BigInt(c.amount), 0n);
  };

  before(async () => {
    home = mkdtempSync(join(tmpdir(), "qoscli-e2e-"));
    [{ address: funded }] = await (await mnemonicWallet(mnemonic)).getAccounts();
    node = await TestNode.create({ accounts: [{ address: funded, coins: `${initial}uqos,5000ustar` }] });
    await node.start();
  });

  after(async () => {
    await node?.destroy();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test("keys: add prints a 24-word mnemonic once; --recover gives the CosmJS address; list and show", () => {
    const alice = json(["keys", "add", "alice"]);
    assert.match(alice.address, /^qosacc1[02-9ac-hj-np-z]{38}$/);
    assert.equal(alice.mnemonic.split(" ").length, 24);
    assert.equal(alice.hd_path, "m/44'/389'/0'/0/0");
    const rich = json(["keys", "add", "rich", "--recover"], mnemonic + "\n");
    assert.equal(rich.address, funded);
    assert.equal(rich.mnemonic, undefined, "a recovered key's mnemonic is not printed back");
    json(["keys", "add", "bob"]);
    const list = json<{ name: string; address: string }[]>(["keys", "list"]);
    assert.deepEqual(list.map((k) => k.name), ["alice", "bob", "rich"]);
    assert.equal(ok(["keys", "show", "rich", "-a"]).trim(), funded);
    const shown = json(["keys", "show", "alice"]);
    assert.equal(shown.address, alice.address);
    assert.equal(shown.mnemonic, undefined);
    // recovering the same mnemonic again is refused, as is a bad mnemonic
    fails(["keys", "add", "rich2", "--recover"], /already in the keyring as "rich"/, mnemonic + "\n");
    const bad = run(["keys", "add", "x", "--recover"], "abandon abandon nope\n");
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /invalid mnemonic/);
  });

  test("tx bank send --gas auto --broadcast-mode block: JSON result, exact balances", () => {
    const alice = json(["keys", "show", "alice"]).address as string;
    const res = json(["tx", "bank", "send", "rich", alice, "1000000uqos", "--gas", "auto", "--broadcast-mode", "block", "--memo", "hello"]);
    assert.equal(res.code, 0, res.raw_log);
    assert.match(res.txhash, /^[0-9A-F]{64}$/);
    assert.ok(Number(res.height) > 0);
    assert.ok(BigInt(res.gas_used) > 0n && BigInt(res.gas_used) <= BigInt(res.gas_wanted));
    assert.deepEqual(json(["query", "balance", "alice", "uqos"]), { denom: "uqos", amount: "1000000" });
    const fee = feeOf(res.txhash);
    assert.equal(fee, (BigInt(res.gas_wanted) * 25n + 999n) / 1000n, "default --gas-prices 0.025uqos");
    assert.equal(balance(funded), initial - 1_000_000n - fee);
    const account = json(["query", "account", "rich"]);
    assert.equal(account.address, funded);
    assert.equal(account.sequence, "1");
    assert.ok(account.pub_key.key);
  });

  test("tx transfer with two senders, each signing", () => {
    const alice = json(["keys", "show", "alice"]).address as string;
    const bob = json(["keys", "show", "bob"]).address as string;
    const third = toBech32("qosacc", new Uint8Array(20).fill(9));
    const [richBefore, aliceBefore] = [balance(funded), balance(alice)];
    const res = json([
      "tx", "transfer", "--senders", `rich,300uqos,7ustar;alice,200uqos`, "--receivers", `${bob},450uqos;${third},50uqos,7ustar`,
      "--gas", "auto", "--broadcast-mode", "block",
    ]);
    assert.equal(res.code, 0, res.raw_log);
    const fee = feeOf(res.txhash);
    assert.equal(balance(funded), richBefore - 300n - fee, "the first sender pays the fee");
    assert.equal(balance(alice), aliceBefore - 200n);
    assert.equal(balance(bob), 450n);
    assert.deepEqual(json(["query", "balances", third]).balances, [{ denom: "uqos", amount: "50" }, { denom: "ustar", amount: "7" }]);
    const tx = json(["query", "tx", res.txhash]);
    assert.equal(tx.tx.body.messages[0]["@type"], "/qos.bank.v1.MsgTransfer");
    assert.equal(tx.tx.auth_info.signer_infos.length, 2);
  });

  test("a two-sender transfer generated unsigned, then signed by each key in turn", () => {
    const alice = json(["keys", "show", "alice"]).address as string;
    const dest = toBech32("qosacc", new Uint8Array(20).fill(0x42));
    const unsigned = json(["tx", "transfer", "--senders", `${funded},10uqos;${alice},20uqos`, "--receivers", `${dest},30uqos`, "--generate-only", "--gas", "auto"]);
    assert.equal(unsigned.signers.length, 2);
    assert.ok(unsigned.signers.every((s: { pubkey: string | null }) => s.pubkey), "pubkeys come from the keyring");
    const path = join(home, "transfer-unsigned.json");
    writeFileSync(path, JSON.stringify(unsigned));
    const partly = ok(["tx", "sign", path, "--from", "rich"]);
    writeFileSync(path, partly);
    fails(["tx", "broadcast", path], new RegExp(`not signed by ${alice}`));
    writeFileSync(path, ok(["tx", "sign", path, "--from", "alice"]));
    const res = json(["tx", "broadcast", path, "--broadcast-mode", "block"]);
    assert.equal(res.code, 0, res.raw_log);
    assert.equal(balance(dest), 30n);
  });

  test("offline flow: --generate-only → tx sign --offline → tx broadcast; query tx and txs find it", () => {
    const carol = toBech32("qosacc", new Uint8Array(20).fill(0xca));
    const account = json(["query", "account", "alice"]);
    const aliceBefore = balance("alice");
    const unsigned = json(["tx", "bank", "send", "alice", carol, "1234uqos", "--generate-only", "--fees", "6000uqos", "--gas", "200000"]);
    assert.equal(unsigned.qos_tx_file, 1);
    assert.deepEqual(unsigned.signatures, [""]);
    assert.equal(unsigned.readable.messages[0]["@type"], "/cosmos.bank.v1beta1.MsgSend");
    assert.equal(unsigned.readable.messages[0].toAddress, carol);
    const unsignedPath = join(home, "unsigned.json");
    writeFileSync(unsignedPath, JSON.stringify(unsigned));
    // broadcasting an unsigned file is refused before it reaches the node
    fails(["tx", "broadcast", unsignedPath], /not signed by qosacc1/);

    // offline signing works with the node address pointing nowhere
    const signed = spawnSync(
      process.execPath,
      [qoscliBin, "tx", "sign", unsignedPath, "--from", "alice", "--offline", "--chain-id", node.chainId,
        "--account-number", account.account_number, "--sequence", account.sequence,
        "--home", home, "--keyring-backend", "test", "--node", "http://127.0.0.1:9"],
      { encoding: "utf8" },
    );
    assert.equal(signed.status, 0, signed.stderr);
    const signedFile = JSON.parse(signed.stdout);
    assert.equal(Buffer.from(signedFile.signatures[0], "base64").length, 64);
    const signedPath = join(home, "signed.json");
    writeFileSync(signedPath, signed.stdout);

    const res = json(["tx", "broadcast", signedPath, "--broadcast-mode", "block"]);
    assert.equal(res.code, 0, res.raw_log);
    assert.equal(balance(carol), 1234n);
    assert.equal(balance("alice"), aliceBefore - 1234n - 6000n);

    const tx = json(["query", "tx", res.txhash]);
    assert.equal(tx.txhash, res.txhash);
    assert.equal(tx.height, res.height);
    assert.equal(tx.tx.body.messages[0].amount[0].amount, "1234");
    const found = json(["query", "txs", "--events", `transfer.recipient=${carol}`]);
    assert.equal(found.total_count, "1");
    assert.deepEqual(found.txs.map((t: { txhash: string }) => t.txhash), [res.txhash]);
    // CometBFT v0.38's indexer matches AND-ed conditions within one event, so both are transfer.* here
    const byBoth = json(["query", "txs", "--events", `transfer.recipient=${carol}`, "--events", `transfer.sender=${json(["keys", "show", "alice"]).address}`]);
    assert.equal(byBoth.total_count, "1");
    // the same signed tx again: the node knows it
    fails(["tx", "broadcast", signedPath], /already has this exact tx/);
    // another tx signed with the used sequence: refused by CheckTx, with code, codespace and log
    const stale = json(["tx", "bank", "send", "alice", carol, "1uqos", "--generate-only", "--offline", "--fees", "6001uqos"]);
    assert.deepEqual(stale.signers[0].sequence, null);
    writeFileSync(unsignedPath, JSON.stringify(stale));
    const staleSigned = ok(["tx", "sign", unsignedPath, "--from", "alice", "--offline", "--chain-id", node.chainId,
      "--account-number", account.account_number, "--sequence", account.sequence]);
    writeFileSync(signedPath, staleSigned);
    fails(["tx", "broadcast", signedPath], /refused the tx in CheckTx: code 32, codespace sdk: account sequence mismatch/);
  });

  test("status, block and supply", () => {
    const status = json(["query", "status"]);
    assert.equal(status.chain_id, node.chainId);
    const block = json(["query", "block", "1"]);
    assert.equal(block.height, "1");
    assert.equal(block.chain_id, node.chainId);
    assert.deepEqual(json(["query", "supply", "ustar"]), { denom: "ustar", amount: "5000" });
    assert.ok(json(["query", "supply"]).supply.some((c: { denom: string }) => c.denom === "uqos"));
  });

  test("bad input exits non-zero and says what was wrong", async () => {
    const cosmos = toBech32("cosmos", fromBech32(funded).data);
    fails(["query", "balance", cosmos, "uqos"], /prefix cosmos, expected qosacc/);
    fails(["tx", "bank", "send", "rich", cosmos, "1uqos"], /expected qosacc/);
    fails(["tx", "bank", "send", "nosuchkey", funded, "1uqos"], /no key named "nosuchkey".*known keys: alice, bob, rich/);
    const bob = json(["keys", "show", "bob"]).address as string;
    const r = fails(["tx", "bank", "send", "bob", funded, "1000000uqos", "--broadcast-mode", "block"], /insufficient funds: .* has 450uqos but needs/);
    assert.match(r.stderr, new RegExp(bob));
    fails(["tx", "bank", "send", "rich", bob, "1x"], /invalid denom/);
    fails(["query", "txs", "--events", "nonsense"], /expected type\.attribute=value/);
    const port = await freePort();
    const unreachable = spawnSync(process.execPath, [qoscliBin, "query", "balance", funded, "uqos", "--node", `http://127.0.0.1:${port}`, "--home", home], { encoding: "utf8" });
    assert.notEqual(unreachable.status, 0);
    assert.match(unreachable.stderr, new RegExp(`cannot reach the node at http://127\\.0\\.0\\.1:${port}`));
    // a transfer whose second sender lacks the funds: not pre-checked, the chain's log says why
    fails(["tx", "transfer", "--senders", `bob,999999uqos;rich,1uqos`, "--receivers", `${funded},1000000uqos`, "--gas", "auto"], /insufficient funds/);
  });

  test("keys export (armored, encrypted) → import; delete", () => {
    const armored = ok(["keys", "export", "bob"], "exportpass1\n");
    assert.match(armored, /^-----BEGIN QOS PRIVATE KEY-----/);
    const priv = ok(["keys", "export", "bob", "--unsafe-export-private-key"]).trim();
    assert.match(priv, /^[0-9a-f]{64}$/);
    assert.ok(!armored.includes(priv));
    const bob = json(["keys", "show", "bob"]).address;
    fails(["keys", "delete", "bob"], /add --yes/);
    json(["keys", "delete", "bob", "--yes"]);
    fails(["keys", "show", "bob"], /no key named "bob"/);
    const path = join(home, "bob.key");
    writeFileSync(path, armored);
    fails(["keys", "import", "bob2", path], /passphrase/);
    const imported = json(["keys", "import", "bob2", path], "exportpass1\n");
    assert.equal(imported.address, bob);
  });
});
