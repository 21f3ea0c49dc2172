import { z } from "zod";
import { AmountString } from "../../app/coins.js";
import { fractionString as decString } from "../../app/params.js";


export const ParamsSchema = z
  .object({
    /** size of the active set (whitepaper §2.2) */
    max_validators: z.coerce.number().int().min(1).max(1000),
    /** keep-alive window in blocks (whitepaper §3.3.1) */
    voting_status_len: z.coerce.number().int().min(1).max(1_000_000),
    /** blocks of the window a validator must sign to stay active */
    voting_status_least: z.coerce.number().int().min(0),
    /** seconds an inactive validator survives before it is closed */
    survival_secs: z.coerce.number().int().min(0),
    /** seconds before unbonded coins return */
    unbonding_secs: z.coerce.number().int().min(0),
    /** fraction of stake slashed for double signing */
    slash_fraction_double_sign: decString,
    /** double-sign evidence older than this (block time − infraction time, seconds) is ignored; keep it equal
     *  to CometBFT's consensus_params.evidence.max_age_duration (48 h by default) and below unbonding_secs,
     *  so that stake which left the validator is still unbonding (slashable) while evidence can come */
    max_evidence_age_secs: z.coerce.number().int().min(0).default(172_800),
    /** uqos per unit of consensus power */
    power_reduction: z.string().regex(/^[1-9][0-9]*$/),
    /** smallest self-bond to create a validator, uqos */
    min_self_bond: AmountString,
    /** upper bound of any validator's max commission rate (the whitepaper's $validator_commission_rate) */
    max_commission_rate: decString,
  })
  .refine((p) => p.voting_status_least <= p.voting_status_len, "voting_status_least must not exceed voting_status_len");
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = {
  max_validators: 21,
  voting_status_len: 10_000,
  voting_status_least: 7_000,
  survival_secs: 28_800,
  unbonding_secs: 21 * 24 * 3600,
  slash_fraction_double_sign: "0.200000000000000000",
  max_evidence_age_secs: 172_800,
  power_reduction: "1000000",
  min_self_bond: "1000000",
  max_commission_rate: "1.000000000000000000",
};
