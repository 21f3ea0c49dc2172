// The keyring: one JSON file per key under <home>/keyring-<backend>/<name>.json.
//
//   backend "file" (default): the secret (mnemonic if any + private key) is encrypted with a passphrase:
//     scrypt(passphrase, 16-byte salt, N=2^15 r=8 p=1) → 32-byte key, aes-256-gcm (12-byte iv, 16-byte tag),
//     the key's address as additional authenticated data. Name, address and public key stay in clear
//     so `keys list/show` and `--from <name>` lookups need no passphrase.
//   backend "test": the secret is stored in clear (like the Cosmos SDK's test keyring), for scripts and
//     tests only.
//
// Export (`keys export`) writes an armored block whose body is the private key encrypted the same way
// with an export passphrase; `keys import` reads it back.
import { Bip39, EnglishMnemonic, Random, Secp256k1, Slip10, Slip10Curve, pathToString, stringToPath } from "@cosmjs/crypto";
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addressFromPubKey, toAccAddress } from "../app/address.js";
import { CliError } from "./errors.js";

export const DefaultHdPath = "m/44'/389'/0'/0/0";
export type KeyringBackend = "file" | "test";
export const MinPassphraseLength = 8;

export interface KeyInfo {
  name: string;
  type: "local";
  address: string;
  /** compressed secp256k1 public key, base64 */
  pubkey: string;
  /** HD path the key was derived on; "" for an imported raw private key */
  hd_path: string;
}

export interface KeySecret {
  privateKey: Uint8Array;
  mnemonic?: string;
}

interface Encrypted {
  kdf: "scrypt";
  kdfparams: { n: number; r: number; p: number; salt: string };
  cipher: "aes-256-gcm";
  iv: string;
  tag: string;
  ciphertext: string;
}

interface KeyFile extends KeyInfo {
  version: 1;
  /** file backend */
  crypto?: Encrypted;
  /** test backend (clear text) */
  secret?: { mnemonic?: string; private_key: string };
}

/** Asks for passphrases when the file backend needs one. */
export interface PassphraseSource {
  /** a passphrase to encrypt a new key with (ask twice on a TTY) */
  newPassphrase(purpose: string): Promise<string>;
  /** the passphrase of an existing key */
  passphrase(purpose: string): Promise<string>;
}

export interface KeyringOptions {
  /** scrypt cost (power of two); lower it only in tests */
  scryptN?: number;
}

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

export class Keyring {
  readonly dir: string;
  private readonly scryptN: number;

  constructor(
    readonly home: string,
    readonly backend: KeyringBackend,
    private readonly passphrases: PassphraseSource,
    options: KeyringOptions = {},
  ) {
    if (backend !== "file" && backend !== "test") {
      throw new CliError(`unknown keyring backend ${JSON.stringify(backend)}: use "file" (encrypted) or "test" (clear text, for tests)`);
    }
    this.dir = join(home, `keyring-${backend}`);
    this.scryptN = options.scryptN ?? 1 << 15;
  }

  list(): KeyInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => publicInfo(this.readFile(f.slice(0, -5))));
  }

  names(): string[] {
    return this.list().map((k) => k.name);
  }

  has(name: string): boolean {
    return namePattern.test(name) && existsSync(this.path(name));
  }

  /** The public info of a key, or an error naming the known keys. */
  get(name: string): KeyInfo {
    if (!this.has(name)) throw this.unknownKey(name);
    return publicInfo(this.readFile(name));
  }

  findByAddress(address: string): KeyInfo | undefined {
    return this.list().find((k) => k.address === address);
  }

  unknownKey(name: string): CliError {
    const known = this.names();
    return new CliError(
      `no key named ${JSON.stringify(name)} in keyring ${this.dir}` +
        (known.length ? ` (known keys: ${known.join(", ")})` : " (it has no keys: create one with `qoscli keys add <name>`)") +
        (this.backend === "test" ? "" : "; add --keyring-backend test if the key was made with the test backend"),
    );
  }

  /** Creates a key from a mnemonic (a new 24-word one when none is given). Returns its info and mnemonic. */
  async add(name: string, mnemonic?: string, hdPath = DefaultHdPath): Promise<{ info: KeyInfo; mnemonic: string }> {
    this.checkNewName(name);
    const words = mnemonic ?? Bip39.encode(Random.getBytes(32)).toString();
    let english: EnglishMnemonic;
    try {
      english = new EnglishMnemonic(words.trim().split(/\s+/).join(" "));
    } catch (e) {
      throw new CliError(`invalid mnemonic: ${(e as Error).message}. Give the 12 or 24 English BIP39 words separated by spaces`);
    }
    const path = stringToPath(hdPath);
    const seed = await Bip39.mnemonicToSeed(english);
    const { privkey } = Slip10.derivePath(Slip10Curve.Secp256k1, seed, path);
    const info = await this.store(name, { privateKey: privkey, mnemonic: english.toString() }, pathToString(path));
    return { info, mnemonic: english.toString() };
  }

  /** Stores a raw secp256k1 private key under a new name. */
  async importPrivateKey(name: string, privateKey: Uint8Array): Promise<KeyInfo> {
    this.checkNewName(name);
    return this.store(name, { privateKey }, "");
  }

  /** The secret of a key (asks for its passphrase with the file backend). */
  async secret(name: string): Promise<KeySecret> {
    const file = this.readFile(name);
    if (file.secret) {
      return { privateKey: fromHex(file.secret.private_key), mnemonic: file.secret.mnemonic };
    }
    if (!file.crypto) throw new CliError(`key file ${this.path(name)} holds no secret`);
    const passphrase = await this.passphrases.passphrase(`Enter the passphrase of key ${name}: `);
    let plain: Buffer;
    try {
      plain = decrypt(file.crypto, passphrase, file.address);
    } catch {
      throw new CliError(`wrong passphrase for key ${name}: decryption failed (nothing was changed)`);
    }
    const parsed = JSON.parse(plain.toString("utf8")) as { mnemonic?: string; private_key: string };
    return { privateKey: fromHex(parsed.private_key), mnemonic: parsed.mnemonic };
  }

  delete(name: string): KeyInfo {
    const info = this.get(name);
    rmSync(this.path(name));
    return info;
  }

  /** The armored, passphrase-encrypted private key (the export passphrase is asked for after the key's). */
  async exportArmored(name: string): Promise<string> {
    const { privateKey } = await this.secret(name);
    const passphrase = await this.passphrases.newPassphrase(`Enter a passphrase to encrypt the exported key ${name}: `);
    checkPassphrase(passphrase);
    return armor(privateKey, passphrase, this.scryptN);
  }

  /** Imports an armored key (see exportArmored); asks for its export passphrase, then the new key's. */
  async importArmored(name: string, armored: string): Promise<KeyInfo> {
    this.checkNewName(name);
    const passphrase = await this.passphrases.passphrase(`Enter the passphrase the key was exported with: `);
    return this.importPrivateKey(name, unarmor(armored, passphrase));
  }

  private async store(name: string, secret: KeySecret, hdPath: string): Promise<KeyInfo> {
    const { pubkey } = await Secp256k1.makeKeypair(secret.privateKey);
    const compressed = Secp256k1.compressPubkey(pubkey);
    const info: KeyInfo = {
      name,
      type: "local",
      address: toAccAddress(addressFromPubKey(compressed)),
      pubkey: Buffer.from(compressed).toString("base64"),
      hd_path: hdPath,
    };
    const existing = this.findByAddress(info.address);
    if (existing) throw new CliError(`this key is already in the keyring as ${JSON.stringify(existing.name)} (${info.address})`);
    const payload = { ...(secret.mnemonic ? { mnemonic: secret.mnemonic } : {}), private_key: toHex(secret.privateKey) };
    const file: KeyFile = { version: 1, ...info };
    if (this.backend === "test") {
      file.secret = payload;
    } else {
      const passphrase = await this.passphrases.newPassphrase(`Enter a passphrase to encrypt key ${name}: `);
      checkPassphrase(passphrase);
      file.crypto = encrypt(Buffer.from(JSON.stringify(payload), "utf8"), passphrase, info.address, this.scryptN);
    }
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(this.path(name), JSON.stringify(file, null, 2) + "\n", { mode: 0o600, flag: "wx" });
    chmodSync(this.path(name), 0o600);
    return info;
  }

  private checkNewName(name: string): void {
    if (!namePattern.test(name)) {
      throw new CliError(`invalid key name ${JSON.stringify(name)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
    }
    if (existsSync(this.path(name))) throw new CliError(`a key named ${JSON.stringify(name)} already exists in ${this.dir}; delete it first or pick another name`);
  }

  private path(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  private readFile(name: string): KeyFile {
    if (!this.has(name)) throw this.unknownKey(name);
    return JSON.parse(readFileSync(this.path(name), "utf8")) as KeyFile;
  }
}

function publicInfo(file: KeyFile): KeyInfo {
  return { name: file.name, type: file.type, address: file.address, pubkey: file.pubkey, hd_path: file.hd_path };
}

function checkPassphrase(passphrase: string): void {
  if (passphrase.length < MinPassphraseLength) {
    throw new CliError(`the passphrase must have at least ${MinPassphraseLength} characters`);
  }
}

function deriveKey(passphrase: string, salt: Buffer, n: number, r: number, p: number): Buffer {
  return scryptSync(passphrase.normalize("NFKD"), salt, 32, { N: n, r, p, maxmem: 256 * n * r + (1 << 20) });
}

export function encrypt(plain: Buffer, passphrase: string, aad: string, n = 1 << 15): Encrypted {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = deriveKey(passphrase, salt, n, 8, 1);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return {
    kdf: "scrypt",
    kdfparams: { n, r: 8, p: 1, salt: salt.toString("hex") },
    cipher: "aes-256-gcm",
    iv: iv.toString("hex"),
    tag: cipher.getAuthTag().toString("hex"),
    ciphertext: ciphertext.toString("hex"),
  };
}

export function decrypt(enc: Encrypted, passphrase: string, aad: string): Buffer {
  if (enc.kdf !== "scrypt" || enc.cipher !== "aes-256-gcm") throw new Error(`unsupported encryption ${enc.kdf}/${enc.cipher}`);
  const { n, r, p, salt } = enc.kdfparams;
  const key = deriveKey(passphrase, Buffer.from(salt, "hex"), n, r, p);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(enc.iv, "hex"));
  decipher.setAAD(Buffer.from(aad, "utf8"));
  decipher.setAuthTag(Buffer.from(enc.tag, "hex"));
  return Buffer.concat([decipher.update(Buffer.from(enc.ciphertext, "hex")), decipher.final()]);
}

const ArmorBegin = "-----BEGIN QOS PRIVATE KEY-----";
const ArmorEnd = "-----END QOS PRIVATE KEY-----";

/** ASCII armor: headers with the scrypt parameters, then base64(iv || tag || ciphertext). */
export function armor(privateKey: Uint8Array, passphrase: string, n = 1 << 15): string {
  const enc = encrypt(Buffer.from(privateKey), passphrase, "qos-private-key", n);
  const body = Buffer.concat([Buffer.from(enc.iv, "hex"), Buffer.from(enc.tag, "hex"), Buffer.from(enc.ciphertext, "hex")]).toString("base64");
  return [
    ArmorBegin,
    "type: secp256k1",
    `kdf: scrypt n=${n} r=8 p=1`,
    `salt: ${enc.kdfparams.salt}`,
    "cipher: aes-256-gcm",
    "",
    ...(body.match(/.{1,64}/g) ?? []),
    ArmorEnd,
    "",
  ].join("\n");
}

export function unarmor(text: string, passphrase: string): Uint8Array {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const begin = lines.indexOf(ArmorBegin);
  const end = lines.indexOf(ArmorEnd);
  if (begin < 0 || end < begin) throw new CliError(`not an exported QOS key: expected a block between "${ArmorBegin}" and "${ArmorEnd}"`);
  const inner = lines.slice(begin + 1, end);
  const headers = new Map<string, string>();
  let i = 0;
  for (; i < inner.length && inner[i] !== ""; i++) {
    const m = /^([a-z-]+):\s*(.*)$/.exec(inner[i]);
    if (m) headers.set(m[1], m[2]);
  }
  const kdf = /^scrypt n=(\d+) r=(\d+) p=(\d+)$/.exec(headers.get("kdf") ?? "");
  const salt = headers.get("salt");
  if (headers.get("type") !== "secp256k1" || !kdf || !salt || headers.get("cipher") !== "aes-256-gcm") {
    throw new CliError("unsupported exported key: expected type secp256k1, kdf scrypt, cipher aes-256-gcm");
  }
  const body = Buffer.from(inner.slice(i + 1).join(""), "base64");
  const enc: Encrypted = {
    kdf: "scrypt",
    kdfparams: { n: Number(kdf[1]), r: Number(kdf[2]), p: Number(kdf[3]), salt },
    cipher: "aes-256-gcm",
    iv: body.subarray(0, 12).toString("hex"),
    tag: body.subarray(12, 28).toString("hex"),
    ciphertext: body.subarray(28).toString("hex"),
  };
  let plain: Buffer;
  try {
    plain = decrypt(enc, passphrase, "qos-private-key");
  } catch {
    throw new CliError("wrong passphrase for the exported key: decryption failed");
  }
  if (plain.length !== 32) throw new CliError(`the exported key has ${plain.length} bytes, expected 32`);
  return new Uint8Array(plain);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}
