// The light-client library against headers, commits and validator sets recorded from real CometBFT
// v0.38 networks (test/fixtures/light/, see its README): the recomputed hashes must equal what the
// validators signed, and the recorded chain must verify adjacently, by skipping and by bisection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { assertRefused, refusal } from "../helpers/light-chain.js";
import {
  headerHash, lightBlockFromRpc, parseRfc3339, timeToNanos, validatorSetHash, verify, verifyBisection,
  type LightBlock, type VerifyOptions,
} from "../../app/light/index.js";

interface Fixture {
  chain_id: string;
  heights: { height: string; commit: unknown; validators: { validators: unknown } }[];
}
const load = (name: string): Map<bigint, LightBlock> => {
  const f: Fixture = JSON.parse(readFileSync(join(repoRoot, "test/fixtures/light", name), "utf8"));
  return new Map(f.heights.map((r) => [BigInt(r.height), lightBlockFromRpc(r.commit, r.validators.validators)]));
};
const main = load("qos-light-1.json");
const other = load("qos-light-other-1.json");
const absent = load("qos-light-absent-1.json");
const at = (h: bigint): LightBlock => main.get(h)!;
const hexU = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();

const S = 1_000_000_000n;
const opts: VerifyOptions = { trustingPeriod: 3600n * S, maxClockDrift: 10n * S };
const t29 = at(29n).signedHeader.header.time;
const now = { seconds: t29.seconds + 60n, nanos: 0 };


test("recorded: every header hashes to its commit's block id, every set to validators_hash and the previous next_validators_hash", () => {
  for (const chain of [main, other, absent]) {
    for (const [h, b] of chain) {
      const { header, commit } = b.signedHeader;
      assert.equal(hexU(headerHash(header)), hexU(commit.blockId.hash), `header ${h}`);
      assert.equal(hexU(validatorSetHash(b.validatorSet)), hexU(header.validatorsHash), `validators ${h}`);
      const next = chain.get(h + 1n);
      if (next) {
        assert.equal(hexU(header.nextValidatorsHash), hexU(validatorSetHash(next.validatorSet)), `next validators ${h}`);
        assert.equal(hexU(next.signedHeader.header.lastBlockId.hash), hexU(commit.blockId.hash), `last block id ${h + 1n}`);
      }
    }
  }
  assert.equal(main.size, 29);
  assert.equal(other.size, 6);
  assert.equal(absent.size, 23);
  // the set changes of the README table, as hashed by the library
  const hashes = [1n, 7n, 11n, 15n, 19n, 23n].map((h) => hexU(at(h).signedHeader.header.validatorsHash).slice(0, 8));
  assert.deepEqual(hashes, ["F795C03D", "A7173F51", "A1E8BC47", "28A473C3", "3C423FC8", "85873C39"]);
  assert.deepEqual([1n, 7n, 11n, 15n, 19n, 23n].map((h) => at(h).validatorSet.validators.map((v) => v.votingPower)),
    [[10n, 10n, 10n, 10n], [50n, 10n, 10n, 10n, 10n], [50n, 10n, 10n, 10n], [50n, 40n, 10n, 10n], [50n, 40n, 10n], [50n, 40n]]);
});

test("recorded: the RFC 3339 times keep their nanoseconds", () => {
  assert.deepEqual(parseRfc3339("2026-11-28T21:13:05.65738082Z"), { seconds: 1795900385n, nanos: 657380820 });
  assert.deepEqual(parseRfc3339("0001-01-01T00:00:00Z"), { seconds: -62135596800n, nanos: 0 });
});

test("recorded: adjacent verification of every height 1 -> 29, across all five set changes", () => {
  for (let h = 1n; h < 29n; h++) verify(at(h), at(h + 1n), opts, now);
});

test("recorded: skipping 1 -> 22 passes, 1 -> 23 fails the trust level (10 of 40)", () => {
  verify(at(1n), at(22n), opts, now);
  for (let h = 23n; h <= 29n; h++)
    assertRefused(() => verify(at(1n), at(h), opts, now), "insufficient_trust", "invalid commit -- insufficient old voting power: got 10, needed more than 13");
});

test("recorded: bisection 1 -> 29 through 15", async () => {
  const fetched: bigint[] = [];
  const trace = await verifyBisection(at(1n), at(29n), (h) => (fetched.push(h), at(h)), opts, now);
  assert.deepEqual(trace.map((b) => b.signedHeader.header.height), [1n, 15n, 29n]);
  assert.deepEqual(fetched, [15n]);
});

test("recorded refusals: another chain with the same validators, forged signature, tampered app hash, expired trust, clock drift, set hash", () => {
  assertRefused(() => verify(at(1n), other.get(2n)!, opts, now), "wrong_chain_id", `header belongs to another chain "qos-light-other-1", not "qos-light-1"`);
  const forged = structuredClone(at(2n));
  forged.signedHeader.commit.signatures[2].signature[10] ^= 0x80;
  assertRefused(() => verify(at(1n), forged, opts, now), "forged_signature", `wrong signature (#2): ${hexU(forged.signedHeader.commit.signatures[2].signature)}`);
  const tampered = structuredClone(at(2n));
  tampered.signedHeader.header.appHash = new Uint8Array(32);
  assertRefused(() => verify(at(1n), tampered, opts, now), "invalid_header",
    `commit signs block ${hexU(at(2n).signedHeader.commit.blockId.hash)}, header is block ${hexU(headerHash(tampered.signedHeader.header))}`);
  const t1 = at(1n).signedHeader.header.time;
  const expiry = { seconds: t1.seconds + 3600n, nanos: t1.nanos };
  assert.equal(refusal(() => verify(at(1n), at(2n), opts, expiry)).reason, "trust_expired");
  const t2 = at(2n).signedHeader.header.time;
  assert.equal(timeToNanos(t2) > timeToNanos(t1), true);
  assert.equal(refusal(() => verify(at(1n), at(2n), { ...opts, maxClockDrift: 0n }, t2)).reason, "header_from_future");
  assertRefused(() => verify(at(6n), { ...at(7n), validatorSet: at(6n).validatorSet }, opts, now), "validator_set_hash",
    `expected new header validators (${hexU(at(7n).signedHeader.header.validatorsHash)}) to match those that were supplied (${hexU(at(6n).signedHeader.header.validatorsHash)}) at height 7`);
  // header 7 is signed by the new set; against trusted 5 (next = genesis set) as an adjacent step it would
  // not chain, and non-adjacently the genesis set signed it with 40 of 40
  verify(at(5n), at(7n), opts, now);
});

test("recorded with a validator down: absent signatures (4..17), a nil vote (17) and round-1 commits (6, 10, 14) verify", async () => {
  const b = (h: bigint): LightBlock => absent.get(h)!;
  const flags = (h: bigint): string => b(h).signedHeader.commit.signatures.map((s) => s.blockIdFlag).join("");
  assert.deepEqual([4n, 6n, 17n, 18n].map((h) => [flags(h), b(h).signedHeader.commit.round]), [["2122", 0], ["2122", 1], ["2322", 0], ["2222", 0]]);
  const end = { seconds: b(23n).signedHeader.header.time.seconds + 60n, nanos: 0 };
  for (let h = 1n; h < 23n; h++) verify(b(h), b(h + 1n), opts, end);
  verify(b(1n), b(23n), opts, end);
  const trace = await verifyBisection(b(3n), b(20n), (h) => b(h), opts, end);
  assert.deepEqual(trace.map((x) => x.signedHeader.header.height), [3n, 20n]);
  // 17 already has one nil vote; replacing #0's commit vote by that nil vote leaves 20 of 40: not +2/3
  const twoDown = structuredClone(b(17n));
  twoDown.signedHeader.commit.signatures[0] = { ...twoDown.signedHeader.commit.signatures[1] };
  assertRefused(() => verify(b(16n), twoDown, opts, end), "insufficient_voting_power", "invalid commit -- insufficient voting power: got 20, needed more than 26");
});

test("recorded fork: both branches verify from the shared header 1 (the library alone cannot see a fork), B after A breaks time", () => {
  const a = load("qos-light-fork-a.json"), b = load("qos-light-fork-b.json");
  assert.equal(hexU(a.get(1n)!.signedHeader.commit.blockId.hash), hexU(b.get(1n)!.signedHeader.commit.blockId.hash));
  const end = { seconds: a.get(8n)!.signedHeader.header.time.seconds + 60n, nanos: 0 };
  for (const chain of [a, b]) {
    for (const [h, x] of chain) assert.equal(hexU(headerHash(x.signedHeader.header)), hexU(x.signedHeader.commit.blockId.hash), `header ${h}`);
    for (let h = 1n; h < 8n; h++) verify(chain.get(h)!, chain.get(h + 1n)!, opts, end);
    verify(chain.get(1n)!, chain.get(8n)!, opts, end);
  }
  // two valid conflicting headers at one height: the on-chain client must detect this as misbehaviour
  assert.notEqual(hexU(a.get(5n)!.signedHeader.commit.blockId.hash), hexU(b.get(5n)!.signedHeader.commit.blockId.hash));
  assert.equal(refusal(() => verify(a.get(4n)!, b.get(5n)!, opts, end)).reason, "non_monotonic_time");
});
