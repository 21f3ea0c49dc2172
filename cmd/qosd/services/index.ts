// The methods qosd serves beside the app's query router (on gRPC and REST alike): the CometBFT service, the
// broadcast/index side of the tx service, and the node's own settings.
import type { ServiceHandler } from "../../../app/grpc/server.js";
import type { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types";
import { Method } from "../../../gen/names.js";
import { ConfigResponse } from "../../../gen/cosmos/base/node/v1beta1/query.js";
import { cometRpc } from "./cometbft.js";
import { tendermintService } from "./tendermint.js";
import { txService } from "./tx.js";

export interface NodeServicesDeps {
  /** CometBFT's RPC, e.g. http://127.0.0.1:26657 */
  rpcUrl: string;
  abciQuery(req: RequestQuery): ResponseQuery;
  /** this node's minimum gas price (config/app.json min_gas_price) */
  minGasPrice: string;
  /** versions kept and the pruning interval (config/app.json keep_recent or pruning*) */
  pruning: { keepRecent: number; interval: number };
}

export function nodeServices(deps: NodeServicesDeps): Map<string, ServiceHandler> {
  const rpc = cometRpc(deps.rpcUrl);
  const config = ConfigResponse.encode({ minimumGasPrice: deps.minGasPrice, pruningKeepRecent: String(deps.pruning.keepRecent), pruningInterval: String(deps.pruning.interval), haltHeight: 0n }).finish();
  return new Map<string, ServiceHandler>([
    ...tendermintService({ rpc, abciQuery: deps.abciQuery }),
    ...txService(rpc),
    [Method.cosmos.base.node.v1beta1.Service.Config, async () => config],
  ]);
}
