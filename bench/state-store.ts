// What bench/state.ts and bench/crash-scale.ts share: the account-sized pairs they write, opening a store
// of either backend as qosd does, filling one, and running a phase in a child process of its own (so that
// resident memory and a kill -9 concern that phase only).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CommitStore, type StateStore } from "../app/state/store.js";
import { DiskStore } from "../app/state/disk/store.js";
import type { Change } from "../app/state/kv.js";

export type Backend = "memory" | "disk";

export function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

export function backendArg(value: string): Backend {
  if (value !== "memory" && value !== "disk") throw new Error(`--backend must be memory or disk, not ${value}`);
  return value;
}

/** deterministic 32-byte key of account i (a hash, so keys spread over the tree as addresses do) */
export function key(i: number): string {
  return "acc/" + createHash("sha256").update(`account-${i}`).digest("binary").slice(0, 28);
}

/** the 100-byte value account i has after round `round` */
export function value(i: number, round: number): Uint8Array {
  const v = new Uint8Array(100);
  v.fill(round & 0xff);
  new DataView(v.buffer).setUint32(0, i);
  return v;
}

/** The store as qosd opens it (config/app.json defaults: memory keeps 100 versions, disk 512 MiB of
 *  caches), with pruning "everything" (the last 2 versions) on disk so that the fill does not keep history. */
export function openStore(backend: Backend, dir: string, cacheBytes: number): Promise<StateStore> {
  return backend === "disk" ? DiskStore.open(dir, { cacheBytes, pruning: { keepRecent: 2, interval: 1 } }) : CommitStore.open(dir, { keepRecent: 100 });
}

export const FillBlock = 50_000;

/** How a store is filled: `blocks` commits FillBlock pairs per block through prepare + commit (as a chain
 *  would write them); `import` writes the same pairs as one version through the store's import (beginImport:
 *  on disk the bottom-up PageBuilder of state sync restore), at the height the blocks would end at. Both give
 *  the same pairs, key count, root and app hash at that height (test/unit/bench-state-fill); the import
 *  writes each page once and keeps no older versions. */
export type FillMode = "blocks" | "import";

export function fillModeArg(value: string, backend: Backend): FillMode {
  if (value === "") return backend === "disk" ? "import" : "blocks";
  if (value !== "blocks" && value !== "import") throw new Error(`--fill must be blocks or import, not ${value}`);
  return value;
}

/** resident MiB: all, and anonymous only (Linux: without the file pages mapped into the process, LevelDB's
 *  memory-mapped table files above all, which the kernel reclaims under pressure like any file cache), and
 *  the peak of all so far (VmHWM) */
export function resident(): { all: number; anon: number | undefined; peak: number | undefined } {
  let anon: number | undefined;
  let peak: number | undefined;
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const a = /^RssAnon:\s+(\d+) kB/m.exec(status);
    if (a) anon = Math.round(Number(a[1]) / 1024);
    const h = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (h) peak = Math.round(Number(h[1]) / 1024);
  } catch {
    // not Linux
  }
  return { all: Math.round(process.memoryUsage().rss / 2 ** 20), anon, peak };
}

/** What a filled store holds, written next to it: how many keys, and the height the fill ended at. */
export interface FillInfo {
  keys: number;
  height: number;
}

/** Writes keys 0..n-1 (round 0) into an empty store, by `mode` (blocks of `blockSize`, or one import at the
 *  height those blocks end at); returns the fill's info (also in `infoFile`). */
export async function fill(
  store: StateStore,
  n: number,
  infoFile: string,
  progress: (line: string) => void,
  mode: FillMode = "blocks",
  blockSize = FillBlock,
): Promise<FillInfo> {
  const t = performance.now();
  const seconds = () => ((performance.now() - t) / 1000).toFixed(0);
  let height = store.latest.height;
  if (mode === "blocks") {
    for (let i = 0; i < n; i += blockSize) {
      const changes: Change[] = [];
      for (let j = i; j < Math.min(n, i + blockSize); j++) changes.push([key(j), value(j, 0)]);
      await store.commit(store.prepare(++height, changes));
      if ((i / blockSize) % 20 === 0) progress(`${i + changes.length} keys written, ${seconds()} s, ${residentLine()}`);
    }
  } else {
    if (height !== 0) throw new Error(`fill --fill import needs an empty store (latest height ${height})`);
    height = Math.max(1, Math.ceil(n / blockSize));
    const order = accountsInKeyOrder(n);
    progress(`${n} keys sorted, ${seconds()} s, ${residentLine()}`);
    const importer = store.beginImport(height);
    const slice = 10_000;
    for (let i = 0; i < n; i += slice) {
      const pairs: Array<[string, Uint8Array]> = [];
      for (let j = i; j < Math.min(n, i + slice); j++) pairs.push([key(order[j]), value(order[j], 0)]);
      importer.add(pairs);
      if ((i + slice) % 1_000_000 === 0) progress(`${i + pairs.length} keys imported, ${seconds()} s, ${residentLine()}`);
    }
    await importer.finish();
    progress(`tree built and committed at height ${height}, ${seconds()} s, ${residentLine()}`);
  }
  if (store instanceof DiskStore) await store.pruned();
  const info = { keys: n, height };
  writeFileSync(infoFile, JSON.stringify(info) + "\n");
  return info;
}

function residentLine(): string {
  const r = resident();
  return `RSS ${r.all} MB (anon ${r.anon ?? "?"}, peak ${r.peak ?? "?"}), JS heap used ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB`;
}

const DIGEST = 28;

/** Account indices 0..n-1 in increasing order of key(i) (an import takes keys in key order). Holds the keys'
 *  28 digest bytes and the order (32 B per account, 320 MB at 10M), not n strings: a counting sort on the
 *  first two digest bytes, then each bucket (~150 accounts at 10M) sorted by its bytes. */
export function accountsInKeyOrder(n: number): Uint32Array {
  const digests = Buffer.allocUnsafeSlow(n * DIGEST);
  for (let i = 0; i < n; i++) createHash("sha256").update(`account-${i}`).digest().copy(digests, i * DIGEST, 0, DIGEST);
  const starts = new Uint32Array(65_537);
  for (let i = 0; i < n; i++) starts[digests.readUInt16BE(i * DIGEST) + 1]++;
  for (let b = 1; b <= 65_536; b++) starts[b] += starts[b - 1];
  const at = starts.slice(0, 65_536);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[at[digests.readUInt16BE(i * DIGEST)]++] = i;
  const byDigest = (x: number, y: number) => digests.compare(digests, y * DIGEST, y * DIGEST + DIGEST, x * DIGEST, x * DIGEST + DIGEST);
  for (let b = 0; b < 65_536; b++) if (starts[b + 1] - starts[b] > 1) order.subarray(starts[b], starts[b + 1]).sort(byDigest);
  return order;
}

export function readFillInfo(infoFile: string): FillInfo {
  return JSON.parse(readFileSync(infoFile, "utf8")) as FillInfo;
}

/** Block `height` after a fill: `updates` accounts of the filled range get round `height`'s value, and
 *  `added` new accounts (numbered after everything earlier blocks added) appear. */
export function blockChanges(fillInfo: FillInfo, height: number, updates: number, added: number): { changes: Change[]; keysAfter: number } {
  const round = height - fillInfo.height;
  const changes: Change[] = [];
  for (let j = 0; j < updates; j++) {
    const i = (round * 7_919 * (j + 1)) % fillInfo.keys;
    changes.push([key(i), value(i, height)]);
  }
  const first = fillInfo.keys + (round - 1) * added;
  for (let i = first; i < first + added; i++) changes.push([key(i), value(i, height)]);
  // distinct keys: an update that drew the same account twice keeps the last
  const unique = [...new Map(changes).entries()];
  return { changes: unique, keysAfter: first + added };
}

/** The compiled script `name` (dist/bench/<name>.js) run as a child with `args`: resolves with its stdout
 *  lines parsed as JSON (stderr passes through for progress). */
export function runPhase(name: string, args: string[]): Promise<any> {
  const script = join(fileURLToPath(new URL(".", import.meta.url)), `${name}.js`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--max-old-space-size=16384", script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${name} ${args.join(" ")} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop()!));
      } catch (e) {
        reject(new Error(`${name} ${args.join(" ")}: no JSON result (${(e as Error).message})`));
      }
    });
  });
}

export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
