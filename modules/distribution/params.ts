import { z } from "zod";
import { parseDec } from "../../app/decimal.js";

export const ParamsSchema = z.object({
  /** share of the block's mint the proposer gets on top (whitepaper §2.1: 4%) */
  proposer_reward_rate: z.string().refine((s) => {
    try {
      const v = parseDec(s);
      return v >= 0n && v <= 10n ** 18n;
    } catch {
      return false;
    }
  }, "a decimal between 0 and 1"),
  /** blocks between two automatic compoundings of a delegation that asked for it */
  compound_period_blocks: z.coerce.number().int().min(1).max(10_000_000),
});
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = { proposer_reward_rate: "0.040000000000000000", compound_period_blocks: 1200 };
