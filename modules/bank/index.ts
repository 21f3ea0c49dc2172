import type { Module } from "../../app/module.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { BankKeeper, type AccountKeeper } from "./keeper.js";
import { bankMsgs } from "./msgs.js";
import { bankQueries } from "./queries.js";

export { BankKeeper, type BalanceHook, type SendHook } from "./keeper.js";
export { BankErrors } from "./errors.js";
export { ParamsSchema as BankParamsSchema } from "./params.js";
export { msgLimitsOf } from "./msgs.js";

export function createBankModule(deps: { accounts: AccountKeeper }): { module: Module; keeper: BankKeeper } {
  const keeper = new BankKeeper(deps.accounts);
  const module: Module = {
    name: "bank",
    msgs: bankMsgs(keeper),
    queries: bankQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
    checkInvariants: (store) => keeper.checkSupplyInvariant(store),
  };
  return { module, keeper };
}
