import { z } from "zod";
import { AmountString } from "../../app/coins.js";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { RootCaGenesisKey, rootCaFromGenesis, rootCaToGenesis } from "../../app/certificate.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { QscErrors } from "./errors.js";
import type { QscKeeper } from "./keeper.js";
import { DefaultParams, ParamsSchema, isQscName } from "./params.js";

const TokenSchema = z.object({
  name: z.string().refine(isQscName, "invalid QSC name"),
  symbol: z.string().min(1).max(16),
  decimals: z.number().int().min(0).max(18).default(0),
  description: z.string().default(""),
  banker: z.string(),
  creator: z.string().default(""),
  paused: z.boolean().default(false),
});

export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  /** base64 ed25519 public key of the QSC root CA; empty = no token can be created */
  root_ca_public_key: RootCaGenesisKey,
  tokens: z.array(TokenSchema).default([]),
  /** frozen amounts; the coins themselves are the balance of the "qsc_frozen" module account in bank */
  frozen: z.array(z.object({ name: z.string(), address: z.string(), amount: AmountString })).default([]),
});
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { params: DefaultParams, root_ca_public_key: "", tokens: [], frozen: [] };
}

export function initGenesis(keeper: QscKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw QscErrors.invalidGenesis.with(parsed.error.message);
  const genesis = parsed.data;
  keeper.setParams(ctx.store, genesis.params);
  const root = rootCaFromGenesis(genesis.root_ca_public_key, QscErrors.invalidGenesis);
  if (root) keeper.setRootCa(ctx.store, root);
  for (const token of genesis.tokens) {
    if (keeper.getToken(ctx.store, token.name)) throw QscErrors.invalidGenesis.with(`token ${token.name} listed twice`);
    parseAccAddress(token.banker, `banker of ${token.name}`);
    keeper.setToken(ctx.store, token);
  }
  for (const entry of genesis.frozen) {
    keeper.requireToken(ctx.store, entry.name);
    const holder = parseAccAddress(entry.address);
    // records only: the coins are already the frozen account's balance in bank's genesis
    keeper.importFrozen(ctx.store, entry.name, holder, BigInt(entry.amount));
  }
}

export function exportGenesis(keeper: QscKeeper, store: KVReader): Genesis {
  return {
    params: keeper.getParams(store),
    root_ca_public_key: rootCaToGenesis(keeper.getRootCa(store)),
    tokens: [...keeper.allTokens(store)],
    frozen: [...keeper.allFrozen(store)].map(([name, address, amount]) => ({ name, address: toAccAddress(address), amount: amount.toString() })),
  };
}
