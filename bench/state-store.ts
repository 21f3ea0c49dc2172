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

/** What a filled store holds, written next to it: how many keys, and the height the fill ended at. */
export interface FillInfo {
  keys: number;
  height: number;
}

/** Writes keys 0..n-1 (round 0) in blocks of FillBlock; returns the fill's info (also in `infoFile`). */
export async function fill(store: StateStore, n: number, infoFile: string, progress: (line: string) => void): Promise<FillInfo> {
  let height = store.latest.height;
  const t = performance.now();
  for (let i = 0; i < n; i += FillBlock) {
    const changes: Change[] = [];
    for (let j = i; j < Math.min(n, i + FillBlock); j++) changes.push([key(j), value(j, 0)]);
    await store.commit(store.prepare(++height, changes));
    if ((i / FillBlock) % 20 === 0) progress(`${i + changes.length} keys written, ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  if (store instanceof DiskStore) await store.pruned();
  const info = { keys: n, height };
  writeFileSync(infoFile, JSON.stringify(info) + "\n");
  return info;
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
