// The client context every command gets: the common flags, the keyring, the node connection (opened on
// first use, with a clear error when the node cannot be reached), output in text or JSON, and the
// message types known to this build (registered by the modules' cli.ts).
import { fromBech32, toHex } from "@cosmjs/encoding";
import { Registry, type GeneratedType } from "@cosmjs/proto-signing";
import { defaultRegistryTypes } from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";
import type { Command } from "commander";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { AccountPrefix, parseAccAddress } from "../app/address.js";
import { CliError } from "./errors.js";
import { ProcessInput, type Input } from "./input.js";
import { Keyring, type KeyInfo, type KeyringBackend, type PassphraseSource } from "./keyring.js";

export const DefaultNode = "http://127.0.0.1:26657";
export const DefaultHome = process.env.QOSCLI_HOME ?? join(homedir(), ".qoscli");

export interface GlobalOptions {
  node: string;
  chainId?: string;
  home: string;
  output: "text" | "json";
  keyringBackend: KeyringBackend;
}

/** Message types (type URL → codec) the CLI can encode and show as JSON. */
export const registry = new Registry(defaultRegistryTypes);

/** A generated message codec (ts-proto's MessageFns or cosmjs-types'): what the registry needs of it. */
export interface MsgCodec {
  encode(message: any): { finish(): Uint8Array };
  decode(input: Uint8Array): unknown;
  fromPartial(object: any): unknown;
}

export function registerMsgTypes(types: ReadonlyArray<readonly [typeUrl: string, type: MsgCodec]>): void {
  for (const [typeUrl, type] of types) registry.register(typeUrl, type as GeneratedType);
}

export class CliContext {
  readonly opts: GlobalOptions;
  readonly input: Input;
  private keyringInstance?: Keyring;
  private cometInstance?: Promise<Comet38Client>;
  private chainIdValue?: string;

  constructor(opts: GlobalOptions, input: Input = new ProcessInput()) {
    if (opts.output !== "text" && opts.output !== "json") throw new CliError(`--output must be text or json, not ${JSON.stringify(opts.output)}`);
    this.opts = { ...opts, home: resolve(opts.home) };
    this.input = input;
  }

  /** The context of a command from its options and its parents' (the common flags are global). */
  static of(cmd: Command, input?: Input): CliContext {
    const o = cmd.optsWithGlobals();
    return new CliContext({ node: o.node, chainId: o.chainId, home: o.home, output: o.output, keyringBackend: o.keyringBackend }, input);
  }

  get json(): boolean {
    return this.opts.output === "json";
  }

  get keyring(): Keyring {
    if (!this.keyringInstance) {
      const input = this.input;
      const passphrases: PassphraseSource = {
        passphrase: (purpose) => input.readSecret(purpose),
        async newPassphrase(purpose) {
          const first = await input.readSecret(purpose);
          if (input.interactive) {
            const again = await input.readSecret("Repeat the passphrase: ");
            if (again !== first) throw new CliError("the passphrases do not match");
          }
          return first;
        },
      };
      this.keyringInstance = new Keyring(this.opts.home, this.opts.keyringBackend, passphrases);
    }
    return this.keyringInstance;
  }

  /** The node's RPC client; the first call checks that the node answers. */
  comet(): Promise<Comet38Client> {
    if (!this.cometInstance) {
      this.cometInstance = (async () => {
        let client: Comet38Client;
        try {
          client = await Comet38Client.connect(this.opts.node);
          const status = await client.status();
          this.chainIdValue = status.nodeInfo.network;
        } catch (e) {
          throw this.unreachable(e);
        }
        return client;
      })();
    }
    return this.cometInstance;
  }

  unreachable(e: unknown): CliError {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.cause?.code ?? err.cause?.message ?? err.message;
    return new CliError(`cannot reach the node at ${this.opts.node} (${why}); is it running? Give its RPC address with --node`);
  }

  /** --chain-id, else the node's. */
  async chainId(): Promise<string> {
    if (this.opts.chainId) return this.opts.chainId;
    await this.comet();
    return this.chainIdValue!;
  }

  /** Runs an ABCI query (path = gRPC method; at `height`, default the latest) and returns the response
   *  bytes, or throws the node's error. */
  async abciQuery(path: string, request: Uint8Array, height?: number): Promise<Uint8Array> {
    const comet = await this.comet();
    let res;
    try {
      res = await comet.abciQuery({ path, data: request, height });
    } catch (e) {
      throw this.unreachable(e);
    }
    if (res.code) throw new QueryError(path, res.code, res.codespace, res.log ?? "");
    return res.value;
  }

  /** A typed ABCI query: the request encoded with its codec, the answer decoded with the response's. */
  async query<Req, Res>(path: string, requestType: { encode(m: Req): { finish(): Uint8Array } }, request: Req, responseType: { decode(b: Uint8Array): Res }, height?: number): Promise<Res> {
    return responseType.decode(await this.abciQuery(path, requestType.encode(request).finish(), height));
  }

  /** query(), with a "not found" turned into a NotFound error naming the missing thing. */
  async queryOrNotFound<Req, Res>(path: string, requestType: { encode(m: Req): { finish(): Uint8Array } }, request: Req, responseType: { decode(b: Uint8Array): Res }, missing: string): Promise<Res> {
    try {
      return await this.query(path, requestType, request, responseType);
    } catch (e) {
      if (e instanceof QueryError && e.notFound) throw new CliError(`NotFound: ${missing} (${e.log})`);
      throw e;
    }
  }

  /** A key name or a qosacc address → the address (and the key, if it is one of ours). */
  resolveAddress(nameOrAddress: string): { address: string; key?: KeyInfo } {
    const asAddress = tryBech32(nameOrAddress);
    if (asAddress) {
      if (asAddress.prefix !== AccountPrefix) {
        throw new CliError(`address ${nameOrAddress} has prefix ${asAddress.prefix}, expected ${AccountPrefix} (a QOS account address looks like ${AccountPrefix}1...)`);
      }
      try {
        parseAccAddress(nameOrAddress);
      } catch (e) {
        throw new CliError(`invalid address ${nameOrAddress}: ${(e as Error).message}`);
      }
      return { address: nameOrAddress, key: this.keyring.findByAddress(nameOrAddress) };
    }
    if (this.keyring.has(nameOrAddress)) {
      const key = this.keyring.get(nameOrAddress);
      return { address: key.address, key };
    }
    if (/^[a-z]+1[02-9ac-hj-np-z]+$/i.test(nameOrAddress)) {
      throw new CliError(`${nameOrAddress} is not a valid ${AccountPrefix} address (bad bech32 checksum or length) and no key has that name`);
    }
    const known = this.keyring.names();
    throw new CliError(
      `${JSON.stringify(nameOrAddress)} is neither a ${AccountPrefix}1... address nor a key in ${this.keyring.dir}` +
        (known.length ? ` (known keys: ${known.join(", ")})` : " (no keys there)"),
    );
  }

  /** A key of ours (by name or by its address) that can sign. */
  resolveKey(nameOrAddress: string): KeyInfo {
    if (this.keyring.has(nameOrAddress)) return this.keyring.get(nameOrAddress);
    const asAddress = tryBech32(nameOrAddress);
    if (asAddress) {
      const { key } = this.resolveAddress(nameOrAddress);
      if (!key) throw new CliError(`no key in ${this.keyring.dir} has address ${nameOrAddress}, so it cannot sign here (known keys: ${this.keyring.names().join(", ") || "none"})`);
      return key;
    }
    throw this.keyring.unknownKey(nameOrAddress);
  }

  /** Prints `data` as JSON (--output json) or the text form. */
  print(data: unknown, text?: () => string): void {
    if (this.json || !text) process.stdout.write(JSON.stringify(jsonSafe(data), null, 2) + "\n");
    else process.stdout.write(text() + "\n");
  }

  /** A params_json answer → object (JSON) and "key: value" lines (text). */
  printParams(paramsJson: string): void {
    const params = JSON.parse(paramsJson) as Record<string, unknown>;
    this.print(params, () => Object.entries(params).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join("\n"));
  }
}

export class QueryError extends CliError {
  constructor(
    readonly path: string,
    readonly code: number,
    readonly codespace: string,
    readonly log: string,
  ) {
    super(`query ${path} failed: ${log} (code ${code}, codespace ${codespace})`);
  }
  get notFound(): boolean {
    return /not found/i.test(this.log);
  }
}

/** The prefix and data of a bech32 string, or undefined when it is not one. */
export function tryBech32(text: string): { prefix: string; data: Uint8Array } | undefined {
  try {
    return fromBech32(text, 90);
  } catch {
    return undefined;
  }
}

/** bigint → string, Uint8Array → base64, recursively; Maps → objects. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), jsonSafe(v)]));
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}

export function hashHex(bytes: Uint8Array): string {
  return toHex(bytes).toUpperCase();
}

/** Adds an example block to a command's --help. */
export function example(cmd: Command, ...lines: string[]): Command {
  return cmd.addHelpText("after", `\nExample${lines.length > 1 ? "s" : ""}:\n${lines.map((l) => `  ${l}`).join("\n")}`);
}
