// qsc messages, in two phases: checkStateless (no state: the message parsed once, addresses and amounts
// decoded) → execute (checks against state, then the change), which works on what checkStateless parsed.
import { addressFromPubKey, parseAccAddress, toAccAddress } from "../../app/address.js";
import { parsePositiveAmount } from "../../app/coins.js";
import { checkCertificateSize, requireCertificate } from "../../app/certificate.js";
import { blockSeconds, type Context, type MsgHandler } from "../../app/module.js";
import { TypeUrl } from "../../gen/names.js";
import {
  MsgCreateQsc, MsgCreateQscResponse, MsgFreeze, MsgFreezeResponse, MsgIssueQsc, MsgIssueQscResponse,
  MsgPause, MsgPauseResponse, MsgUnfreeze, MsgUnfreezeResponse,
} from "../../gen/qos/qsc/v1/tx.js";
import { QscErrors } from "./errors.js";
import * as events from "./events.js";
import type { QscKeeper } from "./keeper.js";
import { isQscName } from "./params.js";

const Urls = TypeUrl.qos.qsc.v1;
const certificateErrors = { invalid: QscErrors.invalidCertificate, notValidNow: QscErrors.certificateNotValidNow, noRootCa: QscErrors.noRootCa };

function checkName(name: string): void {
  if (!isQscName(name)) throw QscErrors.invalidName.with(`${JSON.stringify(name)}: 3-16 upper-case letters/digits starting with a letter, not QOS`);
}

/** The banker check every banker-only message makes. */
function requireBanker(keeper: QscKeeper, ctx: Context, name: string, banker: string) {
  const token = keeper.requireToken(ctx.store, name);
  if (token.banker !== banker) throw QscErrors.notBanker.with(`${banker} is not the banker of ${name} (${token.banker} is)`);
  return token;
}

/** MsgCreateQsc with its initial holders decoded. */
export interface ParsedCreate {
  msg: MsgCreateQsc;
  holders: Array<{ address: string; account: Uint8Array; amount: bigint }>;
}

/** A banker's action on an amount of a token (issue: to the banker; freeze, unfreeze: of a holder). */
export interface ParsedAmount {
  name: string;
  banker: string;
  /** the banker (issue) or the holder (freeze, unfreeze) */
  account: Uint8Array;
  amount: bigint;
}

export function qscMsgs(keeper: QscKeeper): MsgHandler[] {
  const create: MsgHandler<MsgCreateQsc, ParsedCreate> = {
    typeUrl: Urls.MsgCreateQsc,
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
      checkCertificateSize(msg.certificate, certificateErrors);
      if (msg.symbol.length === 0 || msg.symbol.length > 16) throw QscErrors.invalidField.with("symbol must be 1-16 characters");
      if (msg.decimals > 18) throw QscErrors.invalidField.with("decimals must be at most 18");
      const seen = new Set<string>();
      const holders = msg.initialHolders.map((h, i) => {
        const account = parseAccAddress(h.address, `initial_holders[${i}].address`);
        const amount = parsePositiveAmount(h.amount, `initial_holders[${i}].amount`);
        if (seen.has(h.address)) throw QscErrors.invalidField.with(`initial holder ${h.address} listed twice`);
        seen.add(h.address);
        return { address: h.address, account, amount };
      });
      return { msg, holders };
    },
    execute(ctx, { msg, holders }) {
      const params = keeper.getParams(ctx.store);
      if (new TextEncoder().encode(msg.description).length > params.max_description_bytes) {
        throw QscErrors.invalidField.with(`description is over ${params.max_description_bytes} bytes`);
      }
      if (msg.initialHolders.length > params.max_initial_holders) {
        throw QscErrors.invalidField.with(`at most ${params.max_initial_holders} initial holders`);
      }
      const request = requireCertificate(
        msg.certificate, keeper.getRootCa(ctx.store), blockSeconds(ctx.block), certificateErrors,
        "this chain's genesis has no qsc.root_ca_public_key: no token can be created",
      );
      const subject = request.qsc;
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
      for (const holder of holders) {
        keeper.bank.mint(ctx.store, undefined, holder.account, [{ denom: msg.name, amount: holder.amount }]);
        ctx.events.push(events.issueEvent(msg.name, holder.address, holder.amount.toString()));
      }
      return { typeUrl: Urls.MsgCreateQscResponse, value: MsgCreateQscResponse.encode({}).finish() };
    },
  };

  const issue: MsgHandler<MsgIssueQsc, ParsedAmount> = {
    typeUrl: Urls.MsgIssueQsc,
    codec: MsgIssueQsc,
    signers: (msg) => [msg.banker],
    checkStateless(msg) {
      const account = parseAccAddress(msg.banker, "banker");
      checkName(msg.name);
      return { name: msg.name, banker: msg.banker, account, amount: parsePositiveAmount(msg.amount, "amount") };
    },
    execute(ctx, p) {
      requireBanker(keeper, ctx, p.name, p.banker);
      keeper.requireUnpaused(ctx.store, p.name);
      keeper.bank.mint(ctx.store, undefined, p.account, [{ denom: p.name, amount: p.amount }]);
      ctx.events.push(events.issueEvent(p.name, p.banker, p.amount.toString()));
      return { typeUrl: Urls.MsgIssueQscResponse, value: MsgIssueQscResponse.encode({}).finish() };
    },
  };

  /** MsgFreeze and MsgUnfreeze: the same fields, the keeper's freeze or unfreeze. */
  const freezeLike = <T extends MsgFreeze | MsgUnfreeze>(
    codec: MsgHandler<T>["codec"],
    typeUrl: string,
    response: { typeUrl: string; value: Uint8Array },
    action: "freeze" | "unfreeze",
  ): MsgHandler<T, ParsedAmount> => ({
    typeUrl,
    codec,
    signers: (msg) => [msg.banker],
    checkStateless(msg) {
      parseAccAddress(msg.banker, "banker");
      const account = parseAccAddress(msg.holder, "holder");
      checkName(msg.name);
      return { name: msg.name, banker: msg.banker, account, amount: parsePositiveAmount(msg.amount, "amount") };
    },
    execute(ctx, p) {
      requireBanker(keeper, ctx, p.name, p.banker);
      keeper[action](ctx.store, ctx.events, p.name, p.account, p.amount);
      return response;
    },
  });

  /** nothing to parse: execute reads the message's own fields */
  const pause: MsgHandler<MsgPause, MsgPause> = {
    typeUrl: Urls.MsgPause,
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
      return { typeUrl: Urls.MsgPauseResponse, value: MsgPauseResponse.encode({}).finish() };
    },
  };

  return [
    create,
    issue,
    freezeLike(MsgFreeze, Urls.MsgFreeze, { typeUrl: Urls.MsgFreezeResponse, value: MsgFreezeResponse.encode({}).finish() }, "freeze"),
    freezeLike(MsgUnfreeze, Urls.MsgUnfreeze, { typeUrl: Urls.MsgUnfreezeResponse, value: MsgUnfreezeResponse.encode({}).finish() }, "unfreeze"),
    pause,
  ];
}
