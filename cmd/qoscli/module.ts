// How a module plugs its commands into qoscli: modules/<name>/cli.ts exports a CliModule function
// that receives the `tx` and `query` command groups and registers its message types and subcommands.
// Shared helpers (context, tx flow, output) are re-exported here so a module imports one file.
import type { Command } from "commander";
import type { GeneratedType } from "@cosmjs/proto-signing";

export interface CliRoot {
  /** `qoscli tx`: add `tx <module> <action>` or top-level tx commands */
  tx: Command;
  /** `qoscli query`: add `query <what>` */
  query: Command;
  /** make a message type encodable and readable (JSON) by the CLI */
  registerMsgType(typeUrl: string, type: GeneratedType): void;
}

export type CliModule = (root: CliRoot) => void;

export { CliContext, example, jsonSafe } from "./context.js";
export { CliError } from "./errors.js";
export { addTxFlags, runTx, type TxFlags, type TxSigner } from "./tx.js";
export { fetchAccount, fetchBalance } from "./accounts.js";
export { addPageFlags, pageJson, pageRequest, pageText, type PageFlags } from "./page.js";
