import { test } from "node:test";
import assert from "node:assert/strict";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import { FrameDecoder, FrameError, encodeFrame, encodeLengthPrefix, uvarintSize } from "../../app/abci/framing.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

test("Request{flush} body 12 00, frame 02 12 00", () => {
  const body = Request.encode(Request.fromPartial({ flush: {} })).finish();
  assert.equal(hex(body), "1200");
  assert.equal(hex(encodeFrame(body)), "021200");
});

test("Response{flush} frame 02 1a 00", () => {
  assert.equal(hex(encodeFrame(Response.encode(Response.fromPartial({ flush: {} })).finish())), "021a00");
});

test("Request{echo hello} frame 09 0a 07 0a 05 68 65 6c 6c 6f", () => {
  const frame = encodeFrame(Request.encode(Request.fromPartial({ echo: { message: "hello" } })).finish());
  assert.equal(hex(frame), "090a070a0568656c6c6f");
});

test("length prefix is an unsigned varint: 300 → ac 02 (not zigzag d8 04)", () => {
  assert.equal(hex(encodeLengthPrefix(300)), "ac02");
  const frame = encodeFrame(new Uint8Array(300).fill(7));
  assert.equal(frame.length, 302);
  assert.equal(hex(frame.subarray(0, 2)), "ac02");
  assert.equal(hex(encodeLengthPrefix(0)), "00");
  assert.equal(hex(encodeLengthPrefix(127)), "7f");
  assert.equal(hex(encodeLengthPrefix(128)), "8001");
  assert.equal(hex(encodeLengthPrefix(2 ** 31 - 1)), "ffffffff07");
  assert.equal(uvarintSize(16383), 2);
  assert.equal(uvarintSize(16384), 3);
});

test("v0.38.25 Info request bytes decode to the expected RequestInfo", () => {
  const frame = unhex("16 1a 14 0a 07 30 2e 33 38 2e 32 35 10 0b 18 08 22 05 32 2e 30 2e 30");
  const bodies = new FrameDecoder().push(frame);
  assert.equal(bodies.length, 1);
  assert.equal(bodies[0].length, 0x16);
  const req = Request.decode(bodies[0]);
  assert.ok(req.info);
  assert.equal(req.info.version, "0.38.25");
  assert.equal(req.info.blockVersion, 11n);
  assert.equal(req.info.p2pVersion, 8n);
  assert.equal(req.info.abciVersion, "2.0.0");
  // And our encoder reproduces the exact frame.
  assert.equal(hex(encodeFrame(Request.encode(req).finish())), hex(frame));
});

function sampleFrames(): { bodies: Uint8Array[]; stream: Uint8Array } {
  // Bodies of assorted sizes, including empty, 1-byte-prefix, 2-byte-prefix and 3-byte-prefix.
  const sizes = [0, 1, 2, 127, 128, 300, 5, 16384, 70000, 3];
  const bodies = sizes.map((n, i) => {
    const b = new Uint8Array(n);
    for (let j = 0; j < n; j++) b[j] = (i * 31 + j) & 0xff;
    return b;
  });
  return { bodies, stream: Buffer.concat(bodies.map(encodeFrame)) };
}

test("decoder: byte-by-byte feeding yields every frame once, in order", () => {
  const { bodies, stream } = sampleFrames();
  const dec = new FrameDecoder();
  const got: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i++) {
    for (const b of dec.push(stream.subarray(i, i + 1))) got.push(new Uint8Array(b));
  }
  assert.equal(got.length, bodies.length);
  for (let i = 0; i < bodies.length; i++) assert.deepEqual(got[i], bodies[i], `frame ${i}`);
  assert.equal(dec.bufferedBytes, 0);
});

test("decoder: many frames in one chunk, and random chunk boundaries", () => {
  const { bodies, stream } = sampleFrames();
  const all = new FrameDecoder().push(stream);
  assert.deepEqual(
    all.map((b) => new Uint8Array(b)),
    bodies,
  );
  // Deterministic pseudo-random split points (prefixes split across chunks included).
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let round = 0; round < 20; round++) {
    const dec = new FrameDecoder();
    const got: Uint8Array[] = [];
    let pos = 0;
    while (pos < stream.length) {
      const n = 1 + Math.floor(rnd() * (round < 10 ? 4 : 9000));
      for (const b of dec.push(stream.subarray(pos, pos + n))) got.push(new Uint8Array(b));
      pos += n;
    }
    assert.deepEqual(got, bodies, `round ${round}`);
  }
});

test("decoder: a 2-byte prefix split across chunks", () => {
  const body = new Uint8Array(300).fill(9);
  const frame = encodeFrame(body);
  const dec = new FrameDecoder();
  assert.deepEqual(dec.push(frame.subarray(0, 1)), []);
  assert.equal(dec.bufferedBytes, 1);
  assert.deepEqual(dec.push(frame.subarray(1, 2)), []);
  const out = dec.push(frame.subarray(2));
  assert.equal(out.length, 1);
  assert.deepEqual(out[0], body);
});

test("decoder: oversize length rejected, decoder then stays failed", () => {
  const dec = new FrameDecoder({ maxFrameSize: 1000 });
  assert.equal(dec.push(encodeFrame(new Uint8Array(1000))).length, 1); // exactly the max is fine
  assert.throws(() => dec.push(encodeLengthPrefix(1001)), FrameError);
  assert.throws(() => dec.push(encodeFrame(new Uint8Array(1))), FrameError);
});

test("decoder: oversize length rejected from a partial prefix, before the body arrives", () => {
  // Default limit 128 MiB; 2^31 - 1 is announced in 5 bytes. Feed only the first 4.
  const dec = new FrameDecoder();
  const prefix = encodeLengthPrefix(2 ** 31 - 1);
  assert.throws(() => {
    for (const b of prefix.subarray(0, 4)) dec.push(Uint8Array.of(b));
    dec.push(prefix.subarray(4));
  }, /exceeds the maximum/);
});

test("decoder: over-long varint (10 continuation bytes) rejected", () => {
  const dec = new FrameDecoder();
  assert.throws(() => dec.push(new Uint8Array(10).fill(0x80)), /longer than 10 bytes/);
  const dec2 = new FrameDecoder();
  assert.throws(() => {
    for (let i = 0; i < 10; i++) dec2.push(Uint8Array.of(0x80));
  }, /longer than 10 bytes/);
});

test("decoder: a large frame in many small chunks is linear, not quadratic", () => {
  // 32 MiB body in 4 KiB chunks: 8192 pushes. With re-concatenation per chunk this would copy
  // ~128 GiB and time out; with a single preallocated buffer it takes milliseconds.
  const size = 32 * 1024 * 1024;
  const frame = encodeFrame(new Uint8Array(size).fill(1));
  const dec = new FrameDecoder();
  const start = performance.now();
  let got: Uint8Array[] = [];
  for (let pos = 0; pos < frame.length; pos += 4096) got = got.concat(dec.push(frame.subarray(pos, pos + 4096)));
  const ms = performance.now() - start;
  assert.equal(got.length, 1);
  assert.equal(got[0].length, size);
  assert.ok(ms < 2000, `took ${ms} ms`);
});
