import { z } from "zod";

export const ParamsSchema = z.object({
  /** the swap fee in basis points of the input, per hop; it stays in the pool */
  swap_fee_bps: z.coerce.number().int().min(0).max(1000),
  /** the most one hop may move its pool's price, in basis points of the price before (10000: a hop may
   *  at most double the price of what it buys) */
  max_price_impact_bps: z.coerce.number().int().min(1).max(1_000_000),
  /** how long observations of the cumulative price are kept (seconds of block time): averages can be
   *  taken over periods that start at most this long before the pool's latest action */
  twap_window_secs: z.coerce.number().int().min(60).max(31_536_000),
});
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = { swap_fee_bps: 30, max_price_impact_bps: 10_000, twap_window_secs: 172_800 };
