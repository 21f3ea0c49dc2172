// Coins: bigint amounts (D3), a canonical sorted form, parsing with clear errors.
import { z } from "zod";
import { Errors, type ErrorDef } from "./errors.js";

export interface Coin {
  denom: string;
  amount: bigint;
}

export const BaseDenom = "uqos";
/** the unit wallets show (1 QOS = 10^BaseDenomDecimals uqos, D3) */
export const DisplayDenom = "QOS";
export const BaseDenomDecimals = 6;
/** The largest amount accepted anywhere: 2^256 - 1, as the Cosmos SDK's Int. */
export const MaxAmount = (1n << 256n) - 1n;
const denomPattern = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
/** decimal digits without leading zeros: one spelling per number, so that a tx has one encoding (one hash) */
const amountPattern = /^(0|[1-9][0-9]*)$/;

/** `text` is an amount in its one spelling (digits, no leading zero, no sign or space) of at most `maxDigits`. */
export function isCanonicalAmount(text: string, maxDigits = 78): boolean {
  return typeof text === "string" && text.length <= maxDigits && amountPattern.test(text);
}

/** A message's amount field in its one spelling (so one hash per tx), at most 2^256 − 1 (`errors.overflow`),
 *  positive unless `zeroAllowed` (`errors.invalid` for zero, empty or malformed): each module passes its own codes. */
export function parseAmountField(text: string, what: string, errors: { invalid: ErrorDef; overflow: ErrorDef }, zeroAllowed = false): bigint {
  if (!isCanonicalAmount(text, Infinity)) throw errors.invalid.with(`${what} ${JSON.stringify(text.slice(0, 100))} is not a whole number without leading zeros`);
  if (text.length > 78 || BigInt(text) > MaxAmount) throw errors.overflow.with(`${what} is above 2^256-1`);
  const value = BigInt(text);
  if (value === 0n && !zeroAllowed) throw errors.invalid.with(`${what} must be positive`);
  return value;
}

export function validateDenom(denom: string): void {
  if (!denomPattern.test(denom)) throw Errors.invalidCoins.with(`invalid denom ${JSON.stringify(denom)}`);
}

/** A denom in JSON input (genesis), by the rule of validateDenom. */
export const DenomString = z.string().regex(denomPattern, "an invalid denom");

/** Unsigned 64-bit integers (heights, times, sequences) as JSON gives them: plain decimal digits. */
const MaxU64 = (1n << 64n) - 1n;

/** zod schemas for integers in genesis and other JSON input, by the same strict rule as `parseAmount`:
 *  decimal digits only (bare BigInt() would take "-5", "0x10", " 7", "1e3" is refused by it but those not). */
export const AmountString = z.string().refine((v) => amountPattern.test(v) && v.length <= 78 && BigInt(v) <= MaxAmount, {
  message: "must be a non-negative integer in decimal digits, at most 2^256-1",
});
export const Uint64String = z.string().refine((v) => amountPattern.test(v) && v.length <= 20 && BigInt(v) <= MaxU64, {
  message: "must be a non-negative integer in decimal digits, at most 2^64-1",
});

export function parseAmount(amount: string, what = "amount"): bigint {
  if (typeof amount !== "string" || !amountPattern.test(amount) || amount.length > 78) {
    throw Errors.invalidCoins.with(`${what} ${JSON.stringify(amount)} is not a non-negative integer of at most 78 digits`);
  }
  const value = BigInt(amount);
  if (value > MaxAmount) throw Errors.invalidCoins.with(`${what} ${amount} overflows 2^256-1`);
  return value;
}

/** parseAmount, and zero refused too (sdk 10, invalid coins): an amount a message moves. */
export function parsePositiveAmount(amount: string, what = "amount"): bigint {
  const value = parseAmount(amount, what);
  if (value === 0n) throw Errors.invalidCoins.with(`${what} must be positive`);
  return value;
}

/** Parses wire coins (string amounts) into sorted, positive, duplicate-free coins. */
export function parseCoins(coins: ReadonlyArray<{ denom: string; amount: string }>, what = "coins"): Coin[] {
  const out: Coin[] = [];
  for (const c of coins) {
    validateDenom(c.denom);
    const amount = parseAmount(c.amount, `${what} amount of ${c.denom}`);
    if (amount === 0n) throw Errors.invalidCoins.with(`${what}: zero amount of ${c.denom}`);
    out.push({ denom: c.denom, amount });
  }
  out.sort((a, b) => compareStrings(a.denom, b.denom));
  for (let i = 1; i < out.length; i++) {
    if (out[i].denom === out[i - 1].denom) throw Errors.invalidCoins.with(`${what}: duplicate denom ${out[i].denom}`);
  }
  return out;
}

/** parseCoins for coins in a tx (fees, messages): they must already be in the sorted form, so that one set
 *  of coins has one encoding and a tx one hash (the SDK's Coins.Validate refuses unsorted coins too). */
export function parseSortedCoins(coins: ReadonlyArray<{ denom: string; amount: string }>, what = "coins"): Coin[] {
  for (let i = 1; i < coins.length; i++) {
    if (compareStrings(coins[i - 1].denom, coins[i].denom) > 0) {
      throw Errors.invalidCoins.with(`${what}: denoms are not sorted (${coins[i - 1].denom} before ${coins[i].denom})`);
    }
  }
  return parseCoins(coins, what);
}

/** Parses "100uqos,5abc" (the CLI and SDK form). */
export function parseCoinsString(text: string): Coin[] {
  if (text.trim() === "") return [];
  const wire = text.split(",").map((part) => {
    const m = /^\s*([0-9]+)\s*([a-zA-Z][a-zA-Z0-9/:._-]*)\s*$/.exec(part);
    if (!m) throw Errors.invalidCoins.with(`cannot parse ${JSON.stringify(part)} as <amount><denom>`);
    return { amount: m[1].replace(/^0+(?=[0-9])/, ""), denom: m[2] };
  });
  return parseCoins(wire);
}

export function coinsToString(coins: readonly Coin[]): string {
  return coins.map((c) => `${c.amount}${c.denom}`).join(",");
}

export function coinsToWire(coins: readonly Coin[]): { denom: string; amount: string }[] {
  return coins.map((c) => ({ denom: c.denom, amount: c.amount.toString() }));
}

/** Adds coin lists, result sorted by denom with zero entries dropped. */
export function addCoins(a: readonly Coin[], b: readonly Coin[]): Coin[] {
  const sums = new Map<string, bigint>();
  for (const c of [...a, ...b]) sums.set(c.denom, (sums.get(c.denom) ?? 0n) + c.amount);
  return [...sums.entries()]
    .filter(([, amount]) => amount !== 0n)
    .sort(([x], [y]) => compareStrings(x, y))
    .map(([denom, amount]) => ({ denom, amount }));
}

export function coinsEqual(a: readonly Coin[], b: readonly Coin[]): boolean {
  const x = addCoins(a, []);
  const y = addCoins(b, []);
  return x.length === y.length && x.every((c, i) => c.denom === y[i].denom && c.amount === y[i].amount);
}

/** Code-unit order: deterministic, locale-free (D7). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A decimal price such as "0.025uqos" as an exact fraction, for fee = ceil(gas * price). */
export interface GasPrice {
  denom: string;
  numerator: bigint;
  denominator: bigint;
}

export function parseGasPrice(text: string): GasPrice {
  const m = /^\s*([0-9]+)(?:\.([0-9]+))?\s*([a-zA-Z][a-zA-Z0-9/:._-]{2,127})\s*$/.exec(text);
  if (!m) throw new Error(`cannot parse gas price ${JSON.stringify(text)}: expected e.g. 0.025uqos`);
  const fraction = m[2] ?? "";
  return { denom: m[3], numerator: BigInt(m[1] + fraction), denominator: 10n ** BigInt(fraction.length) };
}

export function feeForGas(gas: bigint, price: GasPrice): bigint {
  return (gas * price.numerator + price.denominator - 1n) / price.denominator;
}
