// gov messages: checkStateless parses (addresses to bytes, amounts to bigints, the content's kind and
// level), execute checks against state and changes it without parsing again.
import { parseAccAddress } from "../../app/address.js";
import { parseAmount } from "../../app/coins.js";
import { mulDecFloor, parseDec } from "../../app/decimal.js";
import { aliasHandler } from "../../app/alias.js";
import type { MsgHandler } from "../../app/module.js";
import * as cosmosV1beta1 from "../../gen/cosmos/gov/v1beta1/tx.js";
import * as cosmosV1 from "../../gen/cosmos/gov/v1/tx.js";
import { TypeUrl } from "../../gen/names.js";
import {
  MsgDeposit, MsgDepositResponse, MsgSubmitProposal, MsgSubmitProposalResponse, MsgVote, MsgVoteResponse,
} from "../../gen/qos/gov/v1/tx.js";
import type { ProposalContent } from "../../gen/qos/gov/v1/types.js";
import { GovErrors } from "./errors.js";
import * as events from "./events.js";
import { LevelNames, OptionNames, ProposalLevel, ProposalStatus, VoteOption, levelOf, proposalKind, type GovKeeper, type GovParamsRegistry, type GovQcpClient, type GovQcpRecover } from "./keeper.js";
import { MaxDescriptionBytes, MaxTitleBytes, MaxUpgradeNameBytes } from "./params.js";

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** An amount field in its one spelling (no leading zeros, sign or spaces: one hash per tx), else gov 10. */
function amount(text: string, what: string): bigint {
  try {
    return parseAmount(text, what);
  } catch (e) {
    throw GovErrors.invalidAmount.with((e as Error).message);
  }
}

function positive(text: string, what: string): bigint {
  const value = amount(text, what);
  if (value === 0n) throw GovErrors.invalidAmount.with(`${what} must be positive`);
  return value;
}

/** Checks that need no state; returns the content's kind and, for a pool spend, the recipient's bytes. */
export function checkContentStateless(
  content: ProposalContent | undefined, qcpClient: Pick<GovQcpClient, "checkStateless">, qcpRecover: Pick<GovQcpRecover, "checkStateless">,
  params: Pick<GovParamsRegistry, "checkSpelling">,
): { kind: ReturnType<typeof proposalKind>; recipient?: Uint8Array } {
  const kind = proposalKind(content);
  let recipient: Uint8Array | undefined;
  const c = content!;
  if (bytes(c.title.trim()) === 0 || bytes(c.title) > MaxTitleBytes) throw GovErrors.invalidProposal.with(`title must be 1-${MaxTitleBytes} bytes`);
  if (bytes(c.description.trim()) === 0 || bytes(c.description) > MaxDescriptionBytes) throw GovErrors.invalidProposal.with(`description must be 1-${MaxDescriptionBytes} bytes`);
  switch (kind) {
    case "parameter_change": {
      const changes = c.parameterChange!.changes;
      if (changes.length === 0) throw GovErrors.invalidProposal.with("a parameter change needs at least one change");
      const seen = new Set<string>();
      for (const ch of changes) {
        if (!ch.module || !ch.key) throw GovErrors.invalidProposal.with("every change needs a module and a key");
        const id = `${ch.module}.${ch.key}`;
        if (seen.has(id)) throw GovErrors.invalidProposal.with(`${id} changed twice`);
        seen.add(id);
      }
      params.checkSpelling(changes);
      break;
    }
    case "community_pool_spend":
      recipient = parseAccAddress(c.communityPoolSpend!.recipient, "recipient");
      positive(c.communityPoolSpend!.amount, "amount");
      break;
    case "inflation_change":
      if (c.inflationChange!.phases.length === 0) throw GovErrors.invalidInflationChange.with("give at least one future phase");
      c.inflationChange!.phases.forEach((p, i) => amount(p.totalAmount, `phases[${i}].total_amount`));
      break;
    case "software_upgrade": {
      const plan = c.softwareUpgrade!.plan;
      if (!plan) throw GovErrors.invalidUpgrade.with("plan is missing");
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(plan.name) || bytes(plan.name) > MaxUpgradeNameBytes) {
        throw GovErrors.invalidUpgrade.with(`name must be 1-${MaxUpgradeNameBytes} characters of letters, digits, '.', '_', '-'`);
      }
      if (plan.version !== "" && !/^[0-9]+\.[0-9]+\.[0-9]+$/.test(plan.version)) throw GovErrors.invalidUpgrade.with("version must be empty or x.y.z");
      if (bytes(plan.info) > MaxDescriptionBytes) throw GovErrors.invalidUpgrade.with(`info is over ${MaxDescriptionBytes} bytes`);
      break;
    }
    case "qcp_client":
      qcpClient.checkStateless(c.qcpClient!);
      break;
    case "qcp_recover":
      qcpRecover.checkStateless(c.qcpRecover!);
      break;
  }
  return { kind, recipient };
}

/** MsgSubmitProposal parsed: the proposer's bytes, the content's kind and level, the initial deposit. */
export interface ParsedSubmitProposal {
  msg: MsgSubmitProposal;
  proposer: Uint8Array;
  content: ProposalContent;
  kind: ReturnType<typeof proposalKind>;
  level: ProposalLevel;
  /** a pool spend's recipient */
  recipient?: Uint8Array;
  initialDeposit: bigint;
}
export interface ParsedDeposit {
  proposalId: bigint;
  depositor: Uint8Array;
  amount: bigint;
}
export interface ParsedVote {
  msg: MsgVote;
  voter: Uint8Array;
  option: VoteOption;
}

export function govMsgs(keeper: GovKeeper): MsgHandler[] {
  const submit: MsgHandler<MsgSubmitProposal, ParsedSubmitProposal> = {
    typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposal,
    codec: MsgSubmitProposal,
    signers: (msg) => [msg.proposer],
    checkStateless(msg) {
      const proposer = parseAccAddress(msg.proposer, "proposer");
      const { kind, recipient } = checkContentStateless(msg.content, keeper.deps.qcpClient, keeper.deps.qcpRecover, keeper.deps.params);
      const initialDeposit = msg.initialDeposit !== "0" ? positive(msg.initialDeposit, "initial_deposit") : 0n;
      return { msg, proposer, content: msg.content!, kind, level: levelOf(kind), recipient, initialDeposit };
    },
    execute(ctx, { msg, proposer, content, kind, level, recipient, initialDeposit: initial }) {
      const lp = keeper.levelParams(ctx.store, level);
      const needed = mulDecFloor(BigInt(lp.min_deposit), parseDec(lp.min_initial_deposit_rate));
      if (initial < needed) {
        throw GovErrors.depositTooSmall.with(`a ${LevelNames[level]} proposal needs an initial deposit of at least ${needed}uqos (min_deposit ${lp.min_deposit} × ${lp.min_initial_deposit_rate}), got ${initial}`);
      }
      keeper.checkContent(ctx, content, recipient);
      const p = keeper.createProposal(ctx, msg.proposer, content, level);
      ctx.events.push(events.submitEvent(p.id, msg.proposer, kind, LevelNames[level]));
      if (initial > 0n) keeper.addDeposit(ctx, p, proposer, initial);
      return { typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposalResponse, value: MsgSubmitProposalResponse.encode({ proposalId: p.id }).finish() };
    },
  };

  const deposit: MsgHandler<MsgDeposit, ParsedDeposit> = {
    typeUrl: TypeUrl.qos.gov.v1.MsgDeposit,
    codec: MsgDeposit,
    signers: (msg) => [msg.depositor],
    checkStateless(msg) {
      const depositor = parseAccAddress(msg.depositor, "depositor");
      return { proposalId: msg.proposalId, depositor, amount: positive(msg.amount, "amount") };
    },
    execute(ctx, { proposalId, depositor, amount }) {
      const p = keeper.requireProposal(ctx.store, proposalId);
      keeper.addDeposit(ctx, p, depositor, amount);
      return { typeUrl: TypeUrl.qos.gov.v1.MsgDepositResponse, value: MsgDepositResponse.encode({}).finish() };
    },
  };

  const vote: MsgHandler<MsgVote, ParsedVote> = {
    typeUrl: TypeUrl.qos.gov.v1.MsgVote,
    codec: MsgVote,
    signers: (msg) => [msg.voter],
    checkStateless(msg) {
      const voter = parseAccAddress(msg.voter, "voter");
      if (!OptionNames[msg.option]) throw GovErrors.invalidVoteOption.with(`option ${msg.option}: use yes, abstain, no or no_with_veto`);
      return { msg, voter, option: msg.option as VoteOption };
    },
    execute(ctx, { msg, voter, option }) {
      const p = keeper.requireProposal(ctx.store, msg.proposalId);
      if (p.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) throw GovErrors.notVotingPeriod.with(`proposal ${p.id} is not being voted on`);
      keeper.setVote(ctx.store, p.id, voter, option);
      ctx.events.push(events.voteEvent(p.id, msg.voter, OptionNames[option]));
      return { typeUrl: TypeUrl.qos.gov.v1.MsgVoteResponse, value: MsgVoteResponse.encode({}).finish() };
    },
  };

  // the votes wallets send (D13), run by the handler above; the option numbers are the same as QOS's
  const cosmosVote = aliasHandler<cosmosV1beta1.MsgVote, MsgVote, ParsedVote>({
    typeUrl: TypeUrl.cosmos.gov.v1beta1.MsgVote,
    codec: cosmosV1beta1.MsgVote,
    target: vote,
    signers: (m) => [m.voter],
    toTarget: (m) => MsgVote.fromPartial({ proposalId: m.proposalId, voter: m.voter, option: m.option }),
    sdkEvents: (e, p) => [events.sdkGovEvent(e, p.option)],
    response: () => ({ typeUrl: TypeUrl.cosmos.gov.v1beta1.MsgVoteResponse, value: cosmosV1beta1.MsgVoteResponse.encode({}).finish() }),
  });
  const cosmosVoteV1 = aliasHandler<cosmosV1.MsgVote, MsgVote, ParsedVote>({
    typeUrl: TypeUrl.cosmos.gov.v1.MsgVote,
    codec: cosmosV1.MsgVote,
    target: vote,
    signers: (m) => [m.voter],
    toTarget(m) {
      if (m.metadata !== "") throw GovErrors.metadataNotSupported.with(`metadata of ${new TextEncoder().encode(m.metadata).length} bytes`);
      return MsgVote.fromPartial({ proposalId: m.proposalId, voter: m.voter, option: m.option });
    },
    sdkEvents: (e, p) => [events.sdkGovEvent(e, p.option)],
    response: () => ({ typeUrl: TypeUrl.cosmos.gov.v1.MsgVoteResponse, value: cosmosV1.MsgVoteResponse.encode({}).finish() }),
  });

  return [submit, deposit, vote, cosmosVote, cosmosVoteV1];
}
