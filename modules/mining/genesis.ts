import { z } from "zod";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { Holder, Miner, Period, RatePoint, Scenario } from "../../gen/qos/mining/v1/types.js";
import { MiningErrors } from "./errors.js";
import { periodCodec, ratePointCodec, scenarioCodec, type MiningKeeper } from "./keeper.js";
import { DefaultParams, ParamsSchema } from "./params.js";

const Json = z.record(z.string(), z.unknown());
const ScenarioSchema = z.object({
  scenario: Json,
  periods: z.array(Json).default([]),
  holders: z.array(z.object({ address: z.string(), holder: Json })).default([]),
  miners: z.array(z.object({ address: z.string(), miner: Json })).default([]),
  rates: z.array(Json).default([]),
});

/** Scenarios with their periods, holder and miner records and rate history, each record in its protobuf
 *  JSON form; the coins (commission held, locked reserves) are in bank's genesis, which the invariants
 *  check against. */
export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  scenarios: z.array(ScenarioSchema).default([]),
});
export type Genesis = z.input<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { params: DefaultParams, scenarios: [] };
}

export function initGenesis(keeper: MiningKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw MiningErrors.invalidGenesis.with(parsed.error.message);
  const genesis = parsed.data;
  // An absent key reads as the defaults: a chain whose genesis has no mining section keeps the state, and
  // app hash, it had before this module existed.
  if (JSON.stringify(genesis.params) !== JSON.stringify(DefaultParams)) keeper.setParams(ctx.store, genesis.params);
  try {
    for (const entry of genesis.scenarios) {
      const s = scenarioCodec.fromWire(Scenario.fromJSON(entry.scenario));
      if (keeper.hasScenario(ctx.store, s.denom)) throw new Error(`scenario ${s.denom} listed twice`);
      keeper.setScenario(ctx.store, s);
      keeper.enqueue(ctx.store, s.periodEnd, s.denom);
      for (const p of entry.periods) keeper.setPeriod(ctx.store, s.denom, periodCodec.fromWire(Period.fromJSON(p)));
      for (const h of entry.holders) {
        const w = Holder.fromJSON(h.holder);
        keeper.setHolder(ctx.store, s.denom, parseAccAddress(h.address), { period: w.period, leastBalance: BigInt(w.leastBalance || "0"), owed: BigInt(w.owed || "0") });
      }
      for (const m of entry.miners) {
        const w = Miner.fromJSON(m.miner);
        keeper.setMiner(ctx.store, s.denom, parseAccAddress(m.address), { period: w.period, credit: BigInt(w.credit || "0"), owed: BigInt(w.owed || "0") });
      }
      for (const r of entry.rates) keeper.addRatePoint(ctx.store, s.denom, ratePointCodec.fromWire(RatePoint.fromJSON(r)));
    }
  } catch (err) {
    throw MiningErrors.invalidGenesis.with(err instanceof Error ? err.message : String(err));
  }
}

export function exportGenesis(keeper: MiningKeeper, store: KVReader): Genesis {
  return {
    params: keeper.getParams(store),
    scenarios: [...keeper.allScenarios(store)].map((s) => ({
      scenario: Scenario.toJSON(scenarioCodec.toWire(s)) as Record<string, unknown>,
      periods: [...keeper.allPeriods(store, s.denom)].map((p) => Period.toJSON(periodCodec.toWire(p)) as Record<string, unknown>),
      holders: [...keeper.allHolders(store, s.denom)].map(([address, h]) => ({
        address: toAccAddress(address), holder: Holder.toJSON({ period: h.period, leastBalance: h.leastBalance.toString(), owed: h.owed.toString() }) as Record<string, unknown>,
      })),
      miners: [...keeper.allMiners(store, s.denom)].map(([address, m]) => ({
        address: toAccAddress(address), miner: Miner.toJSON({ period: m.period, credit: m.credit.toString(), owed: m.owed.toString() }) as Record<string, unknown>,
      })),
      rates: [...keeper.allRatePoints(store, s.denom)].map((r) => RatePoint.toJSON(ratePointCodec.toWire(r)) as Record<string, unknown>),
    })),
  };
}
