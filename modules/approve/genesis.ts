import { z } from "zod";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { coinsToWire, parseCoins } from "../../app/coins.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { ApproveErrors } from "./errors.js";
import type { ApproveKeeper } from "./keeper.js";

const CoinSchema = z.object({ denom: z.string(), amount: z.string() });
export const GenesisSchema = z.object({
  approves: z.array(z.object({ from: z.string(), to: z.string(), coins: z.array(CoinSchema) })).default([]),
});
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { approves: [] };
}

export function initGenesis(keeper: ApproveKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw ApproveErrors.invalidGenesis.with(parsed.error.message);
  for (const entry of parsed.data.approves) {
    const from = parseAccAddress(entry.from, "from");
    const to = parseAccAddress(entry.to, "to");
    if (keeper.get(ctx.store, from, to)) throw ApproveErrors.invalidGenesis.with(`allowance ${entry.from} → ${entry.to} listed twice`);
    const coins = parseCoins(entry.coins);
    keeper.checkDenoms(ctx.store, coins);
    keeper.set(ctx.store, from, to, coins);
  }
}

export function exportGenesis(keeper: ApproveKeeper, store: KVReader): Genesis {
  return {
    approves: [...keeper.all(store)].map(([from, to, coins]) => ({ from: toAccAddress(from), to: toAccAddress(to), coins: coinsToWire(coins) })),
  };
}
