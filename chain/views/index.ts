// The cosmos.* compatibility views (D13, issue 15 part 3): read-only query services in the SDK's shape over the qos
// modules, for Keplr and explorers (Ping.pub), one file per view. They live in the composition layer because each
// reads several modules through their keepers; they keep no state and change none, so a module with queries only.
import type { Module } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import type { DistributionKeeper } from "../../modules/distribution/index.js";
import type { GovKeeper } from "../../modules/gov/index.js";
import type { MintKeeper } from "../../modules/mint/index.js";
import type { QscKeeper } from "../../modules/qsc/index.js";
import type { StakeKeeper } from "../../modules/stake/index.js";
import { denomsView } from "./denoms.js";
import { distributionView } from "./distribution.js";
import { govView } from "./gov.js";
import { mintView } from "./mint.js";
import { slashingView } from "./slashing.js";
import { stakingView } from "./staking.js";

/** The QOS economy's keepers (the qos profile; a business chain has none). */
export interface EconomyViewDeps {
  stake: StakeKeeper;
  distribution: DistributionKeeper;
  mint: MintKeeper;
  gov: GovKeeper;
  supply(store: KVReader, denom: string): bigint;
}

export function createCosmosViews(deps: { qsc: QscKeeper; economy?: EconomyViewDeps }): Module {
  const economy = deps.economy;
  return {
    name: "cosmos_views",
    queries: {
      ...denomsView(deps.qsc),
      ...(economy && {
        ...stakingView(economy.stake),
        ...distributionView(economy.distribution),
        ...mintView(economy.mint, economy.supply),
        ...slashingView(economy.stake),
        ...govView(economy.gov),
      }),
    },
  };
}
