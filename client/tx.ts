// Building, signing and broadcasting transactions. Module commands (`tx bank send`, …) describe their
// messages and signers and call runTx; the framework does accounts, gas, fees, signatures, broadcast.
import { fromHex } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { Command, Option } from "commander";
import { createHash } from "node:crypto";
import { parseCoinsString, parseGasPrice, feeForGas, coinsToWire, type Coin } from "../app/coins.js";
import { fetchAccount } from "./accounts.js";
import { CliContext, QueryError, hashHex } from "./context.js";
import { CliError } from "./errors.js";
import type { KeyInfo } from "./keyring.js";
import { newTxFile, signTxFile, simulationBytes, txRawBytes, withSignerData, type TxFile, type TxFileSigner } from "./txfile.js";
import { Method } from "../gen/names.js";

export const DefaultGasPrice = "0.025uqos";
export const DefaultGas = 200000n;

/** Adds the flags of every tx-sending command. */
export function addTxFlags(cmd: Command): Command {
  return cmd
    .option("--gas <auto|n>", "gas limit, or 'auto' to simulate and multiply by --gas-adjustment", DefaultGas.toString())
    .option("--gas-adjustment <x>", "multiplier of the simulated gas with --gas auto", "1.4")
    .option("--gas-prices <price>", "fee = ceil(gas × price) when --fees is not given", DefaultGasPrice)
    .option("--fees <coins>", "the fee, e.g. 5000uqos (overrides --gas-prices)")
    .option("--memo <text>", "a note stored with the tx", "")
    .addOption(new Option("--broadcast-mode <mode>", "sync: wait for CheckTx; async: return at once; block: wait for inclusion").choices(["sync", "async", "block"]).default("sync"))
    .option("--timeout <seconds>", "with --broadcast-mode block: how long to wait for inclusion", "60")
    .option("--generate-only", "print the unsigned tx (see `qoscli tx sign --help` for its format) instead of signing it", false)
    .option("--offline", "with --generate-only: do not contact the node (account data is filled at signing)", false);
}

export interface TxFlags {
  gas: string;
  gasAdjustment: string;
  gasPrices: string;
  fees?: string;
  memo: string;
  broadcastMode: "sync" | "async" | "block";
  timeout: string;
  generateOnly: boolean;
  offline: boolean;
}

export interface TxSigner {
  address: string;
  /** our key for it; required unless --generate-only */
  key?: KeyInfo;
}

export interface TxRequest {
  msgs: EncodeObject[];
  signers: TxSigner[];
  /** checks before simulating and before broadcasting (fee = [] before the fee is known), e.g. balances */
  precheck?: (fee: Coin[]) => Promise<void>;
}

/** The signer of a tx: our key, or with --generate-only just the address. */
export function signerOf(ctx: CliContext, flags: Pick<TxFlags, "generateOnly">, who: string): TxSigner & { address: string } {
  if (flags.generateOnly) return ctx.resolveAddress(who);
  const key = ctx.resolveKey(who);
  return { address: key.address, key };
}

/** generate-only → print the unsigned file; else sign with every signer's key and broadcast. */
export async function runTx(ctx: CliContext, flags: TxFlags, req: TxRequest): Promise<void> {
  const offline = flags.generateOnly && flags.offline;
  if (!flags.generateOnly) {
    const keyless = req.signers.filter((s) => !s.key).map((s) => s.address);
    if (keyless.length) {
      throw new CliError(`no key in ${ctx.keyring.dir} for signer(s) ${keyless.join(", ")}: every signer must sign; give their keys with --from, or use --generate-only and \`tx sign\``);
    }
  }
  if (offline && flags.gas === "auto") throw new CliError("--gas auto needs the node to simulate: give a number with --offline");
  const chainId = offline ? ctx.opts.chainId ?? "" : await ctx.chainId();

  const signers: TxFileSigner[] = [];
  for (const s of req.signers) {
    let account;
    if (!offline) {
      account = await fetchAccount(ctx, s.address);
      if (!account && !flags.generateOnly) {
        throw new CliError(`account ${s.address} does not exist on chain ${chainId}: it must receive funds before it can send (query it with \`qoscli query account ${s.address}\`)`);
      }
    }
    const pubkey = s.key ? s.key.pubkey : account?.pubkey ? Buffer.from(account.pubkey).toString("base64") : null;
    signers.push({
      address: s.address,
      pubkey,
      account_number: account ? account.accountNumber.toString() : null,
      sequence: account ? account.sequence.toString() : null,
    });
  }

  if (req.precheck && !offline) await req.precheck([]);
  const gasLimit = await resolveGas(ctx, flags, req.msgs, signers, chainId);
  const fee = resolveFee(flags, gasLimit);
  if (req.precheck && !offline) await req.precheck(fee);
  let file = newTxFile(req.msgs, flags.memo, { amount: coinsToWire(fee), gasLimit }, signers, chainId);

  if (flags.generateOnly) {
    ctx.print(file, () => JSON.stringify(file, null, 2));
    return;
  }
  file = await signWithKeys(ctx, file, req.signers.map((s) => s.key!), chainId);
  await broadcastAndReport(ctx, txRawBytes(file), flags.broadcastMode, Number(flags.timeout));
}

/** Signs the file with each key in turn (asking for passphrases in that order); each must be a signer whose account number is known. */
export async function signWithKeys(ctx: CliContext, file: TxFile, keys: readonly KeyInfo[], chainId: string): Promise<TxFile> {
  for (const key of keys) {
    const signer = file.signers.find((s) => s.address === key.address);
    if (!signer) throw new CliError(`${key.name} (${key.address}) is not a signer of this tx (signers: ${file.signers.map((s) => s.address).join(", ")})`);
    if (signer.account_number === null) throw new CliError(`the account number of ${key.address} is unknown: sign online or give --offline --account-number`);
    const { privateKey } = await ctx.keyring.secret(key.name);
    file = await signTxFile(file, privateKey, key.address, BigInt(signer.account_number), chainId);
  }
  return file;
}

/**
 * Fills the pubkey, account number and sequence of every signer the file does not know yet from the chain
 * (a key of ours gives the pubkey). A signer without an account is left as it is, unless it is one of `keys`.
 */
export async function withChainSignerData(ctx: CliContext, file: TxFile, keys: readonly KeyInfo[], chainId: string): Promise<TxFile> {
  for (const s of file.signers) {
    if (s.account_number !== null && s.sequence !== null && s.pubkey !== null) continue;
    const account = await fetchAccount(ctx, s.address);
    const key = keys.find((k) => k.address === s.address);
    if (!account) {
      if (key) throw new CliError(`account ${s.address} does not exist on chain ${chainId}: it must receive funds before it can send`);
      continue;
    }
    const pubkey = key?.pubkey ?? (account.pubkey ? Buffer.from(account.pubkey).toString("base64") : undefined);
    file = withSignerData(file, s.address, { pubkey, accountNumber: account.accountNumber, sequence: account.sequence });
  }
  return file;
}

async function resolveGas(ctx: CliContext, flags: TxFlags, msgs: EncodeObject[], signers: TxFileSigner[], chainId: string): Promise<bigint> {
  if (flags.gas !== "auto") {
    if (!/^[0-9]+$/.test(flags.gas) || BigInt(flags.gas) === 0n) throw new CliError(`--gas must be 'auto' or a positive integer, not ${JSON.stringify(flags.gas)}`);
    return BigInt(flags.gas);
  }
  const adjustment = Number(flags.gasAdjustment);
  if (!Number.isFinite(adjustment) || adjustment < 1) throw new CliError(`--gas-adjustment must be a number ≥ 1, not ${JSON.stringify(flags.gasAdjustment)}`);
  const draft = newTxFile(msgs, flags.memo, { amount: [], gasLimit: 0n }, signers, chainId);
  let response: Uint8Array;
  try {
    response = await ctx.abciQuery(Method.cosmos.tx.v1beta1.Service.Simulate, SimulateRequest.encode({ txBytes: simulationBytes(draft) }).finish());
  } catch (e) {
    if (e instanceof QueryError) throw new CliError(`the simulation (--gas auto) was refused by the node: ${e.log} (code ${e.code}, codespace ${e.codespace})`);
    throw e;
  }
  const gasUsed = SimulateResponse.decode(response).gasInfo?.gasUsed ?? 0n;
  return BigInt(Math.ceil(Number(gasUsed) * adjustment));
}

function resolveFee(flags: TxFlags, gasLimit: bigint): Coin[] {
  if (flags.fees !== undefined) {
    try {
      return parseCoinsString(flags.fees);
    } catch (e) {
      throw new CliError(`--fees ${JSON.stringify(flags.fees)}: ${(e as Error).message}; write e.g. 5000uqos`);
    }
  }
  let price;
  try {
    price = parseGasPrice(flags.gasPrices);
  } catch (e) {
    throw new CliError(`--gas-prices: ${(e as Error).message}`);
  }
  return [{ denom: price.denom, amount: feeForGas(gasLimit, price) }];
}

export interface BroadcastResult {
  txhash: string;
  code: number;
  codespace: string;
  raw_log: string;
  height?: string;
  gas_wanted?: string;
  gas_used?: string;
  events?: unknown[];
}

/** Broadcasts TxRaw bytes, prints the result, and fails (non-zero exit) if the tx was refused or failed. */
export async function broadcastAndReport(ctx: CliContext, tx: Uint8Array, mode: "sync" | "async" | "block", timeoutSeconds: number): Promise<void> {
  const comet = await ctx.comet();
  const txhash = createHash("sha256").update(tx).digest("hex").toUpperCase();
  if (mode === "async") {
    try {
      await comet.broadcastTxAsync({ tx });
    } catch (e) {
      throw ctx.unreachable(e);
    }
    const result: BroadcastResult = { txhash, code: 0, codespace: "", raw_log: "" };
    ctx.print(result, () => `txhash: ${txhash} (sent, not checked: query it with \`qoscli query tx ${txhash}\`)`);
    return;
  }
  let check;
  try {
    check = await comet.broadcastTxSync({ tx });
  } catch (e) {
    const msg = (e as Error).message;
    if (/already exists in cache/i.test(msg)) {
      throw new CliError(`the node already has this exact tx ${txhash} (it was broadcast before): see \`qoscli query tx ${txhash}\``);
    }
    if (/fetch failed|ECONNREFUSED|ECONNRESET/i.test(msg)) throw ctx.unreachable(e);
    throw new CliError(`broadcast to ${ctx.opts.node} failed: ${msg}`);
  }
  if (check.code !== 0) {
    throw new CliError(`the node refused the tx in CheckTx: code ${check.code}, codespace ${check.codespace ?? ""}: ${check.log ?? ""}`);
  }
  if (mode === "sync") {
    const result: BroadcastResult = { txhash, code: 0, codespace: "", raw_log: check.log ?? "" };
    ctx.print(result, () => `txhash: ${txhash} (accepted into the mempool; \`qoscli query tx ${txhash}\` once it is in a block)`);
    return;
  }
  const progress = !ctx.json && process.stderr.isTTY;
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  for (;;) {
    try {
      const found = await comet.tx({ hash: fromHex(txhash) });
      if (progress) process.stderr.write("\r\x1b[K");
      const result = txResultJson(found.hash, found.height, found.result);
      if (found.result.code !== 0) {
        ctx.print(result, () => formatTxResult(result));
        throw new CliError(
          `the tx ${result.txhash} was included at height ${found.height} but failed: code ${found.result.code}, codespace ${found.result.codespace ?? ""}: ${found.result.log ?? ""} (the fee was paid)`,
        );
      }
      ctx.print(result, () => formatTxResult(result));
      return;
    } catch (e) {
      if (e instanceof CliError) throw e;
      if (!/not found/i.test((e as Error).message)) throw ctx.unreachable(e);
    }
    if (Date.now() > deadline) {
      if (progress) process.stderr.write("\n");
      throw new CliError(`the tx ${txhash} passed CheckTx but was not in a block after ${timeoutSeconds} s; check later with \`qoscli query tx ${txhash}\``);
    }
    if (progress) process.stderr.write(`\rwaiting for tx ${txhash.slice(0, 12)}… to be included (${Math.floor((Date.now() - started) / 1000)} s)`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export function txResultJson(
  hash: Uint8Array,
  height: number,
  result: { code: number; codespace?: string; log?: string; gasWanted: bigint; gasUsed: bigint; events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[] },
): BroadcastResult & { height: string } {
  return {
    height: String(height),
    txhash: hashHex(hash),
    code: result.code,
    codespace: result.codespace ?? "",
    raw_log: result.log ?? "",
    gas_wanted: result.gasWanted.toString(),
    gas_used: result.gasUsed.toString(),
    events: result.events.map((e) => ({ type: e.type, attributes: e.attributes.map((a) => ({ key: a.key, value: a.value })) })),
  };
}

export function formatTxResult(r: BroadcastResult): string {
  return [
    `txhash: ${r.txhash}`,
    ...(r.height ? [`height: ${r.height}`] : []),
    `code: ${r.code}${r.codespace ? ` (${r.codespace})` : ""}`,
    ...(r.gas_used ? [`gas: ${r.gas_used} used of ${r.gas_wanted}`] : []),
    ...(r.raw_log ? [`log: ${r.raw_log}`] : []),
  ].join("\n");
}
