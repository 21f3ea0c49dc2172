// The ABCI server's FrameWriter must write, for every answer, the bytes cosmjs-types' BinaryWriter writes
// (CometBFT hashes parts of them: a different encoding of the same result would be a different result).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Response } from "cosmjs-types/tendermint/abci/types";
import { FrameWriter } from "../../app/abci/frame-writer.js";
import { FrameDecoder, encodeFrame } from "../../app/abci/framing.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ResponseInput = Record<string, any>;

const reference = (r: Response) => Buffer.from(encodeFrame(Response.encode(r).finish()));
const written = (r: Response) => {
  const w = new FrameWriter();
  w.frame(r, Response.encode);
  return w.take();
};
const sameBytes = (input: ResponseInput) => {
  const r = Response.fromPartial(input as Parameters<typeof Response.fromPartial>[0]);
  assert.equal(written(r).toString("hex"), reference(r).toString("hex"));
};

const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);
const event = (type: string, n: number) => ({
  type,
  attributes: Array.from({ length: n }, (_, i) => ({ key: `key${i}`, value: `qosacc1${"x".repeat(i * 7)}`, index: i % 2 === 0 })),
});
const consensusParams = {
  block: { maxBytes: 22020096n, maxGas: -1n },
  evidence: { maxAgeNumBlocks: 100000n, maxAgeDuration: { seconds: 172800n, nanos: 5 }, maxBytes: 1048576n },
  validator: { pubKeyTypes: ["ed25519", "secp256k1"] },
  version: { app: 3n },
  abci: { voteExtensionsEnableHeight: 0n },
};

test("every kind of answer, every field set, is written as BinaryWriter writes it, framed", () => {
  const all: ResponseInput[] = [
    { exception: { error: "boom" } },
    { echo: { message: "hello" } },
    { flush: {} },
    { info: { data: "qos", version: "1.0", appVersion: 3n, lastBlockHeight: 123456789n, lastBlockAppHash: bytes(32) } },
    { initChain: { consensusParams, validators: [{ pubKey: { ed25519: bytes(32, 1) }, power: 10n }, { pubKey: { secp256k1: bytes(33, 2) }, power: 2n ** 40n }], appHash: bytes(32, 3) } },
    { query: { code: 18, log: "not found", info: "i", index: -1n, key: bytes(20), value: bytes(300), proofOps: { ops: [{ type: "ics23", key: bytes(5), data: bytes(200) }] }, height: 77n, codespace: "sdk" } },
    { checkTx: { code: 0, data: bytes(3), log: "", info: "", gasWanted: 200000n, gasUsed: 61234n, events: [event("message", 3)], codespace: "" } },
    { checkTx: { code: 4294967295, codespace: "bank", log: "insufficient funds: ünïcødé ✓ 𝄞", gasWanted: -1n, gasUsed: 2n ** 63n - 1n } },
    { commit: { retainHeight: 99n } },
    { listSnapshots: { snapshots: [{ height: 1000n, format: 1, chunks: 3, hash: bytes(32), metadata: bytes(140) }] } },
    { offerSnapshot: { result: 3 } },
    { loadSnapshotChunk: { chunk: bytes(70_000) } },
    { applySnapshotChunk: { result: 1, refetchChunks: [0, 1, 200, 70000], rejectSenders: ["a", "b"] } },
    { prepareProposal: { txs: [bytes(100), bytes(200), new Uint8Array()] } },
    { processProposal: { status: 1 } },
    { extendVote: { voteExtension: bytes(129) } },
    { verifyVoteExtension: { status: 2 } },
    {
      finalizeBlock: {
        events: [event("mint", 4)],
        txResults: [
          { code: 0, data: bytes(10), log: "", gasWanted: 200000n, gasUsed: 70000n, events: [event("transfer", 6), event("message", 3)], codespace: "" },
          { code: 5, codespace: "bank", log: "x".repeat(20_000), gasWanted: 1n, gasUsed: 1n },
        ],
        validatorUpdates: [{ pubKey: { ed25519: bytes(32) }, power: 0n }],
        consensusParamUpdates: consensusParams,
        appHash: bytes(32, 9),
      },
    },
  ];
  for (const input of all) sameBytes(input);
});

test("64-bit and int32 values: the plain range, the stock writer's quirks (2^31 … 2^32−1), negatives and the extremes", () => {
  const values = [0n, 1n, 127n, 128n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n, -1n, -(2n ** 31n), -(2n ** 63n)];
  for (const v of values) {
    sameBytes({ info: { lastBlockHeight: v, appVersion: v < 0n ? 0n : v } });
    sameBytes({ checkTx: { gasWanted: v, gasUsed: v } });
  }
  for (const status of [0, 1, -1, -(2 ** 31), 2 ** 31 - 1]) sameBytes({ processProposal: { status } });
});

test("strings: ASCII, multi-byte, surrogate pairs and lone surrogates (written as BinaryWriter does, not as U+FFFD), short and long", () => {
  const samples = ["", "a", "é", "✓", "𝄞", "\ud800", "\udc00x", "x\ud800", "a".repeat(42), "é".repeat(42), "a".repeat(43), "é".repeat(64), `${"a".repeat(50)}\ud83d`, "𝄞".repeat(21), "𝄞".repeat(40)];
  for (const s of samples) sameBytes({ checkTx: { log: s, codespace: s, events: [{ type: s, attributes: [{ key: s, value: s, index: true }] }] } });
});

test("any FinalizeBlock answer (random events, strings of any UTF-16 units, 64-bit values, nested lengths across 128 and 16384) is written as BinaryWriter writes it", () => {
  const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
  const str = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit, maxLength: 60 }), fc.string({ unit: "grapheme", maxLength: 200 }));
  const int64 = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 33n }), fc.constantFrom(2n ** 31n, 2n ** 32n - 1n));
  const attr = fc.record({ key: str, value: str, index: fc.boolean() });
  const ev = fc.record({ type: str, attributes: fc.array(attr, { maxLength: 12 }) });
  const blob = fc.oneof(fc.uint8Array({ maxLength: 140 }), fc.integer({ min: 16_000, max: 16_500 }).map((n) => bytes(n)));
  const txResult = fc.record({ code: fc.integer({ min: 0, max: 2 ** 32 - 1 }), data: blob, log: str, info: str, gasWanted: int64, gasUsed: int64, events: fc.array(ev, { maxLength: 6 }), codespace: str });
  fc.assert(
    fc.property(fc.array(txResult, { maxLength: 8 }), fc.array(ev, { maxLength: 4 }), fc.uint8Array({ maxLength: 40 }), (txResults, events, appHash) => {
      sameBytes({ finalizeBlock: { txResults, events, appHash } });
    }),
    { numRuns: 300 },
  );
});

test("frames accumulate until taken, a failing encode appends nothing, a 20 MiB answer between small ones", () => {
  const w = new FrameWriter();
  const a = Response.fromPartial({ checkTx: { code: 0, gasWanted: 200000n, gasUsed: 60000n } });
  const big = Response.fromPartial({ loadSnapshotChunk: { chunk: bytes(20 * 1024 * 1024) } });
  const flush = Response.fromPartial({ flush: {} });
  assert.equal(w.frame(a, Response.encode), reference(a).length);
  assert.throws(() =>
    w.frame(a, (m, writer) => {
      Response.encode(m, writer);
      throw new Error("half-way");
    }),
  );
  w.frame(flush, Response.encode);
  assert.equal(w.length, reference(a).length + 3);
  const first = w.take();
  assert.equal(first.toString("hex"), Buffer.concat([reference(a), reference(flush)]).toString("hex"));
  assert.equal(w.length, 0);
  w.frame(big, Response.encode);
  const second = w.take();
  assert.equal(Buffer.compare(second, reference(big)), 0);
  w.frame(flush, Response.encode);
  assert.equal(w.take().toString("hex"), "021a00");
  // the decoder reads back what was written, frame by frame
  w.frame(a, Response.encode);
  w.frame(flush, Response.encode);
  const bodies = new FrameDecoder().push(w.take());
  assert.deepEqual(bodies.map((b) => Object.keys(Response.toJSON(Response.decode(b)) as object)), [["checkTx"], ["flush"]]);
});
