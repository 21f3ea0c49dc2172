// The block explorer (issue 17): qosd serves the bundled single-page app (dist/explorer/, built by
// scripts/build-explorer.mjs) and forwards the page's reads to this node's public interfaces under its own
// origin, so the page needs no CORS on the REST gateway or CometBFT and works from another machine too:
//   /api/rest/<path>      → the REST gateway (GET only)
//   /api/rpc/<method>     → CometBFT's RPC (GET only, the read methods below)
//   /api/websocket        → CometBFT's WebSocket (live blocks), bytes passed through
// The explorer reads nothing else: no state of its own, no access to the app.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const DefaultExplorerAddress = "127.0.0.1:8080";

/** CometBFT RPC methods the page may call: reads only (no broadcast, no unsafe_*, no dial). */
export const ExplorerRpcMethods: ReadonlySet<string> = new Set([
  "status", "block", "block_results", "blockchain", "tx", "tx_search", "validators", "net_info", "num_unconfirmed_txs", "health",
]);

export interface ExplorerServerOptions {
  /** host:port; port 0 picks a free port */
  address: string;
  /** http://host:port of the REST gateway, or undefined when it is off */
  restUrl?: string;
  /** http://host:port of CometBFT's RPC */
  rpcUrl: string;
  /** folder of index.html, app.js, style.css (default: dist/explorer next to this file's build) */
  assetsDir?: string;
  log?: (line: string) => void;
}

export interface ExplorerServer {
  readonly address: string;
  close(): Promise<void>;
}

const ContentTypes: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

// The page runs only its own script and talks only to its own origin (the forwarded APIs).
const SecurityHeaders = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** The explorer's files, built next to dist/cmd/qosd/: dist/explorer/. */
export function defaultAssetsDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "../../explorer");
}

function splitHostPort(address: string): { host: string; port: number } {
  const bare = address.replace(/^tcp:\/\//, "");
  const colon = bare.lastIndexOf(":");
  if (colon < 0) throw new Error(`explorer address ${address} is not host:port`);
  return { host: bare.slice(0, colon).replace(/^\[(.*)\]$/, "$1") || "127.0.0.1", port: Number(bare.slice(colon + 1)) };
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(body);
}

/** Forward a GET to `target` and stream the answer back; a node that does not answer is a 502 the page shows as "node down".
 *  Only the height header goes up (the page reads one committed state for a whole view). */
function forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const height = req.headers["x-cosmos-block-height"];
  const headers: Record<string, string> = { accept: "application/json" };
  if (typeof height === "string" && /^\d{1,20}$/.test(height)) headers["x-cosmos-block-height"] = height;
  const upstream = httpRequest(target, { method: "GET", headers, timeout: 15_000 }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, {
      "content-type": answer.headers["content-type"] ?? "application/json",
      "cache-control": "no-store",
      ...(answer.headers["x-cosmos-block-height"] ? { "x-cosmos-block-height": answer.headers["x-cosmos-block-height"] } : {}),
    });
    answer.pipe(res);
  });
  upstream.on("timeout", () => upstream.destroy(new Error("timeout")));
  upstream.on("error", (e) => {
    if (res.headersSent) res.destroy();
    else sendText(res, 502, JSON.stringify({ code: 14, message: `node unreachable: ${e.message}`, details: [] }));
  });
  upstream.end();
}

export async function startExplorerServer(options: ExplorerServerOptions): Promise<ExplorerServer> {
  const assetsDir = options.assetsDir ?? defaultAssetsDir();
  const assets = new Map<string, Buffer>();
  for (const name of Object.keys(ContentTypes)) {
    try {
      assets.set(name, readFileSync(join(assetsDir, name)));
    } catch {
      throw new Error(`explorer file ${join(assetsDir, name)} is missing: run \`npm run build\``);
    }
  }
  const rpc = new URL(options.rpcUrl);
  const rest = options.restUrl ? new URL(options.restUrl) : undefined;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://explorer.invalid");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" });
      res.end();
      return;
    }
    if (url.pathname.startsWith("/api/rest/")) {
      if (!rest) return sendText(res, 503, JSON.stringify({ code: 14, message: "the REST gateway of this node is off (rest_address is empty)", details: [] }));
      return forward(req, res, new URL(url.pathname.slice("/api/rest".length) + url.search, rest));
    }
    if (url.pathname.startsWith("/api/rpc/")) {
      const method = url.pathname.slice("/api/rpc/".length);
      if (!ExplorerRpcMethods.has(method)) return sendText(res, 404, JSON.stringify({ code: 5, message: `RPC method ${method} is not served to the explorer`, details: [] }));
      return forward(req, res, new URL(`/${method}${url.search}`, rpc));
    }
    // Every other path is the page itself (routes live in the URL's #fragment).
    const name = url.pathname === "/app.js" ? "app.js" : url.pathname === "/style.css" ? "style.css" : "index.html";
    res.writeHead(200, { "content-type": ContentTypes[name], "cache-control": "no-cache", ...SecurityHeaders });
    res.end(req.method === "HEAD" ? undefined : assets.get(name));
  });

  // The live feed: the page's WebSocket handshake is replayed to CometBFT's /websocket and both sockets are
  // piped; only that path is accepted.
  const tunnels = new Set<{ destroy(): void }>();
  server.on("upgrade", (req: IncomingMessage, socket, head) => {
    if ((req.url ?? "") !== "/api/websocket") {
      socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n");
      return;
    }
    const upstream = connect(Number(rpc.port || 80), rpc.hostname.replace(/^\[(.*)\]$/, "$1"));
    const headers = Object.entries(req.headers)
      .filter(([name]) => name !== "host" && name !== "origin")
      .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(", ") : value}`);
    upstream.once("connect", () => {
      upstream.write(`GET /websocket HTTP/1.1\r\nhost: ${rpc.host}\r\n${headers.join("\r\n")}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    tunnels.add(socket);
    socket.once("close", () => tunnels.delete(socket));
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    socket.on("close", () => upstream.destroy());
    upstream.on("close", () => socket.destroy());
  });

  const { host, port } = splitHostPort(options.address);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const address = `${bound.family === "IPv6" ? `[${bound.address}]` : bound.address}:${bound.port}`;
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of tunnels) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
