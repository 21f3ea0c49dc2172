// The load generator: `concurrency` workers, each sending JSON-RPC batches of `batch`
// broadcast_tx_sync (or _async) calls over keep-alive HTTP, at a set rate or as fast as the node takes
// them. Tickets are sent in order; with `ordered`, ticket k (account k mod n, round k div n) waits until
// the same account's previous round was accepted, so sequences arrive in order even under retries.
// "mempool is full" is back-pressure: the tx is retried after a short pause.
import http from "node:http";
import { percentile } from "./measure.js";
import { sleep } from "./nodes.js";

export interface LoadOptions {
  rpcUrl: string;
  /** base64 tx for ticket k */
  tx: (ticket: number) => string;
  totalTickets: number;
  durationMs: number;
  /** txs per second offered, 0 = as fast as possible */
  rate: number;
  concurrency: number;
  batch: number;
  method: "broadcast_tx_sync" | "broadcast_tx_async";
  /** per-account ordering over `accounts` accounts (0 = none, e.g. kvstore) */
  accounts: number;
  /**
   * Client-side back-pressure: hold back while the node's mempool (polled every 100 ms, plus what was
   * sent since) holds at least this many txs (0 = off). Keeping below mempool.size matters: a tx that
   * passes CometBFT's "mempool is full" check on arrival but finds the mempool full when its CheckTx
   * answer comes back is dropped silently, and every later tx of its account then fails its sequence.
   */
  mempoolHighWater: number;
}

export interface LoadResult {
  startedAt: number;
  stoppedAt: number;
  sent: number;
  accepted: number;
  rejected: number;
  mempoolFullRetries: number;
  httpErrors: number;
  exhausted: boolean;
  rejectReasons: Record<string, number>;
  /** wall ms of each answered batch request (CometBFT runs a batch's broadcast_tx_sync calls one after
   *  the other, each waiting for its CheckTx answer), over the whole load */
  batchMs: { p50: number; p90: number; p99: number; count: number };
}

interface RpcReply {
  id: number;
  result?: { code?: number; log?: string; codespace?: string };
  error?: { message: string; data?: string };
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency, keepAliveMsecs: 10_000 });
  const url = new URL(o.rpcUrl);
  const result: LoadResult = {
    startedAt: Date.now(),
    stoppedAt: 0,
    sent: 0,
    accepted: 0,
    rejected: 0,
    mempoolFullRetries: 0,
    httpErrors: 0,
    exhausted: false,
    rejectReasons: {},
    batchMs: { p50: NaN, p90: NaN, p99: NaN, count: 0 },
  };
  const batchMs: number[] = [];
  const deadline = result.startedAt + o.durationMs;
  const acceptedRounds = o.accounts > 0 ? new Int32Array(o.accounts) : undefined;
  let next = 0;
  let nextId = 1;
  let mempoolTxs = 0;
  let sentSincePoll = 0;
  let polling = o.mempoolHighWater > 0;

  const post = (body: string): Promise<RpcReply[]> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: "/", method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            try {
              const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
              resolve(Array.isArray(parsed) ? parsed : [parsed]);
            } catch (e) {
              reject(new Error(`HTTP ${res.statusCode}: ${(e as Error).message}`));
            }
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });

  // Token bucket for --rate: a worker takes `batch` tokens before sending.
  const rateStart = Date.now();
  let issued = 0;
  const takeTokens = async (n: number) => {
    if (o.rate <= 0) return;
    const due = rateStart + ((issued + n) / o.rate) * 1000;
    issued += n;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
  };

  const reject = (reason: string) => {
    result.rejected++;
    const key = reason.slice(0, 120);
    result.rejectReasons[key] = (result.rejectReasons[key] ?? 0) + 1;
  };

  const worker = async () => {
    while (Date.now() < deadline) {
      if (next >= o.totalTickets) {
        result.exhausted = true;
        return;
      }
      const first = next;
      const count = Math.min(o.batch, o.totalTickets - first);
      next += count;
      await takeTokens(count);
      while (o.mempoolHighWater > 0 && mempoolTxs + sentSincePoll + count > o.mempoolHighWater && Date.now() < deadline) await sleep(10);
      sentSincePoll += count;
      let pending = Array.from({ length: count }, (_, i) => first + i);
      while (pending.length > 0 && Date.now() < deadline) {
        if (acceptedRounds) {
          // the previous round of each account must be in the mempool first
          for (const t of pending) {
            const account = t % o.accounts;
            const round = Math.floor(t / o.accounts);
            while (acceptedRounds[account] < round && Date.now() < deadline) await sleep(2);
          }
        }
        const ids = new Map<number, number>();
        const calls = pending.map((t) => {
          const id = nextId++;
          ids.set(id, t);
          return `{"jsonrpc":"2.0","id":${id},"method":"${o.method}","params":{"tx":"${o.tx(t)}"}}`;
        });
        let replies: RpcReply[];
        try {
          const posted = performance.now();
          replies = await post(`[${calls.join(",")}]`);
          batchMs.push(performance.now() - posted);
        } catch {
          result.httpErrors++;
          await sleep(50);
          continue;
        }
        const retry: number[] = [];
        for (const reply of replies) {
          const t = ids.get(reply.id);
          if (t === undefined) continue;
          ids.delete(reply.id);
          const message = reply.error ? `${reply.error.message} ${reply.error.data ?? ""}` : "";
          if (process.env.BENCH_DEBUG && reply.error) console.error("rpc error:", message.slice(0, 300));
          if (reply.error && /mempool is full/i.test(message)) {
            retry.push(t);
            continue;
          }
          result.sent++;
          if (reply.error) {
            if (/already exists in cache/i.test(message)) accept(t);
            else reject(message);
          } else if ((reply.result?.code ?? 0) !== 0) {
            reject(`code ${reply.result?.codespace ?? ""}/${reply.result?.code}: ${reply.result?.log ?? ""}`);
            advance(t); // don't block the account's later rounds forever; they will be rejected too
          } else accept(t);
        }
        for (const t of ids.values()) retry.push(t); // no reply: send again
        result.mempoolFullRetries += retry.length;
        pending = retry;
        if (pending.length > 0) await sleep(20);
      }
    }
  };

  function accept(t: number): void {
    result.accepted++;
    advance(t);
  }
  function advance(t: number): void {
    if (acceptedRounds) {
      const account = t % o.accounts;
      acceptedRounds[account] = Math.max(acceptedRounds[account], Math.floor(t / o.accounts) + 1);
    }
  }

  const poller = (async () => {
    while (polling) {
      try {
        const [reply] = await post(`{"jsonrpc":"2.0","id":0,"method":"num_unconfirmed_txs","params":{"limit":"1"}}`);
        mempoolTxs = Number((reply.result as { n_txs?: string } | undefined)?.n_txs ?? 0);
        sentSincePoll = 0;
      } catch {
        // keep the last value
      }
      await sleep(100);
    }
  })();
  await Promise.all(Array.from({ length: o.concurrency }, () => worker()));
  result.stoppedAt = Date.now();
  result.batchMs = { p50: percentile(batchMs, 50), p90: percentile(batchMs, 90), p99: percentile(batchMs, 99), count: batchMs.length };
  polling = false;
  await poller;
  agent.destroy();
  return result;
}
