// cosmos.base.tendermint.v1beta1.Service (node info, syncing, blocks, validator sets, ABCI query), served by
// qosd from its CometBFT's RPC, and ABCIQuery from the app itself.
import { AppVersion } from "../../../app/app.js";
import { Errors } from "../../../app/errors.js";
import type { ServiceHandler } from "../../../app/grpc/server.js";
import { pageLimit } from "../../../app/query.js";
import type { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { Method } from "../../../gen/names.js";
import * as q from "../../../gen/cosmos/base/tendermint/v1beta1/query.js";
import type { PageRequest } from "../../../gen/cosmos/base/query/v1beta1/pagination.js";
import { blockFromRpc, checkBlockHeight, refusingRpc, validatorsFromRpc, type CometRpc } from "./cometbft.js";

export interface TendermintDeps {
  rpc: CometRpc;
  /** the app's ABCI Query (ABCIQuery runs it in-process) */
  abciQuery(req: RequestQuery): ResponseQuery;
}

/** CometBFT's /validators allows 100 per page. */
const RpcPageSize = 100;

export function tendermintService(deps: TendermintDeps): Map<string, ServiceHandler> {
  const call = refusingRpc(deps.rpc);
  const checkHeight = (height: bigint) => checkBlockHeight(call, height);

  const block = async (height?: bigint) => blockFromRpc(await call("block", height === undefined ? {} : { height: String(height) }));

  const validatorSet = async (height: bigint | undefined, page: PageRequest | undefined) => {
    const all = [];
    let blockHeight = 0n;
    for (let p = 1; ; p++) {
      const res = await call<any>("validators", { ...(height === undefined ? {} : { height: String(height) }), page: String(p), per_page: String(RpcPageSize) });
      blockHeight = BigInt(res.block_height);
      all.push(...res.validators);
      if (all.length >= Number(res.total) || res.validators.length === 0) break;
    }
    if (page?.key && page.key.length > 0) throw Errors.invalidRequest.with("pagination.key is not supported here: use pagination.offset");
    const offset = Number(page?.offset ?? 0n);
    const list = validatorsFromRpc(all.slice(offset, offset + pageLimit(page)));
    return { blockHeight, validators: list, pagination: { nextKey: new Uint8Array(), total: BigInt(all.length) } };
  };

  const S = Method.cosmos.base.tendermint.v1beta1.Service;
  return new Map<string, ServiceHandler>([
    [S.GetNodeInfo, async () => {
      const status = await call<any>("status");
      const n = status.node_info;
      return q.GetNodeInfoResponse.encode({
        defaultNodeInfo: {
          protocolVersion: { p2p: BigInt(n.protocol_version.p2p), block: BigInt(n.protocol_version.block), app: BigInt(n.protocol_version.app) },
          defaultNodeId: n.id,
          listenAddr: n.listen_addr,
          network: n.network,
          version: n.version,
          channels: new Uint8Array(Buffer.from(n.channels ?? "", "hex")),
          moniker: n.moniker,
          other: { txIndex: n.other?.tx_index ?? "", rpcAddress: n.other?.rpc_address ?? "" },
        },
        applicationVersion: {
          name: "qos", appName: "qosd", version: AppVersion, gitCommit: "", buildTags: "",
          goVersion: `node ${process.version}`, buildDeps: [], cosmosSdkVersion: "",
        },
      }).finish();
    }],
    [S.GetSyncing, async () => q.GetSyncingResponse.encode({ syncing: (await call<any>("status")).sync_info.catching_up === true }).finish()],
    [S.GetLatestBlock, async () => q.GetLatestBlockResponse.encode(await block()).finish()],
    [S.GetBlockByHeight, async (request) => {
      const { height } = q.GetBlockByHeightRequest.decode(request);
      await checkHeight(height);
      return q.GetBlockByHeightResponse.encode(await block(height)).finish();
    }],
    [S.GetLatestValidatorSet, async (request) => {
      const { pagination } = q.GetLatestValidatorSetRequest.decode(request);
      return q.GetLatestValidatorSetResponse.encode(await validatorSet(undefined, pagination)).finish();
    }],
    [S.GetValidatorSetByHeight, async (request) => {
      const { height, pagination } = q.GetValidatorSetByHeightRequest.decode(request);
      await checkHeight(height);
      return q.GetValidatorSetByHeightResponse.encode(await validatorSet(height, pagination)).finish();
    }],
    [S.ABCIQuery, async (request) => {
      const req = q.ABCIQueryRequest.decode(request);
      const res = deps.abciQuery({ data: req.data, path: req.path, height: req.height, prove: req.prove });
      return q.ABCIQueryResponse.encode({
        code: res.code, log: res.log, info: res.info, index: res.index, key: res.key, value: res.value,
        proofOps: res.proofOps ? { ops: res.proofOps.ops.map((o) => ({ type: o.type, key: o.key, data: o.data })) } : undefined,
        height: res.height, codespace: res.codespace,
      }).finish();
    }],
  ]);
}
