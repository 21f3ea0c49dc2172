import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "qsc";
export const QscErrors = {
  invalidCertificate: defineError(Codespace, 2, "invalid certificate", GrpcCode.INVALID_ARGUMENT),
  certificateNotValidNow: defineError(Codespace, 3, "certificate not valid at this block time", GrpcCode.FAILED_PRECONDITION),
  certificateMismatch: defineError(Codespace, 4, "certificate does not match the message"),
  noRootCa: defineError(Codespace, 5, "no QSC root CA in genesis", GrpcCode.FAILED_PRECONDITION),
  tokenExists: defineError(Codespace, 6, "token already exists", GrpcCode.FAILED_PRECONDITION),
  tokenNotFound: defineError(Codespace, 7, "token not found", GrpcCode.NOT_FOUND),
  notBanker: defineError(Codespace, 8, "only the token's banker may do this", GrpcCode.PERMISSION_DENIED),
  paused: defineError(Codespace, 9, "token is paused", GrpcCode.FAILED_PRECONDITION),
  frozenExceeded: defineError(Codespace, 10, "not that much is frozen", GrpcCode.FAILED_PRECONDITION),
  invalidName: defineError(Codespace, 11, "invalid token name"),
  invalidField: defineError(Codespace, 12, "invalid field"),
  invalidGenesis: defineError(Codespace, 13, "invalid qsc genesis"),
  invariantBroken: defineError(Codespace, 14, "qsc invariant broken", GrpcCode.UNKNOWN),
  creatorNotBanker: defineError(Codespace, 15, "only the certified banker may create the token", GrpcCode.PERMISSION_DENIED),
  certificateUsed: defineError(Codespace, 16, "the token was already created: its certificate is spent", GrpcCode.FAILED_PRECONDITION),
};
