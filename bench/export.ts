// Peak memory of `qosd export` for a large state (not a test): a node home whose state holds N funded
// accounts (genesis through the app itself), then `qosd export --output` in its own process, its peak
// RSS (getrusage) next to the peak of building the same document whole (JSON.stringify of every module
// at once, what export did before it streamed), and next to only opening the state.
//   node dist/bench/export.js [--accounts 200000]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openApp } from "../chain/index.js";
import { simAccount } from "../sim/tx.js";
import { repoRoot } from "../cmd/common/cometbft.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const accounts = arg("accounts", 200_000);
const home = mkdtempSync(join(tmpdir(), "qos-bench-export-"));
const qosd = join(repoRoot, "dist/cmd/qosd/main.js");

/** peak resident KB of a node process (GNU time's %M) */
function peakKb(args: string[]): number {
  const r = spawnSync("/usr/bin/time", ["-f", "MAXRSS %M", process.execPath, ...args], { encoding: "utf8", cwd: repoRoot });
  const m = /MAXRSS (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  return Number(m[1]);
}
const script = (body: string) => ["--input-type=module", "-e", body];

try {
  mkdirSync(join(home, "config"), { recursive: true });
  mkdirSync(join(home, "data"), { recursive: true });
  const genesis = { genesis_time: "2027-01-01T00:00:00Z", chain_id: "bench-export", initial_height: "1", consensus_params: {}, app_hash: "", app_state: { profile: "qos" } };
  writeFileSync(join(home, "config/genesis.json"), JSON.stringify(genesis));
  const users = Array.from({ length: accounts }, (_, i) => simAccount(`bench-export-${i}`).address);
  const app = await openApp({ dbPath: join(home, "data/application.db"), profile: "qos", log: () => {} });
  app.initChain({
    chainId: "bench-export", initialHeight: 1n, time: { seconds: 1_800_000_000n, nanos: 0 }, validators: [],
    appStateBytes: new TextEncoder().encode(JSON.stringify({
      profile: "qos",
      auth: { accounts: users.map((address) => ({ address })) },
      bank: { balances: users.map((address, i) => ({ address, coins: [{ denom: "uqos", amount: String(1_000_000 + i) }] })) },
    })),
  });
  app.finalizeBlock({ height: 1n, time: { seconds: 1_800_000_003n, nanos: 0 }, txs: [], misbehavior: [], decidedLastCommit: { round: 0, votes: [] }, hash: new Uint8Array(32), nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20) });
  await app.commit();
  await app.close();

  const db = JSON.stringify(join(home, "data/application.db"));
  const open = peakKb(script(`import { openApp } from "./dist/chain/index.js"; const a = await openApp({ dbPath: ${db}, profile: "qos", log: () => {} }); await a.close();`));
  const whole = peakKb(script(`import { openApp } from "./dist/chain/index.js"; import { writeFileSync } from "node:fs";
    const a = await openApp({ dbPath: ${db}, profile: "qos", log: () => {} });
    writeFileSync(${JSON.stringify(join(home, "whole.json"))}, JSON.stringify({ ...${JSON.stringify(genesis)}, app_state: { profile: a.profile, ...a.exportAppState() } }, null, 2)); await a.close();`));
  const streamed = peakKb([qosd, "export", "--home", home, "--output", join(home, "export.json")]);
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  console.log(JSON.stringify({
    accounts,
    export_bytes: statSync(join(home, "export.json")).size,
    peak_rss_open_only: mb(open),
    peak_rss_whole_document: mb(whole),
    peak_rss_streamed_export: mb(streamed),
  }, null, 2));
} finally {
  rmSync(home, { recursive: true, force: true });
}
