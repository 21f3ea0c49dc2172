import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "distribution";
export const DistributionErrors = {
  noDelegation: defineError(Codespace, 2, "no delegation to withdraw rewards from", GrpcCode.NOT_FOUND),
  invalidGenesis: defineError(Codespace, 3, "invalid distribution genesis"),
  invariantBroken: defineError(Codespace, 4, "distribution invariant broken", GrpcCode.UNKNOWN),
  poolTooSmall: defineError(Codespace, 5, "community pool is smaller than the amount", GrpcCode.FAILED_PRECONDITION),
  /** cosmos.distribution's MsgWithdrawDelegatorReward names the validator by its qosval operator address (D13) */
  notOperatorAddress: defineError(Codespace, 6, "a cosmos.distribution message must name the validator by its qosval operator address"),
};
