import { z } from "zod";

export const ParamsSchema = z.object({
  /** upper bound on senders + receivers in one MsgTransfer (the original QOS's limit) */
  max_transfer_parties: z.coerce.number().int().min(2).max(10_000),
});
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = { max_transfer_parties: 500 };
