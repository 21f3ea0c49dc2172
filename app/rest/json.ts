// Protobuf ⇄ Cosmos JSON for the REST gateway, driven by the descriptors of proto/ (gen/descriptor-set.ts), so a
// message added to a .proto is mapped after the next build with no code here.
//
// Cosmos JSON is what the SDK's grpc-gateway writes (gogo jsonpb with OrigName and EmitDefaults): proto field
// names, every field emitted (an unset message or empty bytes as null, an empty list as []), 64-bit integers as
// strings, bytes as base64, enums by name, Any as {"@type": …, …fields}.
import {
  createFileRegistry,
  fromBinary,
  getExtension,
  hasExtension,
  fromJson,
  fromJsonString,
  ScalarType,
  toBinary,
  toJson,
  type DescField,
  type DescMessage,
  type FileRegistry,
  type JsonObject,
  type JsonValue,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { DescriptorSetBase64 } from "../../gen/descriptor-set.js";
import { formatDec } from "../decimal.js";
import { Errors } from "../errors.js";

let registry: FileRegistry | undefined;
/** Every message and service of proto/ (built once, on first use). */
export function protoRegistry(): FileRegistry {
  registry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, Buffer.from(DescriptorSetBase64, "base64")));
  return registry;
}

export function messageType(typeName: string): DescMessage {
  const desc = protoRegistry().getMessage(typeName);
  if (!desc) throw new Error(`${typeName} is not described in proto/`);
  return desc;
}

/** The SDK's legacy decimal type (gogoproto customtype): its wire form is the 18-digit atomics ("100000000000000000",
 *  in a bytes field as their UTF-8), its JSON form has the point ("0.100000000000000000"). Gov v1's decimals are
 *  plain strings (cosmos_proto.scalar only) and pass through unchanged. */
const LegacyDecType = "cosmossdk.io/math.LegacyDec";
const legacyDecFields = new WeakMap<DescField, boolean>();
function isLegacyDec(field: DescField): boolean {
  let known = legacyDecFields.get(field);
  if (known === undefined) {
    const ext = protoRegistry().getExtension("gogoproto.customtype");
    const options = field.proto.options;
    known = ext !== undefined && options !== undefined && hasExtension(options, ext) && getExtension(options, ext) === LegacyDecType;
    legacyDecFields.set(field, known);
  }
  return known;
}

/** A legacy decimal's JSON text from its protobuf JSON (the atomics string, or base64 of their UTF-8). */
function legacyDecJson(field: DescField, value: JsonValue | undefined): JsonValue {
  let atomics = typeof value === "string" ? value : "";
  if (field.scalar === ScalarType.BYTES) atomics = Buffer.from(atomics, "base64").toString("utf8");
  if (atomics === "") return formatDec(0n);
  if (!/^-?[0-9]+$/.test(atomics)) throw Errors.internal.with(`${field.parent.typeName}.${field.name}: ${JSON.stringify(atomics.slice(0, 40))} is not a decimal's atomics`);
  return formatDec(BigInt(atomics));
}

/** Types whose JSON is a string or a special form: not walked field by field. */
const SpecialJson = new Set([
  "google.protobuf.Timestamp",
  "google.protobuf.Duration",
  "google.protobuf.Struct",
  "google.protobuf.Value",
  "google.protobuf.ListValue",
  "google.protobuf.FieldMask",
]);
const isWrapper = (desc: DescMessage) => desc.typeName.startsWith("google.protobuf.") && desc.typeName.endsWith("Value");

/** Cosmos JSON of a protobuf-encoded message of type `typeName`. */
export function toCosmosJson(typeName: string, bytes: Uint8Array): JsonValue {
  const desc = messageType(typeName);
  const reg = protoRegistry();
  const json = toJson(desc, fromBinary(desc, bytes), { registry: reg, useProtoFieldName: true, alwaysEmitImplicit: true });
  return emitUnset(desc, json);
}

/** What jsonpb with EmitDefaults writes and protobuf JSON leaves out: null for an unset message field and for
 *  empty bytes, at every depth (inside Any too). */
function emitUnset(desc: DescMessage, json: JsonValue): JsonValue {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return json;
  if (SpecialJson.has(desc.typeName) || isWrapper(desc)) return json;
  if (desc.typeName === "google.protobuf.Any") {
    const packed = typeof json["@type"] === "string" ? protoRegistry().getMessage(json["@type"].replace(/^.*\//, "")) : undefined;
    if (!packed || SpecialJson.has(packed.typeName) || isWrapper(packed)) return json;
    const inner = emitUnset(packed, json);
    return { "@type": json["@type"], ...(inner as JsonObject) };
  }
  const out: JsonObject = {};
  for (const field of desc.fields) {
    const value = json[field.name];
    if (field.oneof && !field.oneof.name.startsWith("_") && value === undefined) continue; // unset oneof members stay out
    out[field.name] = emitField(field, value);
  }
  return out;
}

function emitField(field: DescField, value: JsonValue | undefined): JsonValue {
  switch (field.fieldKind) {
    case "message":
      return value === undefined ? null : emitUnset(field.message, value);
    case "list":
      if (field.listKind === "message" && Array.isArray(value)) return value.map((v) => emitUnset(field.message, v));
      return value ?? [];
    case "map":
      if (field.mapKind === "message" && value && typeof value === "object" && !Array.isArray(value)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, emitUnset(field.message, v)]));
      }
      return value ?? {};
    case "scalar":
      if (isLegacyDec(field)) return legacyDecJson(field, value);
      if (field.scalar === ScalarType.BYTES && (value === "" || value === undefined)) return null;
      return value ?? null;
    default:
      return value ?? null;
  }
}

type AnyShape = { typeUrl: string; value: Uint8Array };

/** Cosmos type URLs are "/<type>", but the JSON parser packs an Any as "type.googleapis.com/<type>": put the
 *  "/" form back, at every depth (inside packed values too). */
function cosmosTypeUrls(desc: DescMessage, message: Record<string, unknown>): void {
  const fixAny = (any: AnyShape) => {
    const name = any.typeUrl.replace(/^.*\//, "");
    any.typeUrl = "/" + name;
    const packed = protoRegistry().getMessage(name);
    if (!packed) return;
    const inner = fromBinary(packed, any.value) as unknown as Record<string, unknown>;
    cosmosTypeUrls(packed, inner);
    any.value = toBinary(packed, inner as never);
  };
  const visit = (fieldDesc: DescMessage, value: unknown) => {
    if (value === undefined || value === null) return;
    if (fieldDesc.typeName === "google.protobuf.Any") fixAny(value as AnyShape);
    else cosmosTypeUrls(fieldDesc, value as Record<string, unknown>);
  };
  for (const field of desc.fields) {
    const holder = field.oneof ? (message[field.oneof.localName] as { case?: string; value?: unknown } | undefined) : undefined;
    const value = field.oneof ? (holder?.case === field.localName ? holder.value : undefined) : message[field.localName];
    if (field.fieldKind === "message") visit(field.message, value);
    else if (field.fieldKind === "list" && field.listKind === "message") for (const v of (value as unknown[]) ?? []) visit(field.message, v);
    else if (field.fieldKind === "map" && field.mapKind === "message") for (const v of Object.values((value as object) ?? {})) visit(field.message, v);
  }
}

/** The request message from a JSON body (strict: bad JSON, duplicate keys, unknown fields and wrong types are
 *  invalid requests), protobuf-encoded. */
export function requestFromBody(typeName: string, body: string): Uint8Array {
  const desc = messageType(typeName);
  try {
    const message = fromJsonString(desc, body, { registry: protoRegistry() });
    cosmosTypeUrls(desc, message as unknown as Record<string, unknown>);
    return toBinary(desc, message);
  } catch (e) {
    throw Errors.invalidRequest.with(`request body is not a valid ${typeName}: ${(e as Error).message}`);
  }
}

/**
 * The request message from path variables and query parameters, as grpc-gateway reads them: a parameter names
 * a field by its proto (or JSON) name, nested fields with dots (pagination.limit); a repeated field may be
 * given several times; parameters that name no field are ignored (as the SDK does). Values are parsed as the
 * field's JSON form, so a wrong type is an invalid request.
 */
export function requestFromParams(typeName: string, pathVars: ReadonlyMap<string, string>, query: URLSearchParams, body?: string): Uint8Array {
  const desc = messageType(typeName);
  const json: JsonObject = body === undefined ? {} : parseBodyObject(typeName, body);
  const set = (names: string[], values: string[], source: string) => {
    let scope = desc;
    let target = json;
    for (let i = 0; i < names.length; i++) {
      const field = scope.fields.find((f) => f.name === names[i] || f.jsonName === names[i]);
      if (!field) return;
      if (i < names.length - 1) {
        if (field.fieldKind !== "message") return;
        const next = target[field.name];
        target = (next && typeof next === "object" && !Array.isArray(next) ? next : (target[field.name] = {})) as JsonObject;
        scope = field.message;
        continue;
      }
      target[field.name] = paramValue(field, values, source);
    }
  };
  for (const key of new Set(query.keys())) set(key.split("."), query.getAll(key), `query parameter ${key}`);
  for (const [name, value] of pathVars) set([name], [value], `path variable {${name}}`);
  try {
    const message = fromJson(desc, json, { registry: protoRegistry() });
    cosmosTypeUrls(desc, message as unknown as Record<string, unknown>);
    return toBinary(desc, message);
  } catch (e) {
    throw Errors.invalidRequest.with(`invalid ${typeName}: ${(e as Error).message}`);
  }
}

function parseBodyObject(typeName: string, body: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    throw Errors.invalidRequest.with(`request body is not JSON: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw Errors.invalidRequest.with(`request body must be a JSON object (${typeName})`);
  return parsed as JsonObject;
}

/** A query/path string as the JSON value of the field (the JSON parser then checks it). */
function paramValue(field: DescField, values: string[], source: string): JsonValue {
  const one = (text: string): JsonValue => {
    if (field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message") || field.fieldKind === "map") {
      throw Errors.invalidRequest.with(`${source} names a message field; give its fields (${field.name}.<field>)`);
    }
    const isEnum = field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum");
    if (isEnum) return /^-?\d+$/.test(text) ? Number(text) : text;
    const scalar = field.scalar;
    if (scalar === ScalarType.BOOL) {
      if (text === "true" || text === "false") return text === "true";
      throw Errors.invalidRequest.with(`${source} must be true or false, got ${JSON.stringify(text.slice(0, 40))}`);
    }
    return text;
  };
  if (field.fieldKind === "list") return values.map(one);
  if (values.length > 1) throw Errors.invalidRequest.with(`${source} given ${values.length} times`);
  return one(values[0]);
}
