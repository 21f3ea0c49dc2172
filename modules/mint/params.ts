import { z } from "zod";
import { AmountString } from "../../app/coins.js";

export const ParamsSchema = z.object({
  /** the average block time (seconds) assumed until two blocks have been measured */
  target_block_time_secs: z.coerce.number().int().min(1).max(86_400).default(3),
  /** optional ceiling on the uqos supply (decimal string); absent = no ceiling */
  total_supply_cap: AmountString.optional(),
});
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = { target_block_time_secs: 3 };

/** The base denom inflation mints (D3). */
export const MintDenom = "uqos";
/** Total supply the default phases are computed from: 10,000,000,000 QOS = 1e16 uqos (design.md §4). */
export const DefaultTotalSupply = 10n ** 16n;
/** One phase = 4 years of 365 days plus one leap day = 1461 days (design.md §4, whitepaper §2.1). */
export const PhaseSeconds = 1461n * 86_400n;
/** Share of the total supply each default phase mints, in units of 1e-8 (25.5%, 12.75%, … ; Σ = 51%). */
export const DefaultPhaseShares: readonly bigint[] = [25_500_000n, 12_750_000n, 6_375_000n, 3_187_500n, 1_593_750n, 796_875n, 796_875n];
export const ShareDenominator = 100_000_000n;
