import { z } from "zod";
import { isCanonicalAmount } from "../../app/coins.js";
import { fractionString as fraction } from "../../app/params.js";

const amount = z.string().refine((v) => isCanonicalAmount(v, 30), "a whole number of uqos (at most 30 digits, no leading zeros)");

/** The parameters of one proposal level (the original's normal_/important_/critical_ keys). */
export const LevelParamsSchema = z.object({
  /** total deposit (uqos) that moves a proposal into its voting period */
  min_deposit: amount,
  /** the proposer's initial deposit must be ≥ min_deposit × this */
  min_initial_deposit_rate: fraction,
  /** seconds (block time) a proposal may wait for its min_deposit; after that its deposits are burned */
  max_deposit_period_secs: z.coerce.number().int().min(1).max(10 * 365 * 86_400),
  /** seconds (block time) of the voting period */
  voting_period_secs: z.coerce.number().int().min(1).max(10 * 365 * 86_400),
  /** share of all bonded stake that must vote (any option) */
  quorum: fraction,
  /** share of the non-abstaining votes that must be yes (strictly more than) */
  threshold: fraction,
  /** share of the votes that, as no-with-veto (strictly more than), rejects and burns every deposit */
  veto: fraction,
  /** share of each deposit burned when quorum is not reached (the rest is refunded) */
  burn_rate: fraction,
});
export type LevelParams = z.infer<typeof LevelParamsSchema>;

export const ParamsSchema = z.object({
  /** text proposals, community pool spends */
  normal: LevelParamsSchema,
  /** parameter changes */
  important: LevelParamsSchema,
  /** inflation changes, software upgrades */
  critical: LevelParamsSchema,
});
export type Params = z.infer<typeof ParamsSchema>;

const level = (minDeposit: bigint): LevelParams => ({
  min_deposit: minDeposit.toString(),
  min_initial_deposit_rate: "0.334000000000000000",
  max_deposit_period_secs: 7 * 86_400,
  voting_period_secs: 14 * 86_400,
  quorum: "0.334000000000000000",
  threshold: "0.500000000000000000",
  veto: "0.334000000000000000",
  burn_rate: "0.200000000000000000",
});

/** The original QOS's defaults (10 / 50 / 100 QOS; 7 days of deposits, 14 of voting), in uqos. */
export const DefaultParams: Params = {
  normal: level(10_000_000n),
  important: level(50_000_000n),
  critical: level(100_000_000n),
};

export const DepositDenom = "uqos";
export const MaxTitleBytes = 200;
export const MaxDescriptionBytes = 5000;
export const MaxUpgradeNameBytes = 140;
