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

/**
 * A node-local indexing policy (config/app.json `index_events`, as the Cosmos SDK's `index-events`): the
 * events with each attribute indexed only if its "type.key" is listed. The index flag is not part of
 * CometBFT's LastResultsHash (it hashes code, data, gas_wanted and gas_used of each tx) nor of the app
 * hash, so nodes may differ; it only decides what this node's CometBFT indexer writes. CometBFT indexes
 * tx.hash and tx.height (and block.height) whatever the flags say.
 */
export function withIndexPolicy(events: readonly Event[], indexed: ReadonlySet<string>): Event[] {
  return events.map((e) => ({
    type: e.type,
    attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: indexed.has(`${e.type}.${a.key}`) })),
  }));
}
