// npm run bench:mining: what a mining settlement and a claim cost qosd as the number of holders grows
// (issue 19: the settlement must not loop over holders or payments). In-process, without CometBFT: for
// each holder count, a chain whose genesis gives that many accounts the scenario's QSC; every round is a
// block with payments, the block that settles the period (nothing else in it), a block with one claim,
// and an empty block as the baseline. CPU time (process.cpuUsage) of each FinalizeBlock, medians.
// Not a test: the figures depend on the machine; the report goes to bench/results/mining-<date>.json.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { TxBody } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { parseAccAddress, toAccAddress } from "../app/address.js";
import { BaseDenom } from "../app/coins.js";
import { GasMeter, GasStore } from "../app/gas.js";
import { CacheStore } from "../app/state/kv.js";
import { openApp } from "../chain/index.js";
import { TypeUrl } from "../gen/names.js";
import { MsgClaim, MsgCreateScenario, MsgPay } from "../gen/qos/mining/v1/tx.js";
import { median } from "./measure.js";
import { Denom, makeAccounts, signBody, type BenchAccount } from "./txs.js";

const { values: args } = parseArgs({
  options: {
    holders: { type: "string", default: "10,100000" },
    rounds: { type: "string", default: "7" },
    payments: { type: "string", default: "20" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (args.help) {
  console.log(`npm run bench:mining -- [options]
  --holders N,M    holder counts to compare (default 10,100000)
  --rounds N       settled periods per holder count (default 7; the first is a warm-up and not counted)
  --payments N     payments in each period (default 20)`);
  process.exit(0);
}

const chainId = "qos-bench-mining";
const Qsc = "STAR";
const PeriodSecs = 100n;
const GenesisSeconds = 1_800_000_000n;
const Urls = TypeUrl.qos.mining.v1;
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** a holder that never signs: an address from a hash, no key */
const holderAddress = (i: number) => toAccAddress(createHash("sha256").update(`qos-bench-holder-${i}`).digest().subarray(0, 20));

const body = (typeUrl: string, value: Uint8Array) => TxBody.encode(TxBody.fromPartial({ messages: [{ typeUrl, value }] })).finish();

interface Figures {
  holders: number; settleUs: number[]; claimUs: number[]; emptyUs: number[]; payUs: number[];
  /** ns of CPU per call of bank's balance hook into mining, by denom kind, and the gas those calls used */
  hookNs: Record<string, number>; hookGas: Record<string, string>;
}

const HookCalls = 200_000;

/** Mining's balance hook alone, as bank calls it inside a tx (a metered branch): for uqos, for a QSC
 *  without a scenario (what every non-mining transfer pays) and for the mined QSC. */
function hookCost(app: Awaited<ReturnType<typeof openApp>>, holder: string): Pick<Figures, "hookNs" | "hookGas"> {
  const address = parseAccAddress(holder);
  const hookNs: Record<string, number> = {};
  const hookGas: Record<string, string> = {};
  for (const [kind, denom] of [["uqos", BaseDenom], ["QSC without a scenario", "NOSCENARIO"], ["mined QSC", Qsc]]) {
    const meter = new GasMeter();
    const store = new GasStore(new CacheStore(app.store.latest.reader), meter);
    const t0 = cpuNow();
    for (let i = 0; i < HookCalls; i++) app.keepers.mining.balanceChanged(store, address, denom, 1000n, 1000n);
    hookNs[kind] = ((cpuNow() - t0) * 1000) / HookCalls;
    hookGas[kind] = (meter.consumed / BigInt(HookCalls)).toString();
  }
  return { hookNs, hookGas };
}

async function measure(holderCount: number, rounds: number, payments: number, signers: BenchAccount[]): Promise<Figures> {
  const [banker, payer, payee] = signers;
  const holders = Array.from({ length: holderCount }, (_, i) => holderAddress(i));
  const dir = mkdtempSync(join(tmpdir(), "qos-bench-mining-"));
  const app = await openApp({ dbPath: join(dir, "app.db"), minGasPrice: "0.025uqos", stateBackend: "memory", log: () => {} });
  const sequences = new Map<BenchAccount, number>();
  const sign = (who: BenchAccount, typeUrl: string, value: Uint8Array) => {
    const sequence = sequences.get(who) ?? 0;
    sequences.set(who, sequence + 1);
    return signBody(who, body(typeUrl, value), signers.indexOf(who), sequence, chainId);
  };
  try {
    const funded = (coins: string[]) => coins.sort().map((denom) => ({ denom, amount: "1000000000000" }));
    app.initChain({
      time: { seconds: GenesisSeconds, nanos: 0 },
      chainId,
      validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify({
        auth: { accounts: [...signers.map((a) => ({ address: a.address })), ...holders.map((address) => ({ address }))] },
        bank: {
          balances: [
            ...signers.map((a) => ({ address: a.address, coins: funded([Denom, Qsc]) })),
            ...holders.map((address) => ({ address, coins: [{ denom: Qsc, amount: "1000" }] })),
          ],
        },
        qsc: { tokens: [{ name: Qsc, symbol: Qsc, banker: banker.address, paused: false }] },
        mining: { params: { max_commission_rate: "0.05", min_holder_share: "0.5", min_period_secs: 10, max_period_secs: 86400, rate_interval_blocks: 1, max_rate_change: "0.1", max_team_unlock_rate: "1" } },
      })),
      initialHeight: 1n,
    });
    let height = 0;
    const block = async (txs: Uint8Array[], seconds: bigint) => {
      height++;
      const t0 = cpuNow();
      const res = app.finalizeBlock({
        txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: BigInt(height),
        time: { seconds, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20),
      });
      const us = cpuNow() - t0;
      await app.commit();
      const failed = res.txResults.find((r) => r.code !== 0);
      if (failed) throw new Error(`a tx failed in block ${height}: ${failed.codespace} ${failed.code} ${failed.log}`);
      return { us, events: res.events };
    };
    const create = MsgCreateScenario.encode(MsgCreateScenario.fromPartial({
      banker: banker.address, denom: Qsc, community: banker.address, commissionRate: "0.01", minCommission: "1000", holderShare: "0.8",
      periodSecs: PeriodSecs, initialRate: "2", team: "", teamReserve: "0", teamUnlockRate: "0", teamUnlockCap: "0",
    })).finish();
    await block([sign(banker, Urls.MsgCreateScenario, create)], GenesisSeconds + 1n);
    const pay = MsgPay.encode(MsgPay.fromPartial({ payer: payer.address, payee: payee.address, denom: Qsc, amount: "100000", memo: "bench" })).finish();
    const claim = MsgClaim.encode(MsgClaim.fromPartial({ claimer: payer.address, denom: Qsc })).finish();
    const figures: Figures = { holders: holderCount, settleUs: [], claimUs: [], emptyUs: [], payUs: [], hookNs: {}, hookGas: {} };
    for (let r = 0; r < rounds; r++) {
      const start = GenesisSeconds + 1n + BigInt(r) * PeriodSecs;
      const paid = await block(Array.from({ length: payments }, () => sign(payer, Urls.MsgPay, pay)), start + 10n);
      const empty = await block([], start + 20n);
      const settled = await block([], start + PeriodSecs);
      if (!settled.events.some((e) => e.type === "mining_settle")) throw new Error(`block ${height} did not settle the period`);
      const claimed = await block([sign(payer, Urls.MsgClaim, claim)], start + PeriodSecs + 1n);
      if (r === 0) continue; // warm-up
      figures.payUs.push(paid.us / payments);
      figures.emptyUs.push(empty.us);
      figures.settleUs.push(settled.us);
      figures.claimUs.push(claimed.us);
    }
    return { ...figures, ...hookCost(app, holders[0]) };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

async function main(): Promise<void> {
  const counts = (args.holders ?? "").split(",").map(Number);
  const rounds = Math.max(2, Number(args.rounds));
  const payments = Math.max(1, Number(args.payments));
  const signers = makeAccounts(3);
  const load = loadavg()[0];
  const results: Figures[] = [];
  console.log(`load average ${load.toFixed(1)}; ${rounds - 1} measured periods, ${payments} payments each; µs of CPU per FinalizeBlock, median (min–max)`);
  console.log("holders\tsettling block\tblock with 1 claim\tempty block\tper payment");
  for (const n of counts) {
    const f = await measure(n, rounds, payments, signers);
    results.push(f);
    console.log(`${n}\t${fmt(f.settleUs)}\t${fmt(f.claimUs)}\t${fmt(f.emptyUs)}\t${fmt(f.payUs)}`);
    console.log(`  balance hook, ns of CPU per call (gas per call): ${Object.entries(f.hookNs).map(([k, ns]) => `${k} ${ns.toFixed(0)} (${f.hookGas[k]})`).join(", ")}`);
  }
  mkdirSync("bench/results", { recursive: true });
  const file = join("bench/results", `mining-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify({ load, rounds, payments, periodSecs: Number(PeriodSecs), results }, null, 2));
  console.log(`report: ${file}`);
}

await main();
