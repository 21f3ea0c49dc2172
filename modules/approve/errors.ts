import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "approve";
export const ApproveErrors = {
  exists: defineError(Codespace, 2, "allowance already exists: increase or decrease it", GrpcCode.FAILED_PRECONDITION),
  notFound: defineError(Codespace, 3, "no allowance", GrpcCode.NOT_FOUND),
  exceeded: defineError(Codespace, 4, "amount exceeds the allowance", GrpcCode.FAILED_PRECONDITION),
  selfApprove: defineError(Codespace, 5, "from and to are the same account"),
  unknownDenom: defineError(Codespace, 6, "denom is neither uqos nor a registered QSC token"),
  invalidGenesis: defineError(Codespace, 7, "invalid approve genesis"),
  emptyCoins: defineError(Codespace, 8, "no coins"),
  overflow: defineError(Codespace, 9, "allowance would exceed 2^256-1", GrpcCode.FAILED_PRECONDITION),
};
