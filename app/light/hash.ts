// The header hash and validator-set hash exactly as CometBFT computes them (types/block.go
// Header.Hash, types/validator_set.go ValidatorSet.Hash): a light client accepts a header only if
// these recomputed hashes match what the validators signed.
import { createHash } from "node:crypto";
import { BinaryWriter } from "cosmjs-types/binary";
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { BlockID, type Header } from "cosmjs-types/tendermint/types/types";
import { SimpleValidator } from "cosmjs-types/tendermint/types/validator";
import { Consensus } from "cosmjs-types/tendermint/version/types";
import { hashFromByteSlices } from "./merkle.js";
import { refuse } from "./errors.js";

/** An ed25519 validator: the only key type CometBFT's default validators use. */
export interface Validator {
  /** 32-byte raw ed25519 public key. */
  pubKey: Uint8Array;
  votingPower: bigint;
}

/** A validator set in CometBFT's order (commit signatures are indexed by this order). */
export interface ValidatorSet {
  validators: readonly Validator[];
}

/** CometBFT caps the total so proposer priorities cannot overflow (types.MaxTotalVotingPower). */
export const MaxTotalVotingPower = ((1n << 63n) - 1n) / 8n;

export const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();

/** crypto/ed25519 Address: the first 20 bytes of sha256(pubkey). */
export const validatorAddress = (pubKey: Uint8Array): Uint8Array =>
  new Uint8Array(createHash("sha256").update(pubKey).digest().subarray(0, 20));

/** Sum of voting powers; refuses a set over MaxTotalVotingPower as CometBFT's updateTotalVotingPower panics. */
export function totalVotingPower(vals: ValidatorSet): bigint {
  let sum = 0n;
  for (const v of vals.validators) {
    sum += v.votingPower;
    if (sum > MaxTotalVotingPower) refuse("invalid_header", `total voting power ${sum} exceeds the maximum ${MaxTotalVotingPower}`);
  }
  return sum;
}

const compareBytes = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(a, b);

/**
 * CometBFT's validator order (ValidatorsByVotingPower): voting power descending, then address ascending.
 * Returns a new set; the proposer does not influence the order or the hash.
 */
export function sortValidators(vals: readonly Validator[]): ValidatorSet {
  const keyed = vals.map((v) => ({ v, addr: validatorAddress(v.pubKey) }));
  keyed.sort((x, y) => (x.v.votingPower !== y.v.votingPower ? (x.v.votingPower > y.v.votingPower ? -1 : 1) : compareBytes(x.addr, y.addr)));
  return { validators: keyed.map((k) => k.v) };
}

/** ValidatorSet.Hash: merkle of SimpleValidator{pub_key, voting_power} encodings, in set order. */
export function validatorSetHash(vals: ValidatorSet): Uint8Array {
  return hashFromByteSlices(
    vals.validators.map((v) => SimpleValidator.encode({ pubKey: { ed25519: v.pubKey }, votingPower: v.votingPower }).finish()),
  );
}

/** The fields of a tendermint.types.ValidatorSet this library reads (cosmjs-types' or this repository's
 *  generated codec, whose nested messages may be undefined after decoding). */
export interface ProtoSetShape {
  validators: ReadonlyArray<{ address: Uint8Array; pubKey?: { ed25519?: Uint8Array } | undefined; votingPower: bigint }>;
}

/**
 * A tendermint.types.ValidatorSet (as carried in messages or returned by RPC) in this library's form,
 * keeping its order; refuses non-ed25519 keys, addresses that do not match their key, and non-positive powers.
 */
export function fromProtoValidatorSet(p: ProtoSetShape): ValidatorSet {
  return {
    validators: p.validators.map((v, i) => {
      const pk = v.pubKey?.ed25519;
      if (!pk || pk.length !== 32) return refuse("invalid_header", `validator #${i} has no 32-byte ed25519 key`);
      if (v.votingPower <= 0n) return refuse("invalid_header", `validator #${i} has non-positive voting power ${v.votingPower}`);
      if (v.address.length > 0 && compareBytes(v.address, validatorAddress(pk)) !== 0)
        return refuse("invalid_header", `validator #${i} address ${hex(v.address)} does not match its key`);
      return { pubKey: pk, votingPower: v.votingPower };
    }),
  };
}

// cdcEncode (types/encoding_helper.go): gogoproto wrapper messages with field 1; proto3 omits defaults.
const wrapString = (s: string): Uint8Array => (s === "" ? new Uint8Array() : new BinaryWriter().uint32(10).string(s).finish());
const wrapInt64 = (n: bigint): Uint8Array => (n === 0n ? new Uint8Array() : new BinaryWriter().uint32(8).int64(n).finish());
const wrapBytes = (b: Uint8Array): Uint8Array => (b.length === 0 ? new Uint8Array() : new BinaryWriter().uint32(10).bytes(b).finish());

/** Header.Hash: merkle of the 14 field encodings in order. */
export function headerHash(h: Header): Uint8Array {
  const lastBlockId = {
    hash: h.lastBlockId?.hash ?? new Uint8Array(),
    // gogoproto writes the non-nullable part_set_header even when empty (0x12 0x00)
    partSetHeader: h.lastBlockId?.partSetHeader ?? { total: 0, hash: new Uint8Array() },
  };
  return hashFromByteSlices([
    Consensus.encode(h.version ?? { block: 0n, app: 0n }).finish(),
    wrapString(h.chainId),
    wrapInt64(h.height),
    Timestamp.encode(h.time ?? { seconds: 0n, nanos: 0 }).finish(),
    BlockID.encode(lastBlockId).finish(),
    wrapBytes(h.lastCommitHash),
    wrapBytes(h.dataHash),
    wrapBytes(h.validatorsHash),
    wrapBytes(h.nextValidatorsHash),
    wrapBytes(h.consensusHash),
    wrapBytes(h.appHash),
    wrapBytes(h.lastResultsHash),
    wrapBytes(h.evidenceHash),
    wrapBytes(h.proposerAddress),
  ]);
}

