import type { Module } from "../../app/module.js";
import { beginBlock } from "./abci.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { MiningKeeper, type MiningBank, type MiningPrices, type MiningTokens } from "./keeper.js";
import { miningMsgs } from "./msgs.js";
import { miningQueries } from "./queries.js";

export { MiningKeeper, MiningModuleAccount, rewardOf, type MiningBank, type MiningPrices, type MiningTokens } from "./keeper.js";
export { MiningErrors } from "./errors.js";
export { ParamsSchema as MiningParamsSchema } from "./params.js";
export { commissionOf } from "./msgs.js";

/** Dual-layer mining's second layer (whitepaper §2.2, issue 19): a QSC's banker registers a scenario;
 *  payments in the QSC pay a QOS commission, settled per period to the holders (dividends), the community
 *  account and the payers and payees (QSC minted as mining rewards). Its balance hook must be registered
 *  on bank (`bank.addBalanceHook`, see chain/index.ts). */
export function createMiningModule(deps: { bank: MiningBank; tokens: MiningTokens; prices: MiningPrices }): { module: Module; keeper: MiningKeeper } {
  const keeper = new MiningKeeper(deps.bank, deps.tokens, deps.prices);
  const module: Module = {
    name: "mining",
    msgs: miningMsgs(keeper),
    queries: miningQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
    beginBlock: (ctx) => beginBlock(keeper, ctx),
    checkInvariants: (store) => keeper.checkInvariants(store),
  };
  return { module, keeper };
}
