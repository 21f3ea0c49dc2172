import { z } from "zod";
import { AmountString, DenomString, Uint64String } from "../../app/coins.js";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { parseAccAddress } from "../../app/address.js";
import { RootCaGenesisKey, rootCaFromGenesis, rootCaToGenesis } from "../../app/certificate.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { QcpErrors } from "./errors.js";
import type { QcpKeeper } from "./keeper.js";
import { ChainIdPattern, DefaultParams, ParamsSchema } from "./params.js";

const Uint = Uint64String;
const ChainSchema = z.object({
  chain_id: z.string().regex(ChainIdPattern),
  relayers: z.array(z.string()).default([]),
  out_sequence: Uint.default("0"),
  in_sequence: Uint.default("0"),
  /** outbox entries still to be delivered or kept for proofs: {sequence, entry (base64 stored bytes)} */
  outbox: z.array(z.object({ sequence: Uint, entry: z.string() })).default([]),
  /** local denoms escrowed here toward this chain */
  escrowed: z.array(z.object({ denom: DenomString, amount: AmountString })).default([]),
  /** vouchers outstanding here for denoms as named on this chain (each one's trace is recorded on import) */
  vouchers: z.array(z.object({ denom: DenomString, amount: AmountString })).default([]),
  /** results the destination sent back for our entries (a second result for one is refused) */
  results: z.array(z.object({ orig_sequence: Uint, code: z.number().int().min(0), codespace: z.string().default(""), log: z.string().default("") })).default([]),
  /** source app hashes deliveries stated per source height (a later delivery may not contradict one) */
  app_hashes: z.array(z.object({ height: Uint, app_hash: z.string() })).default([]),
});

export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  /** base64 ed25519 public key of the QCP root CA; empty = no relayer can be registered */
  root_ca_public_key: RootCaGenesisKey,
  chains: z.array(ChainSchema).default([]),
  /** where each voucher minted here comes from (kept after its last coin is burned, like on chain) */
  denom_traces: z.array(z.object({ chain_id: z.string().regex(ChainIdPattern), denom: DenomString })).default([]),
});
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { params: DefaultParams, root_ca_public_key: "", chains: [], denom_traces: [] };
}

export function initGenesis(keeper: QcpKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw QcpErrors.invalidGenesis.with(parsed.error.message);
  const genesis = parsed.data;
  keeper.setParams(ctx.store, genesis.params);
  const root = rootCaFromGenesis(genesis.root_ca_public_key, QcpErrors.invalidGenesis);
  if (root) keeper.setRootCa(ctx.store, root);
  for (const chain of genesis.chains) {
    if (keeper.getChain(ctx.store, chain.chain_id)) throw QcpErrors.invalidGenesis.with(`chain ${chain.chain_id} listed twice`);
    chain.relayers.forEach((r) => parseAccAddress(r, `relayer of ${chain.chain_id}`));
    keeper.setChain(ctx.store, { chainId: chain.chain_id, relayers: chain.relayers });
    keeper.setOutSequence(ctx.store, chain.chain_id, BigInt(chain.out_sequence));
    keeper.setInSequence(ctx.store, chain.chain_id, BigInt(chain.in_sequence));
    for (const e of chain.outbox) keeper.putEntryBytes(ctx.store, chain.chain_id, BigInt(e.sequence), fromBase64(e.entry));
    for (const e of chain.escrowed) keeper.setEscrowed(ctx.store, chain.chain_id, e.denom, BigInt(e.amount));
    for (const v of chain.vouchers) {
      keeper.setVouchers(ctx.store, chain.chain_id, v.denom, BigInt(v.amount));
      keeper.setTrace(ctx.store, { chainId: chain.chain_id, denom: v.denom });
    }
    for (const r of chain.results) keeper.setResult(ctx.store, chain.chain_id, { origSequence: BigInt(r.orig_sequence), code: r.code, codespace: r.codespace, log: r.log });
    for (const h of chain.app_hashes) {
      const hash = fromBase64(h.app_hash);
      if (hash.length !== 32) throw QcpErrors.invalidGenesis.with(`app hash of ${chain.chain_id} at ${h.height} is not 32 bytes`);
      keeper.setAppHash(ctx.store, chain.chain_id, BigInt(h.height), hash);
    }
  }
  for (const t of genesis.denom_traces) keeper.setTrace(ctx.store, { chainId: t.chain_id, denom: t.denom });
}

/** Exports every outbox entry (none is pruned: a relayer may still need any undelivered one). */
export function exportGenesis(keeper: QcpKeeper, store: KVReader): Genesis {
  const ledger = [...keeper.allLedger(store)];
  return {
    params: keeper.getParams(store),
    root_ca_public_key: rootCaToGenesis(keeper.getRootCa(store)),
    chains: [...keeper.allChains(store)].map((info) => ({
      chain_id: info.chainId,
      relayers: info.relayers,
      out_sequence: keeper.getOutSequence(store, info.chainId).toString(),
      in_sequence: keeper.getInSequence(store, info.chainId).toString(),
      outbox: [...keeper.allEntries(store, info.chainId)].map(([sequence, entry]) => ({ sequence: sequence.toString(), entry: toBase64(entry) })),
      escrowed: ledger.filter(([k, c]) => k === "e" && c === info.chainId).map(([, , denom, amount]) => ({ denom, amount: amount.toString() })),
      vouchers: ledger.filter(([k, c]) => k === "v" && c === info.chainId).map(([, , denom, amount]) => ({ denom, amount: amount.toString() })),
      results: [...keeper.allResults(store, info.chainId)].map((r) => ({ orig_sequence: r.origSequence.toString(), code: r.code, codespace: r.codespace, log: r.log })),
      app_hashes: [...keeper.allAppHashes(store, info.chainId)].map(([height, hash]) => ({ height: height.toString(), app_hash: toBase64(hash) })),
    })),
    denom_traces: [...keeper.allTraces(store)].map(([, trace]) => ({ chain_id: trace.chainId, denom: trace.denom })),
  };
}
