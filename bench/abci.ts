// npm run bench:abci: qosd's CPU per signed transfer in-process, by ABCI phase, without CometBFT, RPC or
// sockets (bench/README.md "In-process"). The mempool is modelled as CometBFT runs it under load: two
// rounds of transfers (one per account each) wait in it; each block commits the older round, the
// younger is rechecked, and the next round arrives as new txs. `--process` sends the same requests to a real
// `qosd start` over its ABCI socket (bench/abci-process.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { CheckTxType, type RequestFinalizeBlock, type RequestInitChain } from "cosmjs-types/tendermint/abci/types";
import { openApp } from "../chain/index.js";
import { runProcessBench, type FlushShape } from "./abci-process.js";
import { median } from "./measure.js";
import { Denom, makeAccounts, signTransfer } from "./txs.js";

const { values: args } = parseArgs({
  options: {
    accounts: { type: "string", default: "3000" },
    rounds: { type: "string", default: "6" },
    backend: { type: "string", default: "memory" },
    denom: { type: "string", default: Denom },
    "mining-hook": { type: "string", default: "on" },
    process: { type: "boolean", default: false },
    chunk: { type: "string", default: "10" },
    window: { type: "string", default: "64" },
    flush: { type: "string", default: "pairs" },
    "node-flags": { type: "string", default: "" },
    "verify-workers": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (args.help) {
  console.log(`npm run bench:abci -- [options]
  --accounts N     funded accounts = txs per block (default 3000)
  --rounds N       measured blocks (default 6; the first is a warm-up and not counted)
  --backend B      memory|disk state backend (default memory)
  --denom D        the transfers move D: uqos, or a QSC the genesis creates (no mining scenario) (default uqos)
  --mining-hook H  on|off: off takes mining's balance hook off bank, as if the module were not there (default on)
  --process        drive a real \`qosd start --abci-only\` (a bench node's home and config) over its ABCI socket
                   and report its process CPU; the app hash must equal the in-process one. With it:
    --chunk N        CheckTx requests per socket write (default 10, as the bench's RPC batches)
    --window N       writes of CheckTx unanswered at most (default 64)
    --flush F        pairs: a Flush after every CheckTx (stock CometBFT); chunk: one per write (patched) (default pairs)
    --node-flags S   node options for qosd, space-separated (e.g. "--max-semi-space-size=16")
    --verify-workers N  qosd start --verify-workers N (default: the config's, 1)`);
  process.exit(0);
}

const accountCount = Math.max(1, Number(args.accounts));
const rounds = Math.max(2, Number(args.rounds));
const chainId = "qos-bench-abci";
const denom = args.denom ?? Denom;
const Balance = "1000000000000";

/** CPU time (user + system) of this process in µs */
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** The InitChain both modes send: the accounts funded with `denom` (and uqos for the fees) */
function initChainRequest(accounts: ReturnType<typeof makeAccounts>): RequestInitChain {
  return {
    time: { seconds: 1_800_000_000n, nanos: 0 },
    chainId,
    validators: [],
    appStateBytes: new TextEncoder().encode(JSON.stringify({
      auth: { accounts: accounts.map((a) => ({ address: a.address })) },
      bank: {
        balances: accounts.map((a) => ({
          address: a.address,
          coins: (denom === Denom ? [Denom] : [denom, Denom].sort()).map((d) => ({ denom: d, amount: Balance })),
        })),
      },
      ...(denom === Denom ? {} : { qsc: { tokens: [{ name: denom, symbol: denom, banker: accounts[0].address, paused: false }] } }),
    })),
    initialHeight: 1n,
  };
}

function finalizeRequest(height: number, txs: Uint8Array[]): RequestFinalizeBlock {
  return {
    txs,
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32),
    height: BigInt(height),
    time: { seconds: 1_800_000_000n + BigInt(height), nanos: 0 },
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  };
}

const per = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

async function processMain(): Promise<void> {
  if (args["mining-hook"] !== "on" || args.backend !== "memory") throw new Error("--process runs the node's own config: no --mining-hook or --backend");
  const accounts = makeAccounts(accountCount, accountCount, denom);
  const txs = Array.from({ length: rounds + 2 }, (_, seq) => accounts.map((a, i) => signTransfer(a, i, seq, chainId)));
  const flush = args.flush as FlushShape;
  if (flush !== "pairs" && flush !== "chunk") throw new Error("--flush is pairs or chunk");
  const nodeFlags = (args["node-flags"] ?? "").split(" ").filter((f) => f !== "");
  const res = await runProcessBench({
    rounds: txs, initChain: initChainRequest(accounts), finalizeRequest, chunk: Math.max(1, Number(args.chunk)),
    window: Math.max(1, Number(args.window)), flush, nodeFlags, idleMs: 3000,
    verifyWorkers: args["verify-workers"] === undefined ? undefined : Number(args["verify-workers"]),
  });
  const measuredTxs = accountCount * (rounds - 1);
  console.log(`qosd process (${res.verifier}${nodeFlags.length ? `, node ${nodeFlags.join(" ")}` : ""}, verify workers ${args["verify-workers"] ?? "as configured"}): ` +
    `${accountCount} transfers of ${denom} per block, ${rounds - 1} measured blocks, CheckTx in writes of ${args.chunk} ` +
    `(${flush === "pairs" ? "a Flush after each" : "one Flush per write"}), ${args.window} writes in flight: ` +
    `µs of qosd CPU per tx (10 ms ticks), median (min–max), all threads | main thread`);
  const row = (name: string, of: (p: typeof res.phases) => number[]) => console.log(`  ${name.padEnd(13)} ${per(of(res.phases)).padEnd(16)} | ${per(of(res.mainPhases))}`);
  const totalsOf = (p: typeof res.phases) => p.checkTx.map((_, i) => p.checkTx[i] + p.proposal[i] + p.finalize[i] + p.commit[i] + p.recheck[i]);
  row("CheckTx new", (p) => p.checkTx);
  row("proposal", (p) => p.proposal);
  row("FinalizeBlock", (p) => p.finalize);
  row("Commit", (p) => p.commit);
  row("recheck", (p) => p.recheck);
  row("total", totalsOf);
  console.log(`  over the measured blocks: ${((res.cpuMs * 1000) / measuredTxs).toFixed(0)} µs of CPU per tx, main thread ${((res.mainCpuMs * 1000) / measuredTxs).toFixed(0)} µs; ` +
    `${res.txPerSecond.toFixed(0)} tx/s of wall time (this flow, no CometBFT)`);
  const gcTotal = Object.values(res.gcMs).reduce((a, b) => a + b, 0);
  const gcKinds = Object.entries(res.gcMs).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v.toFixed(0)} ms`).join(", ");
  console.log(`  GC ${((gcTotal * 1000) / measuredTxs).toFixed(0)} µs per tx, ${((100 * gcTotal) / res.cpuMs).toFixed(1)}% of qosd's CPU (${gcKinds}); ` +
    `idle qosd ${res.idlePercent.toFixed(1)}% of a core; RSS ${res.rssMiB.toFixed(0)} MiB`);
  console.log(`  app hash at ${rounds + 1}: ${res.appHash}`);
}

async function main(): Promise<void> {
  const accounts = makeAccounts(accountCount, accountCount, denom);
  // rounds + 2: the last measured block leaves two rounds in the mempool
  const txs = Array.from({ length: rounds + 2 }, (_, seq) => accounts.map((a, i) => signTransfer(a, i, seq, chainId)));
  const dir = mkdtempSync(join(tmpdir(), "qos-bench-abci-"));
  const app = await openApp({
    dbPath: join(dir, "app.db"),
    minGasPrice: "0.025uqos",
    stateBackend: args.backend === "disk" ? "disk" : "memory",
    log: () => {},
  });
  if (args["mining-hook"] === "off") {
    // bank keeps its hooks private: the benchmark alone takes mining's off, to measure what it costs
    (app.keepers.bank as unknown as { balanceHooks: unknown[] }).balanceHooks.length = 0;
  }
  try {
    app.initChain(initChainRequest(accounts));
    let height = 0;
    const finalize = (blockTxs: Uint8Array[]) => app.finalizeBlock(finalizeRequest(++height, blockTxs));
    const check = (tx: Uint8Array, type: CheckTxType) => {
      const res = app.checkTx({ tx, type });
      if (res.code !== 0) throw new Error(`CheckTx (${type === CheckTxType.NEW ? "new" : "recheck"}) refused a transfer: ${res.codespace} ${res.code} ${res.log}`);
    };
    // one function per phase, so that a CPU profile (node --cpu-prof) separates them
    const checkNew = (tx: Uint8Array) => check(tx, CheckTxType.NEW);
    const recheck = (tx: Uint8Array) => check(tx, CheckTxType.RECHECK);
    finalize([]);
    await app.commit();
    for (const tx of txs[0]) checkNew(tx);
    for (const tx of txs[1]) checkNew(tx);
    const phases = { checkTx: [] as number[], finalize: [] as number[], commit: [] as number[], recheck: [] as number[] };
    let gcMs = 0;
    let cpuFrom = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration;
    });
    for (let r = 0; r < rounds; r++) {
      if (r === 1) {
        gc.observe({ entryTypes: ["gc"] });
        cpuFrom = cpuNow();
      }
      const t0 = cpuNow();
      const res = finalize(txs[r]);
      const t1 = cpuNow();
      await app.commit();
      const t2 = cpuNow();
      for (const tx of txs[r + 1]) recheck(tx);
      const t3 = cpuNow();
      for (const tx of txs[r + 2]) checkNew(tx);
      const t4 = cpuNow();
      const failed = res.txResults.filter((x) => x.code !== 0);
      if (failed.length > 0) throw new Error(`${failed.length} transfers failed in block ${height}: ${failed[0].code} ${failed[0].log}`);
      if (r === 0) continue; // warm-up
      phases.finalize.push((t1 - t0) / accountCount);
      phases.commit.push((t2 - t1) / accountCount);
      phases.recheck.push((t3 - t2) / accountCount);
      phases.checkTx.push((t4 - t3) / accountCount);
    }
    const totals = phases.checkTx.map((_, i) => phases.checkTx[i] + phases.finalize[i] + phases.commit[i] + phases.recheck[i]);
    console.log(`${accountCount} transfers of ${denom} per block, ${rounds - 1} measured blocks, ${args.backend} backend, mining hook ${args["mining-hook"]}: µs of CPU per tx, median (min–max)`);
    console.log(`  CheckTx new   ${per(phases.checkTx)}`);
    console.log(`  FinalizeBlock ${per(phases.finalize)}`);
    console.log(`  Commit        ${per(phases.commit)}`);
    console.log(`  recheck       ${per(phases.recheck)}`);
    console.log(`  total         ${per(totals)}`);
    await new Promise((resolve) => setImmediate(resolve)); // the last GC entries are delivered
    gc.disconnect();
    const measured = accountCount * (rounds - 1);
    console.log(`  GC ${((gcMs * 1000) / measured).toFixed(0)} µs per tx, ${((100 * gcMs * 1000) / (cpuNow() - cpuFrom)).toFixed(1)}% of the CPU`);
    console.log(`  app hash at ${height}: ${Buffer.from(app.store.latest.appHash).toString("hex")}`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await (args.process ? processMain() : main());
