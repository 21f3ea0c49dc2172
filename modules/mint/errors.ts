import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "mint";
export const MintErrors = {
  invalidPhases: defineError(Codespace, 2, "invalid inflation phases"),
  invalidPhaseChange: defineError(Codespace, 3, "invalid inflation phase change", GrpcCode.FAILED_PRECONDITION),
  invalidParams: defineError(Codespace, 4, "invalid mint params"),
  invalidGenesis: defineError(Codespace, 5, "invalid mint genesis"),
  noSupplyReader: defineError(Codespace, 6, "total_supply_cap is set but the mint module cannot read the supply", GrpcCode.UNKNOWN),
  invariantBroken: defineError(Codespace, 7, "mint invariant broken", GrpcCode.UNKNOWN),
};
