// npm run bench:state [-- --keys 1000000,10000000 --backend memory,disk --cache-mb 512 --dir /tmp/x]: the
// state stores at scale (issue 13 part 5). For each size and backend, in a child process each: fill the
// store with account-sized pairs (32-byte keys, 100-byte values) in blocks of 50,000 and close it; then, in
// a fresh process, time the open and read the resident memory after it, time prepare + commit of blocks of
// 5,000 changes (half updates, half new keys; median of 10, wall and process CPU), take a state-sync
// snapshot of the latest version (app/snapshots.ts, as qosd does) and restore it into an empty store of
// the same backend through the ABCI calls a joining node gets (its app hash checked). Disk bytes per key
// from the store's folder. Not a test: the figures depend on the machine and its load, both reported;
// the report goes to bench/results/state-<date>.json. `--phase restore --backend disk --dir <store>` runs only
// the snapshot and the restore of a store a `--phase fill` left (measured again as often as wanted).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { SnapshotManager } from "../app/snapshots.js";
import { DiskStore } from "../app/state/disk/store.js";
import type { StateStore } from "../app/state/store.js";
import { ResponseApplySnapshotChunk_Result as ApplySnapshotChunkResult, ResponseOfferSnapshot_Result as OfferSnapshotResult } from "cosmjs-types/tendermint/abci/types";
import { arg, backendArg, blockChanges, fill, median, openStore, readFillInfo, runPhase, type Backend } from "./state-store.js";

const cacheBytes = Number(arg("cache-mb", "512")) * 1024 * 1024;
const BLOCK = 5_000;
const ROUNDS = 10;
const infoFile = (dir: string) => join(dir, "..", "fill.json");

function dirBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) n += statSync(join(dir, f)).size;
  return n;
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** resident MiB: all, and anonymous only (Linux: without the file pages mapped into the process, LevelDB's
 *  memory-mapped table files above all, which the kernel reclaims under pressure like any file cache) */
function resident(): { all: number; anon: number | undefined } {
  let anon: number | undefined;
  try {
    const m = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) anon = Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux
  }
  return { all: mb(process.memoryUsage().rss), anon };
}
const spread = (xs: number[]) => ({ median: Math.round(median(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)) });

/** child: fill a new store */
async function fillPhase(backend: Backend, dir: string, n: number) {
  const t = performance.now();
  const store = await openStore(backend, dir, cacheBytes);
  await fill(store, n, infoFile(dir), (line) => console.error(`  ${backend} ${n}: ${line}`));
  await store.close();
  return { fill_seconds: Math.round((performance.now() - t) / 1000), rss_fill_mb: mb(process.memoryUsage().rss) };
}

/** child: open the filled store, blocks, snapshot, restore */
async function measurePhase(backend: Backend, dir: string) {
  const info = readFillInfo(infoFile(dir));
  const tOpen = performance.now();
  const store = await openStore(backend, dir, cacheBytes);
  const openMs = performance.now() - tOpen;
  const rssAfterOpen = resident();
  const blockMs: number[] = [];
  // CPU of the whole process (main thread and LevelDB worker): on a shared machine wall time mostly measures
  // the other processes, CPU time what a block costs
  const blockCpuMs: number[] = [];
  let keys = info.keys;
  for (let r = 1; r <= ROUNDS; r++) {
    const height = store.latest.height + 1;
    const block = blockChanges(info, height, BLOCK / 2, BLOCK / 2);
    const t = performance.now();
    const cpu = process.cpuUsage();
    await store.commit(store.prepare(height, block.changes));
    blockMs.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    blockCpuMs.push((used.user + used.system) / 1000);
    keys = block.keysAfter;
  }
  if (store instanceof DiskStore) await store.pruned();
  const rssAfterBlocks = resident();
  if (store.latest.stats && store.latest.stats.keys !== keys) throw new Error(`the store counts ${store.latest.stats.keys} keys, the bench wrote ${keys}`);

  const restored = await snapshotAndRestore(store, backend, dir);
  await store.close();
  return {
    open_ms: Math.round(openMs),
    rss_after_open_mb: rssAfterOpen.all,
    rss_anon_after_open_mb: rssAfterOpen.anon,
    rss_after_blocks_mb: rssAfterBlocks.all,
    rss_anon_after_blocks_mb: rssAfterBlocks.anon,
    prepare_commit_5000_ms: spread(blockMs),
    prepare_commit_5000_cpu_ms: spread(blockCpuMs),
    ...restored,
    keys_after_blocks: keys,
  };
}

/** A snapshot of the latest version as qosd takes it after a commit, then its restore into an empty store of
 *  the same backend as a joining node's ABCI calls make it (the app hash checked). */
async function snapshotAndRestore(store: StateStore, backend: Backend, dir: string) {
  const height = store.latest.height;
  const snapDir = join(dir, "..", "snapshots");
  rmSync(snapDir, { recursive: true, force: true });
  const source = new SnapshotManager(store, { dir: snapDir, interval: height, keepRecent: 1 }, () => {});
  const tSnap = performance.now();
  const cpuSnap = process.cpuUsage();
  source.afterCommit(height);
  await source.idle();
  const snapshotMs = performance.now() - tSnap;
  const snapshotCpu = process.cpuUsage(cpuSnap);
  const [snapshot] = source.snapshots;
  if (!snapshot || Number(snapshot.height) !== height) throw new Error(`no snapshot at height ${height}`);
  let snapshotBytes = 0;
  for (const f of readdirSync(join(snapDir, `${height}-${snapshot.format}`))) snapshotBytes += statSync(join(snapDir, `${height}-${snapshot.format}`, f)).size;

  const restoreDir = join(dir, "..", "restored");
  rmSync(restoreDir, { recursive: true, force: true });
  const target = await openStore(backend, restoreDir, cacheBytes);
  const joiner = new SnapshotManager(target, { dir: join(dir, "..", "restored-snapshots"), interval: 0 }, () => {});
  const tRestore = performance.now();
  const cpuRestore = process.cpuUsage();
  const offer = joiner.offerSnapshot({ snapshot, appHash: store.latest.appHash });
  if (offer.result !== OfferSnapshotResult.ACCEPT) throw new Error(`the snapshot offer was refused (${offer.result})`);
  for (let i = 0; i < snapshot.chunks; i++) {
    const { chunk } = await source.loadSnapshotChunk({ height: snapshot.height, format: snapshot.format, chunk: i });
    const applied = await joiner.applySnapshotChunk({ index: i, chunk, sender: "bench" });
    if (applied.result !== ApplySnapshotChunkResult.ACCEPT) throw new Error(`chunk ${i} of ${snapshot.chunks} was not accepted (${applied.result})`);
  }
  const restoreMs = performance.now() - tRestore;
  const restoreCpu = process.cpuUsage(cpuRestore);
  if (Buffer.compare(Buffer.from(target.latest.appHash), Buffer.from(store.latest.appHash)) !== 0 || target.latest.height !== height) {
    throw new Error("the restored store's app hash or height is not the snapshot's");
  }
  const rssAfterRestore = resident();
  await joiner.close();
  await target.close();
  await source.close();
  return {
    snapshot_ms: Math.round(snapshotMs),
    snapshot_cpu_ms: Math.round((snapshotCpu.user + snapshotCpu.system) / 1000),
    snapshot_mb: mb(snapshotBytes),
    snapshot_chunks: snapshot.chunks,
    restore_ms: Math.round(restoreMs),
    restore_cpu_ms: Math.round((restoreCpu.user + restoreCpu.system) / 1000),
    rss_after_restore_mb: rssAfterRestore.all,
    rss_anon_after_restore_mb: rssAfterRestore.anon,
  };
}

/** child: open a filled store and only snapshot and restore it (a filled folder can be measured again) */
async function restorePhase(backend: Backend, dir: string) {
  const store = await openStore(backend, dir, cacheBytes);
  const rssAfterOpen = resident();
  try {
    return { keys: store.latest.stats?.keys, rss_after_open_mb: rssAfterOpen.all, rss_anon_after_open_mb: rssAfterOpen.anon, ...(await snapshotAndRestore(store, backend, dir)) };
  } finally {
    await store.close();
  }
}

const phase = arg("phase", "");
if (phase === "fill") {
  console.log(JSON.stringify(await fillPhase(backendArg(arg("backend", "")), arg("dir", ""), Number(arg("keys", "0")))));
} else if (phase === "restore") {
  console.log(JSON.stringify(await restorePhase(backendArg(arg("backend", "")), arg("dir", ""))));
} else if (phase === "measure") {
  console.log(JSON.stringify(await measurePhase(backendArg(arg("backend", "")), arg("dir", ""))));
} else {
  const sizes = arg("keys", "1000000").split(",").map(Number);
  const backends = arg("backend", "memory,disk").split(",").map(backendArg);
  const results = [];
  for (const n of sizes) {
    for (const backend of backends) {
      console.error(`state bench: ${n} keys, ${backend} backend, cache ${cacheBytes / 2 ** 20} MiB (disk)`);
      const root = mkdtempSync(join(arg("dir", tmpdir()), "qos-bench-state-"));
      const dir = join(root, "store");
      try {
        const loadBefore = loadavg()[0];
        const filled = await runPhase("state", ["--phase", "fill", "--backend", backend, "--dir", dir, "--keys", String(n), "--cache-mb", String(cacheBytes / 2 ** 20)]);
        const measured = await runPhase("state", ["--phase", "measure", "--backend", backend, "--dir", dir, "--cache-mb", String(cacheBytes / 2 ** 20)]);
        const r = {
          keys: n,
          backend,
          ...filled,
          ...measured,
          disk_bytes_per_key: Math.round(dirBytes(dir) / measured.keys_after_blocks),
          load_average_1m: { before: Math.round(loadBefore * 10) / 10, after: Math.round(loadavg()[0] * 10) / 10 },
        };
        console.error(JSON.stringify(r));
        results.push(r);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
  }
  const out = join("bench/results", `state-${new Date().toISOString().slice(0, 16).replace(/:/g, "")}.json`);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync(out, JSON.stringify({ cache_mb: cacheBytes / 2 ** 20, cpus: 2, results }, null, 2) + "\n");
  console.log(JSON.stringify(results, null, 2));
  console.error(`written ${out}`);
}
