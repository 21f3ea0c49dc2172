import type { Module } from "../../app/module.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { QscKeeper, type QscBank } from "./keeper.js";
import { qscMsgs } from "./msgs.js";
import { qscQueries } from "./queries.js";

export { QscKeeper, frozenAccount, FrozenAccountName, QscModuleAccount } from "./keeper.js";
export { QscErrors } from "./errors.js";
export { isQscName, ParamsSchema as QscParamsSchema } from "./params.js";

/** The QSC module. Its send hook must be registered on bank (`bank.addSendHook(keeper.sendHook)`). */
export function createQscModule(deps: { bank: QscBank }): { module: Module; keeper: QscKeeper } {
  const keeper = new QscKeeper(deps.bank);
  const module: Module = {
    name: "qsc",
    msgs: qscMsgs(keeper),
    queries: qscQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
    checkInvariants: (store) => keeper.checkInvariants(store),
  };
  return { module, keeper };
}
