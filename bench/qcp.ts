// npm run bench:qcp — QCP messages delivered per second end to end between two local chains (QOS and
// a business chain, one real qosd + CometBFT each, testnet/qcp-pair.ts) by the real relayer process
// (cmd/relayer), and the gas of one delivery. See bench/README.md ("QCP").
//
// A run: fresh chains, one relayer on both routes; `--messages` MsgTransfer (1 STAR each) go from the
// business chain to QOS in txs of `--per-tx` messages, all broadcast at once; the clock runs from the
// first broadcast until QOS's in-sequence from the business chain reaches the last one. The results
// coming back (one per message, business ← QOS) are not waited for: they ride on the reverse route.
// Gas: every QOS tx that delivered entries (tx_search qcp_recv.from) gives gas_used and its number of
// deliveries; a warm-up transfer of one message gives the gas of a tx with a single MsgRecvQcp.
import { writeFileSync, mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { repoRoot } from "../cmd/common/cometbft.js";
import { Method, TypeUrl } from "../gen/names.js";
import { QueryAllBalancesRequest, QueryAllBalancesResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { MsgTransfer } from "../gen/qos/qcp/v1/tx.js";
import { startQcpPair, sleep, type Chain } from "../testnet/qcp-pair.js";
import { deliveryTxs } from "../testnet/qcp-network.js";
import { median } from "./measure.js";

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "2000" },
    "per-tx": { type: "string", default: "50" },
    runs: { type: "string", default: "3" },
    "timeout-commit": { type: "string", default: "250ms" },
    "max-batch": { type: "string", default: "64" },
    "gas-per-msg": { type: "string", default: "400000" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (args.help) {
  console.log(`npm run bench:qcp -- [options]
  --messages N        transfers business chain → QOS per run (default 2000)
  --per-tx N          MsgTransfer per source tx (default 50)
  --runs N            fresh pairs of chains; medians are reported (default 3)
  --timeout-commit D  CometBFT timeout_commit of both chains (default 250ms)
  --max-batch N       relayer max_batch: entries per delivery tx (default 64: a tx holds at most 64 messages)
  --gas-per-msg N     relayer gas_per_msg (default 400000)`);
  process.exit(0);
}
const int = (name: keyof typeof args) => {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${String(name)} must be a positive integer`);
  return v;
};
const messages = int("messages");
const perTx = int("per-tx");
const runs = int("runs");
const log = (line: string) => console.error(`bench:qcp: ${line}`);

const transfer = (to: string, sender: string, receiver: string): EncodeObject => ({
  typeUrl: TypeUrl.qos.qcp.v1.MsgTransfer,
  value: MsgTransfer.fromPartial({ sender, toChain: to, receiver, denom: "STAR", amount: "1" }),
});

interface RunResult {
  run: number;
  messages: number;
  /** first broadcast → last entry delivered on QOS */
  endToEndMs: number;
  msgsPerSec: number;
  /** QOS block time of the first → last block with deliveries of this run (the relayer's drain rate) */
  deliverySpanMs: number;
  deliveryTxs: number;
  maxPerTx: number;
  /** the relayer's own median time per delivery round (read the chains, proofs, sign, broadcast, commit) */
  relayerRoundMsP50: number;
  /** QOS's own FinalizeBlock + Commit time per delivered message (its log lines, delivery blocks only):
   *  1000 ÷ this = what QOS's single app thread could deliver per second if the relayer never waited */
  appMsPerDelivery: number;
  /** gas_used of the warm-up delivery tx (one MsgRecvQcp) */
  gasOneRecv: bigint;
  /** median gas_used ÷ deliveries over this run's delivery txs */
  gasPerRecvInBatch: number;
}

async function allBalances(chain: Chain, address: string): Promise<Array<{ denom: string; amount: string }>> {
  const req = QueryAllBalancesRequest.encode(QueryAllBalancesRequest.fromPartial({ address })).finish();
  return QueryAllBalancesResponse.decode(await chain.query(Method.cosmos.bank.v1beta1.Query.AllBalances, req)).balances;
}

async function blockTimeMs(chain: Chain, height: number): Promise<number> {
  const b = await chain.node.rpc<{ block: { header: { time: string } } }>("block", { height: String(height) });
  return Date.parse(b.block.header.time);
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output().slice(-3000)}`);
    await sleep(50);
  }
}

async function oneRun(run: number): Promise<RunResult> {
  const pair = await startQcpPair({ qosChainId: "qos-bench-qcp", bizChainId: "biz-bench-qcp", timeoutCommit: args["timeout-commit"], relayers: 1 });
  try {
    const { qos, biz, alice, bob } = pair;
    const relayer = await pair.relayer(0, { max_batch: int("max-batch"), gas_per_msg: int("gas-per-msg"), poll_interval_ms: 100 });
    relayer.start();
    // warm-up: one message, alone in its delivery tx
    await biz.submit(alice, [transfer(qos.id, alice.address, bob.address)]);
    await waitUntil("the warm-up delivery", async () => (await qos.seqs(biz.id)).inSequence === 1n, 60_000, () => relayer.output);
    const [warm] = await deliveryTxs(qos, biz.id);
    const base = 1n;

    const started = Date.now();
    const hashes: string[] = [];
    for (let sent = 0; sent < messages; sent += perTx) {
      const n = Math.min(perTx, messages - sent);
      hashes.push(await biz.broadcast(alice, Array.from({ length: n }, () => transfer(qos.id, alice.address, bob.address))));
    }
    const target = base + BigInt(messages);
    await waitUntil(`${messages} deliveries`, async () => (await qos.seqs(biz.id)).inSequence >= target, 600_000, () => relayer.output);
    const endToEndMs = Date.now() - started;
    for (const h of hashes) if ((await biz.waitTx(h)).code !== 0) throw new Error(`source tx ${h} failed`);
    if ((await qos.seqs(biz.id)).inSequence !== target) throw new Error("more deliveries than messages");
    // STAR arrives as a voucher (its denom names its route once vouchers are namespaced): all of bob's
    // coins but uqos are vouchers from this run
    const vouchers = (await allBalances(qos, bob.address)).filter((c) => c.denom !== "uqos");
    if (vouchers.length !== 1 || BigInt(vouchers[0].amount) !== target) throw new Error(`bob holds ${JSON.stringify(vouchers)} on QOS, not ${target} vouchers`);

    const txs = (await deliveryTxs(qos, biz.id)).filter((t) => t.height > warm.height && t.code === 0 && t.sequences.length > 0);
    const first = await blockTimeMs(qos, txs[0].height);
    const last = await blockTimeMs(qos, txs[txs.length - 1].height);
    const perBlock = new Map<number, number>();
    for (const t of txs) perBlock.set(t.height, (perBlock.get(t.height) ?? 0) + t.sequences.length);
    let appMs = 0;
    for (const m of qos.node.output.matchAll(/committed height (\d+) txs \d+ finalize_ms ([\d.]+) commit_ms ([\d.]+)/g)) {
      if (perBlock.has(Number(m[1]))) appMs += Number(m[2]) + Number(m[3]);
    }
    const result: RunResult = {
      run, messages, endToEndMs, msgsPerSec: (messages * 1000) / endToEndMs,
      deliverySpanMs: last - first, relayerRoundMsP50: median([...relayer.output.matchAll(/delivered #\d+\.\.#\d+ \(\d+\).*?, (\d+) ms,/g)].map((m) => Number(m[1]))), deliveryTxs: txs.length, maxPerTx: Math.max(...txs.map((t) => t.sequences.length)),
      appMsPerDelivery: appMs / messages, gasOneRecv: warm.gasUsed, gasPerRecvInBatch: median(txs.map((t) => Number(t.gasUsed) / t.sequences.length)),
    };
    log(`run ${run}: ${messages} messages in ${endToEndMs} ms = ${result.msgsPerSec.toFixed(0)} msg/s end to end; ${txs.length} delivery txs (≤ ${result.maxPerTx} each) over ${result.deliverySpanMs} ms of QOS block time, relayer round p50 ${result.relayerRoundMsP50} ms; QOS app ${result.appMsPerDelivery.toFixed(2)} ms per delivery; gas: one MsgRecvQcp tx ${warm.gasUsed}, ${result.gasPerRecvInBatch.toFixed(0)} per delivery in batches`);
    return result;
  } finally {
    await pair.destroy();
  }
}

async function main(): Promise<void> {
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) results.push(await oneRun(run));
  const rates = results.map((r) => r.msgsPerSec);
  const summary = {
    msgsPerSec: median(rates),
    noise: { min: Math.min(...rates), max: Math.max(...rates) },
    appMsPerDelivery: median(results.map((r) => r.appMsPerDelivery)),
    gasOneRecv: median(results.map((r) => Number(r.gasOneRecv))),
    gasPerRecvInBatch: median(results.map((r) => r.gasPerRecvInBatch)),
    goal1000: median(rates) >= 1000,
  };
  const report = {
    startedAt: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    options: { messages, perTx, runs, timeoutCommit: args["timeout-commit"], maxBatch: int("max-batch"), gasPerMsg: int("gas-per-msg") },
    results: results.map((r) => ({ ...r, gasOneRecv: String(r.gasOneRecv) })), summary,
  };
  const dir = join(repoRoot, "bench/results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `qcp-${report.startedAt.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  const f = (n: number) => n.toFixed(0);
  console.log(
    [
      `QCP benchmark, ${report.startedAt}: ${report.machine.cpus} CPUs (${report.machine.model}), Node ${report.machine.node}; both chains, the relayer and this process share them`,
      `load: ${messages} MsgTransfer business → QOS in txs of ${perTx}, all broadcast at once; timeout_commit ${args["timeout-commit"]}; relayer max_batch ${int("max-batch")}`,
      ...results.map((r) => `  run ${r.run}: ${f(r.msgsPerSec)} msg/s (${r.endToEndMs} ms), ${r.deliveryTxs} delivery txs, QOS delivery span ${r.deliverySpanMs} ms, relayer round p50 ${r.relayerRoundMsP50} ms`),
      `median ${f(summary.msgsPerSec)} msg/s end to end (runs ${rates.map(f).join(", ")}; min ${f(summary.noise.min)}, max ${f(summary.noise.max)}); goal ≥ 1,000/s ${summary.goal1000 ? "met" : "MISSED"}`,
      `QOS app time (FinalizeBlock + Commit) per delivered message ${summary.appMsPerDelivery.toFixed(2)} ms: its one thread alone would allow ${f(1000 / summary.appMsPerDelivery)} msg/s`,
      `gas: a tx with one MsgRecvQcp ${f(summary.gasOneRecv)}; per MsgRecvQcp in a batch ${f(summary.gasPerRecvInBatch)}`,
      `report: ${file}`,
    ].join("\n"),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
