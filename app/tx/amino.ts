// SIGN_MODE_LEGACY_AMINO_JSON (D13): the sign bytes Keplr's and Ledger's amino signing produce, rebuilt from a
// decoded tx. The document is the Cosmos SDK's StdSignDoc (x/auth/migrations/legacytx, x/tx/signing/aminojson):
//   {"account_number":"N","chain_id":…,"fee":{"amount":[…],"gas":"N"},"memo":…,"msgs":[{"type":<amino name>,
//    "value":{…}}],"sequence":"N"[,"timeout_height":"N"]}
// with keys sorted at every level, no whitespace, and strings escaped as Go's encoding/json does (<, >, & and
// U+2028/U+2029 as \uXXXX). A message's value follows the SDK's amino JSON rules: proto field names, a field
// at its zero value left out (Go's omitempty) unless the SDK marks it amino.dont_omitempty, 64-bit integers as
// strings, bytes as base64, enums as numbers. The SDK's own messages keep their amino names
// ("cosmos-sdk/MsgSend", …); qos messages are registered as "qos/<Message>" (see aminoNames).
//
// The encoder works from the generated field tables (gen/json-fields.ts) with an explicit work stack (no
// recursion on what a sender wrote) and stops as soon as the document passes its size cap.
import { toBase64 } from "@cosmjs/encoding";
import { JsonFields, type JsonField } from "../../gen/json-fields.js";
import { TypeUrl } from "../../gen/names.js";
import { Errors } from "../errors.js";

/** The Cosmos SDK's amino names of the cosmos.* messages QOS accepts (their RegisterAminoMsg names). */
export const CosmosAminoNames: Readonly<Record<string, string>> = {
  [TypeUrl.cosmos.bank.v1beta1.MsgSend]: "cosmos-sdk/MsgSend",
  [TypeUrl.cosmos.staking.v1beta1.MsgDelegate]: "cosmos-sdk/MsgDelegate",
  [TypeUrl.cosmos.staking.v1beta1.MsgUndelegate]: "cosmos-sdk/MsgUndelegate",
  [TypeUrl.cosmos.staking.v1beta1.MsgBeginRedelegate]: "cosmos-sdk/MsgBeginRedelegate",
  [TypeUrl.cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward]: "cosmos-sdk/MsgWithdrawDelegationReward",
  [TypeUrl.cosmos.gov.v1beta1.MsgVote]: "cosmos-sdk/MsgVote",
  [TypeUrl.cosmos.gov.v1.MsgVote]: "cosmos-sdk/v1/MsgVote",
};

/** Fields the SDK's protos mark (amino.dont_omitempty): written even at their zero value. */
const DontOmitEmpty: ReadonlySet<string> = new Set([
  "cosmos.base.v1beta1.Coin.amount",
  "cosmos.bank.v1beta1.MsgSend.amount",
  "cosmos.staking.v1beta1.MsgDelegate.amount",
  "cosmos.staking.v1beta1.MsgUndelegate.amount",
  "cosmos.staking.v1beta1.MsgBeginRedelegate.amount",
  "cosmos.gov.v1beta1.MsgVote.proposal_id",
  "cosmos.gov.v1.MsgVote.proposal_id",
]);

/** Go's amino names are at most 39 characters (the SDK refuses longer ones: Ledger's display limit). */
const MaxAminoNameLength = 39;

/**
 * Amino names of the qos messages: "qos/<Message>", or "qos/<module>/<Message>" for a message name that a
 * package sorting earlier already holds (qos.qcp.v1.MsgTransfer → "qos/qcp/MsgTransfer", after
 * qos.bank.v1.MsgTransfer → "qos/MsgTransfer"). Computed from every qos message the protos define, so a name
 * never depends on which modules a chain profile runs, and clients derive the same table (client/amino.ts).
 */
function qosAminoNames(): Map<string, string> {
  const typeUrls: string[] = [];
  for (const [module, versions] of Object.entries(TypeUrl.qos)) {
    for (const messages of Object.values(versions as Record<string, Record<string, unknown>>)) {
      for (const [name, typeUrl] of Object.entries(messages)) {
        if (typeof typeUrl === "string" && name.startsWith("Msg") && !name.endsWith("Response") && module !== "") typeUrls.push(typeUrl);
      }
    }
  }
  typeUrls.sort();
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const typeUrl of typeUrls) {
    const [, module, , message] = typeUrl.slice(1).split(".");
    let name = `qos/${message}`;
    if (taken.has(name)) name = `qos/${module}/${message}`;
    if (name.length > MaxAminoNameLength) throw new Error(`amino name ${name} of ${typeUrl} is longer than ${MaxAminoNameLength} characters`);
    taken.add(name);
    names.set(typeUrl, name);
  }
  return names;
}
const QosAminoNames = qosAminoNames();

/** A message type's amino name; undefined when it cannot be signed in amino JSON. */
export function aminoNameOf(typeUrl: string): string | undefined {
  return CosmosAminoNames[typeUrl] ?? QosAminoNames.get(typeUrl);
}

/** every amino name → its type URL (clients: AminoTypes converters) */
export function aminoTypeUrls(): Map<string, string> {
  const all = new Map<string, string>();
  for (const [typeUrl, name] of [...Object.entries(CosmosAminoNames), ...QosAminoNames]) all.set(name, typeUrl);
  return all;
}

/** A string as Go's encoding/json writes it (HTML-safe: <, >, & escaped; U+2028 and U+2029 escaped). */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

// descriptor type numbers (google.protobuf.FieldDescriptorProto.Type)
const T = { double: 1, float: 2, int64: 3, uint64: 4, int32: 5, fixed64: 6, fixed32: 7, bool: 8, string: 9, message: 11, bytes: 12, uint32: 13, enum: 14, sfixed32: 15, sfixed64: 16, sint32: 17, sint64: 18 } as const;
const Int64Types: ReadonlySet<number> = new Set([T.int64, T.uint64, T.fixed64, T.sfixed64, T.sint64]);
const Int32Types: ReadonlySet<number> = new Set([T.int32, T.uint32, T.fixed32, T.sfixed32, T.sint32, T.enum]);

/** a message type's fields sorted by proto name (the JSON key order), each with its dont_omitempty mark */
const sortedFieldsCache = new Map<string, ReadonlyArray<{ field: JsonField; keepEmpty: boolean }>>();
function sortedFields(typeName: string): ReadonlyArray<{ field: JsonField; keepEmpty: boolean }> {
  let fields = sortedFieldsCache.get(typeName);
  if (!fields) {
    const table = JsonFields[typeName];
    if (!table) throw Errors.noAminoJson.with(`no field table for ${typeName}`);
    fields = [...table].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((field) => ({ field, keepEmpty: DontOmitEmpty.has(`${typeName}.${field[0]}`) }));
    sortedFieldsCache.set(typeName, fields);
  }
  return fields;
}

/** a field value at its proto3 zero value (left out unless dont_omitempty) */
function isEmpty(type: number, repeated: boolean, value: unknown): boolean {
  if (repeated) return !Array.isArray(value) || value.length === 0;
  if (value === undefined || value === null) return true;
  if (type === T.message) return false;
  if (type === T.bytes) return (value as Uint8Array).length === 0;
  return value === "" || value === false || value === 0 || value === 0n;
}

/** work item: text to append, or a value of a field type to encode */
type Task = string | { type: number; typeName: string; value: unknown };

/**
 * The amino JSON of one message (its value, without the {type, value} wrapper) as the SDK writes it.
 * `maxLength` bounds the output (characters); throws aminoJsonTooLarge past it and noAminoJson for a field
 * amino JSON cannot carry in this chain (floats, maps).
 */
export function aminoJson(typeName: string, message: unknown, maxLength: number): string {
  const out: string[] = [];
  let length = 0;
  const stack: Task[] = [{ type: T.message, typeName, value: message }];
  while (stack.length > 0) {
    const task = stack.pop()!;
    let text: string;
    if (typeof task === "string") {
      text = task;
    } else {
      const { type, typeName: name, value } = task;
      if (type === T.message) {
        // "{", then the fields in key order (pushed in reverse), then "}"
        const record = (value ?? {}) as Record<string, unknown>;
        const present = sortedFields(name).filter(({ field: [, property, ftype, repeated], keepEmpty }) => keepEmpty || !isEmpty(ftype, repeated, record[property]));
        stack.push("}");
        for (let i = present.length - 1; i >= 0; i--) {
          const { field: [key, property, ftype, repeated, fieldType] } = present[i];
          const v = record[property];
          if (repeated) {
            if (v !== undefined && !Array.isArray(v)) throw Errors.noAminoJson.with(`${name}.${key} is a map`);
            const items = (v ?? []) as unknown[];
            stack.push("]");
            for (let j = items.length - 1; j >= 0; j--) {
              stack.push({ type: ftype, typeName: fieldType, value: items[j] });
              if (j > 0) stack.push(",");
            }
            stack.push(`${i > 0 ? "," : ""}${goJsonString(key)}:[`);
          } else {
            stack.push({ type: ftype, typeName: fieldType, value: v });
            stack.push(`${i > 0 ? "," : ""}${goJsonString(key)}:`);
          }
        }
        text = "{";
      } else if (type === T.string) {
        text = goJsonString((value ?? "") as string);
      } else if (type === T.bool) {
        text = value ? "true" : "false";
      } else if (Int64Types.has(type)) {
        text = `"${BigInt((value ?? 0n) as bigint).toString()}"`;
      } else if (Int32Types.has(type)) {
        const n = (value ?? 0) as number;
        if (!Number.isSafeInteger(n)) throw Errors.noAminoJson.with(`a 32-bit field holds ${String(n)}`);
        text = String(n);
      } else if (type === T.bytes) {
        text = `"${toBase64((value ?? new Uint8Array()) as Uint8Array)}"`;
      } else {
        throw Errors.noAminoJson.with(`field type ${type} (floating point) has no amino JSON form in QOS (D7)`);
      }
    }
    length += text.length;
    if (length > maxLength) throw Errors.aminoJsonTooLarge.with(`more than ${maxLength} characters`);
    out.push(text);
  }
  return out.join("");
}

export interface AminoSignDocInput {
  chainId: string;
  accountNumber: bigint;
  sequence: bigint;
  timeoutHeight: bigint;
  memo: string;
  fee: { amount: ReadonlyArray<{ denom: string; amount: string }>; gasLimit: bigint; payer: string; granter: string };
  /** each message's amino name, full protobuf type name and decoded value */
  msgs: ReadonlyArray<{ aminoName: string; typeName: string; value: unknown }>;
}

/** The StdSignDoc without account number and sequence (the same for every signer): "chain_id" … "msgs" */
export function aminoSignDocBody(doc: Omit<AminoSignDocInput, "accountNumber" | "sequence">, maxLength: number): { middle: string; timeout: string } {
  let budget = maxLength;
  const take = (s: string) => {
    budget -= s.length;
    if (budget < 0) throw Errors.aminoJsonTooLarge.with(`more than ${maxLength} characters`);
    return s;
  };
  const coins = doc.fee.amount.map((c) => take(aminoJson("cosmos.base.v1beta1.Coin", c, budget)));
  const fee =
    `{"amount":[${coins.join(",")}],` +
    (doc.fee.granter ? `"gas":"${doc.fee.gasLimit}","granter":${goJsonString(doc.fee.granter)}` : `"gas":"${doc.fee.gasLimit}"`) +
    (doc.fee.payer ? `,"payer":${goJsonString(doc.fee.payer)}}` : "}");
  const msgs = doc.msgs.map((m) => take(`{"type":${goJsonString(m.aminoName)},"value":${aminoJson(m.typeName, m.value, budget)}}`));
  const middle = `"chain_id":${goJsonString(doc.chainId)},"fee":${fee},"memo":${goJsonString(doc.memo)},"msgs":[${msgs.join(",")}]`;
  if (middle.length > maxLength) throw Errors.aminoJsonTooLarge.with(`more than ${maxLength} characters`);
  return { middle, timeout: doc.timeoutHeight > 0n ? `,"timeout_height":"${doc.timeoutHeight}"` : "" };
}

/** The signer's sign bytes from the shared part (aminoSignDocBody) and its account number and sequence. */
export function aminoSignBytes(body: { middle: string; timeout: string }, accountNumber: bigint, sequence: bigint): Uint8Array {
  return new TextEncoder().encode(`{"account_number":"${accountNumber}",${body.middle},"sequence":"${sequence}"${body.timeout}}`);
}

/** The whole sign document at once (tests, clients). */
export function aminoSignDoc(doc: AminoSignDocInput, maxLength: number): Uint8Array {
  return aminoSignBytes(aminoSignDocBody(doc, maxLength), doc.accountNumber, doc.sequence);
}
