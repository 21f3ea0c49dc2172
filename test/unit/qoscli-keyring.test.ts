// The qoscli keyring: encryption at rest, passphrase errors, the test backend, armored export/import.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keyring, armor, unarmor, type PassphraseSource } from "../../client/keyring.js";
import { CliError } from "../../client/errors.js";
import { mnemonicWallet } from "../helpers/wallet.js";

const mnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
const homes: string[] = [];
const newHome = () => {
  const h = mkdtempSync(join(tmpdir(), "qoscli-keyring-"));
  homes.push(h);
  return h;
};
after(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

/** Answers every passphrase question with the next of `answers`. */
function answers(...list: string[]): PassphraseSource & { asked: number } {
  const src = {
    asked: 0,
    async passphrase() {
      src.asked++;
      const next = list.shift();
      if (next === undefined) throw new Error("no passphrase left");
      return next;
    },
    async newPassphrase() {
      return src.passphrase();
    },
  };
  return src;
}

const fast = { scryptN: 1 << 10 };

describe("qoscli keyring, file backend (encrypted)", () => {
  test("the key file holds neither the mnemonic nor the private key in clear; the right passphrase opens it", async () => {
    const home = newHome();
    const ring = new Keyring(home, "file", answers("correct horse battery", "correct horse battery"), fast);
    const { info } = await ring.add("alice", mnemonic);
    const [{ address }] = await (await mnemonicWallet(mnemonic)).getAccounts();
    assert.equal(info.address, address, "same address as CosmJS on m/44'/389'/0'/0/0");

    const files = readdirSync(join(home, "keyring-file"));
    assert.deepEqual(files, ["alice.json"]);
    const text = readFileSync(join(home, "keyring-file", "alice.json"), "utf8");
    const secret = await ring.secret("alice");
    assert.equal(secret.mnemonic, mnemonic);
    const privHex = Buffer.from(secret.privateKey).toString("hex");
    const privB64 = Buffer.from(secret.privateKey).toString("base64");
    assert.ok(!text.includes("abandon"), "no mnemonic word in the file");
    assert.ok(!text.toLowerCase().includes(privHex), "no hex private key in the file");
    assert.ok(!text.includes(privB64), "no base64 private key in the file");
    const parsed = JSON.parse(text);
    assert.equal(parsed.crypto.kdf, "scrypt");
    assert.equal(parsed.crypto.cipher, "aes-256-gcm");
    assert.equal(parsed.address, address, "the address stays readable without the passphrase");
    // public info needs no passphrase
    assert.deepEqual(new Keyring(home, "file", answers(), fast).list().map((k) => k.name), ["alice"]);
  });

  test("a wrong passphrase fails clearly and changes nothing", async () => {
    const home = newHome();
    await new Keyring(home, "file", answers("right passphrase"), fast).add("bob", mnemonic);
    const before = readFileSync(join(home, "keyring-file", "bob.json"), "utf8");
    const ring = new Keyring(home, "file", answers("wrong passphrase"), fast);
    await assert.rejects(ring.secret("bob"), (e: Error) => e instanceof CliError && /wrong passphrase for key bob/.test(e.message));
    assert.equal(readFileSync(join(home, "keyring-file", "bob.json"), "utf8"), before);
  });

  test("the ciphertext is bound to the address: editing the address in the file breaks decryption", async () => {
    const home = newHome();
    await new Keyring(home, "file", answers("right passphrase"), fast).add("carol", mnemonic);
    const path = join(home, "keyring-file", "carol.json");
    const file = JSON.parse(readFileSync(path, "utf8"));
    file.address = "qosacc1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqjalh4r";
    writeFileSync(path, JSON.stringify(file));
    await assert.rejects(new Keyring(home, "file", answers("right passphrase"), fast).secret("carol"), /decryption failed/);
  });

  test("short passphrases are refused and no file is written", async () => {
    const home = newHome();
    const ring = new Keyring(home, "file", answers("short"), fast);
    await assert.rejects(ring.add("dave"), /at least 8 characters/);
    assert.deepEqual(ring.list(), []);
  });
});

describe("qoscli keyring, test backend", () => {
  test("round trip: add (new 24 words), recover, list, get, secret without passphrase, delete", async () => {
    const home = newHome();
    const src = answers();
    const ring = new Keyring(home, "test", src, fast);
    const created = await ring.add("new");
    assert.equal(created.mnemonic.split(" ").length, 24);
    const { info } = await ring.add("old", mnemonic);
    assert.deepEqual(ring.names(), ["new", "old"]);
    assert.equal(ring.get("old").address, info.address);
    assert.equal(ring.findByAddress(info.address)?.name, "old");
    const secret = await ring.secret("old");
    assert.equal(secret.mnemonic, mnemonic);
    assert.equal(secret.privateKey.length, 32);
    assert.equal(src.asked, 0, "the test backend never asks for a passphrase");
    // the same key recovered again under another name is refused; so is a duplicate name
    await assert.rejects(ring.add("again", mnemonic), /already in the keyring as "old"/);
    await assert.rejects(ring.add("old"), /already exists/);
    await assert.rejects(ring.add("x", "not a mnemonic at all"), /invalid mnemonic/);
    ring.delete("new");
    assert.deepEqual(ring.names(), ["old"]);
    assert.throws(() => ring.get("new"), (e: Error) => /no key named "new".*known keys: old/.test(e.message));
    assert.throws(() => ring.get("../etc/passwd"), /no key named/);
  });
});

describe("qoscli armored export", () => {
  test("round trip with the passphrase; a wrong one fails; the armor has no clear key", () => {
    const key = new Uint8Array(32).map((_, i) => i + 1);
    const text = armor(key, "export passphrase", 1 << 10);
    assert.match(text, /^-----BEGIN QOS PRIVATE KEY-----\n/);
    assert.ok(!text.includes(Buffer.from(key).toString("hex")));
    assert.ok(!text.includes(Buffer.from(key).toString("base64")));
    assert.deepEqual(unarmor(text, "export passphrase"), key);
    assert.throws(() => unarmor(text, "another passphrase"), /wrong passphrase for the exported key/);
    assert.throws(() => unarmor("hello", "x"), /not an exported QOS key/);
  });

  test("export then import into another keyring gives the same address", async () => {
    const a = new Keyring(newHome(), "test", answers("export passphrase"), fast);
    const { info } = await a.add("k", mnemonic);
    const armored = await a.exportArmored("k");
    const b = new Keyring(newHome(), "file", answers("export passphrase", "new keyring passphrase"), fast);
    const imported = await b.importArmored("k2", armored);
    assert.equal(imported.address, info.address);
    assert.equal(imported.hd_path, "");
    const again = new Keyring(b.home, "file", answers("new keyring passphrase"), fast);
    assert.deepEqual((await again.secret("k2")).privateKey, (await a.secret("k")).privateKey);
  });
});
