// A module's parameters in the store: JSON under one key, validated by the module's zod schema on the
// way in and out. Read on hot paths (every tx reads auth's), so a stored value is parsed once: values
// are replaced, never mutated, and callers must not mutate what they get.
import { z } from "zod";
import { canonicalDec, isCanonicalDec, isFraction, tryParseDec } from "./decimal.js";
import { Item, jsonValue, type ValueCodec } from "./state/collections.js";
import type { KVReader, KVStore } from "./state/kv.js";

export interface StoredParams<T> {
  get(store: KVReader): T;
  set(store: KVStore, value: T): void;
}

/** Every module's params: an Item of JSON checked by the schema, whose decoding is remembered per stored
 *  value (a store hands out the same array until the value is replaced). */
export function storedParams<T>(key: string, schema: z.ZodType<T>, defaults: T): StoredParams<T> {
  const json = jsonValue(schema);
  const parsed = new WeakMap<Uint8Array, T>();
  const cached: ValueCodec<T> = {
    encode: json.encode,
    decode(raw) {
      let value = parsed.get(raw);
      if (value === undefined) parsed.set(raw, (value = json.decode(raw)));
      return value;
    },
  };
  const item = new Item(key, cached);
  return { get: (store) => item.getOr(store, defaults), set: (store, value) => item.set(store, value) };
}

/** A parameter that is a decimal string between 0 and 1 inclusive ("0.05"): rates, fractions, quorums. */
export const fractionString = z.string().refine((s) => {
  const v = tryParseDec(s);
  return v !== undefined && isFraction(v);
}, "a decimal between 0 and 1");

/** The decimals (fractionString leaves of `schema`) in `value` that are not in their one spelling
 *  (isCanonicalDec), as "path: text". Stored values are not held to it (genesis defaults keep the SDK's
 *  18-digit form); a value a proposal brings is. Only the keys `value` has are looked at, and only decimals:
 *  what is no decimal at all is the schema's to refuse. */
export function misspelledDecimals(schema: z.ZodType, value: unknown, path: string): string[] {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  if (s === fractionString) {
    const v = typeof value === "string" ? tryParseDec(value) : undefined;
    return v !== undefined && !isCanonicalDec(value as string) ? [`${path} ${JSON.stringify(value)} is spelled ${JSON.stringify(canonicalDec(v))}`] : [];
  }
  if (!(s instanceof z.ZodObject) || value === null || typeof value !== "object") return [];
  const shape = s.shape as Record<string, z.ZodType>;
  return Object.keys(shape).sort().flatMap((key) => (Object.hasOwn(value, key) ? misspelledDecimals(shape[key]!, (value as Record<string, unknown>)[key], `${path}.${key}`) : []));
}
