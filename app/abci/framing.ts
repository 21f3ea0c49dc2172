// ABCI socket framing (CometBFT >= v0.37): every message is
//
//     uvarint(len(body)) ‖ body
//
// where the prefix is an UNSIGNED protobuf/LEB128 varint (Go binary.PutUvarint /
// binary.ReadUvarint) and body is a protobuf-encoded tendermint.abci.Request or
// tendermint.abci.Response. Not zigzag: v0.34 used a signed varint, which is why
// old JS ABCI servers desynchronise against v0.37+ nodes.
import { uvarintSize, writeUvarint } from "../varint.js";

/** Default upper bound for one frame body: 512 MiB. CometBFT caps blocks at 100 MiB, but InitChain carries
 *  the whole genesis app_state, uncapped: a genesis of 1,000,000 funded accounts is ~160 MB of JSON. The
 *  socket is loopback or a 0600 unix socket, so only a local process can send a large prefix. */
export const DEFAULT_MAX_FRAME_SIZE = 512 * 1024 * 1024;

/** An unsigned varint never needs more than 10 bytes for a 64-bit value. */
const MAX_VARINT_BYTES = 10;

/** Thrown by FrameDecoder on an oversize length or an invalid length prefix. */
export class FrameError extends Error {
  override name = "FrameError";
}

export { uvarintSize, writeUvarint };

/** The uvarint length prefix for a body of `length` bytes. */
export function encodeLengthPrefix(length: number): Uint8Array {
  const out = new Uint8Array(uvarintSize(length));
  writeUvarint(length, out, 0);
  return out;
}

/** One complete frame: length prefix followed by a copy of body. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const prefixLen = uvarintSize(body.length);
  const out = new Uint8Array(prefixLen + body.length);
  writeUvarint(body.length, out, 0);
  out.set(body, prefixLen);
  return out;
}

export interface FrameDecoderOptions {
  /** Largest accepted body length in bytes (default DEFAULT_MAX_FRAME_SIZE). */
  maxFrameSize?: number;
}

/**
 * Incremental decoder: feed it arbitrary chunks with push(); it returns the bodies of the
 * frames completed by that chunk, in order.
 *
 * Cost is linear in the bytes fed:
 *  - frames lying wholly inside one chunk are returned as zero-copy subarray views of that
 *    chunk (so the caller must not mutate a chunk after pushing it; Node socket chunks are
 *    never reused, which makes this safe for the server);
 *  - a frame spread over several chunks is copied exactly once, into a buffer allocated at
 *    its final size as soon as its length prefix is known;
 *  - a length prefix split across chunks is kept in a 10-byte scratch area.
 *
 * After an error (oversize or malformed prefix) the decoder is poisoned: every later push
 * throws the same error, since the stream can no longer be resynchronised.
 */
export class FrameDecoder {
  readonly maxFrameSize: number;

  // Partial length prefix carried over from the previous chunk.
  private readonly prefix = new Uint8Array(MAX_VARINT_BYTES);
  private prefixLen = 0;
  // Partial body carried over from the previous chunk (allocated at its full size).
  private body: Uint8Array | null = null;
  private bodyFilled = 0;
  private failed: FrameError | null = null;

  constructor(opts: FrameDecoderOptions = {}) {
    const max = opts.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`invalid maxFrameSize ${max}`);
    this.maxFrameSize = max;
  }

  /** Bytes of an incomplete frame currently held (prefix or body). */
  get bufferedBytes(): number {
    return this.body !== null ? this.bodyFilled : this.prefixLen;
  }

  /** Feeds a chunk; returns the complete frame bodies it finished (possibly none). */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw this.failed;
    const out: Uint8Array[] = [];
    let pos = 0;
    const end = chunk.length;

    while (pos < end) {
      // 1. Continue a body that started in an earlier chunk.
      if (this.body !== null) {
        const want = this.body.length - this.bodyFilled;
        const take = Math.min(want, end - pos);
        this.body.set(chunk.subarray(pos, pos + take), this.bodyFilled);
        this.bodyFilled += take;
        pos += take;
        if (this.bodyFilled === this.body.length) {
          out.push(this.body);
          this.body = null;
          this.bodyFilled = 0;
        }
        continue;
      }

      // 2. Read a length prefix (possibly continuing one split across chunks).
      let length = -1;
      if (this.prefixLen === 0) {
        // Fast path: try to read the prefix straight from the chunk.
        const r = this.readUvarint(chunk, pos, end);
        if (r !== null) {
          length = r.value;
          pos = r.next;
        } else {
          // Incomplete prefix at the end of the chunk: stash it.
          this.stashPrefix(chunk, pos, end);
          pos = end;
          break;
        }
      } else {
        // Slow path: append bytes to the stashed prefix one at a time until it completes.
        while (pos < end && length < 0) {
          this.prefix[this.prefixLen++] = chunk[pos++];
          const r = this.readUvarint(this.prefix, 0, this.prefixLen);
          if (r !== null) {
            length = r.value;
            this.prefixLen = 0;
          }
        }
        if (length < 0) break; // chunk exhausted, prefix still incomplete
      }

      // 3. Body: zero-copy view if wholly present, otherwise start a carried-over buffer.
      if (end - pos >= length) {
        out.push(chunk.subarray(pos, pos + length));
        pos += length;
      } else {
        this.body = new Uint8Array(length);
        this.body.set(chunk.subarray(pos, end), 0);
        this.bodyFilled = end - pos;
        pos = end;
      }
    }
    return out;
  }

  private stashPrefix(chunk: Uint8Array, pos: number, end: number): void {
    // readUvarint returned null, so the remaining bytes are < MAX_VARINT_BYTES, all with
    // the continuation bit set, and their partial value is within the limit.
    this.prefix.set(chunk.subarray(pos, end), 0);
    this.prefixLen = end - pos;
  }

  /**
   * Reads a uvarint from buf[pos, end). Returns null if the varint is incomplete; throws (and
   * poisons the decoder) if it is over-long or its value exceeds maxFrameSize. The limit is
   * checked while accumulating, so a hostile prefix is rejected as early as possible.
   */
  private readUvarint(buf: Uint8Array, pos: number, end: number): { value: number; next: number } | null {
    let value = 0;
    let mul = 1;
    const n = Math.min(end - pos, MAX_VARINT_BYTES);
    for (let i = 0; i < n; i++) {
      const b = buf[pos + i];
      value += (b & 0x7f) * mul;
      if (value > this.maxFrameSize) {
        this.fail(
          new FrameError(`ABCI frame: body length ${value}${b & 0x80 ? "+" : ""} exceeds the maximum of ${this.maxFrameSize} bytes`),
        );
      }
      if ((b & 0x80) === 0) return { value, next: pos + i + 1 };
      mul *= 128;
    }
    if (n === MAX_VARINT_BYTES) this.fail(new FrameError("ABCI frame: length prefix longer than 10 bytes"));
    return null;
  }

  private fail(err: FrameError): never {
    this.failed = err;
    this.prefixLen = 0;
    this.body = null;
    throw err;
  }
}
