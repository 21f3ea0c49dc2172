// Constant-product arithmetic (x·y = k), bigint only (D7). Every division rounds in the pool's favour:
// what the pool pays out rounds down, what it takes in rounds up, so no sequence of actions can take
// more value out of a pool than its reserves and shares say is there. Each formula states its rounding.
import { One } from "../../app/decimal.js";
import { ExchangeErrors } from "./errors.js";

export const FeeDenominator = 10_000n;
/** shares minted at creation and kept by the module account forever, so a pool never empties and a
 *  share can never be made so valuable that later deposits round to nothing (Uniswap v2's minimum) */
export const MinimumLiquidity = 1000n;
/** prices are uqos per smallest unit of the QSC, fixed-point with 18 decimals (app/decimal.ts) */
export const PriceScale = One;

/** ⌈a / b⌉ for a ≥ 0, b > 0 */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** ⌊√n⌋ (Newton's method on bigints) */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError("isqrt of a negative number");
  if (n < 2n) return n;
  let x = 1n << ((BigInt(n.toString(2).length) + 1n) / 2n);
  for (;;) {
    const y = (x + n / x) / 2n;
    if (y >= x) return x;
    x = y;
  }
}

/** Exact input: what `amountIn` buys. out = ⌊in·(1−fee)·R_out / (R_in + in·(1−fee))⌋, the fee in basis
 *  points of the input. Rounded down: the trader never gets more than x·y = k allows. */
export function outGivenIn(amountIn: bigint, reserveIn: bigint, reserveOut: bigint, feeBps: bigint): bigint {
  const inWithFee = amountIn * (FeeDenominator - feeBps);
  return (inWithFee * reserveOut) / (reserveIn * FeeDenominator + inWithFee);
}

/** Exact output: what buying `amountOut` costs. in = ⌈R_in·out·10000 / ((R_out − out)·(10000 − fee))⌉.
 *  Rounded up: the trader pays at least what x·y = k asks. The pool must keep at least one unit. */
export function inGivenOut(amountOut: bigint, reserveIn: bigint, reserveOut: bigint, feeBps: bigint): bigint {
  if (amountOut >= reserveOut) {
    throw ExchangeErrors.insufficientLiquidity.with(`the pool holds ${reserveOut}, ${amountOut} asked`);
  }
  return ceilDiv(reserveIn * amountOut * FeeDenominator, (reserveOut - amountOut) * (FeeDenominator - feeBps));
}

/** The spot price, uqos per unit of the QSC: ⌊R_qos · 10^18 / R_qsc⌋ (down: an oracle reading that
 *  never depends on which way the division would have tipped). */
export function spotPrice(reserveQsc: bigint, reserveQos: bigint): bigint {
  return (reserveQos * PriceScale) / reserveQsc;
}

/** Shares for a first deposit: ⌊√(qsc · qos)⌋ (MinimumLiquidity of them are locked). */
export function initialShares(amountQsc: bigint, amountQos: bigint): bigint {
  return isqrt(amountQsc * amountQos);
}

/** A deposit of at most (maxQsc, maxQos) into a pool of `shares`: the shares are the smaller of the two
 *  sides' ⌊max · S / R⌋ (down), and each side pays ⌈shares · R / S⌉ (up, never above its maximum since
 *  shares · R / S ≤ max). */
export function deposit(pool: { reserveQsc: bigint; reserveQos: bigint; shares: bigint }, maxQsc: bigint, maxQos: bigint) {
  const byQsc = (maxQsc * pool.shares) / pool.reserveQsc;
  const byQos = (maxQos * pool.shares) / pool.reserveQos;
  const shares = byQsc < byQos ? byQsc : byQos;
  return {
    shares,
    amountQsc: ceilDiv(shares * pool.reserveQsc, pool.shares),
    amountQos: ceilDiv(shares * pool.reserveQos, pool.shares),
  };
}

/** What `shares` take out: ⌊shares · R / S⌋ of each side (down). */
export function withdrawal(pool: { reserveQsc: bigint; reserveQos: bigint; shares: bigint }, shares: bigint) {
  return { amountQsc: (shares * pool.reserveQsc) / pool.shares, amountQos: (shares * pool.reserveQos) / pool.shares };
}
