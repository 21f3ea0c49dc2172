// qosd chain-info (issue 15 part 6): the Keplr ChainInfo of a fresh home passes Keplr's chain-validator rules
// (client/wallets.ts KeplrChainInfoSchema) with exact values, and the schema refuses what Keplr refuses; the
// chain-registry chain.json and assetlist.json that --registry writes pass the registry's own JSON schemas
// (kept in docs/wallets/chain-registry-schemas, checked with ajv); the Ping.pub config in the repo is the one
// the builder gives for `npm start`'s chain.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { KeplrChainInfoSchema, keplrChainInfo, pingPubConfig } from "../../client/wallets.js";

const root = join(import.meta.dirname, "../../..");
const qosd = (args: string[]) => spawnSync(process.execPath, [join(root, "dist/cmd/qosd/main.js"), ...args], { encoding: "utf8", timeout: 60_000 });

describe("qosd chain-info", () => {
  const dir = mkdtempSync(join(tmpdir(), "qos-chain-info-"));
  const home = join(dir, "home");
  after(() => rmSync(dir, { recursive: true, force: true }));

  const init = qosd(["init", "n", "--home", home, "--chain-id", "qos-wallets-1", "--rpc-laddr", "tcp://127.0.0.1:26999", "--min-gas-price", "0.04uqos"]);

  test("--keplr prints a ChainInfo Keplr's validator accepts: endpoints, coin type 389, six prefixes, currencies, gas price steps", () => {
    assert.equal(init.status, 0, init.stderr);
    const r = qosd(["chain-info", "--keplr", "--home", home]);
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal(KeplrChainInfoSchema.safeParse(info).success, true);
    const qos = { coinDenom: "QOS", coinMinimalDenom: "uqos", coinDecimals: 6 };
    assert.deepEqual(info, {
      rpc: "http://127.0.0.1:26999",
      rest: "http://127.0.0.1:1317",
      chainId: "qos-wallets-1",
      chainName: "QOS qos-wallets-1",
      stakeCurrency: qos,
      bip44: { coinType: 389 },
      bech32Config: {
        bech32PrefixAccAddr: "qosacc", bech32PrefixAccPub: "qosaccpub", bech32PrefixValAddr: "qosval",
        bech32PrefixValPub: "qosvalpub", bech32PrefixConsAddr: "qoscons", bech32PrefixConsPub: "qosconspub",
      },
      currencies: [qos],
      feeCurrencies: [{ ...qos, gasPriceStep: { low: 0.04, average: 0.06, high: 0.08 } }],
      features: [],
    });
    const withUrls = JSON.parse(qosd(["chain-info", "--home", home, "--rpc", "https://rpc.example.org", "--rest", "https://lcd.example.org"]).stdout);
    assert.deepEqual([withUrls.rpc, withUrls.rest], ["https://rpc.example.org", "https://lcd.example.org"]);
  });

  test("the Keplr schema refuses what Keplr's validator refuses", () => {
    const good = keplrChainInfo({ chainId: "qos-1", rpc: "http://a:1", rest: "http://a:2", minGasPrice: "0.025" });
    const bad: Array<[string, unknown]> = [
      ["an unknown key", { ...good, extra: 1 }],
      ["a query string in rpc", { ...good, rpc: "http://a:1/?x=1" }],
      ["a chain id over 30 characters", { ...good, chainId: "q".repeat(31) }],
      ["decimals over 18", { ...good, currencies: [{ ...good.currencies[0], coinDecimals: 19 }] }],
      ["a duplicated currency", { ...good, currencies: [good.currencies[0], good.currencies[0]] }],
      ["low above average", { ...good, feeCurrencies: [{ ...good.feeCurrencies[0], gasPriceStep: { low: 0.05, average: 0.04, high: 0.06 } }] }],
      ["no fee currency", { ...good, feeCurrencies: [] }],
      ["a negative coin type", { ...good, bip44: { coinType: -1 } }],
      ["a missing prefix", { ...good, bech32Config: { ...good.bech32Config, bech32PrefixConsPub: undefined } }],
    ];
    for (const [name, value] of bad) assert.equal(KeplrChainInfoSchema.safeParse(value).success, false, name);
  });

  test("--registry writes chain.json and assetlist.json that pass the chain-registry schemas", () => {
    const out = join(dir, "registry");
    const r = qosd(["chain-info", "--registry", out, "--home", home]);
    assert.equal(r.status, 0, r.stderr);
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    ajv.addFormat("uri", (s: string) => URL.canParse(s));
    ajv.addFormat("uri-reference", (s: string) => URL.canParse(s, "http://base/"));
    for (const name of ["chain", "assetlist"]) {
      const schema = JSON.parse(readFileSync(join(root, `docs/wallets/chain-registry-schemas/${name}.schema.json`), "utf8"));
      const validate = ajv.compile(schema);
      const doc = JSON.parse(readFileSync(join(out, `${name}.json`), "utf8"));
      assert.equal(validate(doc), true, `${name}.json: ${JSON.stringify(validate.errors)}`);
      assert.equal(validate({ ...doc, chain_name: "qoswallets1", not_in_schema: true }), false, `${name}: an unknown key is refused`);
    }
    const chain = JSON.parse(readFileSync(join(out, "chain.json"), "utf8"));
    assert.deepEqual([chain.chain_id, chain.slip44, chain.bech32_prefix, chain.fees.fee_tokens[0].fixed_min_gas_price, chain.apis.rpc[0].address], ["qos-wallets-1", 389, "qosacc", 0.04, "http://127.0.0.1:26999"]);
  });

  test("docs/wallets/pingpub-qos-local.json is the Ping.pub config of npm start's chain", () => {
    const kept = JSON.parse(readFileSync(join(root, "docs/wallets/pingpub-qos-local.json"), "utf8"));
    assert.deepEqual(kept, pingPubConfig({ chainId: "qos-local-1", rpc: "http://127.0.0.1:26657", rest: "http://127.0.0.1:1317", minGasPrice: "0.025" }));
  });
});
