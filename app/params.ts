// A module's parameters in the store: JSON under one key, validated by the module's zod schema on the
// way in and out. Read on hot paths (every tx reads auth's), so a stored value is parsed once: values
// are replaced, never mutated, and callers must not mutate what they get.
import { z } from "zod";
import { parseDec } from "./decimal.js";
import type { KVReader, KVStore } from "./state/kv.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface StoredParams<T> {
  get(store: KVReader): T;
  set(store: KVStore, value: T): void;
}

export function storedParams<T>(key: string, schema: z.ZodType<T>, defaults: T): StoredParams<T> {
  const parsed = new WeakMap<Uint8Array, T>();
  return {
    get(store) {
      const raw = store.get(key);
      if (!raw) return defaults;
      let value = parsed.get(raw);
      if (value === undefined) parsed.set(raw, (value = schema.parse(JSON.parse(decoder.decode(raw)))));
      return value;
    },
    set(store, value) {
      store.set(key, encoder.encode(JSON.stringify(schema.parse(value))));
    },
  };
}

/** A parameter that is a decimal string between 0 and 1 inclusive ("0.05"): rates, fractions, quorums. */
export const fractionString = z.string().refine((s) => {
  try {
    const v = parseDec(s);
    return v >= 0n && v <= 10n ** 18n;
  } catch {
    return false;
  }
}, "a decimal between 0 and 1");
