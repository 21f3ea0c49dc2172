// ABCI 2.0 socket server for a stock CometBFT v0.38 node.
//
// ─── Contract ──────────────────────────────────────────────────────────────────────────────
// CometBFT dials `proxy_app` four times (query, snapshot, mempool, consensus, in that order)
// and speaks length-prefixed protobuf (see framing.ts). Nothing tells the server which socket
// is which, so every request is dispatched on its type alone. On every socket the server
// answers each request exactly once, in arrival order, with a response of the same kind; a
// missing, extra or mismatched response makes CometBFT shut down.
//
//   Echo (any)       → echo the message back. Answered by the server.
//   Flush (any)      → empty flush response, written after every earlier response of that
//                      socket; the buffered answers go to the kernel then, or, when more requests
//                      are already queued, with theirs (at most FLUSH_DELAY_MS of work later).
//   Info (query)     → last_block_height = last height whose Commit finished (0 before the
//                      first block), last_block_app_hash = app hash of that height. Used for
//                      the startup handshake and block replay.
//   Query (query)    → code/log/value/key and a NON-ZERO height (CosmJS needs it).
//   InitChain (cons.) → sent only while Info reports height 0; may return validators,
//                      consensus params and the genesis app hash.
//   PrepareProposal (cons.) → the tx list of our own proposal; total size ≤ max_tx_bytes.
//   ProcessProposal (cons.) → status ACCEPT(1) or REJECT(2); deterministic.
//   ExtendVote / VerifyVoteExtension (cons.) → only when vote extensions are enabled;
//                      VerifyVoteExtension answers ACCEPT(1) or REJECT(2).
//   FinalizeBlock (cons.) → exactly one ExecTxResult per tx, in block order, plus the new app
//                      hash; nothing may be persisted yet.
//   Commit (cons.)   → persist state (and height/app hash) atomically, then answer.
//   CheckTx (mempool) → code 0 admits the tx; NEW and RECHECK both arrive here, pipelined
//                      (many requests before one Flush). The app also sees them as they are read
//                      (checkTxArrived), to start work that needs no state; answers stay in order.
//   ListSnapshots / OfferSnapshot / LoadSnapshotChunk / ApplySnapshotChunk (snapshot)
//                    → the app's methods when it has them (app/snapshots.ts); otherwise, and
//                      when one throws, the server's own SNAPSHOT_RESPONSES (empty snapshot
//                      list, OfferSnapshot ABORT, empty chunk, ApplySnapshotChunk ABORT).
//
// Ordering: requests from ALL sockets go through one global FIFO queue and run one at a time,
// an async handler (a Commit awaiting a disk write) included. Like the mutex of the Go socket
// server, this means Query and CheckTx never see a half-applied block.
//
// Errors: an exception thrown (or a promise rejected) by checkTx or query becomes code 1 in
// codespace "sdk" with log "internal error: <message>" (query also echoes the request height),
// and the socket keeps working. For every other method an error means the app cannot go on
// safely, so the server answers Response{exception} and logs loudly: CometBFT then stops,
// which is better than diverging. The following app responses are treated as such errors:
//   - undefined/null returned by any handler;
//   - ProcessProposal / VerifyVoteExtension with status UNKNOWN (0): CometBFT would panic in
//     its consensus routine and keep running as a zombie; an exception stops it cleanly;
//   - FinalizeBlock with tx_results.length !== txs.length (CometBFT would reject the block).
// A frame that cannot be decoded (bad length prefix, oversize, invalid protobuf) closes that
// socket; CometBFT never sends one, so the peer is not CometBFT or the stream is corrupt.
// A request with no known field set is answered with an exception, as the Go server does.
// ──────────────────────────────────────────────────────────────────────────────────────────────

import { chmodSync, existsSync, unlinkSync } from "node:fs";
import net from "node:net";
import {
  Request,
  Response,
  ResponseApplySnapshotChunk_Result,
  ResponseCheckTx,
  ResponseCommit,
  ResponseExtendVote,
  ResponseFinalizeBlock,
  ResponseInfo,
  ResponseInitChain,
  ResponseOfferSnapshot_Result,
  ResponsePrepareProposal,
  ResponseProcessProposal,
  ResponseProcessProposal_ProposalStatus,
  ResponseQuery,
  ResponseVerifyVoteExtension,
  ResponseVerifyVoteExtension_VerifyStatus,
} from "cosmjs-types/tendermint/abci/types";
import {
  ResponseApplySnapshotChunk,
  ResponseListSnapshots,
  ResponseLoadSnapshotChunk,
  ResponseOfferSnapshot,
} from "cosmjs-types/tendermint/abci/types";
import type {
  RequestApplySnapshotChunk,
  RequestListSnapshots,
  RequestLoadSnapshotChunk,
  RequestOfferSnapshot,
  RequestCheckTx,
  RequestCommit,
  RequestExtendVote,
  RequestFinalizeBlock,
  RequestInfo,
  RequestInitChain,
  RequestPrepareProposal,
  RequestProcessProposal,
  RequestQuery,
  RequestVerifyVoteExtension,
} from "cosmjs-types/tendermint/abci/types";
import { DEFAULT_MAX_FRAME_SIZE, FrameDecoder } from "./framing.js";
import { FrameWriter } from "./frame-writer.js";
import type { LogSink } from "../log.js";

type MaybePromise<T> = T | Promise<T>;

/**
 * The application behind the socket. Every method may answer synchronously or with a Promise;
 * the server never runs two of them at once. Responses are normalised with the cosmjs-types
 * `fromPartial` of their type, so omitted fields get their protobuf defaults.
 */
export interface AbciApplication {
  info(req: RequestInfo): MaybePromise<ResponseInfo>;
  initChain(req: RequestInitChain): MaybePromise<ResponseInitChain>;
  query(req: RequestQuery): MaybePromise<ResponseQuery>;
  checkTx(req: RequestCheckTx): MaybePromise<ResponseCheckTx>;
  /** CheckTx requests as they are read, before they queue behind earlier requests: work that needs no
   *  state may start here (never an answer: checkTx still answers each in order). Errors are logged only. */
  checkTxArrived?(reqs: RequestCheckTx[]): void;
  prepareProposal(req: RequestPrepareProposal): MaybePromise<ResponsePrepareProposal>;
  processProposal(req: RequestProcessProposal): MaybePromise<ResponseProcessProposal>;
  extendVote(req: RequestExtendVote): MaybePromise<ResponseExtendVote>;
  verifyVoteExtension(req: RequestVerifyVoteExtension): MaybePromise<ResponseVerifyVoteExtension>;
  finalizeBlock(req: RequestFinalizeBlock): MaybePromise<ResponseFinalizeBlock>;
  commit(req: RequestCommit): MaybePromise<ResponseCommit>;
  /** State sync (snapshot connection); without them the server answers SNAPSHOT_RESPONSES. */
  listSnapshots?(req: RequestListSnapshots): MaybePromise<ResponseListSnapshots>;
  offerSnapshot?(req: RequestOfferSnapshot): MaybePromise<ResponseOfferSnapshot>;
  loadSnapshotChunk?(req: RequestLoadSnapshotChunk): MaybePromise<ResponseLoadSnapshotChunk>;
  applySnapshotChunk?(req: RequestApplySnapshotChunk): MaybePromise<ResponseApplySnapshotChunk>;
}

export interface AbciServerOptions {
  /** Receives one line per event worth logging (errors, connections), with its level. Default: console.error. */
  logger?: LogSink;
  /** Largest accepted request frame body in bytes (default 128 MiB). */
  maxFrameSize?: number;
}

export interface AbciServer {
  /** The listening address: `tcp://host:port` with the real port, or `unix:///path`. */
  readonly address: string;
  /** Requests received and not yet answered by the app (all connections), now and at most since the
   *  previous takeQueuePeak() (operators' metrics) */
  readonly queueDepth: number;
  takeQueuePeak(): number;
  /** Stops listening, closes every connection; resolves once the listener is closed. */
  close(): Promise<void>;
}

/** Answers of the server itself to the snapshot connection when the app has no state sync (and what an
 *  error in the app's snapshot handlers becomes: a failed restore aborts, a failed load serves nothing). */
export const SNAPSHOT_RESPONSES = {
  listSnapshots: { snapshots: [] },
  // ABORT (2) = "abort all snapshot restoration": the syncer gives up at once instead of
  // trying other snapshots (REJECT) and then timing out.
  offerSnapshot: { result: ResponseOfferSnapshot_Result.ABORT },
  loadSnapshotChunk: { chunk: new Uint8Array() },
  applySnapshotChunk: { result: ResponseApplySnapshotChunk_Result.ABORT, refetchChunks: [], rejectSenders: [] },
} as const;

// Write buffering: responses are collected per connection and written in one syscall when the
// global queue runs dry or an async handler starts waiting, when this many bytes are pending, or
// when a Flush was answered and FLUSH_DELAY_MS of queued CheckTx has run since or any other request
// is next. A stock CometBFT
// sends a Flush after every async CheckTx (its flush throttle is 20 ns, docs/cometbft-flush-throttle.md):
// writing at each would cost a syscall per tx when several [CheckTx, Flush] pairs arrive together.
const WRITE_HIGH_WATER = 256 * 1024;
const FLUSH_DELAY_MS = 2;
// Backpressure on input: a connection with this many unanswered requests stops being read
// until the count drops to RESUME_AT.
const PAUSE_AT = 8192;
const RESUME_AT = 1024;

interface Conn {
  readonly id: number;
  readonly socket: net.Socket;
  readonly decoder: FrameDecoder;
  closed: boolean;
  paused: boolean;
  inflight: number;
  /** answers encoded and not yet written to the socket */
  readonly out: FrameWriter;
}

interface Task {
  conn: Conn;
  req: Request;
}

type ParsedAddress = { kind: "tcp"; host: string; port: number } | { kind: "unix"; path: string };

export function parseAbciAddress(address: string): ParsedAddress {
  if (address.startsWith("unix://")) {
    const path = address.slice("unix://".length);
    if (path === "") throw new Error(`invalid ABCI address ${address}: empty socket path`);
    return { kind: "unix", path };
  }
  if (address.startsWith("tcp://")) {
    const rest = address.slice("tcp://".length);
    const m = /^(?:\[([^\]]+)\]|([^:/]*)):(\d+)$/.exec(rest);
    if (!m) throw new Error(`invalid ABCI address ${address}: expected tcp://host:port`);
    const port = Number(m[3]);
    if (port > 65535) throw new Error(`invalid ABCI address ${address}: port out of range`);
    const host = m[1] ?? m[2];
    // no host: loopback, never every interface (the ABCI socket runs the app with no authentication)
    return { kind: "tcp", host: host === "" ? "127.0.0.1" : host, port };
  }
  throw new Error(`invalid ABCI address ${address}: expected tcp://host:port or unix:///path`);
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function isThenable<T>(v: unknown): v is PromiseLike<T> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as { then?: unknown }).then === "function";
}

/** Name of the request kind (the oneof field that is set), or undefined. */
function requestKind(req: Request): keyof Request | undefined {
  // Ordered by expected frequency.
  if (req.checkTx !== undefined) return "checkTx";
  if (req.flush !== undefined) return "flush";
  if (req.query !== undefined) return "query";
  if (req.finalizeBlock !== undefined) return "finalizeBlock";
  if (req.commit !== undefined) return "commit";
  if (req.prepareProposal !== undefined) return "prepareProposal";
  if (req.processProposal !== undefined) return "processProposal";
  if (req.info !== undefined) return "info";
  if (req.echo !== undefined) return "echo";
  if (req.initChain !== undefined) return "initChain";
  if (req.extendVote !== undefined) return "extendVote";
  if (req.verifyVoteExtension !== undefined) return "verifyVoteExtension";
  if (req.listSnapshots !== undefined) return "listSnapshots";
  if (req.offerSnapshot !== undefined) return "offerSnapshot";
  if (req.loadSnapshotChunk !== undefined) return "loadSnapshotChunk";
  if (req.applySnapshotChunk !== undefined) return "applySnapshotChunk";
  return undefined;
}

/**
 * The app's answer breaks the ABCI contract (no response, a tx result count that is not the tx count,
 * an UNKNOWN proposal or vote-extension status): thrown by the server itself and answered like any
 * handler error. Its stack is not logged (it would show the server, not the app's fault).
 */
class AbciContractViolation extends Error {
  override name = "AbciContractViolation";
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPartial = any;

/** The requests the app answers: the request oneof case, the AbciApplication method and the response case share a name. */
type AppMethod = Exclude<keyof AbciApplication, "checkTxArrived">;

/** How one app method's answer becomes a Response, and what its errors become. */
interface Route {
  /** The app's answer normalised with `fromPartial` of its response type, after the checks CometBFT needs. */
  respond(v: AnyPartial, req: AnyPartial): AnyPartial;
  /**
   * For requests CometBFT can survive a failed answer to (checkTx, query): the log line and the response
   * for an error. Without it an error is fatal: Response{exception}, CometBFT stops.
   */
  recover?(err: unknown, req: AnyPartial): { log: string; response: AnyPartial };
}

/** `{code: 1, codespace: "sdk", log: "internal error: ..."}`: what an exception in checkTx or query answers. */
function internalError(err: unknown) {
  return { code: 1, codespace: "sdk", log: `internal error: ${errorMessage(err)}` };
}

/**
 * processProposal and verifyVoteExtension: the status must be ACCEPT(1) or REJECT(2), else an
 * AbciContractViolation. UNKNOWN (0) would make CometBFT panic in its consensus routine.
 */
function acceptOrReject(method: AppMethod, normalise: (v: AnyPartial) => { status: number }, status: { ACCEPT: number; REJECT: number }): Route {
  return {
    respond: (v) => {
      const res = normalise(v);
      if (res.status !== status.ACCEPT && res.status !== status.REJECT) {
        throw new AbciContractViolation(`${method} returned status ${res.status} (must be ACCEPT=1 or REJECT=2)`);
      }
      return res;
    },
  };
}

/** The dispatch table: request oneof case → app method → response case. */
const ROUTES: Record<AppMethod, Route> = {
  checkTx: {
    respond: (v) => ResponseCheckTx.fromPartial(v),
    recover: (err) => ({ log: `checkTx handler failed: ${errorMessage(err)}`, response: ResponseCheckTx.fromPartial(internalError(err)) }),
  },
  query: {
    respond: (v) => ResponseQuery.fromPartial(v),
    // the request height is echoed: CosmJS needs a height on every query answer
    recover: (err, req: RequestQuery) => ({
      log: `query handler failed (path ${JSON.stringify(req.path)}): ${errorMessage(err)}`,
      response: ResponseQuery.fromPartial({ ...internalError(err), height: req.height }),
    }),
  },
  finalizeBlock: {
    respond: (v, req: RequestFinalizeBlock) => {
      const res = ResponseFinalizeBlock.fromPartial(v);
      if (res.txResults.length !== req.txs.length) {
        throw new AbciContractViolation(`finalizeBlock returned ${res.txResults.length} tx results for ${req.txs.length} txs`);
      }
      return res;
    },
  },
  commit: { respond: (v) => ResponseCommit.fromPartial(v) },
  prepareProposal: { respond: (v) => ResponsePrepareProposal.fromPartial(v) },
  processProposal: acceptOrReject("processProposal", ResponseProcessProposal.fromPartial, ResponseProcessProposal_ProposalStatus),
  info: { respond: (v) => ResponseInfo.fromPartial(v) },
  initChain: { respond: (v) => ResponseInitChain.fromPartial(v) },
  extendVote: { respond: (v) => ResponseExtendVote.fromPartial(v) },
  verifyVoteExtension: acceptOrReject("verifyVoteExtension", ResponseVerifyVoteExtension.fromPartial, ResponseVerifyVoteExtension_VerifyStatus),
  listSnapshots: snapshotRoute("listSnapshots", ResponseListSnapshots.fromPartial),
  offerSnapshot: snapshotRoute("offerSnapshot", ResponseOfferSnapshot.fromPartial),
  loadSnapshotChunk: snapshotRoute("loadSnapshotChunk", ResponseLoadSnapshotChunk.fromPartial),
  applySnapshotChunk: snapshotRoute("applySnapshotChunk", ResponseApplySnapshotChunk.fromPartial),
};

/** A snapshot request the app failed to answer gets the server's own answer: state sync of this node
 *  fails (CometBFT falls back or stops by its own rules), consensus is untouched. */
function snapshotRoute(kind: keyof typeof SNAPSHOT_RESPONSES, normalise: (v: AnyPartial) => AnyPartial): Route {
  return {
    respond: (v) => normalise(v),
    recover: (err) => ({ log: `${kind} handler failed: ${errorMessage(err)}`, response: SNAPSHOT_RESPONSES[kind] }),
  };
}

class Server implements AbciServer {
  address = "";
  private readonly listener: net.Server;
  private readonly conns = new Set<Conn>();
  private nextConnId = 1;
  // Global FIFO queue (array + head index: O(1) dequeue, compacted when drained).
  private queue: (Task | undefined)[] = [];
  private head = 0;
  private queuePeak = 0;
  private running = false;
  private flushScheduled = false;
  /** when the oldest answered-but-unwritten Flush was answered (performance.now()), or undefined */
  private flushDueSince: number | undefined;
  private closing = false;
  private readonly log: LogSink;
  private readonly maxFrameSize: number;

  constructor(
    private readonly app: AbciApplication,
    opts: AbciServerOptions,
  ) {
    this.log = opts.logger ?? ((msg: string) => console.error(msg));
    this.maxFrameSize = opts.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.listener = net.createServer((socket) => this.onConnection(socket));
  }

  get queueDepth(): number {
    return this.queue.length - this.head;
  }

  takeQueuePeak(): number {
    const peak = Math.max(this.queuePeak, this.queueDepth);
    this.queuePeak = 0;
    return peak;
  }

  async listen(address: string): Promise<void> {
    const parsed = parseAbciAddress(address);
    if (parsed.kind === "unix") {
      await this.listenUnix(parsed.path);
      this.address = `unix://${parsed.path}`;
    } else {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        this.listener.once("error", onError);
        this.listener.listen({ host: parsed.host, port: parsed.port }, () => {
          this.listener.off("error", onError);
          resolve();
        });
      });
      const a = this.listener.address() as net.AddressInfo;
      const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
      this.address = `tcp://${host}:${a.port}`;
    }
    this.listener.on("error", (err) => this.log(`[abci] listener error: ${errorMessage(err)}`, "error"));
    this.log(`[abci] listening on ${this.address}`);
  }

  private async listenUnix(path: string): Promise<void> {
    const attempt = () =>
      new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        this.listener.once("error", onError);
        this.listener.listen({ path }, () => {
          this.listener.off("error", onError);
          resolve();
        });
      });
    try {
      await attempt();
    } catch (err) {
      // A socket file left behind by a crashed process: remove it if nobody is listening.
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || !existsSync(path)) throw err;
      const alive = await new Promise<boolean>((resolve) => {
        const probe = net.connect({ path });
        probe.once("connect", () => {
          probe.destroy();
          resolve(true);
        });
        probe.once("error", () => resolve(false));
      });
      if (alive) throw err;
      this.log(`[abci] removing stale socket file ${path}`);
      unlinkSync(path);
      await attempt();
    }
    chmodSync(path, 0o600); // only this user (CometBFT runs as it) may drive the app
  }

  close(): Promise<void> {
    this.closing = true;
    return new Promise<void>((resolve) => {
      this.listener.close(() => resolve());
      for (const conn of this.conns) {
        conn.closed = true;
        conn.socket.destroy();
      }
    });
  }

  // ── connections ────────────────────────────────────────────────────────────────────────

  private onConnection(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const conn: Conn = {
      id: this.nextConnId++,
      socket,
      decoder: new FrameDecoder({ maxFrameSize: this.maxFrameSize }),
      closed: false,
      paused: false,
      inflight: 0,
      out: new FrameWriter(),
    };
    this.conns.add(conn);
    socket.setNoDelay(true);
    const peer = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : "local";
    this.log(`[abci] connection #${conn.id} opened (${peer})`);

    socket.on("data", (chunk: Buffer) => this.onData(conn, chunk));
    socket.on("error", (err) => {
      if (!conn.closed) this.log(`[abci] connection #${conn.id} error: ${errorMessage(err)}`, "warn");
    });
    socket.on("close", () => {
      conn.closed = true;
      conn.out.clear();
      this.conns.delete(conn);
      if (!this.closing) this.log(`[abci] connection #${conn.id} closed`);
    });
  }

  private onData(conn: Conn, chunk: Buffer): void {
    if (conn.closed) return;
    let bodies: Uint8Array[];
    try {
      bodies = conn.decoder.push(chunk);
    } catch (err) {
      this.dropConnection(conn, `bad frame: ${errorMessage(err)}`);
      return;
    }
    const arrived: RequestCheckTx[] = [];
    for (const body of bodies) {
      let req: Request;
      try {
        req = Request.decode(body);
      } catch (err) {
        // Requests before this one are already queued; they still run, but their answers
        // go nowhere since the socket is closed.
        this.dropConnection(conn, `undecodable request (${body.length} bytes): ${errorMessage(err)}`);
        return;
      }
      this.queue.push({ conn, req });
      conn.inflight++;
      if (req.checkTx !== undefined) arrived.push(req.checkTx);
    }
    if (arrived.length > 0 && this.app.checkTxArrived) {
      try {
        this.app.checkTxArrived(arrived);
      } catch (err) {
        this.log(`[abci] checkTxArrived failed: ${errorMessage(err)}`, "error");
      }
    }
    if (this.queue.length - this.head > this.queuePeak) this.queuePeak = this.queue.length - this.head;
    if (conn.inflight >= PAUSE_AT && !conn.paused) {
      conn.paused = true;
      conn.socket.pause();
    }
    this.pump();
  }

  private dropConnection(conn: Conn, reason: string): void {
    this.log(`[abci] connection #${conn.id}: ${reason}; closing it`, "warn");
    conn.closed = true;
    conn.out.clear();
    conn.socket.destroy();
  }

  // ── global queue ───────────────────────────────────────────────────────────────────────

  /** Runs queued tasks one at a time until the queue is empty or a handler goes async. */
  private pump(): void {
    if (this.running) return;
    this.running = true;
    while (this.head < this.queue.length) {
      const task = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      if (task.conn.closed) continue; // nobody to answer: skip the work
      // an answered Flush waits only behind short pipelined work (CheckTx, Flush), and not for long
      if (this.flushDueSince !== undefined && ((task.req.checkTx === undefined && task.req.flush === undefined) || performance.now() - this.flushDueSince >= FLUSH_DELAY_MS)) {
        this.flushAll();
      }
      const res = this.dispatch(task.req);
      if (isThenable<Response>(res)) {
        // Push out whatever is already answered if the wait turns out to be real (a Commit
        // awaiting the disk must not hold back CheckTx answers queued before it). Deferred to
        // setImmediate so that handlers resolving within microtasks (an `async` checkTx in a
        // flood) still get their answers batched into a few writes.
        this.scheduleFlush();
        res.then(
          (r) => this.afterAsync(task, r),
          // dispatch() never rejects (errors are mapped to responses), but be defensive.
          (err) => this.afterAsync(task, Response.fromPartial({ exception: { error: errorMessage(err) } })),
        );
        return; // `running` stays true until afterAsync
      }
      this.complete(task, res);
    }
    this.queue = [];
    this.head = 0;
    this.running = false;
    this.flushAll();
  }

  private afterAsync(task: Task, res: Response): void {
    this.complete(task, res);
    this.running = false;
    this.pump();
  }

  private complete(task: Task, res: Response): void {
    const conn = task.conn;
    conn.inflight--;
    if (conn.paused && conn.inflight <= RESUME_AT && !conn.closed) {
      conn.paused = false;
      conn.socket.resume();
    }
    if (conn.closed) return;
    try {
      conn.out.frame(res, Response.encode);
    } catch (err) {
      // Only possible if normalisation missed something; never leave a request unanswered.
      this.log(`[abci] FATAL: cannot encode response: ${errorMessage(err)}`, "error");
      conn.out.frame(Response.fromPartial({ exception: { error: `cannot encode response: ${errorMessage(err)}` } }), Response.encode);
    }
    if (conn.out.length >= WRITE_HIGH_WATER) this.flushConn(conn);
    else if (res.flush !== undefined) {
      // the peer waits for this answer: at once if nothing else is queued, else with what follows
      if (this.head >= this.queue.length) this.flushConn(conn);
      else this.flushDueSince ??= performance.now();
    }
  }

  private flushConn(conn: Conn): void {
    if (conn.out.length === 0 || conn.closed || conn.socket.destroyed) return;
    conn.socket.write(conn.out.take());
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushAll();
    });
  }

  private flushAll(): void {
    this.flushDueSince = undefined;
    for (const conn of this.conns) this.flushConn(conn);
  }

  // ── dispatch ───────────────────────────────────────────────────────────────────────────

  /** Runs one request; never throws, never rejects: errors become responses. */
  private dispatch(req: Request): Response | Promise<Response> {
    const kind = requestKind(req);
    switch (kind) {
      case "flush":
        return { flush: {} };
      case "echo":
        return { echo: { message: req.echo!.message } };
      case "listSnapshots":
      case "offerSnapshot":
      case "loadSnapshotChunk":
      case "applySnapshotChunk":
        if (this.app[kind] === undefined) return { [kind]: SNAPSHOT_RESPONSES[kind] } as Response;
        break;
      case undefined:
        this.log("[abci] received a request of unknown type; answering with an exception", "warn");
        return { exception: { error: "unknown request" } };
    }
    // every other request case is an app method of the same name (checked by the compiler: `kind` is an AppMethod here)
    const r: AnyPartial = req[kind];
    const route = ROUTES[kind];
    const handler = this.app[kind] as (r: AnyPartial) => MaybePromise<AnyPartial>;
    const wrap = (v: AnyPartial): Response => ({ [kind]: route.respond(v, r) }) as Response;
    if (!route.recover) return this.callFatal(kind, () => handler.call(this.app, r), wrap);
    const recover = route.recover;
    return this.call(kind, () => handler.call(this.app, r), wrap, (err) => {
      const { log, response } = recover(err, r);
      this.log(`[abci] ${log}`, "error");
      return { [kind]: response } as Response;
    });
  }

  /** Calls an app handler; maps its value with wrap() and any error with onError(). */
  private call<T>(
    method: string,
    fn: () => MaybePromise<T>,
    wrap: (v: AnyPartial) => Response,
    onError: (err: unknown) => Response,
  ): Response | Promise<Response> {
    const finish = (v: T): Response => {
      if (v === undefined || v === null) return onError(new AbciContractViolation(`${method} returned no response`));
      try {
        return wrap(v);
      } catch (err) {
        return onError(err);
      }
    };
    let v: MaybePromise<T>;
    try {
      v = fn();
    } catch (err) {
      return onError(err);
    }
    if (isThenable<T>(v)) return Promise.resolve(v).then(finish, onError);
    return finish(v);
  }

  /** Like call(), but any error is fatal: answer with an exception so CometBFT halts. */
  private callFatal<T>(method: string, fn: () => MaybePromise<T>, wrap: (v: AnyPartial) => Response): Response | Promise<Response> {
    return this.call(method, fn, wrap, (err) => {
      const msg = `${method} failed: ${errorMessage(err)}`;
      this.log(`[abci] FATAL: ${msg}; answering with an exception, CometBFT will stop`, "error");
      if (err instanceof Error && err.stack && !(err instanceof AbciContractViolation)) this.log(err.stack, "error");
      return { exception: { error: msg } };
    });
  }
}

/**
 * Starts an ABCI socket server on `address` (`tcp://host:port`, port 0 picks a free port, or
 * `unix:///path.sock`) serving `app`. Resolves once listening; `.address` is the real address.
 */
export async function startAbciServer(app: AbciApplication, address: string, opts: AbciServerOptions = {}): Promise<AbciServer> {
  const server = new Server(app, opts);
  await server.listen(address);
  return server;
}
