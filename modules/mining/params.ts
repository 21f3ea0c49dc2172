import { z } from "zod";
import { fractionString } from "../../app/params.js";

/** The bounds governance sets on what a banker may choose for a scenario. */
export const ParamsSchema = z.object({
  /** the highest commission rate (fraction of a payment's value) */
  max_commission_rate: fractionString,
  /** the least holder share of the commission (the rest goes to the community account) */
  min_holder_share: fractionString,
  /** settlement period bounds (seconds of block time) */
  min_period_secs: z.coerce.number().int().min(1).max(31_536_000),
  max_period_secs: z.coerce.number().int().min(1).max(31_536_000),
  /** blocks between two rate changes of a banker, at least */
  rate_interval_blocks: z.coerce.number().int().min(0).max(10_000_000),
  /** the most one rate change may move the rate, as a fraction of the rate before */
  max_rate_change: fractionString,
  /** the highest team unlock rate (fraction of a period's paid volume) */
  max_team_unlock_rate: fractionString,
}).refine((p) => p.min_period_secs <= p.max_period_secs, "min_period_secs must not exceed max_period_secs");
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = {
  max_commission_rate: "0.05",
  min_holder_share: "0.5",
  min_period_secs: 3600,
  max_period_secs: 2_592_000,
  rate_interval_blocks: 100,
  max_rate_change: "0.1",
  max_team_unlock_rate: "1",
};
