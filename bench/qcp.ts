// npm run bench:qcp — QCP messages delivered per second end to end between two local chains (QOS and
// a business chain, one real qosd + CometBFT each, testnet/qcp-pair.ts) by the real relayer process
// (cmd/relayer), and the gas of one delivery. See bench/README.md ("QCP").
//
// A run: fresh chains, one relayer on both routes; `--messages` MsgTransfer (1 STAR each) go from the
// business chain to QOS in txs of `--per-tx` messages, all broadcast at once; the clock runs from the
// first broadcast until QOS's in-sequence from the business chain reaches the last one. The results
// coming back (one per message, business ← QOS) are not waited for: they ride on the reverse route.
// Gas: every QOS tx that delivered entries (tx_search qcp_recv.from) gives gas_used and its number of
// deliveries. Before the relayer starts, one transfer is delivered by the relayer's own code (see
// DishonestRelayer.honestUpdateAndRecv): a MsgUpdateClient alone in a tx, then the MsgRecvQcp alone in
// a tx, whose gas_used are the figures of one update and one delivery.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { repoRoot } from "../cmd/common/cometbft.js";
import { TypeUrl } from "../gen/names.js";
import { startQcpPair, sleep, type Chain } from "../testnet/qcp-pair.js";
import type { TestAccount } from "../test/helpers/wallet.js";
import { updateMsg } from "../cmd/relayer/client.js";
import { MsgRecvQcp, MsgTransfer } from "../gen/qos/qcp/v1/tx.js";
import { outboxKeyBytes } from "../modules/qcp/index.js";
import { allBalances, chainClients, deliveryTxs } from "../testnet/qcp-network.js";
import { DishonestRelayer } from "../testnet/dishonest-relayer.js";
import { median } from "./measure.js";
import { cpuSeconds } from "./nodes.js";

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "2000" },
    "per-tx": { type: "string", default: "50" },
    runs: { type: "string", default: "3" },
    "timeout-commit": { type: "string", default: "250ms" },
    "max-batch": { type: "string", default: "63" },
    "gas-per-msg": { type: "string", default: "400000" },
    relay: { type: "string", default: "process" },
    "source-first": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (args.help) {
  console.log(`npm run bench:qcp -- [options]
  --messages N        transfers business chain → QOS per run (default 2000)
  --per-tx N          MsgTransfer per source tx (default 50)
  --runs N            fresh pairs of chains; medians are reported (default 3)
  --timeout-commit D  CometBFT timeout_commit of both chains (default 250ms)
  --max-batch N       relayer max_batch: entries per delivery tx (default 63: a tx holds at most 64 messages, one is the client update)
  --gas-per-msg N     relayer gas_per_msg (default 400000)
  --relay process|direct
                      process: the relayer process (cmd/relayer) delivers (default); direct: this
                      process does, pipelined (proofs fetched 16 at a time, every delivery tx of a
                      round broadcast without waiting for the previous one), to measure what the
                      chains allow when the relayer is not the limit
  --source-first      start the relayer only once the source has committed every transfer: the
                      source's rate and the relayer's drain rate, each alone`);
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
if (args.relay !== "process" && args.relay !== "direct") throw new Error("--relay must be process or direct");
const direct = args.relay === "direct";
const sourceFirst = args["source-first"];

/** CPU seconds so far of each process of a run: both qosd and their CometBFT, the relayer, this one. */
function cpuByProcess(pair: { qos: Chain; biz: Chain }, relayerPid: number | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, chain] of [["qos", pair.qos], ["biz", pair.biz]] as const) {
    const pid = chain.node.pid;
    if (!pid) continue;
    out[`${name} qosd`] = cpuSeconds(pid) ?? NaN;
    try {
      // (qosd supervises its CometBFT: its one child)
      const child = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)[0]);
      if (child) out[`${name} cometbft`] = cpuSeconds(child) ?? NaN;
    } catch {
      // not Linux
    }
  }
  if (relayerPid) out.relayer = cpuSeconds(relayerPid) ?? NaN;
  const self = process.cpuUsage();
  out.bench = (self.user + self.system) / 1e6;
  return out;
}

/** `f` over `items`, at most `limit` at a time, results in order. */
async function mapLimit<T, R>(items: T[], limit: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  }));
  return out;
}

/**
 * Delivers the source's outbox toward `dst` up to `target` as a pipelined relayer would: each round
 * updates the client to the source's latest header H (in the round's first tx), fetches the proofs at
 * H - 1 16 at a time and broadcasts every tx of the round (≤ 64 messages each) back to back with
 * locally tracked account sequences, then waits for the last one.
 */
async function directRelay(src: Chain, dst: Chain, signer: TestAccount, target: bigint): Promise<void> {
  const [source, destination] = chainClients([src, dst], 0);
  for (;;) {
    const delivered = (await dst.seqs(src.id)).inSequence;
    if (delivered >= target) return;
    const client = (await destination.client(src.id))!.clientState!;
    const height = BigInt(await source.latestHeight());
    const msgs: EncodeObject[] = [];
    if (height > client.latestHeight) {
      msgs.push(updateMsg(signer.address, src.id, { block: await source.lightBlock(height), trustedHeight: client.latestHeight, trustedValidators: await source.validatorSet(client.latestHeight + 1n) }));
    }
    const head = (await source.sequences(dst.id, Number(height - 1n))).outSequence;
    const last = head < target ? head : target;
    const seqs = Array.from({ length: Number(last - delivered) }, (_, i) => delivered + 1n + BigInt(i));
    const proven = await mapLimit(seqs, 16, (seq) => source.abciQuery("/store/key", outboxKeyBytes(dst.id, seq), Number(height - 1n), true));
    msgs.push(...proven.map(({ value, proof }) => ({ typeUrl: TypeUrl.qos.qcp.v1.MsgRecvQcp, value: MsgRecvQcp.fromPartial({ relayer: signer.address, entry: value, proofHeight: height, proof }) })));
    if (seqs.length === 0) {
      await sleep(50);
      continue;
    }
    const hashes: string[] = [];
    for (let i = 0; i < msgs.length; i += 64) hashes.push(await dst.broadcast(signer, msgs.slice(i, i + 64)));
    for (const h of hashes) {
      const res = await dst.waitTx(h, 60_000);
      if (res.code !== 0) throw new Error(`direct delivery refused: ${res.log}`);
    }
  }
}

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
  /** first broadcast → every source tx committed */
  sourceMs: number;
  /** relayer start → last delivered (= endToEndMs unless --source-first) */
  relayMs: number;
  /** CPU milliseconds per message of each process over the measured window (first broadcast → last
   *  delivered; the relayer's from its start when --source-first) */
  cpuMsPerMsg: Record<string, number>;
  /** QOS block time of the first → last block with deliveries of this run (the relayer's drain rate) */
  deliverySpanMs: number;
  deliveryTxs: number;
  maxPerTx: number;
  /** the relayer's median time from broadcasting a delivery tx to seeing it executed (its "delivered … ms" lines) */
  relayerRoundMsP50: number;
  /** QOS's own FinalizeBlock + Commit time per delivered message (its log lines, delivery blocks only):
   *  1000 ÷ this = what QOS's single app thread could deliver per second if the relayer never waited */
  appMsPerDelivery: number;
  /** gas_used of a tx with one MsgUpdateClient (a header of the 1-validator business chain) */
  gasUpdate: bigint;
  updateAdjacent: boolean;
  /** gas_used of a tx with one MsgRecvQcp */
  gasOneRecv: bigint;
  /** median gas_used ÷ deliveries over this run's delivery txs */
  gasPerRecvInBatch: number;
}

const cpuText = (cpu: Record<string, number>) => Object.entries(cpu).map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(", ");

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
    // warm-up, for the gas figures: one message delivered by the relayer's code, update and delivery in a tx each
    const warmTx = await biz.submit(alice, [transfer(qos.id, alice.address, bob.address)]);
    await biz.node.waitForHeight(warmTx.height + 1);
    const clients = chainClients([qos, biz], 0);
    const gas = await (await DishonestRelayer.connect(clients[1], clients[0])).honestUpdateAndRecv();
    const [warm] = await deliveryTxs(qos, biz.id);
    // results flow back (QOS -> business) through the relayer process in both modes; in direct mode it
    // carries only those: the business -> QOS route is this process's
    const relayer = await pair.relayer(0, {
      max_batch: int("max-batch"), gas_per_msg: int("gas-per-msg"), poll_interval_ms: 100, ...(direct ? { routes: [{ from: qos.id, to: biz.id }] } : {}),
    });
    if (!sourceFirst) relayer.start();
    const base = 1n;

    const cpuBefore = cpuByProcess(pair, relayer.pid);
    const started = Date.now();
    const hashes: string[] = [];
    for (let sent = 0; sent < messages; sent += perTx) {
      const n = Math.min(perTx, messages - sent);
      hashes.push(await biz.broadcast(alice, Array.from({ length: n }, () => transfer(qos.id, alice.address, bob.address))));
    }
    const target = base + BigInt(messages);
    // when the source has committed every transfer (its own share of the end-to-end time)
    let sourceMs = NaN;
    const sourceDone = (async () => {
      for (const h of hashes) if ((await biz.waitTx(h, 600_000)).code !== 0) throw new Error(`source tx ${h} failed`);
      sourceMs = Date.now() - started;
    })();
    let relayStarted = started;
    if (sourceFirst) {
      await sourceDone;
      relayStarted = Date.now();
      relayer.start();
    }
    if (direct) await directRelay(biz, qos, pair.relayers[0], target);
    await waitUntil(`${messages} deliveries`, async () => (await qos.seqs(biz.id)).inSequence >= target, 600_000, () => relayer.output);
    const endToEndMs = Date.now() - started;
    const relayMs = Date.now() - relayStarted;
    const cpuAfter = cpuByProcess(pair, relayer.pid);
    await sourceDone;
    const dir = join(repoRoot, "bench/results");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `qcp-relayer-run${run}-${new Date().toISOString().replace(/[:.]/g, "-")}.log`), relayer.output);
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
      run, messages, endToEndMs, msgsPerSec: (messages * 1000) / endToEndMs, sourceMs, relayMs,
      cpuMsPerMsg: Object.fromEntries(Object.entries(cpuAfter).map(([name, seconds]) => [name, ((seconds - (cpuBefore[name] ?? 0)) * 1000) / messages])),
      deliverySpanMs: last - first, relayerRoundMsP50: direct ? NaN : median([...relayer.output.matchAll(/delivered #\d+\.\.#\d+ \(\d+\).*?, (\d+) ms,/g)].map((m) => Number(m[1]))), deliveryTxs: txs.length, maxPerTx: Math.max(...txs.map((t) => t.sequences.length)),
      appMsPerDelivery: appMs / messages, gasUpdate: gas.updateGas, updateAdjacent: gas.adjacent, gasOneRecv: gas.recvGas, gasPerRecvInBatch: median(txs.map((t) => Number(t.gasUsed) / t.sequences.length)),
    };
    log(`run ${run}: ${messages} messages in ${endToEndMs} ms = ${result.msgsPerSec.toFixed(0)} msg/s end to end; source committed all after ${sourceMs} ms; ${txs.length} delivery txs (≤ ${result.maxPerTx} each) over ${result.deliverySpanMs} ms of QOS block time (${((messages * 1000) / result.deliverySpanMs).toFixed(0)} msg/s), relayer tx latency p50 ${result.relayerRoundMsP50} ms;${sourceFirst ? ` relayed alone in ${relayMs} ms (${((messages * 1000) / relayMs).toFixed(0)} msg/s);` : ""} CPU ms per message ${cpuText(result.cpuMsPerMsg)}; QOS app ${result.appMsPerDelivery.toFixed(2)} ms per delivery; gas: MsgUpdateClient tx ${gas.updateGas} (${gas.adjacent ? "adjacent" : "skipping"}), MsgRecvQcp tx ${gas.recvGas}, ${result.gasPerRecvInBatch.toFixed(0)} per delivery in batches (update included)`);
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
    deliveryMsgsPerSec: median(results.map((r) => (r.messages * 1000) / r.deliverySpanMs)),
    sourceMs: median(results.map((r) => r.sourceMs)),
    sourceMsgsPerSec: median(results.map((r) => (r.messages * 1000) / r.sourceMs)),
    relayMsgsPerSec: median(results.map((r) => (r.messages * 1000) / r.relayMs)),
    cpuMsPerMsg: Object.fromEntries(Object.keys(results[0].cpuMsPerMsg).map((name) => [name, median(results.map((r) => r.cpuMsPerMsg[name]))])),
    appMsPerDelivery: median(results.map((r) => r.appMsPerDelivery)),
    gasUpdate: median(results.map((r) => Number(r.gasUpdate))),
    gasOneRecv: median(results.map((r) => Number(r.gasOneRecv))),
    gasPerRecvInBatch: median(results.map((r) => r.gasPerRecvInBatch)),
    goal1000: median(rates) >= 1000,
  };
  const report = {
    startedAt: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    options: { messages, perTx, runs, relay: args.relay, sourceFirst, timeoutCommit: args["timeout-commit"], maxBatch: int("max-batch"), gasPerMsg: int("gas-per-msg") },
    results: results.map((r) => ({ ...r, gasUpdate: String(r.gasUpdate), gasOneRecv: String(r.gasOneRecv) })), summary,
  };
  const dir = join(repoRoot, "bench/results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `qcp-${report.startedAt.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
  const f = (n: number) => n.toFixed(0);
  console.log(
    [
      `QCP benchmark, ${report.startedAt}: ${report.machine.cpus} CPUs (${report.machine.model}), Node ${report.machine.node}; both chains, the relayer and this process share them`,
      `load: ${messages} MsgTransfer business → QOS in txs of ${perTx}, all broadcast at once${sourceFirst ? ", the relayer started once all are committed" : ""}; timeout_commit ${args["timeout-commit"]}; ${direct ? "delivered by this process, pipelined (--relay direct)" : `relayer process, max_batch ${int("max-batch")}`}`,
      ...results.map((r) => `  run ${r.run}: ${f(r.msgsPerSec)} msg/s (${r.endToEndMs} ms; source committed after ${r.sourceMs} ms), ${r.deliveryTxs} delivery txs, QOS delivery span ${r.deliverySpanMs} ms = ${f((r.messages * 1000) / r.deliverySpanMs)} msg/s, relayer tx latency p50 ${r.relayerRoundMsP50} ms`),
      `median ${f(summary.msgsPerSec)} msg/s end to end (runs ${rates.map(f).join(", ")}; min ${f(summary.noise.min)}, max ${f(summary.noise.max)}); goal ≥ 1,000/s ${summary.goal1000 ? "met" : "MISSED"}`,
      `median delivery rate on QOS ${f(summary.deliveryMsgsPerSec)} msg/s (messages ÷ block-time span of the delivery blocks); the source took ${f(summary.sourceMs)} ms to commit the transfers`,
      `source alone: median ${f(summary.sourceMsgsPerSec)} msg/s committed${sourceFirst ? `; then the relayer alone: median ${f(summary.relayMsgsPerSec)} msg/s delivered (relayer start → last delivered)` : ""}`,
      `CPU ms per message (median; 1,000 msg/s needs the sum ≤ ${(cpus().length * 1000) / 1000} ms on ${cpus().length} cores): ${cpuText(summary.cpuMsPerMsg)}, sum ${Object.values(summary.cpuMsPerMsg).reduce((a, b) => a + b, 0).toFixed(2)}`,
      `QOS app time (FinalizeBlock + Commit) per delivered message ${summary.appMsPerDelivery.toFixed(2)} ms: its one thread alone would allow ${f(1000 / summary.appMsPerDelivery)} msg/s`,
      `gas: a tx with one MsgUpdateClient (1-validator header) ${f(summary.gasUpdate)}; a tx with one MsgRecvQcp ${f(summary.gasOneRecv)}; per MsgRecvQcp in the relayer's batches ${f(summary.gasPerRecvInBatch)} (their update included)`,
      `report: ${file}`,
    ].join("\n"),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
