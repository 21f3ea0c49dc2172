// Wallet and registry descriptions of a QOS chain (issue 15 part 6, D13): Keplr's ChainInfo (for
// `experimentalSuggestChain`), the cosmos chain-registry's chain.json and assetlist.json, and a Ping.pub chain
// config. One set of facts (chain id, endpoints, minimum gas price) feeds all of them; the constants (coin
// type 389, the six bech32 prefixes, uqos with 6 decimals) are D2/D3's.
//
// KeplrChainInfoSchema restates the rules of Keplr's chain validator (keplr-wallet packages/chain-validator
// schema.ts, ChainInfoSchema: Joi objects refuse unknown keys; rpc/rest URIs without a query string; chain id
// and name 1–30 characters; currencies with integer decimals 0–18, no duplicate minimal denom; fee currencies
// with low ≤ average ≤ high gas price steps; a non-negative integer coin type), so a test proves Keplr would
// accept what `qosd chain-info --keplr` prints.
import { z } from "zod";
import { AccountPrefix, ConsensusPrefix, ValidatorPrefix } from "../app/address.js";
import { BaseDenom, BaseDenomDecimals, DisplayDenom } from "../app/coins.js";

/** SLIP-44 coin type of QOS (D2: HD path m/44'/389'/0'/0/0) */
export const QosCoinType = 389;
export const QosDisplayDenom = DisplayDenom;
export const QosDecimals = BaseDenomDecimals;

export interface ChainFacts {
  chainId: string;
  /** CometBFT RPC, e.g. http://127.0.0.1:26657 */
  rpc: string;
  /** REST (LCD) gateway, e.g. http://127.0.0.1:1317 */
  rest: string;
  /** gRPC host:port, when the node serves it */
  grpc?: string;
  /** the node's minimum gas price in uqos per gas, as a decimal ("0.025") */
  minGasPrice: string;
  /** a readable name (default "QOS <chain id>", cut to Keplr's 30 characters) */
  chainName?: string;
}

const uri = z.string().refine((s) => URL.canParse(s) && /^[a-z][a-z0-9+.-]*:/i.test(s), "a URI");
const endpoint = uri.refine((s) => !s.includes("?"), "no query string");
const CurrencySchema = z.object({
  coinDenom: z.string(),
  coinMinimalDenom: z.string(),
  coinDecimals: z.number().int().min(0).max(18),
  coinGeckoId: z.string().optional(),
  coinImageUrl: uri.optional(),
}).strict();
const GasPriceStepSchema = z.object({ low: z.number(), average: z.number(), high: z.number() }).strict()
  .refine((s) => s.low <= s.average, "low gas price step can not be greater than average")
  .refine((s) => s.average <= s.high, "average gas price step can not be greater than high");
const FeeCurrencySchema = CurrencySchema.extend({ gasPriceStep: GasPriceStepSchema.optional() }).strict();
const uniqueDenoms = (list: ReadonlyArray<{ coinMinimalDenom: string }>) => new Set(list.map((c) => c.coinMinimalDenom)).size === list.length;
const Bip44Schema = z.object({ coinType: z.number().int().min(0) }).passthrough();

/** Keplr's ChainInfo, as its chain validator checks it (the subset of features QOS could name is empty). */
export const KeplrChainInfoSchema = z.object({
  rpc: endpoint,
  rest: endpoint,
  nodeProvider: z.object({ name: z.string().min(1).max(30), email: z.string().email(), website: uri.optional() }).strict().optional(),
  chainId: z.string().min(1).max(30),
  chainName: z.string().min(1).max(30),
  stakeCurrency: CurrencySchema,
  walletUrl: uri.optional(),
  walletUrlForStaking: uri.optional(),
  bip44: Bip44Schema,
  alternativeBIP44s: z.array(Bip44Schema).optional(),
  bech32Config: z.object({
    bech32PrefixAccAddr: z.string(), bech32PrefixAccPub: z.string(), bech32PrefixValAddr: z.string(),
    bech32PrefixValPub: z.string(), bech32PrefixConsAddr: z.string(), bech32PrefixConsPub: z.string(),
  }).strict(),
  currencies: z.array(CurrencySchema).min(1).refine(uniqueDenoms, "a currency's coinMinimalDenom is duplicated"),
  feeCurrencies: z.array(FeeCurrencySchema).min(1).refine(uniqueDenoms, "a fee currency's coinMinimalDenom is duplicated"),
  beta: z.boolean().optional(),
  features: z.array(z.string()).refine((f) => new Set(f).size === f.length, "features are duplicated").optional(),
  chainSymbolImageUrl: uri.optional(),
}).strict().refine((c) => !c.alternativeBIP44s?.some((b) => b.coinType === c.bip44.coinType), "coin type is duplicated");
export type KeplrChainInfo = z.infer<typeof KeplrChainInfoSchema>;

/** low = the node's minimum, average 1.5×, high 2× (decimal strings of 12 significant digits) */
function gasPriceSteps(minGasPrice: string): { low: number; average: number; high: number } {
  const low = Number(minGasPrice);
  if (!Number.isFinite(low) || low < 0) throw new Error(`minimum gas price ${JSON.stringify(minGasPrice)} is not a decimal`);
  const round = (x: number) => Number(x.toPrecision(12));
  return { low, average: round(low * 1.5), high: round(low * 2) };
}

const chainNameOf = (f: ChainFacts) => (f.chainName ?? `QOS ${f.chainId}`).slice(0, 30);

export function keplrChainInfo(f: ChainFacts): KeplrChainInfo {
  const qos = { coinDenom: QosDisplayDenom, coinMinimalDenom: BaseDenom, coinDecimals: QosDecimals };
  return KeplrChainInfoSchema.parse({
    rpc: f.rpc,
    rest: f.rest,
    chainId: f.chainId,
    chainName: chainNameOf(f),
    stakeCurrency: qos,
    bip44: { coinType: QosCoinType },
    bech32Config: {
      bech32PrefixAccAddr: AccountPrefix, bech32PrefixAccPub: `${AccountPrefix}pub`,
      bech32PrefixValAddr: ValidatorPrefix, bech32PrefixValPub: `${ValidatorPrefix}pub`,
      bech32PrefixConsAddr: ConsensusPrefix, bech32PrefixConsPub: `${ConsensusPrefix}pub`,
    },
    currencies: [qos],
    feeCurrencies: [{ ...qos, gasPriceStep: gasPriceSteps(f.minGasPrice) }],
    features: [],
  });
}

/** chain-registry chain_name: lower-case letters and digits of the chain id */
const registryName = (chainId: string) => chainId.toLowerCase().replace(/[^a-z0-9]/g, "") || "qos";

/** The cosmos chain-registry chain.json (schema: docs/wallets/chain-registry-schemas/chain.schema.json). */
export function registryChain(f: ChainFacts): Record<string, unknown> {
  const steps = gasPriceSteps(f.minGasPrice);
  return {
    $schema: "../chain.schema.json",
    chain_name: registryName(f.chainId),
    chain_type: "cosmos",
    chain_id: f.chainId,
    pretty_name: chainNameOf(f),
    status: "live",
    network_type: "devnet",
    bech32_prefix: AccountPrefix,
    bech32_config: {
      bech32PrefixAccAddr: AccountPrefix, bech32PrefixAccPub: `${AccountPrefix}pub`,
      bech32PrefixValAddr: ValidatorPrefix, bech32PrefixValPub: `${ValidatorPrefix}pub`,
      bech32PrefixConsAddr: ConsensusPrefix, bech32PrefixConsPub: `${ConsensusPrefix}pub`,
    },
    daemon_name: "qosd",
    node_home: "$HOME/.qosd",
    key_algos: ["secp256k1"],
    slip44: QosCoinType,
    fees: { fee_tokens: [{ denom: BaseDenom, fixed_min_gas_price: steps.low, low_gas_price: steps.low, average_gas_price: steps.average, high_gas_price: steps.high }] },
    staking: { staking_tokens: [{ denom: BaseDenom }] },
    codebase: { consensus: { type: "cometbft", version: "v0.38" } },
    apis: {
      rpc: [{ address: f.rpc, provider: "local" }],
      rest: [{ address: f.rest, provider: "local" }],
      ...(f.grpc ? { grpc: [{ address: f.grpc, provider: "local" }] } : {}),
    },
  };
}

/** The cosmos chain-registry assetlist.json (schema: docs/wallets/chain-registry-schemas/assetlist.schema.json). */
export function registryAssetList(f: ChainFacts): Record<string, unknown> {
  return {
    $schema: "../assetlist.schema.json",
    chain_name: registryName(f.chainId),
    assets: [{
      description: "The native token of the QOS public chain: fees, staking and governance.",
      denom_units: [{ denom: BaseDenom, exponent: 0 }, { denom: QosDisplayDenom.toLowerCase(), exponent: QosDecimals }],
      type_asset: "sdk.coin",
      base: BaseDenom,
      name: "QOS",
      display: QosDisplayDenom.toLowerCase(),
      symbol: QosDisplayDenom,
    }],
  };
}

/** A Ping.pub explorer chain config (its src/chains/*.json shape). */
export function pingPubConfig(f: ChainFacts): Record<string, unknown> {
  return {
    chain_name: registryName(f.chainId),
    registry_name: registryName(f.chainId),
    api: [f.rest],
    rpc: [f.rpc],
    sdk_version: "0.50.0",
    coin_type: String(QosCoinType),
    min_tx_fee: "5000",
    addr_prefix: AccountPrefix,
    logo: "",
    assets: [{ base: BaseDenom, symbol: QosDisplayDenom, exponent: String(QosDecimals), coingecko_id: "", logo: "" }],
  };
}
