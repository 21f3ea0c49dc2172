// One table of message handlers (by type URL) and one of query handlers (by full gRPC method, D5).
import { Errors } from "./errors.js";
import type { Module, MsgHandler, QueryHandler } from "./module.js";

export class Router {
  private readonly msgHandlers = new Map<string, MsgHandler>();
  private readonly queryHandlers = new Map<string, QueryHandler>();

  constructor(modules: readonly Module[]) {
    for (const module of modules) {
      for (const handler of module.msgs ?? []) {
        if (this.msgHandlers.has(handler.typeUrl)) throw new Error(`message ${handler.typeUrl} registered twice`);
        this.msgHandlers.set(handler.typeUrl, handler);
      }
      for (const [path, handler] of Object.entries(module.queries ?? {})) {
        if (this.queryHandlers.has(path)) throw new Error(`query ${path} registered twice`);
        this.queryHandlers.set(path, handler);
      }
    }
  }

  msg(typeUrl: string): MsgHandler {
    const handler = this.msgHandlers.get(typeUrl);
    if (!handler) throw Errors.unknownRequest.with(`unknown message type ${JSON.stringify(typeUrl)}`);
    return handler;
  }

  query(path: string): QueryHandler | undefined {
    return this.queryHandlers.get(path);
  }

  addQuery(path: string, handler: QueryHandler): void {
    this.queryHandlers.set(path, handler);
  }

  get queryPaths(): string[] {
    return [...this.queryHandlers.keys()].sort();
  }

  get msgTypeUrls(): string[] {
    return [...this.msgHandlers.keys()].sort();
  }
}
