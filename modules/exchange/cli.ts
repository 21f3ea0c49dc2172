// qoscli commands of the exchange: `tx exchange create-pool|add-liquidity|remove-liquidity|swap`,
// `query exchange pools|pool|quote|shares|average-price`.
import type { Command } from "commander";
import { MsgAddLiquidity, MsgCreatePool, MsgRemoveLiquidity, MsgSwap } from "../../gen/qos/exchange/v1/tx.js";
import {
  QueryAveragePriceRequest, QueryAveragePriceResponse, QueryPoolRequest, QueryPoolResponse, QueryPoolsRequest, QueryPoolsResponse,
  QueryQuoteRequest, QueryQuoteResponse, QuerySharesRequest, QuerySharesResponse,
} from "../../gen/qos/exchange/v1/query.js";
import type { Pool } from "../../gen/qos/exchange/v1/types.js";
import { formatDec } from "../../app/decimal.js";
import {
  CliContext, CliError, addPageFlags, addTxFlags, example, pageJson, pageRequest, pageText, runTx, signerOf, wholeAmount, type CliModule, type PageFlags, type TxFlags,
} from "../../client/index.js";
import { Method, TypeUrl } from "../../gen/names.js";

const Urls = TypeUrl.qos.exchange.v1;
const Paths = Method.qos.exchange.v1.Query;

const amount = wholeAmount;

/** "STAR,uqos,MOON" → ["STAR", "uqos", "MOON"] */
function route(text: string): string[] {
  const denoms = text.split(",").map((d) => d.trim());
  if (denoms.length < 2 || denoms.length > 3 || denoms.some((d) => d === "")) {
    throw new CliError(`route ${JSON.stringify(text)}: 2 or 3 denoms separated by commas, from what you pay to what you get (STAR,uqos | uqos,STAR | STAR,uqos,MOON)`);
  }
  return denoms;
}

function poolJson(p: Pool) {
  return {
    denom: p.denom, reserve_qsc: p.reserveQsc, reserve_qos: p.reserveQos, shares: p.shares, share_denom: `pool/${p.denom}`,
    price: formatDec(BigInt(p.lastPrice)), created_time: p.createdTime.toString(), last_time: p.lastTime.toString(),
    price_cumulative: p.priceCumulative, twap_from: p.twapFrom.toString(),
  };
}

const poolText = (p: ReturnType<typeof poolJson>) => `${p.denom}\t${p.reserve_qsc}${p.denom} / ${p.reserve_qos}uqos\tprice ${p.price} uqos\tshares ${p.shares}`;

export const exchangeCli: CliModule = ({ tx, query, registerMsgTypes }) => {
  registerMsgTypes([[Urls.MsgCreatePool, MsgCreatePool], [Urls.MsgAddLiquidity, MsgAddLiquidity], [Urls.MsgRemoveLiquidity, MsgRemoveLiquidity], [Urls.MsgSwap, MsgSwap]]);
  const exchange = tx.command("exchange").description("the QSC exchange: pools of a QSC against QOS, swaps X → QOS → Y");

  example(
    addTxFlags(
      exchange.command("create-pool").argument("<creator>", "key that deposits both sides (signs and pays)").argument("<denom>", "the QSC")
        .argument("<amount-qsc>", "QSC deposited").argument("<amount-qos>", "uqos deposited")
        .description(`create the pool of a QSC against QOS; the first price is amount-qos / amount-qsc; √(qsc·qos) − 1000 shares to the creator (${Urls.MsgCreatePool})`),
    ),
    "qoscli tx exchange create-pool alice STAR 1000000 4000000 --gas auto --broadcast-mode block",
  ).action(async (who: string, denom: string, qsc: string, qos: string, flags: TxFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const signer = signerOf(ctx, flags, who);
    const msg = MsgCreatePool.fromPartial({ creator: signer.address, denom, amountQsc: amount(qsc, "<amount-qsc>"), amountQos: amount(qos, "<amount-qos>") });
    await runTx(ctx, flags, { msgs: [{ typeUrl: Urls.MsgCreatePool, value: msg }], signers: [signer] });
  });

  example(
    addTxFlags(
      exchange.command("add-liquidity").argument("<sender>", "key that deposits").argument("<denom>", "the pool's QSC")
        .argument("<max-qsc>", "at most this much QSC").argument("<max-qos>", "at most this much uqos")
        .option("--min-shares <n>", "refuse unless at least this many shares are minted", "0")
        .description(`deposit at the pool's ratio for shares (${Urls.MsgAddLiquidity})`),
    ),
    "qoscli tx exchange add-liquidity alice STAR 10000 40000 --min-shares 19000 --broadcast-mode block",
  ).action(async (who: string, denom: string, maxQsc: string, maxQos: string, flags: TxFlags & { minShares: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const signer = signerOf(ctx, flags, who);
    const msg = MsgAddLiquidity.fromPartial({
      sender: signer.address, denom, maxQsc: amount(maxQsc, "<max-qsc>"), maxQos: amount(maxQos, "<max-qos>"), minShares: amount(flags.minShares, "--min-shares", true),
    });
    await runTx(ctx, flags, { msgs: [{ typeUrl: Urls.MsgAddLiquidity, value: msg }], signers: [signer] });
  });

  example(
    addTxFlags(
      exchange.command("remove-liquidity").argument("<sender>", "key holding the shares").argument("<denom>", "the pool's QSC").argument("<shares>", "shares to burn")
        .option("--min-qsc <n>", "refuse unless at least this much QSC comes out", "0")
        .option("--min-qos <n>", "refuse unless at least this much uqos comes out", "0")
        .description(`burn shares for their part of both reserves (${Urls.MsgRemoveLiquidity})`),
    ),
    "qoscli tx exchange remove-liquidity alice STAR 19000 --min-qsc 9000 --broadcast-mode block",
  ).action(async (who: string, denom: string, shares: string, flags: TxFlags & { minQsc: string; minQos: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const signer = signerOf(ctx, flags, who);
    const msg = MsgRemoveLiquidity.fromPartial({
      sender: signer.address, denom, shares: amount(shares, "<shares>"), minQsc: amount(flags.minQsc, "--min-qsc", true), minQos: amount(flags.minQos, "--min-qos", true),
    });
    await runTx(ctx, flags, { msgs: [{ typeUrl: Urls.MsgRemoveLiquidity, value: msg }], signers: [signer] });
  });

  example(
    addTxFlags(
      exchange.command("swap").argument("<sender>", "key that pays and receives").argument("<route>", "denoms from what you pay to what you get: STAR,uqos | uqos,STAR | STAR,uqos,MOON")
        .argument("<amount>", "what you pay (exact input), or with --exact-out what you get")
        .option("--min-out <n>", "exact input: refuse unless at least this much comes out", "0")
        .option("--exact-out", "<amount> is the output; give --max-in", false)
        .option("--max-in <n>", "exact output: refuse if it costs more than this")
        .description(`swap along a route in one transaction, atomically (${Urls.MsgSwap}); \`query exchange quote\` shows the amounts first`),
    ),
    "qoscli tx exchange swap bob STAR,uqos,MOON 5000 --min-out 2400 --broadcast-mode block",
    "qoscli tx exchange swap bob uqos,STAR 1000 --exact-out --max-in 4200 --broadcast-mode block",
  ).action(async (who: string, path: string, value: string, flags: TxFlags & { minOut: string; exactOut: boolean; maxIn?: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const signer = signerOf(ctx, flags, who);
    const denoms = route(path);
    let msg: MsgSwap;
    if (flags.exactOut) {
      if (flags.maxIn === undefined) throw new CliError("--exact-out needs --max-in (the most you will pay)");
      msg = MsgSwap.fromPartial({ sender: signer.address, route: denoms, amountOut: amount(value, "<amount>"), maxAmountIn: amount(flags.maxIn, "--max-in") });
    } else {
      if (flags.maxIn !== undefined) throw new CliError("--max-in goes with --exact-out; an exact input takes --min-out");
      msg = MsgSwap.fromPartial({ sender: signer.address, route: denoms, amountIn: amount(value, "<amount>"), minAmountOut: amount(flags.minOut, "--min-out", true) });
    }
    await runTx(ctx, flags, { msgs: [{ typeUrl: Urls.MsgSwap, value: msg }], signers: [signer] });
  });

  const q = query.command("exchange").description("the QSC exchange: pools, quotes, shares, average prices");
  example(addPageFlags(q.command("pools")).description("the pools, by denom (one page)"), "qoscli query exchange pools --output json")
    .action(async (opts: PageFlags, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Paths.Pools, QueryPoolsRequest, { pagination: pageRequest(opts) }, QueryPoolsResponse);
      const pools = res.pools.map(poolJson);
      ctx.print({ pools, pagination: pageJson(res.pagination, opts) }, () => pageText(pools.map(poolText).join("\n") || "no pools", res.pagination, opts));
    });
  example(q.command("pool").argument("<denom>", "the pool's QSC").description("one pool: reserves, shares, price, oracle state"), "qoscli query exchange pool STAR --output json")
    .action(async (denom: string, _opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Paths.Pool, QueryPoolRequest, { denom }, QueryPoolResponse);
      const pool = poolJson(res.pool!);
      ctx.print(pool, () => poolText(pool));
    });
  example(
    q.command("quote").argument("<route>", "denoms from what you pay to what you get").argument("<amount>", "what you pay, or with --exact-out what you get")
      .option("--exact-out", "<amount> is the output", false)
      .description("what a swap would pay and cost on the current reserves (nothing is sent)"),
    "qoscli query exchange quote STAR,uqos,MOON 5000",
    "qoscli query exchange quote uqos,STAR 1000 --exact-out --output json",
  ).action(async (path: string, value: string, opts: { exactOut: boolean }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const denoms = route(path);
    const request = opts.exactOut ? { route: denoms, amountIn: "", amountOut: amount(value, "<amount>") } : { route: denoms, amountIn: amount(value, "<amount>"), amountOut: "" };
    const res = await ctx.query(Paths.Quote, QueryQuoteRequest, request, QueryQuoteResponse);
    const json = { route: denoms, amount_in: res.amountIn, amount_out: res.amountOut, hop_amounts_out: res.hopAmountsOut, prices_after: res.pricesAfter };
    ctx.print(json, () => `pay ${res.amountIn}${denoms[0]}, get ${res.amountOut}${denoms[denoms.length - 1]}\nhops: ${res.hopAmountsOut.join(" → ")}\nprices after: ${res.pricesAfter.join(", ")}`);
  });
  example(q.command("shares").argument("<address|key>", "holder").argument("<denom>", "the pool's QSC").description("an account's shares of a pool and what they would take out now"), "qoscli query exchange shares alice STAR")
    .action(async (who: string, denom: string, _opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { address } = ctx.resolveAddress(who);
      const res = await ctx.query(Paths.Shares, QuerySharesRequest, { address, denom }, QuerySharesResponse);
      ctx.print({ address, denom, shares: res.shares, amount_qsc: res.amountQsc, amount_qos: res.amountQos }, () => `${res.shares} shares, worth ${res.amountQsc}${denom} + ${res.amountQos}uqos`);
    });
  example(
    q.command("average-price").argument("<denom>", "the pool's QSC").argument("<start>", "unix seconds").argument("<end>", "unix seconds")
      .description("the time-weighted average price (uqos per unit of the QSC) over [start, end] of block time"),
    "qoscli query exchange average-price STAR 1800000000 1800086400",
  ).action(async (denom: string, start: string, end: string, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const seconds = (text: string, what: string) => {
      if (!/^[0-9]{1,19}$/.test(text)) throw new CliError(`${what} ${JSON.stringify(text)} must be unix seconds`);
      return BigInt(text);
    };
    const res = await ctx.query(Paths.AveragePrice, QueryAveragePriceRequest, { denom, startTime: seconds(start, "<start>"), endTime: seconds(end, "<end>") }, QueryAveragePriceResponse);
    ctx.print({ denom, start_time: start, end_time: end, price: res.price }, () => `${res.price} uqos per ${denom}`);
  });
};
