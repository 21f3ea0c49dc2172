// cosmjs-types' BinaryWriter (telescope's copy of protobufjs' writer) builds a fresh 8 KiB pool on every
// `finish()` and returns a slice of it: each encoding of a few dozen bytes allocates 8 KiB (and the slice
// keeps it alive as long as the result lives). In qosd that was ~11% of CPU plus most of the garbage
// collector's time (SignDoc, account and TxMsgData encodings, the canonical-form re-encodings in
// tx/decode.ts). Allocating exactly the encoded length writes the same bytes, so no result, gas or
// hash can change; it is installed once for the process by importing this module (app.ts does).
import { BinaryWriter } from "cosmjs-types/binary";

BinaryWriter.alloc = (size: number): Uint8Array => new Uint8Array(size);
