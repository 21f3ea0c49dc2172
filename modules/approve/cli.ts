// qoscli commands of the approve module: `tx approve create|increase|decrease|use|cancel`,
// `query approve <from> <to>`, `query approves <from>`.
import type { Command } from "commander";
import * as tx from "../../gen/qos/approve/v1/tx.js";
import { QueryApproveRequest, QueryApproveResponse, QueryApprovesRequest, QueryApprovesResponse } from "../../gen/qos/approve/v1/query.js";
import { coinsToWire, parseCoinsString } from "../../app/coins.js";
import {
  CliContext, CliError, addPageFlags, addTxFlags, example, pageJson, pageRequest, pageText, runTx, type CliModule, type PageFlags, type TxFlags,
} from "../../client/index.js";
import { Method, TypeUrl } from "../../gen/names.js";

function coinsArg(text: string) {
  let coins;
  try {
    coins = parseCoinsString(text);
  } catch (e) {
    throw new CliError(`<coins> ${JSON.stringify(text)}: ${(e as Error).message}; write e.g. 100uqos or 50STAR`);
  }
  if (coins.length === 0) throw new CliError("<coins> is empty: write e.g. 100uqos");
  return coinsToWire(coins);
}

export const approveCli: CliModule = ({ tx: txRoot, query, registerMsgTypes }) => {
  const types = {
    create: [TypeUrl.qos.approve.v1.MsgCreateApprove, tx.MsgCreateApprove],
    increase: [TypeUrl.qos.approve.v1.MsgIncreaseApprove, tx.MsgIncreaseApprove],
    decrease: [TypeUrl.qos.approve.v1.MsgDecreaseApprove, tx.MsgDecreaseApprove],
    use: [TypeUrl.qos.approve.v1.MsgUseApprove, tx.MsgUseApprove],
    cancel: [TypeUrl.qos.approve.v1.MsgCancelApprove, tx.MsgCancelApprove],
  } as const;
  registerMsgTypes(Object.values(types));

  const approve = txRoot.command("approve").description("allowances: let another account spend your QOS or QSC coins");
  const help: Record<"create" | "increase" | "decrease", string> = {
    create: "allow <to> to spend up to <coins> of <from>'s account",
    increase: "raise an existing allowance by <coins>",
    decrease: "lower an existing allowance by <coins>",
  };
  for (const action of ["create", "increase", "decrease"] as const) {
    example(
      addTxFlags(approve.command(action).argument("<from>", "grantor key (signs)").argument("<to>", "spender address or key").argument("<coins>", "e.g. 100uqos,50STAR").description(help[action])),
      `qoscli tx approve ${action} alice qosacc1... 100uqos --broadcast-mode block`,
    ).action(async (from: string, to: string, coins: string, flags: TxFlags, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const key = ctx.resolveKey(from);
      const [typeUrl, type] = types[action];
      const value = (type as typeof tx.MsgCreateApprove).fromPartial({ from: key.address, to: ctx.resolveAddress(to).address, coins: coinsArg(coins) });
      await runTx(ctx, flags, { msgs: [{ typeUrl, value }], signers: [{ address: key.address, key }] });
    });
  }
  example(
    addTxFlags(
      approve.command("use").argument("<from>", "grantor address or key").argument("<to>", "spender key (signs; receives the coins unless --recipient)").argument("<coins>", "amount to pull")
        .option("--recipient <addr>", "send the coins there instead of to the spender (transferFrom)")
        .description("spend from an allowance you were given"),
    ),
    "qoscli tx approve use qosacc1... bob 40uqos --broadcast-mode block",
  ).action(async (from: string, to: string, coins: string, flags: TxFlags & { recipient?: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const key = ctx.resolveKey(to);
    const value = tx.MsgUseApprove.fromPartial({
      from: ctx.resolveAddress(from).address,
      to: key.address,
      coins: coinsArg(coins),
      recipient: flags.recipient ? ctx.resolveAddress(flags.recipient).address : "",
    });
    await runTx(ctx, flags, { msgs: [{ typeUrl: types.use[0], value }], signers: [{ address: key.address, key }] });
  });
  example(
    addTxFlags(approve.command("cancel").argument("<from>", "grantor key (signs)").argument("<to>", "spender address or key").description("remove an allowance")),
    "qoscli tx approve cancel alice qosacc1... --broadcast-mode block",
  ).action(async (from: string, to: string, flags: TxFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const key = ctx.resolveKey(from);
    const value = tx.MsgCancelApprove.fromPartial({ from: key.address, to: ctx.resolveAddress(to).address });
    await runTx(ctx, flags, { msgs: [{ typeUrl: types.cancel[0], value }], signers: [{ address: key.address, key }] });
  });

  example(query.command("approve").argument("<from>", "grantor").argument("<to>", "spender").description("the allowance from one account to another"), "qoscli query approve alice qosacc1...")
    .action(async (from: string, to: string, _opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const req = { from: ctx.resolveAddress(from).address, to: ctx.resolveAddress(to).address };
      const res = await ctx.query(Method.qos.approve.v1.Query.Approve, QueryApproveRequest, req, QueryApproveResponse);
      const coins = res.allowance?.coins ?? [];
      ctx.print({ ...req, coins }, () => coins.map((c) => `${c.amount}${c.denom}`).join(","));
    });
  example(addPageFlags(query.command("approves").argument("<from>", "grantor")).description("the allowances a grantor has given, by recipient (one page)"), "qoscli query approves alice --output json")
    .action(async (from: string, opts: PageFlags, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Method.qos.approve.v1.Query.Approves, QueryApprovesRequest, { from: ctx.resolveAddress(from).address, pagination: pageRequest(opts) }, QueryApprovesResponse);
      ctx.print({ allowances: res.allowances, pagination: pageJson(res.pagination, opts) }, () =>
        pageText(res.allowances.map((a) => `${a.to}\t${a.coins.map((c) => `${c.amount}${c.denom}`).join(",")}`).join("\n") || "no allowances", res.pagination, opts));
    });
};
