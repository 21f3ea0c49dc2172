// Event names of bank, in the Cosmos SDK's form so CosmJS searchTx("transfer.recipient=...") works.
import { event, type Event } from "../../app/events.js";

export const EventTypes = {
  transfer: "transfer",
  coinSpent: "coin_spent",
  coinReceived: "coin_received",
  message: "message",
  mint: "coinbase",
  burn: "burn",
} as const;

export const transferEvent = (sender: string, recipient: string, amount: string): Event =>
  event(EventTypes.transfer, { recipient, sender, amount });
export const transferOutEvent = (sender: string, amount: string): Event => event(EventTypes.transfer, { sender, amount });
export const transferInEvent = (recipient: string, amount: string): Event => event(EventTypes.transfer, { recipient, amount });
// coin_spent / coin_received repeat what transfer says: kept for SDK-shaped results, not indexed
export const coinSpentEvent = (spender: string, amount: string): Event => event(EventTypes.coinSpent, { spender, amount }, ["spender", "amount"]);
export const coinReceivedEvent = (receiver: string, amount: string): Event =>
  event(EventTypes.coinReceived, { receiver, amount }, ["receiver", "amount"]);
export const messageSenderEvent = (sender: string): Event => event(EventTypes.message, { module: "bank", sender });
export const mintEvent = (minter: string, amount: string): Event => event(EventTypes.mint, { minter, amount });
export const burnEvent = (burner: string, amount: string): Event => event(EventTypes.burn, { burner, amount });
