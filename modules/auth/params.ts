import { z } from "zod";

export const ParamsSchema = z.object({
  max_memo_characters: z.coerce.number().int().min(0).max(65536),
  tx_sig_limit: z.coerce.number().int().min(1).max(64),
  /** largest transaction accepted by CheckTx and FinalizeBlock, in bytes */
  max_tx_bytes: z.coerce.number().int().min(256).max(1_000_000),
});
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = {
  max_memo_characters: 256,
  tx_sig_limit: 7,
  max_tx_bytes: 256 * 1024,
};
