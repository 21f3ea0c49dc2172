// The modules of a QOS chain, wired together through narrow interfaces. Order matters: genesis is
// initialised in this order (accounts before balances before tokens before allowances).
import type { Module } from "../app/module.js";
import { authKeeper, authModule } from "./auth/index.js";
import { createBankModule, type BankKeeper } from "./bank/index.js";
import { createQscModule, type QscKeeper } from "./qsc/index.js";
import { createApproveModule, type ApproveKeeper } from "./approve/index.js";

export interface Modules {
  list: Module[];
  bank: BankKeeper;
  qsc: QscKeeper;
  approve: ApproveKeeper;
}

export function buildModules(): Modules {
  const bank = createBankModule({ accounts: authKeeper });
  const qsc = createQscModule({ bank: bank.keeper });
  bank.keeper.addSendHook(qsc.keeper.sendHook);
  const approve = createApproveModule({
    send: (store, events, from, to, coins) => bank.keeper.send(store, events, from, to, coins),
    tokenExists: (store, denom) => qsc.keeper.getToken(store, denom) !== undefined,
  });
  return { list: [authModule, bank.module, qsc.module, approve.module], bank: bank.keeper, qsc: qsc.keeper, approve: approve.keeper };
}
