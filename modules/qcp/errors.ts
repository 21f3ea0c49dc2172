import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "qcp";
/** The relayer depends on these numbers: 3 and 4 mean "already delivered" and "not next yet". */
export const QcpErrors = {
  invalidEntry: defineError(Codespace, 2, "invalid outbox entry"),
  alreadyDelivered: defineError(Codespace, 3, "sequence already delivered", GrpcCode.FAILED_PRECONDITION),
  sequenceGap: defineError(Codespace, 4, "sequence is not the next one", GrpcCode.FAILED_PRECONDITION),
  unknownChain: defineError(Codespace, 5, "chain not registered for QCP", GrpcCode.NOT_FOUND),
  /** retired (issue 12: delivery is permissionless); the number stays taken */
  unauthorizedRelayer: defineError(Codespace, 6, "relayer not registered for this source chain", GrpcCode.PERMISSION_DENIED),
  invalidProof: defineError(Codespace, 7, "proof does not prove the entry under the client-verified app hash"),
  /** retired (issue 12: app hashes come from the light client, none is stated); the number stays taken */
  appHashConflict: defineError(Codespace, 8, "a different app hash was already recorded for this source height", GrpcCode.FAILED_PRECONDITION),
  wrongDestination: defineError(Codespace, 9, "entry is for another chain"),
  invalidCertificate: defineError(Codespace, 10, "invalid certificate"),
  certificateNotValidNow: defineError(Codespace, 11, "certificate not valid at this block time", GrpcCode.FAILED_PRECONDITION),
  noRootCa: defineError(Codespace, 12, "no QCP root CA in genesis", GrpcCode.FAILED_PRECONDITION),
  relayerExists: defineError(Codespace, 13, "relayer already registered for this chain", GrpcCode.FAILED_PRECONDITION),
  invalidField: defineError(Codespace, 14, "invalid field"),
  notFound: defineError(Codespace, 15, "not found", GrpcCode.NOT_FOUND),
  unknownPayload: defineError(Codespace, 16, "unknown payload type"),
  nativeDenom: defineError(Codespace, 17, "denom is native here: no voucher can be minted for it", GrpcCode.FAILED_PRECONDITION),
  escrowShort: defineError(Codespace, 18, "escrow holds less than the returning amount", GrpcCode.FAILED_PRECONDITION),
  unauthorizedMsg: defineError(Codespace, 19, "an executed message must be signed by the sender's interchain account only", GrpcCode.PERMISSION_DENIED),
  invalidGenesis: defineError(Codespace, 20, "invalid qcp genesis"),
  invariantBroken: defineError(Codespace, 21, "qcp invariant broken", GrpcCode.UNKNOWN),
  // the light client (issue 12). 22-39: the client itself; 40-44: deliveries; 45-49: voucher routes
  clientNotFound: defineError(Codespace, 22, "counterpart chain has no light client", GrpcCode.NOT_FOUND),
  clientFrozen: defineError(Codespace, 23, "light client is frozen by misbehaviour", GrpcCode.FAILED_PRECONDITION),
  clientExpired: defineError(Codespace, 24, "light client expired: not updated within its trusting period", GrpcCode.FAILED_PRECONDITION),
  consensusStateNotFound: defineError(Codespace, 25, "light client has no consensus state at this height", GrpcCode.NOT_FOUND),
  clientExists: defineError(Codespace, 26, "counterpart chain already has a light client (governance replaces it)", GrpcCode.FAILED_PRECONDITION),
  // one code per refusal of the light-client library (app/light LightClientError.reason)
  invalidHeader: defineError(Codespace, 27, "invalid counterpart header"),
  headerWrongChain: defineError(Codespace, 28, "header is of another chain"),
  headerNonMonotonicHeight: defineError(Codespace, 29, "header height is not above the trusted height"),
  headerNonMonotonicTime: defineError(Codespace, 30, "header time is not after the trusted time"),
  headerFromFuture: defineError(Codespace, 31, "header time is beyond block time plus clock drift"),
  trustExpired: defineError(Codespace, 32, "trusted consensus state or header is outside the trusting period", GrpcCode.FAILED_PRECONDITION),
  validatorSetMismatch: defineError(Codespace, 33, "validator set does not hash to the header's validators_hash"),
  nextValidatorsMismatch: defineError(Codespace, 34, "adjacent header's validators are not the trusted next validators"),
  trustedValidatorsMismatch: defineError(Codespace, 35, "trusted validators do not hash to the consensus state's next_validators_hash"),
  forgedSignature: defineError(Codespace, 36, "a commit signature does not verify"),
  insufficientVotingPower: defineError(Codespace, 37, "header not signed by +2/3 of its validator set"),
  insufficientTrust: defineError(Codespace, 38, "header not signed by the trust level of the trusted validator set"),
  notMisbehaviour: defineError(Codespace, 39, "the two headers do not prove misbehaviour"),
  // deliveries (40-44)
  // governance recovery from a substitute client (50-54); a substitute that is frozen or expired is
  // refused with the client codes 23 and 24, as a client is
  substituteNotFound: defineError(Codespace, 50, "no substitute client with this id", GrpcCode.NOT_FOUND),
  substituteLimit: defineError(Codespace, 51, "the chain has as many active substitute clients as client_max_substitutes allows", GrpcCode.RESOURCE_EXHAUSTED),
  substituteWrongChain: defineError(Codespace, 52, "the substitute client is of another chain"),
  substituteNotNewer: defineError(Codespace, 53, "the substitute's latest height is not above the client's latest height", GrpcCode.FAILED_PRECONDITION),
  clientActive: defineError(Codespace, 54, "the client is active: only a frozen or expired client is recovered from a substitute", GrpcCode.FAILED_PRECONDITION),
  entryNotProvable: defineError(Codespace, 40, "entry was not written before the proof height: header proof_height carries the state after block proof_height - 1", GrpcCode.FAILED_PRECONDITION),
};
