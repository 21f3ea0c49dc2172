// qoscli as the end-to-end tests drive it: a child process with a test keyring in its own home, against
// a node whose RPC address may change (a restarted node moves ports), JSON output parsed and checked.
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../../cmd/common/cometbft.js";

const qoscliBin = join(repoRoot, "dist/cmd/qoscli/main.js");

/** A tx result as `--output json` prints it. */
export interface TxJson {
  code: number;
  height: string;
  events: Array<{ type: string; attributes: Array<{ key: string; value: string }> }>;
}

export interface Qoscli {
  /** the raw process result (status, stdout, stderr) */
  run(args: string[]): SpawnSyncReturns<string>;
  /** `--output json`, exit status 0 required */
  json(args: string[]): any;
  /** `--gas auto --broadcast-mode block`, code 0 required */
  tx(args: string[]): TxJson;
}

export function qoscli(home: string, nodeUrl: () => string): Qoscli {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [qoscliBin, ...args, "--home", home, "--keyring-backend", "test", "--node", nodeUrl()], { encoding: "utf8", timeout: 120_000 });
  const json = (args: string[]) => {
    const r = run([...args, "--output", "json"]);
    assert.equal(r.status, 0, `qoscli ${args.join(" ")}:\n${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const tx = (args: string[]): TxJson => {
    const out = json([...args, "--gas", "auto", "--broadcast-mode", "block"]);
    assert.equal(out.code, 0, JSON.stringify(out));
    return out;
  };
  return { run, json, tx };
}

/** The attributes of a result's events of one type (msg_index left out), one object per event. */
export function eventAttributes(out: TxJson, type: string): Array<Record<string, string>> {
  return out.events.filter((e) => e.type === type).map((e) => Object.fromEntries(e.attributes.filter((a) => a.key !== "msg_index").map((a) => [a.key, a.value])));
}
