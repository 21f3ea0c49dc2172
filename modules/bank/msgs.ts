// bank messages: checkStateless → (state checks inside the keeper) → execute.
import { MsgSend, MsgSendResponse } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { addCoins, coinsEqual, coinsToString, parseCoins, type Coin } from "../../app/coins.js";
import type { Context, MsgHandler } from "../../app/module.js";
import { MsgTransfer, MsgTransferResponse } from "../../gen/qos/bank/v1/tx.js";
import { BankErrors } from "./errors.js";
import * as events from "./events.js";
import type { BankKeeper } from "./keeper.js";

export function bankMsgs(keeper: BankKeeper): MsgHandler[] {
  const send: MsgHandler<MsgSend> = {
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    codec: MsgSend,
    signers: (msg) => [msg.fromAddress],
    checkStateless(msg) {
      parseAccAddress(msg.fromAddress, "from_address");
      parseAccAddress(msg.toAddress, "to_address");
      if (parseCoins(msg.amount, "amount").length === 0) throw BankErrors.emptyCoins.with("MsgSend.amount is empty");
    },
    execute(ctx, msg) {
      const coins = parseCoins(msg.amount);
      keeper.send(ctx.store, ctx.events, parseAccAddress(msg.fromAddress), parseAccAddress(msg.toAddress), coins);
      ctx.events.push(events.messageSenderEvent(msg.fromAddress));
      return { typeUrl: "/cosmos.bank.v1beta1.MsgSendResponse", value: MsgSendResponse.encode({}).finish() };
    },
  };

  const transfer: MsgHandler<MsgTransfer> = {
    typeUrl: "/qos.bank.v1.MsgTransfer",
    codec: MsgTransfer,
    signers: (msg) => msg.senders.map((s) => s.address),
    checkStateless(msg) {
      parseTransfer(msg, Number.MAX_SAFE_INTEGER);
    },
    execute(ctx: Context, msg) {
      const { senders, receivers } = parseTransfer(msg, keeper.getParams(ctx.store).max_transfer_parties);
      for (const s of senders) {
        keeper.runSendHooks(ctx.store, ctx.events, s.address, undefined, s.coins);
        keeper.subtract(ctx.store, s.address, s.coins);
        const sender = toAccAddress(s.address);
        const amount = coinsToString(s.coins);
        ctx.events.push(
          events.coinSpentEvent(sender, amount),
          events.transferOutEvent(sender, amount),
          events.messageSenderEvent(sender),
        );
      }
      for (const r of receivers) {
        keeper.runSendHooks(ctx.store, ctx.events, undefined, r.address, r.coins);
        keeper.add(ctx.store, r.address, r.coins);
        const recipient = toAccAddress(r.address);
        const amount = coinsToString(r.coins);
        ctx.events.push(events.coinReceivedEvent(recipient, amount), events.transferInEvent(recipient, amount));
      }
      return { typeUrl: "/qos.bank.v1.MsgTransferResponse", value: MsgTransferResponse.encode({}).finish() };
    },
  };

  return [send, transfer];
}

interface Party {
  address: Uint8Array;
  coins: Coin[];
}

function parseTransfer(msg: MsgTransfer, maxParties: number): { senders: Party[]; receivers: Party[] } {
  if (msg.senders.length === 0) throw BankErrors.noInputs.with("MsgTransfer.senders is empty");
  if (msg.receivers.length === 0) throw BankErrors.noOutputs.with("MsgTransfer.receivers is empty");
  if (msg.senders.length + msg.receivers.length > maxParties) {
    throw BankErrors.tooManyParties.with(`${msg.senders.length + msg.receivers.length} parties, at most ${maxParties}`);
  }
  const side = (items: MsgTransfer["senders"], name: string): Party[] => {
    const seen = new Set<string>();
    return items.map((item, i) => {
      const address = parseAccAddress(item.address, `${name}[${i}].address`);
      if (seen.has(item.address)) throw BankErrors.duplicateAddress.with(`${name}: ${item.address}`);
      seen.add(item.address);
      const coins = parseCoins(item.coins, `${name}[${i}].coins`);
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
