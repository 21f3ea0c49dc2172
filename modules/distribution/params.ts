import { z } from "zod";
import { fractionString } from "../../app/params.js";

export const ParamsSchema = z.object({
  /** share of the block's mint the proposer gets on top (whitepaper §2.1: 4%) */
  proposer_reward_rate: fractionString,
  /** blocks between two automatic compoundings of a delegation that asked for it */
  compound_period_blocks: z.coerce.number().int().min(1).max(10_000_000),
});
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = { proposer_reward_rate: "0.040000000000000000", compound_period_blocks: 1200 };
