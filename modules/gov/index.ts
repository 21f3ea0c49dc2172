import type { Module } from "../../app/module.js";
import { beginBlock, endBlock } from "./abci.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { GovKeeper, type GovDeps } from "./keeper.js";
import { govMsgs } from "./msgs.js";
import { govQueries } from "./queries.js";

export {
  GovKeeper, type GovDeps, govAccount, GovAccountName, GovModuleAccount, ProposalLevel, ProposalStatus, VoteOption, levelOf, proposalKind, nextSchedule, tallyProto,
} from "./keeper.js";
export { GovErrors } from "./errors.js";
export { EventTypes as GovEventTypes } from "./events.js";
export { ParamsSchema as GovParamsSchema, DefaultParams as GovDefaultParams } from "./params.js";

/** The gov module (qos profile): after distribution in the module list, so a proposal ending in a block
 *  sees that block's stake. Its upgrade plan is read by the app before every block (chain/index.ts). */
export function createGovModule(deps: GovDeps): { module: Module; keeper: GovKeeper } {
  const keeper = new GovKeeper(deps);
  const module: Module = {
    name: "gov",
    msgs: govMsgs(keeper),
    queries: govQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
    beginBlock: (ctx) => beginBlock(keeper, ctx),
    endBlock: (ctx) => endBlock(keeper, ctx),
    checkInvariants: (store) => keeper.checkInvariants(store),
  };
  return { module, keeper };
}
