// cosmos.slashing.v1beta1 (D13): QOS's keep-alive window (whitepaper §3.3.1) as the SDK's signing infos; read-only,
// computed from qos.stake on each query. A validator that signs fewer than voting_status_least of the last
// voting_status_len blocks becomes inactive (jailed here) without a slash and without a jail term, so
// slash_fraction_downtime and downtime_jail_duration are 0; index_offset is the window's next position and
// tombstoned means made inactive for double signing.
import { fromBech32, toBech32 } from "@cosmjs/encoding";
import { ConsensusPrefix } from "../../app/address.js";
import { quoDec } from "../../app/decimal.js";
import { Errors } from "../../app/errors.js";
import type { QueryHandler } from "../../app/module.js";
import { Method } from "../../gen/names.js";
import type { ValidatorSigningInfo } from "../../gen/cosmos/slashing/v1beta1/slashing.js";
import * as q from "../../gen/cosmos/slashing/v1beta1/query.js";
import type { Validator } from "../../gen/qos/stake/v1/types.js";
import type { KVReader } from "../../app/state/kv.js";
import { consensusAddress, StakeErrors, ValidatorStatus, type StakeKeeper } from "../../modules/stake/index.js";
import { decAtomics, decBytes, duration, timestamp } from "./convert.js";

const Query = Method.cosmos.slashing.v1beta1.Query;

export function slashingView(stake: StakeKeeper): Record<string, QueryHandler> {
  const signingInfo = (store: KVReader, owner: Uint8Array, v: Validator): ValidatorSigningInfo => {
    const ka = stake.getKeepAlive(store, owner);
    return {
      address: toBech32(ConsensusPrefix, consensusAddress(v.consensusPubkey)),
      startHeight: ka?.startHeight ?? 0n,
      indexOffset: ka?.index ?? 0n,
      jailedUntil: timestamp(0n),
      tombstoned: v.status === ValidatorStatus.VALIDATOR_STATUS_INACTIVE && v.inactiveReason === "double-sign",
      missedBlocksCounter: ka?.missed ?? 0n,
    };
  };
  return {
    [Query.Params]: (ctx) => {
      const params = stake.getParams(ctx.store);
      return q.QueryParamsResponse.encode({
        params: {
          signedBlocksWindow: BigInt(params.voting_status_len),
          minSignedPerWindow: decBytes(quoDec(BigInt(params.voting_status_least), BigInt(params.voting_status_len))),
          downtimeJailDuration: duration(0),
          slashFractionDoubleSign: decBytes(BigInt(decAtomics(params.slash_fraction_double_sign))),
          slashFractionDowntime: decBytes(0n),
        },
      }).finish();
    },
    [Query.SigningInfo]: (ctx, request) => {
      const { consAddress } = q.QuerySigningInfoRequest.decode(request);
      let bytes: Uint8Array;
      try {
        const decoded = fromBech32(consAddress, 90);
        if (decoded.prefix !== ConsensusPrefix || decoded.data.length !== 20) throw new Error(`expected a 20-byte ${ConsensusPrefix} address`);
        bytes = decoded.data;
      } catch (e) {
        throw Errors.invalidAddress.with(`cons_address ${JSON.stringify(consAddress.slice(0, 100))}: ${(e as Error).message}`);
      }
      const owner = stake.ownerByConsensusAddress(ctx.store, bytes);
      if (!owner) throw StakeErrors.validatorNotFound.with(`no validator signs with ${consAddress}`);
      return q.QuerySigningInfoResponse.encode({ valSigningInfo: signingInfo(ctx.store, owner, stake.requireValidator(ctx.store, owner)) }).finish();
    },
    [Query.SigningInfos]: (ctx, request) => {
      const { pagination } = q.QuerySigningInfosRequest.decode(request);
      const page = stake.validatorsPage(ctx.store, pagination, (owner, v) => signingInfo(ctx.store, owner, v));
      return q.QuerySigningInfosResponse.encode({ info: page.items, pagination: page.pagination }).finish();
    },
  };
}
