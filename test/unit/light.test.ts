// The CometBFT light-client library (app/light): hashing against CometBFT's own test vectors, and
// adjacent / skipping / bisection verification on synthetic signed chains, with every refusal.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import {
  canonicalVoteSignBytes, hashFromByteSlices, headerHash, innerHash, leafHash, LightClientError, sortValidators, validatorAddress,
  validatorSetHash, verify, verifyAdjacent, verifyBisection, verifyNonAdjacent, type LightBlock, type VerifyOptions,
} from "../../app/light/index.js";
import { splitPoint } from "../../app/light/merkle.js";
import { assertRefused, at, ChainId, key, makeBlock, makeChain, refusal, setOf, sha, T0, type Member } from "../helpers/light-chain.js";

const hexU = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();
const S = 1_000_000_000n;
const opts: VerifyOptions = { trustingPeriod: 1000n * S, maxClockDrift: 10n * S };
const now = at(T0 + 500n);


const A: Member[] = ["a0", "a1", "a2", "a3"].map((n) => ({ key: key(n), power: 10n }));
const B: Member[] = ["b0", "b1", "b2", "b3"].map((n) => ({ key: key(n), power: 10n }));
const C: Member[] = ["c0", "c1"].map((n) => ({ key: key(n), power: 10n }));
const stable = makeChain(6, () => A);
const blk = (h: bigint): LightBlock => stable.get(h)!;

test("merkle: empty, one leaf, RFC 6962 prefixes and CometBFT's split point", () => {
  assert.equal(hexU(hashFromByteSlices([])), "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
  const leaf = (s: string) => new Uint8Array(Buffer.from(s));
  assert.deepEqual(leafHash(leaf("a")), new Uint8Array(createHash("sha256").update(Buffer.from([0, 0x61])).digest()));
  assert.deepEqual(hashFromByteSlices([leaf("a")]), leafHash(leaf("a")));
  assert.deepEqual([2, 3, 4, 5, 8, 9, 100].map(splitPoint), [1, 2, 2, 4, 4, 8, 64]);
  const [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map((s) => leafHash(leaf(s)));
  // 5 leaves split 4 | 1, the 4 split 2 | 2
  assert.deepEqual(hashFromByteSlices(["a", "b", "c", "d", "e"].map(leaf)), innerHash(innerHash(innerHash(a, b), innerHash(c, d)), e));
  assert.deepEqual(hashFromByteSlices(["a", "b", "c"].map(leaf)), innerHash(innerHash(a, b), c));
});

test("header hash: CometBFT's TestHeaderHash vector (types/block_test.go)", () => {
  const h = {
    version: { block: 1n, app: 2n },
    chainId: "chainId",
    height: 3n,
    time: at(BigInt(Date.UTC(2019, 9, 13, 16, 14, 44) / 1000)),
    lastBlockId: { hash: new Uint8Array(32), partSetHeader: { total: 6, hash: new Uint8Array(32) } },
    lastCommitHash: sha("last_commit_hash"),
    dataHash: sha("data_hash"),
    validatorsHash: sha("validators_hash"),
    nextValidatorsHash: sha("next_validators_hash"),
    consensusHash: sha("consensus_hash"),
    appHash: sha("app_hash"),
    lastResultsHash: sha("last_results_hash"),
    evidenceHash: sha("evidence_hash"),
    proposerAddress: sha("proposer_address").subarray(0, 20),
  };
  assert.equal(hexU(headerHash(h)), "F740121F553B5418C3EFBD343C2DBFE9E007BB67B0D020A0741374BAB65242A4");
});

test("vote sign bytes: CometBFT's TestVoteSignBytesTestVectors precommit vector, then a full one", () => {
  const zeroTime = at(-62135596800n); // Go's time.Time{}
  const none = { hash: new Uint8Array(), partSetHeader: { total: 0, hash: new Uint8Array() } };
  assert.equal(Buffer.from(canonicalVoteSignBytes("", 1n, 1, none, zeroTime)).toString("hex"),
    "21" + "0802" + "110100000000000000" + "190100000000000000" + "2a0b088092b8c398feffffff01");
  const full = canonicalVoteSignBytes("c", 5n, 0, { hash: new Uint8Array(32).fill(0xaa), partSetHeader: { total: 1, hash: new Uint8Array(32).fill(0xbb) } }, at(1n, 5));
  assert.equal(Buffer.from(full).toString("hex"),
    "5e" + "0802" + "110500000000000000" + "2248" + "0a20" + "aa".repeat(32) + "1224" + "0801" + "1220" + "bb".repeat(32) + "2a0408011005" + "320163");
});

test("validator set: CometBFT order (power desc, then address) and the SimpleValidator hash", () => {
  const k = [key("x"), key("y"), key("z")];
  const sorted = sortValidators([{ pubKey: k[0].pubKey, votingPower: 5n }, { pubKey: k[1].pubKey, votingPower: 7n }, { pubKey: k[2].pubKey, votingPower: 5n }]);
  const addrX = validatorAddress(k[0].pubKey), addrZ = validatorAddress(k[2].pubKey);
  const low = Buffer.compare(addrX, addrZ) < 0 ? [k[0], k[2]] : [k[2], k[0]];
  assert.deepEqual(sorted.validators.map((v) => hexU(v.pubKey)), [k[1], ...low].map((x) => hexU(x.pubKey)));
  // SimpleValidator{pub_key: PublicKey{ed25519 (field 1)}, voting_power: 7} = 0a 22 0a 20 <key> 10 07
  const one = Buffer.concat([Buffer.from("0a220a20", "hex"), k[1].pubKey, Buffer.from("1007", "hex")]);
  assert.deepEqual(validatorSetHash({ validators: [sorted.validators[0]] }), leafHash(one));
  assert.deepEqual(validatorAddress(k[1].pubKey), new Uint8Array(createHash("sha256").update(k[1].pubKey).digest().subarray(0, 20)));
});

test("adjacent: h1 -> h2 accepted; nil and absent votes are skipped when +2/3 remain", () => {
  verifyAdjacent(blk(1n).signedHeader, blk(2n), opts.trustingPeriod, now, opts.maxClockDrift);
  const a3 = Buffer.from(A[3].key.pubKey).toString("hex");
  const withNil = makeBlock({ height: 2n, members: A, nextMembers: A, vote: (pk) => (pk === a3 ? "nil" : "commit") });
  assert.equal(withNil.signedHeader.commit.signatures.filter((s) => s.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_NIL).length, 1);
  verify(blk(1n), withNil, opts, now);
  const withAbsent = makeBlock({ height: 2n, members: A, nextMembers: A, vote: (pk) => (pk === a3 ? "absent" : "commit") });
  verify(blk(1n), withAbsent, opts, now);
});

test("skipping: h1 -> h6 accepted with the same set (non-adjacent, trust level 1/3 and 2/3)", () => {
  verifyNonAdjacent(blk(1n), blk(6n), opts.trustingPeriod, now, opts.maxClockDrift);
  verify(blk(1n), blk(6n), { ...opts, trustLevel: { numerator: 2n, denominator: 3n } }, now);
});

test("bisection across a complete validator-set change: 1 -> 8 -> 9 -> 16, fetching 8, 12, 10, 9", async () => {
  // heights 1-4: A; 5-8: a0, a1 + c0, c1 (half of A's power stays); 9-16: B (nothing of A or C)
  const chain = makeChain(16, (h) => (h <= 4n ? A : h <= 8n ? [A[0], A[1], ...C] : B));
  const fetched: bigint[] = [];
  const trace = await verifyBisection(chain.get(1n)!, chain.get(16n)!, (h) => (fetched.push(h), chain.get(h)!), opts, now);
  assert.deepEqual(trace.map((b) => b.signedHeader.header.height), [1n, 8n, 9n, 16n]);
  assert.deepEqual(fetched, [8n, 12n, 10n, 9n]);
  // each step of the trace is verifiable from the previous one (what a relayer submits on chain)
  for (let i = 1; i < trace.length; i++) verify(trace[i - 1], trace[i], opts, now);
  // a direct skip is refused for lack of overlap
  assertRefused(() => verify(chain.get(1n)!, chain.get(16n)!, opts, now), "insufficient_trust", "invalid commit -- insufficient old voting power: got 0, needed more than 13");
  // a source that lies at the pivot ends the bisection with the step that failed
  const lying = (h: bigint) => (h === 9n ? makeBlock({ height: 9n, members: A, nextMembers: B }) : chain.get(h)!);
  const e = await verifyBisection(chain.get(1n)!, chain.get(16n)!, lying, opts, now).then(() => assert.fail("accepted"), (x: LightClientError) => x);
  assert.equal(e.reason, "next_validators_mismatch");
  assert.equal(e.message, `verification from height 8 to 9 failed: expected old header next validators (${hexU(chain.get(8n)!.signedHeader.header.nextValidatorsHash)}) to match those from new header (${hexU(validatorSetHash(setOf(A)))})`);
});

test("refused: wrong chain id", () => {
  const other = makeBlock({ height: 2n, members: A, nextMembers: A, chainId: "other-chain" });
  assertRefused(() => verify(blk(1n), other, opts, now), "wrong_chain_id", `header belongs to another chain "other-chain", not "${ChainId}"`);
});

test("refused: less than +2/3 of the header's own set signed", () => {
  const half = new Set([A[2], A[3]].map((m) => Buffer.from(m.key.pubKey).toString("hex")));
  const weak = makeBlock({ height: 2n, members: A, nextMembers: A, vote: (pk) => (half.has(pk) ? "absent" : "commit") });
  assertRefused(() => verify(blk(1n), weak, opts, now), "insufficient_voting_power", "invalid commit -- insufficient voting power: got 20, needed more than 26");
  // non-adjacent: the trusted overlap suffices (20 > 13) but the header's own set does not
  const weak6 = makeBlock({ height: 6n, members: A, nextMembers: A, vote: (pk) => (half.has(pk) ? "absent" : "commit") });
  assertRefused(() => verify(blk(1n), weak6, opts, now), "insufficient_voting_power", "invalid commit -- insufficient voting power: got 20, needed more than 26");
});

test("refused: less than 1/3 of the trusted set in the new set (skipping)", () => {
  const mostlyNew = makeBlock({ height: 5n, members: [A[0], ...B], nextMembers: B });
  assertRefused(() => verify(blk(1n), mostlyNew, opts, now), "insufficient_trust", "invalid commit -- insufficient old voting power: got 10, needed more than 13");
  assertRefused(() => verify(blk(1n), mostlyNew, { ...opts, trustLevel: { numerator: 1n, denominator: 4n } }, now), "invalid_trust_level", "trust level must be within [1/3, 1], given 1/4");
});

test("refused: non-monotonic height and time", () => {
  assertRefused(() => verify(blk(5n), blk(3n), opts, now), "non_monotonic_height", "expected new header height 3 to be greater than one of old header 5");
  const early = makeBlock({ height: 2n, members: A, nextMembers: A, time: at(T0 + 10n) });
  assertRefused(() => verify(blk(1n), early, opts, now), "non_monotonic_time",
    "expected new header time 2023-11-14T22:13:30.000000000Z to be after old header time 2023-11-14T22:13:30.000000000Z");
});

test("refused: expired trust (trusted time + trusting period <= now)", () => {
  const expiry = at(T0 + 10n + 1000n);
  assertRefused(() => verify(blk(1n), blk(2n), opts, expiry), "trust_expired",
    "old header has expired at 2023-11-14T22:30:10.000000000Z (now: 2023-11-14T22:30:10.000000000Z)");
  verify(blk(1n), blk(2n), opts, at(T0 + 10n + 999n, 999_999_999)); // one nanosecond earlier it is still trusted
});

test("refused: header beyond now + max clock drift", () => {
  // h2 is at T0+20; now T0+10 with 10 s drift puts the limit exactly at T0+20 (must be strictly before)
  assertRefused(() => verify(blk(1n), blk(2n), opts, at(T0 + 10n)), "header_from_future",
    "new header has a time from the future 2023-11-14T22:13:40.000000000Z (now: 2023-11-14T22:13:30.000000000Z; max clock drift: 10000000000ns)");
  verify(blk(1n), blk(2n), opts, at(T0 + 10n, 1));
});

test("refused: forged signature, and a header changed after signing", () => {
  const forged = structuredClone(blk(2n));
  forged.signedHeader.commit.signatures[0].signature[5] ^= 1;
  assertRefused(() => verify(blk(1n), forged, opts, now), "forged_signature", `wrong signature (#0): ${hexU(forged.signedHeader.commit.signatures[0].signature)}`);
  const forged6 = structuredClone(blk(6n));
  forged6.signedHeader.commit.signatures[1].signature[0] ^= 1;
  assertRefused(() => verify(blk(1n), forged6, opts, now), "forged_signature", `wrong signature (#1): ${hexU(forged6.signedHeader.commit.signatures[1].signature)}`);
  // a relayer swapping the app hash of a signed header: the commit no longer signs this header
  const swapped = structuredClone(blk(2n));
  swapped.signedHeader.header.appHash = sha("forged app hash");
  assertRefused(() => verify(blk(1n), swapped, opts, now), "invalid_header",
    `commit signs block ${hexU(blk(2n).signedHeader.commit.blockId.hash)}, header is block ${hexU(headerHash(swapped.signedHeader.header))}`);
});

test("refused: supplied validator set does not hash to validators_hash; adjacent set not the trusted next set", () => {
  const wrongSet: LightBlock = { ...blk(2n), validatorSet: setOf(B) };
  assertRefused(() => verify(blk(1n), wrongSet, opts, now), "validator_set_hash",
    `expected new header validators (${hexU(blk(2n).signedHeader.header.validatorsHash)}) to match those that were supplied (${hexU(validatorSetHash(setOf(B)))}) at height 2`);
  const bySomeoneElse = makeBlock({ height: 2n, members: B, nextMembers: B });
  assertRefused(() => verify(blk(1n), bySomeoneElse, opts, now), "next_validators_mismatch",
    `expected old header next validators (${hexU(validatorSetHash(setOf(A)))}) to match those from new header (${hexU(validatorSetHash(setOf(B)))})`);
  assertRefused(() => verifyAdjacent(blk(1n).signedHeader, blk(3n), opts.trustingPeriod, now, opts.maxClockDrift), "not_adjacent", "headers must be adjacent in height: 1 then 3");
  assertRefused(() => verifyNonAdjacent(blk(1n), blk(2n), opts.trustingPeriod, now, opts.maxClockDrift), "not_adjacent", "headers must be non adjacent in height: 1 then 2");
});
