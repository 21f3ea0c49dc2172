// ABCI answers encoded straight into one growing buffer per connection, as length-prefixed frames.
//
// cosmjs-types' BinaryWriter allocates an object per field (its list of pending writes), one per nested
// message (fork), measures and writes every string twice in JS, and copies the result once more into a
// frame: a block's FinalizeBlock answer (~1.3 KB and ~30 event attributes per transfer) cost ~50-100 µs
// of CPU per tx that way. The generated `encode(message, writer)` functions accept any writer with the
// methods they call; this one writes each field in place, reserves one byte for a nested message's
// length and moves the message up in the rare case its length needs more. Its bytes are those of
// BinaryWriter for every input (test/unit/abci-frame-writer.test.ts compares them), including the
// stock writer's quirks: 64-bit values and negative int32 go through cosmjs-types' own varint
// functions, and strings with lone surrogates through its own UTF-8 writer.
import type { BinaryWriter } from "cosmjs-types/binary";
import { utf8Length, utf8Write } from "cosmjs-types/utf8";
import { int64FromString, int64Length, writeVarint64 } from "cosmjs-types/varint";

const InitialBytes = 64 * 1024;
/** a buffer grown past this by one large answer (a big query result, a genesis) is let go after it is sent */
const KeepBytes = 16 * 1024 * 1024;
/** up to this many UTF-16 units a string's UTF-8 length is below 128 (3 bytes per unit at most): a 1-byte prefix */
const ShortString = 42;

function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

export class FrameWriter {
  private buf = new Uint8Array(InitialBytes);
  private view = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  /** bytes written and not yet taken */
  length = 0;
  /** where the 1-byte length placeholder of each open nested message (or frame) sits */
  private readonly open: number[] = [];

  /** Appends `uvarint(len(body)) ‖ body` of `encode(message, writer)`; on a throw, nothing is appended. */
  frame<T>(message: T, encode: (message: T, writer: BinaryWriter) => unknown): number {
    const start = this.length;
    const depth = this.open.length;
    try {
      this.fork();
      encode(message, this as unknown as BinaryWriter);
      this.ldelim();
    } catch (e) {
      this.length = start;
      this.open.length = depth;
      throw e;
    }
    return this.length - start;
  }

  /** The frames written so far, copied out; the writer starts again empty. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    out.set(this.buf.subarray(0, this.length));
    this.length = 0;
    if (this.buf.length > KeepBytes) this.resize(InitialBytes);
    return out;
  }

  /** Drops what was written (the connection is gone). */
  clear(): void {
    this.length = 0;
    this.open.length = 0;
    if (this.buf.length > InitialBytes) this.resize(InitialBytes);
  }

  // ── the BinaryWriter methods cosmjs-types' generated encoders call ─────────────────────────────

  uint32(value: number): this {
    value >>>= 0;
    this.reserve(5);
    const buf = this.buf;
    let pos = this.length;
    while (value > 127) {
      buf[pos++] = (value & 127) | 128;
      value >>>= 7;
    }
    buf[pos++] = value;
    this.length = pos;
    return this;
  }

  int32(value: number): this {
    // BinaryWriter: a negative int32 is its 64-bit two's complement, 10 bytes
    return value < 0 ? this.varint64(value, 10) : this.uint32(value);
  }

  int64(value: bigint | number | string): this {
    // below 2^31 the 64-bit path writes the plain varint; everything else takes BinaryWriter's own path
    if (typeof value === "bigint" ? value >= 0n && value < 0x80000000n : typeof value === "number" && value >= 0 && value < 0x80000000 && Number.isInteger(value)) {
      return this.uint32(Number(value));
    }
    return this.varint64(value, undefined);
  }

  uint64(value: bigint | number | string): this {
    return this.int64(value);
  }

  bool(value: boolean): this {
    this.reserve(1);
    this.buf[this.length++] = value ? 1 : 0;
    return this;
  }

  bytes(value: Uint8Array): this {
    const len = value.length >>> 0;
    if (len === 0) return this.byte(0);
    this.uint32(len);
    this.reserve(len);
    this.buf.set(value, this.length);
    this.length += len;
    return this;
  }

  string(value: string): this {
    const units = value.length;
    if (units === 0) return this.byte(0);
    if (units <= ShortString) {
      this.reserve(1 + 3 * units);
      const buf = this.buf;
      const start = this.length + 1;
      let pos = start;
      for (let i = 0; i < units; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80) {
          // not ASCII: BinaryWriter's own UTF-8 writer, into the same place (its length still fits one byte)
          const len = utf8Write(value, buf, start);
          buf[start - 1] = len;
          this.length = start + len;
          return this;
        }
        buf[pos++] = c;
      }
      buf[start - 1] = units;
      this.length = pos;
      return this;
    }
    if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) {
      // a lone surrogate: Node would write U+FFFD, BinaryWriter writes the surrogate's own three bytes
      const len = utf8Length(value);
      this.uint32(len);
      this.reserve(len);
      this.length += utf8Write(value, this.buf, this.length);
      return this;
    }
    const len = Buffer.byteLength(value, "utf8");
    this.uint32(len);
    this.reserve(len);
    this.length += this.view.write(value, this.length, len, "utf8");
    return this;
  }

  fork(): this {
    this.reserve(1);
    this.open.push(this.length++);
    return this;
  }

  ldelim(): this {
    const at = this.open.pop()!;
    const len = this.length - at - 1;
    const size = varintSize(len);
    if (size > 1) {
      this.reserve(size - 1);
      this.buf.copyWithin(at + size, at + 1, this.length);
      this.length += size - 1;
    }
    let pos = at;
    let v = len;
    const buf = this.buf;
    while (v > 127) {
      buf[pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[pos] = v;
    return this;
  }

  // ──────────────────────────────────────────────────────────────────────────────────────────────

  private byte(b: number): this {
    this.reserve(1);
    this.buf[this.length++] = b;
    return this;
  }

  /** BinaryWriter's 64-bit varint: its reserved length (`fixed`, or int64Length), zeroed, then its writer */
  private varint64(value: bigint | number | string, fixed: number | undefined): this {
    const { lo, hi } = int64FromString(value.toString());
    const len = fixed ?? int64Length(lo, hi);
    this.reserve(len);
    this.buf.fill(0, this.length, this.length + len);
    writeVarint64({ lo, hi }, this.buf, this.length);
    this.length += len;
    return this;
  }

  private reserve(n: number): void {
    if (this.length + n > this.buf.length) this.resize(Math.max(2 * this.buf.length, this.length + n));
  }

  private resize(size: number): void {
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, Math.min(this.length, size)));
    this.buf = next;
    this.view = Buffer.from(next.buffer, next.byteOffset, next.byteLength);
  }
}
