import { defineError, GrpcCode } from "../../app/errors.js";

export const Codespace = "stake";
export const StakeErrors = {
  validatorExists: defineError(Codespace, 2, "the owner already has a validator", GrpcCode.FAILED_PRECONDITION),
  consensusKeyInUse: defineError(Codespace, 3, "consensus key already used by a validator", GrpcCode.FAILED_PRECONDITION),
  validatorNotFound: defineError(Codespace, 4, "validator not found", GrpcCode.NOT_FOUND),
  notActive: defineError(Codespace, 5, "validator is not active", GrpcCode.FAILED_PRECONDITION),
  notInactive: defineError(Codespace, 6, "validator is not inactive", GrpcCode.FAILED_PRECONDITION),
  delegationNotFound: defineError(Codespace, 7, "delegation not found", GrpcCode.NOT_FOUND),
  insufficientDelegation: defineError(Codespace, 8, "delegation is smaller than the amount", GrpcCode.FAILED_PRECONDITION),
  invalidCommission: defineError(Codespace, 9, "invalid commission"),
  commissionChangeTooSoon: defineError(Codespace, 10, "commission changed less than 24 hours ago", GrpcCode.FAILED_PRECONDITION),
  selfBondTooSmall: defineError(Codespace, 11, "self-bond below the minimum"),
  invalidDescription: defineError(Codespace, 12, "invalid description"),
  invalidConsensusKey: defineError(Codespace, 13, "invalid consensus public key"),
  sameValidator: defineError(Codespace, 14, "redelegation to the same validator"),
  invalidGenesis: defineError(Codespace, 15, "invalid stake genesis"),
  invariantBroken: defineError(Codespace, 16, "stake invariant broken", GrpcCode.UNKNOWN),
  invalidAmount: defineError(Codespace, 17, "invalid amount"),
  /** the key of a CometBFT genesis validator outside staking, or of a former (closed) validator: claiming it
   *  would let a revoke send power 0 for it and remove the real validator from the consensus set */
  consensusKeyReserved: defineError(Codespace, 18, "consensus key belongs to a genesis validator or to a former validator", GrpcCode.FAILED_PRECONDITION),
  /** stake redelegated into a validator answers for its source until the redelegation completes: moving it on
   *  again would carry it out of reach of the source's evidence (as in the Cosmos SDK) */
  transitiveRedelegation: defineError(Codespace, 19, "stake redelegated to this validator cannot be redelegated again before the redelegation completes", GrpcCode.FAILED_PRECONDITION),
  /** a cosmos.staking alias names a validator by its operator address (qosval…); any other form has no
   *  validator to map to (D13) */
  notOperatorAddress: defineError(Codespace, 20, "a cosmos.staking message must name the validator by its qosval operator address"),
  /** a cosmos.staking alias carries a Coin: only uqos is staked */
  notStakeDenom: defineError(Codespace, 21, "only uqos is staked"),
  /** CometBFT halts when its validator set would have no power left: the last active power cannot leave
   *  (revoke, unbond or redelegate away) while no other validator, staked or a genesis one, holds power */
  lastConsensusPower: defineError(Codespace, 22, "the change would leave the consensus set without voting power", GrpcCode.FAILED_PRECONDITION),
};
