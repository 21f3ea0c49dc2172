// `qoscli ca`: a small certificate authority for test networks and operators — a root ed25519 key, and
// certificates for QSC tokens (and, later, QCP relayers). The files are JSON; an external CA can make
// the same files (see modules/qsc/certificate-file.ts for the format).
import type { Command } from "commander";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { newCaKeyPair, issueCertificate } from "../../app/certificate.js";
import { decodeCertificate, RootKeyFileSchema } from "../../modules/qsc/certificate-file.js";
import { addressFromPubKey, toAccAddress } from "../../app/address.js";
import { CliContext, example } from "./context.js";
import { CliError } from "./errors.js";

function parseTime(text: string, flag: string): bigint {
  if (/^[0-9]+$/.test(text)) return BigInt(text);
  const ms = Date.parse(text); // CLI input, not chain state
  if (Number.isNaN(ms)) throw new CliError(`${flag} ${JSON.stringify(text)}: give unix seconds or an ISO time like 2027-01-01T00:00:00Z`);
  return BigInt(ms) / 1000n;
}

function readRoot(path: string) {
  try {
    const root = RootKeyFileSchema.parse(JSON.parse(readFileSync(path, "utf8")));
    return { publicKey: Buffer.from(root.public_key, "base64"), privateKey: Buffer.from(root.private_key, "base64") };
  } catch (e) {
    throw new CliError(`${path} is not a root key file from \`qoscli ca new-root\`: ${(e as Error).message}`);
  }
}

function write(path: string, content: unknown, mode?: number): void {
  writeFileSync(path, JSON.stringify(content, null, 2) + "\n", mode ? { mode } : undefined);
}

export function addCaCommands(program: Command): void {
  const ca = program.command("ca").description("a certificate authority for QSC tokens (root key, certificates)");

  example(
    ca.command("new-root").requiredOption("--out <file>", "where to write the root key (keep it secret)").option("--force", "overwrite --out", false)
      .description("create a root CA key pair; put its public key in genesis with `qosd init --qsc-root-ca <public key>`"),
    "qoscli ca new-root --out root.json",
  ).action((opts: { out: string; force: boolean }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    if (existsSync(opts.out) && !opts.force) throw new CliError(`${opts.out} exists: use --force to overwrite it`);
    const pair = newCaKeyPair();
    const publicKey = Buffer.from(pair.publicKey).toString("base64");
    write(opts.out, { type: "qos-ca-root-ed25519", public_key: publicKey, private_key: Buffer.from(pair.privateKey).toString("base64") }, 0o600);
    ctx.print({ public_key: publicKey, file: opts.out }, () => `root CA public key ${publicKey}\nprivate key written to ${opts.out} (mode 600)`);
  });

  example(
    ca.command("issue-qsc")
      .requiredOption("--root <file>", "root key file from `qoscli ca new-root`")
      .requiredOption("--name <name>", "token name (its denom): 3-16 upper-case letters and digits")
      .requiredOption("--banker <key|pubkey>", "the banker: a local key name, or its compressed secp256k1 public key in base64")
      .requiredOption("--out <file>", "certificate file to write")
      .option("--not-before <time>", "start of validity (unix seconds or ISO time; default now)")
      .option("--not-after <time>", "end of validity (default one year after --not-before)")
      .description("issue a certificate that lets a token be created on a chain (--chain-id is required)"),
    "qoscli ca issue-qsc --root root.json --chain-id qos-local-1 --name STAR --banker banker --out STAR.crt",
  ).action((opts: { root: string; name: string; banker: string; out: string; notBefore?: string; notAfter?: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const chainId = ctx.opts.chainId;
    if (!chainId) throw new CliError("give the chain the certificate is for with --chain-id");
    const root = readRoot(opts.root);
    const bankerPublicKey = ctx.keyring.has(opts.banker) ? Buffer.from(ctx.keyring.get(opts.banker).pubkey, "base64") : Buffer.from(opts.banker, "base64");
    if (bankerPublicKey.length !== 33) throw new CliError(`--banker ${opts.banker}: neither a key name nor a base64 33-byte public key (known keys: ${ctx.keyring.names().join(", ") || "none"})`);
    const notBefore = opts.notBefore ? parseTime(opts.notBefore, "--not-before") : BigInt(Math.trunc(Date.now() / 1000));
    const notAfter = opts.notAfter ? parseTime(opts.notAfter, "--not-after") : notBefore + 365n * 86400n;
    if (notAfter <= notBefore) throw new CliError("--not-after must be after --not-before");
    const bytes = issueCertificate(root, { qsc: { chainId, name: opts.name, bankerPublicKey }, notBefore, notAfter });
    const decoded = decodeCertificate(bytes);
    const subject = { chain_id: chainId, name: opts.name, banker: decoded.bankerAddress, not_before: notBefore.toString(), not_after: notAfter.toString() };
    write(opts.out, { type: "qos-ca-certificate", certificate: Buffer.from(bytes).toString("base64"), subject });
    ctx.print({ file: opts.out, ...subject }, () => `certificate for ${opts.name} on ${chainId}, banker ${decoded.bankerAddress}, written to ${opts.out}`);
  });

  example(
    ca.command("issue-qcp")
      .requiredOption("--root <file>", "root key file from `qoscli ca new-root`")
      .requiredOption("--qcp-chain <id>", "the source chain whose messages the relayer may deliver to --chain-id")
      .requiredOption("--relayer <key|pubkey>", "the relayer: a local key name, or its compressed secp256k1 public key in base64")
      .requiredOption("--out <file>", "certificate file to write")
      .option("--not-before <time>", "start of validity (unix seconds or ISO time; default now)")
      .option("--not-after <time>", "end of validity (default one year after --not-before)")
      .description("issue a certificate that registers a relayer key on a chain (--chain-id) for a source chain (qoscli tx qcp init)"),
    "qoscli ca issue-qcp --root root.json --chain-id qos-local-1 --qcp-chain biz-1 --relayer relayer --out relayer.crt",
  ).action((opts: { root: string; qcpChain: string; relayer: string; out: string; notBefore?: string; notAfter?: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const chainId = ctx.opts.chainId;
    if (!chainId) throw new CliError("give the chain the certificate is for with --chain-id");
    const root = readRoot(opts.root);
    const relayerPublicKey = ctx.keyring.has(opts.relayer) ? Buffer.from(ctx.keyring.get(opts.relayer).pubkey, "base64") : Buffer.from(opts.relayer, "base64");
    if (relayerPublicKey.length !== 33) throw new CliError(`--relayer ${opts.relayer}: neither a key name nor a base64 33-byte public key`);
    const notBefore = opts.notBefore ? parseTime(opts.notBefore, "--not-before") : BigInt(Math.trunc(Date.now() / 1000));
    const notAfter = opts.notAfter ? parseTime(opts.notAfter, "--not-after") : notBefore + 365n * 86400n;
    if (notAfter <= notBefore) throw new CliError("--not-after must be after --not-before");
    const bytes = issueCertificate(root, { qcp: { chainId, qcpChain: opts.qcpChain, relayerPublicKey }, notBefore, notAfter });
    const relayer = toAccAddress(addressFromPubKey(relayerPublicKey));
    const subject = { chain_id: chainId, qcp_chain: opts.qcpChain, relayer, not_before: notBefore.toString(), not_after: notAfter.toString() };
    write(opts.out, { type: "qos-ca-certificate", certificate: Buffer.from(bytes).toString("base64"), subject });
    ctx.print({ file: opts.out, ...subject }, () => `certificate for relayer ${relayer} of ${opts.qcpChain} on ${chainId}, written to ${opts.out}`);
  });
}
