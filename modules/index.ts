// The modules of a QOS chain, wired together through narrow interfaces. Order matters: genesis is
// initialised in this order (accounts before balances before tokens before allowances).
import type { Module } from "../app/module.js";
import { authKeeper, authModule } from "./auth/index.js";
import { createBankModule, type BankKeeper } from "./bank/index.js";
import { createQscModule, type QscKeeper } from "./qsc/index.js";
import { createApproveModule, type ApproveKeeper } from "./approve/index.js";
import { createQcpModule } from "./qcp/index.js";
import { createMintModule, type MintKeeper } from "./mint/index.js";
import { createStakeModule, type StakeKeeper } from "./stake/index.js";
import { createDistributionModule, type DistributionKeeper } from "./distribution/index.js";

/** A chain's profile: the QOS public chain, or a business chain (bank, tokens, allowances and
 *  cross-chain messages with a fixed validator set: no staking, no inflation). Same binary. */
export type Profile = "qos" | "business";
export const Profiles: readonly Profile[] = ["qos", "business"];

export interface Modules {
  list: Module[];
  bank: BankKeeper;
  qsc: QscKeeper;
  approve: ApproveKeeper;
  /** the economy: qos profile only */
  mint?: MintKeeper;
  stake?: StakeKeeper;
  distribution?: DistributionKeeper;
}

export function buildModules(profile: Profile = "qos"): Modules {
  const bank = createBankModule({ accounts: authKeeper });
  const qsc = createQscModule({ bank: bank.keeper });
  bank.keeper.addSendHook(qsc.keeper.sendHook);
  const approve = createApproveModule({
    send: (store, events, from, to, coins) => bank.keeper.send(store, events, from, to, coins),
    tokenExists: (store, denom) => qsc.keeper.getToken(store, denom) !== undefined,
  });
  const qcp = createQcpModule({ bank: bank.keeper, tokenExists: (store, denom) => qsc.keeper.getToken(store, denom) !== undefined, modules: () => list });
  const list: Module[] = [authModule, bank.module, qsc.module, approve.module, qcp.module];
  if (profile === "business") return { list, bank: bank.keeper, qsc: qsc.keeper, approve: approve.keeper };

  // The QOS economy. Block order: mint (this block's inflation into the fee collector), stake
  // (keep-alive, evidence), distribution (shares the fee collector among the validators that signed).
  const mint = createMintModule({ bank: bank.keeper });
  const stake = createStakeModule({ bank: bank.keeper });
  const distribution = createDistributionModule({ bank: bank.keeper, stake: stake.keeper, mint: mint.keeper });
  list.push(mint.module, stake.module, distribution.module);
  return { list, bank: bank.keeper, qsc: qsc.keeper, approve: approve.keeper, mint: mint.keeper, stake: stake.keeper, distribution: distribution.keeper };
}
