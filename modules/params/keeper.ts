// One registry of every module's parameters. Key layout: none. The registry stores nothing itself: each
// module declares its params key in its own keeper.ts (app/params.ts storedParams, parsed once per stored
// value) and the registry calls that module's getParams/setParams through a narrow ParamSpace (wired in
// chain/index.ts), validating every value with the module's zod ParamsSchema.
//
// A change is {module, key, value}: `value` is text. For a parameter whose current value is an object it
// must be JSON; for a string parameter it is taken as is (a JSON string literal "…" is unquoted); for a
// number or boolean it is parsed as JSON when it can be, else given as text to the schema (which coerces).
import type { z } from "zod";
import { misspelledDecimals } from "../../app/params.js";
import type { Event } from "../../app/events.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import { ParamsErrors } from "./errors.js";
import { paramChangeEvent } from "./events.js";

export interface ParamChange {
  module: string;
  key: string;
  value: string;
}

/** What the registry needs from a module: its schema and its keeper's getParams/setParams. */
export interface ParamSpace {
  readonly module: string;
  readonly schema: z.ZodType;
  get(store: KVReader): unknown;
  set(store: KVStore, params: any): void;
}

export class ParamsRegistry {
  private readonly spaces = new Map<string, ParamSpace>();

  register(space: ParamSpace): void {
    if (this.spaces.has(space.module)) throw new Error(`params of ${space.module} registered twice`);
    this.spaces.set(space.module, space);
  }

  /** registered module names, sorted */
  modules(): string[] {
    return [...this.spaces.keys()].sort();
  }

  private space(module: string): ParamSpace {
    const space = this.spaces.get(module);
    if (!space) throw ParamsErrors.unknownModule.with(`${JSON.stringify(module)} (known: ${this.modules().join(", ")})`);
    return space;
  }

  get(store: KVReader, module: string): Record<string, unknown> {
    return this.space(module).get(store) as Record<string, unknown>;
  }

  all(store: KVReader): Record<string, unknown> {
    return Object.fromEntries(this.modules().map((m) => [m, this.get(store, m)]));
  }

  /** The parameters each touched module would have after `changes`, validated by the module's schema;
   *  throws unknown module / unknown key / invalid value. Writes nothing. */
  prepare(store: KVReader, changes: readonly ParamChange[]): Map<string, unknown> {
    if (changes.length === 0) throw ParamsErrors.noChanges.with();
    const next = new Map<string, Record<string, unknown>>();
    for (const change of changes) {
      const space = this.space(change.module);
      const current = next.get(change.module) ?? { ...this.get(store, change.module) };
      const shape = (space.schema as { shape?: Record<string, unknown> }).shape ?? {};
      if (!(change.key in current) && !(change.key in shape)) {
        throw ParamsErrors.unknownKey.with(`${change.module} has no parameter ${JSON.stringify(change.key)} (it has ${Object.keys(shape).join(", ")})`);
      }
      current[change.key] = parseValue(change, current[change.key]);
      next.set(change.module, current);
    }
    const out = new Map<string, unknown>();
    for (const [module, params] of next) {
      const parsed = this.space(module).schema.safeParse(params);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(params)"}: ${i.message}`).join("; ");
        throw ParamsErrors.invalidValue.with(`${module}: ${issues}`);
      }
      out.set(module, parsed.data);
    }
    return out;
  }

  /** No state: refuses (params 4) a change that spells a decimal other than its one way ("0.10" for "0.1"), so a
   *  proposal is refused in CheckTx before it costs a fee. Unknown modules and keys and values the schema refuses
   *  are left to prepare, at execution. */
  checkSpelling(changes: readonly ParamChange[]): void {
    for (const change of changes) {
      const space = this.spaces.get(change.module);
      if (!space) continue;
      let value: unknown = change.value;
      if (/^[{"]/.test(change.value)) {
        try {
          value = JSON.parse(change.value);
        } catch {
          continue;
        }
      }
      const misspelled = misspelledDecimals(space.schema, { [change.key]: value }, change.module);
      if (misspelled.length > 0) throw ParamsErrors.invalidValue.with(`${misspelled.join("; ")} in a proposal (no sign, spaces, leading or trailing zeros)`);
    }
  }

  /** Validates and writes `changes` (governance only); one event per change. */
  apply(store: KVStore, events: Event[], changes: readonly ParamChange[]): void {
    const next = this.prepare(store, changes);
    for (const [module, params] of next) this.space(module).set(store, params);
    for (const c of changes) events.push(paramChangeEvent(c.module, c.key, c.value));
  }
}

function parseValue(change: ParamChange, current: unknown): unknown {
  const text = change.value;
  const json = (): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  if (current !== null && typeof current === "object") {
    const value = json();
    if (value === undefined) throw ParamsErrors.invalidValue.with(`${change.module}.${change.key} is an object: give it as JSON`);
    return value;
  }
  if (typeof current === "number" || typeof current === "boolean") {
    const value = json();
    return value === undefined ? text : value;
  }
  if (text.startsWith('"')) {
    const value = json();
    if (typeof value === "string") return value;
  }
  return text;
}
