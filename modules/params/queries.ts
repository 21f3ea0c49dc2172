import type { QueryHandler } from "../../app/module.js";
import { QueryParamsRequest, QueryParamsResponse } from "../../gen/qos/params/v1/query.js";
import { Method } from "../../gen/names.js";
import type { ParamsRegistry } from "./keeper.js";

export function paramsQueries(registry: ParamsRegistry): Record<string, QueryHandler> {
  return {
    [Method.qos.params.v1.Query.Params]: (ctx, request) => {
      const { module } = QueryParamsRequest.decode(request);
      const value = module === "" ? registry.all(ctx.store) : registry.get(ctx.store, module);
      return QueryParamsResponse.encode({ paramsJson: JSON.stringify(value), modules: registry.modules() }).finish();
    },
  };
}
