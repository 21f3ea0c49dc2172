// ABCI events (D8): every attribute is indexed so `tx_search` and CosmJS `searchTx` find it.
import type { Event } from "cosmjs-types/tendermint/abci/types";

export type { Event };

export function event(type: string, attributes: Record<string, string>): Event {
  return {
    type,
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value, index: true })),
  };
}
