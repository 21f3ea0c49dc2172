// What the chaos run checks on the chain while it runs, from outside, over each node's RPC:
//  - the canonical chain: every block once (from any node that has it), its txs' hashes and result codes,
//    so the load client learns from the block store (not from the tx index) which of its txs committed;
//  - agreement: every node's header at every height has the same block hash, app hash and last results
//    hash as the first one seen (a node's headers are read in batches of 20 with `blockchain`);
//  - the tx index: every committed tx is found by hash (`tx`) on every node once that node has its block.
import { createHash } from "node:crypto";
import type { TestnetNode } from "../testnet.js";
import { sleep } from "../testnet.js";
import { rpcCall } from "../../cmd/common/processes.js";

export interface Divergence {
  height: number;
  node: string;
  field: "block_hash" | "app_hash" | "last_results_hash";
  expected: string;
  got: string;
}

export interface CommittedTx {
  height: number;
  index: number;
  code: number;
}

interface HeaderDigest {
  blockHash: string;
  appHash: string;
  resultsHash: string;
}

/** One RPC call with a short timeout: a paused node must not hold the watcher for CometBFT's 10 s. */
export async function quickRpc<T = any>(node: TestnetNode, method: string, params: Record<string, unknown> = {}, timeoutMs = 3000): Promise<T> {
  const res = await fetch(node.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string; data?: string } };
  if (body.error) throw new Error(`${node.name} ${method}: ${body.error.message} ${body.error.data ?? ""}`);
  return body.result as T;
}

/** the app's committed height on a node (abci_info), -1 when it does not answer */
export async function appHeight(node: TestnetNode, timeoutMs = 3000): Promise<number> {
  try {
    const info = await quickRpc<{ response: { last_block_height?: string } }>(node, "abci_info", {}, timeoutMs);
    return Number(info.response.last_block_height ?? "0");
  } catch {
    return -1;
  }
}

export const txHash = (tx: Uint8Array): string => createHash("sha256").update(tx).digest("hex").toUpperCase();

export class ChainWatcher {
  /** the first header seen at each height */
  private readonly canonical = new Map<number, HeaderDigest>();
  /** tx hash → where it committed (from the block store) */
  readonly committed = new Map<string, CommittedTx>();
  /** the canonical chain is known (blocks and results) for every height up to this one */
  scanned = 0;
  /** wall-clock time (ms) each height was first seen */
  readonly seenAt = new Map<number, number>();
  readonly divergences: Divergence[] = [];
  /** per node: headers compared up to this height */
  readonly compared = new Map<string, number>();
  /** per node: committed txs whose hash the node's `tx` answered */
  private readonly indexed = new Map<string, Set<string>>();
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly nodes: readonly TestnetNode[],
    /** whether a node may be asked now (running and not paused) */
    private readonly available: (node: TestnetNode) => boolean,
    private readonly log: (line: string) => void,
  ) {
    for (const n of nodes) {
      this.compared.set(n.name, 0);
      this.indexed.set(n.name, new Set());
    }
  }

  start(): void {
    this.loops = [this.loop(() => this.scanCanonical(), 150), this.loop(() => this.compareHeaders(), 400), this.loop(() => this.checkIndex(), 1000)];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(step: () => Promise<void>, pauseMs: number): Promise<void> {
    while (!this.stopped) {
      try {
        await step();
      } catch (e) {
        this.log(`watcher: ${(e as Error).message}`);
      }
      await sleep(pauseMs);
    }
  }

  private availableNodes(): TestnetNode[] {
    return this.nodes.filter((n) => this.available(n));
  }

  /** Reads the next canonical blocks with their results from whichever available node has them. */
  async scanCanonical(): Promise<void> {
    for (;;) {
      const h = this.scanned + 1;
      let done = false;
      for (const node of this.availableNodes()) {
        try {
          // results exist once the app has executed the block (they are in the state of the store at h)
          const [block, results] = await Promise.all([
            quickRpc<{ block_id: { hash: string }; block: { header: { app_hash: string; last_results_hash: string }; data: { txs: string[] | null } } }>(node, "block", { height: String(h) }),
            quickRpc<{ txs_results: Array<{ code: number }> | null }>(node, "block_results", { height: String(h) }),
          ]);
          this.observe(node, h, { blockHash: block.block_id.hash, appHash: block.block.header.app_hash, resultsHash: block.block.header.last_results_hash });
          const txs = block.block.data.txs ?? [];
          txs.forEach((b64, index) => {
            const hash = txHash(Buffer.from(b64, "base64"));
            if (!this.committed.has(hash)) this.committed.set(hash, { height: h, index, code: results.txs_results?.[index]?.code ?? -1 });
          });
          this.scanned = h;
          done = true;
          break;
        } catch {
          // this node does not have it (yet) or is down: try the next
        }
      }
      if (!done) return;
    }
  }

  private observe(node: TestnetNode, height: number, digest: HeaderDigest): void {
    if (!this.seenAt.has(height)) this.seenAt.set(height, Date.now());
    const first = this.canonical.get(height);
    if (!first) {
      this.canonical.set(height, digest);
      return;
    }
    const fields: Array<[Divergence["field"], keyof HeaderDigest]> = [["block_hash", "blockHash"], ["app_hash", "appHash"], ["last_results_hash", "resultsHash"]];
    for (const [field, key] of fields) {
      if (first[key] !== digest[key] && !this.divergences.some((d) => d.height === height && d.node === node.name && d.field === field)) {
        this.divergences.push({ height, node: node.name, field, expected: first[key], got: digest[key] });
        this.log(`DIVERGENCE at height ${height}: ${node.name} ${field} ${digest[key]}, first seen ${first[key]}`);
      }
    }
  }

  /** Every available node's headers since the last comparison, 20 per call. */
  async compareHeaders(): Promise<void> {
    await Promise.all(
      this.availableNodes().map(async (node) => {
        for (;;) {
          const from = this.compared.get(node.name)! + 1;
          let metas: Array<{ block_id: { hash: string }; header: { height: string; app_hash: string; last_results_hash: string } }>;
          try {
            metas = (await quickRpc<{ block_metas: typeof metas }>(node, "blockchain", { minHeight: String(from), maxHeight: String(from + 19) })).block_metas;
          } catch {
            return; // nothing new on this node, or it is down
          }
          if (metas.length === 0) return;
          let top = from - 1;
          for (const m of metas) {
            const h = Number(m.header.height);
            this.observe(node, h, { blockHash: m.block_id.hash, appHash: m.header.app_hash, resultsHash: m.header.last_results_hash });
            top = Math.max(top, h);
          }
          this.compared.set(node.name, top);
          if (metas.length < 20) return;
        }
      }),
    );
  }

  /** Looks committed txs up by hash on every available node that has their block (a few at a time). */
  async checkIndex(limitPerNode = 200): Promise<void> {
    await Promise.all(
      this.availableNodes().map(async (node) => {
        const found = this.indexed.get(node.name)!;
        const height = this.compared.get(node.name)!;
        const todo = [...this.committed].filter(([hash, c]) => !found.has(hash) && c.height < height).slice(0, limitPerNode);
        for (const [hash] of todo) {
          if (!this.available(node)) return;
          try {
            await quickRpc(node, "tx", { hash: Buffer.from(hash, "hex").toString("base64") });
            found.add(hash);
          } catch {
            // not (yet) in this node's index: asked again later
          }
        }
      }),
    );
  }

  /** committed txs in `hashes` that `node`'s `tx` has not answered so far */
  missingOn(node: TestnetNode, hashes: Iterable<string>): string[] {
    const found = this.indexed.get(node.name)!;
    return [...hashes].filter((h) => this.committed.has(h) && !found.has(h));
  }

  /** the wall-clock gap between the first sightings of the last `count` heights, ms per block */
  blockIntervalMs(count = 20): number {
    const top = this.scanned;
    const from = Math.max(1, top - count);
    const a = this.seenAt.get(from);
    const b = this.seenAt.get(top);
    if (a === undefined || b === undefined || top === from) return 1000;
    return Math.max(100, (b - a) / (top - from));
  }
}
