import type { Module } from "../../app/module.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { AuthKeeper } from "./keeper.js";
import { msgs } from "./msgs.js";
import { authQueries } from "./queries.js";

export { AuthKeeper, FeeCollectorAccount, type Account } from "./keeper.js";
export { AuthErrors } from "./errors.js";
export { ParamsSchema as AuthParamsSchema } from "./params.js";
export { createAnteHandler, signatureFacts, type AnteDeps } from "./ante.js";

/** The auth module: accounts and the ante handler's parameters. The ante handler itself (ante.ts) is
 *  created by the chain's composition with this keeper and the other modules it needs. */
export function createAuthModule(): { module: Module; keeper: AuthKeeper } {
  const keeper = new AuthKeeper();
  const module: Module = {
    name: "auth",
    msgs,
    queries: authQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
  };
  return { module, keeper };
}
