// Strict protobuf wire validation (D11), run on every byte a sender controls before a generated decoder
// (cosmjs-types, ts-proto) sees it.
//
// Why: the generated decoders skip unknown fields recursively, so nested groups (wire types 3/4) make them
// recurse once per level; ~10,000 levels fit in 20 KB and overflow the JS stack at a depth that depends on
// the Node version, the stack size and JIT state. Caught as a decode error, that decided a tx's code (and so
// the app hash) by the engine, not by the bytes: a fork. This validator walks the bytes with an explicit
// stack, bounded by MaxMessageDepth, and refuses everything a strict decoder should refuse, so that what
// reaches the generated decoders is flat (no groups, no unknown fields, depth ≤ MaxMessageDepth):
//   - group wire types 3/4 and the invalid wire types 6/7, anywhere;
//   - field number 0 or above 2^29−1, tags or lengths longer than 5 bytes, varints longer than 10 bytes,
//     truncated varints and fixed values, lengths past the end of the enclosing message;
//   - unknown fields (except, where the caller allows it, at or above a field number: TxBody's
//     non-critical extensions ≥ 1024, which are still checked for well-formedness and then skipped);
//   - a wire type the field's declared type cannot have (repeated numeric fields may be packed);
//   - a non-repeated field, or two members of one oneof, appearing twice (generated decoders disagree
//     on merge vs replace; a strict decoder has one meaning for each byte string);
//   - strings that are not valid UTF-8 (different bytes would otherwise decode to the same string).
// google.protobuf.Any values whose type URL names a known message are validated as that message;
// others are left opaque (their consumer refuses the type or validates them itself, see decodeMsg).
// The schemas come from the .proto files (gen/wire-schema.ts, written by scripts/gen-proto.mjs).
import { WireMethods, WireSchemas } from "../../gen/wire-schema.js";
import { Errors } from "../errors.js";

/** Deepest nesting of messages (an Any and the message in it count as two levels). QOS's deepest tx is < 10. */
export const MaxMessageDepth = 32;

/** TxBody fields from this number up are non-critical extensions (the Cosmos SDK's rule): skipped if unknown. */
export const NonCriticalFieldStart = 1024;

const MaxFieldNumber = 2 ** 29 - 1;

type Kind = "v" | "i32" | "i64" | "s" | "b" | "m";

export interface Field {
  readonly kind: Kind;
  readonly repeated: boolean;
  /** key for "seen": the field number, or −(oneof index + 1) for a oneof member */
  readonly once: number;
  message?: Schema;
}

export interface Schema {
  readonly name: string;
  readonly fields: ReadonlyMap<number, Field>;
  readonly isAny: boolean;
}

const schemas = new Map<string, Schema>();
for (const [name, fields] of Object.entries(WireSchemas)) {
  const map = new Map<number, Field>();
  schemas.set(name, { name, fields: map, isAny: name === "google.protobuf.Any" });
}
for (const [name, fields] of Object.entries(WireSchemas)) {
  const map = schemas.get(name)!.fields as Map<number, Field>;
  for (const [number, spec] of Object.entries(fields)) {
    const m = /^(\*?)(v|i32|i64|s|b|m)(?::([\w.]+))?(?:\|(\d+))?$/.exec(spec);
    if (!m) throw new Error(`wire schema ${name}.${number}: cannot read ${JSON.stringify(spec)}`);
    const field: Field = { kind: m[2] as Kind, repeated: m[1] === "*", once: m[4] === undefined ? Number(number) : -(Number(m[4]) + 1) };
    if (field.kind === "m") {
      field.message = schemas.get(m[3]);
      if (!field.message) throw new Error(`wire schema ${name}.${number}: unknown message type ${m[3]}`);
    }
    map.set(Number(number), field);
  }
}

/** The schema of a message by its full name ("cosmos.tx.v1beta1.TxRaw"); throws when the build has none. */
export function schema(name: string): Schema {
  const s = schemas.get(name);
  if (!s) throw new Error(`no wire schema for ${name}: is its .proto under proto/?`);
  return s;
}

/** The schema a type URL ("/qos.bank.v1.MsgTransfer") names, if the build has one. */
export function schemaOfTypeUrl(typeUrl: string): Schema | undefined {
  return schemas.get(typeUrl.slice(typeUrl.lastIndexOf("/") + 1));
}

/** The schema of a gRPC method's request ("/qos.bank.v1.Query/Account"), if the build has one. */
export function requestSchemaOfMethod(path: string): Schema | undefined {
  const name = WireMethods[path];
  return name === undefined ? undefined : schemas.get(name);
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

interface Frame {
  schema: Schema;
  end: number;
  /** where the enclosing message continues when this one is done */
  after: number;
  depth: number;
  seen: Set<number>;
}

class Reader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
  ) {}

  fail(detail: string): never {
    throw Errors.txDecode.with(`cannot decode ${this.what}: ${detail} at byte ${this.pos}`);
  }

  /** A varint of at most 5 bytes whose value fits 32 bits (tags and lengths). */
  uint32(end: number): number {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= end) this.fail("truncated varint");
      const b = this.bytes[this.pos++];
      if (i === 4 && b > 0x0f) this.fail("varint too long for 32 bits");
      value += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) return value;
    }
    return this.fail("varint too long for 32 bits");
  }

  /** Skips a varint of at most 10 bytes (64 bits). */
  skipVarint(end: number): void {
    for (let i = 0; i < 10; i++) {
      if (this.pos >= end) this.fail("truncated varint");
      const b = this.bytes[this.pos++];
      if (i === 9 && b > 0x01) this.fail("varint longer than 64 bits");
      if (b < 0x80) return;
    }
    this.fail("varint longer than 10 bytes");
  }

  skip(n: number, end: number): void {
    if (n > end - this.pos) this.fail(`${n} bytes needed, ${end - this.pos} left`);
    this.pos += n;
  }

  /** Reads a length prefix and returns the end of the bytes it covers. */
  lengthEnd(end: number): number {
    const n = this.uint32(end);
    if (n > end - this.pos) this.fail(`length ${n} runs past the end (${end - this.pos} bytes left)`);
    return this.pos + n;
  }

  /** Reads a tag: [field number, wire type]; groups and invalid wire types refused. */
  tag(end: number): [number, number] {
    const tag = this.uint32(end);
    const field = tag >>> 3; // uint32 read the tag, so the shift is exact
    const wire = tag & 7;
    if (field === 0) this.fail("field number 0");
    if (field > MaxFieldNumber) this.fail(`field number ${field} is too large`);
    if (wire === 3 || wire === 4) this.fail(`field ${field} is a group (wire type ${wire}); groups are not accepted`);
    if (wire > 5) this.fail(`field ${field} has invalid wire type ${wire}`);
    return [field, wire];
  }

  /** Skips the value of a field of wire type 0, 1, 2 or 5. */
  skipValue(wire: number, end: number): void {
    if (wire === 0) this.skipVarint(end);
    else if (wire === 1) this.skip(8, end);
    else if (wire === 5) this.skip(4, end);
    else this.pos = this.lengthEnd(end);
  }
}

export interface ValidateOptions {
  /** unknown fields of the outermost message numbered at least this are skipped instead of refused */
  skipUnknownFrom?: number;
}

/**
 * Validates `bytes` as one encoded `root` message (see the rules above); throws txDecode naming `what`, the
 * problem and its byte offset. Linear in the bytes; never recurses.
 */
export function validateWire(bytes: Uint8Array, root: Schema, what: string, options: ValidateOptions = {}): void {
  const r: Reader = new Reader(bytes, what);
  const stack: Frame[] = [{ schema: root, end: bytes.length, after: bytes.length, depth: 1, seen: new Set() }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (r.pos === frame.end) {
      stack.pop();
      r.pos = frame.after;
      continue;
    }
    const [number, wire] = r.tag(frame.end);
    const field = frame.schema.fields.get(number);
    if (!field) {
      if (stack.length === 1 && options.skipUnknownFrom !== undefined && number >= options.skipUnknownFrom) {
        r.skipValue(wire, frame.end);
        continue;
      }
      r.fail(`unknown field ${number} in ${frame.schema.name}`);
    }
    if (!field.repeated) {
      if (frame.seen.has(field.once)) {
        r.fail(field.once < 0 ? `field ${number} of ${frame.schema.name} is a second member of one oneof` : `field ${number} of ${frame.schema.name} appears twice`);
      }
      frame.seen.add(field.once);
    }
    const expect = (ok: boolean) => {
      if (!ok) r.fail(`field ${number} of ${frame.schema.name} has wire type ${wire}, which a ${kindName[field.kind]} cannot have`);
    };
    switch (field.kind) {
      case "v":
      case "i32":
      case "i64": {
        const scalar = field.kind === "v" ? 0 : field.kind === "i32" ? 5 : 1;
        if (wire === scalar) {
          r.skipValue(wire, frame.end);
          break;
        }
        expect(wire === 2 && field.repeated); // packed
        const end = r.lengthEnd(frame.end);
        if (field.kind === "v") {
          while (r.pos < end) r.skipVarint(end);
        } else {
          const size = field.kind === "i32" ? 4 : 8;
          if ((end - r.pos) % size !== 0) r.fail(`packed field ${number} of ${frame.schema.name} is not a whole number of ${size}-byte values`);
          r.pos = end;
        }
        break;
      }
      case "s": {
        expect(wire === 2);
        const end = r.lengthEnd(frame.end);
        try {
          utf8.decode(bytes.subarray(r.pos, end));
        } catch {
          r.fail(`field ${number} of ${frame.schema.name} is not valid UTF-8`);
        }
        r.pos = end;
        break;
      }
      case "b":
        expect(wire === 2);
        r.pos = r.lengthEnd(frame.end);
        break;
      case "m": {
        expect(wire === 2);
        const end = r.lengthEnd(frame.end);
        const inner = field.message!;
        if (frame.depth + 1 > MaxMessageDepth) r.fail(`messages nested deeper than ${MaxMessageDepth} levels`);
        if (!inner.isAny) {
          stack.push({ schema: inner, end, after: end, depth: frame.depth + 1, seen: new Set() });
          break;
        }
        // An Any: read it flat (type_url and value may come in any order), then validate the value as the
        // message its type URL names, one level deeper.
        const any = readAny(r, end);
        const valueSchema = schemaOfTypeUrl(any.typeUrl);
        if (!valueSchema || any.valueStart === any.valueEnd) {
          r.pos = end;
          break;
        }
        if (frame.depth + 2 > MaxMessageDepth) r.fail(`messages nested deeper than ${MaxMessageDepth} levels`);
        r.pos = any.valueStart;
        stack.push({ schema: valueSchema, end: any.valueEnd, after: end, depth: frame.depth + 2, seen: new Set() });
        break;
      }
    }
  }
}

const kindName: Record<Kind, string> = { v: "varint field", i32: "fixed32 field", i64: "fixed64 field", s: "string", b: "bytes field", m: "message" };

/** The fields of a google.protobuf.Any ending at `end` (string type_url = 1, bytes value = 2, each at most once). */
function readAny(r: Reader, end: number): { typeUrl: string; valueStart: number; valueEnd: number } {
  let typeUrl: string | undefined;
  let valueStart = -1;
  let valueEnd = -1;
  while (r.pos < end) {
    const [number, wire] = r.tag(end);
    if ((number !== 1 && number !== 2) || wire !== 2) r.fail(`google.protobuf.Any has field ${number} with wire type ${wire}`);
    const fieldEnd = r.lengthEnd(end);
    if (number === 1) {
      if (typeUrl !== undefined) r.fail("field 1 of google.protobuf.Any appears twice");
      try {
        typeUrl = utf8.decode(r.bytes.subarray(r.pos, fieldEnd));
      } catch {
        r.fail("google.protobuf.Any type_url is not valid UTF-8");
      }
    } else {
      if (valueStart >= 0) r.fail("field 2 of google.protobuf.Any appears twice");
      valueStart = r.pos;
      valueEnd = fieldEnd;
    }
    r.pos = fieldEnd;
  }
  return { typeUrl: typeUrl ?? "", valueStart: Math.max(valueStart, 0), valueEnd: Math.max(valueEnd, 0) };
}
