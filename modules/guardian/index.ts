import type { Module } from "../../app/module.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { GuardianKeeper } from "./keeper.js";
import { guardianMsgs } from "./msgs.js";
import { guardianQueries } from "./queries.js";

export { GuardianKeeper, GuardianType } from "./keeper.js";
export { GuardianErrors } from "./errors.js";

/** The guardian module (both profiles). The app asks keeper.isGuardian for fee exemption and
 *  keeper.getHalt before every block (chain/index.ts wires both). */
export function createGuardianModule(): { module: Module; keeper: GuardianKeeper } {
  const keeper = new GuardianKeeper();
  const module: Module = {
    name: "guardian",
    msgs: guardianMsgs(keeper),
    queries: guardianQueries(keeper),
    defaultGenesis,
    initGenesis: (ctx, genesis) => initGenesis(keeper, ctx, genesis),
    exportGenesis: (store) => exportGenesis(keeper, store),
  };
  return { module, keeper };
}
