// What the cosmos.* views (D13) share: the SDK's wire forms of QOS values. QOS amounts are whole uqos; the SDK's
// legacy decimals travel as their 18-digit atomics (the REST gateway adds the point, app/rest/json.ts).
import { BaseDenom } from "../../app/coins.js";
import { One, parseDec } from "../../app/decimal.js";
import { Errors } from "../../app/errors.js";
import type { DecCoin } from "../../gen/cosmos/base/v1beta1/coin.js";
import type { Timestamp } from "../../gen/google/protobuf/timestamp.js";
import type { Duration } from "../../gen/google/protobuf/duration.js";

/** A whole amount as a legacy decimal's atomics ("5" → "5000000000000000000"). */
export const wholeDecAtomics = (amount: bigint): string => (amount * One).toString();

/** A decimal string of QOS's params ("0.100000000000000000") as a legacy decimal's atomics. */
export const decAtomics = (text: string): string => parseDec(text).toString();

/** A legacy decimal's atomics in a bytes field, as the SDK sends mint's and slashing's decimals (their UTF-8). */
export const decBytes = (atomics: bigint): Uint8Array => new TextEncoder().encode(atomics.toString());

/** uqos as DecCoins: none for 0, as the SDK's DecCoins drop zero amounts. */
export const uqosDecCoins = (amount: bigint): DecCoin[] => (amount === 0n ? [] : [{ denom: BaseDenom, amount: wholeDecAtomics(amount) }]);

/** uqos as Coins, none for 0. */
export const uqosCoins = (amount: bigint): { denom: string; amount: string }[] => (amount === 0n ? [] : [{ denom: BaseDenom, amount: amount.toString() }]);

/** Unix seconds as a Timestamp. */
export const timestamp = (seconds: bigint): Timestamp => ({ seconds, nanos: 0 });

export const duration = (seconds: bigint | number): Duration => ({ seconds: BigInt(seconds), nanos: 0 });

/** A status or type a request names that the view does not know: InvalidArgument, as the SDK answers. */
export const unknownValue = (what: string, value: string, known: readonly string[]) =>
  Errors.invalidRequest.with(`${what} ${JSON.stringify(value.slice(0, 64))} is not one of ${known.map((k) => JSON.stringify(k)).join(", ")}`);
