import type { Module } from "../../app/module.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { ExchangeKeeper, type ExchangeBank, type ExchangeTokens } from "./keeper.js";
import { exchangeMsgs } from "./msgs.js";
import { exchangeQueries } from "./queries.js";

export { ExchangeKeeper, ExchangeModuleAccount, exchangeAccount, shareDenom } from "./keeper.js";
export { ExchangeErrors } from "./errors.js";
export { ParamsSchema as ExchangeParamsSchema } from "./params.js";

/** The QSC exchange (whitepaper §1.6, issue 18): a constant-product pool per QSC against QOS, swaps
 *  X → QOS → Y in one message, and a time-weighted average price per pool (`keeper.averagePrice`). */
export function createExchangeModule(deps: { bank: ExchangeBank; tokens: ExchangeTokens }): { module: Module; keeper: ExchangeKeeper } {
  const keeper = new ExchangeKeeper(deps.bank, deps.tokens);
  const module: Module = {
    name: "exchange",
    msgs: exchangeMsgs(keeper),
    queries: exchangeQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
    checkInvariants: (store) => keeper.checkInvariants(store),
  };
  return { module, keeper };
}
