import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import net from "node:net";
import { join } from "node:path";
import {
  ResponseApplySnapshotChunk_Result,
  ResponseOfferSnapshot_Result,
  ResponseProcessProposal_ProposalStatus,
  ResponseVerifyVoteExtension_VerifyStatus,
} from "cosmjs-types/tendermint/abci/types";
import type { Response, ResponseCheckTx } from "cosmjs-types/tendermint/abci/types";
import { startAbciServer, parseAbciAddress, type AbciApplication, type AbciServer } from "../../app/abci/server.js";
import { encodeFrame, encodeLengthPrefix } from "../../app/abci/framing.js";
import { connect, responseKind, type AbciTestClient } from "../helpers/abci-client.js";

const INFO_REQ = { version: "0.38.25", blockVersion: 11n, p2pVersion: 8n, abciVersion: "2.0.0" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fake app whose handlers tests override; records every call in `calls`. */
function fakeApp(over: Partial<AbciApplication> = {}): AbciApplication & { calls: string[] } {
  const calls: string[] = [];
  const base: AbciApplication = {
    info: () => ({ data: "fake", version: "1", appVersion: 1n, lastBlockHeight: 7n, lastBlockAppHash: Uint8Array.of(1, 2, 3) }),
    initChain: () => ({ validators: [], appHash: new Uint8Array() }),
    query: (r) => ({ code: 0, log: "", info: "", index: 0n, key: r.data, value: Uint8Array.of(42), height: 7n, codespace: "" }),
    checkTx: (r) => checkTxOk(r.tx),
    prepareProposal: (r) => ({ txs: r.txs }),
    processProposal: () => ({ status: ResponseProcessProposal_ProposalStatus.ACCEPT }),
    extendVote: () => ({ voteExtension: new Uint8Array() }),
    verifyVoteExtension: () => ({ status: ResponseVerifyVoteExtension_VerifyStatus.ACCEPT }),
    finalizeBlock: (r) => ({ events: [], txResults: r.txs.map(() => ({}) as never), validatorUpdates: [], appHash: Uint8Array.of(9) }),
    commit: () => ({ retainHeight: 0n }),
  };
  const app = { ...base, ...over } as AbciApplication;
  const wrapped = { calls } as AbciApplication & { calls: string[] };
  for (const k of Object.keys(base) as (keyof AbciApplication)[]) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (wrapped as any)[k] = (req: any) => {
      calls.push(k);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (app[k] as any)(req);
    };
  }
  return wrapped;
}

function checkTxOk(tx: Uint8Array): ResponseCheckTx {
  return { code: 0, data: tx, log: "ok", info: "", gasWanted: BigInt(tx.length), gasUsed: 0n, events: [], codespace: "" };
}

async function withServer(
  app: AbciApplication,
  fn: (server: AbciServer, logs: string[]) => Promise<void>,
  address = "tcp://127.0.0.1:0",
): Promise<void> {
  const logs: string[] = [];
  const server = await startAbciServer(app, address, { logger: (m) => logs.push(m) });
  try {
    await fn(server, logs);
  } finally {
    await server.close();
  }
}

test("parseAbciAddress", () => {
  assert.deepEqual(parseAbciAddress("tcp://127.0.0.1:26658"), { kind: "tcp", host: "127.0.0.1", port: 26658 });
  assert.deepEqual(parseAbciAddress("tcp://[::1]:0"), { kind: "tcp", host: "::1", port: 0 });
  assert.deepEqual(parseAbciAddress("unix:///tmp/app.sock"), { kind: "unix", path: "/tmp/app.sock" });
  assert.throws(() => parseAbciAddress("127.0.0.1:26658"));
  assert.throws(() => parseAbciAddress("tcp://host"));
});

test("port 0 resolves to a real port; echo and info round-trip", async () => {
  await withServer(fakeApp(), async (server) => {
    const m = /^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(server.address);
    assert.ok(m, server.address);
    assert.notEqual(Number(m[1]), 0);
    const c = await connect(server.address);
    const echo = await c.request({ echo: { message: "hello" } });
    assert.equal(echo.echo?.message, "hello");
    const info = await c.request({ info: INFO_REQ });
    assert.equal(info.info?.lastBlockHeight, 7n);
    assert.deepEqual(info.info?.lastBlockAppHash, Uint8Array.of(1, 2, 3));
    assert.equal(info.info?.data, "fake");
    await c.close();
  });
});

test("server answers Flush with a flush response and the raw bytes are exactly 02 1a 00", async () => {
  await withServer(fakeApp(), async (server) => {
    const c = await connect(server.address);
    const got: Buffer[] = [];
    c.socket.removeAllListeners("data");
    c.socket.on("data", (d: Buffer) => got.push(d));
    c.writeBytes(Uint8Array.of(0x02, 0x12, 0x00));
    for (let i = 0; i < 100 && Buffer.concat(got).length < 3; i++) await sleep(5);
    assert.equal(Buffer.concat(got).toString("hex"), "021a00");
    c.socket.destroy();
  });
});

/** Counts the writes of every socket but the test's client `except` (i.e. the server's) until restore(). */
function countServerWrites(except: net.Socket): { readonly count: number; restore(): void } {
  const original = net.Socket.prototype.write;
  const counter = { count: 0, restore: () => void (net.Socket.prototype.write = original) };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  net.Socket.prototype.write = function (this: net.Socket, ...args: any[]) {
    if (this !== except) counter.count++;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (original as any).apply(this, args);
  } as typeof original;
  return counter;
}

test("a stock CometBFT's [CheckTx, Flush] pairs arriving together are answered in one write, not one per Flush", async () => {
  await withServer(fakeApp(), async (server) => {
    const c = await connect(server.address);
    const pairs = 50;
    const reqs = Array.from({ length: pairs }, (_, i) => [{ checkTx: { tx: Uint8Array.of(i), type: 0 } }, { flush: {} }]).flat();
    // the clock stands still, so the delay bound never cuts the batch: the count is exact
    const now = performance.now;
    const frozen = now.call(performance);
    performance.now = () => frozen;
    const writes = countServerWrites(c.socket);
    let res: Response[];
    try {
      res = await Promise.all(c.sendRaw(reqs));
    } finally {
      performance.now = now;
      writes.restore();
    }
    assert.equal(writes.count, 1);
    assert.deepEqual(res.map(responseKind), reqs.map((r) => ("flush" in r ? "flush" : "checkTx")));
    res.filter((r) => r.checkTx).forEach((r, i) => assert.deepEqual(r.checkTx?.data, Uint8Array.of(i)));
    await c.close();
  });
});

test("an answered Flush is written before a request other than CheckTx runs (a long FinalizeBlock does not hold it)", async () => {
  let writes: ReturnType<typeof countServerWrites> | undefined;
  let writesBeforeFinalize = -1;
  const app = fakeApp({
    finalizeBlock: (r) => {
      writesBeforeFinalize = writes!.count;
      return { events: [], txResults: r.txs.map(() => ({}) as never), validatorUpdates: [], appHash: Uint8Array.of(9) };
    },
  });
  await withServer(app, async (server) => {
    const c = await connect(server.address);
    writes = countServerWrites(c.socket);
    try {
      // one write: the mempool's pair, then a FinalizeBlock and its Flush behind it on the same queue
      await Promise.all(c.sendRaw([{ checkTx: { tx: Uint8Array.of(1), type: 0 } }, { flush: {} }, { finalizeBlock: { txs: [], height: 1n } }, { flush: {} }]));
    } finally {
      writes.restore();
    }
    assert.equal(writesBeforeFinalize, 1);
    assert.equal(writes.count, 2);
    await c.close();
  });
});

test("pipelined burst of CheckTx + Flush: responses in request order, sync and async handlers mixed", async () => {
  const app = fakeApp({
    // Every 7th tx answers asynchronously after a delay that would reorder a naive server.
    checkTx: (r) => (r.tx[0] % 7 === 0 ? sleep(10 - (r.tx[0] % 10)).then(() => checkTxOk(r.tx)) : checkTxOk(r.tx)),
  });
  await withServer(app, async (server) => {
    const c = await connect(server.address);
    const n = 200;
    const reqs = Array.from({ length: n }, (_, i) => ({ checkTx: { tx: Uint8Array.of(i & 0xff, i >> 8), type: 0 } }));
    const res = await c.requestMany(reqs); // one write: 200 CheckTx frames + Flush
    assert.equal(res.length, n);
    res.forEach((r, i) => {
      assert.equal(responseKind(r), "checkTx");
      assert.deepEqual(r.checkTx?.data, Uint8Array.of(i & 0xff, i >> 8), `response ${i}`);
    });
    assert.equal(app.calls.filter((k) => k === "checkTx").length, n);
    // The connection still works afterwards.
    assert.equal((await c.request({ echo: { message: "after" } })).echo?.message, "after");
    await c.close();
  });
});

for (const mode of ["sync", "async"] as const) test(`a large burst (20000 ${mode} CheckTx; async exceeds the input pause mark) is answered completely and in order`, async () => {
  // async: each answer takes an event-loop turn, so input piles up and the server pauses reading.
  const app = fakeApp(mode === "async" ? { checkTx: (r) => new Promise((res) => setImmediate(() => res(checkTxOk(r.tx)))) } : {});
  await withServer(app, async (server) => {
    const c = await connect(server.address);
    const n = 20000;
    const reqs = Array.from({ length: n }, (_, i) => ({ checkTx: { tx: new Uint8Array(Uint32Array.of(i).buffer) } }));
    const res = await c.requestMany(reqs);
    for (let i = 0; i < n; i++) {
      const tx = res[i].checkTx!.data;
      assert.equal(new Uint32Array(tx.slice().buffer)[0], i);
    }
    await c.close();
  });
});

test("checkTx handler that throws → code 1, codespace sdk, and the connection keeps working", async () => {
  const app = fakeApp({
    checkTx: (r) => {
      if (r.tx[0] === 0xee) throw new Error("boom");
      if (r.tx[0] === 0xef) return Promise.reject(new Error("async boom"));
      return checkTxOk(r.tx);
    },
  });
  await withServer(app, async (server, logs) => {
    const c = await connect(server.address);
    const [bad, good, badAsync, good2] = await c.requestMany([
      { checkTx: { tx: Uint8Array.of(0xee) } },
      { checkTx: { tx: Uint8Array.of(1) } },
      { checkTx: { tx: Uint8Array.of(0xef) } },
      { checkTx: { tx: Uint8Array.of(2) } },
    ]);
    assert.equal(bad.checkTx?.code, 1);
    assert.equal(bad.checkTx?.codespace, "sdk");
    assert.equal(bad.checkTx?.log, "internal error: boom");
    assert.equal(good.checkTx?.code, 0);
    assert.equal(badAsync.checkTx?.code, 1);
    assert.equal(badAsync.checkTx?.log, "internal error: async boom");
    assert.deepEqual(good2.checkTx?.data, Uint8Array.of(2));
    const after = await c.request({ checkTx: { tx: Uint8Array.of(3) } });
    assert.equal(after.checkTx?.code, 0);
    assert.ok(logs.some((l) => l.includes("boom")), "error logged");
    await c.close();
  });
});

test("query handler that throws → code 1 with the request height; next query answered", async () => {
  let fail = true;
  const app = fakeApp({
    query: (r) => {
      if (fail) {
        fail = false;
        throw new Error("no such path");
      }
      return { code: 0, log: "", info: "", index: 0n, key: r.data, value: Uint8Array.of(5), height: 3n, codespace: "" };
    },
  });
  await withServer(app, async (server) => {
    const c = await connect(server.address);
    const bad = await c.request({ query: { path: "/x", data: Uint8Array.of(1), height: 12n } });
    assert.equal(bad.query?.code, 1);
    assert.equal(bad.query?.codespace, "sdk");
    assert.equal(bad.query?.log, "internal error: no such path");
    assert.equal(bad.query?.height, 12n);
    const good = await c.request({ query: { path: "/x", data: Uint8Array.of(1) } });
    assert.equal(good.query?.code, 0);
    assert.deepEqual(good.query?.value, Uint8Array.of(5));
    await c.close();
  });
});

test("snapshot requests are answered by the server (state sync refused)", async () => {
  const app = fakeApp();
  await withServer(app, async (server) => {
    const c = await connect(server.address);
    const [list, offer, load, apply] = await c.requestMany([
      { listSnapshots: {} },
      { offerSnapshot: { snapshot: { height: 5n, format: 1, chunks: 1 }, appHash: Uint8Array.of(1) } },
      { loadSnapshotChunk: { height: 5n, format: 1, chunk: 0 } },
      { applySnapshotChunk: { index: 0, chunk: Uint8Array.of(1), sender: "x" } },
    ]);
    assert.deepEqual(list.listSnapshots?.snapshots, []);
    assert.equal(offer.offerSnapshot?.result, ResponseOfferSnapshot_Result.ABORT);
    assert.equal(load.loadSnapshotChunk?.chunk.length, 0);
    assert.equal(apply.applySnapshotChunk?.result, ResponseApplySnapshotChunk_Result.ABORT);
    assert.deepEqual(app.calls, []);
    await c.close();
  });
});

test("consensus methods reach the app; responses are of the matching kind", async () => {
  const app = fakeApp();
  await withServer(app, async (server) => {
    const c = await connect(server.address);
    const txs = [Uint8Array.of(1), Uint8Array.of(2)];
    const [init, prep, proc, ext, ver, fin, com] = await c.requestMany([
      { initChain: { chainId: "test", initialHeight: 1n, time: { seconds: 0n, nanos: 0 } } },
      { prepareProposal: { txs, maxTxBytes: 100n, height: 1n } },
      { processProposal: { txs, height: 1n } },
      { extendVote: { height: 1n } },
      { verifyVoteExtension: { height: 1n } },
      { finalizeBlock: { txs, height: 1n } },
      { commit: {} },
    ]);
    assert.ok(init.initChain);
    assert.deepEqual(prep.prepareProposal?.txs, txs);
    assert.equal(proc.processProposal?.status, ResponseProcessProposal_ProposalStatus.ACCEPT);
    assert.ok(ext.extendVote);
    assert.equal(ver.verifyVoteExtension?.status, ResponseVerifyVoteExtension_VerifyStatus.ACCEPT);
    assert.equal(fin.finalizeBlock?.txResults.length, 2);
    assert.deepEqual(fin.finalizeBlock?.appHash, Uint8Array.of(9));
    assert.ok(com.commit);
    assert.deepEqual(app.calls, ["initChain", "prepareProposal", "processProposal", "extendVote", "verifyVoteExtension", "finalizeBlock", "commit"]);
    await c.close();
  });
});

test("fatal errors: a throwing finalizeBlock, undefined commit, status UNKNOWN, wrong tx_results count → exception", async () => {
  let finalizeMode = "throw";
  const app = fakeApp({
    finalizeBlock: (r) => {
      if (finalizeMode === "throw") throw new Error("disk on fire");
      return { events: [], txResults: [], validatorUpdates: [], appHash: new Uint8Array() }; // 0 results for r.txs
    },
    commit: () => undefined as never,
    processProposal: () => ({ status: ResponseProcessProposal_ProposalStatus.UNKNOWN }),
    verifyVoteExtension: async () => ({}) as never, // status missing = 0
  });
  await withServer(app, async (server, logs) => {
    const c = await connect(server.address);
    const fin = await c.request({ finalizeBlock: { txs: [Uint8Array.of(1)], height: 1n } });
    assert.match(fin.exception?.error ?? "", /finalizeBlock failed: disk on fire/);
    assert.ok(logs.some((l) => l.includes("FATAL") && l.includes("disk on fire")));
    finalizeMode = "short";
    const fin2 = await c.request({ finalizeBlock: { txs: [Uint8Array.of(1)], height: 1n } });
    assert.match(fin2.exception?.error ?? "", /0 tx results for 1 txs/);
    const com = await c.request({ commit: {} });
    assert.match(com.exception?.error ?? "", /commit returned no response/);
    const proc = await c.request({ processProposal: { height: 1n } });
    assert.match(proc.exception?.error ?? "", /processProposal returned status 0/);
    const ver = await c.request({ verifyVoteExtension: { height: 1n } });
    assert.match(ver.exception?.error ?? "", /verifyVoteExtension returned status 0/);
    // The server itself keeps the connection open (CometBFT is the one that stops).
    assert.equal((await c.request({ echo: { message: "still here" } })).echo?.message, "still here");
    await c.close();
  });
});

test("global serialization: a slow async commit on one connection delays a query on another", async () => {
  const events: string[] = [];
  let commitStarted!: () => void;
  const started = new Promise<void>((r) => (commitStarted = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const app = fakeApp({
    commit: async () => {
      events.push("commit:start");
      commitStarted();
      await gate;
      events.push("commit:end");
      return { retainHeight: 0n };
    },
    query: (r) => {
      events.push("query");
      return { code: 0, log: "", info: "", index: 0n, key: r.data, value: new Uint8Array(), height: 1n, codespace: "" };
    },
    checkTx: (r) => {
      events.push("checkTx");
      return checkTxOk(r.tx);
    },
  });
  await withServer(app, async (server) => {
    const consensus = await connect(server.address);
    const queryConn = await connect(server.address);
    const mempool = await connect(server.address);
    const commitP = consensus.request({ commit: {} });
    await started;
    const queryP = queryConn.request({ query: { path: "/p", data: new Uint8Array() } });
    const checkP = mempool.request({ checkTx: { tx: Uint8Array.of(1) } });
    let queryDone = false;
    void queryP.then(() => (queryDone = true));
    await sleep(80);
    assert.equal(queryDone, false, "query answered while commit was still running");
    assert.deepEqual(events, ["commit:start"]);
    release();
    const [com, q, ct] = await Promise.all([commitP, queryP, checkP]);
    assert.ok(com.commit);
    assert.equal(q.query?.code, 0);
    assert.equal(ct.checkTx?.code, 0);
    assert.deepEqual(events, ["commit:start", "commit:end", "query", "checkTx"]);
    await Promise.all([consensus.close(), queryConn.close(), mempool.close()]);
  });
});

test("responses already computed are written before a slow async handler finishes", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const app = fakeApp({ commit: () => gate.then(() => ({ retainHeight: 0n })) });
  await withServer(app, async (server) => {
    const c = await connect(server.address);
    // echo then commit, no Flush in between: the echo answer must arrive while commit waits.
    const [echoP, commitP, flushP] = c.sendRaw([{ echo: { message: "e" } }, { commit: {} }, { flush: {} }]);
    const echo = await Promise.race([echoP, sleep(500).then(() => null)]);
    assert.ok(echo, "echo response held back behind the pending commit");
    release();
    await Promise.all([commitP, flushP]);
    await c.close();
  });
});

test("two connections interleaving pipelined requests each get their own responses in order", async () => {
  await withServer(fakeApp(), async (server) => {
    const a = await connect(server.address);
    const b = await connect(server.address);
    const mk = (tag: number) => Array.from({ length: 50 }, (_, i) => ({ checkTx: { tx: Uint8Array.of(tag, i) } }));
    const [ra, rb] = await Promise.all([a.requestMany(mk(0xa)), b.requestMany(mk(0xb))]);
    ra.forEach((r, i) => assert.deepEqual(r.checkTx?.data, Uint8Array.of(0xa, i)));
    rb.forEach((r, i) => assert.deepEqual(r.checkTx?.data, Uint8Array.of(0xb, i)));
    await Promise.all([a.close(), b.close()]);
  });
});

test("malformed frame (undecodable protobuf) closes that connection only", async () => {
  await withServer(fakeApp(), async (server, logs) => {
    const bad = await connect(server.address);
    const good = await connect(server.address);
    // Field 1 (echo), length-delimited, announcing 5 bytes but holding 1: premature EOF.
    bad.writeBytes(encodeFrame(Uint8Array.of(0x0a, 0x05, 0x01)));
    await bad.closed;
    assert.ok(logs.some((l) => l.includes("undecodable request")), logs.join("\n"));
    assert.equal((await good.request({ echo: { message: "ok" } })).echo?.message, "ok");
    await good.close();
  });
});

test("oversize frame length closes the connection", async () => {
  const logs: string[] = [];
  const server = await startAbciServer(fakeApp(), "tcp://127.0.0.1:0", { logger: (m) => logs.push(m), maxFrameSize: 1024 });
  try {
    const c = await connect(server.address);
    c.writeBytes(encodeLengthPrefix(4096));
    await c.closed;
    assert.ok(logs.some((l) => l.includes("exceeds the maximum")), logs.join("\n"));
  } finally {
    await server.close();
  }
});

test("a request with no field set is answered with an exception", async () => {
  await withServer(fakeApp(), async (server) => {
    const c = await connect(server.address);
    // Raw: empty Request body, then a Flush.
    const got: Buffer[] = [];
    c.socket.removeAllListeners("data");
    c.socket.on("data", (d: Buffer) => got.push(d));
    c.writeBytes(Uint8Array.of(0x00, 0x02, 0x12, 0x00));
    for (let i = 0; i < 100 && !Buffer.concat(got).toString("hex").endsWith("021a00"); i++) await sleep(5);
    const hex = Buffer.concat(got).toString("hex");
    // Response{exception{error:"unknown request"}} = 0a 11 0a 0f "unknown request", then flush.
    assert.equal(hex, "13" + "0a11" + "0a0f" + Buffer.from("unknown request").toString("hex") + "021a00");
    c.socket.destroy();
  });
});

test("unix socket address works and the socket file is removed on close", async () => {
  const dir = mkdtempSync(join(tmpdir(), "abci-"));
  const path = join(dir, "app.sock");
  try {
    const server = await startAbciServer(fakeApp(), `unix://${path}`, { logger: () => {} });
    assert.equal(server.address, `unix://${path}`);
    assert.ok(existsSync(path));
    const c: AbciTestClient = await connect(server.address);
    assert.equal((await c.request({ echo: { message: "via unix" } })).echo?.message, "via unix");
    const info = await c.request({ info: INFO_REQ });
    assert.equal(info.info?.lastBlockHeight, 7n);
    await c.close();
    await server.close();
    assert.equal(existsSync(path), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
