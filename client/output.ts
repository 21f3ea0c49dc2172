// Display helpers for text output (never for chain state): amounts of the base denom in QOS.

/** uqos → "123.456789 QOS" (display only) */
export function qos(uqos: string | bigint): string {
  const text = uqos.toString();
  const negative = text.startsWith("-");
  const padded = (negative ? text.slice(1) : text).padStart(7, "0");
  const whole = padded.slice(0, -6).replace(/^0+(?=\d)/, "");
  const fraction = padded.slice(-6).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""} QOS`;
}

/** "1000000uqos (1 QOS)" */
export function uqosText(uqos: string | bigint): string {
  return `${uqos}uqos (${qos(uqos)})`;
}
