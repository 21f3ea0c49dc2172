// npm run bench:state [-- --keys 1000000,10000000 --backend memory,disk --cache-mb 512 --dir /tmp/x --fill import]:
// the state stores at scale (issue 13 part 5). For each size and backend, in a child process each: fill the
// store with account-sized pairs (32-byte keys, 100-byte values) and close it (`--fill import`, the default
// on disk: one import of all pairs, the bottom-up build of state sync restore; `--fill blocks`, the default
// in memory: blocks of 50,000; same pairs, root and height either way); then, in a fresh process, time the
// open and read the resident memory after it, time prepare + commit of blocks of 5,000 changes (half
// updates, half new keys; median of 10, wall and process CPU), take a state-sync snapshot of the latest
// version (app/snapshots.ts, as qosd does) and restore it into an empty store of the same backend through
// the ABCI calls a joining node gets (its app hash checked). Disk bytes per key from the store's folder.
// Not a test: the figures depend on the machine and its load, both reported; the report goes to
// bench/results/state-<date>.json.
// Phases over a store a `--phase fill --dir <store> --keys N` left (its fill.json beside it), each with
// `--backend` and `--dir <store>`: `--phase blocks` (open + the 10 blocks), `--phase measure` (the same, then
// snapshot + restore), `--phase restore` (snapshot + restore only). Blocks change the store: with `--copy`
// the phase runs on a fresh copy (`<store>-copy`, deleted after), so that the filled store can be measured
// again from the same state.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { SnapshotManager } from "../app/snapshots.js";
import { DiskStore } from "../app/state/disk/store.js";
import type { StateStore } from "../app/state/store.js";
import { ResponseApplySnapshotChunk_Result as ApplySnapshotChunkResult, ResponseOfferSnapshot_Result as OfferSnapshotResult } from "cosmjs-types/tendermint/abci/types";
import { arg, backendArg, blockChanges, fill, fillModeArg, median, openStore, readFillInfo, resident, runPhase, type Backend } from "./state-store.js";

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

const spread = (xs: number[]) => ({ median: Math.round(median(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)) });

/** child: fill a new store */
async function fillPhase(backend: Backend, dir: string, n: number) {
  const mode = fillModeArg(arg("fill", ""), backend);
  const t = performance.now();
  const cpu = process.cpuUsage();
  // the main thread blocks in the store's synchronous calls: a sample now and then sees the anonymous
  // memory between them (VmHWM gives the peak of all resident memory)
  let anonPeak = 0;
  const sampler = setInterval(() => (anonPeak = Math.max(anonPeak, resident().anon ?? 0)), 250);
  try {
    const store = await openStore(backend, dir, cacheBytes);
    await fill(store, n, infoFile(dir), (line) => console.error(`  ${backend} ${n} (${mode}): ${line}`), mode);
    await store.close();
  } finally {
    clearInterval(sampler);
  }
  const used = process.cpuUsage(cpu);
  const r = resident();
  return {
    fill: mode,
    fill_seconds: Math.round((performance.now() - t) / 1000),
    fill_cpu_seconds: Math.round((used.user + used.system) / 1000) / 1000,
    rss_fill_mb: r.all,
    rss_fill_peak_mb: r.peak,
    rss_anon_fill_peak_mb: Math.max(anonPeak, r.anon ?? 0),
  };
}

/** child: open the filled store, blocks, then (unless `blocksOnly`) snapshot and restore */
async function measurePhase(backend: Backend, dir: string, blocksOnly = false) {
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
  const heapAfterBlocks = process.memoryUsage();
  if (store.latest.stats && store.latest.stats.keys !== keys) throw new Error(`the store counts ${store.latest.stats.keys} keys, the bench wrote ${keys}`);

  const restored = blocksOnly ? {} : await snapshotAndRestore(store, backend, dir);
  await store.close();
  return {
    open_ms: Math.round(openMs),
    rss_after_open_mb: rssAfterOpen.all,
    rss_anon_after_open_mb: rssAfterOpen.anon,
    rss_after_blocks_mb: rssAfterBlocks.all,
    rss_anon_after_blocks_mb: rssAfterBlocks.anon,
    // what of the anonymous memory is the JS heap in use (the caches' objects), and what Buffers hold outside it
    heap_used_after_blocks_mb: mb(heapAfterBlocks.heapUsed),
    external_after_blocks_mb: mb(heapAfterBlocks.external),
    prepare_commit_5000_ms: spread(blockMs),
    prepare_commit_5000_cpu_ms: spread(blockCpuMs),
    ...restored,
    keys_after_blocks: keys,
    disk_bytes_per_key: Math.round(dirBytes(dir) / keys),
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
  // a restored 10M-key store is as large as the source: nothing of it is measured later
  rmSync(restoreDir, { recursive: true, force: true });
  rmSync(snapDir, { recursive: true, force: true });
  rmSync(join(dir, "..", "restored-snapshots"), { recursive: true, force: true });
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

/** `--copy`: a phase over an existing filled store works on a fresh copy of it (`<dir>-copy`, deleted after),
 *  so that the filled store stays as the fill left it and every run starts from the same state, cold */
async function onCopy<T>(dir: string, run: (dir: string) => Promise<T>): Promise<T> {
  if (!process.argv.includes("--copy")) return run(dir);
  const work = `${dir}-copy`;
  rmSync(work, { recursive: true, force: true });
  const t = performance.now();
  cpSync(dir, work, { recursive: true });
  console.error(`  copied ${dir} to ${work} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  try {
    return await run(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const phase = arg("phase", "");
const phaseDir = arg("dir", "");
if (phase === "fill") {
  console.log(JSON.stringify(await fillPhase(backendArg(arg("backend", "")), phaseDir, Number(arg("keys", "0")))));
} else if (phase === "restore") {
  console.log(JSON.stringify(await onCopy(phaseDir, (d) => restorePhase(backendArg(arg("backend", "")), d))));
} else if (phase === "measure" || phase === "blocks") {
  const backend = backendArg(arg("backend", ""));
  const loadBefore = loadavg()[0];
  const r = await onCopy(phaseDir, (d) => measurePhase(backend, d, phase === "blocks"));
  console.log(JSON.stringify({ ...r, load_average_1m: { before: Math.round(loadBefore * 10) / 10, after: Math.round(loadavg()[0] * 10) / 10 } }));
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
        const fillArgs = arg("fill", "") === "" ? [] : ["--fill", arg("fill", "")];
        const filled = await runPhase("state", ["--phase", "fill", "--backend", backend, "--dir", dir, "--keys", String(n), "--cache-mb", String(cacheBytes / 2 ** 20), ...fillArgs]);
        const measured = await runPhase("state", ["--phase", "measure", "--backend", backend, "--dir", dir, "--cache-mb", String(cacheBytes / 2 ** 20)]);
        const r = {
          keys: n,
          backend,
          ...filled,
          ...measured,
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
