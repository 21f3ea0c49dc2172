// ABCI events (D8). Attributes are indexed, so `tx_search` and CosmJS `searchTx` find them, except those
// nobody searches on (big or bookkeeping values): CometBFT's indexer costs ~10 µs per indexed attribute
// per tx, a large share of a transfer's cost. Unindexed attributes are still in the tx results and in
// WebSocket subscriptions.
import type { Event } from "cosmjs-types/tendermint/abci/types";

export type { Event };

export function event(type: string, attributes: Record<string, string>, unindexed: readonly string[] = []): Event {
  return {
    type,
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value, index: !unindexed.includes(key) })),
  };
}
