import { z } from "zod";
import { Uint64String } from "../../app/coins.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { GovErrors } from "./errors.js";
import type { GovKeeper } from "./keeper.js";
import { DefaultParams, ParamsSchema } from "./params.js";

export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  starting_proposal_id: z
    .union([z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), Uint64String.transform(Number).pipe(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER))])
    .default(1),
  /** an export's proposals, deposits, votes and upgrade plan as base64 key/value pairs (the deposits'
   *  coins must be the balance of the "gov" module account in bank's genesis) */
  state: z.array(z.tuple([z.string(), z.string()])).default([]),
});
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { params: DefaultParams, starting_proposal_id: 1, state: [] };
}

export function initGenesis(keeper: GovKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw GovErrors.invalidGenesis.with(parsed.error.message);
  keeper.setParams(ctx.store, parsed.data.params);
  keeper.setNextId(ctx.store, BigInt(parsed.data.starting_proposal_id));
  for (const [key, value] of parsed.data.state) {
    const k = Buffer.from(key, "base64").toString("latin1");
    if (!k.startsWith("gov/")) throw GovErrors.invalidGenesis.with(`state key ${JSON.stringify(k)} is outside gov/`);
    ctx.store.set(k, Buffer.from(value, "base64"));
  }
}

export function exportGenesis(keeper: GovKeeper, store: KVReader): Genesis {
  const state: Array<[string, string]> = [];
  for (const [key, value] of keeper.rawEntries(store)) state.push([Buffer.from(key, "latin1").toString("base64"), Buffer.from(value).toString("base64")]);
  return { params: keeper.getParams(store), starting_proposal_id: Number(keeper.nextId(store)), state };
}
