import { z } from "zod";

/** a trust level "n/d" within [1/3, 1] (CometBFT's light.ValidateTrustLevel) */
const TrustLevel = z.string().regex(/^[1-9][0-9]{0,8}\/[1-9][0-9]{0,8}$/).refine((s) => {
  const [n, d] = s.split("/").map(BigInt);
  return n * 3n >= d && n <= d;
}, "a fraction n/d within [1/3, 1]");

export const ParamsSchema = z.object({
  /** largest payload a module may enqueue, in bytes */
  max_payload_bytes: z.coerce.number().int().min(64).max(1_000_000),
  /** most messages one ExecutePayload may carry */
  max_execute_msgs: z.coerce.number().int().min(1).max(100),
  // The light client's parameters, taken into a ClientState when it is created. Optional in the stored
  // JSON (absent = the default in DefaultClientParams), so a chain whose params predate the light client
  // keeps its stored bytes, and its app hash, until governance sets one.
  /** share of a trusted validator set that must sign a header reached by skipping, "n/d" */
  client_trust_level: TrustLevel.optional(),
  /** seconds a consensus state stays usable (keep it below the counterpart's unbonding period) */
  client_trusting_period_seconds: z.coerce.number().int().min(60).max(366 * 86_400).optional(),
  /** seconds a counterpart header's time may lie ahead of this chain's block time */
  client_max_clock_drift_seconds: z.coerce.number().int().min(0).max(3_600).optional(),
  /** most consensus states older than their client's trusting period one update removes (never the latest) */
  client_max_prune_per_update: z.coerce.number().int().min(0).max(100).optional(),
  /** most substitute clients (governance recovery) one counterpart chain may have at once */
  client_max_substitutes: z.coerce.number().int().min(1).max(16).optional(),
});
export type Params = z.infer<typeof ParamsSchema>;

export const DefaultParams: Params = { max_payload_bytes: 64 * 1024, max_execute_msgs: 16 };

/** The light client's parameters with their defaults: trust level 1/3, 14 days, 10 s, 4 pruned per
 *  update, 4 substitutes per chain. */
export const DefaultClientParams = {
  client_trust_level: "1/3",
  client_trusting_period_seconds: 14 * 86_400,
  client_max_clock_drift_seconds: 10,
  client_max_prune_per_update: 4,
  client_max_substitutes: 4,
} as const satisfies Partial<Params>;

export interface ClientParams {
  trustLevel: { numerator: bigint; denominator: bigint };
  trustingPeriodSeconds: number;
  maxClockDriftSeconds: number;
  maxPrunePerUpdate: number;
  maxSubstitutes: number;
}

export function clientParams(p: Params): ClientParams {
  const [numerator, denominator] = (p.client_trust_level ?? DefaultClientParams.client_trust_level).split("/").map(BigInt);
  return {
    trustLevel: { numerator, denominator },
    trustingPeriodSeconds: p.client_trusting_period_seconds ?? DefaultClientParams.client_trusting_period_seconds,
    maxClockDriftSeconds: p.client_max_clock_drift_seconds ?? DefaultClientParams.client_max_clock_drift_seconds,
    maxPrunePerUpdate: p.client_max_prune_per_update ?? DefaultClientParams.client_max_prune_per_update,
    maxSubstitutes: p.client_max_substitutes ?? DefaultClientParams.client_max_substitutes,
  };
}

/** Chain ids are CometBFT chain ids as qosd init accepts them: no '/', so they delimit keys safely. */
export const ChainIdPattern = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,49}$/;
