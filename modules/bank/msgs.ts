// bank messages. Two phases (app/module.ts): checkStateless parses the message once (addresses as bytes,
// coins as bigints, counts against bank's limits) and execute(ctx, parsed) moves the coins (the keeper's
// state checks: balances, blocked addresses, send hooks).
import { MsgSend, MsgSendResponse } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { parseAccAddress } from "../../app/address.js";
import { addCoins, coinsEqual, coinsToString, parseSortedCoins, type Coin } from "../../app/coins.js";
import type { Context, MsgHandler, MsgLimits } from "../../app/module.js";
import { MsgTransfer, MsgTransferResponse } from "../../gen/qos/bank/v1/tx.js";
import { TypeUrl } from "../../gen/names.js";
import { BankErrors } from "./errors.js";
import * as events from "./events.js";
import type { BankKeeper } from "./keeper.js";
import { DefaultParams, type Params } from "./params.js";

/** bank's params as the limits every message handler is given (the ante handler reads them per tx) */
export const msgLimitsOf = (params: Params): MsgLimits => ({ maxParties: params.max_transfer_parties, maxCoins: params.max_coins_per_party });
const DefaultLimits = msgLimitsOf(DefaultParams);

/** A coin list's length against the limit, before any coin of it is parsed. */
function checkCoinCount(coins: readonly unknown[], limits: MsgLimits, field: string): void {
  if (coins.length > limits.maxCoins) throw BankErrors.tooManyCoins.with(`${field} has ${coins.length} coins, at most ${limits.maxCoins}`);
}

/** MsgSend as execute gets it. */
export interface ParsedSend {
  from: Uint8Array;
  to: Uint8Array;
  /** the sender's bech32 address, for the message event */
  fromAddress: string;
  coins: Coin[];
}

/** MsgTransfer as execute gets it: every party parsed, the sums checked equal. */
export interface ParsedTransfer {
  senders: Party[];
  receivers: Party[];
}

export function bankMsgs(keeper: BankKeeper): MsgHandler[] {
  const send: MsgHandler<MsgSend, ParsedSend> = {
    typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend,
    codec: MsgSend,
    signers: (msg) => [msg.fromAddress],
    checkStateless(msg, limits = DefaultLimits) {
      checkCoinCount(msg.amount, limits, "amount");
      const from = parseAccAddress(msg.fromAddress, "from_address");
      keeper.checkRecipient(from, "from_address");
      const to = parseAccAddress(msg.toAddress, "to_address");
      keeper.checkRecipient(to, "to_address");
      const coins = parseSortedCoins(msg.amount, "amount");
      if (coins.length === 0) throw BankErrors.emptyCoins.with("MsgSend.amount is empty");
      return { from, to, fromAddress: msg.fromAddress, coins };
    },
    execute(ctx, parsed) {
      keeper.send(ctx.store, ctx.events, parsed.from, parsed.to, parsed.coins);
      ctx.events.push(events.messageSenderEvent(parsed.fromAddress));
      return { typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSendResponse, value: MsgSendResponse.encode({}).finish() };
    },
  };

  const transfer: MsgHandler<MsgTransfer, ParsedTransfer> = {
    typeUrl: TypeUrl.qos.bank.v1.MsgTransfer,
    codec: MsgTransfer,
    signers: (msg) => msg.senders.map((s) => s.address),
    checkStateless(msg, limits = DefaultLimits) {
      const parsed = parseTransfer(msg, limits);
      parsed.senders.forEach((s, i) => keeper.checkRecipient(s.address, `senders[${i}].address`));
      parsed.receivers.forEach((r, i) => keeper.checkRecipient(r.address, `receivers[${i}].address`));
      return parsed;
    },
    execute(ctx: Context, parsed) {
      // Gas must stay identical (issue 11): execute used to parse the message again against bank's params
      // read from state here. The parse is gone (checkStateless did it, under the same params), but the
      // metered params read stays, so gas used and app hashes do not change.
      keeper.getParams(ctx.store);
      keeper.transfer(ctx.store, ctx.events, parsed.senders, parsed.receivers);
      return { typeUrl: TypeUrl.qos.bank.v1.MsgTransferResponse, value: MsgTransferResponse.encode({}).finish() };
    },
  };

  return [send, transfer];
}

export interface Party {
  address: Uint8Array;
  coins: Coin[];
}

/** Counts first (parties, then each party's coins), so that the parsing after them is bounded. */
function parseTransfer(msg: MsgTransfer, limits: MsgLimits): ParsedTransfer {
  if (msg.senders.length === 0) throw BankErrors.noInputs.with("MsgTransfer.senders is empty");
  if (msg.receivers.length === 0) throw BankErrors.noOutputs.with("MsgTransfer.receivers is empty");
  if (msg.senders.length + msg.receivers.length > limits.maxParties) {
    throw BankErrors.tooManyParties.with(`${msg.senders.length + msg.receivers.length} parties, at most ${limits.maxParties}`);
  }
  msg.senders.forEach((s, i) => checkCoinCount(s.coins, limits, `senders[${i}].coins`));
  msg.receivers.forEach((r, i) => checkCoinCount(r.coins, limits, `receivers[${i}].coins`));
  const side = (items: MsgTransfer["senders"], name: string): Party[] => {
    const seen = new Set<string>();
    return items.map((item, i) => {
      const address = parseAccAddress(item.address, `${name}[${i}].address`);
      if (seen.has(item.address)) throw BankErrors.duplicateAddress.with(`${name}: ${item.address}`);
      seen.add(item.address);
      const coins = parseSortedCoins(item.coins, `${name}[${i}].coins`);
      if (coins.length === 0) throw BankErrors.emptyCoins.with(`${name}[${i}] has no coins`);
      return { address, coins };
    });
  };
  const senders = side(msg.senders, "senders");
  const receivers = side(msg.receivers, "receivers");
  const inSum = senders.reduce<Coin[]>((acc, s) => addCoins(acc, s.coins), []);
  const outSum = receivers.reduce<Coin[]>((acc, r) => addCoins(acc, r.coins), []);
  if (!coinsEqual(inSum, outSum)) {
    throw BankErrors.inputOutputMismatch.with(`senders give ${coinsToString(inSum)}, receivers get ${coinsToString(outSum)}`);
  }
  return { senders, receivers };
}
