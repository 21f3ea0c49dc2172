import { toAccAddress } from "../../app/address.js";
import { Errors } from "../../app/errors.js";
import { blockSeconds, type QueryHandler } from "../../app/module.js";
import {
  QueryClientRequest, QueryClientResponse, QueryConsensusStateRequest, QueryConsensusStateResponse, QueryChainsRequest, QueryChainsResponse, QueryDenomTraceRequest, QueryDenomTraceResponse, QueryEntryRequest, QueryEntryResponse, QueryInterchainAccountRequest, QueryInterchainAccountResponse,
  QueryOutboxStatusRequest, QueryOutboxStatusResponse,
  QueryResultRequest, QueryResultResponse, QuerySequencesRequest, QuerySequencesResponse, QuerySubstitutesRequest, QuerySubstitutesResponse,
} from "../../gen/qos/qcp/v1/query.js";
import { Method } from "../../gen/names.js";
import { QcpErrors } from "./errors.js";
import { entryHash, interchainAccount, outboxKeyBytes, type QcpKeeper } from "./keeper.js";

const Paths = Method.qos.qcp.v1.Query;

/** OutboxStatus: entries per answer when the request names none, and the most it may name (two reads each) */
const OutboxStatusDefault = 10;
const OutboxStatusMax = 100;

export function qcpQueries(keeper: QcpKeeper): Record<string, QueryHandler> {
  return {
    [Paths.Chains]: (ctx, request) => {
      const page = keeper.chainsPage(ctx.store, QueryChainsRequest.decode(request).pagination);
      return QueryChainsResponse.encode({
        chains: page.items.map((info) => ({
          info,
          outSequence: keeper.getOutSequence(ctx.store, info.chainId),
          inSequence: keeper.getInSequence(ctx.store, info.chainId),
        })),
        pagination: page.pagination,
      }).finish();
    },
    [Paths.Sequences]: (ctx, request) => {
      const { chainId } = QuerySequencesRequest.decode(request);
      return QuerySequencesResponse.encode({
        outSequence: keeper.getOutSequence(ctx.store, chainId),
        inSequence: keeper.getInSequence(ctx.store, chainId),
      }).finish();
    },
    [Paths.Entry]: (ctx, request) => {
      const { chainId, sequence } = QueryEntryRequest.decode(request);
      const entry = keeper.getEntryBytes(ctx.store, chainId, sequence);
      if (!entry) throw QcpErrors.notFound.with(`no outbox entry #${sequence} toward ${chainId} at height ${ctx.height}`);
      return QueryEntryResponse.encode({ entry, key: outboxKeyBytes(chainId, sequence), hash: entryHash(entry) }).finish();
    },
    [Paths.Result]: (ctx, request) => {
      const { chainId, sequence } = QueryResultRequest.decode(request);
      const result = keeper.getResult(ctx.store, chainId, sequence);
      if (!result) throw QcpErrors.notFound.with(`no result for entry #${sequence} toward ${chainId} yet`);
      return QueryResultResponse.encode({ result }).finish();
    },
    [Paths.OutboxStatus]: (ctx, request) => {
      const { chainId, limit } = QueryOutboxStatusRequest.decode(request);
      if (limit > OutboxStatusMax) throw Errors.invalidRequest.with(`limit ${limit} is above ${OutboxStatusMax}`);
      const outSequence = keeper.getOutSequence(ctx.store, chainId);
      const entries = [];
      for (let sequence = outSequence, n = 0; sequence > 0n && n < (limit || OutboxStatusDefault); sequence--, n++) {
        const isResult = keeper.getEntry(ctx.store, chainId, sequence)?.isResult ?? false;
        const result = keeper.getResult(ctx.store, chainId, sequence);
        entries.push({ sequence, pending: !isResult && result === undefined, result, isResult });
      }
      return QueryOutboxStatusResponse.encode({ outSequence, entries }).finish();
    },
    [Paths.DenomTrace]: (ctx, request) => {
      const { denom } = QueryDenomTraceRequest.decode(request);
      const trace = keeper.getTrace(ctx.store, denom);
      if (!trace) throw QcpErrors.notFound.with(`${JSON.stringify(denom)} is not a voucher minted here`);
      return QueryDenomTraceResponse.encode({ trace }).finish();
    },
    [Paths.Client]: (ctx, request) => {
      const { chainId } = QueryClientRequest.decode(request);
      const clientState = keeper.getClient(ctx.store, chainId);
      if (!clientState) throw QcpErrors.clientNotFound.with(`chain ${JSON.stringify(chainId)} has no light client`);
      // expiry needs a block time: the last block's, when this reads the latest state (else only frozen is known)
      const status = ctx.timeNs === undefined
        ? (clientState.frozenHeight !== 0n ? "frozen" : "")
        : keeper.clientStatus(ctx.store, chainId, blockSeconds({ timeNs: ctx.timeNs }))!;
      return QueryClientResponse.encode({
        clientState, status, latestConsensusState: keeper.getConsensusState(ctx.store, chainId, clientState.latestHeight),
      }).finish();
    },
    [Paths.Substitutes]: (ctx, request) => {
      const { chainId } = QuerySubstitutesRequest.decode(request);
      const substitutes = keeper.substitutesOf(ctx.store, chainId).map((substitute) => {
        const slot = keeper.substituteSlot(substitute);
        // as Query/Client: expiry is known only with the last block's time
        const status = ctx.timeNs === undefined
          ? (substitute.client!.frozenHeight !== 0n ? "frozen" : "")
          : keeper.slotStatus(ctx.store, slot, blockSeconds({ timeNs: ctx.timeNs }))!;
        return { substitute, status, latestConsensusState: slot.getState(ctx.store, substitute.client!.latestHeight) };
      });
      return QuerySubstitutesResponse.encode({ substitutes }).finish();
    },
    [Paths.ConsensusState]: (ctx, request) => {
      const { chainId, height } = QueryConsensusStateRequest.decode(request);
      const at = height !== 0n ? height : keeper.getClient(ctx.store, chainId)?.latestHeight;
      const consensusState = at === undefined ? undefined : keeper.getConsensusState(ctx.store, chainId, at);
      if (!consensusState) throw QcpErrors.consensusStateNotFound.with(`the client of ${JSON.stringify(chainId)} has no consensus state at ${height === 0n ? "its latest height" : `height ${height}`}`);
      return QueryConsensusStateResponse.encode({ height: at!, consensusState }).finish();
    },
    [Paths.InterchainAccount]: (_ctx, request) => {
      const { sourceChain, sender } = QueryInterchainAccountRequest.decode(request);
      return QueryInterchainAccountResponse.encode({ address: toAccAddress(interchainAccount(sourceChain, sender)) }).finish();
    },
  };
}
