// The modules of a QOS chain, wired together through narrow interfaces. Order matters: genesis is
// initialised in this order (accounts before balances before tokens before allowances).
import type { Module, MsgLimits } from "../app/module.js";
import { authKeeper, authModule, FeeCollectorAccount } from "./auth/index.js";
import { createBankModule, msgLimitsOf, type BankKeeper } from "./bank/index.js";
import { createQscModule, QscModuleAccount, type QscKeeper } from "./qsc/index.js";
import { createApproveModule, type ApproveKeeper } from "./approve/index.js";
import { createQcpModule, QcpModuleAccount } from "./qcp/index.js";
import { createMintModule, MintModuleAccount, type MintKeeper } from "./mint/index.js";
import { createStakeModule, StakeModuleAccount, type StakeKeeper } from "./stake/index.js";
import { createDistributionModule, DistributionModuleAccount, type DistributionKeeper } from "./distribution/index.js";
import { createGuardianModule, type GuardianKeeper } from "./guardian/index.js";
import { createParamsModule, type ParamsRegistry } from "./params/index.js";
import { createGovModule, GovModuleAccount, type GovKeeper } from "./gov/index.js";
import type { Coin } from "../app/coins.js";
import type { Event } from "../app/events.js";
import type { KVReader, KVStore } from "../app/state/kv.js";
import { ParamsSchema as AuthParams } from "./auth/params.js";
import { ParamsSchema as BankParams } from "./bank/params.js";
import { ParamsSchema as QscParams } from "./qsc/params.js";
import { ParamsSchema as QcpParams } from "./qcp/params.js";
import { ParamsSchema as MintParams } from "./mint/params.js";
import { ParamsSchema as StakeParams } from "./stake/params.js";
import { ParamsSchema as DistributionParams } from "./distribution/params.js";
import { ParamsSchema as GovParams } from "./gov/params.js";

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
  gov?: GovKeeper;
  guardian: GuardianKeeper;
  /** every module's parameters (modules/params) */
  params: ParamsRegistry;
  /** the fee from the payer into the fee collector (bank's handle for it), for the ante handler */
  payFee(store: KVStore, events: Event[], payer: Uint8Array, fee: readonly Coin[]): void;
  /** what one message may carry (bank's params), for the ante handler */
  msgLimits(store: KVReader): MsgLimits;
  /** a fee payer that pays no fee (a guardian), for the ante handler */
  feeExempt(store: KVReader, payer: Uint8Array): boolean;
  /** why no block may be made any more (a genesis guardian halted the network), if so */
  haltReason(store: KVReader): string | undefined;
  /** the software upgrade governance scheduled, if any */
  upgradePlan(store: KVReader): { name: string; height: bigint; version: string } | undefined;
}

export function buildModules(profile: Profile = "qos"): Modules {
  const bank = createBankModule({ accounts: authKeeper });
  // The module accounts: one list, from the modules that own them (each declares its account and its
  // permissions). Bank refuses them as any recipient a user chooses, and each module gets a handle for
  // its own account only, with mint/burn only where its declaration has the permission.
  const economy = profile === "qos";
  bank.keeper.setModuleAccounts([
    FeeCollectorAccount, QscModuleAccount, QcpModuleAccount,
    ...(economy ? [MintModuleAccount, StakeModuleAccount, DistributionModuleAccount, GovModuleAccount] : []),
  ]);
  const fees = bank.keeper.forModule(FeeCollectorAccount);
  const qsc = createQscModule({ bank: bank.keeper.forModule(QscModuleAccount) });
  bank.keeper.addSendHook(qsc.keeper.sendHook);
  const approve = createApproveModule({
    send: (store, events, from, to, coins) => bank.keeper.send(store, events, from, to, coins),
    tokenExists: (store, denom) => qsc.keeper.getToken(store, denom) !== undefined,
    requireUnpaused: (store, denom) => qsc.keeper.requireUnpaused(store, denom),
  });
  const qcp = createQcpModule({
    bank: bank.keeper.forModule(QcpModuleAccount),
    tokenExists: (store, denom) => qsc.keeper.getToken(store, denom) !== undefined,
    restoring: (move) => qsc.keeper.restoring(move),
    modules: () => list,
  });
  const guardian = createGuardianModule();
  const params = createParamsModule();
  const registry = params.registry;
  registry.register({ module: "auth", schema: AuthParams, get: (s) => authKeeper.getParams(s), set: (s, p) => authKeeper.setParams(s, p) });
  registry.register({ module: "bank", schema: BankParams, get: (s) => bank.keeper.getParams(s), set: (s, p) => bank.keeper.setParams(s, p) });
  registry.register({ module: "qsc", schema: QscParams, get: (s) => qsc.keeper.getParams(s), set: (s, p) => qsc.keeper.setParams(s, p) });
  registry.register({ module: "qcp", schema: QcpParams, get: (s) => qcp.keeper.getParams(s), set: (s, p) => qcp.keeper.setParams(s, p) });
  const list: Module[] = [authModule, bank.module, qsc.module, approve.module, qcp.module, guardian.module, params.module];
  const common = {
    guardian: guardian.keeper,
    params: registry,
    payFee: (store: KVStore, events: Event[], payer: Uint8Array, fee: readonly Coin[]) => fees.sendFromAccountToModule(store, events, payer, fee),
    msgLimits: (store: KVReader) => msgLimitsOf(bank.keeper.getParams(store)),
    feeExempt: (store: KVReader, payer: Uint8Array) => guardian.keeper.isGuardian(store, payer),
    haltReason: (store: KVReader) => {
      const halt = guardian.keeper.getHalt(store);
      return halt && `halted by guardian ${halt.guardian} at height ${halt.height}: ${halt.reason}`;
    },
  };
  if (profile === "business") return { list, bank: bank.keeper, qsc: qsc.keeper, approve: approve.keeper, ...common, upgradePlan: () => undefined };

  // The QOS economy. Block order: mint (this block's inflation into the fee collector), stake
  // (keep-alive, evidence), distribution (shares the fee collector among the validators that signed).
  const mint = createMintModule({ bank: bank.keeper.forModule(MintModuleAccount) });
  const stake = createStakeModule({ bank: bank.keeper.forModule(StakeModuleAccount) });
  const distribution = createDistributionModule({ bank: bank.keeper.forModule(DistributionModuleAccount), fees, stake: stake.keeper, mint: mint.keeper });
  stake.keeper.setHooks(distribution.keeper);
  registry.register({ module: "mint", schema: MintParams, get: (s) => mint.keeper.getParams(s), set: (s, p) => mint.keeper.setParams(s, p) });
  registry.register({ module: "stake", schema: StakeParams, get: (s) => stake.keeper.getParams(s), set: (s, p) => stake.keeper.setParams(s, p) });
  registry.register({ module: "distribution", schema: DistributionParams, get: (s) => distribution.keeper.getParams(s), set: (s, p) => distribution.keeper.setParams(s, p) });
  // Governance last: a proposal that ends in a block is tallied over that block's stake.
  const gov = createGovModule({ bank: bank.keeper.forModule(GovModuleAccount), stake: stake.keeper, distribution: distribution.keeper, mint: mint.keeper, params: registry });
  registry.register({ module: "gov", schema: GovParams, get: (s) => gov.keeper.getParams(s), set: (s, p) => gov.keeper.setParams(s, p) });
  list.push(mint.module, stake.module, distribution.module, gov.module);
  return {
    list, bank: bank.keeper, qsc: qsc.keeper, approve: approve.keeper, mint: mint.keeper, stake: stake.keeper, distribution: distribution.keeper,
    gov: gov.keeper, ...common, upgradePlan: (store) => gov.keeper.getUpgradePlan(store),
  };
}
