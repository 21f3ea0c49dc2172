// approve messages: checkStateless → checkStateful → execute.
import { parseAccAddress } from "../../app/address.js";
import { addCoins, parseCoins, type Coin } from "../../app/coins.js";
import type { Context, MsgHandler } from "../../app/module.js";
import * as tx from "../../gen/qos/approve/v1/tx.js";
import { ApproveErrors } from "./errors.js";
import { approvalEvent } from "./events.js";
import type { ApproveKeeper } from "./keeper.js";

interface Parties {
  from: Uint8Array;
  to: Uint8Array;
}

function parties(msg: { from: string; to: string }): Parties {
  const from = parseAccAddress(msg.from, "from");
  const to = parseAccAddress(msg.to, "to");
  if (msg.from === msg.to) throw ApproveErrors.selfApprove.with(msg.from);
  return { from, to };
}

function nonEmptyCoins(coins: tx.MsgCreateApprove["coins"]): Coin[] {
  const parsed = parseCoins(coins);
  if (parsed.length === 0) throw ApproveErrors.emptyCoins.with("give at least one coin");
  return parsed;
}

/** a - b per denom; throws `exceeded` when b has more of a denom than a. */
function subtractCoins(a: readonly Coin[], b: readonly Coin[], what: string): Coin[] {
  for (const coin of b) {
    const have = a.find((c) => c.denom === coin.denom)?.amount ?? 0n;
    if (have < coin.amount) throw ApproveErrors.exceeded.with(`${what}: ${coin.amount}${coin.denom} asked, ${have}${coin.denom} allowed`);
  }
  return addCoins(a, b.map((c) => ({ denom: c.denom, amount: -c.amount })));
}

export function approveMsgs(keeper: ApproveKeeper): MsgHandler[] {
  const emit = (ctx: Context, action: string, msg: { from: string; to: string }, coins: readonly Coin[]) =>
    ctx.events.push(approvalEvent(action, msg.from, msg.to, keeper.describe(coins)));

  const coinsMsg = <T extends { from: string; to: string; coins: tx.MsgCreateApprove["coins"] }>(
    typeUrl: string,
    codec: any,
    action: string,
    apply: (ctx: Context, p: Parties, current: Coin[] | undefined, coins: Coin[], msg: T) => Coin[],
  ): MsgHandler<T> => ({
    typeUrl,
    codec,
    signers: (msg) => [msg.from],
    checkStateless(msg) {
      parties(msg);
      nonEmptyCoins(msg.coins);
      return msg;
    },
    execute(ctx, msg) {
      const p = parties(msg);
      const coins = nonEmptyCoins(msg.coins);
      keeper.checkDenoms(ctx.store, coins);
      keeper.checkUnpaused(ctx.store, coins);
      const next = apply(ctx, p, keeper.get(ctx.store, p.from, p.to), coins, msg);
      keeper.set(ctx.store, p.from, p.to, next);
      emit(ctx, action, msg, next);
      return { typeUrl: `${typeUrl}Response`, value: new Uint8Array() };
    },
  });

  const create = coinsMsg<tx.MsgCreateApprove>("/qos.approve.v1.MsgCreateApprove", tx.MsgCreateApprove, "create", (_ctx, _p, current, coins, msg) => {
    if (current) throw ApproveErrors.exists.with(`${msg.from} → ${msg.to}`);
    return coins;
  });
  const increase = coinsMsg<tx.MsgIncreaseApprove>("/qos.approve.v1.MsgIncreaseApprove", tx.MsgIncreaseApprove, "increase", (_ctx, _p, current, coins, msg) => {
    if (!current) throw ApproveErrors.notFound.with(`${msg.from} → ${msg.to}`);
    return addCoins(current, coins);
  });
  const decrease = coinsMsg<tx.MsgDecreaseApprove>("/qos.approve.v1.MsgDecreaseApprove", tx.MsgDecreaseApprove, "decrease", (_ctx, _p, current, coins, msg) => {
    if (!current) throw ApproveErrors.notFound.with(`${msg.from} → ${msg.to}`);
    return subtractCoins(current, coins, "decrease");
  });

  const use: MsgHandler<tx.MsgUseApprove> = {
    typeUrl: "/qos.approve.v1.MsgUseApprove",
    codec: tx.MsgUseApprove,
    signers: (msg) => [msg.to], // the spender pulls
    checkStateless(msg) {
      parties(msg);
      nonEmptyCoins(msg.coins);
      if (msg.recipient) parseAccAddress(msg.recipient, "recipient");
      return msg;
    },
    execute(ctx, msg) {
      const p = parties(msg);
      const coins = nonEmptyCoins(msg.coins);
      const current = keeper.get(ctx.store, p.from, p.to);
      if (!current) throw ApproveErrors.notFound.with(`${msg.from} → ${msg.to}`);
      keeper.checkUnpaused(ctx.store, coins);
      const remaining = subtractCoins(current, coins, "use");
      keeper.set(ctx.store, p.from, p.to, remaining);
      // bank's send runs the send hooks: a paused QSC cannot move through an allowance either
      keeper.deps.send(ctx.store, ctx.events, p.from, msg.recipient ? parseAccAddress(msg.recipient) : p.to, coins);
      emit(ctx, "use", msg, remaining);
      return { typeUrl: "/qos.approve.v1.MsgUseApproveResponse", value: tx.MsgUseApproveResponse.encode({}).finish() };
    },
  };

  const cancel: MsgHandler<tx.MsgCancelApprove> = {
    typeUrl: "/qos.approve.v1.MsgCancelApprove",
    codec: tx.MsgCancelApprove,
    signers: (msg) => [msg.from],
    checkStateless(msg) {
      parties(msg);
      return msg;
    },
    execute(ctx, msg) {
      const p = parties(msg);
      const current = keeper.get(ctx.store, p.from, p.to);
      if (!current) throw ApproveErrors.notFound.with(`${msg.from} → ${msg.to}`);
      keeper.checkUnpaused(ctx.store, current);
      keeper.set(ctx.store, p.from, p.to, []);
      emit(ctx, "cancel", msg, []);
      return { typeUrl: "/qos.approve.v1.MsgCancelApproveResponse", value: tx.MsgCancelApproveResponse.encode({}).finish() };
    },
  };

  return [create, increase, decrease, use, cancel];
}
