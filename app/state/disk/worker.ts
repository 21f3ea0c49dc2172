// The LevelDB handle of a disk store lives here, in a worker thread, because classic-level only reads
// asynchronously and the app reads state synchronously (docs/decisions.md "State on disk"). The main
// thread posts a request; a synchronous one is answered on `syncPort` and signalled through the shared
// flag (the main thread sleeps on it with Atomics.wait and takes the answer with receiveMessageOnPort),
// an asynchronous one (commit and pruning batches) is answered on parentPort.

import { readlinkSync } from "node:fs";
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { ClassicLevel } from "classic-level";
import { compact, packValues, unescapeKey, unpackBatch, valueRecordVersion } from "./layout.js";

export type Request =
  | { op: "open" }
  /** the worker thread's Linux thread id (bench: per-thread CPU from /proc), null elsewhere */
  | { op: "thread" }
  | { op: "first"; gte: Uint8Array; lt: Uint8Array }
  /** answered with packValues' buffer (transferred) */
  | { op: "getMany"; keys: Uint8Array[] }
  | { op: "scan"; gte?: Uint8Array; gt?: Uint8Array; lt: Uint8Array; reverse: boolean; version: number; limit: number }
  | { op: "keys"; gte: Uint8Array; lt: Uint8Array; limit: number }
  /** a PackedBatch buffer (transferred) */
  | { op: "batch"; ops: Uint8Array; sync: boolean }
  | { op: "compact" }
  /** deletes every record (an empty store's leftovers of an import) */
  | { op: "clear" }
  | { op: "close" };

export interface ScanResult {
  /** resolved pairs in scan order (tombstones left out) */
  entries: Array<[string, Uint8Array]>;
  /** the value prefix of the last key group read in full; null when the range is exhausted */
  resume: Uint8Array | null;
}

interface Envelope {
  id: number;
  sync: boolean;
  req: Request;
}

const { dir, flag: flagBuffer, syncPort } = workerData as { dir: string; flag: SharedArrayBuffer; syncPort: MessagePort };
const flag = new Int32Array(flagBuffer);
// a commit writes several MB (every node on the changed paths): a larger memtable than LevelDB's 4 MB default
// means fewer level-0 files and compactions in the middle of blocks
const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view", writeBufferSize: 32 * 1024 * 1024 });
const opened = db.open();
opened.catch(() => {});

/**
 * The synchronous point reads ("first": a value record at or below a version) seek one iterator instead of
 * opening one each (a LevelDB snapshot, a merge over every table, and a close, each read of a cold cache:
 * every account a block touches after a large genesis). An iterator sees the records written before it was
 * opened, so each write retires it; a read the main thread still waits for finishes on the retired one (it
 * reads a height committed before that write, whose records the write leaves alone). The main thread waits
 * for each synchronous read, so the iterator never has two reads at once.
 */
type PointIterator = ReturnType<typeof db.iterator<Uint8Array, Uint8Array>>;
let pointIterator: PointIterator | undefined;
let pointRead: Promise<unknown> = Promise.resolve();

function retirePointIterator(): void {
  const it = pointIterator;
  if (it === undefined) return;
  pointIterator = undefined;
  void pointRead.finally(() => it.close()).catch(() => {});
}

async function first(gte: Uint8Array, lt: Uint8Array): Promise<Uint8Array | null> {
  const it = (pointIterator ??= db.iterator<Uint8Array, Uint8Array>({}));
  it.seek(gte);
  const read = it.next();
  pointRead = read;
  const got = await read;
  return got === undefined || compareBytes(got[0], lt) >= 0 ? null : compact(got[1]);
}

/** a key range no record is in (every table's first byte is a letter) */
const FLUSH_RANGE = [Uint8Array.of(0), Uint8Array.of(0, 0)] as const;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

async function scan(r: Extract<Request, { op: "scan" }>): Promise<ScanResult> {
  // a range option present but undefined is not the same as absent to abstract-level
  const it = db.iterator(r.gt !== undefined ? { gt: r.gt, lt: r.lt, reverse: r.reverse } : { gte: r.gte, lt: r.lt, reverse: r.reverse });
  const entries: Array<[string, Uint8Array]> = [];
  let group: Uint8Array | null = null;
  let chosen: Uint8Array | undefined;
  let resume: Uint8Array | null = null;
  const finish = (): void => {
    if (group !== null && chosen !== undefined && chosen[0] === 1) entries.push([unescapeKey(group), Uint8Array.prototype.slice.call(chosen, 1)]);
  };
  try {
    for (;;) {
      const batch = await it.nextv(entries.length + 64 < r.limit ? 256 : 64);
      if (batch.length === 0) {
        finish();
        return { entries, resume: null };
      }
      for (const [k, v] of batch) {
        const prefix = k.subarray(0, k.length - 8);
        if (group === null || !sameBytes(prefix, group)) {
          if (group !== null) {
            finish();
            resume = group;
            if (entries.length >= r.limit) return { entries, resume };
          }
          group = Uint8Array.prototype.slice.call(prefix);
          chosen = undefined;
        }
        // forward: a key's records come newest first, take the first at or below the version;
        // reverse: oldest first, take the last at or below it
        if (valueRecordVersion(k) <= r.version && (r.reverse || chosen === undefined)) chosen = v;
      }
    }
  } finally {
    await it.close();
  }
}

/** keys below which one getMany is cheaper than splitting it */
const SPLIT_MIN = 256;
/** getMany parts run at once: classic-level reads the keys of one getMany one after the other on one thread
 *  of libuv's pool (4 threads), so a prefetch level of thousands of pages is split to use more than one core */
const SPLIT_PARTS = 4;

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

async function getMany(keys: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
  if (keys.length < SPLIT_MIN) return db.getMany(keys);
  // in key order, so that each part reads neighbouring records (LevelDB's block cache serves a block once)
  const order = keys.map((_, i) => i).sort((a, b) => compareBytes(keys[a], keys[b]));
  const size = Math.ceil(keys.length / SPLIT_PARTS);
  const parts: Array<Promise<Array<Uint8Array | undefined>>> = [];
  for (let p = 0; p < keys.length; p += size) parts.push(db.getMany(order.slice(p, p + size).map((i) => keys[i])));
  const got = await Promise.all(parts);
  const out = new Array<Uint8Array | undefined>(keys.length);
  for (let j = 0; j < got.length; j++) {
    const part = got[j];
    for (let k = 0; k < part.length; k++) out[order[j * size + k]] = part[k];
  }
  return out;
}

async function handle(req: Request): Promise<unknown> {
  await opened;
  switch (req.op) {
    case "open":
      return null;
    case "thread":
      try {
        return Number(readlinkSync("/proc/thread-self").split("/").pop());
      } catch {
        return null;
      }
    case "first":
      return first(req.gte, req.lt);
    case "getMany":
      return packValues(await getMany(req.keys));
    case "scan":
      return scan(req);
    case "keys": {
      const keys = await db.keys({ gte: req.gte, lt: req.lt, limit: req.limit }).all();
      return keys.map(compact);
    }
    case "batch": {
      const batch = db.batch();
      unpackBatch(
        req.ops,
        (key, value) => batch.put(key, value),
        (key) => batch.del(key),
      );
      await batch.write({ sync: req.sync });
      retirePointIterator();
      return null;
    }
    case "clear":
      await db.clear();
      retirePointIterator();
      return null;
    case "compact":
      await db.compactRange(Uint8Array.of(0), Uint8Array.of(0xff));
      return null;
    case "close":
      // LevelDB replays its write-ahead log (up to a whole write buffer) at open; compacting a range that
      // holds no record first writes the memtable out as a table and starts an empty log, so the next open
      // reads only the manifest and the table index (a kill -9 still leaves a log to replay)
      await db.compactRange(FLUSH_RANGE[0], FLUSH_RANGE[1]);
      retirePointIterator();
      await pointRead.catch(() => {});
      await db.close();
      return null;
  }
}

parentPort!.on("message", (msg: Envelope) => {
  handle(msg.req).then(
    (ok) => reply(msg, { id: msg.id, ok }),
    (e: unknown) => reply(msg, { id: msg.id, error: e instanceof Error ? e.message : String(e) }),
  );
});

function reply(msg: Envelope, answer: { id: number; ok?: unknown; error?: string }): void {
  // a packed answer (getMany) is moved, not copied
  const transfer = answer.ok instanceof Uint8Array && answer.ok.byteOffset === 0 && answer.ok.byteLength === answer.ok.buffer.byteLength ? [answer.ok.buffer as ArrayBuffer] : [];
  if (msg.sync) {
    syncPort.postMessage(answer, transfer);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  } else {
    parentPort!.postMessage(answer, transfer);
  }
}
