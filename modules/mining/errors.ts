import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "mining";
export const MiningErrors = {
  invalidAmount: defineError(Codespace, 2, "invalid amount"),
  amountOverflow: defineError(Codespace, 3, "amount too large"),
  unknownToken: defineError(Codespace, 4, "not a QSC token", GrpcCode.NOT_FOUND),
  notBanker: defineError(Codespace, 5, "only the token's banker may do this", GrpcCode.PERMISSION_DENIED),
  scenarioExists: defineError(Codespace, 6, "the token has a mining scenario already", GrpcCode.FAILED_PRECONDITION),
  scenarioNotFound: defineError(Codespace, 7, "no mining scenario for this token", GrpcCode.NOT_FOUND),
  tokenPaused: defineError(Codespace, 8, "token is paused: it does not mine", GrpcCode.FAILED_PRECONDITION),
  accountFrozen: defineError(Codespace, 9, "the account has frozen coins of this token: it does not mine", GrpcCode.FAILED_PRECONDITION),
  outOfBounds: defineError(Codespace, 10, "a scenario parameter is outside the bounds governance set", GrpcCode.INVALID_ARGUMENT),
  rateTooSoon: defineError(Codespace, 11, "the rate was changed too recently", GrpcCode.FAILED_PRECONDITION),
  rateChangeTooLarge: defineError(Codespace, 12, "the rate changes by more than the bound", GrpcCode.FAILED_PRECONDITION),
  invalidField: defineError(Codespace, 13, "invalid field"),
  nothingToClaim: defineError(Codespace, 14, "nothing to claim", GrpcCode.FAILED_PRECONDITION),
  invalidGenesis: defineError(Codespace, 15, "invalid mining genesis"),
  invariantBroken: defineError(Codespace, 16, "mining invariant broken", GrpcCode.UNKNOWN),
};
