// bench:state's fill by import (issue 13, the 10M-key run): the store it leaves is the one a fill in blocks
// leaves at the same height (same pairs, stats, root, app hash), and an ordinary committed store afterwards:
// later blocks give the same app hashes as on the block-filled store, it reopens, prunes, and a snapshot of
// it restores elsewhere with its app hash.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ResponseApplySnapshotChunk_Result as Apply, ResponseOfferSnapshot_Result as Offer } from "cosmjs-types/tendermint/abci/types";
import { SnapshotManager } from "../../app/snapshots.js";
import type { StateStore } from "../../app/state/store.js";
import { DiskStore } from "../../app/state/disk/store.js";
import { accountsInKeyOrder, blockChanges, fill, key, openStore, value } from "../../bench/state-store.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "qos-bench-fill-test-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const quiet = () => {};
const CACHE = 8 * 1024 * 1024;

async function pairs(store: StateStore): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of store.exportVersion(store.latest.height)) out.push(`${hex(Buffer.from(k, "latin1"))}=${hex(v)}`);
  return out;
}

describe("bench:state fill", () => {
  test("accountsInKeyOrder: every account once, in increasing key order", () => {
    // 20,000 accounts share their first two digest bytes often (~3,000 pairs): the buckets' sort is used
    const n = 20_000;
    const order = accountsInKeyOrder(n);
    const keys = Array.from({ length: n }, (_, i) => key(i));
    const expected = Array.from({ length: n }, (_, i) => i).sort((x, y) => (keys[x] < keys[y] ? -1 : keys[x] > keys[y] ? 1 : 0));
    assert.deepEqual(Array.from(order), expected);
    assert.deepEqual(Array.from(accountsInKeyOrder(0)), []);
    assert.deepEqual(Array.from(accountsInKeyOrder(1)), [0]);
  });

  test("fill by import = fill in blocks at the same height; then blocks, reopen, pruning and a snapshot restore work", async () => {
    const n = 2_500;
    const blockDir = join(tempDir(), "store");
    const importDir = join(tempDir(), "store");
    const blocks = await openStore("disk", blockDir, CACHE);
    const blockInfo = await fill(blocks, n, join(blockDir, "..", "fill.json"), quiet, "blocks", 1_000);
    let imported = await openStore("disk", importDir, CACHE);
    const importInfo = await fill(imported, n, join(importDir, "..", "fill.json"), quiet, "import", 1_000);
    assert.deepEqual(blockInfo, { keys: n, height: 3 });
    assert.deepEqual(importInfo, blockInfo);
    assert.equal(imported.latest.height, 3);
    assert.equal(hex(imported.latest.appHash), hex(blocks.latest.appHash));
    assert.deepEqual(imported.latest.stats, { keys: n, bytes: n * (32 + 100) });
    assert.deepEqual(imported.latest.stats, blocks.latest.stats);
    assert.deepEqual(await pairs(imported), await pairs(blocks));

    // the same blocks afterwards give the same app hashes, on the store as filled and after a reopen
    for (let height = 4; height <= 7; height++) {
      if (height === 6) {
        await imported.close();
        imported = await openStore("disk", importDir, CACHE);
        assert.equal(imported.latest.height, 5);
      }
      const { changes } = blockChanges(importInfo, height, 100, 100);
      await blocks.commit(blocks.prepare(height, changes));
      await imported.commit(imported.prepare(height, changes));
      assert.equal(hex(imported.latest.appHash), hex(blocks.latest.appHash), `height ${height}`);
    }
    assert.deepEqual(imported.latest.stats, { keys: n + 400, bytes: (n + 400) * 132 });
    assert.deepEqual(imported.latest.reader.get(key(n + 399)), value(n + 399, 7));
    // pruning "everything" (the bench's): the imported version and the next ones are gone, the last two kept
    await (imported as DiskStore).pruned();
    assert.equal(imported.at(3), undefined);
    assert.equal(imported.at(5), undefined);
    assert.equal(imported.at(6)?.height, 6);
    assert.ok(imported.at(6)!.reader.has(key(0)));

    // a snapshot of the imported-then-extended store restores with its app hash
    const served = new SnapshotManager(imported, { dir: tempDir(), interval: 7, chunkBytes: 64 * 1024 }, quiet);
    served.afterCommit(7);
    await served.idle();
    const [snap] = served.listSnapshots().snapshots;
    assert.equal(snap.height, 7n);
    const dst = await openStore("disk", join(tempDir(), "restored"), CACHE);
    const joining = new SnapshotManager(dst, { dir: tempDir(), interval: 0 }, quiet);
    assert.equal(joining.offerSnapshot({ snapshot: snap, appHash: imported.latest.appHash }).result, Offer.ACCEPT);
    for (let i = 0; i < snap.chunks; i++) {
      const { chunk } = await served.loadSnapshotChunk({ height: snap.height, format: snap.format, chunk: i });
      assert.equal((await joining.applySnapshotChunk({ index: i, chunk, sender: "peer" })).result, Apply.ACCEPT, `chunk ${i}`);
    }
    assert.equal(dst.latest.height, 7);
    assert.equal(hex(dst.latest.appHash), hex(imported.latest.appHash));
    assert.deepEqual(await pairs(dst), await pairs(imported));
    await joining.close();
    await served.close();
    await dst.close();
    await blocks.close();
    await imported.close();
  });

  test("fill by import refuses a store that is not empty", async () => {
    const dir = join(tempDir(), "store");
    const store = await openStore("disk", dir, CACHE);
    await fill(store, 10, join(dir, "..", "fill.json"), quiet, "blocks", 10);
    await assert.rejects(fill(store, 10, join(dir, "..", "fill.json"), quiet, "import", 10), /needs an empty store \(latest height 1\)/);
    await store.close();
  });
});
