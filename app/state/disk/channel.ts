// The main thread's side of the LevelDB worker (worker.ts): call() blocks until the worker answers (for the
// app's synchronous reads), request() returns a promise (commit and pruning batches).

import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { Request } from "./worker.js";

/** how long a synchronous read may take before the store gives up (a stuck disk, a dead worker) */
const SYNC_TIMEOUT_MS = 120_000;

interface Answer {
  id: number;
  ok?: unknown;
  error?: string;
}

/** a packed batch is moved to the worker, not copied (the caller must not use it afterwards) */
function transferOf(req: Request): ArrayBuffer[] {
  return req.op === "batch" ? [req.ops.buffer as ArrayBuffer] : [];
}

export class DbWorker {
  private readonly worker: Worker;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly syncPort: MessagePort;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private dead: Error | undefined;
  /** round trips by op, synchronous (call) and not (request): bench figures, never read by a result */
  readonly roundTrips = { sync: new Map<string, number>(), async: new Map<string, number>() };

  constructor(dir: string) {
    const { port1, port2 } = new MessageChannel();
    this.syncPort = port1;
    this.worker = new Worker(new URL("./worker.js", import.meta.url), {
      workerData: { dir, flag: this.flag.buffer, syncPort: port2 },
      transferList: [port2],
    });
    this.worker.unref();
    this.worker.on("message", (a: Answer) => this.settle(a));
    this.worker.on("error", (e) => this.fail(e));
    this.worker.on("exit", (code) => this.fail(new Error(`state worker exited (code ${code})`)));
  }

  private settle(a: Answer): void {
    const w = this.waiting.get(a.id);
    if (!w) return;
    this.waiting.delete(a.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (a.error !== undefined) w.reject(new Error(a.error));
    else w.resolve(a.ok);
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  /** Ask and block until the answer is there. */
  call<T>(req: Request): T {
    if (this.dead) throw this.dead;
    const id = this.nextId++;
    this.roundTrips.sync.set(req.op, (this.roundTrips.sync.get(req.op) ?? 0) + 1);
    Atomics.store(this.flag, 0, 0);
    this.worker.postMessage({ id, sync: true, req }, transferOf(req));
    // the previous answer's notify may arrive late and wake this wait early: wait until the flag is set
    const deadline = performance.now() + SYNC_TIMEOUT_MS;
    while (Atomics.load(this.flag, 0) === 0) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(this.flag, 0, 0, left) === "timed-out") throw new Error(`state worker did not answer ${req.op} within ${SYNC_TIMEOUT_MS} ms`);
    }
    const got = receiveMessageOnPort(this.syncPort);
    if (got === undefined) throw this.dead ?? new Error(`state worker signalled but sent no answer to ${req.op}`);
    const a = got.message as Answer;
    if (a.id !== id) throw new Error(`state worker answered request ${a.id}, expected ${id}`);
    if (a.error !== undefined) throw new Error(a.error);
    return a.ok as T;
  }

  request<T>(req: Request): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    this.roundTrips.async.set(req.op, (this.roundTrips.async.get(req.op) ?? 0) + 1);
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.ref();
      this.worker.postMessage({ id, sync: false, req }, transferOf(req));
    });
  }

  async close(): Promise<void> {
    try {
      await this.request({ op: "close" });
    } finally {
      this.dead ??= new Error("state store closed");
      this.syncPort.close();
      await this.worker.terminate();
    }
  }
}
