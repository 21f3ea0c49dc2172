import { z } from "zod";
import { parseAccAddress } from "../../app/address.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { GuardianErrors } from "./errors.js";
import { GuardianType, type GuardianKeeper } from "./keeper.js";

const GuardianSchema = z.object({
  address: z.string(),
  /** "genesis" (default) or "ordinary" (then `creator`, a genesis guardian, is required) */
  type: z.enum(["genesis", "ordinary"]).default("genesis"),
  description: z.string().max(1000).default(""),
  creator: z.string().default(""),
});

export const GenesisSchema = z.object({
  guardians: z.array(GuardianSchema).default([]),
});
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return { guardians: [] };
}

export function initGenesis(keeper: GuardianKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw GuardianErrors.invalidGenesis.with(parsed.error.message);
  const { guardians } = parsed.data;
  for (const g of guardians) {
    const address = parseAccAddress(g.address, "guardian address");
    if (keeper.isGuardian(ctx.store, address)) throw GuardianErrors.invalidGenesis.with(`${g.address} listed twice`);
    if (g.type === "genesis" && g.creator !== "") throw GuardianErrors.invalidGenesis.with(`genesis guardian ${g.address} must have no creator`);
    keeper.setGuardian(ctx.store, address, {
      address: g.address,
      type: g.type === "genesis" ? GuardianType.GUARDIAN_TYPE_GENESIS : GuardianType.GUARDIAN_TYPE_ORDINARY,
      description: g.description,
      creator: g.creator,
    });
  }
  for (const g of guardians) {
    if (g.type !== "ordinary") continue;
    const creator = keeper.getGuardian(ctx.store, parseAccAddress(g.creator, `creator of ${g.address}`));
    if (creator?.type !== GuardianType.GUARDIAN_TYPE_GENESIS) throw GuardianErrors.invalidGenesis.with(`creator of ${g.address} is not a genesis guardian`);
  }
}

/** The guardians; a halt is not exported (a new chain from the export starts un-halted). */
export function exportGenesis(keeper: GuardianKeeper, store: KVReader): Genesis {
  return {
    guardians: [...keeper.allGuardians(store)].map((g) => ({
      address: g.address,
      type: g.type === GuardianType.GUARDIAN_TYPE_GENESIS ? ("genesis" as const) : ("ordinary" as const),
      description: g.description,
      creator: g.creator,
    })),
  };
}
