import { z } from "zod";
import { decodeAccAddress, toAccAddress } from "../../app/address.js";
import { coinsToWire, parseCoins, type Coin } from "../../app/coins.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { BankErrors } from "./errors.js";
import type { BankKeeper } from "./keeper.js";
import { DefaultParams, ParamsSchema } from "./params.js";

const CoinSchema = z.object({ denom: z.string(), amount: z.string() });
export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  balances: z.array(z.object({ address: z.string(), coins: z.array(CoinSchema) })).default([]),
  /** optional: when given it must equal the sum of balances */
  supply: z.array(CoinSchema).optional(),
});
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { params: DefaultParams, balances: [] };
}

export function initGenesis(keeper: BankKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw BankErrors.invalidGenesis.with(parsed.error.message);
  keeper.setParams(ctx.store, parsed.data.params);
  const seen = new Set<string>();
  for (const entry of parsed.data.balances) {
    if (seen.has(entry.address)) throw BankErrors.invalidGenesis.with(`duplicate balance entry for ${entry.address}`);
    seen.add(entry.address);
    // decoded without the address cache: a genesis of a million balances would only churn it
    keeper.mint(ctx.store, undefined, decodeAccAddress(entry.address), parseCoins(entry.coins, `balance of ${entry.address}`));
  }
  if (parsed.data.supply) {
    const declared = parseCoins(parsed.data.supply, "supply");
    const actual = keeper.getTotalSupply(ctx.store);
    const same = declared.length === actual.length && declared.every((c, i) => c.denom === actual[i].denom && c.amount === actual[i].amount);
    if (!same) throw BankErrors.invalidGenesis.with("declared supply does not equal the sum of balances");
  }
}

export function exportGenesis(keeper: BankKeeper, store: KVReader): Genesis {
  const byAddress = new Map<string, Coin[]>();
  for (const [address, coin] of keeper.allBalances(store)) {
    const key = toAccAddress(address);
    byAddress.set(key, [...(byAddress.get(key) ?? []), coin]);
  }
  return {
    params: keeper.getParams(store),
    balances: [...byAddress.entries()].map(([address, coins]) => ({ address, coins: coinsToWire(coins) })),
    supply: coinsToWire(keeper.getTotalSupply(store)),
  };
}
