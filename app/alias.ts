// Message aliases (D13): a cosmos.* message a wallet sends (cosmos.staking.v1beta1.MsgDelegate, …) that
// stands for a qos message. The alias maps its fields to the qos message in checkStateless (refusing what
// has no qos meaning, with the module's code) and then runs the qos handler itself: the same stateless
// checks, the same keeper path and so the same gas for the same state. Only the events change shape: the
// qos handler's events pass through `sdkEvents`, which rewrites the ones wallets and explorers read into
// the Cosmos SDK's attributes.
import type { Event } from "./events.js";
import type { Codec, MsgHandler } from "./module.js";

export interface AliasSpec<A, T, P> {
  /** the cosmos type URL, from gen/names.ts */
  typeUrl: string;
  codec: Codec<A>;
  /** the qos handler the alias stands for */
  target: MsgHandler<T, P>;
  /** who must sign: the cosmos field that maps to the target's signer (delegator, voter) */
  signers(msg: A): string[];
  /** the qos message; throws the module's error for what cannot map */
  toTarget(msg: A): T;
  /** an event of the target handler in the SDK's shape: the events the SDK emits in its place */
  sdkEvents?(event: Event, parsed: P): Event[];
  /** the SDK's response message from the target's response and its events (as the qos handler made them) */
  response(target: { typeUrl: string; value: Uint8Array }, events: readonly Event[], parsed: P): { typeUrl: string; value: Uint8Array };
}

export function aliasHandler<A, T, P>(spec: AliasSpec<A, T, P>): MsgHandler<A, P> {
  return {
    typeUrl: spec.typeUrl,
    codec: spec.codec,
    signers: spec.signers,
    checkStateless: (msg, limits) => spec.target.checkStateless(spec.toTarget(msg), limits),
    execute(ctx, parsed) {
      const own: Event[] = [];
      const result = spec.target.execute({ ...ctx, events: own }, parsed);
      ctx.events.push(...(spec.sdkEvents ? own.flatMap((e) => spec.sdkEvents!(e, parsed)) : own));
      return spec.response(result, own, parsed);
    },
  };
}

/** an attribute's value ("" when absent) */
export function attribute(event: Event, key: string): string {
  return event.attributes.find((a) => a.key === key)?.value ?? "";
}

/** Unix seconds as RFC 3339 in UTC without fractions (Go's time.RFC3339, which the SDK's events use). */
export function rfc3339(seconds: bigint): string {
  // years 0–9999 only (RFC 3339); beyond them the number of seconds itself
  if (seconds < -62_167_219_200n || seconds > 253_402_300_799n) return seconds.toString();
  return new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}
