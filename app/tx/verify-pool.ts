// Verify workers: the part of CheckTx that needs no state — wire validation and decoding, sign bytes, their
// sha256, the signature against the key the tx carries — done in worker threads (verify-worker.ts) while
// the main thread runs the state-dependent ante of earlier txs. CheckTx NEW requests are handed over when
// the ABCI server reads them (submit); when one reaches the head of the server's queue, take() returns what
// the worker found, waiting (blocked, a bounded time) only for a tx already in a worker's hands.
//
// A worker's answer is a fact about the tx bytes (keyed by their sha256): "decodeTx passes" and, per signer,
// "the signature verifies under this chain id, account number and key" (DecodedTx.verifiedSigners). It never
// decides an outcome: the ante still checks the state holds the same chain id, account number and key, and
// whatever the pool cannot answer — a tx it refused (queue full, too large), a tx that failed in the worker,
// a worker that crashed or is late — the main thread does inline, as without workers. FinalizeBlock and
// recheck never ask the pool.
import { createHash } from "node:crypto";
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { LogSink } from "../log.js";
import type { VerifiedSigner } from "./decode.js";

/** main → worker: txs to check, in arrival order, and account numbers learnt since the last batch */
export interface VerifyBatch {
  id: number;
  chainId: string;
  txs: Uint8Array[];
  /** sha256 of each tx (the worker's decodeTx uses it as the digest) */
  digests: Uint8Array[];
  hints: Array<[signer: string, accountNumber: bigint]>;
}

/** worker → main, per tx of a batch in its order: undefined = decodeTx refused the bytes */
export interface VerifyAnswer {
  id: number;
  results: Array<Array<VerifiedSigner | undefined> | undefined>;
}

/** what the worker is started with (workerData) */
export interface VerifyWorkerData {
  /** the port answers go to (read synchronously by the main thread) */
  answers: MessagePort;
  /** counts answers posted: the main thread sleeps on it */
  signal: SharedArrayBuffer;
  /** whatever the chain's worker entry needs to build the same router as the app (its profile) */
  chain: unknown;
}

export interface VerifyPoolOptions {
  /** worker threads (≥ 1) */
  workers: number;
  /** the chain's worker entry (chain/verify-worker.ts): builds the app's router, runs serveVerifyBatches */
  script: URL;
  chain: unknown;
  log: LogSink;
  /** txs handed to workers and not yet answered, at most (beyond: inline) */
  maxPending?: number;
  /** bytes of those txs, at most */
  maxPendingBytes?: number;
  /** how long take() waits for a tx a worker holds before doing it inline (a dead or starved worker) */
  waitMs?: number;
}

export const DefaultMaxPending = 2048;
export const DefaultMaxPendingBytes = 16 * 1024 * 1024;
export const DefaultWaitMs = 250;
/** account numbers a worker remembers at most */
export const MaxHints = 1 << 18;
/** txs per message to a worker: small enough that the first answer comes soon */
const BatchSize = 16;
/** the answer a worker sends once it serves */
export const ReadyId = 0;
/** a worker that exits more often than this within RestartWindowMs is not started again */
const MaxRestarts = 5;
const RestartWindowMs = 60_000;

interface Job {
  thread: Thread;
  /** the worker's answer arrived: `result` holds it (undefined: decodeTx refused the bytes, or no answer) */
  answered: boolean;
  result?: Array<VerifiedSigner | undefined>;
}

interface Thread {
  worker: Worker;
  answers: MessagePort;
  /** batches posted to this worker and not answered: their keys and bytes */
  batches: Map<number, { keys: string[]; bytes: number }>;
  hints: Array<[string, bigint]>;
  /** the worker said it is serving (a worker still starting is not waited for) */
  ready: boolean;
  exited: boolean;
}

export class VerifyPool {
  private readonly threads: Thread[] = [];
  /** txs handed over, by sha256 (latin1), in arrival order: the order CheckTx runs them */
  private readonly jobs = new Map<string, Job>();
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private nextBatch = 1;
  private nextThread = 0;
  private pending = 0;
  private pendingBytes = 0;
  /** a wait timed out: no more waiting until some worker answers again */
  private stalled = false;
  private closed = false;
  private restarts: number[] = [];
  private readonly maxPending: number;
  private readonly maxPendingBytes: number;
  private readonly waitMs: number;
  /** txs CheckTx took a worker's answer for, did inline after all (refused by decodeTx there, late, lost),
   *  and refused at submit (for operators and tests) */
  readonly counts = { used: 0, inline: 0, refused: 0, restarts: 0 };

  constructor(private readonly options: VerifyPoolOptions) {
    this.maxPending = options.maxPending ?? DefaultMaxPending;
    this.maxPendingBytes = options.maxPendingBytes ?? DefaultMaxPendingBytes;
    this.waitMs = options.waitMs ?? DefaultWaitMs;
    for (let i = 0; i < Math.max(1, options.workers); i++) this.threads.push(this.start());
  }

  private start(): Thread {
    const { port1, port2 } = new MessageChannel();
    const data: VerifyWorkerData = { answers: port2, signal: this.signal.buffer as SharedArrayBuffer, chain: this.options.chain };
    const worker = new Worker(this.options.script, { workerData: data, transferList: [port2] });
    worker.unref();
    port1.unref();
    const thread: Thread = { worker, answers: port1, batches: new Map(), hints: [], ready: false, exited: false };
    worker.on("error", (e) => this.options.log(`verify worker failed: ${e.message}`, "error"));
    worker.on("exit", (code) => this.onExit(thread, code));
    return thread;
  }

  /** A worker is gone: what it held is done inline, and a new one takes its place (unless it keeps dying). */
  private onExit(thread: Thread, code: number): void {
    thread.exited = true;
    this.drainThread(thread);
    for (const batch of thread.batches.values()) this.settle(batch, undefined);
    thread.batches.clear();
    thread.answers.close();
    const i = this.threads.indexOf(thread);
    if (this.closed || i < 0) return;
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RestartWindowMs);
    if (this.restarts.length >= MaxRestarts) {
      this.threads.splice(i, 1);
      this.options.log(`verify worker exited (code ${code}) ${MaxRestarts} times within ${RestartWindowMs / 1000} s: not restarted; ${this.threads.length} left, the rest is verified inline`, "error");
      return;
    }
    this.restarts.push(now);
    this.counts.restarts++;
    this.options.log(`verify worker exited (code ${code}); starting another, its txs are verified inline`, "warn");
    this.threads[i] = this.start();
  }

  /** Hands CheckTx NEW txs to the workers, in arrival order. A tx larger than `maxTxBytes`, one already
   *  handed over, or one beyond the bounds is not: it is done inline. */
  submit(txs: readonly Uint8Array[], chainId: string, maxTxBytes: number): void {
    if (this.closed || this.threads.length === 0) return;
    this.drain();
    let batch: { txs: Uint8Array[]; digests: Uint8Array[]; keys: string[]; bytes: number } | undefined;
    let thread = this.threads[this.nextThread++ % this.threads.length];
    for (const tx of txs) {
      if (tx.length === 0 || tx.length > maxTxBytes || this.pending >= this.maxPending || this.pendingBytes + tx.length > this.maxPendingBytes || this.jobs.size >= 2 * this.maxPending) {
        this.counts.refused++;
        continue;
      }
      const digest = createHash("sha256").update(tx).digest();
      const key = digest.toString("latin1");
      if (this.jobs.has(key)) continue;
      this.jobs.set(key, { thread, answered: false });
      batch ??= { txs: [], digests: [], keys: [], bytes: 0 };
      batch.txs.push(tx);
      batch.digests.push(digest);
      batch.keys.push(key);
      batch.bytes += tx.length;
      this.pending++;
      this.pendingBytes += tx.length;
      if (batch.txs.length === BatchSize) {
        this.post(thread, batch, chainId);
        batch = undefined;
        thread = this.threads[this.nextThread++ % this.threads.length];
      }
    }
    if (batch) this.post(thread, batch, chainId);
  }

  private post(thread: Thread, batch: { txs: Uint8Array[]; digests: Uint8Array[]; keys: string[]; bytes: number }, chainId: string): void {
    const id = this.nextBatch++;
    thread.batches.set(id, { keys: batch.keys, bytes: batch.bytes });
    const message: VerifyBatch = { id, chainId, txs: batch.txs, digests: batch.digests, hints: thread.hints };
    thread.hints = [];
    thread.worker.postMessage(message);
  }

  /** The signers' account numbers the ante found for a tx the workers could not verify (first tx of an
   *  account, or a number that changed): their next txs can be. */
  learn(signer: string, accountNumber: bigint): void {
    for (const thread of this.threads) if (thread.hints.length < MaxHints) thread.hints.push([signer, accountNumber]);
  }

  /**
   * What a worker found for the tx of sha256 `key` (latin1): its verified signers when decodeTx passed the
   * bytes there, else undefined (not handed over, refused by decodeTx, no answer in time): the caller does
   * it all inline. With `wait` false it never blocks. Jobs older than `key` are dropped: CheckTx runs in
   * arrival order, so nobody asks for them any more.
   */
  take(key: string, wait = true): Array<VerifiedSigner | undefined> | undefined {
    const job = this.jobs.get(key);
    if (!job) return undefined;
    for (const older of this.jobs.keys()) {
      if (older === key) break;
      this.jobs.delete(older);
    }
    if (!job.answered) this.drain();
    if (!job.answered && wait && !this.stalled && job.thread.ready && !job.thread.exited) {
      const deadline = performance.now() + this.waitMs;
      for (;;) {
        const seen = Atomics.load(this.signal, 0);
        this.drain();
        if (job.answered) break;
        const left = deadline - performance.now();
        if (left <= 0) {
          this.stalled = true;
          this.options.log(`verify workers gave no answer within ${this.waitMs} ms: verifying inline until they answer again`, "warn");
          break;
        }
        Atomics.wait(this.signal, 0, seen, left);
      }
    }
    this.jobs.delete(key);
    if (wait) {
      if (job.result) this.counts.used++;
      else this.counts.inline++;
    }
    return job.result;
  }

  private drain(): void {
    for (const thread of this.threads) this.drainThread(thread);
  }

  private drainThread(thread: Thread): void {
    for (;;) {
      const got = receiveMessageOnPort(thread.answers);
      if (got === undefined) return;
      const answer = got.message as VerifyAnswer;
      if (answer.id === ReadyId) thread.ready = true;
      const batch = thread.batches.get(answer.id);
      if (!batch) continue;
      thread.batches.delete(answer.id);
      this.stalled = false;
      this.settle(batch, answer.results);
    }
  }

  private settle(batch: { keys: string[]; bytes: number }, results: VerifyAnswer["results"] | undefined): void {
    this.pending -= batch.keys.length;
    this.pendingBytes -= batch.bytes;
    batch.keys.forEach((key, i) => {
      const job = this.jobs.get(key);
      if (!job) return;
      job.answered = true;
      job.result = results?.[i];
    });
  }

  /** every worker is serving */
  get ready(): boolean {
    this.drain();
    return this.threads.every((t) => t.ready);
  }

  /** worker threads running now */
  get workers(): number {
    return this.threads.length;
  }

  /** Ends every worker as a crash would (tests, operators): what they held is done inline, new ones start. */
  async interrupt(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    this.jobs.clear();
  }
}
