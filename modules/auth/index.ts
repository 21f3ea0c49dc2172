import type { Module } from "../../app/module.js";
import { defaultGenesis, exportGenesis, initGenesis } from "./genesis.js";
import { msgs } from "./msgs.js";
import { queries } from "./queries.js";

export { authKeeper, FeeCollectorAccount, type Account } from "./keeper.js";
export { AuthErrors } from "./errors.js";

export const authModule: Module = {
  name: "auth",
  msgs,
  queries,
  defaultGenesis,
  initGenesis,
  exportGenesis,
};
