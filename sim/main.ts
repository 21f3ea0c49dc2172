// npm run sim -- --seed S --blocks N [--txs MAX_PER_BLOCK] [--hostile PER_MILLE] [--no-export] [--exchange]
// Prints the seed first (a failing seed replays exactly), then a one-line summary; exits 1 on a failure.
import { runSimulation } from "./run.js";
import { SimFailure } from "./chain.js";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seed = arg("seed") ?? String(process.pid); // a seed must be given to replay; the default is printed
const blocks = Number(arg("blocks") ?? 200);
const maxTxs = arg("txs") ? Number(arg("txs")) : undefined;
const hostile = arg("hostile") ? Number(arg("hostile")) : undefined;
const verbose = process.argv.includes("--verbose");
console.log(`seed ${seed}, ${blocks} blocks`);
try {
  const s = await runSimulation({
    seed, blocks, maxTxsPerBlock: maxTxs, hostilePerMille: hostile, exportCheck: !process.argv.includes("--no-export"), exchangeTraffic: process.argv.includes("--exchange"), miningTraffic: process.argv.includes("--mining"),
    log: (line) => console.log(line),
  });
  const refused = Object.entries(s.refused).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k}:${n}`).join(" ");
  console.log(
    `seed ${s.seed}: ${s.blocks} blocks, ${s.txsSent} txs sent (${s.hostileSent} hostile), ${s.txsAccepted} accepted, refused by code {${refused}}, ` +
      `${s.invariantChecks} invariant checks, ${s.qcpDelivered} QCP deliveries in ${s.peerBlocks} peer blocks, ${s.evidence} evidence, ${s.queries.answered + s.queries.refused} random queries (${s.queries.refused} refused), app hash ${s.appHash}`,
  );
  if (s.exportCheck) console.log(s.exportCheck);
  if (verbose) for (const [k, v] of Object.entries(s.byKind).sort(([x], [y]) => (x < y ? -1 : 1))) console.log(`  ${k}: ${v.sent} sent, ${v.accepted} accepted`);
  if (s.hostileAccepted.length > 0) {
    console.log(`FAILED: ${s.hostileAccepted.length} hostile txs that must be refused were accepted:\n  ${s.hostileAccepted.slice(0, 20).join("\n  ")}`);
    process.exit(1);
  }
  if (s.internalErrors.length > 0) {
    console.log(`FAILED: ${s.internalErrors.length} internal errors (exceptions inside handlers):\n  ${s.internalErrors.slice(0, 20).join("\n  ")}`);
    process.exit(1);
  }
} catch (e) {
  if (e instanceof SimFailure) console.log(`FAILED (seed ${seed}): ${e.message}`);
  else console.log(`FAILED (seed ${seed}): ${(e as Error).stack ?? e}`);
  process.exit(1);
}
