// The light client for users (whitepaper §5.1): qoscli checks what a node tells it instead of believing it.
//
// A trust root (light-store.ts) is a header the user trusts (`qoscli light init --trust-height H
// --trust-hash X`, the hash from a source they trust). A verified read then goes:
//   1. h = the node's latest committed state height (abci_info);
//   2. the node's header h+1 — whose app_hash is the root of the state after block h — is verified from
//      the trust root by app/light (straight, or by bisection through intermediate headers the node
//      serves), `now` = the local clock; the newest verified header becomes the trust root;
//   3. each value is asked for with `/store/key` and prove=true at height h, and its Merkle proof of
//      membership (or of absence) is checked against that verified app hash; only then is it decoded.
// What the node says is never used before both checks pass. Keys come from the modules' keeper.ts (as
// ProvableEntry); this file knows no module.
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { ProofOpType, StoreKeyQueryPath } from "../app/app.js";
import { LightClientError, lightBlockFromRpc, verifyBisection, type LightBlock, type VerifyOptions } from "../app/light/index.js";
import type { ProvableEntry } from "../app/state/collections.js";
import { decodeProof, verifyMembership, verifyNonMembership, type MerkleProof } from "../app/state/index.js";
import type { CliContext } from "./context.js";
import { CliError } from "./errors.js";
import {
  checkedLightBlock, DefaultTrustingPeriodSecs, hexUpper, MaxClockDriftSecs, timeText, TrustStore, trustRootOf, type LightBlockJson, type TrustRoot,
} from "./light-store.js";

/** The local clock as a Timestamp (the light client's `now`; on chain it would be the block time). */
export function clockNow(): Timestamp {
  const ms = Date.now();
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

const optionsOf = (root: TrustRoot): VerifyOptions => ({
  trustingPeriod: root.trustingPeriodSecs * 1_000_000_000n,
  maxClockDrift: MaxClockDriftSecs * 1_000_000_000n,
});

/** CometBFT JSON-RPC over HTTP, returning the node's raw JSON (the light library parses and judges it). */
export class LightRpc {
  constructor(
    readonly url: string,
    private readonly unreachable: (e: unknown) => Error,
    private readonly pollMs = 250,
  ) {}

  async call<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    let body: { result?: T; error?: { message: string; data?: string } };
    try {
      const res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
        signal: AbortSignal.timeout(20_000),
      });
      body = (await res.json()) as typeof body;
    } catch (e) {
      throw this.unreachable(e);
    }
    if (body.error) throw new CliError(`the node at ${this.url} refused ${method}: ${body.error.message} ${body.error.data ?? ""}`.trim());
    if (body.result === undefined) throw new CliError(`the node at ${this.url} sent no result for ${method}`);
    return body.result;
  }

  /** The height of the state the app has committed (abci_info; CometBFT's /status can be one ahead). */
  async appHeight(): Promise<bigint> {
    const info = await this.call<{ response?: { last_block_height?: string } }>("abci_info");
    const h = info.response?.last_block_height ?? "0";
    if (!/^[0-9]{1,19}$/.test(h)) throw new CliError(`the node at ${this.url} reports height ${JSON.stringify(h)}`);
    return BigInt(h);
  }

  async latestHeight(): Promise<bigint> {
    const status = await this.call<{ sync_info?: { latest_block_height?: string } }>("status");
    const h = status.sync_info?.latest_block_height ?? "0";
    if (!/^[0-9]{1,19}$/.test(h)) throw new CliError(`the node at ${this.url} reports height ${JSON.stringify(h)}`);
    return BigInt(h);
  }

  /** /commit and every page of /validators at `height`, as the node sent them. */
  async lightBlockJson(height: bigint): Promise<LightBlockJson> {
    const { signed_header } = await this.call<{ signed_header: unknown }>("commit", { height: String(height) });
    const validators: unknown[] = [];
    for (let page = 1; page <= 100; page++) {
      const res = await this.call<{ validators?: unknown[]; total?: string }>("validators", { height: String(height), page: String(page), per_page: "100" });
      const got = Array.isArray(res.validators) ? res.validators : [];
      validators.push(...got);
      if (got.length === 0 || validators.length >= Number(res.total ?? 0)) break;
    }
    return { signed_header, validators };
  }

  /** Waits (up to `timeoutMs`) until block `height` exists, then fetches it: header h+1 comes one block
   *  after the state h it proves. */
  async waitLightBlockJson(height: bigint, timeoutMs = 60_000): Promise<LightBlockJson> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.latestHeight()) < height) {
      if (Date.now() > deadline) throw new CliError(`the node at ${this.url} has not produced block ${height} within ${timeoutMs / 1000} s (needed to prove state ${height - 1n})`);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
    return this.lightBlockJson(height);
  }

  /** `/store/key` at `height` with prove=true: the value (empty when absent) and our Merkle proof. */
  async provenQuery(key: Uint8Array, height: bigint): Promise<{ code: number; log: string; height: string; key: Uint8Array; value: Uint8Array; proofOps: unknown }> {
    const { response } = await this.call<{ response: Record<string, unknown> }>("abci_query", {
      path: StoreKeyQueryPath, data: Buffer.from(key).toString("hex"), height: String(height), prove: true,
    });
    const b64 = (v: unknown) => (typeof v === "string" ? new Uint8Array(Buffer.from(v, "base64")) : new Uint8Array());
    return {
      code: Number(response.code ?? 0),
      log: String(response.log ?? ""),
      height: String(response.height ?? ""),
      key: b64(response.key),
      value: b64(response.value),
      proofOps: response.proofOps ?? response.proof_ops,
    };
  }
}

/** A LightClientError while verifying header `height` as a clear sentence. */
function headerError(e: LightClientError, root: TrustRoot, height: bigint, node: string): CliError {
  switch (e.reason) {
    case "trust_expired":
      return new CliError(
        `the trust root for ${root.chainId} (header ${root.height}, ${timeText(root.block.signedHeader.header.time)}) is older than its trusting period of ` +
          `${root.trustingPeriodSecs} s, so its validators may no longer be accountable (${e.message}); set a new one with ` +
          `qoscli light init --trust-height H --trust-hash X, taking H and X from a source you trust`,
      );
    case "wrong_chain_id":
      return new CliError(`header ${height} from ${node} is not of chain ${root.chainId}: ${e.message}`);
    case "header_from_future":
      return new CliError(`header ${height} from ${node} is dated in the future (or the local clock is behind): ${e.message}`);
    default:
      return new CliError(`header ${height} from ${node} is not signed by the trusted validators (trust root: header ${root.height} of ${root.chainId}): ${e.message}`);
  }
}

/**
 * State at one height whose app hash has been verified: get() returns a value only after its proof
 * checked against that hash (undefined = proven absent).
 */
export class VerifiedState {
  constructor(
    private readonly rpc: LightRpc,
    /** the state height the values are read at */
    readonly height: bigint,
    /** header height+1, whose app hash is the state after block `height` */
    readonly headerHeight: bigint,
    readonly appHash: Uint8Array,
  ) {}

  async get<V>(entry: ProvableEntry<V>, what: string): Promise<V | undefined> {
    const res = await this.rpc.provenQuery(entry.key, this.height);
    if (res.code !== 0) throw new CliError(`the node could not prove ${what} at height ${this.height}: ${res.log} (code ${res.code})`);
    const mismatch = (why: string) =>
      new CliError(
        `the node's answer for ${what} does not match its proof at height ${this.height} (${why}; app hash ${hexUpper(this.appHash)} of header ${this.headerHeight}, verified from the trust root)`,
      );
    if (res.height !== String(this.height)) throw mismatch(`it answered for height ${res.height}`);
    if (Buffer.compare(res.key, entry.key) !== 0) throw mismatch("it answered for another key");
    const ops = (res.proofOps as { ops?: Array<{ type?: string; key?: string; data?: string }> } | undefined)?.ops;
    if (!Array.isArray(ops) || ops.length !== 1 || ops[0].type !== ProofOpType || typeof ops[0].data !== "string") throw mismatch("no proof of type qos:smt");
    if (Buffer.compare(Buffer.from(ops[0].key ?? "", "base64"), entry.key) !== 0) throw mismatch("the proof is for another key");
    let proof: MerkleProof;
    try {
      proof = decodeProof(new Uint8Array(Buffer.from(ops[0].data, "base64")));
    } catch (e) {
      throw mismatch((e as Error).message);
    }
    const present = res.value.length > 0;
    const ok = present ? verifyMembership(this.appHash, entry.key, res.value, proof) : verifyNonMembership(this.appHash, entry.key, proof);
    if (!ok) throw mismatch(present ? "the value is not the one the proof commits to" : "the proof does not show the key absent");
    if (!present) return undefined;
    try {
      return entry.decode(res.value);
    } catch (e) {
      throw new CliError(`${what} at height ${this.height} is proven but does not decode: ${(e as Error).message}`);
    }
  }
}

/**
 * Verifies the node's newest header from `root` (straight or by bisection), stores it as the new root, and
 * returns the state it proves. Errors name the header and why it is not trusted.
 */
export async function verifyLatest(rpc: LightRpc, store: TrustStore, root: TrustRoot, now: Timestamp = clockNow()): Promise<{ state: VerifiedState; root: TrustRoot }> {
  let height = await rpc.appHeight();
  // never behind the root: a header below it cannot be verified forwards (a lagging node, two reads in one block)
  if (height < root.height - 1n) height = root.height - 1n;
  if (height < 1n) height = 1n;
  const target = height + 1n;
  if (target === root.height) return { state: new VerifiedState(rpc, height, target, root.block.signedHeader.header.appHash), root };
  const json = await rpc.waitLightBlockJson(target);
  const untrusted = (() => {
    try {
      return lightBlockFromRpc({ signed_header: json.signed_header }, json.validators);
    } catch (e) {
      if (e instanceof LightClientError) throw headerError(e, root, target, rpc.url);
      throw e;
    }
  })();
  // bisection's intermediate headers come from the same node: each is verified before it is relied on
  const source = async (h: bigint): Promise<LightBlock> => {
    const j = await rpc.lightBlockJson(h);
    return lightBlockFromRpc({ signed_header: j.signed_header }, j.validators);
  };
  try {
    await verifyBisection(root.block, untrusted, source, optionsOf(root), now);
  } catch (e) {
    if (e instanceof LightClientError) throw headerError(e, root, target, rpc.url);
    throw e;
  }
  const next = trustRootOf(untrusted, json, root.trustingPeriodSecs);
  store.save(next);
  return { state: new VerifiedState(rpc, height, target, untrusted.signedHeader.header.appHash), root: next };
}

/** `light init`: the header at `height` must hash to `hash` and carry +2/3 of its validators' signatures. */
export async function initTrustRoot(rpc: LightRpc, store: TrustStore, args: { height: bigint; hash: string; chainId?: string; trustingPeriodSecs?: bigint }, now: Timestamp = clockNow()): Promise<TrustRoot> {
  const want = args.hash.toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(want)) throw new CliError(`the trusted hash ${JSON.stringify(args.hash)} must be 64 hex characters (a block hash)`);
  if (args.height < 1n) throw new CliError("the trusted height must be at least 1");
  const json = await rpc.lightBlockJson(args.height);
  let block: LightBlock;
  try {
    block = lightBlockFromRpc({ signed_header: json.signed_header }, json.validators);
  } catch (e) {
    if (e instanceof LightClientError) throw new CliError(`header ${args.height} from ${rpc.url} is malformed: ${e.message}; nothing stored`);
    throw e;
  }
  const root = trustRootOf(block, json, args.trustingPeriodSecs ?? DefaultTrustingPeriodSecs);
  if (root.hash !== want) {
    throw new CliError(`header ${args.height} from ${rpc.url} has hash ${root.hash}, not the trusted ${want}: the node is on another chain or fork, or the hash is wrong; nothing stored`);
  }
  if (args.chainId !== undefined && root.chainId !== args.chainId) throw new CliError(`header ${args.height} is of chain ${root.chainId}, not --chain-id ${args.chainId}; nothing stored`);
  try {
    checkedLightBlock(json, root.chainId);
  } catch (e) {
    if (e instanceof LightClientError) throw new CliError(`header ${args.height} has the trusted hash but is not signed by +2/3 of its validators: ${e.message}; nothing stored`);
    throw e;
  }
  const h = block.signedHeader.header;
  if (h.time.seconds + root.trustingPeriodSecs <= now.seconds) {
    throw new CliError(`header ${args.height} (${timeText(h.time)}) is older than the trusting period (${root.trustingPeriodSecs} s): trust a more recent header; nothing stored`);
  }
  store.save(root);
  return root;
}

/** --verify [true|false] on a query command (documented in docs/light-client.md). */
export function addVerifyFlag(cmd: Command): Command {
  return cmd.option(
    "--verify [bool]",
    "check the answer by its Merkle proof against a header verified from the trust root (qoscli light init); on by default once a trust root exists for the chain, --verify=false skips",
    (v: string) => {
      if (v !== "true" && v !== "false") throw new InvalidArgumentError(`expected true or false (write --verify=false), got ${JSON.stringify(v)}`);
      return v === "true";
    },
  );
}

/**
 * The verified state for a query, or undefined when the query is to be answered unverified: --verify=false,
 * or no --verify and no trust root for the chain. --verify without a trust root is an error.
 */
export async function verifiedStateFor(ctx: CliContext, flag: boolean | undefined): Promise<VerifiedState | undefined> {
  if (flag === false) return undefined;
  const chainId = await ctx.chainId();
  const store = new TrustStore(ctx.opts.home);
  const root = store.load(chainId);
  if (!root) {
    const init = "qoscli light init --trust-height H --trust-hash X";
    if (flag === true) throw new CliError(`--verify: there is no trust root for chain ${chainId} in ${store.dir}; set one with ${init}`);
    const others = store.chains();
    // a node may name another chain to dodge verification: say so when this home trusts other chains
    if (others.length) process.stderr.write(`warning: not verified: no trust root for chain ${chainId} (this home has trust roots for ${others.join(", ")}); pin the chain with --chain-id\n`);
    return undefined;
  }
  const rpc = new LightRpc(ctx.opts.node, (e) => ctx.unreachable(e));
  const { state } = await verifyLatest(rpc, store, root);
  // a note, not a result: values still have to pass their proofs against this header's app hash
  if (!ctx.json) process.stderr.write(`light: header ${state.headerHeight} of ${chainId} verified from the trust root; reading the state at height ${state.height} by proofs\n`);
  return state;
}
