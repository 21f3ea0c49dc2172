// The QOS chain's composition (like the Cosmos SDK's simapp/app.go): which modules a profile runs, in
// what order, what each receives from the others (narrow interfaces, nothing more), the module
// accounts, the parameter registrations, the stake hooks and the ante handler — all wired here, in one
// file. The app (app/) gets only the `Chain` it needs; cmd/, sim/, bench/ and tests compose through here.
// Order matters: genesis is initialised in module order (accounts before balances before tokens before
// allowances), and blocks run begin/end block in that order.
import { QosApp, type AppOptions } from "../app/app.js";
import type { AnteHandler, Chain, Module, UpgradePlan } from "../app/module.js";
import type { KVReader, KVStore } from "../app/state/kv.js";
import { moduleAddress } from "../app/address.js";
import { AuthParamsSchema, createAnteHandler, createAuthModule, FeeCollectorAccount, type AuthKeeper } from "../modules/auth/index.js";
import { BankParamsSchema, createBankModule, msgLimitsOf, type BankKeeper } from "../modules/bank/index.js";
import { createQscModule, QscModuleAccount, QscParamsSchema, type QscKeeper } from "../modules/qsc/index.js";
import { createApproveModule, type ApproveKeeper } from "../modules/approve/index.js";
import { createQcpModule, QcpModuleAccount, QcpParamsSchema, type QcpKeeper } from "../modules/qcp/index.js";
import { createMintModule, MintModuleAccount, MintParamsSchema, type MintKeeper } from "../modules/mint/index.js";
import { createStakeModule, StakeModuleAccount, StakeParamsSchema, type StakeKeeper } from "../modules/stake/index.js";
import { createDistributionModule, DistributionModuleAccount, DistributionParamsSchema, type DistributionKeeper } from "../modules/distribution/index.js";
import { createExchangeModule, ExchangeModuleAccount, ExchangeParamsSchema, type ExchangeKeeper } from "../modules/exchange/index.js";
import { createMiningModule, MiningModuleAccount, MiningParamsSchema, type MiningKeeper } from "../modules/mining/index.js";
import { createGuardianModule, type GuardianKeeper } from "../modules/guardian/index.js";
import { createParamsModule, type ParamsRegistry, type ParamSpace } from "../modules/params/index.js";
import { createGovModule, GovModuleAccount, GovParamsSchema, type GovKeeper } from "../modules/gov/index.js";
import { createCosmosViews } from "./views/index.js";

/** A chain's profile: the QOS public chain, or a business chain (bank, tokens, allowances and
 *  cross-chain messages with a fixed validator set: no staking, no inflation). Same binary. */
export type Profile = "qos" | "business";
export const Profiles: readonly Profile[] = ["qos", "business"];

/** A composed chain: what the app needs (`Chain`) and every keeper, for tests, the simulation and tools
 *  (`app.keepers` of a QosApp<QosChain>). */
export interface QosChain extends Chain {
  readonly profile: Profile;
  auth: AuthKeeper;
  bank: BankKeeper;
  qsc: QscKeeper;
  approve: ApproveKeeper;
  qcp: QcpKeeper;
  exchange: ExchangeKeeper;
  mining: MiningKeeper;
  /** the economy: qos profile only */
  mint?: MintKeeper;
  stake?: StakeKeeper;
  distribution?: DistributionKeeper;
  gov?: GovKeeper;
  guardian: GuardianKeeper;
  /** every module's parameters (modules/params) */
  params: ParamsRegistry;
}

/** A module's parameters for the registry (modules/params): its schema and its keeper's getters. */
function paramSpace<P>(module: string, schema: ParamSpace["schema"], keeper: { getParams(store: KVReader): P; setParams(store: KVStore, params: P): void }): ParamSpace {
  return { module, schema, get: (store) => keeper.getParams(store), set: (store, params) => keeper.setParams(store, params) };
}

export function composeChain(profile: Profile = "qos"): QosChain {
  const auth = createAuthModule();
  const bank = createBankModule({ accounts: auth.keeper });
  // The module accounts: one list, from the modules that own them (each declares its account and its
  // permissions). Bank refuses them as any recipient a user chooses, and each module gets a handle for
  // its own account only, with mint/burn only where its declaration has the permission.
  const economy = profile === "qos";
  const moduleAccounts = [
    FeeCollectorAccount, QscModuleAccount, QcpModuleAccount, ExchangeModuleAccount, MiningModuleAccount,
    ...(economy ? [MintModuleAccount, StakeModuleAccount, DistributionModuleAccount, GovModuleAccount] : []),
  ];
  bank.keeper.setModuleAccounts(moduleAccounts);
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
    modules: () => modules,
  });
  // the exchange reads tokens (and their pause) through qsc, and holds its reserves in its own account
  const exchange = createExchangeModule({
    bank: bank.keeper.forModule(ExchangeModuleAccount),
    tokens: { token: (store, denom) => qsc.keeper.getToken(store, denom) },
  });
  // mining: payments and claims through its own account; prices from the exchange's TWAP (undefined where
  // the pool does not cover the period: the banker's rate is used); bank's balance hook keeps dividends
  const miningBank = bank.keeper.forModule(MiningModuleAccount);
  const mining = createMiningModule({
    bank: {
      ...miningBank,
      send: (store, events, from, to, coins) => bank.keeper.send(store, events, from, to, coins),
      isModuleAccount: (address) => bank.keeper.moduleAccountAt(address) !== undefined,
      moduleAccounts: () => moduleAccounts.map((a) => moduleAddress(a.name)),
      *holdersOf(store, denom) {
        for (const [address, coin] of bank.keeper.allBalances(store)) if (coin.denom === denom) yield [address, coin.amount];
      },
    },
    tokens: {
      token: (store, denom) => qsc.keeper.getToken(store, denom),
      frozen: (store, denom, address) => qsc.keeper.getFrozen(store, denom, address),
    },
    prices: {
      average(store, denom, t1, t2, now) {
        const pool = exchange.keeper.getPool(store, denom);
        if (!pool || t1 < pool.twapFrom || t1 >= t2) return undefined;
        return exchange.keeper.averagePrice(store, denom, t1, t2, now);
      },
    },
  });
  bank.keeper.addBalanceHook((store, address, denom, before, after) => mining.keeper.balanceChanged(store, address, denom, before, after));
  const guardian = createGuardianModule();
  const params = createParamsModule();
  const registry = params.registry;
  registry.register(paramSpace("auth", AuthParamsSchema, auth.keeper));
  registry.register(paramSpace("bank", BankParamsSchema, bank.keeper));
  registry.register(paramSpace("qsc", QscParamsSchema, qsc.keeper));
  registry.register(paramSpace("qcp", QcpParamsSchema, qcp.keeper));
  registry.register(paramSpace("exchange", ExchangeParamsSchema, exchange.keeper));
  registry.register(paramSpace("mining", MiningParamsSchema, mining.keeper));
  const modules: Module[] = [auth.module, bank.module, qsc.module, approve.module, qcp.module, exchange.module, mining.module, guardian.module, params.module];

  // The ante handler (modules/auth/ante.ts): accounts from auth, the fee into the fee collector, the
  // message limits from bank's params, the fee exemption of guardians.
  const ante: AnteHandler = createAnteHandler({
    accounts: auth.keeper,
    msgLimits: (store) => msgLimitsOf(bank.keeper.getParams(store)),
    payFee: (store, events, payer, fee) => fees.sendFromAccountToModule(store, events, payer, fee),
    feeExempt: (store, payer) => guardian.keeper.isGuardian(store, payer),
  });
  const common = {
    modules,
    ante,
    auth: auth.keeper,
    bank: bank.keeper,
    qsc: qsc.keeper,
    approve: approve.keeper,
    qcp: qcp.keeper,
    exchange: exchange.keeper,
    mining: mining.keeper,
    guardian: guardian.keeper,
    params: registry,
    maxTxBytes: (store: KVReader) => auth.keeper.getParams(store).max_tx_bytes,
    verifyWorker: { script: new URL("./verify-worker.js", import.meta.url), data: { profile } },
    haltReason: (store: KVReader) => {
      const halt = guardian.keeper.getHalt(store);
      return halt && `halted by guardian ${halt.guardian} at height ${halt.height}: ${halt.reason}`;
    },
  };
  if (profile === "business") {
    // the cosmos.* queries wallets and explorers read (D13): denom metadata only, without the economy
    modules.push(createCosmosViews({ qsc: qsc.keeper }));
    return { profile, ...common, upgradePlan: () => undefined };
  }

  // The QOS economy. Block order: mint (this block's inflation into the fee collector), stake
  // (keep-alive, evidence), distribution (shares the fee collector among the validators that signed).
  const mint = createMintModule({ bank: bank.keeper.forModule(MintModuleAccount) });
  const stake = createStakeModule({ bank: bank.keeper.forModule(StakeModuleAccount) });
  const distribution = createDistributionModule({ bank: bank.keeper.forModule(DistributionModuleAccount), fees, stake: stake.keeper, mint: mint.keeper });
  // Distribution is stake's hooks (rewards settle before a delegation changes; slashes feed the pool).
  stake.keeper.setHooks(distribution.keeper);
  registry.register(paramSpace("mint", MintParamsSchema, mint.keeper));
  registry.register(paramSpace("stake", StakeParamsSchema, stake.keeper));
  registry.register(paramSpace("distribution", DistributionParamsSchema, distribution.keeper));
  // Governance last: a proposal that ends in a block is tallied over that block's stake.
  // a qcp_client proposal creates or replaces a counterpart's light client through qcp; a qcp_recover
  // proposal recovers a frozen or expired one from a substitute client
  const gov = createGovModule({
    bank: bank.keeper.forModule(GovModuleAccount), stake: stake.keeper, distribution: distribution.keeper, mint: mint.keeper, params: registry,
    qcpClient: qcp.clientProposals, qcpRecover: qcp.recoverProposals,
  });
  registry.register(paramSpace("gov", GovParamsSchema, gov.keeper));
  modules.push(mint.module, stake.module, distribution.module, gov.module);
  // the cosmos.staking/distribution/mint/slashing/gov queries wallets and explorers read (D13): queries only
  modules.push(createCosmosViews({
    qsc: qsc.keeper,
    economy: {
      stake: stake.keeper, distribution: distribution.keeper, mint: mint.keeper, gov: gov.keeper,
      supply: (store, denom) => bank.keeper.getSupply(store, denom),
    },
  }));
  return {
    profile, ...common, mint: mint.keeper, stake: stake.keeper, distribution: distribution.keeper, gov: gov.keeper,
    upgradePlan: (store): UpgradePlan | undefined => gov.keeper.getUpgradePlan(store),
  };
}

/** Opens the app over a freshly composed chain of `profile` (default "qos"): what qosd, the simulation
 *  and the tests run. */
export function openApp(options: Omit<AppOptions<QosChain>, "chain"> & { profile?: Profile }): Promise<QosApp<QosChain>> {
  const { profile, ...rest } = options;
  return QosApp.open({ ...rest, chain: composeChain(profile ?? "qos") });
}
