// qoscli commands of mining: `tx mining create-scenario|pay|set-rate|claim`,
// `query mining scenario|periods|pending|rates` (the module's four queries).
import type { Command } from "commander";
import { MsgClaim, MsgCreateScenario, MsgPay, MsgSetRate } from "../../gen/qos/mining/v1/tx.js";
import {
  QueryPendingRequest, QueryPendingResponse, QueryPeriodsRequest, QueryPeriodsResponse, QueryRatesRequest, QueryRatesResponse, QueryScenarioRequest,
  QueryScenarioResponse,
} from "../../gen/qos/mining/v1/query.js";
import type { Period, RatePoint, Scenario } from "../../gen/qos/mining/v1/types.js";
import { canonicalDec, formatDec, parseDec } from "../../app/decimal.js";
import {
  CliContext, CliError, addPageFlags, addTxFlags, example, pageJson, pageRequest, pageText, runTx, signerOf, wholeAmount, type CliModule, type PageFlags, type TxFlags,
} from "../../client/index.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { MaxMemoBytes } from "./msgs.js";

const Urls = TypeUrl.qos.mining.v1;
const Paths = Method.qos.mining.v1.Query;

/** "0.01", "2.5" (at most 18 fractional digits), sent in the one spelling the chain takes ("0.010" → "0.01") */
function decimal(text: string, what: string): string {
  if (!/^[0-9]+(\.[0-9]{1,18})?$/.test(text)) throw new CliError(`${what} ${JSON.stringify(text)} must be a decimal such as 0.01 or 2.5 (at most 18 digits after the point)`);
  return canonicalDec(parseDec(text));
}

/** "100000STAR" → amount and denom */
function qscCoin(text: string): { amount: string; denom: string } {
  const m = /^([0-9]+)([A-Za-z][A-Za-z0-9]*)$/.exec(text);
  if (!m) throw new CliError(`<amount> ${JSON.stringify(text)} must be a whole number followed by the QSC's name, e.g. 100000STAR`);
  return { amount: wholeAmount(m[1], "<amount>"), denom: m[2] };
}

/** fields scaled by 1e18 on the chain, shown as decimals */
const dec = (scaled: string) => formatDec(BigInt(scaled || "0"));

function scenarioJson(s: Scenario) {
  return {
    denom: s.denom, banker: s.banker, community: s.community, commission_rate: dec(s.commissionRate), min_commission: s.minCommission,
    holder_share: dec(s.holderShare), period_secs: s.periodSecs.toString(), team: s.team, team_reserve: s.teamReserve, team_unlocked: s.teamUnlocked,
    team_unlock_rate: dec(s.teamUnlockRate), team_unlock_cap: s.teamUnlockCap, rate: dec(s.rate), rate_height: s.rateHeight.toString(),
    period: s.period.toString(), period_start: s.periodStart.toString(), period_end: s.periodEnd.toString(), reference_price: dec(s.referencePrice),
    period_commission: s.periodCommission, period_volume: s.periodVolume, period_min_holdings: s.periodMinHoldings, eligible_supply: s.eligibleSupply,
    collected: s.collected, dividends_settled: s.dividendsSettled, dividends_claimed: s.dividendsClaimed, community_paid: s.communityPaid,
    rewards_minted: s.rewardsMinted,
  };
}

function periodJson(p: Period) {
  return {
    index: p.index.toString(), start: p.start.toString(), end: p.end.toString(), commission: p.commission, volume: p.volume,
    holders_amount: p.holdersAmount, community_amount: p.communityAmount, min_holdings: p.minHoldings,
    dividend_per_token: dec(p.dividendPerToken), cumulative_dividend_per_token: dec(p.cumulativeDividendPerToken),
    price: dec(p.price), price_source: p.priceSource, team_unlocked: p.teamUnlocked,
  };
}

const periodText = (p: ReturnType<typeof periodJson>) =>
  `period ${p.index} [${p.start}, ${p.end})\tcommission ${p.commission}uqos (holders ${p.holders_amount}, community ${p.community_amount})\tprice ${p.price} (${p.price_source})\tteam unlocked ${p.team_unlocked}`;

const rateJson = (r: RatePoint) => ({ time: r.time.toString(), height: r.height.toString(), rate: dec(r.rate) });

export const miningCli: CliModule = ({ tx, query, registerMsgTypes }) => {
  registerMsgTypes([[Urls.MsgCreateScenario, MsgCreateScenario], [Urls.MsgPay, MsgPay], [Urls.MsgSetRate, MsgSetRate], [Urls.MsgClaim, MsgClaim]]);
  const mining = tx.command("mining").description("mining by value exchange (docs/mining.md): scenarios of a QSC, payments that pay a QOS commission, claims");

  example(
    addTxFlags(
      mining.command("create-scenario").argument("<banker>", "the QSC's banker key (only it may; signs and pays)").argument("<denom>", "the QSC")
        .requiredOption("--community <addr|key>", "receives the community share and the rounding dust of each period")
        .requiredOption("--initial-rate <uqos>", "the banker's rate: uqos per unit of the QSC, until a period settles (decimal)")
        .option("--commission-rate <x>", "commission per payment as a fraction of its value in uqos", "0.01")
        .option("--min-commission <uqos>", "the least commission of a payment", "0")
        .option("--holder-share <x>", "the holders' share of the commission (the rest to the community)", "0.8")
        .option("--period <seconds>", "settlement period in seconds of block time", "86400")
        .option("--team <addr|key>", "receives the team reserve as it unlocks")
        .option("--team-reserve <n>", "QSC moved from the banker and locked at creation", "0")
        .option("--team-unlock-rate <x>", "unlocked per period: this fraction of the QSC paid in it", "0")
        .option("--team-unlock-cap <n>", "unlocked per period at most", "0")
        .description(`register the mining scenario of a QSC, within the bounds governance set (\`qoscli query params mining\`) (${Urls.MsgCreateScenario})`),
    ),
    "qoscli tx mining create-scenario banker STAR --community qosacc1... --initial-rate 2.5 --commission-rate 0.01 --min-commission 1000 --broadcast-mode block",
  ).action(async (who: string, denom: string, flags: TxFlags & {
    community: string; initialRate: string; commissionRate: string; minCommission: string; holderShare: string; period: string;
    team?: string; teamReserve: string; teamUnlockRate: string; teamUnlockCap: string;
  }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const signer = signerOf(ctx, flags, who);
    if (!/^[1-9][0-9]{0,9}$/.test(flags.period)) throw new CliError(`--period ${JSON.stringify(flags.period)} must be a positive whole number of seconds`);
    const teamReserve = wholeAmount(flags.teamReserve, "--team-reserve", true);
    if (!/^0+$/.test(teamReserve) && flags.team === undefined) throw new CliError("--team-reserve needs --team (the account the reserve unlocks to)");
    const msg = MsgCreateScenario.fromPartial({
      banker: signer.address, denom, community: ctx.resolveAddress(flags.community).address,
      commissionRate: decimal(flags.commissionRate, "--commission-rate"), minCommission: wholeAmount(flags.minCommission, "--min-commission", true),
      holderShare: decimal(flags.holderShare, "--holder-share"), periodSecs: BigInt(flags.period), initialRate: decimal(flags.initialRate, "--initial-rate"),
      team: flags.team === undefined ? "" : ctx.resolveAddress(flags.team).address, teamReserve,
      teamUnlockRate: decimal(flags.teamUnlockRate, "--team-unlock-rate"), teamUnlockCap: wholeAmount(flags.teamUnlockCap, "--team-unlock-cap", true),
    });
    await runTx(ctx, flags, { msgs: [{ typeUrl: Urls.MsgCreateScenario, value: msg }], signers: [signer] });
  });

  example(
    addTxFlags(
      mining.command("pay").argument("<payer>", "key that pays (signs; pays the QSC, the commission and the fee)").argument("<payee>", "address or key paid")
        .argument("<amount>", "QSC paid, e.g. 100000STAR")
        .option("--reference <text>", `the payment's reference (order number…), stored in the payment event, at most ${MaxMemoBytes} bytes`, "")
        .description(`pay in a QSC that has a mining scenario: the payer is charged the commission in uqos; a plain send does not mine (${Urls.MsgPay})`),
    ),
    "qoscli tx mining pay alice shop 100000STAR --reference order-17 --gas auto --broadcast-mode block",
  ).action(async (who: string, payee: string, value: string, flags: TxFlags & { reference: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const signer = signerOf(ctx, flags, who);
    const { amount, denom } = qscCoin(value);
    if (Buffer.byteLength(flags.reference, "utf8") > MaxMemoBytes) throw new CliError(`--reference is longer than ${MaxMemoBytes} bytes`);
    const msg = MsgPay.fromPartial({ payer: signer.address, payee: ctx.resolveAddress(payee).address, denom, amount, memo: flags.reference });
    await runTx(ctx, flags, { msgs: [{ typeUrl: Urls.MsgPay, value: msg }], signers: [signer] });
  });

  example(
    addTxFlags(
      mining.command("set-rate").argument("<banker>", "the QSC's banker key").argument("<denom>", "the QSC").argument("<rate>", "uqos per unit of the QSC (decimal)")
        .description(`publish the banker's rate, used where the QSC has no exchange pool; spaced and bounded by governance (${Urls.MsgSetRate})`),
    ),
    "qoscli tx mining set-rate banker STAR 2.6 --broadcast-mode block",
  ).action(async (who: string, denom: string, rate: string, flags: TxFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const signer = signerOf(ctx, flags, who);
    const msg = MsgSetRate.fromPartial({ banker: signer.address, denom, rate: decimal(rate, "<rate>") });
    await runTx(ctx, flags, { msgs: [{ typeUrl: Urls.MsgSetRate, value: msg }], signers: [signer] });
  });

  example(
    addTxFlags(
      mining.command("claim").argument("<claimer>", "key that claims (signs and pays)").argument("<denom>", "the scenario's QSC")
        .description(`take the settled holder dividends (uqos) and mining rewards (the QSC, minted) of an account; \`query mining pending\` shows them first (${Urls.MsgClaim})`),
    ),
    "qoscli tx mining claim alice STAR --gas auto --broadcast-mode block",
  ).action(async (who: string, denom: string, flags: TxFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const signer = signerOf(ctx, flags, who);
    await runTx(ctx, flags, { msgs: [{ typeUrl: Urls.MsgClaim, value: MsgClaim.fromPartial({ claimer: signer.address, denom }) }], signers: [signer] });
  });

  const q = query.command("mining").description("mining scenarios: parameters and running totals, settled periods, an account's pending dividends and rewards, rates");
  example(q.command("scenario").argument("<denom>", "the QSC").description("a QSC's mining scenario: its parameters and the current period's totals"), "qoscli query mining scenario STAR --output json")
    .action(async (denom: string, _opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Paths.Scenario, QueryScenarioRequest, { denom }, QueryScenarioResponse);
      const s = scenarioJson(res.scenario!);
      ctx.print(s, () => [
        `${s.denom}: banker ${s.banker}, community ${s.community}`,
        `commission ${s.commission_rate} of the value (at least ${s.min_commission}uqos), holders ${s.holder_share}`,
        `period ${s.period} [${s.period_start}, ${s.period_end}) of ${s.period_secs} s: commission ${s.period_commission}uqos, paid ${s.period_volume}${s.denom}`,
        `reference price ${s.reference_price} uqos, banker's rate ${s.rate}`,
        `collected ${s.collected}uqos, dividends settled ${s.dividends_settled} (claimed ${s.dividends_claimed}), community ${s.community_paid}, rewards minted ${s.rewards_minted}${s.denom}`,
      ].join("\n"));
    });
  example(addPageFlags(q.command("periods").argument("<denom>", "the QSC")).description("the settled periods of a scenario: commission, holders' and community amounts, price, team unlock (one page)"),
    "qoscli query mining periods STAR --output json")
    .action(async (denom: string, opts: PageFlags, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Paths.Periods, QueryPeriodsRequest, { denom, pagination: pageRequest(opts) }, QueryPeriodsResponse);
      const periods = res.periods.map(periodJson);
      ctx.print({ periods, pagination: pageJson(res.pagination, opts) }, () => pageText(periods.map(periodText).join("\n") || "no settled period yet", res.pagination, opts));
    });
  example(q.command("pending").argument("<address|key>", "the account").argument("<denom>", "the scenario's QSC")
    .description("what an account can claim now (settled dividends in uqos, rewards in the QSC), and its least balance and commission credit in the current period"),
  "qoscli query mining pending alice STAR --output json")
    .action(async (who: string, denom: string, _opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { address } = ctx.resolveAddress(who);
      const res = await ctx.query(Paths.Pending, QueryPendingRequest, { denom, address }, QueryPendingResponse);
      const json = { address, denom, dividends: res.dividends, rewards: res.rewards, least_balance: res.leastBalance, credit: res.credit };
      ctx.print(json, () => `claimable: ${res.dividends}uqos dividends, ${res.rewards}${denom} rewards\nthis period: least balance ${res.leastBalance}${denom}, commission credit ${res.credit}uqos`);
    });
  example(addPageFlags(q.command("rates").argument("<denom>", "the QSC")).description("the banker's published rates (uqos per unit) by height (one page)"), "qoscli query mining rates STAR")
    .action(async (denom: string, opts: PageFlags, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Paths.Rates, QueryRatesRequest, { denom, pagination: pageRequest(opts) }, QueryRatesResponse);
      const rates = res.rates.map(rateJson);
      ctx.print({ rates, pagination: pageJson(res.pagination, opts) }, () => pageText(rates.map((r) => `height ${r.height} (time ${r.time}): ${r.rate} uqos`).join("\n"), res.pagination, opts));
    });
};
