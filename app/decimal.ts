// Fixed-point decimals with 18 fractional digits as bigint (D7: no floats in state, events or gas).
// Every operation states its rounding; the default is toward zero (floor for non-negative values).

export const DecimalPlaces = 18;
export const One = 10n ** 18n;

/** Parses "0.1", "1", "0.000000000000000001" exactly; refuses more than 18 fractional digits. */
export function parseDec(text: string): bigint {
  const m = /^(-?)([0-9]+)(?:\.([0-9]{1,18}))?$/.exec(text.trim());
  if (!m) throw new Error(`${JSON.stringify(text)} is not a decimal with at most 18 fractional digits`);
  const value = BigInt(m[2]) * One + BigInt((m[3] ?? "").padEnd(18, "0"));
  return m[1] === "-" ? -value : value;
}

/** parseDec, or undefined for a text that is not a decimal with at most 18 fractional digits. */
export function tryParseDec(text: string): bigint | undefined {
  try {
    return parseDec(text);
  } catch {
    return undefined;
  }
}

/** The SDK's text form (always 18 fractional digits, as the Cosmos SDK's Dec): what queries, events, REST and
 *  stored validators show. Messages carry the shortest spelling instead (canonicalDec). */
export function formatDec(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  return `${negative ? "-" : ""}${abs / One}.${(abs % One).toString().padStart(18, "0")}`;
}

/** amount × dec, rounded toward zero (amount an integer, dec fixed-point). */
export function mulDecFloor(amount: bigint, dec: bigint): bigint {
  return (amount * dec) / One;
}

/** numerator ÷ denominator as a fixed-point decimal, rounded toward zero. */
export function quoDec(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new Error("division by zero");
  return (numerator * One) / denominator;
}

export function isFraction(dec: bigint): boolean {
  return dec >= 0n && dec <= One;
}

/** The one spelling a decimal may have in a message: the shortest — no sign, spaces or leading zeros, no
 *  trailing zeros after the point and no point without digits after it; zero is "0". Two spellings of one
 *  rate would give one signed meaning two byte strings (and two texts in logs and indexers), as "007" did
 *  for amounts. */
const CanonicalDecPattern = /^(0|[1-9][0-9]*)(\.[0-9]{0,17}[1-9])?$/;

export function isCanonicalDec(text: string): boolean {
  return CanonicalDecPattern.test(text);
}

/** value in its one spelling for messages (isCanonicalDec): 0.1 → "0.1", 1 → "1". */
export function canonicalDec(value: bigint): string {
  return formatDec(value).replace(/\.?0+$/, "");
}

/** Why `text` (which parses to `value`) is refused in a message, or undefined when it is the one spelling:
 *  every module that takes a decimal in a message says it in these words, under its own error. */
export function decSpellingProblem(text: string, value: bigint): string | undefined {
  return isCanonicalDec(text) ? undefined : `${JSON.stringify(text)} is spelled ${JSON.stringify(canonicalDec(value))} in a message (no sign, spaces, leading or trailing zeros)`;
}
