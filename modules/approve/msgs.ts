// approve messages. Two phases (app/module.ts): checkStateless parses the message once (both parties as
// bytes, the coins as bigints) into a ParsedApprove, and execute(ctx, parsed) applies it against state
// (the allowance, known and unpaused denoms).
import { parseAccAddress } from "../../app/address.js";
import { addCoins, parseSortedCoins, type Coin } from "../../app/coins.js";
import type { Context, MsgHandler } from "../../app/module.js";
import { TypeUrl } from "../../gen/names.js";
import * as tx from "../../gen/qos/approve/v1/tx.js";
import { ApproveErrors } from "./errors.js";
import { approvalEvent } from "./events.js";
import type { ApproveKeeper } from "./keeper.js";

/** An approve message as execute gets it: the owner (`from`) and the spender (`to`) as bytes, their
 *  bech32 forms for events and errors, and the coins (none for a cancel). */
export interface ParsedApprove {
  from: Uint8Array;
  to: Uint8Array;
  fromAddress: string;
  toAddress: string;
  coins: Coin[];
}

/** MsgUseApprove as execute gets it: who receives the coins (the spender unless `recipient` is set). */
export interface ParsedUse extends ParsedApprove {
  recipient: Uint8Array;
}

type CoinsMsg = { from: string; to: string; coins: tx.MsgCreateApprove["coins"] };

function parties(msg: { from: string; to: string }): ParsedApprove {
  const from = parseAccAddress(msg.from, "from");
  const to = parseAccAddress(msg.to, "to");
  if (msg.from === msg.to) throw ApproveErrors.selfApprove.with(msg.from);
  return { from, to, fromAddress: msg.from, toAddress: msg.to, coins: [] };
}

/** the parties and a non-empty coin list */
function withCoins(msg: CoinsMsg): ParsedApprove {
  const parsed = parties(msg);
  parsed.coins = parseSortedCoins(msg.coins);
  if (parsed.coins.length === 0) throw ApproveErrors.emptyCoins.with("give at least one coin");
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
  const emit = (ctx: Context, action: string, p: ParsedApprove, coins: readonly Coin[]) =>
    ctx.events.push(approvalEvent(action, p.fromAddress, p.toAddress, keeper.describe(coins)));
  const notFound = (p: ParsedApprove) => ApproveErrors.notFound.with(`${p.fromAddress} → ${p.toAddress}`);

  /** create, increase and decrease: the new allowance from the current one and the message's coins */
  const coinsMsg = <T extends CoinsMsg>(
    typeUrl: string,
    responseTypeUrl: string,
    codec: any,
    action: string,
    apply: (p: ParsedApprove, current: Coin[] | undefined) => Coin[],
  ): MsgHandler<T, ParsedApprove> => ({
    typeUrl,
    codec,
    signers: (msg) => [msg.from],
    checkStateless: (msg) => withCoins(msg),
    execute(ctx, p) {
      keeper.checkDenoms(ctx.store, p.coins);
      keeper.checkUnpaused(ctx.store, p.coins);
      const next = apply(p, keeper.get(ctx.store, p.from, p.to));
      keeper.set(ctx.store, p.from, p.to, next);
      emit(ctx, action, p, next);
      return { typeUrl: responseTypeUrl, value: new Uint8Array() };
    },
  });

  const urls = TypeUrl.qos.approve.v1;
  const create = coinsMsg<tx.MsgCreateApprove>(urls.MsgCreateApprove, urls.MsgCreateApproveResponse, tx.MsgCreateApprove, "create", (p, current) => {
    if (current) throw ApproveErrors.exists.with(`${p.fromAddress} → ${p.toAddress}`);
    return p.coins;
  });
  const increase = coinsMsg<tx.MsgIncreaseApprove>(urls.MsgIncreaseApprove, urls.MsgIncreaseApproveResponse, tx.MsgIncreaseApprove, "increase", (p, current) => {
    if (!current) throw notFound(p);
    return addCoins(current, p.coins);
  });
  const decrease = coinsMsg<tx.MsgDecreaseApprove>(urls.MsgDecreaseApprove, urls.MsgDecreaseApproveResponse, tx.MsgDecreaseApprove, "decrease", (p, current) => {
    if (!current) throw notFound(p);
    return subtractCoins(current, p.coins, "decrease");
  });

  const use: MsgHandler<tx.MsgUseApprove, ParsedUse> = {
    typeUrl: urls.MsgUseApprove,
    codec: tx.MsgUseApprove,
    signers: (msg) => [msg.to], // the spender pulls
    checkStateless(msg) {
      const p = withCoins(msg);
      return { ...p, recipient: msg.recipient ? parseAccAddress(msg.recipient, "recipient") : p.to };
    },
    execute(ctx, p) {
      const current = keeper.get(ctx.store, p.from, p.to);
      if (!current) throw notFound(p);
      keeper.checkUnpaused(ctx.store, p.coins);
      const remaining = subtractCoins(current, p.coins, "use");
      keeper.set(ctx.store, p.from, p.to, remaining);
      // bank's send runs the send hooks: a paused QSC cannot move through an allowance either
      keeper.deps.send(ctx.store, ctx.events, p.from, p.recipient, p.coins);
      emit(ctx, "use", p, remaining);
      return { typeUrl: urls.MsgUseApproveResponse, value: tx.MsgUseApproveResponse.encode({}).finish() };
    },
  };

  const cancel: MsgHandler<tx.MsgCancelApprove, ParsedApprove> = {
    typeUrl: urls.MsgCancelApprove,
    codec: tx.MsgCancelApprove,
    signers: (msg) => [msg.from],
    checkStateless: (msg) => parties(msg),
    execute(ctx, p) {
      const current = keeper.get(ctx.store, p.from, p.to);
      if (!current) throw notFound(p);
      keeper.checkUnpaused(ctx.store, current);
      keeper.set(ctx.store, p.from, p.to, []);
      emit(ctx, "cancel", p, []);
      return { typeUrl: urls.MsgCancelApproveResponse, value: tx.MsgCancelApproveResponse.encode({}).finish() };
    },
  };

  return [create, increase, decrease, use, cancel];
}
