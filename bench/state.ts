// npm run bench:state [-- --keys 1000000,10000000 --cache-mb 512 --dir /tmp/x]: the disk state store at
// scale (issue 13 part 5). For each size: fill the store with account-sized pairs (32-byte keys, 100-byte
// values) in blocks of 50,000, close, then measure the time to open and the resident memory after it,
// prepare + commit of blocks of 5,000 changes (half updates, half new keys; median of 10), and disk bytes
// per key. Not a test: the figures depend on the machine; the report goes to bench/results/state-<date>.json.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { DiskStore } from "../app/state/disk/store.js";
import type { Change } from "../app/state/kv.js";

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

const sizes = arg("keys", "1000000").split(",").map(Number);
const cacheBytes = Number(arg("cache-mb", "512")) * 1024 * 1024;
const FILL_BLOCK = 50_000;
const BLOCK = 5_000;
const ROUNDS = 10;

/** deterministic 32-byte key of account i (a hash, so keys spread over the tree as addresses do) */
function key(i: number): string {
  return "acc/" + createHash("sha256").update(`account-${i}`).digest("binary").slice(0, 28);
}
function value(i: number, round: number): Uint8Array {
  const v = new Uint8Array(100);
  v.fill(round & 0xff);
  new DataView(v.buffer).setUint32(0, i);
  return v;
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) n += statSync(join(dir, f)).size;
  return n;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;

async function run(n: number) {
  const dir = mkdtempSync(join(arg("dir", tmpdir()), "qos-bench-state-"));
  let store = await DiskStore.open(dir, { cacheBytes, pruning: { keepRecent: 2, interval: 1 } });
  let height = 0;
  const tFill = process.hrtime.bigint();
  for (let i = 0; i < n; i += FILL_BLOCK) {
    const changes: Change[] = [];
    for (let j = i; j < Math.min(n, i + FILL_BLOCK); j++) changes.push([key(j), value(j, 0)]);
    await store.commit(store.prepare(++height, changes));
    if ((i / FILL_BLOCK) % 20 === 0) console.error(`  ${n}: ${i + changes.length} keys written, ${(ms(tFill) / 1000).toFixed(0)} s`);
  }
  const fillS = ms(tFill) / 1000;
  await store.pruned();
  await store.close();
  const tOpen = process.hrtime.bigint();
  store = await DiskStore.open(dir, { cacheBytes, pruning: { keepRecent: 2, interval: 1 } });
  const openMs = ms(tOpen);
  const rssAfterOpen = process.memoryUsage().rss;
  const blockMs: number[] = [];
  // CPU of the whole process (main thread and LevelDB worker): on a shared machine wall time mostly measures
  // the other processes, CPU time what a block costs
  const blockCpuMs: number[] = [];
  let next = n;
  for (let r = 1; r <= ROUNDS; r++) {
    const changes: Change[] = [];
    for (let j = 0; j < BLOCK / 2; j++) {
      const i = (r * 7_919 * (j + 1)) % n;
      changes.push([key(i), value(i, r)]);
      changes.push([key(next), value(next, r)]);
      next++;
    }
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    await store.commit(store.prepare(++height, changes));
    blockMs.push(ms(t));
    const used = process.cpuUsage(cpu);
    blockCpuMs.push((used.user + used.system) / 1000);
  }
  await store.pruned();
  const rssAfterBlocks = process.memoryUsage().rss;
  await store.close();
  const bytes = dirBytes(dir);
  rmSync(dir, { recursive: true, force: true });
  return {
    keys: n,
    fill_seconds: Math.round(fillS),
    open_ms: Math.round(openMs),
    rss_after_open_mb: Math.round(rssAfterOpen / 2 ** 20),
    rss_after_blocks_mb: Math.round(rssAfterBlocks / 2 ** 20),
    prepare_commit_5000_ms: { median: Math.round(median(blockMs)), min: Math.round(Math.min(...blockMs)), max: Math.round(Math.max(...blockMs)) },
    prepare_commit_5000_cpu_ms: { median: Math.round(median(blockCpuMs)), min: Math.round(Math.min(...blockCpuMs)), max: Math.round(Math.max(...blockCpuMs)) },
    load_average_1m: Math.round(loadavg()[0] * 10) / 10,
    disk_bytes_per_key: Math.round(bytes / next),
  };
}

const results = [];
for (const n of sizes) {
  console.error(`state bench: ${n} keys, cache ${cacheBytes / 2 ** 20} MiB`);
  const r = await run(n);
  console.error(JSON.stringify(r));
  results.push(r);
}
const out = join("bench/results", `state-${new Date().toISOString().slice(0, 16).replace(/:/g, "")}.json`);
mkdirSync("bench/results", { recursive: true });
writeFileSync(out, JSON.stringify({ cache_mb: cacheBytes / 2 ** 20, results }, null, 2) + "\n");
console.log(JSON.stringify(results, null, 2));
console.error(`written ${out}`);
