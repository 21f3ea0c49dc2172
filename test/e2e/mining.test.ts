// Mining by value exchange end to end on a business chain, with qoscli only (issue 19): an operator
// creates its QSC and a mining scenario (a 60-second settlement period: the test genesis lowers the
// governance bound), users pay a shop, a holder makes a plain transfer (it does not mine), the period
// settles in the first block past its end, and the dividends (uqos) and mining rewards (the QSC) each
// account can claim are the exact amounts the rules of docs/mining.md give; a paused token does not mine.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestNode } from "../helpers/node.js";
import { eventAttributes as attrs, qoscli, type TxJson } from "../helpers/qoscli.js";

const PeriodSecs = 60;

describe("mining with qoscli on a business chain", () => {
  let node: TestNode;
  const home = mkdtempSync(join(tmpdir(), "qoscli-mining-"));
  const addr: Record<string, string> = {};
  let nodeUrl = "http://127.0.0.1:1";

  const { run, json, tx } = qoscli(home, () => nodeUrl);
  const fee = (out: TxJson) => BigInt(/^([0-9]+)uqos$/.exec(attrs(out, "tx").find((a) => a.fee !== undefined)!.fee)![1]);
  const balance = (who: string, denom: string) =>
    BigInt((json(["query", "balances", who]).balances as Array<{ denom: string; amount: string }>).find((c) => c.denom === denom)?.amount ?? "0");

  before(async () => {
    for (const name of ["op", "alice", "bob", "carol", "dave", "shop", "community"]) addr[name] = json(["keys", "add", name]).address;
    const root = json(["ca", "new-root", "--out", join(home, "root.json")]);
    node = await TestNode.create({ profile: "business", accounts: Object.values(addr).map((address) => ({ address, coins: "100000000000uqos" })) });
    const genesisFile = join(node.home, "config/genesis.json");
    const genesis = JSON.parse(readFileSync(genesisFile, "utf8"));
    genesis.app_state.qsc.root_ca_public_key = root.public_key;
    genesis.app_state.mining = {
      params: { max_commission_rate: "0.05", min_holder_share: "0.5", min_period_secs: 10, max_period_secs: 86400, rate_interval_blocks: 5, max_rate_change: "0.1", max_team_unlock_rate: "1" },
    };
    writeFileSync(genesisFile, JSON.stringify(genesis));
    await node.start();
    nodeUrl = node.rpcUrl;
  });
  after(async () => {
    await node?.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  test("token and scenario created, payments charged, a plain transfer does not mine, the period settles: exact dividends and rewards claimed; paused: mining 8", async () => {
    const crt = join(home, "STAR.crt");
    json(["ca", "issue-qsc", "--root", join(home, "root.json"), "--chain-id", node.chainId, "--name", "STAR", "--banker", "op", "--out", crt]);
    tx(["tx", "qsc", "create", "op", "--certificate", crt, "--holders", "alice,1000000;bob,500000;carol,2500000"]);
    // no pool: the period's price is the banker's rate 2 (uqos per STAR) averaged over time, i.e. 2
    const created = tx([
      "tx", "mining", "create-scenario", "op", "STAR", "--community", "community", "--initial-rate", "2", "--commission-rate", "0.01",
      "--min-commission", "500", "--holder-share", "0.8", "--period", String(PeriodSecs),
    ]);
    const periodEnd = BigInt(attrs(created, "mining_create_scenario")[0].period_end);
    const s = json(["query", "mining", "scenario", "STAR"]);
    assert.deepEqual([s.commission_rate, s.holder_share, s.rate, s.eligible_supply, s.period], ["0.010000000000000000", "0.800000000000000000", "2.000000000000000000", "4000000", "0"]);

    // alice pays 100,000 (value 200,000 uqos, commission 1% = 2,000); bob pays 50,000 (1,000)
    const pay1 = tx(["tx", "mining", "pay", "alice", "shop", "100000STAR", "--reference", "order-1"]);
    assert.deepEqual(attrs(pay1, "mining_pay"), [{ denom: "STAR", payer: addr.alice, payee: addr.shop, amount: "100000", commission: "2000", memo: "order-1" }]);
    const pay2 = tx(["tx", "mining", "pay", "bob", "shop", "50000STAR"]);
    assert.equal(attrs(pay2, "mining_pay")[0].commission, "1000");
    // carol's plain send of STAR: no commission, no credit (it lowers her least balance, as any send does)
    const plain = tx(["tx", "bank", "send", "carol", addr.dave, "100000STAR"]);
    assert.deepEqual(attrs(plain, "mining_pay"), []);
    // wait for the first block past the period's end: it settles period 0
    const deadline = Date.now() + (PeriodSecs + 60) * 1000;
    while (json(["query", "mining", "scenario", "STAR"]).period === "0") {
      assert.ok(Date.now() < deadline, `period 0 (ending at ${periodEnd}) did not settle`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    // least balances through period 0: alice 900,000, bob 450,000, carol 2,400,000 (shop and dave started at 0): Σ 3,750,000.
    // holders: ⌊3,000 · 0.8⌋ = 2,400 uqos, per token ⌊2,400 · 1e18 / 3,750,000⌋ = 0.00064 exactly, so no dust: community 600.
    // rewards: credit ÷ (2 · 2): alice 2,000 → 500, bob 1,000 → 250, the shop 3,000 → 750 STAR.
    // (the period's totals also show that the two payments and the send all fell in it)
    const [p0] = json(["query", "mining", "periods", "STAR"]).periods;
    assert.deepEqual([p0.index, p0.commission, p0.volume, p0.min_holdings, p0.holders_amount, p0.community_amount, p0.dividend_per_token, p0.price, p0.price_source],
      ["0", "3000", "150000", "3750000", "2400", "600", "0.000640000000000000", "2.000000000000000000", "banker"]);
    assert.equal(balance("community", "uqos"), 100_000_000_000n + 600n);
    const expected: Record<string, [string, string]> = { alice: ["576", "500"], bob: ["288", "250"], carol: ["1536", "0"], dave: ["0", "0"], shop: ["0", "750"] };
    for (const [who, [dividends, rewards]] of Object.entries(expected)) {
      const p = json(["query", "mining", "pending", who, "STAR"]);
      assert.deepEqual([p.dividends, p.rewards], [dividends, rewards], who);
    }
    // period 1 began with the balances of period 0's end: carol's least is her balance
    assert.deepEqual(json(["query", "mining", "pending", "carol", "STAR"]), { address: addr.carol, denom: "STAR", dividends: "1536", rewards: "0", least_balance: "2400000", credit: "0" });
    assert.deepEqual(json(["query", "mining", "rates", "STAR"]).rates.map((r: { rate: string }) => r.rate), ["2.000000000000000000"]);

    // claims: dividends in uqos, rewards minted in STAR
    const [aliceQos, aliceStar] = [balance("alice", "uqos"), balance("alice", "STAR")];
    const claimA = tx(["tx", "mining", "claim", "alice", "STAR"]);
    assert.deepEqual(attrs(claimA, "mining_claim"), [{ denom: "STAR", claimer: addr.alice, dividends: "576", rewards: "500" }]);
    assert.deepEqual([balance("alice", "uqos"), balance("alice", "STAR")], [aliceQos - fee(claimA) + 576n, aliceStar + 500n]);
    const shopStar = balance("shop", "STAR");
    tx(["tx", "mining", "claim", "shop", "STAR"]);
    assert.equal(balance("shop", "STAR"), shopStar + 750n);
    assert.equal(json(["query", "mining", "scenario", "STAR"]).rewards_minted, "1250");
    // dave never paid and held nothing through period 0: nothing to claim (mining 14)
    const none = run(["tx", "mining", "claim", "dave", "STAR", "--gas", "300000", "--broadcast-mode", "block"]);
    assert.notEqual(none.status, 0);
    assert.match(none.stderr, /code 14, codespace mining/);

    // the banker pauses the token: a payment is refused with mining 8 and nothing moves
    tx(["tx", "qsc", "pause", "op", "STAR"]);
    const bobStar = balance("bob", "STAR");
    const paused = run(["tx", "mining", "pay", "bob", "shop", "1000STAR", "--gas", "300000", "--broadcast-mode", "block"]);
    assert.notEqual(paused.status, 0);
    assert.match(paused.stderr, /code 8, codespace mining: .*paused/);
    assert.equal(balance("bob", "STAR"), bobStar);
    assert.equal(json(["query", "mining", "scenario", "STAR"]).period_commission, "0");

    // clear errors before anything is sent
    const badAmount = run(["tx", "mining", "pay", "bob", "shop", "STAR100"]);
    assert.match(badAmount.stderr, /<amount> "STAR100" must be a whole number followed by the QSC's name/);
    assert.match(run(["tx", "mining", "create-scenario", "--help"]).stdout, /qoscli tx mining create-scenario banker STAR --community/);
  });
});
