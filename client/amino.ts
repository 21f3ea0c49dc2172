// CosmJS AminoTypes converters for the messages CosmJS does not know: every qos message under its amino name
// ("qos/MsgTransfer", …) and cosmos.gov.v1.MsgVote ("cosmos-sdk/v1/MsgVote"). toAmino is the node's own
// encoder (app/tx/amino.ts), so a wallet signs exactly the document the node rebuilds; fromAmino is its
// inverse over the same generated field tables. Use with SigningStargateClient's `aminoTypes` option:
//   new AminoTypes({ ...createDefaultAminoConverters(), ...qosAminoConverters() })
import type { AminoConverters } from "@cosmjs/stargate";
import { fromBase64 } from "@cosmjs/encoding";
import { JsonFields } from "../gen/json-fields.js";
import { aminoJson, aminoTypeUrls, CosmosAminoNames } from "../app/tx/amino.js";

/** far beyond any tx a node accepts: the client encodes what its own user wrote */
const ClientMaxLength = 64 * 1024 * 1024;
const Int64Types = new Set([3, 4, 6, 16, 18]);

/** amino JSON value → the generated codec's object (for Registry.encode, which applies fromPartial) */
function fromAminoValue(typeName: string, json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, property, type, repeated, fieldType] of JsonFields[typeName] ?? []) {
    const value = json[name];
    if (value === undefined || value === null) continue;
    const one = (v: unknown): unknown =>
      type === 11 ? fromAminoValue(fieldType, v as Record<string, unknown>) : type === 12 ? fromBase64(v as string) : Int64Types.has(type) ? BigInt(v as string) : v;
    out[property] = repeated ? (value as unknown[]).map(one) : one(value);
  }
  return out;
}

/** converters for every qos message and for the cosmos.* messages CosmJS's defaults lack */
export function qosAminoConverters(): AminoConverters {
  const converters: AminoConverters = {};
  for (const [aminoType, typeUrl] of aminoTypeUrls()) {
    // CosmJS's defaults already cover these (the same JSON)
    if (CosmosAminoNames[typeUrl] && typeUrl !== "/cosmos.gov.v1.MsgVote") continue;
    const typeName = typeUrl.slice(1);
    converters[typeUrl] = {
      aminoType,
      toAmino: (value: unknown) => JSON.parse(aminoJson(typeName, value, ClientMaxLength)),
      fromAmino: (json: Record<string, unknown>) => fromAminoValue(typeName, json),
    };
  }
  return converters;
}
