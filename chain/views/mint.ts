// cosmos.mint.v1beta1 (D13): QOS's phased inflation (whitepaper §2.1) stated as the SDK's mint queries; read-only,
// computed from qos.mint on each query. The current phase is the first that still has something to mint; its
// yearly rate is its total spread evenly over its length (start = the previous phase's end, or the genesis
// time): annual provisions = total × year ÷ (end − start), inflation = annual provisions ÷ the uqos supply. Both
// are 18-digit decimals rounded down, and depend on the state only (not on a clock). QOS's inflation does not
// follow the bonded ratio: inflation_min = inflation_max = the current inflation, no rate change, no goal.
import { BaseDenom } from "../../app/coins.js";
import { One } from "../../app/decimal.js";
import type { QueryHandler } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { Method } from "../../gen/names.js";
import * as q from "../../gen/cosmos/mint/v1beta1/query.js";
import { PhaseSeconds, type MintKeeper } from "../../modules/mint/index.js";
import { decAtomics, decBytes } from "./convert.js";

const Query = Method.cosmos.mint.v1beta1.Query;
/** a year of the schedule: a phase is 4 of them (1461 days) */
export const YearSeconds = PhaseSeconds / 4n;

export interface MintRates {
  /** 18-digit atomics */
  annualProvisions: bigint;
  inflation: bigint;
}

/** The yearly rates of the current phase (zero when no phase has anything left to mint). */
export function mintRates(mint: MintKeeper, store: KVReader, supply: bigint): MintRates {
  const phases = mint.phases(store);
  const i = phases.findIndex((p) => p.applied < p.total);
  if (i === -1) return { annualProvisions: 0n, inflation: 0n };
  const start = i === 0 ? mint.clock(store).genesisTime : phases[i - 1].endTime;
  const length = phases[i].endTime - start;
  if (length <= 0n) return { annualProvisions: 0n, inflation: 0n };
  const yearly = phases[i].total * YearSeconds * One;
  return { annualProvisions: yearly / length, inflation: supply === 0n ? 0n : yearly / (length * supply) };
}


export function mintView(mint: MintKeeper, supply: (store: KVReader, denom: string) => bigint): Record<string, QueryHandler> {
  const rates = (store: KVReader) => mintRates(mint, store, supply(store, BaseDenom));
  return {
    [Query.Params]: (ctx) => {
      const inflation = rates(ctx.store).inflation.toString();
      return q.QueryParamsResponse.encode({
        params: {
          mintDenom: BaseDenom,
          inflationRateChange: decAtomics("0"),
          inflationMax: inflation,
          inflationMin: inflation,
          goalBonded: decAtomics("0"),
          blocksPerYear: YearSeconds / BigInt(mint.getParams(ctx.store).target_block_time_secs),
        },
      }).finish();
    },
    [Query.Inflation]: (ctx) => q.QueryInflationResponse.encode({ inflation: decBytes(rates(ctx.store).inflation) }).finish(),
    [Query.AnnualProvisions]: (ctx) => q.QueryAnnualProvisionsResponse.encode({ annualProvisions: decBytes(rates(ctx.store).annualProvisions) }).finish(),
  };
}
