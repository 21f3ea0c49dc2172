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
