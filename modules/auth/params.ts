import { z } from "zod";
import { BaseDenom } from "../../app/coins.js";

export const ParamsSchema = z.object({
  max_memo_characters: z.coerce.number().int().min(0).max(65536),
  tx_sig_limit: z.coerce.number().int().min(1).max(64),
  /** largest transaction accepted by CheckTx and FinalizeBlock, in bytes */
  max_tx_bytes: z.coerce.number().int().min(256).max(1_000_000),
  /** the denoms a fee may be paid in: a consensus rule, checked in CheckTx and FinalizeBlock alike (the
   *  node-local min_gas_price is CheckTx policy only). Only uqos: distribution shares out the fee
   *  collector's uqos and nothing else, so a fee in another denom would stay there forever. Widening
   *  this list needs distribution to pay out that denom first (a software upgrade, not a param change). */
  fee_denoms: z.array(z.literal(BaseDenom)).length(1).default([BaseDenom]),
  /** most messages in one tx, checked before any message's stateless check (a genesis written before
   *  this parameter existed gets the default) */
  max_msgs_per_tx: z.coerce.number().int().min(1).max(1024).default(64),
});
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = {
  max_memo_characters: 256,
  tx_sig_limit: 7,
  max_tx_bytes: 256 * 1024,
  fee_denoms: [BaseDenom],
  max_msgs_per_tx: 64,
};
