// auth uses the root codespace's account errors (sdk 9 unknown address, 8 invalid pubkey, 32 sequence);
// its own codespace holds what is specific to it.
import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "auth";
export const AuthErrors = {
  accountNotFound: defineError(Codespace, 2, "account not found", GrpcCode.NOT_FOUND),
  pubKeyMismatch: defineError(Codespace, 3, "public key does not match the account address"),
  invalidGenesis: defineError(Codespace, 4, "invalid auth genesis"),
};
