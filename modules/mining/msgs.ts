// mining messages, in two phases: checkStateless (addresses, amounts, fractions) → execute (token,
// scenario, bounds, then the change). Every check that can refuse runs before the first coin moves.
import { parseAccAddress } from "../../app/address.js";
import { BaseDenom, MaxAmount, parseAmountField } from "../../app/coins.js";
import { decSpellingProblem, One, parseDec, tryParseDec } from "../../app/decimal.js";
import { blockSeconds, type Context, type MsgHandler } from "../../app/module.js";
import { TypeUrl } from "../../gen/names.js";
import {
  MsgClaim, MsgClaimResponse, MsgCreateScenario, MsgCreateScenarioResponse, MsgPay, MsgPayResponse, MsgSetRate, MsgSetRateResponse,
} from "../../gen/qos/mining/v1/tx.js";
import { MiningErrors } from "./errors.js";
import * as events from "./events.js";
import type { MiningKeeper, ScenarioState } from "./keeper.js";

const Urls = TypeUrl.qos.mining.v1;
/** gas of a message's arithmetic and bookkeeping, on top of its store accesses */
export const GasPerMiningMsg = 5_000n;
/** bytes of a payment's memo, at most */
export const MaxMemoBytes = 256;

/** An amount field in its one spelling (mining 2 malformed or leading zeros, zero unless `zeroAllowed`;
 *  mining 3 above 2^256 − 1). */
export function parseMiningAmount(text: string, what: string, zeroAllowed = false): bigint {
  return parseAmountField(text, what, { invalid: MiningErrors.invalidAmount, overflow: MiningErrors.amountOverflow }, zeroAllowed);
}

/** A decimal field ("0.002") in its one spelling (isCanonicalDec), scaled by 1e18; a fraction unless `fraction`
 *  is false (then positive). The spelling is checked last so that a value refused before keeps its log. */
function parseDecimal(text: string, what: string, fraction: boolean): bigint {
  const value = text.length > 100 ? undefined : tryParseDec(text);
  if (value === undefined) throw MiningErrors.invalidField.with(`${what} ${JSON.stringify(text.slice(0, 100))} is not a decimal with at most 18 fractional digits`);
  if (fraction && (value < 0n || value > One)) throw MiningErrors.invalidField.with(`${what} ${text} is not between 0 and 1`);
  if (!fraction && value <= 0n) throw MiningErrors.invalidField.with(`${what} ${text} must be positive`);
  if (value > MaxAmount) throw MiningErrors.amountOverflow.with(`${what} is too large`);
  const problem = decSpellingProblem(text, value);
  if (problem) throw MiningErrors.invalidField.with(`${what} ${problem}`);
  return value;
}

function checkDenom(denom: string): void {
  if (denom === BaseDenom || denom.length === 0 || denom.length > 128 || denom.includes("/")) {
    throw MiningErrors.unknownToken.with(`${JSON.stringify(denom.slice(0, 130))} is not a QSC (only QSC tokens mine)`);
  }
}

export interface ParsedCreate {
  banker: string; account: Uint8Array; denom: string; community: string; commissionRate: bigint; minCommission: bigint; holderShare: bigint;
  periodSecs: bigint; initialRate: bigint; team: string; teamReserve: bigint; teamUnlockRate: bigint; teamUnlockCap: bigint;
}
export interface ParsedPay { payer: string; payerBytes: Uint8Array; payee: string; payeeBytes: Uint8Array; denom: string; amount: bigint; memo: string }
export interface ParsedSetRate { banker: string; denom: string; rate: bigint }
export interface ParsedClaim { claimer: string; account: Uint8Array; denom: string }

/** The commission of a payment: its value in uqos at the scenario's reference price times the rate,
 *  rounded down, at least the minimum. */
export function commissionOf(s: ScenarioState, amount: bigint): bigint {
  const value = (amount * s.referencePrice) / One;
  const commission = (value * s.commissionRate) / One;
  return commission > s.minCommission ? commission : s.minCommission;
}

export function miningMsgs(keeper: MiningKeeper): MsgHandler[] {
  /** the token, refusing a paused one (mining 8) */
  const liveToken = (ctx: Context, denom: string) => {
    const token = keeper.tokens.token(ctx.store, denom);
    if (!token) throw MiningErrors.unknownToken.with(`${JSON.stringify(denom)} is not a QSC token of this chain`);
    if (token.paused) throw MiningErrors.tokenPaused.with(`${denom} is paused by its banker: it does not mine until unpaused`);
    return token;
  };

  const create: MsgHandler<MsgCreateScenario, ParsedCreate> = {
    typeUrl: Urls.MsgCreateScenario,
    codec: MsgCreateScenario,
    signers: (msg) => [msg.banker],
    checkStateless(msg) {
      const account = parseAccAddress(msg.banker, "banker");
      checkDenom(msg.denom);
      parseAccAddress(msg.community, "community");
      if (!Number.isSafeInteger(Number(msg.periodSecs)) || msg.periodSecs <= 0n) throw MiningErrors.invalidField.with(`period_secs ${msg.periodSecs} must be positive`);
      const teamReserve = parseMiningAmount(msg.teamReserve || "0", "team_reserve", true);
      if (teamReserve > 0n || msg.team !== "") parseAccAddress(msg.team, "team");
      const parsed = {
        banker: msg.banker, account, denom: msg.denom, community: msg.community,
        commissionRate: parseDecimal(msg.commissionRate, "commission_rate", true),
        minCommission: parseMiningAmount(msg.minCommission || "0", "min_commission", true),
        holderShare: parseDecimal(msg.holderShare, "holder_share", true),
        periodSecs: msg.periodSecs,
        initialRate: parseDecimal(msg.initialRate, "initial_rate", false),
        team: msg.team, teamReserve,
        teamUnlockRate: parseDecimal(msg.teamUnlockRate || "0", "team_unlock_rate", true),
        teamUnlockCap: parseMiningAmount(msg.teamUnlockCap || "0", "team_unlock_cap", true),
      };
      // nothing ever unlocks with a zero rate or cap: the reserve would leave the banker's hands for good
      if (teamReserve > 0n && (parsed.teamUnlockRate === 0n || parsed.teamUnlockCap === 0n)) {
        throw MiningErrors.invalidField.with(`team_reserve ${teamReserve} would never unlock: team_unlock_rate and team_unlock_cap must be positive`);
      }
      return parsed;
    },
    execute(ctx, p) {
      ctx.gas.consume(GasPerMiningMsg, "mining create scenario");
      const token = liveToken(ctx, p.denom);
      if (token.banker !== p.banker) throw MiningErrors.notBanker.with(`${p.banker} is not the banker of ${p.denom} (${token.banker} is)`);
      if (keeper.hasScenario(ctx.store, p.denom)) throw MiningErrors.scenarioExists.with(`${p.denom} mines in its scenario already`);
      const bounds = keeper.getParams(ctx.store);
      const outOfBounds = (what: string) => MiningErrors.outOfBounds.with(what);
      if (p.commissionRate > parseDec(bounds.max_commission_rate)) throw outOfBounds(`commission_rate above max_commission_rate ${bounds.max_commission_rate}`);
      if (p.holderShare < parseDec(bounds.min_holder_share)) throw outOfBounds(`holder_share below min_holder_share ${bounds.min_holder_share}`);
      if (p.periodSecs < BigInt(bounds.min_period_secs) || p.periodSecs > BigInt(bounds.max_period_secs)) {
        throw outOfBounds(`period_secs ${p.periodSecs} outside [${bounds.min_period_secs}, ${bounds.max_period_secs}]`);
      }
      if (p.teamUnlockRate > parseDec(bounds.max_team_unlock_rate)) throw outOfBounds(`team_unlock_rate above max_team_unlock_rate ${bounds.max_team_unlock_rate}`);
      keeper.bank.checkRecipient(parseAccAddress(p.community), "community");
      if (p.team !== "") keeper.bank.checkRecipient(parseAccAddress(p.team), "team");
      const now = blockSeconds(ctx.block);
      let eligible = keeper.bank.getSupply(ctx.store, p.denom);
      for (const address of keeper.bank.moduleAccounts()) eligible -= keeper.bank.getBalance(ctx.store, address, p.denom);
      keeper.setScenario(ctx.store, {
        denom: p.denom, banker: p.banker, community: p.community, commissionRate: p.commissionRate, minCommission: p.minCommission,
        holderShare: p.holderShare, periodSecs: p.periodSecs, team: p.team, teamReserve: p.teamReserve, teamUnlocked: 0n,
        teamUnlockRate: p.teamUnlockRate, teamUnlockCap: p.teamUnlockCap,
        rate: p.initialRate, rateTime: now, rateCumulative: 0n, rateHeight: BigInt(ctx.block.height),
        period: 0n, periodStart: now, periodEnd: now + p.periodSecs, rateCumulativeAtStart: 0n, referencePrice: p.initialRate,
        periodCommission: 0n, periodVolume: 0n, periodMinHoldings: eligible, eligibleSupply: eligible,
        collected: 0n, dividendsClaimed: 0n, communityPaid: 0n, rewardsMinted: 0n, dividendsSettled: 0n,
      });
      keeper.addRatePoint(ctx.store, p.denom, { time: now, height: BigInt(ctx.block.height), rate: p.initialRate });
      keeper.enqueue(ctx.store, now + p.periodSecs, p.denom);
      // stored first: the reserve's move runs bank's balance hook, which reads the scenario
      if (p.teamReserve > 0n) keeper.bank.sendFromAccountToModule(ctx.store, ctx.events, p.account, [{ denom: p.denom, amount: p.teamReserve }]);
      ctx.events.push(events.createScenarioEvent(p.denom, p.banker, p.community, (now + p.periodSecs).toString(), p.teamReserve.toString()));
      return { typeUrl: Urls.MsgCreateScenarioResponse, value: MsgCreateScenarioResponse.encode({}).finish() };
    },
  };

  const pay: MsgHandler<MsgPay, ParsedPay> = {
    typeUrl: Urls.MsgPay,
    codec: MsgPay,
    signers: (msg) => [msg.payer],
    checkStateless(msg) {
      const payerBytes = parseAccAddress(msg.payer, "payer");
      const payeeBytes = parseAccAddress(msg.payee, "payee");
      if (msg.payer === msg.payee) throw MiningErrors.invalidField.with("payer and payee are the same account");
      checkDenom(msg.denom);
      if (Buffer.byteLength(msg.memo, "utf8") > MaxMemoBytes) throw MiningErrors.invalidField.with(`memo longer than ${MaxMemoBytes} bytes`);
      return { payer: msg.payer, payerBytes, payee: msg.payee, payeeBytes, denom: msg.denom, amount: parseMiningAmount(msg.amount, "amount"), memo: msg.memo };
    },
    execute(ctx, p) {
      ctx.gas.consume(GasPerMiningMsg, "mining pay");
      const s = keeper.requireScenario(ctx.store, p.denom);
      liveToken(ctx, p.denom);
      for (const [who, bytes] of [[p.payer, p.payerBytes], [p.payee, p.payeeBytes]] as const) {
        const frozen = keeper.tokens.frozen(ctx.store, p.denom, bytes);
        if (frozen > 0n) throw MiningErrors.accountFrozen.with(`${who} has ${frozen}${p.denom} frozen by the banker`);
      }
      keeper.bank.checkRecipient(p.payeeBytes, "payee");
      const commission = commissionOf(s, p.amount);
      for (const bytes of [p.payerBytes, p.payeeBytes]) {
        const m = keeper.minerNow(ctx.store, s, bytes);
        keeper.setMiner(ctx.store, p.denom, bytes, { ...m, credit: m.credit + commission });
      }
      keeper.setScenario(ctx.store, {
        ...s, periodCommission: s.periodCommission + commission, periodVolume: s.periodVolume + p.amount, collected: s.collected + commission,
      });
      // the scenario is stored before coins move: bank's balance hook reads and updates it
      keeper.bank.send(ctx.store, ctx.events, p.payerBytes, p.payeeBytes, [{ denom: p.denom, amount: p.amount }]);
      if (commission > 0n) keeper.bank.sendFromAccountToModule(ctx.store, ctx.events, p.payerBytes, [{ denom: BaseDenom, amount: commission }]);
      ctx.events.push(events.payEvent(p.denom, p.payer, p.payee, p.amount.toString(), commission.toString(), p.memo));
      return { typeUrl: Urls.MsgPayResponse, value: MsgPayResponse.encode({ commission: commission.toString() }).finish() };
    },
  };

  const setRate: MsgHandler<MsgSetRate, ParsedSetRate> = {
    typeUrl: Urls.MsgSetRate,
    codec: MsgSetRate,
    signers: (msg) => [msg.banker],
    checkStateless(msg) {
      parseAccAddress(msg.banker, "banker");
      checkDenom(msg.denom);
      return { banker: msg.banker, denom: msg.denom, rate: parseDecimal(msg.rate, "rate", false) };
    },
    execute(ctx, p) {
      ctx.gas.consume(GasPerMiningMsg, "mining set rate");
      const s = keeper.requireScenario(ctx.store, p.denom);
      if (s.banker !== p.banker) throw MiningErrors.notBanker.with(`${p.banker} is not the banker of ${p.denom} (${s.banker} is)`);
      liveToken(ctx, p.denom);
      const bounds = keeper.getParams(ctx.store);
      const height = BigInt(ctx.block.height);
      const next = s.rateHeight + BigInt(bounds.rate_interval_blocks);
      if (height < next) throw MiningErrors.rateTooSoon.with(`the rate was set at height ${s.rateHeight}; the next change from height ${next}`);
      const change = p.rate > s.rate ? p.rate - s.rate : s.rate - p.rate;
      const bound = (s.rate * parseDec(bounds.max_rate_change)) / One;
      if (change > bound) throw MiningErrors.rateChangeTooLarge.with(`from ${s.rate} to ${p.rate} (×1e-18) is a change of ${change}, at most ${bound} allowed (max_rate_change ${bounds.max_rate_change})`);
      const now = blockSeconds(ctx.block);
      keeper.setScenario(ctx.store, { ...s, rateCumulative: keeper.rateCumulativeAt(s, now), rateTime: now, rate: p.rate, rateHeight: height });
      keeper.addRatePoint(ctx.store, p.denom, { time: now, height, rate: p.rate });
      ctx.events.push(events.setRateEvent(p.denom, p.rate.toString()));
      return { typeUrl: Urls.MsgSetRateResponse, value: MsgSetRateResponse.encode({}).finish() };
    },
  };

  const claim: MsgHandler<MsgClaim, ParsedClaim> = {
    typeUrl: Urls.MsgClaim,
    codec: MsgClaim,
    signers: (msg) => [msg.claimer],
    checkStateless(msg) {
      const account = parseAccAddress(msg.claimer, "claimer");
      checkDenom(msg.denom);
      return { claimer: msg.claimer, account, denom: msg.denom };
    },
    execute(ctx, p) {
      ctx.gas.consume(GasPerMiningMsg, "mining claim");
      const s = keeper.requireScenario(ctx.store, p.denom);
      liveToken(ctx, p.denom);
      const h = keeper.holderNow(ctx.store, s, p.account, keeper.bank.getBalance(ctx.store, p.account, p.denom));
      const m = keeper.minerNow(ctx.store, s, p.account);
      if (h.owed === 0n && m.owed === 0n) throw MiningErrors.nothingToClaim.with(`${p.claimer} has no settled dividends or mining rewards of ${p.denom}`);
      keeper.setHolder(ctx.store, p.denom, p.account, { ...h, owed: 0n });
      keeper.setMiner(ctx.store, p.denom, p.account, { ...m, owed: 0n });
      keeper.setScenario(ctx.store, { ...s, dividendsClaimed: s.dividendsClaimed + h.owed, rewardsMinted: s.rewardsMinted + m.owed });
      // the scenario and records are stored before coins move: bank's balance hook reads and updates them
      if (h.owed > 0n) keeper.bank.sendFromModuleToAccount(ctx.store, ctx.events, p.account, [{ denom: BaseDenom, amount: h.owed }]);
      if (m.owed > 0n) keeper.bank.mint(ctx.store, ctx.events, p.account, [{ denom: p.denom, amount: m.owed }]);
      ctx.events.push(events.claimEvent(p.denom, p.claimer, h.owed.toString(), m.owed.toString()));
      return { typeUrl: Urls.MsgClaimResponse, value: MsgClaimResponse.encode({ dividends: h.owed.toString(), rewards: m.owed.toString() }).finish() };
    },
  };

  return [create, pay, setRate, claim];
}
