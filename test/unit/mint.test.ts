// Inflation through the real app (QosApp's InitChain / FinalizeBlock / Commit / Query with the real bank
// keeper): per-block amounts against the whitepaper formula computed here independently, roll-over of
// missed phases, the end of the schedule, no division by zero, default phases, supply cap, determinism.
//
// Blocks are driven with explicit times (the whole point is block time), so this file drives QosApp
// itself instead of test/helpers/app.ts (whose block time is always genesis + height). Until the mint
// module is wired into chain/index.ts, the harness adds it to the app (same keeper, real bank).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import type { Event } from "cosmjs-types/tendermint/abci/types";
import type { QosApp } from "../../app/app.js";
import { openApp, type QosChain } from "../../chain/index.js";
import { toAccAddress } from "../../app/address.js";
import { AppError } from "../../app/errors.js";
import {
  QueryAppliedRequest, QueryAppliedResponse, QueryParamsRequest, QueryParamsResponse, QueryPhasesRequest, QueryPhasesResponse,
} from "../../gen/qos/mint/v1/query.js";
import {
  createMintModule, MintErrors, MintModuleAccount, validatePhaseChange, validatePhases, type Phase,
} from "../../modules/mint/index.js";
import { mintCli } from "../../modules/mint/cli.js";
import { defaultModel, Model } from "../helpers/mint-model.js";

const G = 1_800_000_000n; // genesis time, unix seconds
const NS = 1_000_000_000n;
const enc = new TextEncoder();

// ---------------------------------------------------------------- harness

interface Chain {
  app: QosApp<QosChain>;
  height: number;
  /** FinalizeBlock + Commit at `timeNs`; returns the block events and app hash */
  block(timeNs: bigint): Promise<{ events: Event[]; appHash: Uint8Array }>;
  phases(): Phase[];
  applied(): QueryAppliedResponse;
  supply(): bigint;
  destroy(): Promise<void>;
}

const chains: Chain[] = [];
after(async () => {
  for (const c of chains) await c.destroy();
});

async function openChain(appState: Record<string, unknown>, genesisTime = G): Promise<Chain> {
  const dir = mkdtempSync(join(tmpdir(), "qos-mint-"));
  const app = await openApp({ dbPath: join(dir, "app.db"), minGasPrice: "0.025uqos", checkInvariants: true, log: () => {} });
  if (!app.modules.some((m) => m.name === "mint")) {
    const { module } = createMintModule({ bank: app.keepers.bank.forModule(MintModuleAccount) });
    app.modules.push(module);
    for (const [path, handler] of Object.entries(module.queries ?? {})) app.router.addQuery(path, handler);
  }
  app.initChain({
    time: { seconds: genesisTime, nanos: 0 },
    chainId: "qos-mint-1",
    validators: [],
    appStateBytes: enc.encode(JSON.stringify(appState)),
    initialHeight: 1n,
  });
  const query = (path: string, data: Uint8Array) => {
    const res = app.query({ path, data, height: 0n, prove: false });
    assert.equal(res.code, 0, res.log);
    return res.value;
  };
  const c: Chain = {
    app,
    height: 0,
    async block(timeNs) {
      const height = c.height + 1;
      const res = app.finalizeBlock({
        txs: [],
        decidedLastCommit: { round: 0, votes: [] },
        misbehavior: [],
        hash: new Uint8Array(32),
        height: BigInt(height),
        time: { seconds: timeNs / NS, nanos: Number(timeNs % NS) },
        nextValidatorsHash: new Uint8Array(32),
        proposerAddress: new Uint8Array(20),
      });
      await app.commit();
      c.height = height;
      return { events: res.events, appHash: res.appHash };
    },
    phases: () =>
      QueryPhasesResponse.decode(query("/qos.mint.v1.Query/Phases", QueryPhasesRequest.encode({}).finish())).phases.map((p) => ({
        endTime: p.endTime,
        total: BigInt(p.totalAmount),
        applied: BigInt(p.appliedAmount),
      })),
    applied: () => QueryAppliedResponse.decode(query("/qos.mint.v1.Query/Applied", QueryAppliedRequest.encode({}).finish())),
    supply: () =>
      BigInt(QuerySupplyOfResponse.decode(query("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom: "uqos" }).finish())).amount!.amount),
    async destroy() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  chains.push(c);
  return c;
}

const mintGenesis = (phases: Array<[bigint, bigint]>, params?: Record<string, unknown>) => ({
  mint: {
    ...(params ? { params } : {}),
    phases: phases.map(([end, total]) => ({ end_time: end.toString(), total_amount: total.toString() })),
  },
});

const attr = (e: Event, key: string) => e.attributes.find((a) => a.key === key)?.value;
const mintEvents = (events: Event[]) => events.filter((e) => e.type === "mint");
const mintedIn = (events: Event[]) => mintEvents(events).reduce((sum, e) => sum + BigInt(attr(e, "amount")!), 0n);

const sum = (phases: Phase[], f: (p: Phase) => bigint) => phases.reduce((s, p) => s + f(p), 0n);

/** Runs blocks at the given times on the chain and the model and compares everything after each block. */
async function runAndCompare(chain: Chain, model: Model, timesNs: bigint[]): Promise<void> {
  for (const timeNs of timesNs) {
    const supplyBefore = chain.height === 0 ? 0n : chain.supply(); // these genesis states hold no uqos
    const { events } = await chain.block(timeNs);
    const expected = model.step(chain.height, timeNs);
    const at = `height ${chain.height} time ${timeNs / NS}.${timeNs % NS}`;
    assert.equal(mintedIn(events), expected.minted, `${at}: minted`);
    assert.equal(mintEvents(events).length, expected.minted > 0n ? 1 : 0, `${at}: one mint event when something is minted, none otherwise`);
    assert.equal(events.filter((e) => e.type === "mint_rollover").length, expected.rollovers, `${at}: roll-overs`);
    assert.equal(chain.supply() - supplyBefore, expected.minted, `${at}: supply grows by the mint`);
    const phases = chain.phases();
    assert.deepEqual(phases, model.phases, `${at}: phases`);
    for (const p of phases) assert.ok(p.applied <= p.total, `${at}: phase ${p.endTime} applied ${p.applied} > total ${p.total}`);
    const applied = chain.applied();
    assert.equal(BigInt(applied.applied), sum(phases, (p) => p.applied), `${at}: applied query`);
    assert.equal(BigInt(applied.lastMint), expected.minted, `${at}: last mint`);
    if (expected.minted > 0n) {
      const e = mintEvents(events)[0];
      assert.equal(attr(e, "height"), String(chain.height));
      assert.equal(attr(e, "phase_end_time"), String(expected.phaseEnd));
    }
  }
}

// ---------------------------------------------------------------- tests

describe("mint: default schedule", () => {
  test("7 phases of 1461 days from the genesis time, summing to exactly 51% of 1e16 uqos", async () => {
    for (const appState of [{}, { mint: {} }, { mint: { phases: [] } }]) {
      const chain = await openChain(appState);
      await chain.block(G * NS); // genesis state is queryable once block 1 is committed (block 1 has the genesis time)
      const minted = BigInt(chain.applied().lastMint);
      const phases = chain.phases();
      assert.equal(phases.length, 7);
      const expectedTotals = [
        2_550_000_000_000_000n, 1_275_000_000_000_000n, 637_500_000_000_000n, 318_750_000_000_000n,
        159_375_000_000_000n, 79_687_500_000_000n, 79_687_500_000_000n,
      ];
      assert.deepEqual(phases.map((p) => p.total), expectedTotals);
      assert.equal(sum(phases, (p) => p.total), 5_100_000_000_000_000n, "51% of 10 billion QOS (1e16 uqos)");
      phases.forEach((p, i) => {
        assert.equal(p.endTime, G + BigInt(i + 1) * 1461n * 86_400n);
        assert.equal(p.applied, i === 0 ? minted : 0n);
      });
      const params = QueryParamsResponse.decode(chain.app.query({ path: "/qos.mint.v1.Query/Params", data: QueryParamsRequest.encode({}).finish(), height: 0n, prove: false }).value).params!;
      assert.equal(params.targetBlockTimeSecs, 3n);
      assert.equal(params.totalSupplyCap, "");
      assert.equal(chain.applied().planned, "5100000000000000");
      assert.equal(chain.applied().applied, String(minted));
      // block 1 has the genesis time: 1461 days = 126,230,400 s left, ÷ 3 s = 42,076,800 blocks; 2.55e15 ÷ that
      assert.equal(minted, 60_603_467n);
    }
  });

  test("the first blocks mint ≈ 60.6 QOS each (whitepaper: 60.64 with 365-day years) and follow the formula", async () => {
    const chain = await openChain({});
    const model = defaultModel(G);
    await runAndCompare(chain, model, [1n, 4n, 7n, 10n, 13n].map((s) => (G + s) * NS));
    // by hand: block h at G+1+3(h−1); block 1 is the first measured one, so block 1 uses the 3 s target and
    // later ones the measured (t − (G+1)) ÷ (h − 1) = 3 s; blocks left = ⌊(126,230,400 − (t − G)) ÷ 3⌋ =
    // 42,076,799, …798, …797, …796, …795; (2.55e15 − applied) ÷ blocks left = 60,603,469 uqos each time
    // (≈ 60.6 QOS; the whitepaper's 60.64 counts 365-day years)
    assert.equal(chain.applied().lastMint, "60603469");
    assert.equal(chain.applied().applied, String(5n * 60_603_469n));
  });
});

describe("mint: per-block amounts", () => {
  test("equal (total − applied) ÷ max(1, (end − t) ÷ avg) for irregular block times, sub-second ones included", async () => {
    const phases: Array<[bigint, bigint]> = [[G + 60n, 1_000_000_007n], [G + 120n, 500_000_003n], [G + 200n, 77n]];
    const chain = await openChain(mintGenesis(phases));
    const model = new Model(phases, G);
    const steps = [1n, 1n, 2n, 5n, 3n, 1n, 7n, 4n, 1n, 2n];
    const times: bigint[] = [];
    let t = G * NS;
    for (let i = 0; t < (G + 230n) * NS; i++) {
      t += i % 13 === 5 ? 300_000_000n : steps[i % steps.length] * NS; // now and then a block 0.3 s after the last
      times.push(t);
    }
    await runAndCompare(chain, model, times);
    // every phase fully minted: the last block before each end takes the rest
    for (const p of chain.phases()) assert.equal(p.applied, p.total, `phase ${p.endTime}`);
    assert.equal(BigInt(chain.applied().applied), 1_000_000_007n + 500_000_003n + 77n);
    assert.equal(chain.applied().lastMint, "0");
  });

  test("a custom target block time is used until a second block is measured", async () => {
    const phases: Array<[bigint, bigint]> = [[G + 1000n, 10_000_000n]];
    const chain = await openChain(mintGenesis(phases, { target_block_time_secs: 10 }));
    const model = new Model(phases, G, 10n);
    await runAndCompare(chain, model, [(G + 1n) * NS, (G + 3n) * NS, (G + 4n) * NS]);
  });
});

describe("mint: roll-over and the end of the schedule", () => {
  test("a missed phase's leftover goes to the next phase (cascading), and nothing is minted after the last phase", async () => {
    const phases: Array<[bigint, bigint]> = [[G + 10n, 1_000_000n], [G + 100n, 2_000_000n], [G + 400n, 3_000_000n], [G + 600n, 4_000_000n]];
    const chain = await openChain(mintGenesis(phases));
    const model = new Model(phases, G);
    await runAndCompare(chain, model, [1n, 2n, 3n].map((s) => (G + s) * NS));
    const beforeJump = chain.phases();
    // by hand: G+1 (target 3 s): ⌊9 ÷ 3⌋ = 3 blocks left → 333,333; G+2 (avg 1 s): 8 left → ⌊666,667 ÷ 8⌋ = 83,333;
    // G+3: 7 left → ⌊583,334 ÷ 7⌋ = 83,333; applied 499,999 of 1,000,000
    assert.equal(beforeJump[0].applied, 499_999n);

    // jump past phases 1 and 2: phase 1's leftover goes to phase 2, phase 2's (all of it) to phase 3
    const { events } = await chain.block((G + 150n) * NS);
    const m = model.step(chain.height, (G + 150n) * NS);
    assert.equal(m.rollovers, 2);
    const rollovers = events.filter((e) => e.type === "mint_rollover");
    assert.deepEqual(rollovers.map((e) => [attr(e, "phase_end_time"), attr(e, "amount"), attr(e, "next_phase_end_time")]), [
      [String(G + 10n), String(1_000_000n - beforeJump[0].applied), String(G + 100n)],
      [String(G + 100n), String(2_000_000n + 1_000_000n - beforeJump[0].applied), String(G + 400n)],
    ]);
    const after = chain.phases();
    assert.deepEqual(after, model.phases);
    assert.equal(after[0].total, after[0].applied);
    assert.equal(after[1].total, 0n);
    assert.equal(after[1].applied, 0n);
    assert.equal(after[2].total, 3_000_000n + 2_000_000n + 1_000_000n - beforeJump[0].applied);
    assert.equal(sum(after, (p) => p.total), 10_000_000n, "roll-over keeps the planned total");
    // phase 3 now holds 3,000,000 + 2,000,000 + 500,001 = 5,500,001; block 4 at G+150: avg ⌊149 ÷ 3⌋ = 49 s,
    // ⌊250 ÷ 49⌋ = 5 blocks left → ⌊5,500,001 ÷ 5⌋ = 1,100,000
    assert.equal(mintedIn(events), 1_100_000n);
    assert.equal(m.minted, 1_100_000n);

    // on to the end of phase 3, into phase 4, and to its last second: everything planned is minted
    const times: bigint[] = [];
    for (let s = 160n; s < 600n; s += s < 390n || s >= 560n ? 10n : 1n) times.push((G + s) * NS);
    times.push((G + 599n) * NS);
    await runAndCompare(chain, model, times);
    assert.equal(BigInt(chain.applied().applied), 10_000_000n, "the whole schedule was minted");
    const supply = chain.supply();

    // after the last phase: nothing more, ever
    await runAndCompare(chain, model, [600n, 601n, 10_000n, 1_000_000n].map((s) => (G + s) * NS));
    assert.equal(chain.supply(), supply);
    assert.equal(chain.applied().lastMint, "0");
  });

  test("the last phase's unminted leftover is never minted (nothing after the last phase)", async () => {
    const phases: Array<[bigint, bigint]> = [[G + 10n, 1_000n], [G + 20n, 5_000n]];
    const chain = await openChain(mintGenesis(phases));
    const model = new Model(phases, G);
    await runAndCompare(chain, model, [(G + 1n) * NS, (G + 25n) * NS, (G + 26n) * NS, (G + 100n) * NS]);
    const p = chain.phases();
    assert.equal(p[0].total, p[0].applied);
    assert.equal(p[1].applied, 0n);
    assert.equal(p[1].total, 5_000n + 1_000n - p[0].applied);
    assert.equal(BigInt(chain.applied().applied), p[0].applied);
  });

  test("phases that ended before genesis roll into the first running one", async () => {
    const phases: Array<[bigint, bigint]> = [[G - 100n, 700n], [G - 50n, 300n], [G + 30n, 1_000n]];
    const chain = await openChain(mintGenesis(phases));
    const model = new Model(phases, G);
    await runAndCompare(chain, model, [(G + 1n) * NS, (G + 2n) * NS]);
    assert.equal(chain.phases()[2].total, 2_000n);
  });
});

describe("mint: no division by zero", () => {
  test("1-second blocks and a phase ending 1 second after the block, blocks in the same second, a block exactly at the end", async () => {
    const phases: Array<[bigint, bigint]> = [[G + 2n, 1_000n], [G + 3n, 500n], [G + 5n, 9n]];
    const chain = await openChain(mintGenesis(phases));
    const model = new Model(phases, G);
    // block 1 at G+1: 1 s left, avg = target 3 s → ⌊1/3⌋ = 0 blocks left → max(1, 0): mints the whole phase
    await runAndCompare(chain, model, [(G + 1n) * NS]);
    assert.equal(chain.applied().lastMint, "1000");
    // block 2 at G+2 (exactly phase 1's end): phase 2 runs, avg = 1 s, 1 block left
    await runAndCompare(chain, model, [(G + 2n) * NS]);
    assert.equal(chain.applied().lastMint, "500");
    // three blocks within one second (avg would be 0 → 1), then the rest
    await runAndCompare(chain, model, [(G + 3n) * NS + 1n, (G + 3n) * NS + 2n, (G + 3n) * NS + 999_999_999n, (G + 4n) * NS, (G + 5n) * NS, (G + 6n) * NS]);
    assert.equal(BigInt(chain.applied().applied), 1_509n);
  });

  test("a zero-length first phase at genesis and every block in the genesis second", async () => {
    const phases: Array<[bigint, bigint]> = [[G, 5n], [G + 1n, 7n]];
    const chain = await openChain(mintGenesis(phases));
    const model = new Model(phases, G);
    // CometBFT gives block 1 the genesis time: it is not the first measured block
    await runAndCompare(chain, model, [G * NS, G * NS + 10n, G * NS + 20n, (G + 1n) * NS, (G + 2n) * NS]);
    assert.equal(BigInt(chain.applied().applied), 12n);
  });
});

describe("mint: supply cap, invariants, validation", () => {
  test("total_supply_cap stops minting at the cap", async () => {
    const holder = toAccAddress(new Uint8Array(20).fill(7));
    const chain = await openChain({
      auth: { accounts: [{ address: holder }] },
      bank: { balances: [{ address: holder, coins: [{ denom: "uqos", amount: "100" }] }] },
      ...mintGenesis([[G + 2n, 1_000n]], { total_supply_cap: "150" }),
    });
    await chain.block((G + 1n) * NS);
    assert.equal(chain.applied().lastMint, "50");
    assert.equal(chain.supply(), 150n);
    await chain.block((G + 1n) * NS + 5n);
    assert.equal(chain.applied().lastMint, "0");
    assert.equal(chain.supply(), 150n);
  });

  test("genesis refuses unsorted or duplicate end times, totals below applied, negative amounts, a wrong minted counter, bad params", async () => {
    const bad: unknown[] = [
      { phases: [{ end_time: "200", total_amount: "1" }, { end_time: "100", total_amount: "1" }] },
      { phases: [{ end_time: "100", total_amount: "1" }, { end_time: "100", total_amount: "1" }] },
      { phases: [{ end_time: "100", total_amount: "5", applied_amount: "6" }] },
      { phases: [{ end_time: "100", total_amount: "0", applied_amount: "0" }, { end_time: "200", total_amount: "0", applied_amount: "1" }] },
      { phases: [{ end_time: "100", total_amount: "-1" }] },
      { phases: [{ end_time: "100", total_amount: "5", applied_amount: "2" }], minted: "3" },
      { params: { target_block_time_secs: 0 } },
    ];
    for (const mint of bad) {
      const dir = mkdtempSync(join(tmpdir(), "qos-mint-bad-"));
      const app = await openApp({ dbPath: join(dir, "app.db"), log: () => {} });
      if (!app.modules.some((m) => m.name === "mint")) app.modules.push(createMintModule({ bank: app.keepers.bank.forModule(MintModuleAccount) }).module);
      assert.throws(
        () => app.initChain({ time: { seconds: G, nanos: 0 }, chainId: "x", validators: [], appStateBytes: enc.encode(JSON.stringify({ mint })), initialHeight: 1n }),
        (e: unknown) => e instanceof AppError && e.codespace === "mint",
        JSON.stringify(mint),
      );
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("validatePhases and validatePhaseChange (the rules governance will use)", () => {
    const ph = (endTime: bigint, total: bigint, applied = 0n): Phase => ({ endTime, total, applied });
    assert.doesNotThrow(() => validatePhases([ph(1n, 5n, 5n), ph(2n, 0n, 0n), ph(3n, 9n)]));
    assert.throws(() => validatePhases([ph(2n, 5n), ph(2n, 5n)]), (e) => MintErrors.invalidPhases.is(e));
    assert.throws(() => validatePhases([ph(3n, 5n), ph(2n, 5n)]), (e) => MintErrors.invalidPhases.is(e));
    assert.throws(() => validatePhases([ph(2n, 4n, 5n)]), (e) => MintErrors.invalidPhases.is(e));
    assert.throws(() => validatePhases([ph(-1n, 4n)]), (e) => MintErrors.invalidPhases.is(e));

    const old = [ph(100n, 10n, 10n), ph(200n, 20n, 7n), ph(300n, 30n), ph(400n, 40n)];
    const t = 150n; // phase 2 is running
    // future totals, end times and count are free
    assert.doesNotThrow(() => validatePhaseChange(old, [old[0], old[1], ph(350n, 1n), ph(500n, 99n), ph(600n, 5n)], t));
    assert.doesNotThrow(() => validatePhaseChange(old, [old[0], old[1]], t));
    // ended or running phases are fixed
    for (const next of [
      [ph(100n, 11n, 10n), old[1], old[2]],
      [old[0], ph(200n, 20n, 6n), old[2]],
      [old[0], ph(201n, 20n, 7n), old[2]],
      [old[0], ph(200n, 25n, 7n), old[2]],
      [old[0]],
      [old[0], old[1], ph(300n, 30n, 1n)],
      [old[0], old[1], ph(300n, 0n, 0n)],
    ]) assert.throws(() => validatePhaseChange(old, next, t), (e) => MintErrors.invalidPhaseChange.is(e) || MintErrors.invalidPhases.is(e), JSON.stringify(next, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
    // after the schedule: the ended phases stay, new phases may follow
    assert.doesNotThrow(() => validatePhaseChange(old, [...old, ph(1000n, 5n)], 500n));
    assert.throws(() => validatePhaseChange(old, [...old, ph(450n, 5n)], 500n), (e) => MintErrors.invalidPhaseChange.is(e));
  });

  test("the invariant catches Σ applied ≠ minted and applied > total", () => {
    const { keeper } = createMintModule({ bank: { address: new Uint8Array(20), mint: () => {}, sendFromModuleToModule: () => {} } });
    const store = new Map<string, Uint8Array>();
    const kv = {
      get: (k: string) => store.get(k),
      has: (k: string) => store.has(k),
      set: (k: string, v: Uint8Array) => void store.set(k, v),
      delete: (k: string) => void store.delete(k),
      *iterate(start: string, end?: string) {
        for (const k of [...store.keys()].sort()) if (k >= start && (end === undefined || k < end)) yield [k, store.get(k)!] as [string, Uint8Array];
      },
    };
    keeper.setPhases(kv, [{ endTime: 10n, total: 100n, applied: 40n }]);
    keeper.setMinted(kv, 40n);
    assert.doesNotThrow(() => keeper.checkInvariants(kv));
    keeper.setMinted(kv, 41n);
    assert.throws(() => keeper.checkInvariants(kv), (e) => MintErrors.invariantBroken.is(e));
  });
});

describe("mint: determinism", () => {
  test("the same blocks give the same app hashes; other times give other ones", async () => {
    const phases: Array<[bigint, bigint]> = [[G + 50n, 123_456_789n], [G + 90n, 987_654_321n]];
    const times = [1n, 2n, 4n, 5n, 9n, 30n, 55n, 56n, 58n, 70n, 100n].map((s) => (G + s) * NS);
    const a = await openChain(mintGenesis(phases));
    const b = await openChain(mintGenesis(phases));
    const c = await openChain(mintGenesis(phases));
    for (const [i, time] of times.entries()) {
      const ha = (await a.block(time)).appHash;
      const hb = (await b.block(time)).appHash;
      const hc = (await c.block(time + (i === 3 ? 2n * NS : 0n))).appHash;
      assert.deepEqual(ha, hb, `block ${i + 1}`);
      if (i === 3) assert.notDeepEqual(ha, hc, "a different block time mints a different amount");
    }
    assert.deepEqual(a.phases(), b.phases());
  });
});

describe("mint: qoscli", () => {
  test("registers query inflation-phases and query inflation-applied", () => {
    const tx = new Command("tx");
    const query = new Command("query");
    mintCli({ tx, query, registerMsgTypes: () => {} });
    assert.deepEqual(query.commands.map((c) => c.name()).sort(), ["inflation-applied", "inflation-phases"]);
  });
});
