import { toAccAddress } from "../../app/address.js";
import type { QueryHandler } from "../../app/module.js";
import {
  QueryDepositsRequest, QueryDepositsResponse, QueryParamsResponse, QueryProposalRequest, QueryProposalResponse,
  QueryProposalsRequest, QueryProposalsResponse, QueryTallyRequest, QueryTallyResponse, QueryUpgradeResponse,
  QueryVotesRequest, QueryVotesResponse,
} from "../../gen/qos/gov/v1/query.js";
import { Method } from "../../gen/names.js";
import { tallyProto, type GovKeeper } from "./keeper.js";

export function govQueries(keeper: GovKeeper): Record<string, QueryHandler> {
  return {
    [Method.qos.gov.v1.Query.Proposal]: (ctx, request) => {
      const { proposalId } = QueryProposalRequest.decode(request);
      return QueryProposalResponse.encode({ proposal: keeper.requireProposal(ctx.store, proposalId) }).finish();
    },
    [Method.qos.gov.v1.Query.Proposals]: (ctx, request) => {
      const { status, pagination } = QueryProposalsRequest.decode(request);
      const page = keeper.proposalsPage(ctx.store, status, pagination);
      return QueryProposalsResponse.encode({ proposals: page.items, pagination: page.pagination }).finish();
    },
    [Method.qos.gov.v1.Query.Votes]: (ctx, request) => {
      const { proposalId, pagination } = QueryVotesRequest.decode(request);
      keeper.requireProposal(ctx.store, proposalId);
      const page = keeper.votesPage(ctx.store, proposalId, pagination);
      const votes = page.items.map(([voter, option]) => ({ proposalId, voter: toAccAddress(voter), option }));
      return QueryVotesResponse.encode({ votes, pagination: page.pagination }).finish();
    },
    [Method.qos.gov.v1.Query.Deposits]: (ctx, request) => {
      const { proposalId, pagination } = QueryDepositsRequest.decode(request);
      keeper.requireProposal(ctx.store, proposalId);
      const page = keeper.depositsPage(ctx.store, proposalId, pagination);
      const deposits = page.items.map(([depositor, amount]) => ({ proposalId, depositor: toAccAddress(depositor), amount: amount.toString() }));
      return QueryDepositsResponse.encode({ deposits, pagination: page.pagination }).finish();
    },
    // the live tally walks the votes; the query budget (app/query.ts) refuses it past its read limit
    [Method.qos.gov.v1.Query.Tally]: (ctx, request) => {
      const { proposalId } = QueryTallyRequest.decode(request);
      const p = keeper.requireProposal(ctx.store, proposalId);
      const tally = p.finalTally ?? tallyProto(keeper.tally(ctx.store, proposalId));
      return QueryTallyResponse.encode({ tally }).finish();
    },
    [Method.qos.gov.v1.Query.Params]: (ctx) => QueryParamsResponse.encode({ paramsJson: JSON.stringify(keeper.getParams(ctx.store)) }).finish(),
    [Method.qos.gov.v1.Query.Upgrade]: (ctx) =>
      QueryUpgradeResponse.encode({ plan: keeper.getUpgradePlan(ctx.store), applied: [...keeper.appliedUpgrades(ctx.store)] }).finish(),
  };
}
