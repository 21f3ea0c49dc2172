// exchange messages, in two phases: checkStateless (no state: addresses, amounts, the route's shape)
// → execute (pools, tokens and balances, then the change), which works on what checkStateless parsed.
// Every check that can refuse runs before the first coin moves, so a refused message moves nothing
// (the app rolls a failed message back in any case).
import { parseAccAddress } from "../../app/address.js";
import { BaseDenom, parseAmountField } from "../../app/coins.js";
import { formatDec } from "../../app/decimal.js";
import { blockSeconds, type Context, type MsgHandler } from "../../app/module.js";
import { TypeUrl } from "../../gen/names.js";
import {
  MsgAddLiquidity, MsgAddLiquidityResponse, MsgCreatePool, MsgCreatePoolResponse, MsgRemoveLiquidity, MsgRemoveLiquidityResponse,
  MsgSwap, MsgSwapResponse,
} from "../../gen/qos/exchange/v1/tx.js";
import { deposit, initialShares, MinimumLiquidity, spotPrice, withdrawal } from "./amm.js";
import { ExchangeErrors } from "./errors.js";
import * as events from "./events.js";
import { shareDenom, type ExchangeKeeper, type PoolState } from "./keeper.js";
import { parseRoute, planSwap, type SwapAmount } from "./route.js";

const Urls = TypeUrl.qos.exchange.v1;
/** gas of one hop's arithmetic and bookkeeping, on top of the store accesses it makes */
export const GasPerHop = 5_000n;
/** gas of a liquidity action's arithmetic, on top of its store accesses */
export const GasPerLiquidityAction = 5_000n;

/** An amount field (exchange 2 malformed, zero unless `zeroAllowed`; exchange 3 above 2^256 − 1). */
export function parseExchangeAmount(text: string, what: string, zeroAllowed = false): bigint {
  return parseAmountField(text, what, { invalid: ExchangeErrors.invalidAmount, overflow: ExchangeErrors.amountOverflow }, zeroAllowed);
}

/** A pool's denom in a message: a QSC name is checked against qsc in execute; uqos is never one. */
function checkPoolDenom(denom: string): void {
  if (denom === BaseDenom || denom.length === 0 || denom.length > 128) {
    throw ExchangeErrors.unknownToken.with(`${JSON.stringify(denom.slice(0, 130))} is not a QSC (pools are of a QSC against ${BaseDenom})`);
  }
}

export interface ParsedCreate { creator: string; account: Uint8Array; denom: string; amountQsc: bigint; amountQos: bigint }
export interface ParsedAdd { sender: string; account: Uint8Array; denom: string; maxQsc: bigint; maxQos: bigint; minShares: bigint }
export interface ParsedRemove { sender: string; account: Uint8Array; denom: string; shares: bigint; minQsc: bigint; minQos: bigint }
export interface ParsedSwap { sender: string; account: Uint8Array; route: string[]; amount: SwapAmount; limit: bigint }

export function exchangeMsgs(keeper: ExchangeKeeper): MsgHandler[] {
  const price = (pool: { reserveQsc: bigint; reserveQos: bigint }) => formatDec(spotPrice(pool.reserveQsc, pool.reserveQos));
  /** the pool with its price accumulated up to this block, new reserves and shares, stored */
  const update = (ctx: Context, pool: PoolState, change: Pick<PoolState, "reserveQsc" | "reserveQos" | "shares">) => {
    const accumulated = keeper.accumulate(ctx.store, pool, blockSeconds(ctx.block));
    keeper.setPool(ctx.store, { ...accumulated, ...change, lastPrice: spotPrice(change.reserveQsc, change.reserveQos) });
  };
  const coins = (denom: string, amountQsc: bigint, amountQos: bigint) => [
    { denom, amount: amountQsc }, { denom: BaseDenom, amount: amountQos }, // QSC names (upper case) sort before uqos
  ];

  const create: MsgHandler<MsgCreatePool, ParsedCreate> = {
    typeUrl: Urls.MsgCreatePool,
    codec: MsgCreatePool,
    signers: (msg) => [msg.creator],
    checkStateless(msg) {
      const account = parseAccAddress(msg.creator, "creator");
      checkPoolDenom(msg.denom);
      return {
        creator: msg.creator, account, denom: msg.denom,
        amountQsc: parseExchangeAmount(msg.amountQsc, "amount_qsc"), amountQos: parseExchangeAmount(msg.amountQos, "amount_qos"),
      };
    },
    execute(ctx, p) {
      ctx.gas.consume(GasPerLiquidityAction, "exchange create pool");
      keeper.requireTradable(ctx.store, p.denom);
      if (keeper.getPool(ctx.store, p.denom)) throw ExchangeErrors.poolExists.with(`${p.denom} has a pool`);
      const shares = initialShares(p.amountQsc, p.amountQos);
      if (shares <= MinimumLiquidity) {
        throw ExchangeErrors.insufficientLiquidity.with(`√(${p.amountQsc} · ${p.amountQos}) = ${shares} shares, more than ${MinimumLiquidity} needed (they stay locked)`);
      }
      const now = blockSeconds(ctx.block);
      keeper.bank.sendFromAccountToModule(ctx.store, ctx.events, p.account, coins(p.denom, p.amountQsc, p.amountQos));
      keeper.bank.mint(ctx.store, ctx.events, keeper.bank.address, [{ denom: shareDenom(p.denom), amount: MinimumLiquidity }]);
      keeper.bank.mint(ctx.store, ctx.events, p.account, [{ denom: shareDenom(p.denom), amount: shares - MinimumLiquidity }]);
      const lastPrice = spotPrice(p.amountQsc, p.amountQos);
      keeper.setPool(ctx.store, {
        denom: p.denom, reserveQsc: p.amountQsc, reserveQos: p.amountQos, shares,
        createdTime: now, lastTime: now, cumulative: 0n, lastPrice, twapFrom: now,
      });
      ctx.events.push(events.createPoolEvent(p.denom, p.creator, p.amountQsc.toString(), p.amountQos.toString(), (shares - MinimumLiquidity).toString(), formatDec(lastPrice)));
      return { typeUrl: Urls.MsgCreatePoolResponse, value: MsgCreatePoolResponse.encode({ shares: (shares - MinimumLiquidity).toString() }).finish() };
    },
  };

  const add: MsgHandler<MsgAddLiquidity, ParsedAdd> = {
    typeUrl: Urls.MsgAddLiquidity,
    codec: MsgAddLiquidity,
    signers: (msg) => [msg.sender],
    checkStateless(msg) {
      const account = parseAccAddress(msg.sender, "sender");
      checkPoolDenom(msg.denom);
      return {
        sender: msg.sender, account, denom: msg.denom,
        maxQsc: parseExchangeAmount(msg.maxQsc, "max_qsc"), maxQos: parseExchangeAmount(msg.maxQos, "max_qos"),
        minShares: parseExchangeAmount(msg.minShares || "0", "min_shares", true),
      };
    },
    execute(ctx, p) {
      ctx.gas.consume(GasPerLiquidityAction, "exchange add liquidity");
      keeper.requireTradable(ctx.store, p.denom);
      const pool = keeper.requirePool(ctx.store, p.denom);
      const d = deposit(pool, p.maxQsc, p.maxQos);
      if (d.shares === 0n) throw ExchangeErrors.insufficientLiquidity.with(`${p.maxQsc}${p.denom} and ${p.maxQos}${BaseDenom} are worth less than one share`);
      if (d.shares < p.minShares) throw ExchangeErrors.sharesBelowMinimum.with(`${d.shares} shares, at least ${p.minShares} asked`);
      keeper.bank.sendFromAccountToModule(ctx.store, ctx.events, p.account, coins(p.denom, d.amountQsc, d.amountQos));
      keeper.bank.mint(ctx.store, ctx.events, p.account, [{ denom: shareDenom(p.denom), amount: d.shares }]);
      const after = { reserveQsc: pool.reserveQsc + d.amountQsc, reserveQos: pool.reserveQos + d.amountQos, shares: pool.shares + d.shares };
      update(ctx, pool, after);
      ctx.events.push(events.addLiquidityEvent(p.denom, p.sender, d.amountQsc.toString(), d.amountQos.toString(), d.shares.toString(), price(after)));
      return {
        typeUrl: Urls.MsgAddLiquidityResponse,
        value: MsgAddLiquidityResponse.encode({ shares: d.shares.toString(), amountQsc: d.amountQsc.toString(), amountQos: d.amountQos.toString() }).finish(),
      };
    },
  };

  const remove: MsgHandler<MsgRemoveLiquidity, ParsedRemove> = {
    typeUrl: Urls.MsgRemoveLiquidity,
    codec: MsgRemoveLiquidity,
    signers: (msg) => [msg.sender],
    checkStateless(msg) {
      const account = parseAccAddress(msg.sender, "sender");
      checkPoolDenom(msg.denom);
      return {
        sender: msg.sender, account, denom: msg.denom, shares: parseExchangeAmount(msg.shares, "shares"),
        minQsc: parseExchangeAmount(msg.minQsc || "0", "min_qsc", true), minQos: parseExchangeAmount(msg.minQos || "0", "min_qos", true),
      };
    },
    execute(ctx, p) {
      ctx.gas.consume(GasPerLiquidityAction, "exchange remove liquidity");
      keeper.requireTradable(ctx.store, p.denom);
      const pool = keeper.requirePool(ctx.store, p.denom);
      const held = keeper.sharesOf(ctx.store, p.account, p.denom);
      if (p.shares > held) throw ExchangeErrors.insufficientShares.with(`${p.sender} holds ${held} shares of ${p.denom}, asked to remove ${p.shares}`);
      const w = withdrawal(pool, p.shares);
      if (w.amountQsc === 0n || w.amountQos === 0n) {
        throw ExchangeErrors.insufficientLiquidity.with(`${p.shares} shares are worth ${w.amountQsc}${p.denom} and ${w.amountQos}${BaseDenom}: less than one unit of a side`);
      }
      if (w.amountQsc < p.minQsc || w.amountQos < p.minQos) {
        throw ExchangeErrors.outputBelowMinimum.with(`${w.amountQsc}${p.denom} and ${w.amountQos}${BaseDenom}, at least ${p.minQsc} and ${p.minQos} asked`);
      }
      keeper.bank.burn(ctx.store, ctx.events, p.account, [{ denom: shareDenom(p.denom), amount: p.shares }]);
      keeper.bank.sendFromModuleToAccount(ctx.store, ctx.events, p.account, coins(p.denom, w.amountQsc, w.amountQos));
      const after = { reserveQsc: pool.reserveQsc - w.amountQsc, reserveQos: pool.reserveQos - w.amountQos, shares: pool.shares - p.shares };
      update(ctx, pool, after);
      ctx.events.push(events.removeLiquidityEvent(p.denom, p.sender, w.amountQsc.toString(), w.amountQos.toString(), p.shares.toString(), price(after)));
      return {
        typeUrl: Urls.MsgRemoveLiquidityResponse,
        value: MsgRemoveLiquidityResponse.encode({ amountQsc: w.amountQsc.toString(), amountQos: w.amountQos.toString() }).finish(),
      };
    },
  };

  const swap: MsgHandler<MsgSwap, ParsedSwap> = {
    typeUrl: Urls.MsgSwap,
    codec: MsgSwap,
    signers: (msg) => [msg.sender],
    checkStateless(msg) {
      const account = parseAccAddress(msg.sender, "sender");
      parseRoute(msg.route);
      const exactIn = msg.amountIn !== "" || msg.minAmountOut !== "";
      const exactOut = msg.amountOut !== "" || msg.maxAmountIn !== "";
      if (exactIn === exactOut) {
        throw ExchangeErrors.invalidAmount.with("give amount_in with min_amount_out (exact input) or amount_out with max_amount_in (exact output)");
      }
      return exactIn
        ? { sender: msg.sender, account, route: msg.route, amount: { exactIn: parseExchangeAmount(msg.amountIn, "amount_in") }, limit: parseExchangeAmount(msg.minAmountOut, "min_amount_out", true) }
        : { sender: msg.sender, account, route: msg.route, amount: { exactOut: parseExchangeAmount(msg.amountOut, "amount_out") }, limit: parseExchangeAmount(msg.maxAmountIn, "max_amount_in") };
    },
    execute(ctx, p) {
      ctx.gas.consume(GasPerHop * BigInt(p.route.length - 1), "exchange swap hops");
      const hops = planSwap(keeper, ctx.store, p.route, p.amount);
      const amountIn = hops[0].amountIn;
      const amountOut = hops[hops.length - 1].amountOut;
      if ("exactIn" in p.amount && amountOut < p.limit) {
        throw ExchangeErrors.outputBelowMinimum.with(`${amountOut}${p.route[p.route.length - 1]} out, at least ${p.limit} asked`);
      }
      if ("exactOut" in p.amount && amountIn > p.limit) {
        throw ExchangeErrors.inputAboveMaximum.with(`${amountIn}${p.route[0]} in, at most ${p.limit} allowed`);
      }
      keeper.bank.sendFromAccountToModule(ctx.store, ctx.events, p.account, [{ denom: p.route[0], amount: amountIn }]);
      for (const hop of hops) {
        const before = hop.pool.reserveQsc * hop.pool.reserveQos;
        if (hop.reserveQscAfter * hop.reserveQosAfter < before) {
          throw ExchangeErrors.invariantBroken.with(`a swap would lower ${hop.pool.denom}'s k`); // never: the formulas round for the pool
        }
        update(ctx, hop.pool, { reserveQsc: hop.reserveQscAfter, reserveQos: hop.reserveQosAfter, shares: hop.pool.shares });
        ctx.events.push(events.swapEvent(hop.pool.denom, p.sender, hop.denomIn, hop.amountIn.toString(), hop.denomOut, hop.amountOut.toString(), formatDec(hop.priceAfter)));
      }
      keeper.bank.sendFromModuleToAccount(ctx.store, ctx.events, p.account, [{ denom: p.route[p.route.length - 1], amount: amountOut }]);
      return { typeUrl: Urls.MsgSwapResponse, value: MsgSwapResponse.encode({ amountIn: amountIn.toString(), amountOut: amountOut.toString() }).finish() };
    },
  };

  return [create, add, remove, swap];
}

