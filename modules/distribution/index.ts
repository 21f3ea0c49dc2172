import type { Module } from "../../app/module.js";
import type { StakeKeeper } from "../stake/index.js";
import { beginBlock, endBlock } from "./abci.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { DistributionKeeper, type DistributionBank, type FeeCollectorBank, type MintInfo } from "./keeper.js";
import { distributionMsgs } from "./msgs.js";
import { distributionQueries } from "./queries.js";

export { DistributionKeeper, distributionAccount, DistributionAccountName, DistributionModuleAccount } from "./keeper.js";
export { DistributionErrors } from "./errors.js";
export { ParamsSchema as DistributionParamsSchema } from "./params.js";

/** Distribution. It is stake's hooks (they need each other): the chain's composition wires
 *  `stake.setHooks(keeper)`. */
export function createDistributionModule(deps: { bank: DistributionBank; fees: FeeCollectorBank; stake: StakeKeeper; mint?: MintInfo }): { module: Module; keeper: DistributionKeeper } {
  const keeper = new DistributionKeeper(deps.bank, deps.fees, deps.stake, deps.mint);
  const module: Module = {
    name: "distribution",
    msgs: distributionMsgs(keeper),
    queries: distributionQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
    beginBlock: (ctx) => beginBlock(keeper, ctx),
    endBlock: (ctx) => endBlock(keeper, ctx),
    checkInvariants: (store) => keeper.checkInvariants(store),
  };
  return { module, keeper };
}
