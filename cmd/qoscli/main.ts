#!/usr/bin/env node
// qoscli: the QOS client — keys, transactions, queries. `qoscli --help` lists the commands; each has
// its own --help with an example. Module commands come from modules/<name>/cli.ts (see client/index.ts);
// the shared machinery (context, tx flow, output) is the client library in client/.
import { Command, Option } from "commander";
import { authCli } from "../../modules/auth/cli.js";
import { bankCli } from "../../modules/bank/cli.js";
import { qscCli } from "../../modules/qsc/cli.js";
import { approveCli } from "../../modules/approve/cli.js";
import { qcpCli } from "../../modules/qcp/cli.js";
import { stakeCli } from "../../modules/stake/cli.js";
import { distributionCli } from "../../modules/distribution/cli.js";
import { mintCli } from "../../modules/mint/cli.js";
import { govCli } from "../../modules/gov/cli.js";
import { guardianCli } from "../../modules/guardian/cli.js";
import { paramsCli } from "../../modules/params/cli.js";
import { exchangeCli } from "../../modules/exchange/cli.js";
import { miningCli } from "../../modules/mining/cli.js";
import { addCaCommands } from "./ca.js";
import { CliError, DefaultHome, DefaultNode, InputError, example, registerMsgTypes, type CliModule } from "../../client/index.js";
import { addKeysCommands } from "./keys.js";
import { addLightCommands } from "./light.js";
import { addFrameworkQueries } from "./query.js";
import { addTxFileCommands } from "./tx.js";

/** The modules whose commands qoscli offers, in help order. */
export const modules: CliModule[] = [authCli, bankCli, qscCli, approveCli, qcpCli, exchangeCli, miningCli, stakeCli, distributionCli, mintCli, govCli, guardianCli, paramsCli];

export function buildProgram(): Command {
  const program = new Command("qoscli")
    .description("QOS client: keys, transactions and queries against a QOS node")
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(`Error: ${text.replace(/^error: /, "")}`) })
    .option("--node <url>", "CometBFT RPC address of a QOS node", DefaultNode)
    .option("--chain-id <id>", "chain id (default: read from the node)")
    .option("--home <dir>", "qoscli home (holds the keyring); env QOSCLI_HOME", DefaultHome)
    .addOption(new Option("--output <format>", "output format").choices(["text", "json"]).default("text"))
    .addOption(new Option("--keyring-backend <backend>", "file: encrypted with a passphrase; test: unencrypted, for tests").choices(["file", "test"]).default("file"))
    .addHelpText("after", "\nExamples:\n  qoscli keys add alice\n  qoscli query balances alice\n  qoscli tx bank send alice qosacc1... 1000uqos --gas auto --broadcast-mode block");

  addKeysCommands(program);
  addCaCommands(program);
  addLightCommands(program);
  const tx = example(
    program.command("tx").description("build, sign and broadcast transactions (module commands, plus sign and broadcast of tx files)"),
    "qoscli tx bank send alice qosacc1... 1000uqos --gas auto --broadcast-mode block",
    "qoscli tx sign unsigned.json --from alice > signed.json && qoscli tx broadcast signed.json",
  );
  const query = example(program.command("query").alias("q").description("query the chain"), "qoscli query balances alice --output json");
  addTxFileCommands(tx);
  addFrameworkQueries(query, program);
  for (const m of modules) m({ tx, query, registerMsgTypes });
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((e: Error) => {
    const known = e instanceof CliError || e instanceof InputError;
    process.stderr.write(`Error: ${known || !process.env.QOSCLI_DEBUG ? e.message : (e.stack ?? e.message)}\n`);
    process.exitCode = e instanceof CliError ? e.exitCode : 1;
  });
