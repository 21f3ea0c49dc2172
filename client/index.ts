// The QOS client library: what qoscli's commands and every modules/<name>/cli.ts share — the context
// (common flags, keyring, node connection, output), tx building/signing/broadcast, tx files, paging,
// certificates and errors. It imports the app framework and gen/ only, never cmd/ or a module; cmd/qoscli
// is the entry point that puts the modules' commands together.
//
// How a module plugs its commands into qoscli: modules/<name>/cli.ts exports a CliModule function that
// receives the `tx` and `query` command groups and registers its message types and subcommands.
import type { Command } from "commander";
import type { MsgCodec } from "./context.js";

export interface CliRoot {
  /** `qoscli tx`: add `tx <module> <action>` or top-level tx commands */
  tx: Command;
  /** `qoscli query`: add `query <what>` */
  query: Command;
  /** make message types (type URL from gen/names.ts, generated codec) encodable and readable (JSON) by the CLI */
  registerMsgTypes(types: ReadonlyArray<readonly [typeUrl: string, type: MsgCodec]>): void;
}

export type CliModule = (root: CliRoot) => void;

export { CliContext, DefaultHome, DefaultNode, QueryError, example, hashHex, jsonSafe, registerMsgTypes, registry, tryBech32, type GlobalOptions, type MsgCodec } from "./context.js";
export { CliError } from "./errors.js";
export { wholeAmount } from "./amounts.js";
export { InputError, ProcessInput, ScriptedInput, type Input } from "./input.js";
export { DefaultHdPath, Keyring, toHex, type KeyInfo, type KeyringBackend, type PassphraseSource } from "./keyring.js";
export { addTxFlags, broadcastAndReport, formatTxResult, runTx, signWithKeys, signerOf, withChainSignerData, txResultJson, type BroadcastResult, type TxFlags, type TxRequest, type TxSigner } from "./tx.js";
export { decodeTxJson, readTxFile, signTxFile, txRawBytes, withSignerData, type TxFile } from "./txfile.js";
export { fetchAccount, fetchBalance, type ChainAccount } from "./accounts.js";
export { qos, uqosText } from "./output.js";
export { addPageFlags, pageJson, pageRequest, pageText, type PageFlags } from "./page.js";
export { addVerifyFlag, clockNow, initTrustRoot, LightRpc, verifiedStateFor, verifyLatest, VerifiedState } from "./light.js";
export { checkedLightBlock, DefaultTrustingPeriodSecs, describeRoot, MaxClockDriftSecs, TrustStore, type LightBlockJson, type TrustRoot } from "./light-store.js";
