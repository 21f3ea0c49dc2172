import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "gov";
export const GovErrors = {
  invalidProposal: defineError(Codespace, 2, "invalid proposal"),
  proposalNotFound: defineError(Codespace, 3, "proposal not found", GrpcCode.NOT_FOUND),
  proposalFinished: defineError(Codespace, 4, "proposal is no longer open for deposits", GrpcCode.FAILED_PRECONDITION),
  notVotingPeriod: defineError(Codespace, 5, "proposal is not in its voting period", GrpcCode.FAILED_PRECONDITION),
  depositTooSmall: defineError(Codespace, 6, "initial deposit too small"),
  invalidVoteOption: defineError(Codespace, 7, "invalid vote option"),
  invalidGenesis: defineError(Codespace, 8, "invalid gov genesis"),
  invariantBroken: defineError(Codespace, 9, "gov invariant broken", GrpcCode.UNKNOWN),
  invalidAmount: defineError(Codespace, 10, "invalid amount"),
  invalidInflationChange: defineError(Codespace, 11, "invalid inflation change"),
  invalidUpgrade: defineError(Codespace, 12, "invalid software upgrade"),
  /** cosmos.gov.v1's MsgVote metadata: QOS keeps none, so a vote that carries some cannot be stored as sent (D13) */
  metadataNotSupported: defineError(Codespace, 13, "vote metadata is not supported"),
};
