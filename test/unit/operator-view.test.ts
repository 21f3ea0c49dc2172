// The operator's view of a node (issue 17 parts 3–4): the log's levels and JSON lines, the block lines
// and summaries, the progress of long operations, the state's key and byte counts, the caches' hit
// counts, the app's observer, and the Grafana dashboard (every panel's metric exists).
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { createLogger } from "../../cmd/qosd/logger.js";
import { BlockLog, CatchUpSeconds } from "../../cmd/qosd/block-log.js";
import { NodeMetrics } from "../../cmd/qosd/metrics.js";
import { instrumentApp } from "../../cmd/qosd/instrument.js";
import type { BlockStats } from "../../cmd/qosd/instrument.js";
import { Progress, type LogLevel } from "../../app/log.js";
import { ByteLru } from "../../app/cache.js";
import fc from "fast-check";
import { CommitStore, type StateStore } from "../../app/state/store.js";
import { DiskStore } from "../../app/state/disk/store.js";
import { CacheStore } from "../../app/state/kv.js";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { createTestApp, genesisWith } from "../helpers/app.js";
import { signTx, testAccount } from "../helpers/wallet.js";
import { parsePrometheus, sample } from "../helpers/prometheus.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "qos-operator-"));
  dirs.push(d);
  return d;
};

const capture = (level: LogLevel, format: "text" | "json") => {
  const lines: string[] = [];
  const log = createLogger({ level, format, write: (l) => lines.push(l), now: () => new Date("2026-11-29T05:00:00.000Z") });
  return { log, lines };
};

describe("qosd log", () => {
  test("json: one object per line with ts, level, component, msg first, then the line's fields", () => {
    const { log, lines } = capture("debug", "json");
    log.info("committed height 7", { height: 7, txs: 2, skipped: undefined });
    log.sink("abci")("[abci] connection #1 closed", "warn");
    log.sink()("InitChain: chain x");
    assert.deepEqual(lines.map((l) => JSON.parse(l)), [
      { ts: "2026-11-29T05:00:00.000Z", level: "info", component: "qosd", msg: "committed height 7", height: 7, txs: 2 },
      { ts: "2026-11-29T05:00:00.000Z", level: "warn", component: "abci", msg: "[abci] connection #1 closed" },
      { ts: "2026-11-29T05:00:00.000Z", level: "info", component: "qosd", msg: "InitChain: chain x" },
    ]);
    assert.ok(lines.every((l) => l.endsWith("}\n") && l.indexOf("\n") === l.length - 1));
    // a field cannot overwrite a fixed key
    log.info("m", { level: "error", msg: "forged" });
    assert.deepEqual(JSON.parse(lines[3]), { ts: "2026-11-29T05:00:00.000Z", level: "info", component: "qosd", msg: "m" });
  });

  test("a message with a newline stays one JSON line", () => {
    const { log, lines } = capture("info", "json");
    log.error("stack\n  at x");
    assert.equal(lines.length, 1);
    assert.equal(lines[0].split("\n").length, 2);
    assert.equal(JSON.parse(lines[0]).msg, "stack\n  at x");
  });

  test("the level filter: each level prints itself and the more severe ones", () => {
    const levels: LogLevel[] = ["debug", "info", "warn", "error"];
    const printed = levels.map((threshold) => {
      const { log, lines } = capture(threshold, "text");
      for (const l of levels) log.log(l, l);
      return lines;
    });
    assert.deepEqual(printed, [
      ["qosd: DEBUG debug\n", "qosd: info\n", "qosd: WARN warn\n", "qosd: ERROR error\n"],
      ["qosd: info\n", "qosd: WARN warn\n", "qosd: ERROR error\n"],
      ["qosd: WARN warn\n", "qosd: ERROR error\n"],
      ["qosd: ERROR error\n"],
    ]);
    assert.throws(() => createLogger({ level: "trace" as LogLevel }), /log level must be one of debug, info, warn, error/);
  });
});

describe("block lines", () => {
  const nowMs = Date.parse("2026-11-29T05:00:00Z");
  const block = (height: number, txs: number, ageSeconds = 1): BlockStats => ({
    height, timeNs: BigInt(nowMs - ageSeconds * 1000) * 1_000_000n, first: false, txs, failedTxs: txs > 0 ? 1 : 0, gasUsed: BigInt(txs) * 1000n,
    finalizeMs: 2, commitMs: 4, appHash: "AB".repeat(32),
  });

  test("one line per block at info, a summary every N heights; empty blocks only at debug when asked", () => {
    const { log, lines } = capture("info", "json");
    const blocks = new BlockLog(log, { summaryEvery: 4, emptyBlocks: false, now: () => nowMs });
    for (let h = 1; h <= 8; h++) blocks.block(block(h, h === 3 ? 5 : 0));
    const entries = lines.map((l) => JSON.parse(l));
    assert.deepEqual(entries.map((e) => [e.event, e.height]), [["block", 3], ["summary", 4], ["summary", 8]]);
    assert.equal(entries[0].msg, `committed height 3 txs 5 finalize_ms 2.0 commit_ms 4.0 app_hash ${"AB".repeat(32)}`);
    assert.deepEqual([entries[0].txs, entries[0].failed_txs, entries[0].gas_used], [5, 1, 5000]);
    assert.deepEqual(
      [entries[1].from_height, entries[1].blocks, entries[1].txs, entries[1].failed_txs, entries[1].gas_used, entries[1].block_interval_s],
      [1, 4, 5, 1, 5000, 0],
    );
    assert.deepEqual([entries[2].from_height, entries[2].blocks, entries[2].txs], [5, 4, 0]);
  });

  test("every block at info by default (the line scripts read)", () => {
    const { log, lines } = capture("info", "text");
    const blocks = new BlockLog(log, { summaryEvery: 0, emptyBlocks: true, now: () => nowMs });
    blocks.block({ ...block(1, 0, 3600), first: true }); // the genesis time may be long ago: not a catch-up
    blocks.block(block(2, 1));
    assert.deepEqual(lines, [
      `qosd: committed height 1 txs 0 finalize_ms 2.0 commit_ms 4.0 app_hash ${"AB".repeat(32)}\n`,
      `qosd: committed height 2 txs 1 finalize_ms 2.0 commit_ms 4.0 app_hash ${"AB".repeat(32)}\n`,
    ]);
  });

  test("old blocks (replay, block sync): per-block lines at debug, a progress line when due, then caught up", () => {
    const { log, lines } = capture("info", "text");
    let clock = 0;
    const progress = new Progress((line) => log.info(line), 5_000, () => clock);
    const blocks = new BlockLog(log, { summaryEvery: 0, emptyBlocks: true, now: () => nowMs + clock, progress });
    for (let h = 1; h <= 10; h++) {
      clock = h * 1_000;
      blocks.block(block(h, 0, CatchUpSeconds * 10));
    }
    blocks.block(block(11, 0));
    assert.deepEqual(lines.map((l) => l.replace(/\d+ s behind/g, "N s behind")), [
      "qosd: catching up (replay or block sync) from height 1: its block time 2026-11-29T04:50:00.000Z is N s behind\n",
      "qosd: catching up: height 5, block time 2026-11-29T04:50:00.000Z (N s behind), 5 blocks in 4 s (1.3 blocks/s)\n",
      "qosd: catching up: height 10, block time 2026-11-29T04:50:00.000Z (N s behind), 10 blocks in 9 s (1.1 blocks/s)\n",
      "qosd: caught up at height 11: 10 old blocks (from height 1) in 9.0 s\n",
      `qosd: committed height 11 txs 0 finalize_ms 2.0 commit_ms 4.0 app_hash ${"AB".repeat(32)}\n`,
    ]);
  });
});

describe("counts for metrics", () => {
  test("ByteLru counts hits and misses of get (has and set count nothing)", () => {
    const lru = new ByteLru<number>(10_000);
    lru.get("a");
    lru.set("a", 1, 1);
    lru.has("a");
    lru.get("a");
    lru.get("a");
    lru.get("b");
    assert.deepEqual([lru.hits, lru.misses], [2, 2]);
  });

  /** commits `ops` (null deletes) as the store's next version */
  const commitOps = async (store: StateStore, ops: Record<string, string | null>) => {
    const working = new CacheStore(store.latest.reader);
    for (const [k, v] of Object.entries(ops)) v === null ? working.delete(k) : working.set(k, new TextEncoder().encode(v));
    await store.commit(store.prepare(store.latest.height + 1, working.changes()));
  };
  /** version 2 of `store` (closed after) imported into a new store of the same backend: its stats */
  const statsAfterImport = async (store: StateStore, open: (dir: string) => Promise<StateStore>) => {
    const pairs: Array<[string, Uint8Array]> = [];
    for await (const pair of store.exportVersion(2)) pairs.push(pair);
    await store.close();
    const other = await open(tempDir());
    const importer = other.beginImport(2);
    importer.add(pairs);
    await importer.finish();
    const stats = other.latest.stats;
    await other.close();
    return stats;
  };

  test("state keys and bytes: exact after writes, overwrites and deletes, after reopening and after an import", async () => {
    const dir = tempDir();
    let store = await CommitStore.open(dir);
    assert.deepEqual(store.latest.stats, { keys: 0, bytes: 0 });
    await commitOps(store, { a: "1234", bb: "5", ccc: "" });
    assert.deepEqual(store.latest.stats, { keys: 3, bytes: 1 + 4 + 2 + 1 + 3 });
    await commitOps(store, { a: "1", bb: null, dddd: "xy", zz: null });
    assert.deepEqual(store.latest.stats, { keys: 3, bytes: 1 + 1 + 3 + 4 + 2 });
    assert.deepEqual(store.at(1)?.stats, { keys: 3, bytes: 11 }, "an older version keeps its own counts");
    await store.close();
    store = await CommitStore.open(dir);
    assert.deepEqual(store.latest.stats, { keys: 3, bytes: 11 });
    assert.deepEqual(await statsAfterImport(store, (d) => CommitStore.open(d)), { keys: 3, bytes: 11 });
  });

  test("state keys and bytes on the disk backend: exact after writes, overwrites, deletes, reopening and an import", async () => {
    const dir = tempDir();
    let store = await DiskStore.open(dir);
    assert.deepEqual(store.latest.stats, { keys: 0, bytes: 0 });
    await commitOps(store, { a: "1234", bb: "5", ccc: "" });
    assert.deepEqual(store.latest.stats, { keys: 3, bytes: 1 + 4 + 2 + 1 + 3 });
    await store.close();
    // reopened: the cache is cold, so the old values' lengths come from their records on disk
    store = await DiskStore.open(dir);
    assert.deepEqual(store.latest.stats, { keys: 3, bytes: 11 });
    await commitOps(store, { a: "1", bb: null, dddd: "xy", zz: null, ccc: "" });
    assert.deepEqual(store.latest.stats, { keys: 3, bytes: 1 + 1 + 3 + 4 + 2 });
    await store.close();
    store = await DiskStore.open(dir);
    assert.deepEqual(store.latest.stats, { keys: 3, bytes: 11 });
    assert.deepEqual(await statsAfterImport(store, (d) => DiskStore.open(d)), { keys: 3, bytes: 11 });
  });

  test("property: the running key and byte totals of both backends equal a recount, across prepares not committed, crashed commits and reopens", async () => {
    const keyArb = fc.constantFrom("a", "a\0", "b", "ba", "", "\xff", "c/1", "c/2", "c/3", "d");
    const valArb = fc.uint8Array({ minLength: 0, maxLength: 9 });
    const opArb = fc.oneof(
      fc.record({ t: fc.constant("block" as const), ch: fc.array(fc.tuple(keyArb, fc.option(valArb, { nil: null })), { maxLength: 8 }), redo: fc.boolean() }),
      fc.record({ t: fc.constant("crash" as const), ch: fc.array(fc.tuple(keyArb, valArb), { minLength: 1, maxLength: 4 }) }),
      fc.record({ t: fc.constant("reopen" as const) }),
    );
    const recount = (store: StateStore) => {
      let keys = 0;
      let bytes = 0;
      for (const [k, v] of store.latest.reader.iterate("")) {
        keys++;
        bytes += k.length + v.length;
      }
      return { keys, bytes };
    };
    for (const backend of ["memory", "disk"] as const) {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
          const dir = tempDir();
          let crash = false;
          // a cache of 1 KiB: most old values are read back from their records
          const open = (): Promise<StateStore> => (backend === "disk" ? DiskStore.open(dir, { cacheBytes: 1024, faults: { beforeCommit: () => crash } }) : CommitStore.open(dir));
          let store = await open();
          try {
            for (const op of ops) {
              const h = store.latest.height;
              if (op.t === "reopen" || (op.t === "crash" && backend === "memory")) {
                await store.close();
                store = await open();
              } else {
                const changes = [...new Map<string, Uint8Array | null>(op.ch).entries()];
                if (op.t === "block" && op.redo) store.prepare(h + 1, [["zz", new Uint8Array(7)]]);
                const pending = store.prepare(h + 1, changes);
                if (op.t === "crash") {
                  crash = true;
                  await assert.rejects(store.commit(pending), /injected crash/);
                  await store.close();
                  crash = false;
                  store = await open();
                } else {
                  await store.commit(pending);
                }
              }
              assert.deepEqual(store.latest.stats, recount(store), `${backend} at height ${store.latest.height}`);
            }
          } finally {
            await store.close();
          }
        }),
        { numRuns: 25 },
      );
    }
  });
});

describe("NodeMetrics on an app", () => {
  test("block txs by code and module, CheckTx rejects by reason, height, state, caches, ABCI queue", async () => {
    const [alice, bob] = await Promise.all(["metrics-unit-alice", "metrics-unit-bob"].map(testAccount));
    const chainId = "qos-metrics-1";
    const metrics = new NodeMetrics();
    const t = await createTestApp(genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: "1000000000" }] }]), {
      chainId, profile: "business", observer: metrics.observer,
    });
    try {
      await t.block([]);
      instrumentApp(t.app, metrics.watchers);
      metrics.attach(t.app, { queueDepth: 3, takeQueuePeak: () => 7, address: "", close: async () => {} });
      const send = (amount: string) => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount }] }) });
      const ok = await signTx(alice, [send("5")], { chainId, accountNumber: 0, sequence: 0 });
      const tooMuch = await signTx(alice, [send("999999999999")], { chainId, accountNumber: 0, sequence: 1 });
      const badSequence = await signTx(alice, [send("1")], { chainId, accountNumber: 0, sequence: 9 });
      assert.equal(t.app.checkTx({ tx: ok, type: CheckTxType.NEW }).code, 0);
      assert.equal(t.app.checkTx({ tx: badSequence, type: CheckTxType.NEW }).code, 32);
      assert.equal(t.app.checkTx({ tx: new Uint8Array([1, 2, 3]), type: CheckTxType.RECHECK }).code, 2);
      const results = await t.block([ok, tooMuch, new Uint8Array([0xff])]);
      const failed = results.results[1];
      const s = parsePrometheus(await metrics.registry.metrics());
      assert.equal(sample(s, "qosd_txs_total", { code: "0", codespace: "", module: "bank" }), 1);
      assert.equal(sample(s, "qosd_txs_total", { code: String(failed.code), codespace: failed.codespace, module: "bank" }), 1);
      assert.equal(sample(s, "qosd_txs_total", { code: "2", codespace: "sdk", module: "" }), 1, "a tx that does not decode has no module");
      assert.equal(sample(s, "qosd_checktx_rejected_total", { type: "new", codespace: "sdk", code: "32" }), 1);
      assert.equal(sample(s, "qosd_checktx_rejected_total", { type: "recheck", codespace: "sdk", code: "2" }), 1);
      assert.equal(sample(s, "qosd_checktx_seconds_count", { type: "new" }), 2);
      assert.equal(sample(s, "qosd_height", {}), t.app.lastHeight);
      assert.equal(sample(s, "qosd_block_txs", {}), 3);
      assert.equal(sample(s, "qosd_block_finalize_seconds_count", {}), 1, "the block after instrumenting");
      assert.equal(sample(s, "qosd_block_gas_used_sum", {}), Number(results.results.reduce((a, r) => a + r.gasUsed, 0n)));
      assert.equal(sample(s, "qosd_state_keys", {}), t.app.store.latest.stats!.keys);
      assert.equal(sample(s, "qosd_state_bytes", {}), t.app.store.latest.stats!.bytes);
      const txCache = t.app.cacheUsage.find((c) => c.name === "decoded_txs")!;
      assert.deepEqual(
        [sample(s, "qosd_cache_entries", { cache: "decoded_txs" }), sample(s, "qosd_cache_hits_total", { cache: "decoded_txs" }), sample(s, "qosd_cache_misses_total", { cache: "decoded_txs" })],
        [txCache.entries, txCache.hits, txCache.misses],
      );
      assert.deepEqual([txCache.entries, txCache.hits], [2, 1], "ok and tooMuch passed the ante; ok was found again in the block");
      assert.deepEqual([sample(s, "qosd_abci_queue_depth", {}), sample(s, "qosd_abci_queue_depth_peak", {})], [3, 7]);
    } finally {
      await t.destroy();
    }
  });
});

describe("Grafana dashboard", () => {
  test("docs/grafana/qos.json parses and every panel's metrics exist in qosd's registry or CometBFT's list", async () => {
    const dashboard = JSON.parse(readFileSync(join(repoRoot, "docs/grafana/qos.json"), "utf8"));
    const qosd = new Set(await new NodeMetrics().names());
    const cometbft = new Set(readFileSync(join(repoRoot, "docs/grafana/cometbft-metrics.txt"), "utf8").split("\n").filter((l) => l && !l.startsWith("#")));
    const panels = (dashboard.panels as any[]).flatMap((p) => (p.type === "row" ? p.panels ?? [] : [p]));
    assert.ok(panels.length >= 10);
    const used = new Set<string>();
    for (const panel of panels) {
      assert.ok(panel.targets?.length > 0, `panel ${panel.title} has no query`);
      for (const target of panel.targets) {
        const names = [...String(target.expr).matchAll(/\b((?:qosd|cometbft)_[a-z0-9_]+)/g)].map((m) => m[1]);
        assert.ok(names.length > 0, `panel ${panel.title}: ${target.expr}`);
        for (const name of names) {
          assert.ok(qosd.has(name) || cometbft.has(name), `panel ${panel.title}: ${name} is neither qosd's nor CometBFT's`);
          used.add(name);
        }
      }
    }
    for (const required of ["qosd_height", "qosd_txs_total", "qosd_checktx_rejected_total", "qosd_block_finalize_seconds_bucket", "qosd_state_keys", "qosd_cache_hits_total", "qosd_abci_queue_depth", "qosd_process_resident_memory_bytes", "cometbft_consensus_height", "cometbft_mempool_size"]) {
      assert.ok(used.has(required), `the dashboard shows ${required}`);
    }
  });
});
