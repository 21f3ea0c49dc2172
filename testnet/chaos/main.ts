// npm run chaos -- --seed S --minutes M [--validators 4] [--out DIR] [--keep]
// A chaos run (testnet/chaos/run.ts, docs/chaos.md): prints a summary, writes DIR/report.json and
// DIR/txs.jsonl, exits 1 when a committed tx went missing, nodes diverged or liveness did not return.
import { Command } from "commander";
import { runChaos, summary } from "./run.js";

const program = new Command("chaos")
  .description("a 4-validator + 1 full node network under mixed load and seeded faults (kill -9, SIGSTOP, lagging nodes, upgrades)")
  .requiredOption("--seed <seed>", "the seed: faults, their targets and timings, the load's mix and accounts")
  .requiredOption("--minutes <m>", "minutes of faults (decimals allowed); setup and final checks come on top", Number)
  .option("--validators <n>", "genesis validators", Number, 4)
  .option("--senders <n>", "load accounts sending concurrently", Number, 8)
  .option("--out <dir>", "where report.json, txs.jsonl and the network's folder go (default chaos-out/seed-<seed>)")
  .option("--recovery-bound <seconds>", "seconds a fault may take to recover after it is lifted", Number, 90)
  .option("--keep", "keep the network's folder even when the run passed (it is kept when it failed)", false)
  .addHelpText("after", "\nExamples:\n  npm run chaos -- --seed 1 --minutes 2\n  npm run chaos -- --seed nightly-7 --minutes 30 --out /tmp/chaos-7");
program.parse();
const opts = program.opts();
if (!(opts.minutes > 0)) throw new Error(`--minutes must be positive, not ${opts.minutes}`);

const { report } = await runChaos({
  seed: String(opts.seed), minutes: opts.minutes, validators: opts.validators, senders: opts.senders, out: opts.out,
  recoveryBoundMs: opts.recoveryBound * 1000, keep: opts.keep,
});
console.log(summary(report));
process.exit(report.ok ? 0 : 1);
