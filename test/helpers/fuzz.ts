// Inputs and outcomes for fuzzing the decoder (test/unit/fuzz-decode.test.ts). An outcome is a string that
// says everything the chain would derive from the bytes: the decoded tx (hash, signers, messages) or the
// AppError (codespace, code, log). Anything else escaping (TypeError, RangeError) is a bug and is thrown.
// Run as a script (`node fuzz.js <file of hex lines>`), it prints the outcomes of those inputs computed in
// a fresh process, so that a test can compare them with a warmed-up process or one with a small stack.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AppError } from "../../app/errors.js";
import type { MsgHandler, MsgLimits } from "../../app/module.js";
import { Router } from "../../app/router.js";
import { decodeMsg, decodeTx } from "../../app/tx/decode.js";
import { composeChain } from "../../chain/index.js";

export const fuzzRouter = new Router(composeChain("qos").modules);
export const FuzzMaxTxBytes = 1 << 20;
/** generous limits: the fuzzer is after crashes, not after the limit checks (tested elsewhere) */
export const FuzzLimits: MsgLimits = { maxParties: 100, maxCoins: 16 };

const json = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v));

function caught(e: unknown): string {
  if (e instanceof AppError) return `error ${e.codespace}/${e.code}: ${e.message}`;
  throw e;
}

/** decodeTx, then every message's stateless check, as CheckTx runs them. */
export function txOutcome(bytes: Uint8Array): string {
  try {
    const tx = decodeTx(Uint8Array.from(bytes), fuzzRouter, FuzzMaxTxBytes);
    for (const { handler, msg } of tx.msgs) handler.checkStateless(msg, FuzzLimits);
    return `ok ${tx.hash} ${json(tx.signers)} ${json(tx.msgs.map((m) => [m.typeUrl, m.msg]))} ${json(tx.body.memo)}`;
  } catch (e) {
    return caught(e);
  }
}

/** One message through the path every message takes: decodeMsg, signers, checkStateless. */
export function msgOutcome(handler: MsgHandler, bytes: Uint8Array): string {
  try {
    const msg = decodeMsg(handler, Uint8Array.from(bytes));
    const signers = handler.signers(msg);
    handler.checkStateless(msg, FuzzLimits);
    return `ok ${json(signers)} ${json(msg)}`;
  } catch (e) {
    return caught(e);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // one input per line, "x" + hex (so that an empty input is a line too)
  const lines = readFileSync(process.argv[2], "utf8").split("\n");
  console.log(JSON.stringify(lines.map((line) => txOutcome(Buffer.from(line.slice(1), "hex")))));
}
