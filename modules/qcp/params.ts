import { z } from "zod";

export const ParamsSchema = z.object({
  /** largest payload a module may enqueue, in bytes */
  max_payload_bytes: z.coerce.number().int().min(64).max(1_000_000),
  /** most messages one ExecutePayload may carry */
  max_execute_msgs: z.coerce.number().int().min(1).max(100),
});
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = { max_payload_bytes: 64 * 1024, max_execute_msgs: 16 };

/** Chain ids are CometBFT chain ids as qosd init accepts them: no '/', so they delimit keys safely. */
export const ChainIdPattern = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,49}$/;
