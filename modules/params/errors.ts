import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "params";
export const ParamsErrors = {
  unknownModule: defineError(Codespace, 2, "no parameters registered for this module", GrpcCode.NOT_FOUND),
  unknownKey: defineError(Codespace, 3, "the module has no such parameter"),
  invalidValue: defineError(Codespace, 4, "invalid parameter value"),
  noChanges: defineError(Codespace, 5, "no parameter changes"),
};
