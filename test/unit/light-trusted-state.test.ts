// app/light verifyFromTrustedState (what an on-chain client verifies from: a stored state and the set
// its next_validators_hash names) and the tendermint.types message conversion: the same acceptances and
// the same refusals, with the same messages, as verify() from the whole trusted header.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  LightClientError, signedHeaderFromProto, lightBlockFromProto, validatorSetHash, verify, verifyFromTrustedState, type LightBlock, type TrustedState, type VerifyOptions,
} from "../../app/light/index.js";
import { assertRefused, at, key, makeBlock, makeChain, refusal, setOf, T0, type Member } from "../helpers/light-chain.js";

const S = 1_000_000_000n;
const opts: VerifyOptions = { trustingPeriod: 1000n * S, maxClockDrift: 10n * S };
const now = at(T0 + 500n);
const A: Member[] = ["a0", "a1", "a2", "a3"].map((n) => ({ key: key(n), power: 10n }));
const B: Member[] = ["b0", "b1", "b2", "b3"].map((n) => ({ key: key(n), power: 10n }));
/** A at 1..4, B from 5: 4 names B as next */
const chain = makeChain(8, (h) => (h >= 5n ? B : A));
const blk = (h: bigint): LightBlock => chain.get(h)!;

const stateOf = (b: LightBlock): TrustedState => {
  const h = b.signedHeader.header;
  return { chainId: h.chainId, height: h.height, time: h.time, nextValidatorsHash: h.nextValidatorsHash };
};
/** the trusted block's next set, as an on-chain client gets it from the submitter */
const nextSet = (b: LightBlock) => blk(b.signedHeader.header.height + 1n).validatorSet;

test("verifyFromTrustedState: adjacent and skipping headers accepted, as verify() accepts them", () => {
  for (const [from, to] of [[1n, 2n], [1n, 4n], [4n, 5n], [5n, 8n]] as const) {
    verify(blk(from), blk(to), opts, now);
    verifyFromTrustedState(stateOf(blk(from)), nextSet(blk(from)), blk(to), opts, now);
  }
});

test("verifyFromTrustedState: the supplied trusted set must be the state's next validators", () => {
  const wrong = setOf(B);
  assertRefused(() => verifyFromTrustedState(stateOf(blk(1n)), wrong, blk(2n), opts, now), "trusted_validators_hash",
    `trusted validators (${Buffer.from(validatorSetHash(wrong)).toString("hex").toUpperCase()}) do not match the next validators (${Buffer.from(blk(1n).signedHeader.header.nextValidatorsHash).toString("hex").toUpperCase()}) of the trusted state at height 1`);
});

test("verifyFromTrustedState: every other refusal is verify()'s, with the same reason and message", () => {
  const strangers: Member[] = ["s0", "s1", "s2", "s3"].map((n) => ({ key: key(n), power: 10n }));
  const forged = makeBlock({ height: 3n, members: A, nextMembers: A });
  forged.signedHeader.commit.signatures[1].signature[0] ^= 1;
  const cases: Array<[bigint, LightBlock, string]> = [
    [1n, makeBlock({ height: 2n, members: A, nextMembers: A, chainId: "other" }), "wrong_chain_id"],
    [1n, makeBlock({ height: 2n, members: A, nextMembers: A, vote: (pk) => (pk === Buffer.from(A[0].key.pubKey).toString("hex") ? "commit" : "absent") }), "insufficient_voting_power"],
    [1n, makeBlock({ height: 3n, members: strangers, nextMembers: strangers }), "insufficient_trust"],
    [1n, forged, "forged_signature"],
    [1n, makeBlock({ height: 2n, members: strangers, nextMembers: A }), "next_validators_mismatch"],
    [3n, blk(2n), "non_monotonic_height"],
    [2n, makeBlock({ height: 3n, members: A, nextMembers: A, time: at(T0 + 20n) }), "non_monotonic_time"],
    [2n, makeBlock({ height: 3n, members: A, nextMembers: A, time: at(T0 + 510n) }), "header_from_future"],
    [1n, { ...blk(2n), validatorSet: setOf(B) }, "validator_set_hash"],
  ];
  for (const [from, untrusted, reason] of cases) {
    const expected = refusal(() => verify(blk(from), untrusted, opts, now));
    assert.equal(expected.reason, reason);
    assertRefused(() => verifyFromTrustedState(stateOf(blk(from)), nextSet(blk(from)), untrusted, opts, now), expected.reason, expected.message);
  }
  const later = at(T0 + 10n + 1000n);
  const expired = refusal(() => verify(blk(1n), blk(2n), opts, later));
  assert.equal(expired.reason, "trust_expired");
  assertRefused(() => verifyFromTrustedState(stateOf(blk(1n)), nextSet(blk(1n)), blk(2n), opts, later), "trust_expired", expired.message);
});

test("signedHeaderFromProto / lightBlockFromProto: a decoded message verifies like the original; missing parts are invalid_header", () => {
  const b = blk(2n);
  const proto = { header: b.signedHeader.header, commit: b.signedHeader.commit };
  const back = lightBlockFromProto(proto, { validators: b.validatorSet.validators.map((x) => ({ address: new Uint8Array(), pubKey: { ed25519: x.pubKey }, votingPower: x.votingPower })) });
  assert.deepEqual(back, b);
  verify(blk(1n), back, opts, now);
  assertRefused(() => signedHeaderFromProto(undefined), "invalid_header", "signed_header is missing");
  assertRefused(() => signedHeaderFromProto({ header: undefined, commit: proto.commit }), "invalid_header", "signed_header.header is missing");
  assertRefused(() => signedHeaderFromProto({ header: { ...proto.header, time: undefined }, commit: proto.commit }), "invalid_header", "header.time is missing");
  assertRefused(() => signedHeaderFromProto({ header: proto.header, commit: { ...proto.commit, blockId: undefined } }), "invalid_header", "commit.block_id is missing");
  assertRefused(() => lightBlockFromProto(proto, undefined), "invalid_header", "validator_set is missing");
  assert.ok(refusal(() => lightBlockFromProto(proto, { validators: [{ address: new Uint8Array(), pubKey: undefined, votingPower: 1n }] })) instanceof LightClientError);
});
