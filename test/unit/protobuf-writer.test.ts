// cosmjs-types' writer allocated an 8 KiB pool per encoding (app/protobuf-writer.ts): the app installs an
// exact-size allocation. The bytes must stay the ones the stock writer produces (hashes, signatures and
// the app hash depend on them); only the allocation may differ.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BinaryWriter } from "cosmjs-types/binary";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { QosApp } from "../../app/app.js";

test("an encoding through cosmjs-types owns exactly its bytes once the app is loaded, and they are the stock writer's bytes", () => {
  assert.equal(typeof QosApp, "function"); // the import that installs the allocation
  const tx = { bodyBytes: new Uint8Array([1, 2, 3]), authInfoBytes: new Uint8Array(300).fill(7), signatures: [new Uint8Array(64).fill(9)] };
  const bytes = TxRaw.encode(tx).finish();
  assert.equal(bytes.length, 2 + 3 + 3 + 300 + 2 + 64);
  assert.equal(bytes.byteOffset, 0);
  assert.equal(bytes.buffer.byteLength, bytes.length); // not a slice of an 8 KiB pool
  // the same fields written by hand, as protobuf's wire format defines them
  const expected = Buffer.concat([Buffer.from([0x0a, 3, 1, 2, 3, 0x12, 0xac, 0x02]), Buffer.alloc(300, 7), Buffer.from([0x1a, 64]), Buffer.alloc(64, 9)]);
  assert.deepEqual(Buffer.from(bytes), expected);
  assert.equal(BinaryWriter.create().finish().length, 0);
});

test("cosmjs-types' uint64 writer quirk is pinned: from 2^31 to 2^32 - 1 it writes one byte of a 5-byte varint", () => {
  // The stock writer keeps the low 32-bit word signed; with a zero high word its varint loop stops at
  // once. So a gas limit, account number, sequence or timeout height in [2^31, 2^32) is written wrongly
  // (decoded back: 0 or 127): such a tx fails the canonical re-encoding or the wire check. The node
  // hashes and compares these bytes, so a cosmjs-types that fixes this changes results: this test says so.
  const hex = (value: bigint) => Buffer.from(BinaryWriter.create().uint64(value).finish()).toString("hex");
  assert.equal(hex(2n ** 31n - 1n), "ffffffff07");
  assert.equal(hex(2n ** 31n), "0000000000");
  assert.equal(hex(3_000_000_000n), "0000000000");
  assert.equal(hex(2n ** 32n - 1n), "ff00000000");
  assert.equal(hex(2n ** 32n), "8080808010");
  assert.equal(hex(2n ** 32n + 2n ** 31n), "8080808018");
});
