// Display formats (UI only: bigint arithmetic on the strings the node returns, no floats for amounts).
export const BaseDenom = "uqos";

/** "1234567" → "1,234,567" */
export function groupDigits(digits: string): string {
  const neg = digits.startsWith("-");
  const d = neg ? digits.slice(1) : digits;
  return (neg ? "-" : "") + d.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** uqos → QOS with up to 6 decimals ("1,000,000 QOS", "0.5 QOS"); other denoms as integer amount + denom. */
export function coin(amount: string | bigint, denom: string = BaseDenom): string {
  const a = BigInt(amount);
  if (denom !== BaseDenom) return `${groupDigits(a.toString())} ${denom}`;
  const neg = a < 0n;
  const abs = neg ? -a : a;
  const whole = abs / 1_000_000n;
  const frac = (abs % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${groupDigits(whole.toString())}${frac ? "." + frac : ""} QOS`;
}

export function coins(list: Array<{ denom: string; amount: string }> | undefined): string {
  if (!list || list.length === 0) return "0";
  return list.map((c) => coin(c.amount, c.denom)).join(", ");
}

/** a / b as a percentage with 2 decimals, exact (bigint). */
export function percent(a: bigint, b: bigint): string {
  if (b === 0n) return "0.00%";
  const bp = (a * 10000n) / b;
  return `${bp / 100n}.${(bp % 100n).toString().padStart(2, "0")}%`;
}

/** "0.100000000000000000" (an SDK Dec) → "10.00%" */
export function decPercent(dec: string): string {
  const [w, f = ""] = dec.split(".");
  const scaled = BigInt(w + (f + "000000000000000000").slice(0, 18));
  return percent(scaled, 10n ** 18n);
}

/** RFC 3339 with nanoseconds → "2026-11-29 04:25:16 UTC" */
export function time(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

export function unixTime(seconds: string | bigint): string {
  return time(new Date(Number(seconds) * 1000).toISOString());
}

export function shortHash(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 8)}…${hex.slice(-8)}` : hex;
}
