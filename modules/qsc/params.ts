import { z } from "zod";

export const ParamsSchema = z.object({
  max_description_bytes: z.coerce.number().int().min(0).max(100_000),
  max_initial_holders: z.coerce.number().int().min(0).max(10_000),
});
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = { max_description_bytes: 1000, max_initial_holders: 100 };

/** A QSC name is its denom: 3–16 upper-case letters and digits, starting with a letter, never QOS. */
export const QscNamePattern = /^[A-Z][A-Z0-9]{2,15}$/;
export function isQscName(name: string): boolean {
  return QscNamePattern.test(name) && name !== "QOS";
}
