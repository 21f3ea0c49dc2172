import type { Module } from "../../app/module.js";
import { ParamsRegistry } from "./keeper.js";
import { paramsMsgs } from "./msgs.js";
import { paramsQueries } from "./queries.js";

export { ParamsRegistry, type ParamSpace, type ParamChange } from "./keeper.js";
export { ParamsErrors } from "./errors.js";

/** The params module: the registry of every module's parameters (modules register in chain/index.ts)
 *  and its query, `/qos.params.v1.Query/Params`. */
export function createParamsModule(): { module: Module; registry: ParamsRegistry } {
  const registry = new ParamsRegistry();
  const module: Module = {
    name: "params",
    msgs: paramsMsgs,
    queries: paramsQueries(registry),
  };
  return { module, registry };
}
