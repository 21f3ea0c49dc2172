// The REST (LCD) gateway (D13): the Cosmos SDK's HTTP/JSON API on port 1317, for wallets and explorers (Keplr,
// Ping.pub) that speak REST only.
//
// - Routes are the google.api.http annotations of proto/ (gen/rest-routes.ts, generated at build time); a
//   route calls the same method the gRPC server serves (callMethod: the router's query on a committed state,
//   or a node service), so REST never runs anything gRPC would not, and a query never waits on a block.
// - Cosmos JSON both ways (json.ts); x-cosmos-block-height selects the height and is sent back.
// - Errors as the SDK's grpc-gateway writes them: HTTP status from the gRPC code, body {code, message, details}.
//   An unknown route is 501 with gRPC code UNIMPLEMENTED, as in the SDK.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { RestRoutes, type RestRoute } from "../../gen/rest-routes.js";
import { AppError, Errors } from "../errors.js";
import { BlockHeightHeader, callMethod, grpcStatusOf, parseBlockHeight, type QueryBackend, type ServiceHandler } from "../grpc/server.js";
import { requestFromBody, requestFromParams, toCosmosJson } from "./json.js";

export const DefaultRestAddress = "127.0.0.1:1317";
/** the largest request body (a broadcast tx in base64 JSON is well below it) */
export const DefaultMaxBodyBytes = 4 * 1024 * 1024;

export interface RestServerOptions {
  /** host:port (a "tcp://" prefix is accepted); port 0 picks a free port */
  address: string;
  /** origins allowed by CORS: ["*"] any, [] none (no CORS headers) */
  corsOrigins?: readonly string[];
  maxBodyBytes?: number;
  /** methods served beside the router's (the same map the gRPC server gets) */
  services?: ReadonlyMap<string, ServiceHandler>;
  log?: (line: string) => void;
}

export interface RestServer {
  readonly address: string;
  close(): Promise<void>;
}

/** gRPC code → HTTP status, grpc-gateway's table (runtime.HTTPStatusFromCode). */
export function httpStatusOf(code: number): number {
  const table: Record<number, number> = {
    0: 200, 1: 408, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429,
    9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401,
  };
  return table[code] ?? 500;
}

/** The SDK's error body (a google.rpc.Status in JSON). */
export function errorBody(code: number, message: string): { code: number; message: string; details: unknown[] } {
  return { code, message, details: [] };
}

const Unimplemented = 12;
const ResourceExhausted = 8;
const Internal = 13;

interface CompiledRoute {
  route: RestRoute;
  /** a literal segment, or undefined for a {field} */
  literals: (string | undefined)[];
  names: (string | undefined)[];
}

/** Routes by segment count; within a count, more literal segments first (at the first difference), so that
 *  /supply/by_denom wins over /supply/{denom} and /blocks/latest over /blocks/{height}. */
export function compileRoutes(routes: readonly RestRoute[]): Map<number, CompiledRoute[]> {
  const byLength = new Map<number, CompiledRoute[]>();
  for (const route of routes) {
    const segments = route.pattern.split("/").slice(1);
    const compiled: CompiledRoute = {
      route,
      literals: segments.map((s) => (s.startsWith("{") ? undefined : s)),
      names: segments.map((s) => (s.startsWith("{") ? s.slice(1, -1) : undefined)),
    };
    if (!byLength.has(segments.length)) byLength.set(segments.length, []);
    byLength.get(segments.length)!.push(compiled);
  }
  for (const list of byLength.values()) {
    list.sort((a, b) => {
      for (let i = 0; i < a.literals.length; i++) {
        const [la, lb] = [a.literals[i] !== undefined, b.literals[i] !== undefined];
        if (la !== lb) return la ? -1 : 1;
      }
      return 0;
    });
  }
  return byLength;
}

/** The route for a method and a URL path, with its path variables; undefined when none matches. */
export function matchRoute(table: Map<number, CompiledRoute[]>, verb: string, path: string): { route: RestRoute; vars: Map<string, string> } | undefined {
  const segments = path.split("/").slice(1);
  for (const candidate of table.get(segments.length) ?? []) {
    if (candidate.route.verb !== verb) continue;
    const vars = new Map<string, string>();
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const literal = candidate.literals[i];
      if (literal !== undefined) ok = literal === segments[i];
      else if (segments[i] === "") ok = false;
      else {
        try {
          vars.set(candidate.names[i]!, decodeURIComponent(segments[i]));
        } catch {
          ok = false;
        }
      }
    }
    if (ok) return { route: candidate.route, vars };
  }
  return undefined;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The request body as text, refused past `limit` bytes; the rest is read and dropped (nothing kept), so the
 *  client, still sending, gets the answer instead of a broken pipe. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, ResourceExhausted, `request body of ${declared} bytes is above the limit of ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new HttpError(413, ResourceExhausted, `request body is above the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts the REST gateway for every annotated route. */
export async function startRestServer(app: QueryBackend, options: RestServerOptions): Promise<RestServer> {
  const log = options.log ?? ((line) => console.error(line));
  const maxBodyBytes = options.maxBodyBytes ?? DefaultMaxBodyBytes;
  const cors = options.corsOrigins ?? [];
  const table = compileRoutes(RestRoutes);
  const served = (method: string) => options.services?.has(method) || app.router.queryPaths.includes(method);

  const setCors = (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (cors.length === 0 || origin === undefined) return;
    if (cors.includes("*")) res.setHeader("Access-Control-Allow-Origin", "*");
    else if (cors.includes(origin)) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
    } else return;
    res.setHeader("Access-Control-Expose-Headers", BlockHeightHeader);
  };
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    setCors(req, res);
    const url = new URL(req.url ?? "/", "http://localhost");
    const verb = req.method ?? "GET";
    if (verb === "OPTIONS") {
      if (cors.length > 0) {
        res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        res.setHeader("Access-Control-Allow-Headers", `Content-Type, ${BlockHeightHeader}`);
        res.setHeader("Access-Control-Max-Age", "600");
      }
      res.writeHead(204).end();
      return;
    }
    const matched = matchRoute(table, verb === "HEAD" ? "GET" : verb, url.pathname);
    if (!matched) throw new HttpError(501, Unimplemented, "Not Implemented");
    const { route, vars } = matched;
    if (!served(route.method)) throw new HttpError(501, Unimplemented, `${route.method} is not served by this node`);
    const heightHeader = req.headers[BlockHeightHeader];
    if (Array.isArray(heightHeader)) throw Errors.invalidRequest.with(`${BlockHeightHeader} given ${heightHeader.length} times`);
    const requested = heightHeader === undefined ? 0 : parseBlockHeight(heightHeader);
    let request: Uint8Array;
    if (route.body) {
      const body = await readBody(req, maxBodyBytes);
      request = vars.size === 0 ? requestFromBody(route.request, body) : requestFromParams(route.request, vars, new URLSearchParams(), body);
    } else {
      request = requestFromParams(route.request, vars, url.searchParams);
    }
    const height = requested || app.lastHeight;
    const response = await callMethod(app, options.services, route.method, request, height);
    send(res, 200, toCosmosJson(route.response, response), { [BlockHeightHeader]: String(height) });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      let status: number;
      let code: number;
      let message: string;
      if (e instanceof HttpError) [status, code, message] = [e.status, e.code, e.message];
      else if (e instanceof AppError) {
        code = grpcStatusOf(e);
        [status, message] = [httpStatusOf(code), e.message];
      } else {
        log(`REST ${req.method} ${req.url?.slice(0, 200)}: unexpected error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        [status, code, message] = [500, Internal, "internal error"];
      }
      send(res, status, errorBody(code, message));
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  const bindTo = options.address.replace(/^tcp:\/\//, "");
  const match = /^(.*):(\d{1,5})$/.exec(bindTo);
  if (!match) throw new Error(`REST address ${JSON.stringify(options.address)} is not host:port`);
  const host = match[1].replace(/^\[(.*)\]$/, "$1");
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(match[2]), host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((e: Error) => {
    throw new Error(`REST server cannot listen on ${bindTo}: ${e.message}`);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    address: `${match[1]}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
