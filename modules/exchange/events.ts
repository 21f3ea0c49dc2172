// The exchange's events: a swap (one per hop), liquidity added and removed, a pool created. Each carries
// the pool (its QSC denom), the amounts and the pool's price after (uqos per unit of the QSC, 18 decimals).
import { event, type Event } from "../../app/events.js";

export const EventTypes = {
  createPool: "exchange_create_pool",
  swap: "exchange_swap",
  addLiquidity: "exchange_add_liquidity",
  removeLiquidity: "exchange_remove_liquidity",
} as const;

export const createPoolEvent = (pool: string, creator: string, amountQsc: string, amountQos: string, shares: string, priceAfter: string): Event =>
  event(EventTypes.createPool, { pool, creator, amount_qsc: amountQsc, amount_qos: amountQos, shares, price_after: priceAfter });
export const swapEvent = (pool: string, sender: string, denomIn: string, amountIn: string, denomOut: string, amountOut: string, priceAfter: string): Event =>
  event(EventTypes.swap, { pool, sender, denom_in: denomIn, amount_in: amountIn, denom_out: denomOut, amount_out: amountOut, price_after: priceAfter });
export const addLiquidityEvent = (pool: string, sender: string, amountQsc: string, amountQos: string, shares: string, priceAfter: string): Event =>
  event(EventTypes.addLiquidity, { pool, sender, amount_qsc: amountQsc, amount_qos: amountQos, shares, price_after: priceAfter });
export const removeLiquidityEvent = (pool: string, sender: string, amountQsc: string, amountQos: string, shares: string, priceAfter: string): Event =>
  event(EventTypes.removeLiquidity, { pool, sender, amount_qsc: amountQsc, amount_qos: amountQos, shares, price_after: priceAfter });
