import { toAccAddress } from "../../app/address.js";
import type { QueryHandler } from "../../app/module.js";
import {
  QueryDepositsRequest, QueryDepositsResponse, QueryParamsResponse, QueryProposalRequest, QueryProposalResponse,
  QueryProposalsRequest, QueryProposalsResponse, QueryTallyRequest, QueryTallyResponse, QueryUpgradeResponse,
  QueryVotesRequest, QueryVotesResponse,
} from "../../gen/qos/gov/v1/query.js";
import { ProposalStatus, tallyProto, type GovKeeper } from "./keeper.js";

export function govQueries(keeper: GovKeeper): Record<string, QueryHandler> {
  return {
    "/qos.gov.v1.Query/Proposal": (ctx, request) => {
      const { proposalId } = QueryProposalRequest.decode(request);
      return QueryProposalResponse.encode({ proposal: keeper.requireProposal(ctx.store, proposalId) }).finish();
    },
    "/qos.gov.v1.Query/Proposals": (ctx, request) => {
      const { status } = QueryProposalsRequest.decode(request);
      const proposals = [...keeper.allProposals(ctx.store)].filter((p) => status === ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED || p.status === status);
      return QueryProposalsResponse.encode({ proposals }).finish();
    },
    "/qos.gov.v1.Query/Votes": (ctx, request) => {
      const { proposalId } = QueryVotesRequest.decode(request);
      keeper.requireProposal(ctx.store, proposalId);
      const votes = [...keeper.votes(ctx.store, proposalId)].map(([voter, option]) => ({ proposalId, voter: toAccAddress(voter), option }));
      return QueryVotesResponse.encode({ votes }).finish();
    },
    "/qos.gov.v1.Query/Deposits": (ctx, request) => {
      const { proposalId } = QueryDepositsRequest.decode(request);
      keeper.requireProposal(ctx.store, proposalId);
      const deposits = [...keeper.deposits(ctx.store, proposalId)].map(([depositor, amount]) => ({ proposalId, depositor: toAccAddress(depositor), amount: amount.toString() }));
      return QueryDepositsResponse.encode({ deposits }).finish();
    },
    "/qos.gov.v1.Query/Tally": (ctx, request) => {
      const { proposalId } = QueryTallyRequest.decode(request);
      const p = keeper.requireProposal(ctx.store, proposalId);
      const tally = p.finalTally ?? tallyProto(keeper.tally(ctx.store, proposalId));
      return QueryTallyResponse.encode({ tally }).finish();
    },
    "/qos.gov.v1.Query/Params": (ctx) => QueryParamsResponse.encode({ paramsJson: JSON.stringify(keeper.getParams(ctx.store)) }).finish(),
    "/qos.gov.v1.Query/Upgrade": (ctx) =>
      QueryUpgradeResponse.encode({ plan: keeper.getUpgradePlan(ctx.store), applied: [...keeper.appliedUpgrades(ctx.store)] }).finish(),
  };
}
