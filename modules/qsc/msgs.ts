// qsc messages: checkStateless → checkStateful → execute.
import { addressFromPubKey, parseAccAddress, toAccAddress } from "../../app/address.js";
import { parseAmount } from "../../app/coins.js";
import { Errors } from "../../app/errors.js";
import { checkCertificate } from "../../app/certificate.js";
import { blockSeconds, type Context, type MsgHandler } from "../../app/module.js";
import {
  MsgCreateQsc, MsgCreateQscResponse, MsgFreeze, MsgFreezeResponse, MsgIssueQsc, MsgIssueQscResponse,
  MsgPause, MsgPauseResponse, MsgUnfreeze, MsgUnfreezeResponse,
} from "../../gen/qos/qsc/v1/tx.js";
import { QscErrors } from "./errors.js";
import * as events from "./events.js";
import type { QscKeeper } from "./keeper.js";
import { isQscName } from "./params.js";

const MaxCertificateBytes = 4096;

function positiveAmount(amount: string, what: string): bigint {
  const value = parseAmount(amount, what);
  if (value === 0n) throw Errors.invalidCoins.with(`${what} must be positive`);
  return value;
}

function checkName(name: string): void {
  if (!isQscName(name)) throw QscErrors.invalidName.with(`${JSON.stringify(name)}: 3-16 upper-case letters/digits starting with a letter, not QOS`);
}

/** The banker check every banker-only message makes. */
function requireBanker(keeper: QscKeeper, ctx: Context, name: string, banker: string) {
  const token = keeper.requireToken(ctx.store, name);
  if (token.banker !== banker) throw QscErrors.notBanker.with(`${banker} is not the banker of ${name} (${token.banker} is)`);
  return token;
}

export function qscMsgs(keeper: QscKeeper): MsgHandler[] {
  const create: MsgHandler<MsgCreateQsc> = {
    typeUrl: "/qos.qsc.v1.MsgCreateQsc",
    codec: MsgCreateQsc,
    signers: (msg) => [msg.creator],
    checkStateless(msg) {
      parseAccAddress(msg.creator, "creator");
      parseAccAddress(msg.banker, "banker");
      // The certificate binds chain, name and banker but not the holders or supply: whoever submits it
      // chooses them. So only the certified banker's key (the signer, as creator) may submit it; anyone
      // else who copies the certificate from a pending tx is refused before it is even looked at.
      if (msg.creator !== msg.banker) throw QscErrors.creatorNotBanker.with(`creator ${msg.creator} is not the banker ${msg.banker}`);
      checkName(msg.name);
      if (msg.certificate.length === 0 || msg.certificate.length > MaxCertificateBytes) {
        throw QscErrors.invalidCertificate.with(`certificate must be 1-${MaxCertificateBytes} bytes`);
      }
      if (msg.symbol.length === 0 || msg.symbol.length > 16) throw QscErrors.invalidField.with("symbol must be 1-16 characters");
      if (msg.decimals > 18) throw QscErrors.invalidField.with("decimals must be at most 18");
      const seen = new Set<string>();
      msg.initialHolders.forEach((h, i) => {
        parseAccAddress(h.address, `initial_holders[${i}].address`);
        positiveAmount(h.amount, `initial_holders[${i}].amount`);
        if (seen.has(h.address)) throw QscErrors.invalidField.with(`initial holder ${h.address} listed twice`);
        seen.add(h.address);
      });
      return msg;
    },
    execute(ctx, msg) {
      const params = keeper.getParams(ctx.store);
      if (new TextEncoder().encode(msg.description).length > params.max_description_bytes) {
        throw QscErrors.invalidField.with(`description is over ${params.max_description_bytes} bytes`);
      }
      if (msg.initialHolders.length > params.max_initial_holders) {
        throw QscErrors.invalidField.with(`at most ${params.max_initial_holders} initial holders`);
      }
      const root = keeper.getRootCa(ctx.store);
      if (!root) throw QscErrors.noRootCa.with("this chain's genesis has no qsc.root_ca_public_key: no token can be created");
      const check = checkCertificate(msg.certificate, root, blockSeconds(ctx.block));
      if (!check.ok) {
        const def = /valid before|expired/.test(check.reason) ? QscErrors.certificateNotValidNow : QscErrors.invalidCertificate;
        throw def.with(check.reason);
      }
      const subject = check.request.qsc;
      if (!subject) throw QscErrors.invalidCertificate.with("the certificate is not a QSC certificate");
      if (subject.chainId !== ctx.block.chainId) {
        throw QscErrors.certificateMismatch.with(`certificate is for chain ${subject.chainId}, this is ${ctx.block.chainId}`);
      }
      if (subject.name !== msg.name) throw QscErrors.certificateMismatch.with(`certificate is for token ${subject.name}, not ${msg.name}`);
      if (subject.bankerPublicKey.length !== 33) throw QscErrors.invalidCertificate.with("banker key must be a 33-byte secp256k1 key");
      const banker = toAccAddress(addressFromPubKey(subject.bankerPublicKey));
      if (banker !== msg.banker) throw QscErrors.certificateMismatch.with(`certificate names banker ${banker}, not ${msg.banker}`);
      // Tokens are never deleted, so a token of this name means this certificate (or an earlier one for
      // the name) was spent: a replay.
      if (keeper.getToken(ctx.store, msg.name)) throw QscErrors.certificateUsed.with(`a token named ${msg.name} exists`);
      if (keeper.bank.getSupply(ctx.store, msg.name) !== 0n) throw QscErrors.tokenExists.with(`coins of denom ${msg.name} already exist`);

      keeper.setToken(ctx.store, {
        name: msg.name, symbol: msg.symbol, decimals: msg.decimals, description: msg.description,
        banker, creator: msg.creator, paused: false,
      });
      ctx.events.push(events.createEvent(msg.name, msg.creator, banker));
      for (const holder of msg.initialHolders) {
        const amount = parseAmount(holder.amount);
        keeper.bank.mint(ctx.store, undefined, parseAccAddress(holder.address), [{ denom: msg.name, amount }]);
        ctx.events.push(events.issueEvent(msg.name, holder.address, amount.toString()));
      }
      return { typeUrl: "/qos.qsc.v1.MsgCreateQscResponse", value: MsgCreateQscResponse.encode({}).finish() };
    },
  };

  const issue: MsgHandler<MsgIssueQsc> = {
    typeUrl: "/qos.qsc.v1.MsgIssueQsc",
    codec: MsgIssueQsc,
    signers: (msg) => [msg.banker],
    checkStateless(msg) {
      parseAccAddress(msg.banker, "banker");
      checkName(msg.name);
      positiveAmount(msg.amount, "amount");
      return msg;
    },
    execute(ctx, msg) {
      requireBanker(keeper, ctx, msg.name, msg.banker);
      keeper.requireUnpaused(ctx.store, msg.name);
      const amount = parseAmount(msg.amount);
      keeper.bank.mint(ctx.store, undefined, parseAccAddress(msg.banker), [{ denom: msg.name, amount }]);
      ctx.events.push(events.issueEvent(msg.name, msg.banker, amount.toString()));
      return { typeUrl: "/qos.qsc.v1.MsgIssueQscResponse", value: MsgIssueQscResponse.encode({}).finish() };
    },
  };

  const freezeLike = <T extends MsgFreeze>(typeUrl: string, codec: any, responseUrl: string, response: Uint8Array, action: "freeze" | "unfreeze"): MsgHandler<T> => ({
    typeUrl,
    codec,
    signers: (msg) => [msg.banker],
    checkStateless(msg) {
      parseAccAddress(msg.banker, "banker");
      parseAccAddress(msg.holder, "holder");
      checkName(msg.name);
      positiveAmount(msg.amount, "amount");
      return msg;
    },
    execute(ctx, msg) {
      requireBanker(keeper, ctx, msg.name, msg.banker);
      const holder = parseAccAddress(msg.holder);
      const amount = parseAmount(msg.amount);
      if (action === "freeze") keeper.freeze(ctx.store, ctx.events, msg.name, holder, amount);
      else keeper.unfreeze(ctx.store, ctx.events, msg.name, holder, amount);
      return { typeUrl: responseUrl, value: response };
    },
  });

  const pause: MsgHandler<MsgPause> = {
    typeUrl: "/qos.qsc.v1.MsgPause",
    codec: MsgPause,
    signers: (msg) => [msg.banker],
    checkStateless(msg) {
      parseAccAddress(msg.banker, "banker");
      checkName(msg.name);
      return msg;
    },
    execute(ctx, msg) {
      const token = requireBanker(keeper, ctx, msg.name, msg.banker);
      keeper.setToken(ctx.store, { ...token, paused: msg.paused });
      ctx.events.push(events.pauseEvent(msg.name, msg.paused));
      return { typeUrl: "/qos.qsc.v1.MsgPauseResponse", value: MsgPauseResponse.encode({}).finish() };
    },
  };

  return [
    create,
    issue,
    freezeLike("/qos.qsc.v1.MsgFreeze", MsgFreeze, "/qos.qsc.v1.MsgFreezeResponse", MsgFreezeResponse.encode({}).finish(), "freeze"),
    freezeLike("/qos.qsc.v1.MsgUnfreeze", MsgUnfreeze, "/qos.qsc.v1.MsgUnfreezeResponse", MsgUnfreezeResponse.encode({}).finish(), "unfreeze"),
    pause,
  ];
}
