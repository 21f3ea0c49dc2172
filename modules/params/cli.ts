// qoscli commands of the params module: `query params [module]`.
import type { Command } from "commander";
import { QueryParamsRequest, QueryParamsResponse } from "../../gen/qos/params/v1/query.js";
import { CliContext, example, type CliModule } from "../../client/index.js";
import { Method } from "../../gen/names.js";

export const paramsCli: CliModule = ({ query }) => {
  example(
    query.command("params").argument("[module]", "one module (default: every module)").description("module parameters from the params registry (changed only by governance)"),
    "qoscli query params stake --output json",
    "qoscli query params",
  ).action(async (module: string | undefined, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const res = await ctx.query(Method.qos.params.v1.Query.Params, QueryParamsRequest, { module: module ?? "" }, QueryParamsResponse);
    const value = JSON.parse(res.paramsJson);
    ctx.print(value, () => JSON.stringify(value, null, 2));
  });
};
