// Relayer config file (JSON), validated with zod.
import { readFileSync } from "node:fs";
import { z } from "zod";

const KeySchema = z
  .object({
    /** BIP39 mnemonic (HD path m/44'/389'/0'/0/0) */
    mnemonic: z.string().optional(),
    /** 32-byte secp256k1 private key, hex */
    private_key_hex: z.string().regex(/^[0-9a-fA-F]{64}$/).optional(),
    /** a file holding a mnemonic, a hex private key, or JSON with a "mnemonic" field (e.g. .localnet/dev-account.json) */
    key_file: z.string().optional(),
  })
  .refine((k) => [k.mnemonic, k.private_key_hex, k.key_file].filter(Boolean).length === 1, "give exactly one of mnemonic, private_key_hex, key_file");

export const ChainSchema = z.object({
  /** the CometBFT chain id */
  id: z.string().min(1),
  /** CometBFT RPC, e.g. http://127.0.0.1:26657 (the WebSocket is <rpc>/websocket) */
  rpc: z.string().url(),
  /** the relayer's account on this chain: it signs deliveries to this chain and pays their fees */
  key: KeySchema,
  gas_price: z.string().default("0.025uqos"),
});
export type ChainConfig = z.infer<typeof ChainSchema>;

export const ConfigSchema = z
  .object({
    chains: z.array(ChainSchema).min(2),
    /** messages flow from `from`'s outbox toward `to` into `to`'s inbox; add both directions for results */
    routes: z.array(z.object({ from: z.string(), to: z.string() })).min(1),
    /** fallback poll when no event arrives */
    poll_interval_ms: z.number().int().min(50).default(1000),
    /** most entries per delivery transaction (the client updates of the round ride in the same tx, so a
     *  batch is also cut to max_msgs_per_tx minus the updates) */
    max_batch: z.number().int().min(1).max(1024).default(50),
    /** the destination's auth.max_msgs_per_tx (64 by default): a tx with more messages is refused */
    max_msgs_per_tx: z.number().int().min(2).max(1024).default(64),
    /** delivery txs a round proves and broadcasts before it looks at the chains again */
    max_txs_per_round: z.number().int().min(1).max(64).default(8),
    /** delivery txs broadcast and not yet executed (consecutive account sequences); a round waits for room */
    max_inflight_txs: z.number().int().min(1).max(256).default(8),
    /** deliveries are proven at the client's height (no update) while the source is at most this many
     *  blocks past it; older states may be pruned from the source's queries (qosd keep_recent: 100) */
    max_proof_age_blocks: z.number().int().min(1).max(1000).default(50),
    /** JSON-RPC batches of entry proofs fetched from the source at once */
    proof_concurrency: z.number().int().min(1).max(64).default(8),
    /** abci_query calls per JSON-RPC batch request: at most the source node's rpc.max_request_batch_size
     *  (CometBFT's default 10; 0 there = no limit) */
    rpc_batch_size: z.number().int().min(1).max(1024).default(10),
    gas_per_msg: z.number().int().min(50_000).default(400_000),
    /** gas for each MsgUpdateClient header (and misbehaviour) in a tx; the chain charges per signature verified */
    gas_per_update: z.number().int().min(50_000).default(1_000_000),
    /** how long to wait for a broadcast tx to be committed before re-reading the chains */
    confirm_timeout_ms: z.number().int().min(1000).default(20_000),
    /**
     * While the destination's client of a route's source is frozen or expired: "update" keeps every
     * substitute client of the source there whose latest header is the source's own updated (so a
     * recovery vote may take weeks); "create" also creates one when there is none (1,000,000 gas and
     * more; off by default so that several relayers do not each pay for one); "off" does neither.
     */
    substitute: z.enum(["create", "update", "off"]).default("update"),
    /** host:port of the Prometheus text endpoint (/metrics); "" = none */
    metrics_address: z.string().default("127.0.0.1:9464"),
  })
  .superRefine((c, ctx) => {
    const ids = new Set(c.chains.map((x) => x.id));
    if (ids.size !== c.chains.length) ctx.addIssue({ code: "custom", message: "chain ids must be unique" });
    for (const r of c.routes) {
      if (!ids.has(r.from) || !ids.has(r.to)) ctx.addIssue({ code: "custom", message: `route ${r.from} -> ${r.to} names an unknown chain` });
      if (r.from === r.to) ctx.addIssue({ code: "custom", message: `route ${r.from} -> ${r.to} goes nowhere` });
    }
  });
export type Config = z.infer<typeof ConfigSchema>;

export function readConfig(path: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}
