// The explorer server (cmd/qosd/explorer.ts) against fake upstreams: it serves only its three files (with a
// CSP that allows no inline or foreign script), forwards GETs to the REST gateway and only the read methods
// of CometBFT's RPC, refuses every other method and verb before anything reaches the node, reports a node
// that does not answer as 502 (the page's "node down"), and tunnels only /api/websocket.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExplorerRpcMethods, startExplorerServer, type ExplorerServer } from "../../cmd/qosd/explorer.js";
import { freePort } from "../../cmd/common/processes.js";

interface Seen { method: string; url: string; headers: IncomingMessage["headers"] }

async function fakeUpstream(name: string, seen: Seen[]): Promise<Server> {
  const server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    res.writeHead(200, { "content-type": "application/json", "x-cosmos-block-height": "7", "set-cookie": "a=b" });
    res.end(JSON.stringify({ from: name, url: req.url }));
  });
  server.on("upgrade", (req, socket) => {
    seen.push({ method: "UPGRADE", url: req.url!, headers: req.headers });
    socket.end("HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\nhello from comet");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

describe("explorer server", () => {
  const restSeen: Seen[] = [];
  const rpcSeen: Seen[] = [];
  let restUp: Server;
  let rpcUp: Server;
  let explorer: ExplorerServer;
  let base: string;
  let assets: string;

  before(async () => {
    assets = mkdtempSync(join(tmpdir(), "explorer-assets-"));
    writeFileSync(join(assets, "index.html"), "<!doctype html><p>page</p>");
    writeFileSync(join(assets, "app.js"), "console.log(1)");
    writeFileSync(join(assets, "style.css"), "body{}");
    restUp = await fakeUpstream("rest", restSeen);
    rpcUp = await fakeUpstream("rpc", rpcSeen);
    explorer = await startExplorerServer({ address: "127.0.0.1:0", restUrl: urlOf(restUp), rpcUrl: urlOf(rpcUp), assetsDir: assets });
    base = `http://${explorer.address}`;
  });
  after(async () => {
    await explorer?.close();
    restUp?.close();
    rpcUp?.close();
    rmSync(assets, { recursive: true, force: true });
  });

  test("the page, its script and style; any other path is the page (routes are in the #fragment); CSP forbids inline and foreign script", async () => {
    for (const [path, type, body] of [["/", "text/html; charset=utf-8", "<!doctype html><p>page</p>"], ["/app.js", "text/javascript; charset=utf-8", "console.log(1)"], ["/style.css", "text/css; charset=utf-8", "body{}"], ["/../../etc/passwd", "text/html; charset=utf-8", "<!doctype html><p>page</p>"]]) {
      const res = await fetch(base + path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("content-type"), type, path);
      assert.equal(await res.text(), body, path);
      assert.equal(res.headers.get("content-security-policy"), "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    }
  });

  test("REST reads are forwarded with their query; the height header comes back, upstream cookies do not", async () => {
    const res = await fetch(`${base}/api/rest/qos/stake/v1/validators?pagination.limit=5`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { from: "rest", url: "/qos/stake/v1/validators?pagination.limit=5" });
    assert.equal(res.headers.get("x-cosmos-block-height"), "7");
    assert.equal(res.headers.get("set-cookie"), null);
    assert.equal(restSeen.at(-1)!.method, "GET");
  });

  test("RPC: the read methods only; broadcast, unsafe and dial methods never reach CometBFT", async () => {
    assert.deepEqual([...ExplorerRpcMethods].sort(), ["block", "block_results", "blockchain", "health", "net_info", "num_unconfirmed_txs", "status", "tx", "tx_search", "validators"]);
    const ok = await fetch(`${base}/api/rpc/block?height=3`);
    assert.deepEqual(await ok.json(), { from: "rpc", url: "/block?height=3" });
    const before = rpcSeen.length;
    for (const method of ["broadcast_tx_sync", "broadcast_tx_commit", "unsafe_flush_mempool", "dial_peers", "abci_query", "subscribe", "", "status%2F..%2Fbroadcast_tx_sync"]) {
      const res = await fetch(`${base}/api/rpc/${method}`);
      assert.equal(res.status, 404, method);
      assert.deepEqual(await res.json(), { code: 5, message: `RPC method ${method} is not served to the explorer`, details: [] });
    }
    assert.equal(rpcSeen.length, before);
  });

  test("only GET and HEAD: a POST (a broadcast through the REST gateway) is 405 and forwarded nowhere", async () => {
    const before = restSeen.length + rpcSeen.length;
    for (const path of ["/api/rest/cosmos/tx/v1beta1/txs", "/api/rpc/status", "/"]) {
      const res = await fetch(base + path, { method: "POST", body: "{}" });
      assert.equal(res.status, 405, path);
      assert.equal(res.headers.get("allow"), "GET, HEAD");
    }
    assert.equal(restSeen.length + rpcSeen.length, before);
  });

  test("the WebSocket is tunnelled to CometBFT's /websocket, without the page's origin; other upgrade paths are 404", async () => {
    const raw = (path: string) => new Promise<string>((resolve, reject) => {
      const s = connect(Number(explorer.address.split(":").pop()), "127.0.0.1", () => {
        s.write(`GET ${path} HTTP/1.1\r\nhost: ${explorer.address}\r\norigin: http://evil.example\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n`);
      });
      let got = "";
      s.on("data", (d) => (got += d));
      s.on("close", () => resolve(got));
      s.on("error", reject);
    });
    const tunnelled = await raw("/api/websocket");
    assert.match(tunnelled, /^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*hello from comet$/);
    const up = rpcSeen.at(-1)!;
    assert.equal(up.method, "UPGRADE");
    assert.equal(up.url, "/websocket");
    assert.equal(up.headers.origin, undefined);
    assert.equal(up.headers.host, new URL(urlOf(rpcUp)).host);
    assert.match(await raw("/websocket"), /^HTTP\/1\.1 404 Not Found/);
  });

  test("a node that does not answer is 502 (the page shows node down); a REST gateway that is off is 503", async () => {
    const dead = await freePort();
    const down = await startExplorerServer({ address: "127.0.0.1:0", restUrl: `http://127.0.0.1:${dead}`, rpcUrl: `http://127.0.0.1:${dead}`, assetsDir: assets });
    const noRest = await startExplorerServer({ address: "127.0.0.1:0", rpcUrl: urlOf(rpcUp), assetsDir: assets });
    try {
      for (const path of ["/api/rest/qos/mint/v1/applied", "/api/rpc/status"]) {
        const res = await fetch(`http://${down.address}${path}`);
        assert.equal(res.status, 502, path);
        const body = await res.json();
        assert.equal(body.code, 14);
        assert.match(body.message, /^node unreachable: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
      }
      const off = await fetch(`http://${noRest.address}/api/rest/qos/mint/v1/applied`);
      assert.equal(off.status, 503);
      assert.deepEqual(await off.json(), { code: 14, message: "the REST gateway of this node is off (rest_address is empty)", details: [] });
    } finally {
      await down.close();
      await noRest.close();
    }
  });

  test("missing build output is a clear error at start, not a blank page", async () => {
    const empty = mkdtempSync(join(tmpdir(), "explorer-empty-"));
    try {
      await assert.rejects(startExplorerServer({ address: "127.0.0.1:0", rpcUrl: urlOf(rpcUp), assetsDir: empty }), { message: `explorer file ${join(empty, "index.html")} is missing: run \`npm run build\`` });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
