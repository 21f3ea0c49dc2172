import { z } from "zod";
import { AmountString, DenomString, Uint64String } from "../../app/coins.js";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { parseAccAddress } from "../../app/address.js";
import { RootCaGenesisKey, rootCaFromGenesis, rootCaToGenesis } from "../../app/certificate.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { QcpErrors } from "./errors.js";
import type { ClientSlot, QcpKeeper } from "./keeper.js";
import { ChainIdPattern, DefaultParams, ParamsSchema } from "./params.js";

const Uint = Uint64String;
const ClientSchema = z.object({
  trust_level_numerator: Uint,
  trust_level_denominator: Uint,
  trusting_period_seconds: Uint,
  max_clock_drift_seconds: Uint,
  latest_height: Uint,
  frozen_height: Uint.default("0"),
  consensus_states: z.array(z.object({
    height: Uint,
    /** the header's time: unix seconds and nanoseconds */
    time: z.object({ seconds: Uint, nanos: z.number().int().min(0).max(999_999_999) }),
    app_hash: z.string(),
    next_validators_hash: z.string(),
    header_hash: z.string(),
  })).min(1),
});

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
  /** the chain's light client (ClientState) and the consensus states it verified, by header height */
  client: ClientSchema.optional(),
  /** substitute clients proposed for governance recovery (docs/qcp-recovery.md), lowest id first */
  substitutes: z.array(z.object({ id: Uint, creator: z.string().default(""), client: ClientSchema })).default([]),
});
type ClientGenesis = z.infer<typeof ClientSchema>;

export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  /** base64 ed25519 public key of the QCP root CA; empty = no relayer can be registered */
  root_ca_public_key: RootCaGenesisKey,
  chains: z.array(ChainSchema).default([]),
  /** where each voucher minted here comes from (kept after its last coin is burned, like on chain) */
  denom_traces: z.array(z.object({ chain_id: z.string().regex(ChainIdPattern), denom: DenomString })).default([]),
  /** the last substitute id given out (ids are never reused, also after the substitutes are removed) */
  last_substitute_id: Uint.default("0"),
});
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { params: DefaultParams, root_ca_public_key: "", chains: [], denom_traces: [], last_substitute_id: "0" };
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
    if (chain.client) initClient(keeper.clientSlot(chain.chain_id), ctx, chain.client);
    for (const sub of chain.substitutes) {
      const id = BigInt(sub.id);
      if (id === 0n || keeper.getSubstitute(ctx.store, id)) throw QcpErrors.invalidGenesis.with(`substitute ${id} of ${chain.chain_id} is zero or listed twice`);
      initClient(keeper.substituteSlot(keeper.importSubstitute(ctx.store, id, chain.chain_id, sub.creator)), ctx, sub.client);
    }
  }
  for (const t of genesis.denom_traces) keeper.setTrace(ctx.store, { chainId: t.chain_id, denom: t.denom });
  const lastSubstituteId = BigInt(genesis.last_substitute_id);
  if (lastSubstituteId < keeper.lastSubstituteId(ctx.store)) throw QcpErrors.invalidGenesis.with(`last_substitute_id ${lastSubstituteId} is below a substitute's id`);
  // (a chain that never had a substitute has no counter key: writing a 0 would change its app hash)
  if (lastSubstituteId > 0n) keeper.setLastSubstituteId(ctx.store, lastSubstituteId);
}

/** Writes a client (the chain's own or a substitute) through its slot. */
function initClient(slot: ClientSlot, ctx: Context, c: ClientGenesis): void {
  const chain = slot.chain;
  const what = slot.substitute === 0n ? `client of ${chain}` : `substitute ${slot.substitute} of ${chain}`;
  const bad = (why: string) => QcpErrors.invalidGenesis.with(`${what}: ${why}`);
  const [n, d] = [BigInt(c.trust_level_numerator), BigInt(c.trust_level_denominator)];
  if (d === 0n || n * 3n < d || n > d) throw bad(`trust level ${n}/${d} is not within [1/3, 1]`);
  if (BigInt(c.trusting_period_seconds) === 0n) throw bad("trusting period is 0");
  const hash = (b64: string, what: string, length?: number) => {
    const b = fromBase64(b64);
    if (length !== undefined ? b.length !== length : b.length > 64) throw bad(`${what} has ${b.length} bytes`);
    return b;
  };
  let highest = 0n;
  for (const s of c.consensus_states) {
    const height = BigInt(s.height);
    if (height === 0n || slot.getState(ctx.store, height)) throw bad(`consensus state height ${height} is zero or listed twice`);
    if (height > highest) highest = height;
    slot.setState(ctx.store, height, {
      timestamp: { seconds: BigInt(s.time.seconds), nanos: s.time.nanos },
      appHash: hash(s.app_hash, "app_hash"),
      nextValidatorsHash: hash(s.next_validators_hash, "next_validators_hash", 32),
      headerHash: hash(s.header_hash, "header_hash", 32),
    });
  }
  if (BigInt(c.latest_height) !== highest) throw bad(`latest_height ${c.latest_height} is not its highest consensus state (${highest})`);
  slot.setClient(ctx.store, {
    chainId: chain, trustLevelNumerator: n, trustLevelDenominator: d,
    trustingPeriodSeconds: BigInt(c.trusting_period_seconds), maxClockDriftSeconds: BigInt(c.max_clock_drift_seconds),
    latestHeight: highest, frozenHeight: BigInt(c.frozen_height),
  });
}

function exportClient(slot: ClientSlot, store: KVReader): ClientGenesis | undefined {
  const c = slot.getClient(store);
  if (!c) return undefined;
  return {
    trust_level_numerator: c.trustLevelNumerator.toString(),
    trust_level_denominator: c.trustLevelDenominator.toString(),
    trusting_period_seconds: c.trustingPeriodSeconds.toString(),
    max_clock_drift_seconds: c.maxClockDriftSeconds.toString(),
    latest_height: c.latestHeight.toString(),
    frozen_height: c.frozenHeight.toString(),
    consensus_states: [...slot.statesBetween(store, 0n)].map(([height, s]) => ({
      height: height.toString(),
      time: { seconds: (s.timestamp?.seconds ?? 0n).toString(), nanos: s.timestamp?.nanos ?? 0 },
      app_hash: toBase64(s.appHash),
      next_validators_hash: toBase64(s.nextValidatorsHash),
      header_hash: toBase64(s.headerHash),
    })),
  };
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
      ...(keeper.getClient(store, info.chainId) ? { client: exportClient(keeper.clientSlot(info.chainId), store) } : {}),
      substitutes: keeper.substitutesOf(store, info.chainId).map((sub) => ({ id: sub.id.toString(), creator: sub.creator, client: exportClient(keeper.substituteSlot(sub), store)! })),
    })),
    denom_traces: [...keeper.allTraces(store)].map(([, trace]) => ({ chain_id: trace.chainId, denom: trace.denom })),
    last_substitute_id: keeper.lastSubstituteId(store).toString(),
  };
}
