import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "bank";
export const BankErrors = {
  noInputs: defineError(Codespace, 2, "no senders"),
  noOutputs: defineError(Codespace, 3, "no receivers"),
  inputOutputMismatch: defineError(Codespace, 4, "sum of senders' coins does not equal sum of receivers' coins"),
  duplicateAddress: defineError(Codespace, 5, "address listed twice on one side"),
  tooManyParties: defineError(Codespace, 6, "too many senders and receivers"),
  insufficientFunds: defineError(Codespace, 7, "insufficient funds", GrpcCode.FAILED_PRECONDITION),
  invalidGenesis: defineError(Codespace, 8, "invalid bank genesis"),
  emptyCoins: defineError(Codespace, 9, "no coins"),
  invariantBroken: defineError(Codespace, 10, "invariant broken", GrpcCode.UNKNOWN),
  tooManyCoins: defineError(Codespace, 11, "too many coins"),
  blockedAddress: defineError(Codespace, 12, "a module account's coins move only through its module", GrpcCode.PERMISSION_DENIED),
  noPermission: defineError(Codespace, 13, "module account permission missing", GrpcCode.PERMISSION_DENIED),
};
