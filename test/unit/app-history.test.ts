// Issue 13 part 2 through the app on the disk backend: queries and proofs at kept heights across a
// restart (H−1 answers), a clear error at pruned heights, Commit's retain_height from min_retain_blocks;
// and the backend never changes an answer: a simulation gives the same trace on both.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { testAccount } from "../helpers/wallet.js";
import { StoreKeyQueryPath } from "../../app/app.js";
import { decodeProof, verifyMembership } from "../../app/state/smt.js";
import { runSimulation } from "../../sim/run.js";
import { AppConfigSchema, pruningOf } from "../../cmd/qosd/home.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("state history through the app (disk backend)", () => {
  let t: TestApp;
  before(async () => {
    const alice = await testAccount("history-alice");
    t = await createTestApp(genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: "1000000" }] }]), {
      stateBackend: "disk",
      pruning: { keepRecent: 3, interval: 1 },
      minRetainBlocks: 2,
    });
    for (let i = 0; i < 5; i++) await t.block([]);
  });
  after(() => t.destroy());

  test("after a restart, H−1 answers with a proof against its own app hash; pruned heights are refused with a clear error", async () => {
    const hash4 = hex(t.app.store.at(4)!.appHash);
    await t.reopen();
    const key = Buffer.from("app/chain_id", "latin1");
    const res = t.app.query({ path: StoreKeyQueryPath, data: key, height: 4n, prove: true });
    assert.equal(res.code, 0, res.log);
    assert.equal(res.height, 4n);
    assert.equal(Buffer.from(res.value).toString(), "qos-unit-1");
    const v4 = t.app.store.at(4)!;
    assert.equal(hex(v4.appHash), hash4);
    assert.equal(verifyMembership(v4.appHash, key, res.value, decodeProof(res.proofOps!.ops[0].data)), true);
    // keep 3 of 5: heights 3..5 answer, 2 and 1 are pruned
    assert.equal(t.app.query({ path: StoreKeyQueryPath, data: key, height: 3n, prove: true }).code, 0);
    const pruned = t.app.query({ path: StoreKeyQueryPath, data: key, height: 2n, prove: true });
    assert.equal(pruned.code, 26);
    assert.equal(pruned.codespace, "sdk");
    assert.match(pruned.log, /state at height 2 is pruned \(earliest kept height 3, latest 5\)/);
    // above the latest: the same words as the memory backend (the simulation's traces depend on them)
    const future = t.app.query({ path: StoreKeyQueryPath, data: key, height: 9n, prove: false });
    assert.match(future.log, /state at height 9 is not available \(latest 5; recent heights only\)/);
  });

  test("Commit's retain_height keeps min_retain_blocks blocks", async () => {
    assert.equal((await t.block([])).retainHeight, 4n, "height 6, keep 2");
    assert.equal((await t.block([])).retainHeight, 5n);
  });
});

test("the state backend changes no answer: a simulation with restarts gives the same trace and app hash on memory and disk", async () => {
  const memory = await runSimulation({ seed: "backends", blocks: 40, hostilePerMille: 300 });
  const disk = await runSimulation({ seed: "backends", blocks: 40, hostilePerMille: 300, stateBackend: "disk" });
  assert.ok(memory.restarts > 0, "the run restarts the node");
  assert.equal(disk.traceDigest, memory.traceDigest);
  assert.equal(disk.appHash, memory.appHash);
  assert.deepEqual(disk, memory);
});

test("config/app.json pruning options map to the Cosmos SDK's; custom must say what it keeps", () => {
  const config = (extra: Record<string, unknown>) => AppConfigSchema.parse({ state_backend: "disk", ...extra });
  assert.equal(config({}).state_backend, "disk");
  assert.equal(AppConfigSchema.parse({}).state_backend, "memory");
  assert.deepEqual(pruningOf(config({})), { keepRecent: 362_880, interval: 10 });
  assert.deepEqual(pruningOf(config({ pruning: "nothing" })), { keepRecent: 0, interval: 1 });
  assert.deepEqual(pruningOf(config({ pruning: "everything" })), { keepRecent: 2, interval: 10 });
  assert.deepEqual(pruningOf(config({ pruning: "custom", pruning_keep_recent: 100, pruning_interval: 5 })), { keepRecent: 100, interval: 5 });
  assert.throws(() => pruningOf(config({ pruning: "custom", pruning_keep_recent: 1, pruning_interval: 5 })), /pruning "custom" needs pruning_keep_recent >= 2 and pruning_interval >= 1 \(got 1 \/ 5\)/);
  assert.throws(() => AppConfigSchema.parse({ state_backend: "rocks" }));
});
