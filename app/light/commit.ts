// Commit signatures as CometBFT checks them for light clients (types/validation.go
// VerifyCommitLight / VerifyCommitLightTrusting) over the canonical vote sign bytes (types/canonical.go).
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { BinaryWriter } from "cosmjs-types/binary";
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type { BlockID, Commit } from "cosmjs-types/tendermint/types/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { refuse } from "./errors.js";
import { hex, totalVotingPower, validatorAddress, type ValidatorSet } from "./hash.js";

/** SignedMsgType PRECOMMIT: commits are made of precommits. */
const Precommit = 2;

const isZeroBlockId = (b: BlockID): boolean =>
  b.hash.length === 0 && b.partSetHeader.total === 0 && b.partSetHeader.hash.length === 0;

/**
 * The bytes a validator signed for its precommit at `blockId` (VoteSignBytes): the length-delimited
 * CanonicalVote{type, height sfixed64, round sfixed64, block_id (absent for a nil vote), timestamp, chain_id}.
 */
export function canonicalVoteSignBytes(chainId: string, height: bigint, round: number, blockId: BlockID, timestamp: Timestamp): Uint8Array {
  const w = new BinaryWriter();
  w.uint32(8).int32(Precommit);
  if (height !== 0n) w.uint32(17).sfixed64(height);
  if (round !== 0) w.uint32(25).sfixed64(BigInt(round));
  if (!isZeroBlockId(blockId)) {
    w.uint32(34).fork();
    if (blockId.hash.length > 0) w.uint32(10).bytes(blockId.hash);
    // CanonicalPartSetHeader is non-nullable: always present
    w.uint32(18).fork();
    if (blockId.partSetHeader.total !== 0) w.uint32(8).uint32(blockId.partSetHeader.total);
    if (blockId.partSetHeader.hash.length > 0) w.uint32(18).bytes(blockId.partSetHeader.hash);
    w.ldelim();
    w.ldelim();
  }
  // the timestamp is non-nullable stdtime: always written, even when zero
  Timestamp.encode(timestamp, w.uint32(42).fork()).ldelim();
  if (chainId !== "") w.uint32(50).string(chainId);
  const body = w.finish();
  return new BinaryWriter().bytes(body).finish();
}

/** Sign bytes of signature `idx` of a commit (Commit.VoteSignBytes): a nil vote signs no block id. */
export function commitVoteSignBytes(chainId: string, commit: Commit, idx: number): Uint8Array {
  const sig = commit.signatures[idx];
  const blockId = sig.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT ? commit.blockId : { hash: new Uint8Array(), partSetHeader: { total: 0, hash: new Uint8Array() } };
  return canonicalVoteSignBytes(chainId, commit.height, commit.round, blockId, sig.timestamp ?? { seconds: 0n, nanos: 0 });
}

const SpkiEd25519Prefix = Buffer.from("302a300506032b6570032100", "hex");

/** ed25519 verification of a raw 32-byte key (node:crypto; false for any malformed key or signature). */
export function verifyEd25519(pubKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (pubKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([SpkiEd25519Prefix, pubKey]), format: "der", type: "spki" });
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** A fraction of voting power, e.g. the trust level 1/3. */
export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

export const DefaultTrustLevel: Fraction = { numerator: 1n, denominator: 3n };

/** light.ValidateTrustLevel: within [1/3, 1], denominator non-zero. */
export function validateTrustLevel(l: Fraction): void {
  if (l.denominator <= 0n || l.numerator < 0n || l.numerator * 3n < l.denominator || l.numerator > l.denominator)
    refuse("invalid_trust_level", `trust level must be within [1/3, 1], given ${l.numerator}/${l.denominator}`);
}

function checkSigBasic(commit: Commit, idx: number): void {
  const s = commit.signatures[idx];
  if (s.validatorAddress.length !== 20) refuse("invalid_header", `commit signature #${idx}: validator address must be 20 bytes`);
  if (s.signature.length === 0 || s.signature.length > 64) refuse("invalid_header", `commit signature #${idx}: signature must be 1-64 bytes`);
}

/**
 * VerifyCommitLight: +2/3 of `vals` (the header's own set, matched by index) signed `blockId` at
 * `height`. Only BLOCK_ID_FLAG_COMMIT signatures are checked and counted (absent and nil votes are
 * skipped, as CometBFT does); it stops once more than 2/3 is tallied.
 */
export function verifyCommitLight(vals: ValidatorSet, chainId: string, blockId: BlockID, height: bigint, commit: Commit): void {
  if (vals.validators.length !== commit.signatures.length)
    refuse("invalid_header", `invalid commit -- wrong set size: ${vals.validators.length} vs ${commit.signatures.length}`);
  if (commit.height !== height) refuse("invalid_header", `invalid commit -- wrong height: ${height} vs ${commit.height}`);
  if (Buffer.compare(commit.blockId.hash, blockId.hash) !== 0 || commit.blockId.partSetHeader.total !== blockId.partSetHeader.total ||
    Buffer.compare(commit.blockId.partSetHeader.hash, blockId.partSetHeader.hash) !== 0)
    refuse("invalid_header", `invalid commit -- wrong block ID: want ${hex(blockId.hash)}, got ${hex(commit.blockId.hash)}`);
  const needed = (totalVotingPower(vals) * 2n) / 3n;
  let tallied = 0n;
  for (let idx = 0; idx < commit.signatures.length; idx++) {
    const s = commit.signatures[idx];
    if (s.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_COMMIT) continue;
    checkSigBasic(commit, idx);
    const val = vals.validators[idx];
    if (Buffer.compare(validatorAddress(val.pubKey), s.validatorAddress) !== 0)
      refuse("invalid_header", `commit signature #${idx}: address ${hex(s.validatorAddress)} is not validator #${idx}`);
    if (!verifyEd25519(val.pubKey, commitVoteSignBytes(chainId, commit, idx), s.signature))
      refuse("forged_signature", `wrong signature (#${idx}): ${hex(s.signature)}`);
    tallied += val.votingPower;
    if (tallied > needed) return;
  }
  refuse("insufficient_voting_power", `invalid commit -- insufficient voting power: got ${tallied}, needed more than ${needed}`);
}

/**
 * VerifyCommitLightTrusting: more than `trustLevel` of `vals` (a TRUSTED set, matched by address,
 * since the commit is of another set) signed. Double signatures by one validator are refused.
 */
export function verifyCommitLightTrusting(vals: ValidatorSet, chainId: string, commit: Commit, trustLevel: Fraction): void {
  validateTrustLevel(trustLevel);
  const needed = (totalVotingPower(vals) * trustLevel.numerator) / trustLevel.denominator;
  const byAddress = new Map<string, number>();
  vals.validators.forEach((v, i) => byAddress.set(hex(validatorAddress(v.pubKey)), i));
  const seen = new Set<number>();
  let tallied = 0n;
  for (let idx = 0; idx < commit.signatures.length; idx++) {
    const s = commit.signatures[idx];
    if (s.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_COMMIT) continue;
    checkSigBasic(commit, idx);
    const valIdx = byAddress.get(hex(s.validatorAddress));
    if (valIdx === undefined) continue;
    if (seen.has(valIdx)) refuse("invalid_header", `double vote from ${hex(s.validatorAddress)} (#${idx})`);
    seen.add(valIdx);
    const val = vals.validators[valIdx];
    if (!verifyEd25519(val.pubKey, commitVoteSignBytes(chainId, commit, idx), s.signature))
      refuse("forged_signature", `wrong signature (#${idx}): ${hex(s.signature)}`);
    tallied += val.votingPower;
    if (tallied > needed) return;
  }
  refuse("insufficient_trust", `invalid commit -- insufficient old voting power: got ${tallied}, needed more than ${needed}`);
}
