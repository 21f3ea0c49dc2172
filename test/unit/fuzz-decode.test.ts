// Fuzzing the decoder and every message's stateless check (issue 10): random bytes and mutations of valid
// txs of every registered message type (bit flips, truncation, splices, inserted group tags, deep nesting)
// must give an AppError or a decoded tx — never another exception — and the same outcome every time, in
// this (warmed-up) process and in a fresh one with a quarter of the default stack.
// Fixed seed in CI: FUZZ_SEED=<n> replays or varies it, FUZZ_RUNS=<n> runs longer (default 200).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { makeSignDoc } from "@cosmjs/proto-signing";
import { fromBase64 } from "@cosmjs/encoding";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { toBech32 } from "@cosmjs/encoding";
import { schemaOfTypeUrl, type Schema } from "../../app/tx/wire.js";
import { fuzzRouter, msgOutcome, txOutcome } from "../helpers/fuzz.js";
import { concat, ld, tag, utf8, varint } from "../helpers/protobuf.js";
import { testAccount } from "../helpers/wallet.js";

const seed = Number(process.env.FUZZ_SEED ?? 20261128);
const numRuns = Number(process.env.FUZZ_RUNS ?? 200);
const params = { seed, numRuns };
console.log(`fuzz-decode: seed ${seed}, ${numRuns} runs per property (FUZZ_SEED / FUZZ_RUNS to change)`);

// ---- wire building blocks ----

/** `levels` length-delimited fields, each holding the next: built in one pass (lengths from the inside out). */
function nestedLengths(field: number, levels: number, core: Uint8Array): Uint8Array {
  const sizes: number[] = [];
  let size = core.length;
  for (let i = 0; i < levels; i++) {
    size += tag(field, 2).length + varint(BigInt(size)).length;
    sizes.push(size);
  }
  const parts: Uint8Array[] = [];
  for (let i = levels - 1; i >= 0; i--) {
    const inner = i === 0 ? core.length : sizes[i - 1];
    parts.push(tag(field, 2), varint(BigInt(inner)));
  }
  return concat(...parts, core);
}

// ---- values for strings: addresses in both cases, amounts, denoms, junk ----
const addressBytes = [new Uint8Array(20).fill(1), new Uint8Array(20).fill(2), new Uint8Array(20).fill(3)];
const addresses = addressBytes.flatMap((b) => [toBech32("qosacc", b), toBech32("qosval", b), toBech32("qoscons", b)]);
const stringArb = fc.oneof(
  fc.constantFrom(...addresses, ...addresses.map((a) => a.toUpperCase()), "uqos", "QSC", "STAR", "1000", "0", "-5", "0x10", " 7", "", "1.5", "qos-unit-1"),
  fc.string({ maxLength: 16 }),
);
const bytesArb = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 32, maxLength: 33 }));

/** Random encodings of message `schema`, field by field from the build's schema (so: every message type). */
function messageArb(schema: Schema, depth = 0): fc.Arbitrary<Uint8Array> {
  const fields = [...schema.fields.entries()].filter(([, f]) => f.kind !== "m" || depth < 3);
  const one = (number: number, field: (typeof fields)[number][1]): fc.Arbitrary<Uint8Array> => {
    switch (field.kind) {
      case "v":
        return fc.oneof(fc.bigInt(0n, 3n), fc.bigInt(0n, 2n ** 64n - 1n)).map((v) => concat(tag(number, 0), varint(v)));
      case "i32":
        return fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => concat(tag(number, 5), b));
      case "i64":
        return fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => concat(tag(number, 1), b));
      case "s":
        return stringArb.map((s) => ld(number, utf8(s)));
      case "b":
        return bytesArb.map((b) => ld(number, b));
      case "m":
        return messageArb(field.message!, depth + 1).map((b) => ld(number, b));
    }
  };
  if (fields.length === 0) return fc.constant(new Uint8Array());
  return fc
    .tuple(...fields.map(([number, field]) => (field.repeated ? fc.array(one(number, field), { maxLength: 3 }) : fc.option(one(number, field), { nil: undefined }).map((x) => (x ? [x] : [])))))
    .map((parts) => concat(...parts.flat()));
}

const typeUrls = fuzzRouter.msgTypeUrls;
const handlers = typeUrls.map((url) => fuzzRouter.msg(url));
const msgArbs = new Map(typeUrls.map((url) => [url, messageArb(schemaOfTypeUrl(url)!)]));

// ---- mutations ----
type Mutation = (b: Uint8Array) => Uint8Array;
const at = (b: Uint8Array, frac: number) => Math.floor(frac * (b.length + 1));
const fracArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fracArb, fc.integer({ min: 0, max: 7 })).map(([f, bit]): Mutation => (b) => {
    const out = Uint8Array.from(b);
    if (out.length) out[Math.min(at(b, f), out.length - 1)] ^= 1 << bit;
    return out;
  }),
  fracArb.map((f): Mutation => (b) => b.slice(0, at(b, f))),
  fc.tuple(fracArb, fc.uint8Array({ minLength: 1, maxLength: 12 })).map(([f, junk]): Mutation => (b) => concat(b.subarray(0, at(b, f)), junk, b.subarray(at(b, f)))),
  fc.tuple(fracArb, fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 1200 }), fc.boolean()).map(([f, field, depth, closed]): Mutation => (b) => {
    // one-byte group tags (fields 1-15), nested `depth` deep, closed or not
    const groups = new Uint8Array(closed ? 2 * depth : depth).fill(field * 8 + 3);
    if (closed) groups.fill(field * 8 + 4, depth);
    return concat(b.subarray(0, at(b, f)), groups, b.subarray(at(b, f)));
  }),
  fc.tuple(fracArb, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 2_000 })).map(([f, field, levels]): Mutation => (b) =>
    concat(b.subarray(0, at(b, f)), nestedLengths(field, levels, new Uint8Array()), b.subarray(at(b, f))),
  ),
  fc.tuple(fracArb, fracArb).map(([f, g]): Mutation => (b) => concat(b, b.subarray(Math.min(at(b, f), at(b, g)), Math.max(at(b, f), at(b, g))))),
);
const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 3 });
const mutate = (b: Uint8Array, ms: Mutation[]) => ms.reduce((acc, m) => m(acc), b);

// ---- valid txs of every message type, mutated at one of their layers ----
const alice = await testAccount("alice");
const authInfoBytes = AuthInfo.encode(
  AuthInfo.fromPartial({
    signerInfos: [{ publicKey: { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: alice.pubkey }).finish() }, modeInfo: { single: { mode: 1 } }, sequence: 3n }],
    fee: { amount: [{ denom: "uqos", amount: "5000" }], gasLimit: 200_000n },
  }),
).finish();
const signature = new Uint8Array(64).fill(7);
const txOf = (body: Uint8Array, auth = authInfoBytes) => TxRaw.encode({ bodyBytes: body, authInfoBytes: auth, signatures: [signature] }).finish();
const bodyOf = (typeUrl: string, msg: Uint8Array, memo = "") => TxBody.encode(TxBody.fromPartial({ messages: [{ typeUrl, value: msg }], memo })).finish();

/** a really signed MsgSend, the seed every mutation run also starts from */
const signedSend = await (async () => {
  const body = bodyOf("/cosmos.bank.v1beta1.MsgSend", MsgSend.encode(MsgSend.fromPartial({ fromAddress: alice.address, toAddress: addresses[0], amount: [{ denom: "uqos", amount: "1" }] })).finish());
  const { signature: sig } = await alice.wallet.signDirect(alice.address, makeSignDoc(body, authInfoBytes, "qos-unit-1", 0));
  return TxRaw.encode({ bodyBytes: body, authInfoBytes, signatures: [fromBase64(sig.signature)] }).finish();
})();

const mutatedTxArb = fc
  .tuple(fc.constantFrom(...typeUrls), fc.integer({ min: 0, max: 3 }), mutationsArb, stringArb)
  .chain(([url, layer, ms, memo]) =>
    msgArbs.get(url)!.map((msg) => {
      if (layer === 0) return mutate(txOf(bodyOf(url, msg, memo)), ms); // the TxRaw
      if (layer === 1) return txOf(mutate(bodyOf(url, msg, memo), ms)); // the body
      if (layer === 2) return txOf(bodyOf(url, msg, memo), mutate(authInfoBytes, ms)); // the auth info
      return txOf(bodyOf(url, mutate(msg, ms), memo)); // the message
    }),
  );

/** no exception but AppError, and the same outcome twice */
function stable(outcome: () => string): void {
  const first = outcome();
  assert.equal(outcome(), first);
}

describe("fuzz: decoder and stateless checks", () => {
  test("fuzz: random bytes give a decode result or an AppError, the same each time", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => stable(() => txOutcome(bytes))), params);
  });

  test("fuzz: mutated txs of every registered message type (flips, truncation, splices, group tags, deep nesting)", () => {
    fc.assert(fc.property(mutationsArb, (ms) => stable(() => txOutcome(mutate(signedSend, ms)))), params);
    fc.assert(fc.property(mutatedTxArb, (bytes) => stable(() => txOutcome(bytes))), { ...params, numRuns: numRuns * 3 });
  });

  test("fuzz: every message type's decodeMsg + signers + checkStateless on schema-generated and mutated bytes", () => {
    for (const handler of handlers) {
      const arb = fc.tuple(msgArbs.get(handler.typeUrl)!, fc.option(mutationsArb, { nil: undefined })).map(([b, ms]) => (ms ? mutate(b, ms) : b));
      fc.assert(fc.property(arb, (bytes) => stable(() => msgOutcome(handler, bytes))), { ...params, numRuns: Math.ceil(numRuns / 3) });
    }
  });

  test("fuzz: a fresh process with a quarter of the default stack gives the same outcomes as this warmed-up one", () => {
    const inputs = fc.sample(mutatedTxArb, { seed, numRuns: 150 });
    // plus: the valid seed tx, 50,000 nested length-delimited fields and 40,000 unclosed groups after it
    inputs.push(signedSend, concat(signedSend, nestedLengths(5, 50_000, new Uint8Array())), concat(signedSend, new Uint8Array(40_000).fill(43)));
    const warm = inputs.map(txOutcome);
    const dir = mkdtempSync(join(tmpdir(), "qos-fuzz-"));
    try {
      writeFileSync(join(dir, "inputs.txt"), inputs.map((b) => "x" + Buffer.from(b).toString("hex")).join("\n"));
      const script = fileURLToPath(new URL("../helpers/fuzz.js", import.meta.url));
      const cold = JSON.parse(execFileSync(process.execPath, ["--stack-size=240", script, join(dir, "inputs.txt")], { encoding: "utf8", maxBuffer: 64 << 20 }));
      const differing = warm.flatMap((w, i) => (cold[i] === w ? [] : [{ input: Buffer.from(inputs[i]).toString("hex").slice(0, 200), warm: w, cold: cold[i] }]));
      assert.deepEqual(differing, []);
      assert.equal(cold.length, warm.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const hash = createHash("sha256").update(signedSend).digest("hex").toUpperCase();
    assert.equal(warm.at(-3)!.startsWith(`ok ${hash} ["${alice.address}"]`), true, warm.at(-3));
    assert.deepEqual(warm.slice(-2), [
      `error sdk/2: cannot decode TxRaw: unknown field 5 in cosmos.tx.v1beta1.TxRaw at byte ${signedSend.length + 1}: tx parse error`,
      `error sdk/2: cannot decode TxRaw: field 5 is a group (wire type 3); groups are not accepted at byte ${signedSend.length + 1}: tx parse error`,
    ]);
  });
});
