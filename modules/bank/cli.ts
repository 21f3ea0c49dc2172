// qoscli commands of the bank module: `tx bank send`, `tx transfer`, `query balance`, `query balances`,
// `query supply`.
import type { Command } from "commander";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { addCoins, coinsToString, coinsToWire, parseCoinsString, validateDenom, type Coin } from "../../app/coins.js";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";
import {
  CliContext, CliError, signerOf, addPageFlags, addVerifyFlag, verifiedStateFor, addTxFlags, example, fetchBalance, pageJson, pageRequest, pageText, runTx, type CliModule, type PageFlags, type TxFlags, type TxSigner,
} from "../../client/index.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { parseAccAddress } from "../../app/address.js";
import { balanceEntry, supplyEntry } from "./keeper.js";

export const bankCli: CliModule = ({ tx, query, registerMsgTypes }) => {
  registerMsgTypes([[TypeUrl.qos.bank.v1.MsgTransfer, MsgTransfer]]);

  const bank = example(tx.command("bank").description("bank module transactions"), "qoscli tx bank send alice qosacc1... 1000uqos");
  example(
    addTxFlags(
      bank
        .command("send")
        .argument("<from>", "key name (or its qosacc address) that sends and signs")
        .argument("<to>", "qosacc1... address or key name that receives")
        .argument("<coins>", "amount, e.g. 1000uqos or 10uqos,5ustar")
        .description(`send coins from one account to another (${TypeUrl.cosmos.bank.v1beta1.MsgSend})`),
    ),
    "qoscli tx bank send alice qosacc1... 1000000uqos --gas auto --broadcast-mode block",
    "qoscli tx bank send alice qosacc1... 1000uqos --generate-only > unsigned.json",
  ).action(async (from: string, to: string, coinsText: string, flags: TxFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const amount = parseCoinsArg(coinsText, "<coins>");
    const sender = signerOf(ctx, flags, from);
    const recipient = ctx.resolveAddress(to);
    const msg = { typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend, value: MsgSend.fromPartial({ fromAddress: sender.address, toAddress: recipient.address, amount: coinsToWire(amount) }) };
    await runTx(ctx, flags, {
      msgs: [msg],
      signers: [sender],
      precheck: (fee) => checkFunds(ctx, sender.address, amount, fee),
    });
  });

  example(
    addTxFlags(
      tx
        .command("transfer")
        .description(`move coins from one or more senders to one or more receivers in one tx (${TypeUrl.qos.bank.v1.MsgTransfer}); every sender signs, the first pays the fee`)
        .requiredOption("--senders <list>", "'<key|addr>,<coins>;<key|addr>,<coins>...'")
        .requiredOption("--receivers <list>", "'<addr|key>,<coins>;...' (the sums of senders and receivers must be equal)")
        .option("--from <key...>", "keys that sign (default: the senders given as key names or whose address is a local key)"),
    ),
    "qoscli tx transfer --senders 'alice,100uqos;bob,50uqos' --receivers 'qosacc1...,150uqos' --gas auto --broadcast-mode block",
  ).action(async (flags: TxFlags & { senders: string; receivers: string; from?: string[] }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const fromKeys = (flags.from ?? []).map((f) => ctx.resolveKey(f));
    const senders = parseParties(ctx, flags.senders, "--senders");
    const receivers = parseParties(ctx, flags.receivers, "--receivers");
    const signers: TxSigner[] = senders.map((s) => ({ address: s.address, key: fromKeys.find((k) => k.address === s.address) ?? s.key }));
    for (const k of fromKeys) {
      if (!senders.some((s) => s.address === k.address)) throw new CliError(`--from ${k.name} (${k.address}) is not one of the --senders`);
    }
    const msg = {
      typeUrl: TypeUrl.qos.bank.v1.MsgTransfer,
      value: MsgTransfer.fromPartial({
        senders: senders.map((s) => ({ address: s.address, coins: coinsToWire(s.coins) })),
        receivers: receivers.map((r) => ({ address: r.address, coins: coinsToWire(r.coins) })),
      }),
    };
    const inSum = senders.reduce<Coin[]>((acc, s) => addCoins(acc, s.coins), []);
    const outSum = receivers.reduce<Coin[]>((acc, r) => addCoins(acc, r.coins), []);
    if (coinsToString(inSum) !== coinsToString(outSum)) {
      throw new CliError(`the senders give ${coinsToString(inSum)} but the receivers get ${coinsToString(outSum)}: the totals must be equal`);
    }
    await runTx(ctx, flags, { msgs: [msg], signers });
  });

  example(
    addVerifyFlag(query.command("balance").argument("<address|key>", "qosacc1... address or key name").argument("<denom>", "e.g. uqos").description("an account's balance of one denom")),
    "qoscli query balance alice uqos --output json",
    "qoscli query balance alice uqos --verify   # proven against a header verified from the trust root (qoscli light init)",
  ).action(async (who: string, denom: string, opts: { verify?: boolean }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const { address } = ctx.resolveAddress(who);
    checkDenom(denom);
    const verified = await verifiedStateFor(ctx, opts.verify);
    let balance: { denom: string; amount: string };
    if (verified) {
      // absent from the state (proven) = a zero balance: bank deletes zero balances
      const amount = await verified.get(balanceEntry(parseAccAddress(address), denom), `the ${denom} balance of ${address}`);
      balance = { denom, amount: String(amount ?? 0n) };
    } else {
      const res = await ctx.query(Method.cosmos.bank.v1beta1.Query.Balance, QueryBalanceRequest, { address, denom }, QueryBalanceResponse);
      balance = res.balance ?? { denom, amount: "0" };
    }
    ctx.print({ denom: balance.denom, amount: balance.amount }, () => `${balance.amount}${balance.denom}`);
  });

  example(
    addVerifyFlag(addPageFlags(query.command("balances").argument("<address|key>", "qosacc1... address or key name")).description("an account's balances, by denom (one page)"))
      .addHelpText("after", "\nWith --verify every listed balance is proven; that the list names every denom the account holds is not\n(the state tree has no range proofs): check a denom you care about with `query balance <who> <denom> --verify`."),
    "qoscli query balances alice",
  ).action(async (who: string, opts: PageFlags & { verify?: boolean }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const { address } = ctx.resolveAddress(who);
    const verified = await verifiedStateFor(ctx, opts.verify);
    const request = QueryAllBalancesRequest.fromPartial({ address, pagination: pageRequest(opts) });
    // with --verify, the list of denoms is read at the proven height, so each listed balance is proven there
    const res = await ctx.query(Method.cosmos.bank.v1beta1.Query.AllBalances, QueryAllBalancesRequest, request, QueryAllBalancesResponse, verified && Number(verified.height));
    let balances = res.balances.map((c) => ({ denom: c.denom, amount: c.amount }));
    if (verified) {
      const account = parseAccAddress(address);
      const proven = [];
      for (const c of balances) {
        checkDenom(c.denom);
        const amount = await verified.get(balanceEntry(account, c.denom), `the ${c.denom} balance of ${address}`);
        if (amount !== undefined) proven.push({ denom: c.denom, amount: String(amount) });
      }
      balances = proven;
    }
    ctx.print({ address, balances, pagination: pageJson(res.pagination, opts) }, () =>
      pageText(balances.length ? balances.map((c) => `${c.amount}${c.denom}`).join("\n") : `${address} has no coins`, res.pagination, opts));
  });

  example(
    addVerifyFlag(addPageFlags(query.command("supply").argument("[denom]", "one denom (default: all, one page)")).description("the total supply of all denoms, or of one"))
      .addHelpText("after", "\n--verify proves the supply of one denom; the list of all denoms cannot be proven complete (no range proofs) and is not verified."),
    "qoscli query supply uqos",
    "qoscli query supply uqos --verify",
  ).action(async (denom: string | undefined, opts: PageFlags & { verify?: boolean }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    if (denom !== undefined) {
      checkDenom(denom);
      const verified = await verifiedStateFor(ctx, opts.verify);
      let amount: { denom: string; amount: string };
      if (verified) amount = { denom, amount: String((await verified.get(supplyEntry(denom), `the supply of ${denom}`)) ?? 0n) };
      else amount = (await ctx.query(Method.cosmos.bank.v1beta1.Query.SupplyOf, QuerySupplyOfRequest, { denom }, QuerySupplyOfResponse)).amount ?? { denom, amount: "0" };
      ctx.print({ denom: amount.denom, amount: amount.amount }, () => `${amount.amount}${amount.denom}`);
      return;
    }
    if (opts.verify === true) throw new CliError("--verify: the supply of all denoms cannot be proven complete; verify one denom: qoscli query supply <denom> --verify");
    const request = QueryTotalSupplyRequest.fromPartial({ pagination: pageRequest(opts) });
    const res = await ctx.query(Method.cosmos.bank.v1beta1.Query.TotalSupply, QueryTotalSupplyRequest, request, QueryTotalSupplyResponse);
    const supply = res.supply.map((c) => ({ denom: c.denom, amount: c.amount }));
    ctx.print({ supply, pagination: pageJson(res.pagination, opts) }, () => pageText(supply.map((c) => `${c.amount}${c.denom}`).join("\n"), res.pagination, opts));
  });
};

function parseCoinsArg(text: string, what: string): Coin[] {
  let coins: Coin[];
  try {
    coins = parseCoinsString(text);
  } catch (e) {
    throw new CliError(`${what} ${JSON.stringify(text)}: ${(e as Error).message}; write e.g. 1000uqos or 10uqos,5ustar`);
  }
  if (coins.length === 0) throw new CliError(`${what} is empty: write e.g. 1000uqos`);
  return coins;
}

function checkDenom(denom: string): void {
  try {
    validateDenom(denom);
  } catch (e) {
    throw new CliError(`${(e as Error).message}; a denom is 3-128 characters starting with a letter, e.g. uqos`);
  }
}

function parseParties(ctx: CliContext, text: string, flag: string): Array<TxSigner & { coins: Coin[] }> {
  const parts = text.split(";").map((p) => p.trim()).filter((p) => p !== "");
  if (parts.length === 0) throw new CliError(`${flag} is empty: write '<key|addr>,<coins>;...'`);
  return parts.map((part) => {
    const comma = part.indexOf(",");
    if (comma < 0) throw new CliError(`${flag}: ${JSON.stringify(part)} must be <key|addr>,<coins>, e.g. alice,100uqos`);
    const { address, key } = ctx.resolveAddress(part.slice(0, comma).trim());
    return { address, key, coins: parseCoinsArg(part.slice(comma + 1), `${flag} coins of ${part.slice(0, comma).trim()}`) };
  });
}

/** Before broadcasting a send: the sender's balance must cover the amount plus the fee. */
async function checkFunds(ctx: CliContext, address: string, amount: Coin[], fee: Coin[]): Promise<void> {
  const needed = addCoins(amount, fee);
  const have: Coin[] = [];
  for (const c of needed) have.push({ denom: c.denom, amount: await fetchBalance(ctx, address, c.denom) });
  const short = needed.filter((c, i) => have[i].amount < c.amount);
  if (short.length) {
    throw new CliError(
      `insufficient funds: ${address} has ${have.map((c) => `${c.amount}${c.denom}`).join(",")} but needs ${coinsToString(needed)}` +
        (fee.length ? ` (${coinsToString(amount)} + fee ${coinsToString(fee)})` : ""),
    );
  }
}
