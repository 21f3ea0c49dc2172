// `qoscli tx sign` and `qoscli tx broadcast`: the module-independent tx commands over tx files (the
// file format and signing live in client/txfile.ts, broadcasting in client/tx.ts).
import { Command, Option } from "commander";
import { writeFileSync } from "node:fs";
import { CliContext, CliError, broadcastAndReport, example, fetchAccount, readTxFile, signTxFile, txRawBytes, withSignerData, type TxFile } from "../../client/index.js";

export const txFileHelp = `
Tx file (written by --generate-only and tx sign, read by tx sign and tx broadcast), JSON:
  {"qos_tx_file": 1, "chain_id": "...",
   "body_bytes": "<base64 TxBody>",               (what is signed; authoritative)
   "fee": {"amount": [{"denom","amount"}], "gas_limit": "N"},
   "signers": [{"address", "pubkey": base64|null, "account_number": "N"|null, "sequence": "N"|null}],
   "auth_info_bytes": "<base64 AuthInfo>"|null,   (fixed by the first signature)
   "signatures": ["<base64>" | "" (not signed yet), ...],
   "readable": {...}}                             (decoded copy for review; ignored when read)
Signatures are SIGN_MODE_DIRECT over SignDoc(body_bytes, auth_info_bytes, chain_id, account_number).`;

/** `tx sign` and `tx broadcast` (the module-independent tx commands). */
export function addTxFileCommands(tx: Command): void {
  example(
    tx
      .command("sign")
      .argument("<file>", "unsigned (or partly signed) tx file, '-' for stdin")
      .description("sign a tx file with one or more keys; prints the signed file")
      .requiredOption("--from <key...>", "key name(s) or address(es) to sign with")
      .option("--offline", "do not contact the node: needs --chain-id, --account-number and --sequence (one --from)", false)
      .option("--account-number <n>", "the signer's account number (with --offline)")
      .option("--sequence <n>", "the signer's sequence (with --offline)")
      .option("--output-document <file>", "write the signed file here instead of stdout")
      .addHelpText("after", txFileHelp),
    "qoscli tx bank send alice qosacc1... 1000uqos --generate-only > unsigned.json",
    "qoscli tx sign unsigned.json --from alice > signed.json",
    "qoscli tx sign unsigned.json --from alice --offline --chain-id qos-1 --account-number 3 --sequence 0 > signed.json",
  ).action(async (path: string, opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    let file: TxFile = readTxFile(path);
    const keys = (opts.from as string[]).map((f) => ctx.resolveKey(f));
    let chainId: string;
    if (opts.offline) {
      if (keys.length !== 1) throw new CliError("--offline signs with one --from key at a time (the account number and sequence are per signer)");
      if (!ctx.opts.chainId || opts.accountNumber === undefined || opts.sequence === undefined) {
        throw new CliError("--offline needs --chain-id, --account-number and --sequence (get them where the node is reachable with `qoscli query account <key>`)");
      }
      for (const [flag, value] of [["--account-number", opts.accountNumber], ["--sequence", opts.sequence]] as const) {
        if (!/^[0-9]+$/.test(value)) throw new CliError(`${flag} must be a non-negative integer, not ${JSON.stringify(value)}`);
      }
      chainId = ctx.opts.chainId;
      file = withSignerData(file, keys[0].address, { pubkey: keys[0].pubkey, accountNumber: BigInt(opts.accountNumber), sequence: BigInt(opts.sequence) });
    } else {
      chainId = await ctx.chainId();
      for (const s of file.signers) {
        if (s.account_number !== null && s.sequence !== null && s.pubkey !== null) continue;
        const account = await fetchAccount(ctx, s.address);
        const key = keys.find((k) => k.address === s.address);
        if (!account) {
          if (key) throw new CliError(`account ${s.address} does not exist on chain ${chainId}: it must receive funds before it can send`);
          continue;
        }
        const pubkey = key?.pubkey ?? (account.pubkey ? Buffer.from(account.pubkey).toString("base64") : undefined);
        file = withSignerData(file, s.address, { pubkey, accountNumber: account.accountNumber, sequence: account.sequence });
      }
    }
    for (const key of keys) {
      const signer = file.signers.find((s) => s.address === key.address);
      if (!signer) throw new CliError(`${key.name} (${key.address}) is not a signer of this tx (signers: ${file.signers.map((s) => s.address).join(", ")})`);
      if (signer.account_number === null) throw new CliError(`the account number of ${key.address} is unknown: sign online or give --offline --account-number`);
      const { privateKey } = await ctx.keyring.secret(key.name);
      file = await signTxFile(file, privateKey, key.address, BigInt(signer.account_number), chainId);
    }
    const text = JSON.stringify(file, null, 2) + "\n";
    if (opts.outputDocument) writeFileSync(opts.outputDocument, text);
    else process.stdout.write(text);
  });

  example(
    tx
      .command("broadcast")
      .argument("<file>", "signed tx file (from `tx sign`), '-' for stdin")
      .description("broadcast a signed tx file")
      .addOption(new Option("--broadcast-mode <mode>", "sync, async or block").choices(["sync", "async", "block"]).default("sync"))
      .option("--timeout <seconds>", "with --broadcast-mode block: how long to wait for inclusion", "60")
      .addHelpText("after", txFileHelp),
    "qoscli tx broadcast signed.json --broadcast-mode block --output json",
  ).action(async (path: string, opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const file = readTxFile(path);
    await broadcastAndReport(ctx, txRawBytes(file), opts.broadcastMode, Number(opts.timeout));
  });
}
