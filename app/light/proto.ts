// Signed headers and validator sets as messages carry them (tendermint.types, decoded by this
// repository's codecs, where a nested message may be absent) into light blocks. Like rpc.ts: what a
// message carries is untrusted, so a missing part is "invalid_header"; whether it is TRUE is verify()'s.
import type { SignedHeader as ProtoSignedHeader } from "../../gen/tendermint/types/types.js";
import { refuse } from "./errors.js";
import type { ValidatorSet as ProtoValidatorSet } from "../../gen/tendermint/types/validator.js";
import { fromProtoValidatorSet, validatorAddress, type ProtoSetShape, type ValidatorSet } from "./hash.js";
import type { LightBlock, SignedHeader } from "./verifier.js";

const required = <T>(v: T | undefined, what: string): T => v ?? refuse("invalid_header", `${what} is missing`);

/** A tendermint.types.SignedHeader with every part a header hash and a commit check read present. */
export function signedHeaderFromProto(p: ProtoSignedHeader | undefined): SignedHeader {
  const sh = required(p, "signed_header");
  const h = required(sh.header, "signed_header.header");
  const c = required(sh.commit, "signed_header.commit");
  const blockId = required(c.blockId, "commit.block_id");
  const emptyBlockId = { hash: new Uint8Array(), partSetHeader: { total: 0, hash: new Uint8Array() } };
  return {
    header: {
      ...h,
      version: required(h.version, "header.version"),
      time: required(h.time, "header.time"),
      // absent at height 1 (CometBFT hashes it as an empty BlockID either way)
      lastBlockId: h.lastBlockId ? { hash: h.lastBlockId.hash, partSetHeader: h.lastBlockId.partSetHeader ?? emptyBlockId.partSetHeader } : emptyBlockId,
    },
    commit: {
      height: c.height,
      round: c.round,
      blockId: { hash: blockId.hash, partSetHeader: required(blockId.partSetHeader, "commit.block_id.part_set_header") },
      // an absent vote has a zero timestamp, which is also what an omitted one decodes to
      signatures: c.signatures.map((s) => ({ ...s, timestamp: s.timestamp ?? { seconds: 0n, nanos: 0 } })),
    },
  };
}

/** A light block from a message's signed header and the validator set that signed it. */
export function lightBlockFromProto(signedHeader: ProtoSignedHeader | undefined, validatorSet: ProtoSetShape | undefined): LightBlock {
  return { signedHeader: signedHeaderFromProto(signedHeader), validatorSet: fromProtoValidatorSet(required(validatorSet, "validator_set")) };
}

/** The inverse of fromProtoValidatorSet: a set as messages carry it (addresses derived from the keys,
 *  no proposer, the total power summed). */
export function toProtoValidatorSet(set: ValidatorSet): ProtoValidatorSet {
  const validators = set.validators.map((v) => ({ address: validatorAddress(v.pubKey), pubKey: { ed25519: v.pubKey }, votingPower: v.votingPower, proposerPriority: 0n }));
  return { validators, proposer: undefined, totalVotingPower: set.validators.reduce((sum, v) => sum + v.votingPower, 0n) };
}
