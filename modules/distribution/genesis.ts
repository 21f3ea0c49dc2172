import { z } from "zod";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { DistributionErrors } from "./errors.js";
import type { DistributionKeeper } from "./keeper.js";
import { DefaultParams, ParamsSchema } from "./params.js";

export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  /** an export's exact reward state (periods, ratios, starting points, outstanding) as base64 key/value pairs */
  state: z.array(z.tuple([z.string(), z.string()])).default([]),
});
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { params: DefaultParams, state: [] };
}

export function initGenesis(keeper: DistributionKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw DistributionErrors.invalidGenesis.with(parsed.error.message);
  keeper.setParams(ctx.store, parsed.data.params);
  for (const [key, value] of parsed.data.state) {
    const k = Buffer.from(key, "base64").toString("latin1");
    if (!k.startsWith("dist/")) throw DistributionErrors.invalidGenesis.with(`state key ${JSON.stringify(k)} is outside dist/`);
    ctx.store.set(k, Buffer.from(value, "base64"));
  }
}

export function exportGenesis(keeper: DistributionKeeper, store: KVReader): Genesis {
  const state: Array<[string, string]> = [];
  for (const [key, value] of keeper.rawEntries(store)) {
    if (key === "dist/p") continue;
    state.push([Buffer.from(key, "latin1").toString("base64"), Buffer.from(value).toString("base64")]);
  }
  return { params: keeper.getParams(store), state };
}
