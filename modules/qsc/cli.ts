// qoscli commands of the qsc module: `tx qsc create|issue|freeze|unfreeze|pause|unpause`,
// `query qsc <name>`, `query qscs`, `query qsc-balance <name> <address>`.
import type { Command } from "commander";
import {
  MsgCreateQsc, MsgFreeze, MsgIssueQsc, MsgPause, MsgUnfreeze,
} from "../../gen/qos/qsc/v1/tx.js";
import {
  QueryBalanceRequest, QueryBalanceResponse, QueryTokenRequest, QueryTokenResponse, QueryTokensRequest, QueryTokensResponse,
} from "../../gen/qos/qsc/v1/query.js";
import {
  CliContext, CliError, signerOf, addPageFlags, addTxFlags, example, pageJson, pageRequest, pageText, runTx, type CliModule, type PageFlags, type TxFlags,
} from "../../client/index.js";
import { readCertificate } from "../../client/certificate.js";
import { isQscName } from "./params.js";
import { Method, TypeUrl } from "../../gen/names.js";

function checkName(name: string): string {
  if (!isQscName(name)) throw new CliError(`token name ${JSON.stringify(name)}: 3-16 upper-case letters and digits, starting with a letter (not QOS)`);
  return name;
}

function checkAmount(amount: string, what = "<amount>"): string {
  if (!/^[0-9]+$/.test(amount) || /^0+$/.test(amount)) throw new CliError(`${what} ${JSON.stringify(amount)} must be a positive whole number of the token's smallest unit`);
  return amount;
}

export const qscCli: CliModule = ({ tx, query, registerMsgTypes }) => {
  registerMsgTypes([
    [TypeUrl.qos.qsc.v1.MsgCreateQsc, MsgCreateQsc], [TypeUrl.qos.qsc.v1.MsgIssueQsc, MsgIssueQsc], [TypeUrl.qos.qsc.v1.MsgFreeze, MsgFreeze],
    [TypeUrl.qos.qsc.v1.MsgUnfreeze, MsgUnfreeze], [TypeUrl.qos.qsc.v1.MsgPause, MsgPause],
  ]);

  const qsc = tx.command("qsc").description("QSC tokens: create with a CA certificate, issue, freeze, pause");

  example(
    addTxFlags(
      qsc
        .command("create")
        .argument("<banker>", "the banker key the certificate names: only it may create the token (signs and pays)")
        .requiredOption("--certificate <file>", "certificate file from `qoscli ca issue-qsc` (names the token and its banker)")
        .option("--symbol <symbol>", "ticker symbol (default: the name)")
        .option("--decimals <n>", "decimals shown by wallets", "0")
        .option("--description <text>", "description", "")
        .option("--holders <list>", "initial holders '<addr|key>,<amount>;...'", "")
        .description(`register a QSC token with a certificate signed by the chain's QSC root CA (${TypeUrl.qos.qsc.v1.MsgCreateQsc})`),
    ),
    "qoscli tx qsc create banker --certificate STAR.crt --holders 'qosacc1...,1000000' --gas auto --broadcast-mode block",
  ).action(async (creator: string, flags: TxFlags & { certificate: string; symbol?: string; decimals: string; description: string; holders: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const cert = readCertificate(flags.certificate, "qsc");
    const signer = signerOf(ctx, flags, creator);
    if (signer.address !== cert.bankerAddress) {
      throw new CliError(`${creator} (${signer.address}) is not the banker ${cert.bankerAddress} that ${flags.certificate} names: only the banker's key may create the token`);
    }
    const holders = flags.holders
      .split(";").map((p) => p.trim()).filter(Boolean)
      .map((part) => {
        const [who, amount] = part.split(",").map((s) => s.trim());
        if (!who || !amount) throw new CliError(`--holders: ${JSON.stringify(part)} must be <addr|key>,<amount>`);
        return { address: ctx.resolveAddress(who).address, amount: checkAmount(amount, `--holders amount of ${who}`) };
      });
    const decimals = Number(flags.decimals);
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 18) throw new CliError("--decimals must be 0-18");
    const msg = MsgCreateQsc.fromPartial({
      creator: signer.address,
      certificate: cert.bytes,
      name: cert.subject.qsc.name,
      banker: cert.bankerAddress!,
      symbol: flags.symbol ?? cert.subject.qsc.name,
      decimals,
      description: flags.description,
      initialHolders: holders,
    });
    await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.qsc.v1.MsgCreateQsc, value: msg }], signers: [signer] });
  });

  example(
    addTxFlags(
      qsc.command("issue").argument("<banker>", "the token's banker key").argument("<name>", "token name").argument("<amount>", "amount to mint to the banker")
        .description(`mint more of a token to its banker (banker only; ${TypeUrl.qos.qsc.v1.MsgIssueQsc})`),
    ),
    "qoscli tx qsc issue banker STAR 1000000 --broadcast-mode block",
  ).action(async (banker: string, name: string, amount: string, flags: TxFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const key = ctx.resolveKey(banker);
    const msg = MsgIssueQsc.fromPartial({ banker: key.address, name: checkName(name), amount: checkAmount(amount) });
    await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.qsc.v1.MsgIssueQsc, value: msg }], signers: [{ address: key.address, key }] });
  });

  for (const action of ["freeze", "unfreeze"] as const) {
    example(
      addTxFlags(
        qsc.command(action).argument("<banker>", "the token's banker key").argument("<name>", "token name").argument("<holder>", "holder address or key").argument("<amount>", "amount")
          .description(action === "freeze" ? "lock part of a holder's balance: it cannot be spent until unfrozen (banker only)" : "release a frozen amount back to the holder (banker only)"),
      ),
      `qoscli tx qsc ${action} banker STAR qosacc1... 500 --broadcast-mode block`,
    ).action(async (banker: string, name: string, holder: string, amount: string, flags: TxFlags, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const key = ctx.resolveKey(banker);
      const fields = { banker: key.address, name: checkName(name), holder: ctx.resolveAddress(holder).address, amount: checkAmount(amount) };
      const msg = action === "freeze"
        ? { typeUrl: TypeUrl.qos.qsc.v1.MsgFreeze, value: MsgFreeze.fromPartial(fields) }
        : { typeUrl: TypeUrl.qos.qsc.v1.MsgUnfreeze, value: MsgUnfreeze.fromPartial(fields) };
      await runTx(ctx, flags, { msgs: [msg], signers: [{ address: key.address, key }] });
    });
  }

  for (const action of ["pause", "unpause"] as const) {
    example(
      addTxFlags(
        qsc.command(action).argument("<banker>", "the token's banker key").argument("<name>", "token name")
          .description(action === "pause" ? "stop every transfer of the token, allowances included (banker only)" : "let the token move again (banker only)"),
      ),
      `qoscli tx qsc ${action} banker STAR --broadcast-mode block`,
    ).action(async (banker: string, name: string, flags: TxFlags, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const key = ctx.resolveKey(banker);
      const msg = MsgPause.fromPartial({ banker: key.address, name: checkName(name), paused: action === "pause" });
      await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.qsc.v1.MsgPause, value: msg }], signers: [{ address: key.address, key }] });
    });
  }

  const tokenJson = (t: QueryTokenResponse) => ({ ...t.token, total_supply: t.totalSupply });
  example(query.command("qsc").argument("<name>", "token name").description("a QSC token's info and total supply"), "qoscli query qsc STAR --output json")
    .action(async (name: string, _opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Method.qos.qsc.v1.Query.Token, QueryTokenRequest, { name: checkName(name) }, QueryTokenResponse);
      const t = tokenJson(res);
      ctx.print(t, () => `${t.name} (${t.symbol}, ${t.decimals} decimals) banker ${t.banker} supply ${t.total_supply}${t.paused ? " PAUSED" : ""}`);
    });
  example(addPageFlags(query.command("qscs")).description("the QSC tokens, by name (one page)"), "qoscli query qscs --output json")
    .action(async (opts: PageFlags, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Method.qos.qsc.v1.Query.Tokens, QueryTokensRequest, { pagination: pageRequest(opts) }, QueryTokensResponse);
      const tokens = res.tokens.map(tokenJson);
      ctx.print({ tokens, pagination: pageJson(res.pagination, opts) }, () =>
        pageText(tokens.map((t) => `${t.name}\tsupply ${t.total_supply}\tbanker ${t.banker}${t.paused ? "\tPAUSED" : ""}`).join("\n") || "no tokens", res.pagination, opts));
    });
  example(query.command("qsc-balance").argument("<name>", "token name").argument("<address|key>", "holder").description("a holder's spendable and frozen amounts of a token"), "qoscli query qsc-balance STAR alice")
    .action(async (name: string, who: string, _opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { address } = ctx.resolveAddress(who);
      const res = await ctx.query(Method.qos.qsc.v1.Query.Balance, QueryBalanceRequest, { name: checkName(name), address }, QueryBalanceResponse);
      ctx.print({ name, address, spendable: res.spendable, frozen: res.frozen }, () => `spendable ${res.spendable}${name}, frozen ${res.frozen}${name}`);
    });
};
