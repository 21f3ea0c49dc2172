// The CometBFT-backed methods of cosmos.tx.v1beta1.Service (Simulate is the app's own query): broadcast,
// committed txs by hash and by events (CometBFT's tx index), and a block with its txs decoded.
import { Errors } from "../../../app/errors.js";
import type { ServiceHandler } from "../../../app/grpc/server.js";
import { pageLimit } from "../../../app/query.js";
import { Method } from "../../../gen/names.js";
import * as s from "../../../gen/cosmos/tx/v1beta1/service.js";
import { Tx } from "../../../gen/cosmos/tx/v1beta1/tx.js";
import { blockFromRpc, checkBlockHeight, refusingRpc, txResponseFromRpc, type CometRpc } from "./cometbft.js";

/** CometBFT's tx_search allows 100 per page. */
const MaxTxsPerPage = 100;

/** A tx's bytes as a Tx (a TxRaw's bytes are a Tx's encoding); bytes that are no Tx give an empty one, as the
 *  block still holds them. */
function decodeTx(bytes: Uint8Array): Tx {
  try {
    return Tx.decode(bytes);
  } catch {
    return Tx.fromPartial({});
  }
}

export function txService(rpc: CometRpc): Map<string, ServiceHandler> {
  const call = refusingRpc(rpc);
  /** block time (RFC 3339, as CometBFT prints it) by height, for one answer */
  const blockTimes = () => {
    const times = new Map<string, Promise<string>>();
    return (height: string) => {
      if (!times.has(height)) times.set(height, call<any>("header", { height }).then((r) => String(r.header.time)));
      return times.get(height)!;
    };
  };

  const S = Method.cosmos.tx.v1beta1.Service;
  return new Map<string, ServiceHandler>([
    [S.BroadcastTx, async (request) => {
      const { txBytes, mode } = s.BroadcastTxRequest.decode(request);
      if (txBytes.length === 0) throw Errors.invalidRequest.with("tx_bytes is empty");
      let method: string;
      if (mode === s.BroadcastMode.BROADCAST_MODE_SYNC) method = "broadcast_tx_sync";
      else if (mode === s.BroadcastMode.BROADCAST_MODE_ASYNC) method = "broadcast_tx_async";
      else throw Errors.invalidRequest.with(`broadcast mode ${s.broadcastModeToJSON(mode)} is not supported: use BROADCAST_MODE_SYNC or BROADCAST_MODE_ASYNC`);
      const result = await call<any>(method, { tx: Buffer.from(txBytes).toString("base64") });
      return s.BroadcastTxResponse.encode({ txResponse: txResponseFromRpc(result, "") }).finish();
    }],
    [S.GetTx, async (request) => {
      const { hash } = s.GetTxRequest.decode(request);
      if (!/^(0x)?[0-9a-fA-F]{64}$/.test(hash)) throw Errors.invalidRequest.with(`tx hash must be 64 hex digits, got ${JSON.stringify(hash.slice(0, 80))}`);
      // JSON-RPC takes the hash as bytes, i.e. base64
      const result = await call<any>("tx", { hash: Buffer.from(hash.replace(/^0x/, ""), "hex").toString("base64"), prove: false });
      const time = await blockTimes()(String(result.height));
      return s.GetTxResponse.encode({ tx: decodeTx(Buffer.from(result.tx, "base64")), txResponse: txResponseFromRpc(result, time) }).finish();
    }],
    [S.GetTxsEvent, async (request) => {
      const req = s.GetTxsEventRequest.decode(request);
      const query = req.query !== "" ? req.query : req.events.join(" AND ");
      if (query.trim() === "") throw Errors.invalidRequest.with("query (or events) must not be empty");
      const limit = Number(req.limit > 0n ? (req.limit > BigInt(MaxTxsPerPage) ? BigInt(MaxTxsPerPage) : req.limit) : BigInt(Math.min(pageLimit(req.pagination), MaxTxsPerPage)));
      const page = req.page > 0n ? req.page : req.pagination?.offset ? req.pagination.offset / BigInt(limit) + 1n : 1n;
      const result = await call<any>("tx_search", {
        query, prove: false, page: String(page), per_page: String(limit),
        order_by: req.orderBy === s.OrderBy.ORDER_BY_DESC ? "desc" : "asc",
      });
      const time = blockTimes();
      const responses = await Promise.all((result.txs as any[]).map(async (r) => txResponseFromRpc(r, await time(String(r.height)))));
      const total = BigInt(result.total_count);
      return s.GetTxsEventResponse.encode({
        txs: (result.txs as any[]).map((r) => decodeTx(Buffer.from(r.tx, "base64"))),
        txResponses: responses,
        pagination: { nextKey: new Uint8Array(), total },
        total,
      }).finish();
    }],
    [S.GetBlockWithTxs, async (request) => {
      const { height, pagination } = s.GetBlockWithTxsRequest.decode(request);
      await checkBlockHeight(call, height);
      const { blockId, block } = blockFromRpc(await call("block", { height: String(height) }));
      const all = block.data!.txs;
      const offset = Number(pagination?.offset ?? 0n);
      return s.GetBlockWithTxsResponse.encode({
        txs: all.slice(offset, offset + pageLimit(pagination)).map(decodeTx),
        blockId,
        block,
        pagination: { nextKey: new Uint8Array(), total: BigInt(all.length) },
      }).finish();
    }],
  ]);
}
