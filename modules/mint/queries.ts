import type { QueryHandler } from "../../app/module.js";
import { QueryAppliedResponse, QueryParamsResponse, QueryPhasesResponse } from "../../gen/qos/mint/v1/query.js";
import { Method } from "../../gen/names.js";
import { toPhaseProto, type MintKeeper } from "./keeper.js";

export function mintQueries(keeper: MintKeeper): Record<string, QueryHandler> {
  return {
    [Method.qos.mint.v1.Query.Phases]: (ctx) => QueryPhasesResponse.encode({ phases: keeper.phases(ctx.store).map(toPhaseProto) }).finish(),
    [Method.qos.mint.v1.Query.Applied]: (ctx) => {
      const phases = keeper.phases(ctx.store);
      return QueryAppliedResponse.encode({
        applied: phases.reduce((sum, p) => sum + p.applied, 0n).toString(),
        lastMint: keeper.lastMint(ctx.store).toString(),
        planned: phases.reduce((sum, p) => sum + p.total, 0n).toString(),
      }).finish();
    },
    [Method.qos.mint.v1.Query.Params]: (ctx) => {
      const params = keeper.getParams(ctx.store);
      return QueryParamsResponse.encode({
        params: { targetBlockTimeSecs: BigInt(params.target_block_time_secs), totalSupplyCap: params.total_supply_cap ?? "" },
      }).finish();
    },
  };
}
