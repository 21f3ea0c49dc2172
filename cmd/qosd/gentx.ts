// qosd gentx / collect-gentxs: a multi-validator genesis built the way Cosmos operators expect.
//   1. every operator: `qosd init`, gets its account into the shared genesis (add-genesis-account),
//      then `qosd gentx <key> <self-bond>`: a signed MsgCreateValidator for its node's consensus key;
//   2. the coordinator gathers the gentx files into one config/gentx/ folder and runs `qosd collect-gentxs`,
//      which puts them into genesis app_state.genutil.gen_txs; at InitChain they run and make the set.
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { fromBase64 } from "@cosmjs/encoding";
import { DirectSecp256k1Wallet, encodePubkey, makeAuthInfoBytes, makeSignDoc, Registry } from "@cosmjs/proto-signing";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseAmount } from "../../app/coins.js";
import { canonicalDec, parseDec } from "../../app/decimal.js";
import { MsgCreateValidator } from "../../gen/qos/stake/v1/tx.js";
import { TypeUrl } from "../../gen/names.js";
import { Keyring, type KeyringBackend } from "../../client/keyring.js";
import { ProcessInput } from "../../client/input.js";
import { paths, readGenesis, writeGenesis } from "./home.js";

const GentxFileSchema = z.object({ type: z.literal("qos-gentx"), owner: z.string(), moniker: z.string(), tx: z.string() });

export interface GentxOptions {
  home: string;
  keyName: string;
  selfBond: string;
  keyringHome: string;
  keyringBackend: KeyringBackend;
  moniker?: string;
  commissionRate: string;
  commissionMaxRate: string;
  commissionMaxChangeRate: string;
  output?: string;
}

export async function gentx(options: GentxOptions): Promise<{ file: string; owner: string }> {
  const genesis = readGenesis(options.home);
  const input = new ProcessInput();
  const keyring = new Keyring(options.keyringHome, options.keyringBackend, {
    passphrase: (purpose) => input.readSecret(purpose),
    newPassphrase: (purpose) => input.readSecret(purpose),
  });
  if (!keyring.has(options.keyName)) {
    throw new Error(`no key ${JSON.stringify(options.keyName)} in ${options.keyringHome} (${options.keyringBackend} backend); create it with \`qoscli keys add\``);
  }
  const info = keyring.get(options.keyName);
  const balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }> = genesis.app_state?.bank?.balances ?? [];
  const funded = balances.find((b) => b.address === info.address)?.coins.find((c) => c.denom === "uqos");
  const bond = parseAmount(options.selfBond.replace(/uqos$/, ""), "self-bond");
  if (!funded || BigInt(funded.amount) < bond) {
    throw new Error(`${info.address} needs at least ${bond}uqos in genesis (has ${funded?.amount ?? 0}): run \`qosd add-genesis-account\` first`);
  }
  const pvk = JSON.parse(readFileSync(join(paths(options.home).config, "priv_validator_key.json"), "utf8"));
  const consensusPubkey = fromBase64(pvk.pub_key.value);
  const rates = [options.commissionRate, options.commissionMaxRate, options.commissionMaxChangeRate].map((r) => canonicalDec(parseDec(r)));
  const moniker = options.moniker ?? readMoniker(options.home);
  const msg = MsgCreateValidator.fromPartial({
    owner: info.address,
    consensusPubkey,
    selfBond: bond.toString(),
    description: { moniker, identity: "", website: "", details: "" },
    commissionRate: rates[0],
    commissionMaxRate: rates[1],
    commissionMaxChangeRate: rates[2],
  });
  const registry = new Registry([[TypeUrl.qos.stake.v1.MsgCreateValidator, MsgCreateValidator as never]]);
  const bodyBytes = registry.encode({ typeUrl: TypeUrl.cosmos.tx.v1beta1.TxBody, value: { messages: [{ typeUrl: TypeUrl.qos.stake.v1.MsgCreateValidator, value: msg }], memo: `gentx ${moniker}` } });
  const pubkey = Buffer.from(info.pubkey, "base64");
  const authInfoBytes = makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(pubkey)), sequence: 0n }], [], 400000, undefined, undefined);
  const { privateKey } = await keyring.secret(options.keyName);
  const wallet = await DirectSecp256k1Wallet.fromKey(privateKey, "qosacc");
  // genesis transactions sign with account number 0: numbers do not exist before genesis
  const { signature } = await wallet.signDirect(info.address, makeSignDoc(bodyBytes, authInfoBytes, genesis.chain_id, 0));
  const tx = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish();
  const dir = join(paths(options.home).config, "gentx");
  mkdirSync(dir, { recursive: true });
  const file = options.output ?? join(dir, `gentx-${info.address}.json`);
  writeFileSync(file, JSON.stringify({ type: "qos-gentx", owner: info.address, moniker, tx: Buffer.from(tx).toString("base64") }, null, 2) + "\n");
  return { file, owner: info.address };
}

function readMoniker(home: string): string {
  const m = /^\s*moniker\s*=\s*"([^"]*)"/m.exec(readFileSync(paths(home).cometConfig, "utf8"));
  return m?.[1] || "validator";
}

/** Puts every gentx of the folder into genesis; CometBFT's own validator list is emptied so that the
 *  set comes from the genesis transactions (InitChain returns it). */
export function collectGentxs(home: string, dir = join(paths(home).config, "gentx")): { count: number; owners: string[] } {
  if (!existsSync(dir)) throw new Error(`no gentx folder ${dir}: run \`qosd gentx\` (or copy the operators' gentx files there)`);
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  if (files.length === 0) throw new Error(`${dir} has no gentx files`);
  const entries = files.map((f) => {
    const parsed = GentxFileSchema.safeParse(JSON.parse(readFileSync(join(dir, f), "utf8")));
    if (!parsed.success) throw new Error(`${f} is not a gentx file: ${parsed.error.message}`);
    TxRaw.decode(Buffer.from(parsed.data.tx, "base64"));
    return parsed.data;
  });
  const genesis = readGenesis(home);
  const state = (genesis.app_state ??= {});
  state.genutil = { gen_txs: entries.map((e) => e.tx) };
  genesis.validators = [];
  writeGenesis(home, genesis);
  return { count: entries.length, owners: entries.map((e) => e.owner) };
}
