// qosd export: the committed state as a genesis document a new chain can start from. The document is
// written as it is produced, one app_state field (a module) at a time and each module element by element
// in 64 KiB writes, waiting for the output to drain: never the whole document's text in memory, only the
// objects of the module being written (a module's export is still built whole).
import { once } from "node:events";
import type { Writable } from "node:stream";
import type { QosApp } from "../../app/app.js";
import { openApp } from "../../chain/index.js";
import { genesisProfile, paths, readGenesis, type GenesisDoc } from "./home.js";
import { Progress } from "../../app/log.js";

export async function exportGenesis(home: string, out: Writable): Promise<{ height: number }> {
  const genesis = readGenesis(home);
  let app: QosApp;
  try {
    app = await openApp({ dbPath: paths(home).appDb, profile: genesisProfile(home), log: () => {} });
  } catch (e) {
    const err = e as Error & { cause?: Error };
    const message = `${err.message}${err.cause ? `: ${err.cause.message}` : ""}`;
    if (/lock/i.test(message)) throw new Error(`the state database is in use: stop the node before exporting (${message})`);
    throw e;
  }
  try {
    // a large state takes a while: a line on stderr every few seconds (stdout may be the document)
    const progress = new Progress((line) => process.stderr.write(`qosd: ${line}\n`));
    await writeExport(app, genesis, out, (module, bytes) => progress.step(() => `export at height ${app.lastHeight}: ${module} written, ${bytes} bytes so far`));
    return { height: app.lastHeight };
  } finally {
    await app.close();
  }
}

/** Writes `genesis` with the app's committed state as app_state and initial_height = the next height:
 *  the same text as JSON.stringify(document, null, 2) with app_state last. */
export async function writeExport(app: QosApp, genesis: GenesisDoc, out: Writable, written?: (module: string, bytes: number) => void): Promise<void> {
  let bytes = 0;
  const write = async (text: string) => {
    bytes += text.length;
    if (!out.write(text)) await once(out, "drain");
  };
  const { app_state: _state, ...rest } = genesis;
  const head = JSON.stringify({ ...rest, initial_height: String(app.lastHeight + 1), app_hash: "" }, null, 2);
  await write(`${head.slice(0, -2)},\n  "app_state": {\n    "profile": ${JSON.stringify(app.profile)}`);
  let buffered = "";
  for (const [name, value] of app.exportAppStateParts()) {
    // element by element: the module's objects exist once, its text never as a whole
    for (const piece of jsonPieces(value, "    ", `,\n    ${JSON.stringify(name)}: `)) {
      buffered += piece;
      if (buffered.length >= 1 << 16) {
        await write(buffered);
        buffered = "";
      }
    }
    await write(buffered);
    buffered = "";
    written?.(name, bytes);
  }
  await write("\n  }\n}\n");
}

/** JSON.stringify(value, null, 2) indented by `indent`, after `prefix`, in pieces (plain JSON data). */
function* jsonPieces(value: unknown, indent: string, prefix = ""): IterableIterator<string> {
  const inner = `${indent}  `;
  if (Array.isArray(value) && value.length > 0) {
    yield `${prefix}[`;
    for (let i = 0; i < value.length; i++) yield* jsonPieces(value[i] === undefined ? null : value[i], inner, `${i ? "," : ""}\n${inner}`);
    yield `\n${indent}]`;
    return;
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== "function") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== "function");
    if (entries.length > 0) {
      yield `${prefix}{`;
      for (let i = 0; i < entries.length; i++) yield* jsonPieces(entries[i][1], inner, `${i ? "," : ""}\n${inner}${JSON.stringify(entries[i][0])}: `);
      yield `\n${indent}}`;
      return;
    }
  }
  yield prefix + JSON.stringify(value, null, 2);
}
