// cosmos.gov.v1 (D13): QOS's proposals, deposits and votes as Keplr's and Ping.pub's governance pages read them;
// read-only, computed from qos.gov on each query. A QOS proposal is shown as one MsgExecLegacyContent holding its
// qos.gov.v1.ProposalContent (title and summary from the content); each vote has weight 1; the tally of a proposal
// still voting is the live one (as qos.gov's own query). QOS has three proposal levels, each with its deposits,
// periods and thresholds: the params stated are the normal level's (text proposals, community pool spends).
import { moduleAddress, parseAccAddress, toAccAddress } from "../../app/address.js";
import { BaseDenom } from "../../app/coins.js";
import { formatDec, parseDec } from "../../app/decimal.js";
import type { QueryHandler } from "../../app/module.js";
import { Method, TypeUrl } from "../../gen/names.js";
import {
  MsgExecLegacyContent, ProposalStatus as CosmosStatus, type Proposal, type TallyResult,
} from "../../gen/cosmos/gov/v1/gov.js";
import * as q from "../../gen/cosmos/gov/v1/query.js";
import { ProposalContent, type Proposal as QosProposal, type TallyResult as QosTally } from "../../gen/qos/gov/v1/types.js";
import { GovModuleAccount, ProposalStatus, tallyProto, type GovKeeper } from "../../modules/gov/index.js";
import { duration, timestamp, unknownValue, uqosCoins } from "./convert.js";

const Query = Method.cosmos.gov.v1.Query;
const govAuthority = toAccAddress(moduleAddress(GovModuleAccount.name));

const Statuses: ReadonlyMap<ProposalStatus, CosmosStatus> = new Map([
  [ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD, CosmosStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD],
  [ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, CosmosStatus.PROPOSAL_STATUS_VOTING_PERIOD],
  [ProposalStatus.PROPOSAL_STATUS_PASSED, CosmosStatus.PROPOSAL_STATUS_PASSED],
  [ProposalStatus.PROPOSAL_STATUS_REJECTED, CosmosStatus.PROPOSAL_STATUS_REJECTED],
  [ProposalStatus.PROPOSAL_STATUS_FAILED, CosmosStatus.PROPOSAL_STATUS_FAILED],
]);
const qosStatus = (status: CosmosStatus): ProposalStatus => {
  for (const [qos, cosmos] of Statuses) if (cosmos === status) return qos;
  return ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED;
};

const ParamsTypes = ["voting", "deposit", "tally"] as const;
/** a QOS fraction param in gov v1's decimal form (a plain string with 18 digits) */
const dec = (text: string) => formatDec(parseDec(text));

const tallyResult = (t: QosTally): TallyResult => ({ yesCount: t.yes, abstainCount: t.abstain, noCount: t.no, noWithVetoCount: t.noWithVeto });

export function govView(gov: GovKeeper): Record<string, QueryHandler> {
  const proposal = (p: QosProposal): Proposal => ({
    id: p.id,
    messages: [{
      typeUrl: TypeUrl.cosmos.gov.v1.MsgExecLegacyContent,
      value: MsgExecLegacyContent.encode({
        content: { typeUrl: TypeUrl.qos.gov.v1.ProposalContent, value: ProposalContent.encode(p.content ?? ProposalContent.fromPartial({})).finish() },
        authority: govAuthority,
      }).finish(),
    }],
    status: Statuses.get(p.status) ?? CosmosStatus.PROPOSAL_STATUS_UNSPECIFIED,
    finalTallyResult: tallyResult(p.finalTally ?? { yes: "0", abstain: "0", no: "0", noWithVeto: "0", totalPower: "0" }),
    submitTime: timestamp(p.submitTime),
    depositEndTime: timestamp(p.depositEndTime),
    totalDeposit: uqosCoins(BigInt(p.totalDeposit || "0")),
    // unset until the voting period starts, as the SDK leaves them
    votingStartTime: p.votingStartTime > 0n ? timestamp(p.votingStartTime) : undefined,
    votingEndTime: p.votingEndTime > 0n ? timestamp(p.votingEndTime) : undefined,
    metadata: "",
    title: p.content?.title ?? "",
    summary: p.content?.description ?? "",
    proposer: p.proposer,
    expedited: false,
    failedReason: p.status === ProposalStatus.PROPOSAL_STATUS_FAILED ? p.result : "",
  });

  return {
    [Query.Proposal]: (ctx, request) =>
      q.QueryProposalResponse.encode({ proposal: proposal(gov.requireProposal(ctx.store, q.QueryProposalRequest.decode(request).proposalId)) }).finish(),
    [Query.Proposals]: (ctx, request) => {
      const req = q.QueryProposalsRequest.decode(request);
      const status = qosStatus(req.proposalStatus);
      if (req.proposalStatus !== CosmosStatus.PROPOSAL_STATUS_UNSPECIFIED && status === ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED) {
        throw unknownValue("proposal_status", String(req.proposalStatus), [...Statuses.values()].map(String));
      }
      const voter = req.voter === "" ? undefined : parseAccAddress(req.voter, "voter");
      const depositor = req.depositor === "" ? undefined : parseAccAddress(req.depositor, "depositor");
      const include = voter || depositor
        ? (p: QosProposal) => (!voter || gov.getVote(ctx.store, p.id, voter) !== undefined) && (!depositor || gov.getDeposit(ctx.store, p.id, depositor) > 0n)
        : undefined;
      const page = gov.proposalsPage(ctx.store, status, req.pagination, include);
      return q.QueryProposalsResponse.encode({ proposals: page.items.map(proposal), pagination: page.pagination }).finish();
    },
    [Query.Votes]: (ctx, request) => {
      const { proposalId, pagination } = q.QueryVotesRequest.decode(request);
      gov.requireProposal(ctx.store, proposalId);
      const page = gov.votesPage(ctx.store, proposalId, pagination);
      const votes = page.items.map(([voter, option]) => ({
        proposalId, voter: toAccAddress(voter), options: [{ option: option as number, weight: dec("1") }], metadata: "",
      }));
      return q.QueryVotesResponse.encode({ votes, pagination: page.pagination }).finish();
    },
    [Query.Deposits]: (ctx, request) => {
      const { proposalId, pagination } = q.QueryDepositsRequest.decode(request);
      gov.requireProposal(ctx.store, proposalId);
      const page = gov.depositsPage(ctx.store, proposalId, pagination);
      const deposits = page.items.map(([depositor, amount]) => ({ proposalId, depositor: toAccAddress(depositor), amount: uqosCoins(amount) }));
      return q.QueryDepositsResponse.encode({ deposits, pagination: page.pagination }).finish();
    },
    // the live tally walks the votes; the query budget (app/query.ts) refuses it past its read limit
    [Query.TallyResult]: (ctx, request) => {
      const { proposalId } = q.QueryTallyResultRequest.decode(request);
      const p = gov.requireProposal(ctx.store, proposalId);
      return q.QueryTallyResultResponse.encode({ tally: tallyResult(p.finalTally ?? tallyProto(gov.tally(ctx.store, proposalId))) }).finish();
    },
    [Query.Params]: (ctx, request) => {
      const { paramsType } = q.QueryParamsRequest.decode(request);
      if (!(ParamsTypes as readonly string[]).includes(paramsType)) throw unknownValue("params_type", paramsType, ParamsTypes);
      const level = gov.getParams(ctx.store).normal;
      const minDeposit = [{ denom: BaseDenom, amount: level.min_deposit }];
      const params = {
        minDeposit,
        maxDepositPeriod: duration(level.max_deposit_period_secs),
        votingPeriod: duration(level.voting_period_secs),
        quorum: dec(level.quorum),
        threshold: dec(level.threshold),
        vetoThreshold: dec(level.veto),
        minInitialDepositRatio: dec(level.min_initial_deposit_rate),
        proposalCancelRatio: dec("0"),
        proposalCancelDest: "",
        expeditedVotingPeriod: undefined,
        expeditedThreshold: dec("0"),
        expeditedMinDeposit: [],
        burnVoteQuorum: false,
        burnProposalDepositPrevote: false,
        burnVoteVeto: true,
        minDepositRatio: dec("0"),
      };
      return q.QueryParamsResponse.encode({
        votingParams: paramsType === "voting" ? { votingPeriod: params.votingPeriod } : undefined,
        depositParams: paramsType === "deposit" ? { minDeposit, maxDepositPeriod: params.maxDepositPeriod } : undefined,
        tallyParams: paramsType === "tally" ? { quorum: params.quorum, threshold: params.threshold, vetoThreshold: params.vetoThreshold } : undefined,
        params,
      }).finish();
    },
  };
}
