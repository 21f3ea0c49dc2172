// qoscli commands of the stake module:
//   tx stake create-validator|edit-validator|revoke|activate|delegate|unbond|redelegate|set-auto-compound
//   query stake validators|validator|delegation|delegations|delegations-to|unbondings|keep-alive|params
// Amounts are uqos ("1000000" or "1000000uqos"); validators are qosval1…, the owner's qosacc1…, or a
// local key name (the key's address is the owner). The helpers below are shared with distribution/cli.ts.
import { fromBase64, fromBech32 } from "@cosmjs/encoding";
import { Option, type Command } from "commander";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AccountPrefix, ValidatorPrefix } from "../../app/address.js";
import { BaseDenom, type Coin } from "../../app/coins.js";
import { One, canonicalDec, formatDec, parseDec } from "../../app/decimal.js";
import {
  CliContext, CliError, addPageFlags, addTxFlags, example, fetchBalance, pageJson, pageRequest, pageText, runTx, signerOf, tryBech32, uqosText, type CliModule,
  type PageFlags, type TxFlags,
} from "../../client/index.js";
import * as q from "../../gen/qos/stake/v1/query.js";
import {
  MsgActivateValidator, MsgCreateValidator, MsgDelegate, MsgEditValidator, MsgRedelegate, MsgRevokeValidator, MsgSetAutoCompound, MsgUnbond,
} from "../../gen/qos/stake/v1/tx.js";
import { ValidatorStatus, type Delegation, type Unbonding } from "../../gen/qos/stake/v1/types.js";
import { toValAddress } from "./keeper.js";
import { Method, TypeUrl } from "../../gen/names.js";

// ---------------------------------------------------------------- shared helpers

/** A positive amount of uqos: "1000000" or "1000000uqos"; any other denom is refused. */
export function parseUqos(text: string, what = "<amount>"): string {
  const m = /^\s*([0-9]+)\s*([a-zA-Z][a-zA-Z0-9/:._-]*)?\s*$/.exec(text);
  if (!m) throw new CliError(`${what} ${JSON.stringify(text)} is not an amount: write a whole number of uqos, e.g. 1000000 or 1000000uqos (1 QOS = 1000000uqos)`);
  if (m[2] !== undefined && m[2] !== BaseDenom) {
    throw new CliError(`${what} ${JSON.stringify(text)}: only ${BaseDenom} can be bonded, not ${m[2]}; write e.g. 1000000 or 1000000uqos (1 QOS = 1000000uqos)`);
  }
  const value = BigInt(m[1]);
  if (value === 0n) throw new CliError(`${what} must be positive`);
  return value.toString();
}

/** qosval1…, the owner's qosacc1…, or a local key name (its address is the owner) → qosval1… */
export function resolveValidator(ctx: CliContext, text: string, what = "validator"): string {
  const decoded = tryBech32(text);
  if (decoded) {
    if (decoded.prefix !== ValidatorPrefix && decoded.prefix !== AccountPrefix) {
      throw new CliError(`${what} ${text} has prefix ${decoded.prefix}: expected ${ValidatorPrefix}1… (or the owner's ${AccountPrefix}1… address, or a key name)`);
    }
    if (decoded.data.length !== 20) throw new CliError(`${what} ${text} has ${decoded.data.length} bytes, expected 20`);
    return toValAddress(decoded.data);
  }
  if (ctx.keyring.has(text)) return toValAddress(fromBech32(ctx.keyring.get(text).address).data);
  if (/^[a-z]+1[02-9ac-hj-np-z]+$/i.test(text)) {
    throw new CliError(`${what} ${text} is not a valid address (bad bech32 checksum or length) and no key has that name`);
  }
  throw new CliError(`${what} ${JSON.stringify(text)} is neither a ${ValidatorPrefix}1…/${AccountPrefix}1… address nor a key in ${ctx.keyring.dir}`);
}

/** Fails with NotFound when the validator does not exist; returns it otherwise. */
export async function requireValidator(ctx: CliContext, validator: string): Promise<q.QueryValidatorResponse> {
  return ctx.queryOrNotFound(Method.qos.stake.v1.Query.Validator, q.QueryValidatorRequest, { validator }, q.QueryValidatorResponse, `validator ${validator} does not exist (list them with \`qoscli query stake validators\`)`);
}

/** The account must hold amount + the fee in uqos. */
export async function checkUqosFunds(ctx: CliContext, address: string, amount: bigint, fee: readonly Coin[]): Promise<void> {
  const feeUqos = fee.filter((c) => c.denom === BaseDenom).reduce((s, c) => s + c.amount, 0n);
  const needed = amount + feeUqos;
  const have = await fetchBalance(ctx, address, BaseDenom);
  if (have < needed) {
    throw new CliError(`insufficient funds: ${address} has ${uqosText(have)} but needs ${uqosText(needed)}${feeUqos ? ` (${amount}uqos + fee ${feeUqos}uqos)` : ""}`);
  }
}

/** "0.100000000000000000" → "10%" */
export function percent(dec: string): string {
  let value: bigint;
  try {
    value = parseDec(dec);
  } catch {
    return dec;
  }
  const hundredths = formatDec(value * 100n).replace(/\.?0+$/, "");
  return `${hundredths}%`;
}

/** unix seconds → ISO date (display only) */
export function isoTime(seconds: bigint): string {
  const ms = Number(seconds) * 1000;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${seconds}s`;
}

function rate(text: string, flag: string): string {
  let value: bigint;
  try {
    value = parseDec(text);
  } catch {
    throw new CliError(`${flag} ${JSON.stringify(text)} must be a decimal between 0 and 1 with at most 18 fractional digits, e.g. 0.1 for 10%`);
  }
  if (value < 0n || value > One) throw new CliError(`${flag} ${text} must be between 0 and 1 (0.1 = 10%)`);
  return canonicalDec(value);
}

// ---------------------------------------------------------------- JSON views

export function statusName(status: ValidatorStatus): string {
  return status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE ? "active" : status === ValidatorStatus.VALIDATOR_STATUS_INACTIVE ? "inactive" : "unspecified";
}

function validatorJson(r: q.QueryValidatorResponse) {
  const v = r.validator!;
  return {
    operator_address: r.operatorAddress,
    owner: v.owner,
    moniker: v.description?.moniker ?? "",
    status: statusName(v.status),
    power: r.power.toString(),
    tokens: v.tokens,
    consensus_pubkey: Buffer.from(v.consensusPubkey).toString("base64"),
    inactive_reason: v.inactiveReason,
    inactive_time: v.inactiveTime.toString(),
    inactive_height: v.inactiveHeight.toString(),
    bond_height: v.bondHeight.toString(),
    description: {
      moniker: v.description?.moniker ?? "", identity: v.description?.identity ?? "",
      website: v.description?.website ?? "", details: v.description?.details ?? "",
    },
    commission: {
      rate: v.commission?.rate ?? "", max_rate: v.commission?.maxRate ?? "", max_change_rate: v.commission?.maxChangeRate ?? "",
      updated_time: (v.commission?.updatedTime ?? 0n).toString(),
    },
  };
}
type ValidatorJson = ReturnType<typeof validatorJson>;

function validatorLine(v: ValidatorJson): string {
  return [v.operator_address, v.moniker || "-", v.status + (v.inactive_reason ? ` (${v.inactive_reason})` : ""), `power ${v.power}`, uqosText(v.tokens), `commission ${percent(v.commission.rate)}`].join("\t");
}

function describeValidator(v: ValidatorJson): string {
  const d = v.description;
  return [
    `operator:     ${v.operator_address}`,
    `owner:        ${v.owner}`,
    `moniker:      ${d.moniker}`,
    ...(d.identity ? [`identity:     ${d.identity}`] : []),
    ...(d.website ? [`website:      ${d.website}`] : []),
    ...(d.details ? [`details:      ${d.details}`] : []),
    `status:       ${v.status}${v.status === "inactive" ? ` (${v.inactive_reason || "?"} at height ${v.inactive_height}, ${isoTime(BigInt(v.inactive_time))})` : ""}`,
    `power:        ${v.power}`,
    `bonded:       ${uqosText(v.tokens)}`,
    `commission:   ${percent(v.commission.rate)} (max ${percent(v.commission.max_rate)}, may rise ${percent(v.commission.max_change_rate)} a day)`,
    `consensus:    ${v.consensus_pubkey}`,
    `bonded since height ${v.bond_height}`,
  ].join("\n");
}

const delegationJson = (d: Delegation) => ({ delegator: d.delegator, validator: d.validator, amount: d.amount, auto_compound: d.autoCompound });
const delegationLine = (d: Delegation) => `${d.delegator} → ${d.validator}\t${uqosText(d.amount)}\tauto-compound ${d.autoCompound ? "on" : "off"}`;
const unbondingJson = (u: Unbonding) => ({
  delegator: u.delegator, validator: u.validator, amount: u.amount,
  creation_height: u.creationHeight.toString(), completion_time: u.completionTime.toString(), completion_time_utc: isoTime(u.completionTime),
});

// ---------------------------------------------------------------- commands

interface CreateFlags extends TxFlags {
  moniker: string; consensusPubkey?: string; nodeHome?: string; commissionRate: string; commissionMaxRate: string; commissionMaxChangeRate: string;
  identity: string; website: string; details: string;
}

function consensusKey(flags: CreateFlags): Uint8Array {
  if ((flags.consensusPubkey === undefined) === (flags.nodeHome === undefined)) {
    throw new CliError("give exactly one of --consensus-pubkey <base64 ed25519 key> or --node-home <qosd home> (whose config/priv_validator_key.json is read)");
  }
  let key: Uint8Array;
  let source: string;
  if (flags.consensusPubkey !== undefined) {
    source = "--consensus-pubkey";
    try {
      key = fromBase64(flags.consensusPubkey.trim());
    } catch {
      throw new CliError(`--consensus-pubkey is not base64: give the 32-byte ed25519 public key, e.g. pub_key.value of priv_validator_key.json`);
    }
  } else {
    const file = join(resolve(flags.nodeHome!), "config/priv_validator_key.json");
    source = file;
    let pvk: { pub_key?: { type?: string; value?: string } };
    try {
      pvk = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new CliError(`cannot read the consensus key from ${file}: ${(e as Error).message}`);
    }
    if (!pvk.pub_key?.value || (pvk.pub_key.type && !/ed25519/i.test(pvk.pub_key.type))) throw new CliError(`${file} has no ed25519 pub_key`);
    key = fromBase64(pvk.pub_key.value);
  }
  if (key.length !== 32) throw new CliError(`${source}: an ed25519 public key has 32 bytes, this one ${key.length}`);
  return key;
}

/** A page of delegations (of a delegator or to a validator) with the page's total. */
function printDelegations(ctx: CliContext, of: { delegator: string } | { validator: string }, res: q.QueryDelegationsResponse, opts: PageFlags): void {
  const total = res.delegations.reduce((s, d) => s + BigInt(d.amount), 0n);
  ctx.print({ ...of, delegations: res.delegations.map(delegationJson), total: total.toString(), pagination: pageJson(res.pagination, opts) }, () =>
    pageText(res.delegations.length ? [...res.delegations.map(delegationLine), `total ${uqosText(total)}`].join("\n") : `${Object.values(of)[0]} has no delegations`, res.pagination, opts));
}

export const stakeCli: CliModule = ({ tx, query, registerMsgTypes }) => {
  registerMsgTypes([
    [TypeUrl.qos.stake.v1.MsgCreateValidator, MsgCreateValidator], [TypeUrl.qos.stake.v1.MsgEditValidator, MsgEditValidator],
    [TypeUrl.qos.stake.v1.MsgRevokeValidator, MsgRevokeValidator], [TypeUrl.qos.stake.v1.MsgActivateValidator, MsgActivateValidator],
    [TypeUrl.qos.stake.v1.MsgDelegate, MsgDelegate], [TypeUrl.qos.stake.v1.MsgUnbond, MsgUnbond], [TypeUrl.qos.stake.v1.MsgRedelegate, MsgRedelegate],
    [TypeUrl.qos.stake.v1.MsgSetAutoCompound, MsgSetAutoCompound],
  ]);

  const stake = example(
    tx.command("stake").description("validators and delegations: create, edit, revoke, activate a validator; delegate, unbond, redelegate"),
    "qoscli tx stake delegate alice qosval1... 1000000uqos --gas auto --broadcast-mode block",
  );

  // ---- create-validator
  example(
    addTxFlags(
      stake
        .command("create-validator")
        .argument("<owner-key>", "key that owns the validator, signs and pays the self-bond")
        .argument("<self-bond>", "uqos bonded by the owner, e.g. 1000000 or 1000000uqos (power = self-bond / 1000000)")
        .requiredOption("--moniker <name>", "the validator's name")
        .option("--consensus-pubkey <base64>", "ed25519 consensus public key (32 bytes, base64)")
        .option("--node-home <dir>", "qosd home whose config/priv_validator_key.json holds the consensus key (instead of --consensus-pubkey)")
        .option("--commission-rate <rate>", "commission on delegators' rewards, 0-1", "0.1")
        .option("--commission-max-rate <rate>", "the most the rate may ever be, 0-1", "0.2")
        .option("--commission-max-change-rate <rate>", "the most the rate may rise in a day, 0-1", "0.01")
        .option("--identity <text>", "identity (e.g. a keybase id)", "")
        .option("--website <url>", "website", "")
        .option("--details <text>", "details", "")
        .description(`make the owner's account a validator, bonding its self-bond (${TypeUrl.qos.stake.v1.MsgCreateValidator})`),
    ),
    "qoscli tx stake create-validator alice 10000000uqos --moniker alice-node --node-home ~/.qosd --gas auto --broadcast-mode block",
    "qoscli tx stake create-validator alice 1000000 --moniker v1 --consensus-pubkey 'k8xY…=' --commission-rate 0.05",
  ).action(async (owner: string, selfBondText: string, flags: CreateFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const selfBond = parseUqos(selfBondText, "<self-bond>");
    const key = consensusKey(flags);
    const rates = { commissionRate: rate(flags.commissionRate, "--commission-rate"), commissionMaxRate: rate(flags.commissionMaxRate, "--commission-max-rate"), commissionMaxChangeRate: rate(flags.commissionMaxChangeRate, "--commission-max-change-rate") };
    if (parseDec(rates.commissionRate) > parseDec(rates.commissionMaxRate)) throw new CliError(`--commission-rate ${flags.commissionRate} is above --commission-max-rate ${flags.commissionMaxRate}`);
    if (parseDec(rates.commissionMaxChangeRate) > parseDec(rates.commissionMaxRate)) throw new CliError(`--commission-max-change-rate ${flags.commissionMaxChangeRate} is above --commission-max-rate ${flags.commissionMaxRate}`);
    if (!flags.moniker.trim()) throw new CliError("--moniker must not be empty");
    const signer = signerOf(ctx, flags, owner);
    const msg = MsgCreateValidator.fromPartial({
      owner: signer.address, consensusPubkey: key, selfBond,
      description: { moniker: flags.moniker, identity: flags.identity, website: flags.website, details: flags.details },
      ...rates,
    });
    await runTx(ctx, flags, {
      msgs: [{ typeUrl: TypeUrl.qos.stake.v1.MsgCreateValidator, value: msg }],
      signers: [signer],
      precheck: (fee) => checkUqosFunds(ctx, signer.address, BigInt(selfBond), fee),
    });
  });

  // ---- edit-validator
  example(
    addTxFlags(
      stake
        .command("edit-validator")
        .argument("<owner-key>", "the validator's owner key")
        .option("--moniker <name>", "new name")
        .option("--identity <text>", "new identity")
        .option("--website <url>", "new website")
        .option("--details <text>", "new details")
        .option("--commission-rate <rate>", "new commission rate (at most once a day, within the max rate and max change rate)")
        .description(`change the description (fields not given are kept) and/or the commission rate (${TypeUrl.qos.stake.v1.MsgEditValidator})`),
    ),
    "qoscli tx stake edit-validator alice --moniker 'alice node' --website https://example.org --broadcast-mode block",
  ).action(async (owner: string, flags: TxFlags & { moniker?: string; identity?: string; website?: string; details?: string; commissionRate?: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const fields = { moniker: flags.moniker ?? "", identity: flags.identity ?? "", website: flags.website ?? "", details: flags.details ?? "" };
    const anyDescription = Object.values(fields).some((v) => v !== "");
    if (!anyDescription && flags.commissionRate === undefined) throw new CliError("nothing to change: give --moniker, --identity, --website, --details and/or --commission-rate");
    const signer = signerOf(ctx, flags, owner);
    const msg = MsgEditValidator.fromPartial({
      owner: signer.address,
      description: anyDescription ? fields : undefined,
      commissionRate: flags.commissionRate === undefined ? "" : rate(flags.commissionRate, "--commission-rate"),
    });
    await runTx(ctx, flags, {
      msgs: [{ typeUrl: TypeUrl.qos.stake.v1.MsgEditValidator, value: msg }],
      signers: [signer],
      precheck: async (fee) => void (fee.length === 0 && (await requireValidator(ctx, resolveValidator(ctx, signer.address)))),
    });
  });

  // ---- revoke / activate
  example(
    addTxFlags(stake.command("revoke").argument("<owner-key>", "the validator's owner key")
      .description(`take your active validator out of the set (inactive); it is closed and its delegations returned after survival_secs unless activated again (${TypeUrl.qos.stake.v1.MsgRevokeValidator})`)),
    "qoscli tx stake revoke alice --broadcast-mode block",
  ).action(async (owner: string, flags: TxFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const signer = signerOf(ctx, flags, owner);
    const validator = resolveValidator(ctx, signer.address);
    await runTx(ctx, flags, {
      msgs: [{ typeUrl: TypeUrl.qos.stake.v1.MsgRevokeValidator, value: MsgRevokeValidator.fromPartial({ owner: signer.address }) }],
      signers: [signer],
      precheck: async (fee) => {
        if (fee.length) return;
        const v = await requireValidator(ctx, validator);
        if (v.validator?.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) throw new CliError(`validator ${validator} is ${statusName(v.validator!.status)} already`);
      },
    });
  });

  example(
    addTxFlags(stake.command("activate").argument("<owner-key>", "the validator's owner key")
      .option("--extra-bond <amount>", "uqos to bond on top, e.g. 1000000uqos")
      .description(`bring your inactive validator back into the set, optionally bonding more (${TypeUrl.qos.stake.v1.MsgActivateValidator})`)),
    "qoscli tx stake activate alice --extra-bond 1000000uqos --broadcast-mode block",
  ).action(async (owner: string, flags: TxFlags & { extraBond?: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const extra = flags.extraBond === undefined ? "" : parseUqos(flags.extraBond, "--extra-bond");
    const signer = signerOf(ctx, flags, owner);
    const validator = resolveValidator(ctx, signer.address);
    await runTx(ctx, flags, {
      msgs: [{ typeUrl: TypeUrl.qos.stake.v1.MsgActivateValidator, value: MsgActivateValidator.fromPartial({ owner: signer.address, extraBond: extra }) }],
      signers: [signer],
      precheck: async (fee) => {
        if (fee.length === 0) {
          const v = await requireValidator(ctx, validator);
          if (v.validator?.status !== ValidatorStatus.VALIDATOR_STATUS_INACTIVE) throw new CliError(`validator ${validator} is ${statusName(v.validator!.status)}: only an inactive validator can be activated`);
        }
        await checkUqosFunds(ctx, signer.address, BigInt(extra || "0"), fee);
      },
    });
  });

  // ---- delegate
  example(
    addTxFlags(
      stake
        .command("delegate")
        .argument("<delegator-key>", "key that delegates, signs and pays")
        .argument("<validator>", "qosval1…, the owner's qosacc1…, or a key name")
        .argument("<amount>", "uqos, e.g. 1000000 or 1000000uqos")
        .option("--auto-compound", "re-delegate the rewards automatically", false)
        .description(`bond uqos to an active validator (${TypeUrl.qos.stake.v1.MsgDelegate})`),
    ),
    "qoscli tx stake delegate bob qosval1... 5000000uqos --auto-compound --gas auto --broadcast-mode block",
  ).action(async (delegator: string, validatorText: string, amountText: string, flags: TxFlags & { autoCompound: boolean }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const amount = parseUqos(amountText);
    const validator = resolveValidator(ctx, validatorText);
    const signer = signerOf(ctx, flags, delegator);
    const msg = MsgDelegate.fromPartial({ delegator: signer.address, validator, amount, autoCompound: flags.autoCompound });
    await runTx(ctx, flags, {
      msgs: [{ typeUrl: TypeUrl.qos.stake.v1.MsgDelegate, value: msg }],
      signers: [signer],
      precheck: async (fee) => {
        if (fee.length === 0) {
          const v = await requireValidator(ctx, validator);
          if (v.validator?.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) throw new CliError(`validator ${validator} is inactive: it cannot be delegated to`);
        }
        await checkUqosFunds(ctx, signer.address, BigInt(amount), fee);
      },
    });
  });

  /** <amount> xor --all; the delegation must exist (and cover the amount). */
  const amountOrAll = (amountText: string | undefined, all: boolean) => {
    if ((amountText === undefined) === !all) throw new CliError("give either <amount> or --all");
    return amountText === undefined ? "" : parseUqos(amountText);
  };
  const checkDelegation = async (ctx: CliContext, delegator: string, validator: string, amount: string) => {
    const d = (await ctx.queryOrNotFound(Method.qos.stake.v1.Query.Delegation, q.QueryDelegationRequest, { delegator, validator }, q.QueryDelegationResponse, `${delegator} has no delegation to ${validator}`)).delegation!;
    if (amount && BigInt(amount) > BigInt(d.amount)) throw new CliError(`${delegator} has ${uqosText(d.amount)} delegated to ${validator}, less than ${amount}uqos`);
  };

  // ---- unbond
  example(
    addTxFlags(
      stake
        .command("unbond")
        .argument("<delegator-key>", "key that delegated")
        .argument("<validator>", "qosval1…, the owner's qosacc1…, or a key name")
        .argument("[amount]", "uqos to unbond, e.g. 1000000uqos (or --all)")
        .option("--all", "unbond the whole delegation", false)
        .description(`start returning part or all of a delegation; the coins arrive after the unbonding period (${TypeUrl.qos.stake.v1.MsgUnbond})`),
    ),
    "qoscli tx stake unbond bob qosval1... 1000000uqos --broadcast-mode block",
    "qoscli tx stake unbond bob qosval1... --all --broadcast-mode block",
  ).action(async (delegator: string, validatorText: string, amountText: string | undefined, flags: TxFlags & { all: boolean }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const amount = amountOrAll(amountText, flags.all);
    const validator = resolveValidator(ctx, validatorText);
    const signer = signerOf(ctx, flags, delegator);
    await runTx(ctx, flags, {
      msgs: [{ typeUrl: TypeUrl.qos.stake.v1.MsgUnbond, value: MsgUnbond.fromPartial({ delegator: signer.address, validator, amount, all: flags.all }) }],
      signers: [signer],
      precheck: async (fee) => void (fee.length === 0 && (await checkDelegation(ctx, signer.address, validator, amount))),
    });
  });

  // ---- redelegate
  example(
    addTxFlags(
      stake
        .command("redelegate")
        .argument("<delegator-key>", "key that delegated")
        .argument("<from>", "validator the delegation leaves")
        .argument("<to>", "active validator it moves to")
        .argument("[amount]", "uqos to move (or --all)")
        .option("--all", "move the whole delegation", false)
        .description(`move a delegation from one validator to another at once (${TypeUrl.qos.stake.v1.MsgRedelegate})`),
    ),
    "qoscli tx stake redelegate bob qosval1from... qosval1to... 1000000uqos --broadcast-mode block",
  ).action(async (delegator: string, fromText: string, toText: string, amountText: string | undefined, flags: TxFlags & { all: boolean }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const amount = amountOrAll(amountText, flags.all);
    const from = resolveValidator(ctx, fromText, "<from>");
    const to = resolveValidator(ctx, toText, "<to>");
    if (from === to) throw new CliError(`<from> and <to> are the same validator ${from}`);
    const signer = signerOf(ctx, flags, delegator);
    const msg = MsgRedelegate.fromPartial({ delegator: signer.address, fromValidator: from, toValidator: to, amount, all: flags.all });
    await runTx(ctx, flags, {
      msgs: [{ typeUrl: TypeUrl.qos.stake.v1.MsgRedelegate, value: msg }],
      signers: [signer],
      precheck: async (fee) => {
        if (fee.length) return;
        const target = await requireValidator(ctx, to);
        if (target.validator?.status !== ValidatorStatus.VALIDATOR_STATUS_ACTIVE) throw new CliError(`validator ${to} is inactive: it cannot receive a redelegation`);
        await checkDelegation(ctx, signer.address, from, amount);
      },
    });
  });

  // ---- set-auto-compound
  example(
    addTxFlags(
      stake
        .command("set-auto-compound")
        .argument("<delegator-key>", "key that delegated")
        .argument("<validator>", "qosval1…, the owner's qosacc1…, or a key name")
        .argument("<true|false>", "whether rewards are re-delegated automatically")
        .description(`turn automatic compounding of a delegation's rewards on or off (${TypeUrl.qos.stake.v1.MsgSetAutoCompound})`),
    ),
    "qoscli tx stake set-auto-compound bob qosval1... true --broadcast-mode block",
  ).action(async (delegator: string, validatorText: string, onText: string, flags: TxFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    if (onText !== "true" && onText !== "false") throw new CliError(`<true|false> must be true or false, not ${JSON.stringify(onText)}`);
    const validator = resolveValidator(ctx, validatorText);
    const signer = signerOf(ctx, flags, delegator);
    await runTx(ctx, flags, {
      msgs: [{ typeUrl: TypeUrl.qos.stake.v1.MsgSetAutoCompound, value: MsgSetAutoCompound.fromPartial({ delegator: signer.address, validator, autoCompound: onText === "true" }) }],
      signers: [signer],
      precheck: async (fee) => void (fee.length === 0 && (await checkDelegation(ctx, signer.address, validator, ""))),
    });
  });

  // ---------------------------------------------------------------- queries
  const qs = example(query.command("stake").description("validators, delegations, unbondings, keep-alive windows and stake params"), "qoscli query stake validators");

  example(
    addPageFlags(qs.command("validators").addOption(new Option("--status <status>", "only active or inactive validators").choices(["active", "inactive"]))).description("the validators by owner address (one page): operator address, moniker, status, power, bonded uqos, commission"),
    "qoscli query stake validators --status active",
    "qoscli query stake validators --output json",
  ).action(async (opts: { status?: string } & PageFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const res = await ctx.query(Method.qos.stake.v1.Query.Validators, q.QueryValidatorsRequest, { status: opts.status ?? "", pagination: pageRequest(opts) }, q.QueryValidatorsResponse);
    const validators = res.validators.map(validatorJson);
    ctx.print({ validators, pagination: pageJson(res.pagination, opts) }, () =>
      pageText(validators.map(validatorLine).join("\n") || `no ${opts.status ? `${opts.status} ` : ""}validators`, res.pagination, opts));
  });

  example(
    qs.command("validator").argument("<validator>", "qosval1…, the owner's qosacc1…, or a key name").description("one validator: status, power, bonded uqos, commission, description"),
    "qoscli query stake validator qosval1...",
    "qoscli query stake validator alice --output json",
  ).action(async (validatorText: string, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const v = validatorJson(await requireValidator(ctx, resolveValidator(ctx, validatorText)));
    ctx.print(v, () => describeValidator(v));
  });

  example(
    qs.command("delegation").argument("<delegator>", "qosacc1… address or key name").argument("<validator>", "qosval1…, the owner's qosacc1…, or a key name").description("one delegation: amount and auto-compound"),
    "qoscli query stake delegation bob qosval1... --output json",
  ).action(async (delegatorText: string, validatorText: string, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const { address: delegator } = ctx.resolveAddress(delegatorText);
    const validator = resolveValidator(ctx, validatorText);
    const d = (await ctx.queryOrNotFound(Method.qos.stake.v1.Query.Delegation, q.QueryDelegationRequest, { delegator, validator }, q.QueryDelegationResponse, `${delegator} has no delegation to ${validator}`)).delegation!;
    ctx.print(delegationJson(d), () => delegationLine(d));
  });

  example(
    addPageFlags(qs.command("delegations").argument("<delegator>", "qosacc1… address or key name")).description("the delegations of a delegator (one page; total is the page's)"),
    "qoscli query stake delegations bob",
  ).action(async (delegatorText: string, opts: PageFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const { address: delegator } = ctx.resolveAddress(delegatorText);
    const res = await ctx.query(Method.qos.stake.v1.Query.DelegatorDelegations, q.QueryDelegatorRequest, { delegator, pagination: pageRequest(opts) }, q.QueryDelegationsResponse);
    printDelegations(ctx, { delegator }, res, opts);
  });

  example(
    addPageFlags(qs.command("delegations-to").argument("<validator>", "qosval1…, the owner's qosacc1…, or a key name")).description("the delegations to a validator, the owner's self-bond included (one page; total is the page's)"),
    "qoscli query stake delegations-to qosval1...",
  ).action(async (validatorText: string, opts: PageFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const validator = resolveValidator(ctx, validatorText);
    const res = await ctx.queryOrNotFound(Method.qos.stake.v1.Query.ValidatorDelegations, q.QueryValidatorDelegationsRequest, { validator, pagination: pageRequest(opts) }, q.QueryDelegationsResponse, `validator ${validator} does not exist`);
    printDelegations(ctx, { validator }, res, opts);
  });

  example(
    addPageFlags(qs.command("unbondings").argument("<delegator>", "qosacc1… address or key name")).description("a delegator's unbondings in progress and when their coins return (one page)"),
    "qoscli query stake unbondings bob --output json",
  ).action(async (delegatorText: string, opts: PageFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const { address: delegator } = ctx.resolveAddress(delegatorText);
    const res = await ctx.query(Method.qos.stake.v1.Query.Unbondings, q.QueryDelegatorRequest, { delegator, pagination: pageRequest(opts) }, q.QueryUnbondingsResponse);
    const unbondings = res.unbondings.map(unbondingJson);
    ctx.print({ delegator, unbondings, pagination: pageJson(res.pagination, opts) }, () =>
      pageText(unbondings.map((u) => `${u.validator}\t${uqosText(u.amount)}\treturns ${u.completion_time_utc}\t(unbonded at height ${u.creation_height})`).join("\n") || `${delegator} has no unbondings`, res.pagination, opts));
  });

  example(
    qs.command("keep-alive").argument("<validator>", "qosval1…, the owner's qosacc1…, or a key name").description("a validator's keep-alive window: blocks counted and missed (too many misses → inactive)"),
    "qoscli query stake keep-alive qosval1...",
  ).action(async (validatorText: string, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const validator = resolveValidator(ctx, validatorText);
    const res = await ctx.queryOrNotFound(Method.qos.stake.v1.Query.KeepAlive, q.QueryValidatorRequest, { validator }, q.QueryKeepAliveResponse, `validator ${validator} does not exist`);
    const k = res.keepAlive;
    const out = {
      validator,
      start_height: (k?.startHeight ?? 0n).toString(), blocks_counted: (k?.blocksCounted ?? 0n).toString(), missed: (k?.missed ?? 0n).toString(), index: (k?.index ?? 0n).toString(),
      window_length: res.windowLength.toString(), least_signed: res.leastSigned.toString(),
      max_missed: (res.windowLength - res.leastSigned).toString(),
    };
    ctx.print(out, () => `${validator}: missed ${out.missed} of the last ${out.blocks_counted} blocks (window ${out.window_length}; more than ${out.max_missed} missed → inactive); window started at height ${out.start_height}`);
  });

  example(qs.command("params").description("the stake module's parameters"), "qoscli query stake params --output json")
    .action(async (_opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Method.qos.stake.v1.Query.Params, q.QueryParamsRequest, {}, q.QueryParamsResponse);
      ctx.printParams(res.paramsJson);
    });
};
