// npm run bench:state-profile -- --dir <a store filled by bench:state --phase fill> [--profile out.cpuprofile]:
// where a block of 5,000 changes goes in the disk store (issue 13). Copies the filled store (so that every
// run starts from the same state and a cold cache), opens the copy and runs the same 10 blocks as
// bench:state's measure phase, counting per block: page cache hits and misses, worker round trips by op,
// pages written and bytes in the commit batch, and the CPU of each thread from /proc (main thread, the
// LevelDB worker's JS thread, the others: libuv's pool where LevelDB reads and writes, LevelDB's compaction
// thread, V8's GC helpers). --profile also samples the main thread with the inspector. Linux only.
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { DiskStore } from "../app/state/disk/store.js";
import { summarizeProfile } from "./profile.js";
import { arg, blockChanges, median, readFillInfo } from "./state-store.js";

const src = arg("dir", "");
if (!src) throw new Error("--dir: a store filled by bench:state --phase fill (its fill.json next to it)");
const cacheBytes = Number(arg("cache-mb", "512")) * 1024 * 1024;
const rounds = Number(arg("rounds", "10"));
const profileOut = arg("profile", "");
const work = `${src}-copy`;
rmSync(work, { recursive: true, force: true });
cpSync(src, work, { recursive: true });

/** CPU ms (user + system) of each thread of this process */
function threadCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, "latin1");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(t), (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // the thread ended
    }
  }
  return out;
}

const info = readFillInfo(join(src, "..", "fill.json"));
const store = await DiskStore.open(work, { cacheBytes, pruning: { keepRecent: 2, interval: 1 } });
const workerThread = store.diagnostics().workerThread;
const session = new Session();
if (profileOut) {
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
}
interface Row {
  height: number;
  prepare_ms: number;
  commit_ms: number;
  cpu_ms: number;
  cpu_threads_ms: { main: number; worker: number; others: number };
  page_hits: number;
  page_misses: number;
  round_trips_sync: Record<string, number>;
  round_trips_async: Record<string, number>;
  pages_written: number;
  /** pages whose top node is a leaf (a lone leaf at a page boundary: a record of its own) */
  leaf_pages_written: number;
  page_bytes: number;
  orphans: number;
  values: number;
}
const rows: Row[] = [];
/** CPU ms of each thread other than the main and worker threads over all blocks (which one is LevelDB's
 *  compaction thread shows by its share) */
const otherThreads = new Map<number, number>();
const loadBefore = loadavg()[0];
const snapshot = () => {
  const d = store.diagnostics();
  return { ...d.pages, sync: new Map(d.roundTrips.sync), async: new Map(d.roundTrips.async) };
};
for (let r = 1; r <= rounds; r++) {
  const height = store.latest.height + 1;
  const block = blockChanges(info, height, 2_500, 2_500);
  const before = snapshot();
  const cpu0 = threadCpu();
  const pc0 = process.cpuUsage();
  const t0 = performance.now();
  const pending = store.prepare(height, block.changes);
  const t1 = performance.now();
  await store.commit(pending);
  const t2 = performance.now();
  const pc = process.cpuUsage(pc0);
  const cpu1 = threadCpu();
  await store.pruned();
  const after = snapshot();
  let main = 0;
  let worker = 0;
  let others = 0;
  for (const [tid, ms] of cpu1) {
    const d = ms - (cpu0.get(tid) ?? 0);
    if (tid === process.pid) main += d;
    else if (tid === workerThread) worker += d;
    else {
      others += d;
      otherThreads.set(tid, (otherThreads.get(tid) ?? 0) + d);
    }
  }
  const trips = (m: "sync" | "async") => Object.fromEntries([...after[m]].map(([op, n]) => [op, n - (before[m].get(op) ?? 0)]).filter(([, n]) => n !== 0));
  // a block over the filled store: never the first version of an empty store (which has no diff, see DiskStore.prepare)
  const diff = pending.diff;
  if (diff === null) throw new Error(`height ${height}: the store was empty`);
  const pageBytes = diff.pages.reduce((n, [k, v]) => n + k.length + v.length, 0);
  rows.push({
    height,
    prepare_ms: Math.round(t1 - t0),
    commit_ms: Math.round(t2 - t1),
    cpu_ms: Math.round((pc.user + pc.system) / 1000),
    cpu_threads_ms: { main, worker, others },
    page_hits: after.hits - before.hits,
    page_misses: after.misses - before.misses,
    round_trips_sync: trips("sync"),
    round_trips_async: trips("async"),
    pages_written: diff.pages.length,
    leaf_pages_written: diff.pages.filter(([, v]) => v[0] === 1).length,
    page_bytes: pageBytes,
    orphans: diff.orphans.length,
    values: diff.values.length,
  });
  console.error(JSON.stringify(rows[rows.length - 1]));
}
if (profileOut) {
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(profileOut, JSON.stringify(profile));
  session.disconnect();
}
await store.close();
rmSync(work, { recursive: true, force: true });
const med = (f: (r: Row) => number) => Math.round(median(rows.map(f)));
const summary = {
  keys: info.keys,
  rounds,
  load_average_1m: { before: Math.round(loadBefore * 10) / 10, after: Math.round(loadavg()[0] * 10) / 10 },
  median: {
    prepare_ms: med((r) => r.prepare_ms),
    commit_ms: med((r) => r.commit_ms),
    wall_ms: med((r) => r.prepare_ms + r.commit_ms),
    cpu_ms: med((r) => r.cpu_ms),
    cpu_main_ms: med((r) => r.cpu_threads_ms.main),
    cpu_worker_ms: med((r) => r.cpu_threads_ms.worker),
    cpu_others_ms: med((r) => r.cpu_threads_ms.others),
    page_hits: med((r) => r.page_hits),
    page_misses: med((r) => r.page_misses),
    pages_written: med((r) => r.pages_written),
    leaf_pages_written: med((r) => r.leaf_pages_written),
    page_bytes: med((r) => r.page_bytes),
  },
  other_threads_total_ms: [...otherThreads.values()].filter((ms) => ms > 0).sort((a, b) => b - a),
};
console.log(JSON.stringify(summary));
if (profileOut) {
  const p = summarizeProfile(profileOut, 30);
  console.error(`main thread: busy ${Math.round(p.busyMs)} ms, idle ${Math.round(p.idleMs)} ms; self time:`);
  for (const e of p.self) console.error(`  ${e.pct.toFixed(1).padStart(5)}%  ${Math.round(e.ms).toString().padStart(6)} ms  ${e.fn}`);
}
