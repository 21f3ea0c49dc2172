// The files of the CA tool (`qoscli ca`) and the certificate handling every command shares: a root key
// file and certificate files, JSON with base64 bytes. An operator's own CA can produce the same files: a
// Certificate (proto/qos/ca/v1/cert.proto) whose signature is ed25519 over "qos-ca-v1:" || request bytes.
// `qoscli ca issue-*` writes them (issueCertificateFile); `tx qsc create` and `tx qcp init` read them
// (readCertificate). The chain checks certificates itself (app/certificate.ts checkCertificate).
import type { Command } from "commander";
import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { addressFromPubKey, toAccAddress } from "../app/address.js";
import { issueCertificate, type CaKeyPair } from "../app/certificate.js";
import { Certificate, CertificateRequest } from "../gen/qos/ca/v1/cert.js";
import type { CliContext } from "./context.js";
import { CliError } from "./errors.js";

export const RootKeyFileSchema = z.object({
  type: z.literal("qos-ca-root-ed25519"),
  public_key: z.string(),
  private_key: z.string(),
});

export const CertificateFileSchema = z.object({
  type: z.literal("qos-ca-certificate"),
  /** base64 of the encoded qos.ca.v1.Certificate: what goes into a transaction */
  certificate: z.string(),
  /** a readable copy of what the certificate says (informational; the bytes are authoritative) */
  subject: z.unknown().optional(),
});

export interface CertificateFile {
  bytes: Uint8Array;
  subject: CertificateRequest;
  /** the banker's qosacc address for a QSC certificate */
  bankerAddress?: string;
}

export function decodeCertificate(bytes: Uint8Array): CertificateFile {
  const certificate = Certificate.decode(bytes);
  const subject = CertificateRequest.decode(certificate.request);
  const bankerAddress = subject.qsc?.bankerPublicKey.length === 33 ? toAccAddress(addressFromPubKey(subject.qsc.bankerPublicKey)) : undefined;
  return { bytes, subject, bankerAddress };
}

export function readCertificateFile(path: string): CertificateFile {
  let parsed;
  try {
    parsed = CertificateFileSchema.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (e) {
    throw new CliError(`${path} is not a certificate file from \`qoscli ca\`: ${(e as Error).message}`);
  }
  return decodeCertificate(Buffer.from(parsed.certificate, "base64"));
}

/** A certificate file of one kind (`--certificate <file>` of `tx qsc create` / `tx qcp init`). */
export function readCertificate<K extends "qsc" | "qcp">(path: string, kind: K): CertificateFile & { subject: { [P in K]: NonNullable<CertificateRequest[P]> } } {
  const cert = readCertificateFile(path);
  if (!cert.subject[kind]) throw new CliError(`${path} is not a ${kind.toUpperCase()} certificate`);
  return cert as CertificateFile & { subject: { [P in K]: NonNullable<CertificateRequest[P]> } };
}

/** The root key pair in a file from `qoscli ca new-root`. */
export function readRootKeyFile(path: string): CaKeyPair {
  try {
    const root = RootKeyFileSchema.parse(JSON.parse(readFileSync(path, "utf8")));
    return { publicKey: Buffer.from(root.public_key, "base64"), privateKey: Buffer.from(root.private_key, "base64") };
  } catch (e) {
    throw new CliError(`${path} is not a root key file from \`qoscli ca new-root\`: ${(e as Error).message}`);
  }
}

export function writeJsonFile(path: string, content: unknown, mode?: number): void {
  writeFileSync(path, JSON.stringify(content, null, 2) + "\n", mode ? { mode } : undefined);
}

/** Unix seconds or an ISO time (CLI input, not chain state: Date.parse is fine here). */
export function parseTime(text: string, flag: string): bigint {
  if (/^[0-9]+$/.test(text)) return BigInt(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new CliError(`${flag} ${JSON.stringify(text)}: give unix seconds or an ISO time like 2027-01-01T00:00:00Z`);
  return BigInt(ms) / 1000n;
}

export interface IssueFlags {
  root: string;
  out: string;
  notBefore?: string;
  notAfter?: string;
}

/** The flags every `ca issue-*` command has besides its subject: --root, --out and the validity. */
export function addIssueFlags(cmd: Command, subject: (cmd: Command) => Command): Command {
  return subject(cmd.requiredOption("--root <file>", "root key file from `qoscli ca new-root`"))
    .requiredOption("--out <file>", "certificate file to write")
    .option("--not-before <time>", "start of validity (unix seconds or ISO time; default now)")
    .option("--not-after <time>", "end of validity (default one year after --not-before)");
}

/** A compressed secp256k1 public key given as a local key name or in base64 (`--banker`, `--relayer`). */
export function publicKeyArg(ctx: CliContext, text: string, flag: string, listKnownKeys: boolean): Uint8Array {
  const key = ctx.keyring.has(text) ? Buffer.from(ctx.keyring.get(text).pubkey, "base64") : Buffer.from(text, "base64");
  if (key.length !== 33) {
    throw new CliError(`${flag} ${text}: neither a key name nor a base64 33-byte public key${listKnownKeys ? ` (known keys: ${ctx.keyring.names().join(", ") || "none"})` : ""}`);
  }
  return key;
}

/**
 * Signs a certificate for `subject` on the chain of --chain-id with the root key of --root, valid from
 * --not-before (default now) to --not-after (default a year later), and writes it to --out. Returns the
 * subject as written into the file (chain_id, the subject's fields, not_before, not_after).
 */
export function issueCertificateFile(
  ctx: CliContext,
  flags: IssueFlags,
  subject: (chainId: string) => { request: Omit<CertificateRequest, "notBefore" | "notAfter">; readable: (bytes: Uint8Array) => Record<string, string> },
): { chainId: string; bytes: Uint8Array; subject: Record<string, string> } {
  const chainId = ctx.opts.chainId;
  if (!chainId) throw new CliError("give the chain the certificate is for with --chain-id");
  const root = readRootKeyFile(flags.root);
  const { request, readable } = subject(chainId);
  const notBefore = flags.notBefore ? parseTime(flags.notBefore, "--not-before") : BigInt(Math.trunc(Date.now() / 1000));
  const notAfter = flags.notAfter ? parseTime(flags.notAfter, "--not-after") : notBefore + 365n * 86400n;
  if (notAfter <= notBefore) throw new CliError("--not-after must be after --not-before");
  const bytes = issueCertificate(root, { ...request, notBefore, notAfter });
  const written = { chain_id: chainId, ...readable(bytes), not_before: notBefore.toString(), not_after: notAfter.toString() };
  writeJsonFile(flags.out, { type: "qos-ca-certificate", certificate: Buffer.from(bytes).toString("base64"), subject: written });
  return { chainId, bytes, subject: written };
}
