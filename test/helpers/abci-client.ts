// Minimal ABCI socket client for tests: behaves like one CometBFT connection.
//
//   const c = await connect(server.address);
//   const res = await c.request({ info: { version: "0.38.25", ... } });   // Request partial
//   const many = await c.requestMany([{ checkTx: {...} }, { checkTx: {...} }]);
//   await c.close();
//
// Every request is written followed by a Flush (as CometBFT's synchronous calls do); responses
// are matched strictly FIFO and checked to be of the request's kind (or an exception), like
// CometBFT's resMatchesReq: a mismatch rejects the pending promises and closes the client.
import net from "node:net";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import { FrameDecoder, encodeFrame } from "../../app/abci/framing.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RequestInput = Partial<Record<keyof Request, any>>;

interface Pending {
  kind: keyof Request;
  resolve: (res: Response) => void;
  reject: (err: Error) => void;
}

const RESPONSE_KEYS: (keyof Response)[] = [
  "exception",
  "echo",
  "flush",
  "info",
  "initChain",
  "query",
  "checkTx",
  "commit",
  "listSnapshots",
  "offerSnapshot",
  "loadSnapshotChunk",
  "applySnapshotChunk",
  "prepareProposal",
  "processProposal",
  "extendVote",
  "verifyVoteExtension",
  "finalizeBlock",
];

/** The oneof field set in a Response (first one found), or undefined. */
export function responseKind(res: Response): keyof Response | undefined {
  return RESPONSE_KEYS.find((k) => res[k] !== undefined);
}

/** The oneof field set in a Request, or undefined. */
export function requestKind(req: RequestInput | Request): keyof Request | undefined {
  return (Object.keys(req) as (keyof Request)[]).find((k) => (req as Record<string, unknown>)[k] !== undefined);
}

export class AbciTestClient {
  private readonly decoder = new FrameDecoder();
  private readonly pending: Pending[] = [];
  private closedError: Error | null = null;
  /** Resolves when the socket closes (for tests that expect the server to drop us). */
  readonly closed: Promise<void>;

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    this.closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) => this.failAll(err));
    socket.on("close", () => this.failAll(new Error("ABCI connection closed")));
  }

  /** Sends one request + Flush; resolves with the response to the request. */
  request(req: RequestInput): Promise<Response> {
    return this.requestMany([req]).then((r) => r[0]);
  }

  /** Pipelines several requests then one Flush (one write); resolves with their responses in order. */
  async requestMany(reqs: RequestInput[]): Promise<Response[]> {
    const promises = this.sendRaw([...reqs, { flush: {} }]);
    const all = await Promise.all(promises);
    return all.slice(0, reqs.length);
  }

  /**
   * Writes the given requests (no Flush added) in one write; returns one promise per request.
   * Lower level: lets a test send without flushing or start a request without awaiting it.
   */
  sendRaw(reqs: RequestInput[]): Promise<Response>[] {
    if (this.closedError) return reqs.map(() => Promise.reject(this.closedError!));
    const frames: Uint8Array[] = [];
    const promises: Promise<Response>[] = [];
    for (const input of reqs) {
      const req = Request.fromPartial(input as never);
      const kind = requestKind(input);
      if (kind === undefined) throw new Error("request has no field set");
      frames.push(encodeFrame(Request.encode(req).finish()));
      promises.push(new Promise<Response>((resolve, reject) => this.pending.push({ kind, resolve, reject })));
    }
    this.socket.write(Buffer.concat(frames));
    return promises;
  }

  /** Writes raw bytes (for malformed-input tests). */
  writeBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Number of requests sent and not yet answered. */
  get outstanding(): number {
    return this.pending.length;
  }

  close(): Promise<void> {
    this.socket.end();
    this.socket.destroy();
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    let bodies: Uint8Array[];
    try {
      bodies = this.decoder.push(chunk);
    } catch (err) {
      this.fatal(err as Error);
      return;
    }
    for (const body of bodies) {
      let res: Response;
      try {
        res = Response.decode(body);
      } catch (err) {
        this.fatal(new Error(`undecodable response: ${(err as Error).message}`));
        return;
      }
      const p = this.pending.shift();
      if (!p) {
        this.fatal(new Error(`unsolicited response ${responseKind(res)}`));
        return;
      }
      const kind = responseKind(res);
      if (kind !== p.kind && kind !== "exception") {
        const err = new Error(`response kind ${kind} does not match request kind ${p.kind}`);
        p.reject(err);
        this.fatal(err);
        return;
      }
      p.resolve(res);
    }
  }

  private fatal(err: Error): void {
    this.failAll(err);
    this.socket.destroy();
  }

  private failAll(err: Error): void {
    if (!this.closedError) this.closedError = err;
    for (const p of this.pending.splice(0)) p.reject(err);
  }
}

/** Connects to `tcp://host:port` or `unix:///path`. */
export function connect(address: string): Promise<AbciTestClient> {
  let opts: net.NetConnectOpts;
  if (address.startsWith("unix://")) opts = { path: address.slice("unix://".length) };
  else if (address.startsWith("tcp://")) {
    const m = /^tcp:\/\/(?:\[([^\]]+)\]|([^:/]*)):(\d+)$/.exec(address);
    if (!m) throw new Error(`bad address ${address}`);
    opts = { host: m[1] ?? m[2] ?? "127.0.0.1", port: Number(m[3]) };
  } else throw new Error(`bad address ${address}`);
  return new Promise((resolve, reject) => {
    const socket = net.connect(opts);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(new AbciTestClient(socket));
    });
    socket.once("error", reject);
  });
}
