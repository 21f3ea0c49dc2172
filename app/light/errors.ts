// Why a light block was refused. One reason per distinct refusal, so that the on-chain client
// (modules/qcp) can map each to its own numbered error and qoscli can print a clear message.
export type LightRefusal =
  | "wrong_chain_id" // the header names another chain
  | "invalid_header" // malformed header/commit (commit for another height or block, sizes, ...)
  | "not_adjacent" // verifyAdjacent given a non-adjacent header, or verifyNonAdjacent an adjacent one
  | "non_monotonic_height" // new header height <= trusted height
  | "non_monotonic_time" // new header time <= trusted time
  | "header_from_future" // new header time >= now + max clock drift
  | "trust_expired" // trusted header time + trusting period <= now
  | "validator_set_hash" // header.validators_hash != hash(supplied validator set)
  | "next_validators_mismatch" // adjacent: trusted next_validators_hash != new validators_hash
  | "trusted_validators_hash" // from a stored state: the supplied trusted set != its next_validators_hash
  | "forged_signature" // a commit signature does not verify
  | "insufficient_voting_power" // < +2/3 of the header's own set signed
  | "insufficient_trust" // < trust level of the trusted set signed (bisection pivots on this one)
  | "invalid_trust_level"; // trust level outside [1/3, 1]

export class LightClientError extends Error {
  override readonly name = "LightClientError";
  constructor(readonly reason: LightRefusal, message: string) {
    super(message);
  }
}

export const refuse = (reason: LightRefusal, message: string): never => {
  throw new LightClientError(reason, message);
};
