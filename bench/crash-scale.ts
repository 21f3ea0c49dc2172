// npm run bench:crash-scale [-- --keys 1000000 --backend disk --rounds 5 --seed 1 --dir /tmp/x]: the kill -9
// test of test/e2e/restart.test.ts at benchmark size, outside CI (issue 13). A store of `keys` account-sized
// pairs is filled once; then, each round, a writer process commits blocks of 5,000 changes (half updates,
// half new keys) and is killed with SIGKILL a random time after it announced a commit (most kills land
// inside the commit's batch write), and the store is reopened and checked: its height is the last committed
// one or the one being committed (nothing committed lost, no mix), its app hash is the one prepared for that
// height, every pair of that block reads back, nothing of an uncommitted block is there, the key count is
// exact, proofs verify. The next round's writer goes on from there. Report: bench/results/crash-scale-<date>.json.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { writeSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { keyToBytes } from "../app/state/kv.js";
import { verifyMembership } from "../app/state/smt.js";
import { arg, backendArg, blockChanges, openStore, readFillInfo, runPhase, type Backend } from "./state-store.js";

const BLOCK = 5_000;
const cacheBytes = Number(arg("cache-mb", "512")) * 1024 * 1024;
const infoFile = (dir: string) => join(dir, "..", "fill.json");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** child: commit blocks until killed (or `max` blocks: a kill that never came), announcing each on stdout */
async function writer(backend: Backend, dir: string, max: number): Promise<void> {
  const info = readFillInfo(infoFile(dir));
  const store = await openStore(backend, dir, cacheBytes);
  for (let i = 0; i < max; i++) {
    const h = store.latest.height + 1;
    const block = blockChanges(info, h, BLOCK / 2, BLOCK / 2);
    const pending = store.prepare(h, block.changes);
    // written synchronously: the parent must know before the commit starts
    writeSync(1, `prepared ${h} ${hex(pending.appHash)} ${block.keysAfter}\n`);
    await store.commit(pending);
    writeSync(1, `committed ${h}\n`);
  }
  await store.close();
}

/** a number in [0, 1) fixed by --seed and `label`: the rounds' choices are reproducible */
function seeded(seed: number, label: string): number {
  return createHash("sha256").update(`${seed}/${label}`).digest().readUInt32BE(0) / 2 ** 32;
}

interface Prepared {
  hash: string;
  keysAfter: number;
}

/** one round: start a writer, kill it `delayMs` after its `commits + 1`-th announced commit; what it said */
function killDuringCommit(backend: Backend, dir: string, commits: number, delayMs: number): Promise<{ prepared: Map<number, Prepared>; committed: number; killedAt: number; exit: string }> {
  const script = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--max-old-space-size=16384", script, "--phase", "writer", "--backend", backend, "--dir", dir, "--cache-mb", String(cacheBytes / 2 ** 20)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const prepared = new Map<number, Prepared>();
    let committed = 0;
    let killedAt = 0;
    let buffer = "";
    child.stdout.on("data", (d) => {
      buffer += d;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const [what, h, hash, keysAfter] = buffer.slice(0, nl).split(" ");
        buffer = buffer.slice(nl + 1);
        if (what === "prepared") {
          prepared.set(Number(h), { hash, keysAfter: Number(keysAfter) });
          let seen = 0;
          for (const k of prepared.keys()) if (k <= committed) seen++;
          if (seen >= commits && killedAt === 0) {
            killedAt = Number(h);
            setTimeout(() => child.kill("SIGKILL"), delayMs);
          }
        } else if (what === "committed") {
          committed = Number(h);
        }
      }
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ prepared, committed, killedAt, exit: signal ?? `code ${code}` }));
  });
}

async function main(): Promise<void> {
  const n = Number(arg("keys", "1000000"));
  const backend = backendArg(arg("backend", "disk"));
  const rounds = Number(arg("rounds", "5"));
  const seed = Number(arg("seed", "1"));
  const root = mkdtempSync(join(arg("dir", tmpdir()), "qos-crash-scale-"));
  const dir = join(root, "store");
  const report: Record<string, unknown>[] = [];
  try {
    console.error(`crash-scale: filling ${n} keys (${backend} backend)`);
    const filled = await runPhase("state", ["--phase", "fill", "--backend", backend, "--dir", dir, "--keys", String(n), "--cache-mb", String(cacheBytes / 2 ** 20)]);
    const info = readFillInfo(infoFile(dir));
    let failures = 0;
    for (let round = 1; round <= rounds; round++) {
      const commits = 1 + Math.floor(seeded(seed, `commits ${round}`) * 3);
      const delayMs = Math.floor(seeded(seed, `delay ${round}`) * 120);
      const run = await killDuringCommit(backend, dir, commits, delayMs);
      const tOpen = performance.now();
      const store = await openStore(backend, dir, cacheBytes);
      const openMs = performance.now() - tOpen;
      const problems: string[] = [];
      try {
        const h = store.latest.height;
        if (run.exit !== "SIGKILL") problems.push(`the writer was not killed (${run.exit})`);
        if (h < run.committed) problems.push(`reopened at ${h}, below the committed ${run.committed}: a commit was lost`);
        if (h > run.killedAt) problems.push(`reopened at ${h}, above the height being committed ${run.killedAt}`);
        const expected = run.prepared.get(h);
        if (!expected) problems.push(`reopened at ${h}, a height this writer did not prepare`);
        else {
          if (hex(store.latest.appHash) !== expected.hash) problems.push(`app hash at ${h} is ${hex(store.latest.appHash)}, prepared ${expected.hash}`);
          if (store.latest.stats && store.latest.stats.keys !== expected.keysAfter) problems.push(`${store.latest.stats.keys} keys at ${h}, expected ${expected.keysAfter}`);
          const mine = blockChanges(info, h, BLOCK / 2, BLOCK / 2).changes;
          let wrong = 0;
          for (const [k, v] of mine) if (hex(store.latest.reader.get(k) ?? new Uint8Array()) !== hex(v!)) wrong++;
          if (wrong > 0) problems.push(`${wrong} of block ${h}'s ${mine.length} pairs do not read back`);
          for (const [k, v] of mine.slice(0, 3).concat(mine.slice(-3))) {
            if (!verifyMembership(store.latest.appHash, keyToBytes(k), v!, store.latest.prove(k))) problems.push(`the proof of a pair of block ${h} does not verify`);
          }
          if (h < run.killedAt) {
            let leaked = 0;
            for (const [k, v] of blockChanges(info, run.killedAt, BLOCK / 2, BLOCK / 2).changes) if (hex(store.latest.reader.get(k) ?? new Uint8Array()) === hex(v!)) leaked++;
            if (leaked > 0) problems.push(`${leaked} pairs of the uncommitted block ${run.killedAt} are in the state`);
          }
        }
        const r = {
          round, commits_before_kill: commits, kill_delay_ms: delayMs, killed_while_committing: run.killedAt, last_committed_reported: run.committed,
          reopened_at: h, kept: h === run.killedAt ? "new version" : "old version", open_ms: Math.round(openMs), problems,
        };
        console.error(JSON.stringify(r));
        report.push(r);
        failures += problems.length > 0 ? 1 : 0;
      } finally {
        await store.close();
      }
    }
    const out = join("bench/results", `crash-scale-${new Date().toISOString().slice(0, 16).replace(/:/g, "")}.json`);
    mkdirSync("bench/results", { recursive: true });
    writeFileSync(out, JSON.stringify({ keys: n, backend, seed, fill: filled, load_average_1m: loadavg()[0], rounds: report }, null, 2) + "\n");
    console.error(`written ${out}`);
    console.log(`${rounds - failures} of ${rounds} rounds passed`);
    if (failures > 0) process.exitCode = 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (arg("phase", "") === "writer") await writer(backendArg(arg("backend", "")), arg("dir", ""), Number(arg("max-blocks", "50")));
else await main();
