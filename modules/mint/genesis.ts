import { z } from "zod";
import { AmountString } from "../../app/coins.js";
import { blockSeconds, type Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { MintErrors } from "./errors.js";
import { defaultPhases, type MintKeeper, type Phase } from "./keeper.js";
import { DefaultParams, ParamsSchema } from "./params.js";

const AmountSchema = AmountString;
/** unix seconds, as a JSON number or a decimal string (int64) */
const TimeSchema = z.union([z.string().regex(/^[0-9]{1,19}$/, "must be unix seconds"), z.number().int().nonnegative()]);

const PhaseSchema = z.object({
  end_time: TimeSchema,
  total_amount: AmountSchema,
  applied_amount: AmountSchema.default("0"),
});

export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  /** sorted by end_time; empty or absent = the default schedule computed from the genesis time (design.md §4) */
  phases: z.array(PhaseSchema).default([]),
  /** everything minted so far (a re-imported export); must equal Σ applied_amount; absent = Σ applied_amount */
  minted: AmountSchema.optional(),
  /** the block-time clock of an exported chain (its genesis time and first measured block): a re-imported
   *  chain keeps measuring the average block time from where it started, so it mints at the same rate;
   *  absent = a new chain (genesis time = this genesis' time, nothing measured yet) */
  clock: z.object({ genesis_time: TimeSchema, first_height: TimeSchema.optional(), first_time: TimeSchema.optional() }).optional(),
  /** uqos minted in the exported chain's last block: kept so that a chain started from the export has the
   *  exported state (and app hash); the next block replaces it. Absent = 0 */
  last_minted: AmountSchema.optional(),
});
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { params: DefaultParams, phases: [] };
}

export function initGenesis(keeper: MintKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw MintErrors.invalidGenesis.with(parsed.error.message);
  const genesis = parsed.data;
  const genesisTime = blockSeconds(ctx.block);
  const phases: Phase[] = genesis.phases.length
    ? genesis.phases.map((p) => ({ endTime: BigInt(p.end_time), total: BigInt(p.total_amount), applied: BigInt(p.applied_amount) }))
    : defaultPhases(genesisTime);
  try {
    keeper.setPhases(ctx.store, phases);
  } catch (e) {
    throw MintErrors.invalidGenesis.with((e as Error).message);
  }
  const applied = phases.reduce((sum, p) => sum + p.applied, 0n);
  if (genesis.minted !== undefined && BigInt(genesis.minted) !== applied) {
    throw MintErrors.invalidGenesis.with(`minted ${genesis.minted} differs from the phases' applied amounts, ${applied} in all`);
  }
  keeper.setMinted(ctx.store, applied);
  keeper.setParams(ctx.store, genesis.params);
  keeper.setLastMint(ctx.store, BigInt(genesis.last_minted ?? "0"));
  const c = genesis.clock;
  keeper.setClock(ctx.store, c
    ? { genesisTime: BigInt(c.genesis_time), ...(c.first_height !== undefined && c.first_time !== undefined ? { first: { height: BigInt(c.first_height), time: BigInt(c.first_time) } } : {}) }
    : { genesisTime });
}

export function exportGenesis(keeper: MintKeeper, store: KVReader): Genesis {
  return {
    params: keeper.getParams(store),
    phases: keeper.phases(store).map((p) => ({ end_time: p.endTime.toString(), total_amount: p.total.toString(), applied_amount: p.applied.toString() })),
    minted: keeper.minted(store).toString(),
    clock: (() => {
      const c = keeper.clock(store);
      return { genesis_time: c.genesisTime.toString(), ...(c.first ? { first_height: c.first.height.toString(), first_time: c.first.time.toString() } : {}) };
    })(),
    ...(keeper.lastMint(store) > 0n ? { last_minted: keeper.lastMint(store).toString() } : {}),
  };
}
