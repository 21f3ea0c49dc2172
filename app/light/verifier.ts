// Header verification as CometBFT's light/verifier.go and light/client.go (verifySkipping).
// `now` is always an argument: on chain it is the block time (D7), in qoscli the local clock.
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type { Commit, Header } from "cosmjs-types/tendermint/types/types";
import { DefaultTrustLevel, verifyCommitLight, verifyCommitLightTrusting, validateTrustLevel, type Fraction } from "./commit.js";
import { LightClientError, refuse } from "./errors.js";
import { headerHash, hex, validatorSetHash, type ValidatorSet } from "./hash.js";

export interface SignedHeader {
  header: Header;
  commit: Commit;
}

/** A signed header with the validator set that signed it (header.validators_hash). */
export interface LightBlock {
  signedHeader: SignedHeader;
  validatorSet: ValidatorSet;
}

export interface VerifyOptions {
  /** Nanoseconds a trusted header stays usable (well under the unbonding period). */
  trustingPeriod: bigint;
  /** Nanoseconds a new header's time may lie ahead of `now`. */
  maxClockDrift: bigint;
  /** Share of the trusted set that must sign a skipped-to header; default 1/3. */
  trustLevel?: Fraction;
}

/** CometBFT's block protocol version (version.BlockProtocol) that v0.38 headers carry. */
export const BlockProtocol = 11n;

export const timeToNanos = (t: Timestamp): bigint => t.seconds * 1_000_000_000n + BigInt(t.nanos);
const showTime = (t: Timestamp): string => new Date(Number(t.seconds) * 1000).toISOString().replace(/\.000Z$/, `.${String(t.nanos).padStart(9, "0")}Z`);

const checkHashLength = (name: string, b: Uint8Array): void => {
  if (b.length !== 0 && b.length !== 32) refuse("invalid_header", `wrong ${name}: expected size to be 32 bytes, got ${b.length} bytes`);
};

/** SignedHeader.ValidateBasic(chainID): the shape, the chain, and that the commit is for this header. */
export function validateSignedHeader(sh: SignedHeader, chainId: string): void {
  const h = sh.header;
  if (h.chainId !== chainId) refuse("wrong_chain_id", `header belongs to another chain "${h.chainId}", not "${chainId}"`);
  if (h.version.block !== BlockProtocol) refuse("invalid_header", `block protocol is incorrect: got: ${h.version.block}, want: ${BlockProtocol}`);
  if (h.height <= 0n) refuse("invalid_header", `negative or zero height ${h.height}`);
  for (const [name, b] of [["LastCommitHash", h.lastCommitHash], ["DataHash", h.dataHash], ["EvidenceHash", h.evidenceHash],
    ["NextValidatorsHash", h.nextValidatorsHash], ["ConsensusHash", h.consensusHash], ["LastResultsHash", h.lastResultsHash]] as const)
    checkHashLength(name, b);
  if (h.validatorsHash.length !== 32) refuse("invalid_header", `wrong ValidatorsHash: expected size to be 32 bytes, got ${h.validatorsHash.length} bytes`);
  if (h.proposerAddress.length !== 20) refuse("invalid_header", `invalid ProposerAddress length; got: ${h.proposerAddress.length}, expected: 20`);
  const c = sh.commit;
  if (c.height !== h.height) refuse("invalid_header", `header and commit height mismatch: ${h.height} vs ${c.height}`);
  if (c.signatures.length === 0) refuse("invalid_header", "no signatures in commit");
  const hh = headerHash(h);
  if (Buffer.compare(hh, c.blockId.hash) !== 0) refuse("invalid_header", `commit signs block ${hex(c.blockId.hash)}, header is block ${hex(hh)}`);
}

/** HeaderExpired: trusted.time + trustingPeriod <= now. */
export const headerExpired = (h: Pick<Header, "time">, trustingPeriod: bigint, now: Timestamp): boolean =>
  timeToNanos(h.time) + trustingPeriod <= timeToNanos(now);

function checkNotExpired(trusted: Pick<Header, "time">, trustingPeriod: bigint, now: Timestamp): void {
  if (headerExpired(trusted, trustingPeriod, now))
    refuse("trust_expired", `old header has expired at ${showTime(addNanos(trusted.time, trustingPeriod))} (now: ${showTime(now)})`);
}

const addNanos = (t: Timestamp, ns: bigint): Timestamp => {
  const total = timeToNanos(t) + ns;
  return { seconds: total / 1_000_000_000n, nanos: Number(total % 1_000_000_000n) };
};

/** verifyNewHeaderAndVals: basic validity, monotonic height and time, clock drift, validators hash. */
function verifyNewHeaderAndVals(untrusted: LightBlock, trusted: Pick<Header, "chainId" | "height" | "time">, now: Timestamp, maxClockDrift: bigint): void {
  const h = untrusted.signedHeader.header;
  validateSignedHeader(untrusted.signedHeader, trusted.chainId);
  if (h.height <= trusted.height) refuse("non_monotonic_height", `expected new header height ${h.height} to be greater than one of old header ${trusted.height}`);
  if (timeToNanos(h.time) <= timeToNanos(trusted.time))
    refuse("non_monotonic_time", `expected new header time ${showTime(h.time)} to be after old header time ${showTime(trusted.time)}`);
  if (timeToNanos(h.time) >= timeToNanos(now) + maxClockDrift)
    refuse("header_from_future", `new header has a time from the future ${showTime(h.time)} (now: ${showTime(now)}; max clock drift: ${maxClockDrift}ns)`);
  const vh = validatorSetHash(untrusted.validatorSet);
  if (Buffer.compare(h.validatorsHash, vh) !== 0)
    refuse("validator_set_hash", `expected new header validators (${hex(h.validatorsHash)}) to match those that were supplied (${hex(vh)}) at height ${h.height}`);
}

/** What verifying a newer header needs of a trusted one: a header, or a state an on-chain client stored. */
type TrustedHeader = Pick<Header, "chainId" | "height" | "time" | "nextValidatorsHash">;

function adjacentFrom(th: TrustedHeader, untrusted: LightBlock, trustingPeriod: bigint, now: Timestamp, maxClockDrift: bigint): void {
  const uh = untrusted.signedHeader.header;
  if (uh.height !== th.height + 1n) refuse("not_adjacent", `headers must be adjacent in height: ${th.height} then ${uh.height}`);
  checkNotExpired(th, trustingPeriod, now);
  verifyNewHeaderAndVals(untrusted, th, now, maxClockDrift);
  if (Buffer.compare(uh.validatorsHash, th.nextValidatorsHash) !== 0)
    refuse("next_validators_mismatch", `expected old header next validators (${hex(th.nextValidatorsHash)}) to match those from new header (${hex(uh.validatorsHash)})`);
  verifyCommitLight(untrusted.validatorSet, th.chainId, untrusted.signedHeader.commit.blockId, uh.height, untrusted.signedHeader.commit);
}

function nonAdjacentFrom(th: TrustedHeader, trustedVals: ValidatorSet, untrusted: LightBlock, trustingPeriod: bigint, now: Timestamp, maxClockDrift: bigint, trustLevel: Fraction): void {
  const uh = untrusted.signedHeader.header;
  if (uh.height === th.height + 1n) refuse("not_adjacent", `headers must be non adjacent in height: ${th.height} then ${uh.height}`);
  validateTrustLevel(trustLevel);
  checkNotExpired(th, trustingPeriod, now);
  verifyNewHeaderAndVals(untrusted, th, now, maxClockDrift);
  verifyCommitLightTrusting(trustedVals, th.chainId, untrusted.signedHeader.commit, trustLevel);
  verifyCommitLight(untrusted.validatorSet, th.chainId, untrusted.signedHeader.commit.blockId, uh.height, untrusted.signedHeader.commit);
}

/**
 * VerifyAdjacent: `untrusted` is at trusted height + 1; the trusted header's next_validators_hash
 * must be the new header's validators_hash, and +2/3 of that set must have signed.
 */
export function verifyAdjacent(trusted: SignedHeader, untrusted: LightBlock, trustingPeriod: bigint, now: Timestamp, maxClockDrift: bigint): void {
  adjacentFrom(trusted.header, untrusted, trustingPeriod, now, maxClockDrift);
}

/**
 * VerifyNonAdjacent: more than `trustLevel` of the TRUSTED set and +2/3 of the new header's own
 * set signed it. A refusal for too little trusted power is "insufficient_trust" (bisect then).
 */
export function verifyNonAdjacent(trusted: LightBlock, untrusted: LightBlock, trustingPeriod: bigint, now: Timestamp, maxClockDrift: bigint, trustLevel: Fraction = DefaultTrustLevel): void {
  nonAdjacentFrom(trusted.signedHeader.header, trusted.validatorSet, untrusted, trustingPeriod, now, maxClockDrift, trustLevel);
}

/** What an on-chain client keeps of a verified header (IBC's consensus state), enough to verify newer ones. */
export interface TrustedState {
  chainId: string;
  height: bigint;
  time: Timestamp;
  /** the set that signs height + 1 */
  nextValidatorsHash: Uint8Array;
}

/**
 * Verify from a stored state instead of a whole trusted header (IBC 07-tendermint's rule): the caller
 * supplies the trusted state's next validator set, which must hash to its next_validators_hash
 * ("trusted_validators_hash"). Adjacent (height + 1): that set is the header's own and +2/3 of it signed.
 * Skipping: more than `trustLevel` of that set and +2/3 of the header's own set signed. Every other
 * refusal is the one verify() gives for the same header.
 */
export function verifyFromTrustedState(trusted: TrustedState, trustedNextVals: ValidatorSet, untrusted: LightBlock, opts: VerifyOptions, now: Timestamp): void {
  const nh = validatorSetHash(trustedNextVals);
  if (Buffer.compare(nh, trusted.nextValidatorsHash) !== 0)
    refuse("trusted_validators_hash", `trusted validators (${hex(nh)}) do not match the next validators (${hex(trusted.nextValidatorsHash)}) of the trusted state at height ${trusted.height}`);
  if (untrusted.signedHeader.header.height === trusted.height + 1n) adjacentFrom(trusted, untrusted, opts.trustingPeriod, now, opts.maxClockDrift);
  else nonAdjacentFrom(trusted, trustedNextVals, untrusted, opts.trustingPeriod, now, opts.maxClockDrift, opts.trustLevel ?? DefaultTrustLevel);
}

/** Verify: adjacent or non-adjacent, by height. Throws LightClientError on any refusal. */
export function verify(trusted: LightBlock, untrusted: LightBlock, opts: VerifyOptions, now: Timestamp): void {
  if (untrusted.signedHeader.header.height === trusted.signedHeader.header.height + 1n)
    verifyAdjacent(trusted.signedHeader, untrusted, opts.trustingPeriod, now, opts.maxClockDrift);
  else verifyNonAdjacent(trusted, untrusted, opts.trustingPeriod, now, opts.maxClockDrift, opts.trustLevel ?? DefaultTrustLevel);
}

/** Where bisection gets intermediate light blocks (an RPC node for qoscli, a relayer's cache...). */
export type LightBlockSource = (height: bigint) => LightBlock | Promise<LightBlock>;

/**
 * verifySkipping (light/client.go): try to jump from `trusted` straight to `target`; whenever the
 * trusted set's overlap is too small, fetch the block halfway and try that first. Returns the trace
 * of verified blocks from `trusted` to `target` (each verifiable from the previous one, which is what
 * a relayer submits to the on-chain client one by one). Any other refusal ends it, naming the step.
 */
export async function verifyBisection(trusted: LightBlock, target: LightBlock, source: LightBlockSource, opts: VerifyOptions, now: Timestamp): Promise<LightBlock[]> {
  const cache: LightBlock[] = [target];
  let depth = 0;
  let verified = trusted;
  const trace: LightBlock[] = [trusted];
  for (;;) {
    try {
      verify(verified, cache[depth], opts, now);
    } catch (e) {
      if (!(e instanceof LightClientError)) throw e;
      if (e.reason !== "insufficient_trust") {
        throw new LightClientError(e.reason, `verification from height ${verified.signedHeader.header.height} to ${cache[depth].signedHeader.header.height} failed: ${e.message}`);
      }
      if (depth === cache.length - 1) {
        const from = verified.signedHeader.header.height;
        const pivot = from + (cache[depth].signedHeader.header.height - from) / 2n; // verifySkippingNumerator/Denominator = 1/2
        const block = await source(pivot);
        if (block.signedHeader.header.height !== pivot) refuse("invalid_header", `source returned height ${block.signedHeader.header.height} for ${pivot}`);
        cache.push(block);
      }
      depth++;
      continue;
    }
    if (depth === 0) {
      trace.push(target);
      return trace;
    }
    verified = cache[depth];
    cache.length = depth;
    depth = 0;
    trace.push(verified);
  }
}
