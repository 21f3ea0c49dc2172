import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "exchange";
export const ExchangeErrors = {
  invalidAmount: defineError(Codespace, 2, "invalid amount"),
  amountOverflow: defineError(Codespace, 3, "amount too large"),
  unknownToken: defineError(Codespace, 4, "not a QSC token", GrpcCode.NOT_FOUND),
  tokenPaused: defineError(Codespace, 5, "token is paused", GrpcCode.FAILED_PRECONDITION),
  poolNotFound: defineError(Codespace, 6, "pool not found", GrpcCode.NOT_FOUND),
  poolExists: defineError(Codespace, 7, "pool already exists", GrpcCode.FAILED_PRECONDITION),
  insufficientShares: defineError(Codespace, 8, "more shares than held", GrpcCode.FAILED_PRECONDITION),
  outputBelowMinimum: defineError(Codespace, 9, "output below the minimum (slippage)", GrpcCode.FAILED_PRECONDITION),
  inputAboveMaximum: defineError(Codespace, 10, "input above the maximum (slippage)", GrpcCode.FAILED_PRECONDITION),
  priceImpact: defineError(Codespace, 11, "price impact above the limit", GrpcCode.FAILED_PRECONDITION),
  invalidRoute: defineError(Codespace, 12, "invalid route"),
  insufficientLiquidity: defineError(Codespace, 13, "insufficient liquidity", GrpcCode.FAILED_PRECONDITION),
  sharesBelowMinimum: defineError(Codespace, 14, "shares below the minimum (slippage)", GrpcCode.FAILED_PRECONDITION),
  invalidTimeRange: defineError(Codespace, 15, "invalid time range for the average price", GrpcCode.INVALID_ARGUMENT),
  invalidGenesis: defineError(Codespace, 16, "invalid exchange genesis"),
  invariantBroken: defineError(Codespace, 17, "exchange invariant broken", GrpcCode.UNKNOWN),
};
