// The gRPC query server (D5): every method of the app's query router, served by @grpc/grpc-js on the very same
// byte-level handlers ABCI Query runs (QosApp.runQuery), as the Cosmos SDK does on port 9090.
//
// - Requests and responses pass as raw protobuf bytes (identity serializers), so a method needs no codec here
//   and every router path is reachable, with or without a .proto file describing it.
// - Metadata `x-cosmos-block-height` selects the committed height (absent or "0" = latest); the height used is
//   sent back as the response header `x-cosmos-block-height`.
// - Module errors become gRPC statuses from their ErrorDef (AppError.def.grpc), with the error message as details.
// - Server reflection (grpc.reflection.v1 and v1alpha) describes the services found in proto/*.proto that the
//   router serves, so generic tools (grpcurl, Postman, ...) can list and call them without local .proto files.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { AppError, Errors } from "../errors.js";
import { linkableDescriptors } from "./descriptors.js";

export const DefaultGrpcAddress = "127.0.0.1:9090";
export const BlockHeightHeader = "x-cosmos-block-height";
/** the Cosmos SDK's limit on a request (its responses are not limited) */
export const MaxRecvMessageBytes = 10 * 1024 * 1024;
/** proto/ at the repository root (this file runs as dist/app/grpc/server.js) */
export const DefaultProtoDir = fileURLToPath(new URL("../../../proto", import.meta.url));

/**
 * A method served outside the app's query router, by the node (e.g. blocks and broadcast through CometBFT's
 * RPC): protobuf request → protobuf response; `height` is the x-cosmos-block-height asked for (0 = latest).
 * Throws an AppError for a refusal.
 */
export type ServiceHandler = (request: Uint8Array, height: number) => Promise<Uint8Array>;

/** What the gRPC server needs from the app (QosApp implements it). */
export interface QueryBackend {
  readonly router: { readonly queryPaths: string[] };
  readonly lastHeight: number;
  /** the shared query code: handler for `path` on the committed state at `height`; throws AppError */
  runQuery(path: string, data: Uint8Array, height: number): Uint8Array;
}

export interface GrpcServerOptions {
  /** host:port to listen on (a "tcp://" prefix is accepted); port 0 picks a free port */
  address: string;
  /** where the .proto files for reflection are; default: the repository's proto/ */
  protoDir?: string;
  /** methods served beside the router's, by full path */
  services?: ReadonlyMap<string, ServiceHandler>;
  log?: (line: string) => void;
}

export interface GrpcQueryServer {
  /** the address actually bound (host:port) */
  readonly address: string;
  /** fully qualified service names served (e.g. "cosmos.bank.v1beta1.Query") */
  readonly services: string[];
  /** the services also described by reflection */
  readonly reflected: string[];
  close(): Promise<void>;
}

/** "/pkg.Service/Method" → ["pkg.Service", "Method"], or undefined for a path that is not a gRPC method. */
export function splitMethodPath(path: string): [string, string] | undefined {
  const match = /^\/([A-Za-z_][\w.]*)\/([A-Za-z_]\w*)$/.exec(path);
  return match ? [match[1], match[2]] : undefined;
}

/** The value of x-cosmos-block-height: undefined when absent; throws an AppError when it is not a height. */
export function requestedHeight(metadata: grpc.Metadata): number | undefined {
  const values = metadata.get(BlockHeightHeader);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw Errors.invalidRequest.with(`${BlockHeightHeader} given ${values.length} times`);
  return parseBlockHeight(String(values[0]));
}

/** A height header's value (REST and gRPC): a non-negative integer; throws an AppError otherwise. */
export function parseBlockHeight(value: string): number {
  const text = value.trim();
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw Errors.invalidRequest.with(`${BlockHeightHeader} must be a non-negative integer, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  return Number(text);
}

/** The gRPC status of an error: the ErrorDef's code; a height the node does not hold is OUT_OF_RANGE. */
export function grpcStatusOf(err: AppError): grpc.status {
  if (err.def === Errors.invalidHeight) return grpc.status.OUT_OF_RANGE;
  return err.def.grpc as number as grpc.status;
}

const toBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

function rawMethod(path: string, name: string): grpc.MethodDefinition<Buffer, Uint8Array> {
  return {
    path,
    originalName: name,
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (value: Uint8Array) => toBuffer(value),
    responseDeserialize: (bytes: Buffer) => bytes,
  };
}

/**
 * Runs one method for either transport (gRPC here, REST in app/rest): a router query on the committed state at
 * `height` (a requested height, else app.lastHeight read just before), or a node service.
 */
export async function callMethod(
  app: QueryBackend,
  services: ReadonlyMap<string, ServiceHandler> | undefined,
  path: string,
  request: Uint8Array,
  height: number,
): Promise<Uint8Array> {
  const service = services?.get(path);
  if (service) return service(request, height);
  // Runs before the first await, in the caller's synchronous step: Commit cannot switch versions in between.
  return app.runQuery(path, request, height);
}

/** One unary handler: height selection, the shared query, error mapping. Never throws. */
function unaryHandler(app: QueryBackend, services: ReadonlyMap<string, ServiceHandler> | undefined, path: string, log: (line: string) => void): grpc.handleUnaryCall<Buffer, Uint8Array> {
  return (call, callback) => {
    const fail = (e: unknown) => {
      if (e instanceof AppError) {
        callback({ code: grpcStatusOf(e), details: e.message });
      } else {
        log(`gRPC ${path}: unexpected error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
        callback({ code: grpc.status.INTERNAL, details: "internal error" });
      }
    };
    try {
      const height = requestedHeight(call.metadata) || app.lastHeight;
      const header = new grpc.Metadata();
      header.set(BlockHeightHeader, String(height));
      call.sendMetadata(header);
      callMethod(app, services, path, call.request, height).then((response) => callback(null, response), fail);
    } catch (e) {
      fail(e);
    }
  };
}

/** Every .proto under `root`, as paths relative to it (the import paths the files use). */
function protoFiles(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...protoFiles(root, path));
    else if (name.endsWith(".proto")) out.push(relative(root, path));
  }
  return out;
}

/**
 * The .proto files loaded with proto-loader, for reflection: the package definition (with descriptors a strict
 * linker accepts, see descriptors.ts) and the method paths each service declares.
 */
function loadProtos(dir: string): { definition: protoLoader.PackageDefinition; methods: Map<string, string[]> } {
  const loaded = protoLoader.loadSync(protoFiles(dir), { includeDirs: [dir], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const methods = new Map<string, string[]>();
  let encoded: Buffer[] = [];
  type TypeDefinition = { format: string; fileDescriptorProtos: Buffer[] };
  const isType = (value: protoLoader.AnyDefinition) => typeof value.format === "string";
  for (const [name, value] of Object.entries(loaded)) {
    // A service definition is a map of method name → {path, requestStream, ...}; messages and enums have a "format"
    // and share one list of every file's descriptor.
    if (isType(value)) encoded = (value as unknown as TypeDefinition).fileDescriptorProtos;
    else methods.set(name, Object.values(value as protoLoader.ServiceDefinition).map((m) => m.path));
  }
  const fileDescriptorProtos = linkableDescriptors(encoded);
  const definition: protoLoader.PackageDefinition = {};
  for (const [name, value] of Object.entries(loaded)) {
    definition[name] = isType(value) ? ({ ...value, fileDescriptorProtos } as protoLoader.AnyDefinition) : value;
  }
  return { definition, methods };
}

/** Starts the gRPC server for every path in the app's query router. */
export async function startGrpcServer(app: QueryBackend, options: GrpcServerOptions): Promise<GrpcQueryServer> {
  const log = options.log ?? ((line) => console.error(line));
  const server = new grpc.Server({ "grpc.max_receive_message_length": MaxRecvMessageBytes, "grpc.max_send_message_length": -1 });

  // The router's methods grouped by service.
  const byService = new Map<string, Map<string, string>>();
  for (const path of [...app.router.queryPaths, ...(options.services?.keys() ?? [])]) {
    const parts = splitMethodPath(path);
    if (!parts) continue; // e.g. /store/key: ABCI only
    const [service, method] = parts;
    if (!byService.has(service)) byService.set(service, new Map());
    byService.get(service)!.set(method, path);
  }
  for (const methods of byService.values()) {
    const definition: Record<string, grpc.MethodDefinition<Buffer, Uint8Array>> = {};
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [method, path] of methods) {
      definition[method] = rawMethod(path, method);
      implementation[method] = unaryHandler(app, options.services, path, log);
    }
    server.addService(definition as grpc.ServiceDefinition, implementation);
  }
  const services = [...byService.keys()].sort();

  // Reflection for the served services that have a .proto description.
  let reflected: string[] = [];
  const protoDir = options.protoDir ?? DefaultProtoDir;
  try {
    if (!existsSync(protoDir)) throw new Error(`${protoDir} does not exist`);
    const { definition, methods } = loadProtos(protoDir);
    reflected = services.filter((s) => methods.has(s));
    for (const service of reflected) {
      const served = new Set(byService.get(service)!.values());
      const described = new Set(methods.get(service));
      const undescribed = [...served].filter((p) => !described.has(p));
      const unserved = [...described].filter((p) => !served.has(p));
      if (undescribed.length) log(`gRPC: ${undescribed.join(", ")} served without a .proto description (raw bytes only)`);
      if (unserved.length) log(`gRPC: ${unserved.join(", ")} described in proto/ but not served (UNIMPLEMENTED)`);
    }
    const missing = services.filter((s) => !methods.has(s));
    if (missing.length) log(`gRPC: no .proto for ${missing.join(", ")}: served, but not listed by reflection`);
    new ReflectionService(definition, { services: reflected }).addToServer(server);
  } catch (e) {
    log(`gRPC: reflection disabled, cannot load the .proto files in ${protoDir}: ${(e as Error).message}`);
  }

  const bindTo = options.address.replace(/^tcp:\/\//, "");
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(bindTo, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
  ).catch((e: Error) => {
    server.forceShutdown();
    throw new Error(`gRPC server cannot listen on ${bindTo}: ${e.message}`);
  });
  const address = bindTo.replace(/:\d+$/, `:${port}`);

  return {
    address,
    services,
    reflected,
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), 5_000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
