import { z } from "zod";

export const ParamsSchema = z.object({
  /** upper bound on senders + receivers in one MsgTransfer, checked on the count before any party is
   *  parsed (the original QOS had a limit; unbounded, thousands of parties were free CheckTx work) */
  max_transfer_parties: z.coerce.number().int().min(2).max(10_000),
  /** upper bound on the coins of one party (or of one MsgSend), checked on the count before parsing;
   *  a genesis written before this parameter existed gets the default */
  max_coins_per_party: z.coerce.number().int().min(1).max(1024).default(16),
});
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = { max_transfer_parties: 100, max_coins_per_party: 16 };
