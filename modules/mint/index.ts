import type { Module } from "../../app/module.js";
import { beginBlock } from "./abci.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { MintKeeper, type MintBank } from "./keeper.js";
import { mintMsgs } from "./msgs.js";
import { mintQueries } from "./queries.js";

export {
  MintKeeper, type MintBank, type Phase, type Clock, feeCollector, MintModuleAccount,
  defaultPhases, validatePhases, validatePhaseChange, currentPhaseIndex,
} from "./keeper.js";
export { MintErrors } from "./errors.js";
export { EventTypes as MintEventTypes } from "./events.js";
export { ParamsSchema as MintParamsSchema, DefaultParams as MintDefaultParams, DefaultTotalSupply, PhaseSeconds, MintDenom } from "./params.js";

/** The mint module: per-block inflation into the fee collector (BeginBlock). It must come before
 *  distribution in the module list, so distribution sees this block's mint (keeper.lastMint). */
export function createMintModule(deps: { bank: MintBank }): { module: Module; keeper: MintKeeper } {
  const keeper = new MintKeeper(deps.bank);
  const module: Module = {
    name: "mint",
    msgs: mintMsgs(keeper),
    queries: mintQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
    beginBlock: (ctx) => beginBlock(keeper, ctx),
    checkInvariants: (store) => keeper.checkInvariants(store),
  };
  return { module, keeper };
}
