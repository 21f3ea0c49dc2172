// The CometBFT light-client library (framework code: imports no module). Public API:
//   verify / verifyAdjacent / verifyNonAdjacent  — accept one header against a trusted one, or throw
//   verifyBisection                              — reach a far header through intermediate ones
//   LightClientError.reason                      — which refusal (map it to a module error code)
//   headerHash / validatorSetHash / sortValidators / fromProtoValidatorSet — CometBFT's hashing
//   verifyFromTrustedState                       — verify from a stored state + its next validator set (on chain)
//   lightBlockFromRpc                            — a node's /commit + /validators JSON as a LightBlock
//   lightBlockFromProto / signedHeaderFromProto  — the same from tendermint.types messages
export { LightClientError, type LightRefusal } from "./errors.js";
export { hashFromByteSlices, leafHash, innerHash } from "./merkle.js";
export {
  fromProtoValidatorSet, headerHash, type ProtoSetShape, MaxTotalVotingPower, sortValidators, totalVotingPower, validatorAddress, validatorSetHash,
  type Validator, type ValidatorSet,
} from "./hash.js";
export {
  canonicalVoteSignBytes, commitVoteSignBytes, DefaultTrustLevel, verifyCommitLight, verifyCommitLightTrusting, verifyEd25519, type Fraction,
} from "./commit.js";
export {
  BlockProtocol, headerExpired, timeToNanos, validateSignedHeader, verify, verifyAdjacent, verifyBisection, verifyFromTrustedState, verifyNonAdjacent,
  type LightBlock, type LightBlockSource, type SignedHeader, type TrustedState, type VerifyOptions,
} from "./verifier.js";
export { lightBlockFromRpc, parseRfc3339, signedHeaderFromRpc, validatorSetFromRpc } from "./rpc.js";
export { lightBlockFromProto, signedHeaderFromProto, toProtoValidatorSet } from "./proto.js";
