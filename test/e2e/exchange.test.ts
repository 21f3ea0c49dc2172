// The QSC exchange end to end with qoscli on a real node (issue 18): two operators create their QSCs,
// a liquidity provider seeds a pool of each against QOS, a user swaps X for Y in one transaction
// (X → QOS → Y) at the quoted amount, and a stock CosmJS StargateClient sees the balances.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StargateClient } from "@cosmjs/stargate";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { TestNode } from "../helpers/node.js";

const qoscliBin = join(repoRoot, "dist/cmd/qoscli/main.js");

describe("exchange with qoscli", () => {
  let node: TestNode;
  const home = mkdtempSync(join(tmpdir(), "qoscli-exchange-"));
  const addr: Record<string, string> = {};
  let nodeUrl = "http://127.0.0.1:1";

  const run = (args: string[]) => spawnSync(process.execPath, [qoscliBin, ...args, "--home", home, "--keyring-backend", "test", "--node", nodeUrl], { encoding: "utf8", timeout: 120_000 });
  const json = (args: string[]) => {
    const r = run([...args, "--output", "json"]);
    assert.equal(r.status, 0, `qoscli ${args.join(" ")}:\n${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const tx = (args: string[]) => {
    const out = json([...args, "--gas", "auto", "--broadcast-mode", "block"]);
    assert.equal(out.code, 0, JSON.stringify(out));
    return out;
  };

  before(async () => {
    for (const name of ["xop", "yop", "lp", "user"]) addr[name] = json(["keys", "add", name]).address;
    const root = json(["ca", "new-root", "--out", join(home, "root.json")]);
    node = await TestNode.create({ accounts: Object.values(addr).map((address) => ({ address, coins: "100000000000uqos" })) });
    const genesisFile = join(node.home, "config/genesis.json");
    const genesis = JSON.parse(readFileSync(genesisFile, "utf8"));
    genesis.app_state.qsc.root_ca_public_key = root.public_key;
    writeFileSync(genesisFile, JSON.stringify(genesis));
    await node.start();
    nodeUrl = node.rpcUrl;
  });
  after(async () => {
    await node?.destroy();
    rmSync(home, { recursive: true, force: true });
  });

  test("two operators' QSCs, pools seeded, a user swaps X for Y in one tx; qoscli and CosmJS see the exact balances", async () => {
    for (const [name, operator] of [["XTOK", "xop"], ["YTOK", "yop"]]) {
      const crt = join(home, `${name}.crt`);
      json(["ca", "issue-qsc", "--root", join(home, "root.json"), "--chain-id", node.chainId, "--name", name, "--banker", operator, "--out", crt]);
      tx(["tx", "qsc", "create", operator, "--certificate", crt, "--holders", `lp,10000000;user,100000`]);
    }
    tx(["tx", "exchange", "create-pool", "lp", "XTOK", "1000000", "2000000"]);
    tx(["tx", "exchange", "create-pool", "lp", "YTOK", "4000000", "1000000"]);
    const pools = json(["query", "exchange", "pools"]).pools;
    assert.deepEqual(pools.map((p: { denom: string; reserve_qsc: string; reserve_qos: string; price: string }) => [p.denom, p.reserve_qsc, p.reserve_qos, p.price]), [
      ["XTOK", "1000000", "2000000", "2.000000000000000000"],
      ["YTOK", "4000000", "1000000", "0.250000000000000000"],
    ]);
    // √(1e6 · 2e6) = 1414213 shares, 1000 locked
    assert.equal(json(["query", "exchange", "shares", "lp", "XTOK"]).shares, "1413213");

    // the quote, from x·y = k with the 0.3% fee: 10,000 XTOK → uqos → YTOK
    const out = (amountIn: bigint, x: bigint, y: bigint) => (amountIn * 997n * y) / (x * 1000n + amountIn * 997n);
    const qos = out(10_000n, 1_000_000n, 2_000_000n);
    const ytok = out(qos, 1_000_000n, 4_000_000n);
    const quote = json(["query", "exchange", "quote", "XTOK,uqos,YTOK", "10000"]);
    assert.deepEqual([quote.amount_in, quote.hop_amounts_out, quote.amount_out], ["10000", [qos.toString(), ytok.toString()], ytok.toString()]);

    // a fresh connection per read: the node closes idle keep-alive sockets while qoscli waits for blocks
    const balances = async (denoms: string[]) => {
      const client = await StargateClient.connect(nodeUrl);
      try {
        return await Promise.all(denoms.map(async (d) => BigInt((await client.getBalance(addr.user, d)).amount)));
      } finally {
        client.disconnect();
      }
    };
    const [x0, y0, qos0] = await balances(["XTOK", "YTOK", "uqos"]);
    assert.deepEqual([x0, y0], [100_000n, 100_000n]);
    const res = tx(["tx", "exchange", "swap", "user", "XTOK,uqos,YTOK", "10000", "--min-out", ytok.toString()]);
    const feeAttr = (res.events as Array<{ type: string; attributes: Array<{ key: string; value: string }> }>)
      .flatMap((e) => (e.type === "tx" ? e.attributes : [])).find((a) => a.key === "fee")!.value;
    const fee = BigInt(/^([0-9]+)uqos$/.exec(feeAttr)![1]);
    assert.deepEqual(await balances(["XTOK", "YTOK", "uqos"]), [x0 - 10_000n, y0 + ytok, qos0 - fee], "XTOK paid, YTOK received, uqos only the fee: the QOS leg stays inside the exchange");
    const client = await StargateClient.connect(nodeUrl);
    try {
      assert.equal((await client.searchTx(`exchange_swap.sender='${addr.user}'`)).length, 1);
    } finally {
      client.disconnect();
    }
    const [x, y] = ["XTOK", "YTOK"].map((d) => json(["query", "exchange", "pool", d]));
    assert.deepEqual([x.reserve_qsc, x.reserve_qos], [(1_000_000n + 10_000n).toString(), (2_000_000n - qos).toString()]);
    assert.deepEqual([y.reserve_qsc, y.reserve_qos], [(4_000_000n - ytok).toString(), (1_000_000n + qos).toString()]);

    // the same swap again with the old minimum: the price moved, refused with exchange 9, nothing moved
    const again = run(["tx", "exchange", "swap", "user", "XTOK,uqos,YTOK", "10000", "--min-out", ytok.toString(), "--gas", "300000", "--broadcast-mode", "block"]);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr + again.stdout, /output below the minimum/);
    assert.equal(json(["query", "exchange", "pool", "XTOK"]).reserve_qsc, "1010000");

    // exact output, and the oracle over the chain's life so far
    tx(["tx", "exchange", "swap", "user", "uqos,XTOK", "500", "--exact-out", "--max-in", "2000"]);
    const pool = json(["query", "exchange", "pool", "XTOK"]);
    assert.equal(pool.reserve_qsc, "1009500");
    const avg = json(["query", "exchange", "average-price", "XTOK", pool.created_time, pool.last_time]);
    assert.match(avg.price, /^[0-9]+\.[0-9]{18}$/);
    const help = run(["tx", "exchange", "swap", "--help"]);
    assert.match(help.stdout, /qoscli tx exchange swap bob STAR,uqos,MOON 5000 --min-out/);
  });
});
