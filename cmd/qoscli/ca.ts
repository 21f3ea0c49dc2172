// `qoscli ca`: a small certificate authority for test networks and operators — a root ed25519 key, and
// certificates for QSC tokens and QCP relayers. The files are JSON; an external CA can make the same
// files (see client/certificate.ts for the format).
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { newCaKeyPair } from "../../app/certificate.js";
import { addressFromPubKey, toAccAddress } from "../../app/address.js";
import { CliContext, CliError, example } from "../../client/index.js";
import { addIssueFlags, decodeCertificate, issueCertificateFile, publicKeyArg, writeJsonFile, type IssueFlags } from "../../client/certificate.js";

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
    writeJsonFile(opts.out, { type: "qos-ca-root-ed25519", public_key: publicKey, private_key: Buffer.from(pair.privateKey).toString("base64") }, 0o600);
    ctx.print({ public_key: publicKey, file: opts.out }, () => `root CA public key ${publicKey}\nprivate key written to ${opts.out} (mode 600)`);
  });

  example(
    addIssueFlags(ca.command("issue-qsc"), (cmd) =>
      cmd
        .requiredOption("--name <name>", "token name (its denom): 3-16 upper-case letters and digits")
        .requiredOption("--banker <key|pubkey>", "the banker: a local key name, or its compressed secp256k1 public key in base64"),
    ).description("issue a certificate that lets a token be created on a chain (--chain-id is required)"),
    "qoscli ca issue-qsc --root root.json --chain-id qos-local-1 --name STAR --banker banker --out STAR.crt",
  ).action((opts: IssueFlags & { name: string; banker: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const { chainId, subject } = issueCertificateFile(ctx, opts, (chainId) => ({
      request: { qsc: { chainId, name: opts.name, bankerPublicKey: publicKeyArg(ctx, opts.banker, "--banker", true) } },
      readable: (bytes) => ({ name: opts.name, banker: decodeCertificate(bytes).bankerAddress! }),
    }));
    ctx.print({ file: opts.out, ...subject }, () => `certificate for ${opts.name} on ${chainId}, banker ${subject.banker}, written to ${opts.out}`);
  });

  example(
    addIssueFlags(ca.command("issue-qcp"), (cmd) =>
      cmd
        .requiredOption("--qcp-chain <id>", "the source chain whose messages the relayer may deliver to --chain-id")
        .requiredOption("--relayer <key|pubkey>", "the relayer: a local key name, or its compressed secp256k1 public key in base64"),
    ).description("issue a certificate that registers a relayer key on a chain (--chain-id) for a source chain (qoscli tx qcp init)"),
    "qoscli ca issue-qcp --root root.json --chain-id qos-local-1 --qcp-chain biz-1 --relayer relayer --out relayer.crt",
  ).action((opts: IssueFlags & { qcpChain: string; relayer: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const { chainId, subject } = issueCertificateFile(ctx, opts, (chainId) => {
      const relayerPublicKey = publicKeyArg(ctx, opts.relayer, "--relayer", false);
      const relayer = toAccAddress(addressFromPubKey(relayerPublicKey));
      return { request: { qcp: { chainId, qcpChain: opts.qcpChain, relayerPublicKey, trustedHeaderHash: new Uint8Array() } }, readable: () => ({ qcp_chain: opts.qcpChain, relayer }) };
    });
    ctx.print({ file: opts.out, ...subject }, () => `certificate for relayer ${subject.relayer} of ${opts.qcpChain} on ${chainId}, written to ${opts.out}`);
  });
}
