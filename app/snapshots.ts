// State sync (ABCI ListSnapshots / LoadSnapshotChunk on serving nodes, OfferSnapshot / ApplySnapshotChunk on
// a joining one) over the state store's exportVersion / beginImport (CommitStore or DiskStore).
//
// Snapshot format 1. A snapshot of height H is the whole key space of version H, in key order, cut into
// chunks; CometBFT checks the restored app hash against its light client's header H+1, and this module
// checks every chunk against the hashes in the metadata before any of it reaches the store.
//   chunk    = encoding u8 (0 raw, 1 deflate-raw, used when it is smaller) ‖ body
//   body     = { uvarint key length ‖ key ‖ uvarint value length ‖ value }*   (≤ MaxChunkBodyBytes)
//   metadata = format u8 (1) ‖ height u64 BE ‖ app hash (32) ‖ pairs u64 BE ‖ chunk count u32 BE
//              ‖ sha256 of each chunk as sent (32 each)                       (exact length)
//   Snapshot.hash = sha256(metadata)
// On disk: <dir>/<H>-1/{metadata, 0, 1, …}, written under <dir>/<H>-1.tmp and renamed when complete, so a
// crash never leaves a partial snapshot to serve (leftover .tmp folders are removed at open).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { deflateRaw, inflateRawSync } from "node:zlib";
import {
  ResponseApplySnapshotChunk_Result as ApplyResult,
  ResponseOfferSnapshot_Result as OfferResult,
  type RequestApplySnapshotChunk,
  type RequestLoadSnapshotChunk,
  type RequestOfferSnapshot,
  type ResponseApplySnapshotChunk,
  type ResponseListSnapshots,
  type ResponseLoadSnapshotChunk,
  type ResponseOfferSnapshot,
  type Snapshot,
} from "cosmjs-types/tendermint/abci/types";
import type { StateImporter, StateStore } from "./state/store.js";
import { Progress, type LogSink } from "./log.js";
import { uvarintSize } from "./varint.js";

export const SnapshotFormat = 1;
/** CometBFT's p2p chunk message is at most 16,000,000 bytes; a chunk leaves room for its envelope. */
export const MaxChunkBytes = 16_000_000 - 4096;
/** a decompressed chunk body is never larger than a raw chunk could be */
export const MaxChunkBodyBytes = MaxChunkBytes - 1;
/** default body size a chunk is cut at */
export const DefaultChunkBytes = 8 * 1024 * 1024;
/** a chunk that fails its hash this often (from any senders) makes the snapshot rejected */
const MaxChunkRetries = 5;
const ENCODING_RAW = 0;
const ENCODING_DEFLATE = 1;
const HEADER_BYTES = 1 + 8 + 32 + 8 + 4;

export interface SnapshotOptions {
  /** folder of the snapshots (<home>/data/snapshots) */
  dir: string;
  /** take a snapshot after every commit of a height divisible by this; 0 = never */
  interval: number;
  /** how many snapshots stay on disk (the newest); default 2 */
  keepRecent?: number;
  /** body size a chunk is cut at (tests use small ones); default 8 MiB, at most MaxChunkBodyBytes */
  chunkBytes?: number;
}

export interface SnapshotMetadata {
  height: number;
  appHash: Uint8Array;
  pairs: bigint;
  chunkHashes: Uint8Array[];
}

export function encodeMetadata(m: SnapshotMetadata): Uint8Array {
  const out = Buffer.alloc(HEADER_BYTES + 32 * m.chunkHashes.length);
  out[0] = SnapshotFormat;
  out.writeBigUInt64BE(BigInt(m.height), 1);
  out.set(m.appHash, 9);
  out.writeBigUInt64BE(m.pairs, 41);
  out.writeUInt32BE(m.chunkHashes.length, 49);
  m.chunkHashes.forEach((h, i) => out.set(h, HEADER_BYTES + 32 * i));
  return out;
}

/** Decodes metadata of format 1; throws with the reason when it is not exactly that. */
export function decodeMetadata(bytes: Uint8Array): SnapshotMetadata {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < HEADER_BYTES) throw new Error(`snapshot metadata has ${b.length} bytes (at least ${HEADER_BYTES})`);
  if (b[0] !== SnapshotFormat) throw new Error(`snapshot metadata of format ${b[0]} (this node reads ${SnapshotFormat})`);
  const height = b.readBigUInt64BE(1);
  if (height < 1n || height > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`snapshot metadata height ${height} out of range`);
  const count = b.readUInt32BE(49);
  if (b.length !== HEADER_BYTES + 32 * count) throw new Error(`snapshot metadata has ${b.length} bytes for ${count} chunks (expected ${HEADER_BYTES + 32 * count})`);
  if (count === 0) throw new Error("snapshot metadata lists no chunk");
  const copy = (at: number) => Uint8Array.prototype.slice.call(b, at, at + 32);
  const chunkHashes: Uint8Array[] = [];
  for (let i = 0; i < count; i++) chunkHashes.push(copy(HEADER_BYTES + 32 * i));
  return { height: Number(height), appHash: copy(9), pairs: b.readBigUInt64BE(41), chunkHashes };
}

const sha256 = (data: Uint8Array) => new Uint8Array(createHash("sha256").update(data).digest());
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();
const deflate = promisify(deflateRaw);

function putUvarint(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

/** Pairs → one chunk body. */
function encodeBody(pairs: ReadonlyArray<[string, Uint8Array]>, size: number): Buffer {
  const body = Buffer.alloc(size);
  let at = 0;
  for (const [k, v] of pairs) {
    at = putUvarint(body, at, k.length);
    at += body.write(k, at, "latin1");
    at = putUvarint(body, at, v.length);
    body.set(v, at);
    at += v.length;
  }
  return body;
}

const pairSize = (k: string, v: Uint8Array) => uvarintSize(k.length) + k.length + uvarintSize(v.length) + v.length;

/** A chunk as sent → its pairs; throws on any malformation (a chunk whose hash matched came from the
 *  snapshot's creator, so this refuses a bad snapshot, not a bad sender). */
export function decodeChunk(chunk: Uint8Array): Array<[string, Uint8Array]> {
  if (chunk.length < 1 || chunk.length > MaxChunkBytes) throw new Error(`chunk of ${chunk.length} bytes (1 to ${MaxChunkBytes})`);
  const payload = chunk.subarray(1);
  let body: Buffer;
  if (chunk[0] === ENCODING_RAW) body = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  else if (chunk[0] === ENCODING_DEFLATE) body = inflateRawSync(payload, { maxOutputLength: MaxChunkBodyBytes });
  else throw new Error(`chunk encoding ${chunk[0]} is unknown`);
  const pairs: Array<[string, Uint8Array]> = [];
  let at = 0;
  const uvarint = (): number => {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (at >= body.length) throw new Error("chunk ends inside a length");
      const byte = body[at++];
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) return n;
      scale *= 128;
    }
    throw new Error("chunk length varint longer than 5 bytes");
  };
  const take = (n: number): Buffer => {
    if (n > body.length - at) throw new Error(`chunk ends inside a ${n}-byte field`);
    const out = body.subarray(at, at + n);
    at += n;
    return out;
  };
  while (at < body.length) {
    const key = take(uvarint()).toString("latin1");
    // a copy: the store keeps the array, and the body is one large allocation
    const value = Uint8Array.prototype.slice.call(take(uvarint()));
    pairs.push([key, value]);
  }
  return pairs;
}

interface StoredSnapshot {
  snapshot: Snapshot;
  folder: string;
}

interface Restore {
  snapshot: Snapshot;
  metadata: SnapshotMetadata;
  importer: StateImporter;
  next: number;
  pairs: bigint;
  failures: Map<number, number>;
  progress: Progress;
}

/**
 * Snapshots of a state store: taking them in the background after a commit, serving them to peers, and
 * restoring one into an empty store. Every ABCI answer is one of CometBFT's result codes; nothing here
 * throws into the ABCI server.
 */
export class SnapshotManager {
  private readonly stored = new Map<number, StoredSnapshot>();
  private readonly keepRecent: number;
  private readonly chunkBytes: number;
  private taking?: Promise<void>;
  private restore?: Restore;
  private closing = false;

  constructor(
    private readonly store: StateStore,
    private readonly options: SnapshotOptions,
    private readonly log: LogSink,
    /** called once a restore has committed: the app reloads what it derives from the latest version */
    private readonly restored: () => void = () => {},
  ) {
    this.keepRecent = options.keepRecent ?? 2;
    this.chunkBytes = options.chunkBytes ?? DefaultChunkBytes;
    if (!Number.isInteger(options.interval) || options.interval < 0) throw new RangeError(`snapshot interval must be an integer >= 0, got ${options.interval}`);
    if (!Number.isInteger(this.keepRecent) || this.keepRecent < 1) throw new RangeError(`snapshot keepRecent must be an integer >= 1, got ${this.keepRecent}`);
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 1 || this.chunkBytes > MaxChunkBodyBytes) {
      throw new RangeError(`snapshot chunkBytes must be 1..${MaxChunkBodyBytes}, got ${this.chunkBytes}`);
    }
    mkdirSync(options.dir, { recursive: true });
    for (const name of readdirSync(options.dir)) {
      const folder = join(options.dir, name);
      const m = /^(\d+)-(\d+)$/.exec(name);
      if (!m || Number(m[2]) !== SnapshotFormat || !existsSync(join(folder, "metadata"))) {
        if (name.endsWith(".tmp")) rmSync(folder, { recursive: true, force: true });
        continue;
      }
      const metadata = readFileSync(join(folder, "metadata"));
      try {
        const decoded = decodeMetadata(metadata);
        this.stored.set(decoded.height, { folder, snapshot: toSnapshot(decoded, metadata) });
      } catch (e) {
        this.log(`snapshot ${folder} is unreadable and is skipped: ${(e as Error).message}`);
      }
    }
  }

  /** the snapshots on disk, newest first */
  get snapshots(): Snapshot[] {
    return [...this.stored.keys()].sort((a, b) => b - a).map((h) => this.stored.get(h)!.snapshot);
  }

  /** Called after each commit: starts a snapshot of `height` when it is due and none is being taken. */
  afterCommit(height: number): void {
    if (this.options.interval === 0 || height % this.options.interval !== 0) return;
    if (this.closing) return;
    if (this.taking) {
      this.log(`snapshot at height ${height} skipped: the previous one is still being written`);
      return;
    }
    // exportVersion is called now, while the version is surely kept; the work goes on in the background
    const pairs = this.store.exportVersion(height);
    const appHash = this.store.latest.height === height ? this.store.latest.appHash : this.store.at(height)!.appHash;
    this.taking = this.write(height, appHash, pairs)
      .catch((e) => this.log(`snapshot at height ${height} failed: ${(e as Error).message}`, "error"))
      .finally(() => (this.taking = undefined));
  }

  /** resolves when no snapshot is being written (tests) */
  async idle(): Promise<void> {
    await this.taking;
  }

  /** Stops a snapshot being written (its folder is removed) and a restore in progress; resolves when done. */
  async close(): Promise<void> {
    this.closing = true;
    this.abortRestore();
    await this.taking;
  }

  private async write(height: number, appHash: Uint8Array, pairs: AsyncIterable<[string, Uint8Array]>): Promise<void> {
    const started = performance.now();
    const name = `${height}-${SnapshotFormat}`;
    const folder = join(this.options.dir, name);
    const tmp = `${folder}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
      const chunkHashes: Uint8Array[] = [];
      let count = 0n;
      let batch: Array<[string, Uint8Array]> = [];
      let size = 0;
      const flush = async () => {
        const body = encodeBody(batch, size);
        const packed = await deflate(body);
        const chunk = packed.length < body.length ? Buffer.concat([Buffer.of(ENCODING_DEFLATE), packed]) : Buffer.concat([Buffer.of(ENCODING_RAW), body]);
        chunkHashes.push(sha256(chunk));
        await writeFile(join(tmp, String(chunkHashes.length - 1)), chunk);
        batch = [];
        size = 0;
      };
      for await (const [k, v] of pairs) {
        if (this.closing) throw new Error("the node is stopping");
        const n = pairSize(k, v);
        if (n > MaxChunkBodyBytes) throw new Error(`the pair of key ${JSON.stringify(k.slice(0, 64))} has ${n} bytes, more than a chunk may hold`);
        if (size > 0 && size + n > this.chunkBytes) await flush();
        batch.push([k, v]);
        size += n;
        count++;
      }
      if (size > 0 || chunkHashes.length === 0) await flush();
      const metadata = encodeMetadata({ height, appHash, pairs: count, chunkHashes });
      await writeFile(join(tmp, "metadata"), metadata);
      rmSync(folder, { recursive: true, force: true });
      renameSync(tmp, folder);
      this.stored.set(height, { folder, snapshot: toSnapshot({ height, appHash, pairs: count, chunkHashes }, metadata) });
      this.log(`snapshot at height ${height}: ${count} pairs in ${chunkHashes.length} chunks, ${(performance.now() - started).toFixed(0)} ms`);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    for (const h of [...this.stored.keys()].sort((a, b) => b - a).slice(this.keepRecent)) {
      rmSync(this.stored.get(h)!.folder, { recursive: true, force: true });
      this.stored.delete(h);
    }
  }

  // ---- ABCI (snapshot connection) ----

  listSnapshots(): ResponseListSnapshots {
    return { snapshots: this.snapshots };
  }

  async loadSnapshotChunk(req: RequestLoadSnapshotChunk): Promise<ResponseLoadSnapshotChunk> {
    const stored = req.format === SnapshotFormat ? this.stored.get(Number(req.height)) : undefined;
    if (!stored || req.chunk >= stored.snapshot.chunks) return { chunk: new Uint8Array() };
    try {
      return { chunk: await readFile(join(stored.folder, String(req.chunk))) };
    } catch (e) {
      // pruned while a peer was fetching: the peer asks another
      this.log(`snapshot chunk ${req.height}/${req.chunk} unavailable: ${(e as Error).message}`);
      return { chunk: new Uint8Array() };
    }
  }

  /**
   * A peer's snapshot, with the app hash CometBFT's light client trusts for its height. Refused: an
   * unknown format (REJECT_FORMAT), metadata that is not this format's or not the snapshot's (hash,
   * height, chunk count), or an app hash other than the trusted one (REJECT); a store that already has
   * state (ABORT). A new offer replaces a restore in progress (CometBFT offers another snapshot when
   * one stalls).
   */
  offerSnapshot(req: RequestOfferSnapshot): ResponseOfferSnapshot {
    const snapshot = req.snapshot;
    const refuse = (result: OfferResult, why: string): ResponseOfferSnapshot => {
      this.log(`snapshot offer refused (${OfferResult[result]}): ${why}`);
      return { result };
    };
    if (!snapshot) return refuse(OfferResult.REJECT, "no snapshot in the offer");
    if (snapshot.format !== SnapshotFormat) return refuse(OfferResult.REJECT_FORMAT, `format ${snapshot.format} (this node restores ${SnapshotFormat})`);
    this.abortRestore();
    if (this.store.latest.height !== 0) return refuse(OfferResult.ABORT, `the state is not empty (height ${this.store.latest.height})`);
    let metadata: SnapshotMetadata;
    try {
      metadata = decodeMetadata(snapshot.metadata);
    } catch (e) {
      return refuse(OfferResult.REJECT, (e as Error).message);
    }
    if (!same(sha256(snapshot.metadata), snapshot.hash)) return refuse(OfferResult.REJECT, "the snapshot hash is not the hash of its metadata");
    if (BigInt(metadata.height) !== snapshot.height) return refuse(OfferResult.REJECT, `height ${snapshot.height} but its metadata says ${metadata.height}`);
    if (metadata.chunkHashes.length !== snapshot.chunks) return refuse(OfferResult.REJECT, `${snapshot.chunks} chunks but its metadata lists ${metadata.chunkHashes.length}`);
    if (!same(metadata.appHash, req.appHash)) {
      return refuse(OfferResult.REJECT, `its app hash ${hex(metadata.appHash)} is not the trusted ${hex(req.appHash)} at height ${metadata.height}`);
    }
    const importer = this.store.beginImport(metadata.height);
    this.restore = { snapshot, metadata, importer, next: 0, pairs: 0n, failures: new Map(), progress: new Progress(this.log) };
    this.log(`restoring the snapshot at height ${metadata.height}: ${metadata.pairs} pairs in ${metadata.chunkHashes.length} chunks, app hash ${hex(metadata.appHash)}`);
    return { result: OfferResult.ACCEPT };
  }

  /**
   * One chunk of the accepted snapshot, in order. A chunk whose sha256 is not the metadata's: RETRY,
   * refetched from another peer, its sender rejected (REJECT_SNAPSHOT after MaxChunkRetries). A chunk
   * that matches but does not decode, keys out of order, a pair count or final root that is not the
   * metadata's: REJECT_SNAPSHOT, the import dropped (the store stays empty). Out of order: RETRY_SNAPSHOT.
   */
  async applySnapshotChunk(req: RequestApplySnapshotChunk): Promise<ResponseApplySnapshotChunk> {
    const r = this.restore;
    const answer = (result: ApplyResult, more: Partial<ResponseApplySnapshotChunk> = {}): ResponseApplySnapshotChunk => ({ result, refetchChunks: [], rejectSenders: [], ...more });
    if (!r) return answer(ApplyResult.ABORT);
    const rejectSnapshot = (why: string) => {
      this.log(`snapshot at height ${r.metadata.height} rejected at chunk ${req.index}: ${why}`);
      this.abortRestore();
      return answer(ApplyResult.REJECT_SNAPSHOT);
    };
    if (req.index !== r.next) {
      this.log(`snapshot chunk ${req.index} arrived while ${r.next} was due: restarting the snapshot`);
      this.abortRestore();
      return answer(ApplyResult.RETRY_SNAPSHOT);
    }
    if (!same(sha256(req.chunk), r.metadata.chunkHashes[req.index])) {
      const failures = (r.failures.get(req.index) ?? 0) + 1;
      r.failures.set(req.index, failures);
      if (failures >= MaxChunkRetries) return rejectSnapshot(`its hash failed ${failures} times`);
      this.log(`snapshot chunk ${req.index} from ${req.sender || "an unnamed peer"} does not match its hash: refetching it`);
      return answer(ApplyResult.RETRY, { refetchChunks: [req.index], rejectSenders: req.sender ? [req.sender] : [] });
    }
    try {
      const pairs = decodeChunk(req.chunk);
      r.importer.add(pairs);
      r.pairs += BigInt(pairs.length);
    } catch (e) {
      return rejectSnapshot((e as Error).message);
    }
    r.next++;
    r.progress.step(() => `restoring the snapshot at height ${r.metadata.height}: ${r.next} of ${r.metadata.chunkHashes.length} chunks, ${r.pairs} of ${r.metadata.pairs} pairs`);
    if (r.next < r.metadata.chunkHashes.length) return answer(ApplyResult.ACCEPT);
    if (r.pairs !== r.metadata.pairs) return rejectSnapshot(`${r.pairs} pairs, the metadata says ${r.metadata.pairs}`);
    this.restore = undefined;
    try {
      await r.importer.finish(r.metadata.appHash);
    } catch (e) {
      this.log(`snapshot at height ${r.metadata.height} rejected: ${(e as Error).message}`);
      return answer(ApplyResult.REJECT_SNAPSHOT);
    }
    this.log(`restored the snapshot at height ${r.metadata.height}: ${r.pairs} pairs, app hash ${hex(r.metadata.appHash)}`);
    this.restored();
    return answer(ApplyResult.ACCEPT);
  }

  /** drops a restore in progress (the store stays empty) */
  abortRestore(): void {
    this.restore?.importer.abort();
    this.restore = undefined;
  }
}

function toSnapshot(m: SnapshotMetadata, metadata: Uint8Array): Snapshot {
  return { height: BigInt(m.height), format: SnapshotFormat, chunks: m.chunkHashes.length, hash: sha256(metadata), metadata };
}
