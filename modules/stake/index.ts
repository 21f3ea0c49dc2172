import type { Module } from "../../app/module.js";
import { beginBlock, endBlock, validatorUpdates } from "./abci.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { StakeKeeper, type StakeBank } from "./keeper.js";
import { stakeMsgs } from "./msgs.js";
import { stakeQueries } from "./queries.js";

export { StakeKeeper, ValidatorStatus, stakePool, StakePoolName, StakeModuleAccount, consensusAddress, toValAddress, type StakeHooks } from "./keeper.js";
export { StakeErrors } from "./errors.js";
export { ParamsSchema as StakeParamsSchema } from "./params.js";
export { operatorAddress, parseValAddress } from "./msgs.js";

/** The stake module. Its hooks (distribution) are wired by the chain's composition (keeper.setHooks). */
export function createStakeModule(deps: { bank: StakeBank }): { module: Module; keeper: StakeKeeper } {
  const keeper = new StakeKeeper(deps.bank);
  const module: Module = {
    name: "stake",
    msgs: stakeMsgs(keeper),
    queries: stakeQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
    beginBlock: (ctx) => beginBlock(keeper, ctx),
    endBlock: (ctx) => endBlock(keeper, ctx),
    validatorUpdates: (ctx) => validatorUpdates(keeper, ctx),
    genesisValidators: (ctx, validators) => {
      for (const v of validators) keeper.reserveGenesisKey(ctx.store, v.pubKey);
    },
    checkInvariants: (store) => keeper.checkInvariants(store),
  };
  return { module, keeper };
}
