// The modules of a QOS chain, wired together through narrow interfaces. Order matters: genesis is
// initialised in this order (accounts before balances before tokens before allowances).
import type { Module } from "../app/module.js";
import { authKeeper, authModule } from "./auth/index.js";
import { createBankModule, type BankKeeper } from "./bank/index.js";
import { createQscModule, type QscKeeper } from "./qsc/index.js";
import { createApproveModule, type ApproveKeeper } from "./approve/index.js";
import { createQcpModule } from "./qcp/index.js";

/** A chain's profile: the QOS public chain, or a business chain (bank, tokens, allowances and
 *  cross-chain messages with a fixed validator set: no staking, no inflation). Same binary. */
export type Profile = "qos" | "business";
export const Profiles: readonly Profile[] = ["qos", "business"];

export interface Modules {
  list: Module[];
  bank: BankKeeper;
  qsc: QscKeeper;
  approve: ApproveKeeper;
}

export function buildModules(profile: Profile = "qos"): Modules {
  void profile; // both profiles have the same modules until staking arrives
  const bank = createBankModule({ accounts: authKeeper });
  const qsc = createQscModule({ bank: bank.keeper });
  bank.keeper.addSendHook(qsc.keeper.sendHook);
  const approve = createApproveModule({
    send: (store, events, from, to, coins) => bank.keeper.send(store, events, from, to, coins),
    tokenExists: (store, denom) => qsc.keeper.getToken(store, denom) !== undefined,
  });
  const qcp = createQcpModule({ bank: bank.keeper, tokenExists: (store, denom) => qsc.keeper.getToken(store, denom) !== undefined, modules: () => list });
  const list: Module[] = [authModule, bank.module, qsc.module, approve.module, qcp.module];
  return { list, bank: bank.keeper, qsc: qsc.keeper, approve: approve.keeper };
}
