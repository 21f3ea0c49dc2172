// `qoscli tx sign` and `qoscli tx broadcast`: the module-independent tx commands over tx files (the
// file format and signing live in client/txfile.ts, broadcasting in client/tx.ts).
import { Command, Option } from "commander";
import { writeFileSync } from "node:fs";
import { CliContext, CliError, broadcastAndReport, example, readTxFile, signWithKeys, txRawBytes, withChainSignerData, withSignerData, type TxFile } from "../../client/index.js";

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
      file = await withChainSignerData(ctx, file, keys, chainId);
    }
    file = await signWithKeys(ctx, file, keys, chainId);
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
