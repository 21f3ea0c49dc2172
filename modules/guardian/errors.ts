import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "guardian";
export const GuardianErrors = {
  notGuardian: defineError(Codespace, 2, "the signer is not a guardian", GrpcCode.PERMISSION_DENIED),
  notGenesisGuardian: defineError(Codespace, 3, "only a genesis guardian may do this", GrpcCode.PERMISSION_DENIED),
  guardianNotFound: defineError(Codespace, 4, "no such guardian", GrpcCode.NOT_FOUND),
  guardianExists: defineError(Codespace, 5, "already a guardian", GrpcCode.FAILED_PRECONDITION),
  cannotDeleteGenesis: defineError(Codespace, 6, "a genesis guardian cannot be deleted", GrpcCode.FAILED_PRECONDITION),
  invalidField: defineError(Codespace, 7, "invalid field"),
  invalidGenesis: defineError(Codespace, 8, "invalid guardian genesis"),
  alreadyHalted: defineError(Codespace, 9, "the network is already halted", GrpcCode.FAILED_PRECONDITION),
};
