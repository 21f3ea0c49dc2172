import type { Module } from "../../app/module.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { ApproveKeeper, type ApproveDeps } from "./keeper.js";
import { approveMsgs } from "./msgs.js";
import { approveQueries } from "./queries.js";

export { ApproveKeeper } from "./keeper.js";
export { ApproveErrors } from "./errors.js";

export function createApproveModule(deps: ApproveDeps): { module: Module; keeper: ApproveKeeper } {
  const keeper = new ApproveKeeper(deps);
  const module: Module = {
    name: "approve",
    msgs: approveMsgs(keeper),
    queries: approveQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
  };
  return { module, keeper };
}
