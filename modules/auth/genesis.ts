import { z } from "zod";
import { Uint64String } from "../../app/coins.js";
import { decodeAccAddress, toAccAddress } from "../../app/address.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { AuthErrors } from "./errors.js";
import type { AuthKeeper } from "./keeper.js";
import { DefaultParams, ParamsSchema } from "./params.js";

const AccountSchema = z.object({
  address: z.string(),
  account_number: Uint64String.optional(),
  sequence: Uint64String.optional(),
  /** base64 compressed secp256k1 key */
  pub_key: z.string().optional(),
});

export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  accounts: z.array(AccountSchema).default([]),
});
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { params: DefaultParams, accounts: [] };
}

export function initGenesis(keeper: AuthKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw AuthErrors.invalidGenesis.with(parsed.error.message);
  keeper.setParams(ctx.store, parsed.data.params);
  const seen = new Set<string>();
  for (const entry of parsed.data.accounts) {
    if (seen.has(entry.address)) throw AuthErrors.invalidGenesis.with(`duplicate account ${entry.address}`);
    seen.add(entry.address);
    // decoded once, without the address cache: a genesis of a million accounts would only churn it
    const address = decodeAccAddress(entry.address);
    const sequence = entry.sequence ? BigInt(entry.sequence) : 0n;
    keeper.createGenesisAccount(ctx.store, address, entry.address, sequence, entry.pub_key ? fromBase64(entry.pub_key) : undefined);
  }
}

export function exportGenesis(keeper: AuthKeeper, store: KVReader): Genesis {
  const accounts = [...keeper.allAccounts(store)].map((a) => ({
    address: toAccAddress(a.address),
    account_number: a.accountNumber.toString(),
    sequence: a.sequence.toString(),
    ...(a.pubKey ? { pub_key: toBase64(a.pubKey) } : {}),
  }));
  accounts.sort((a, b) => Number(BigInt(a.account_number) - BigInt(b.account_number)));
  return { params: keeper.getParams(store), accounts };
}
