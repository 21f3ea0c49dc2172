import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "distribution";
export const DistributionErrors = {
  noDelegation: defineError(Codespace, 2, "no delegation to withdraw rewards from", GrpcCode.NOT_FOUND),
  invalidGenesis: defineError(Codespace, 3, "invalid distribution genesis"),
  invariantBroken: defineError(Codespace, 4, "distribution invariant broken", GrpcCode.UNKNOWN),
  poolTooSmall: defineError(Codespace, 5, "community pool is smaller than the amount", GrpcCode.FAILED_PRECONDITION),
};
