// cosmos.bank.v1beta1 denom metadata (D13): uqos and every QSC as explorers and wallets show them (names, symbols,
// the display unit and its exponent); read-only, from qos.qsc's tokens. A QSC's base unit is its registered name;
// when it has decimals its display unit is its symbol (when that differs from the name), else the name itself.
import { BaseDenom, BaseDenomDecimals, DisplayDenom } from "../../app/coins.js";
import { Errors } from "../../app/errors.js";
import type { QueryHandler } from "../../app/module.js";
import { Method } from "../../gen/names.js";
import type { Metadata } from "../../gen/cosmos/bank/v1beta1/bank.js";
import * as q from "../../gen/cosmos/bank/v1beta1/query.js";
import type { Token } from "../../gen/qos/qsc/v1/types.js";
import type { QscKeeper } from "../../modules/qsc/index.js";

const Query = Method.cosmos.bank.v1beta1.Query;

export const BaseDenomMetadata: Metadata = {
  description: "The native token of the QOS public chain: fees, staking and governance.",
  denomUnits: [{ denom: BaseDenom, exponent: 0, aliases: [] }, { denom: DisplayDenom.toLowerCase(), exponent: BaseDenomDecimals, aliases: [] }],
  base: BaseDenom,
  display: DisplayDenom.toLowerCase(),
  name: DisplayDenom,
  symbol: DisplayDenom,
  uri: "",
  uriHash: "",
};

export function tokenMetadata(token: Token): Metadata {
  const display = token.decimals > 0 && token.symbol !== "" && token.symbol !== token.name ? token.symbol : token.name;
  return {
    description: token.description,
    denomUnits: [{ denom: token.name, exponent: 0, aliases: [] }, ...(display !== token.name ? [{ denom: display, exponent: token.decimals, aliases: [] }] : [])],
    base: token.name,
    display,
    name: token.name,
    symbol: token.symbol,
    uri: "",
    uriHash: "",
  };
}

export function denomsView(qsc: QscKeeper): Record<string, QueryHandler> {
  return {
    [Query.DenomMetadata]: (ctx, request) => {
      const { denom } = q.QueryDenomMetadataRequest.decode(request);
      if (denom === BaseDenom) return q.QueryDenomMetadataResponse.encode({ metadata: BaseDenomMetadata }).finish();
      const token = qsc.getToken(ctx.store, denom);
      if (!token) throw Errors.notFound.with(`no metadata for denom ${JSON.stringify(denom.slice(0, 128))}`);
      return q.QueryDenomMetadataResponse.encode({ metadata: tokenMetadata(token) }).finish();
    },
    // uqos leads the first page (no key, no offset, not reversed); the page limit counts the QSCs
    [Query.DenomsMetadata]: (ctx, request) => {
      const { pagination } = q.QueryDenomsMetadataRequest.decode(request);
      const page = qsc.tokensPage(ctx.store, pagination);
      const first = !(pagination?.key?.length) && !pagination?.offset && !pagination?.reverse;
      const metadatas = [...(first ? [BaseDenomMetadata] : []), ...page.items.map(tokenMetadata)];
      return q.QueryDenomsMetadataResponse.encode({ metadatas, pagination: page.pagination }).finish();
    },
  };
}
