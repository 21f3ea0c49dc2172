// CommitStore.exportVersion / beginImport: the two calls state sync and export/import stand on. The disk
// store offers the same signatures; these tests are written against the API only.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommitStore } from "../../app/state/store.js";
import { CacheStore } from "../../app/state/kv.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "qos-import-test-"));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const v = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function block(store: CommitStore, ops: Record<string, string | null>): Promise<void> {
  const working = new CacheStore(store.latest.reader);
  for (const [k, x] of Object.entries(ops)) x === null ? working.delete(k) : working.set(k, v(x));
  await store.commit(store.prepare(store.latest.height + 1, working.changes()));
}

async function collect(it: AsyncIterable<[string, Uint8Array]>): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for await (const [k, x] of it) out.push([k, Buffer.from(x).toString("latin1")]);
  return out;
}

describe("CommitStore export and import", () => {
  test("exportVersion yields a kept version's pairs in key order, unaffected by later commits", async () => {
    const store = await CommitStore.open(tempDir(), { keepRecent: 2 });
    try {
      await block(store, { b: "1", a: "1", "\x00\xff": "bin" });
      await block(store, { a: "2", c: "2", b: null });
      const it = store.exportVersion(1);
      const first = await it.next();
      assert.deepEqual([first.value[0], Buffer.from(first.value[1]).toString()], ["\x00\xff", "bin"]);
      // a commit while the export runs: the export still reads height 1, and height 1 leaves the kept window
      await block(store, { a: "3", z: "3" });
      const rest: Array<[string, string]> = [];
      for await (const [k, x] of it) rest.push([k, Buffer.from(x).toString()]);
      assert.deepEqual(rest, [["a", "1"], ["b", "1"]]);
      assert.deepEqual(await collect(store.exportVersion(3)), [["\x00\xff", "bin"], ["a", "3"], ["c", "2"], ["z", "3"]]);
      assert.throws(() => store.exportVersion(1), /exportVersion: height 1 is not kept \(latest 3; kept 2, 3\)/);
      assert.throws(() => store.exportVersion(0), /height 0 is not kept/);
      assert.throws(() => store.exportVersion(4), /height 4 is not kept/);
    } finally {
      await store.close();
    }
  });

  test("an import in a fresh store gives the same root and pairs; it persists and continues", async () => {
    const src = await CommitStore.open(tempDir());
    const dir = tempDir();
    let dst = await CommitStore.open(dir);
    try {
      const ops: Record<string, string> = {};
      for (let i = 0; i < 5000; i++) ops[`acc/${i.toString(36)}\x80`] = `value ${i}`;
      await block(src, ops);
      await block(src, { "acc/0\x80": null, extra: "x" });
      const height = src.latest.height;
      const importer = dst.beginImport(height);
      let batch: Array<[string, Uint8Array]> = [];
      for await (const pair of src.exportVersion(height)) {
        batch.push(pair);
        if (batch.length === 777) importer.add(batch.splice(0));
      }
      importer.add(batch);
      assert.equal(dst.latest.height, 0, "nothing is visible before finish()");
      const root = await importer.finish();
      assert.equal(hex(root), hex(src.latest.appHash));
      assert.equal(dst.latest.height, height);
      assert.equal(hex(dst.latest.appHash), hex(src.latest.appHash));
      assert.deepEqual(await collect(dst.exportVersion(height)), await collect(src.exportVersion(height)));
      await dst.close();
      dst = await CommitStore.open(dir);
      assert.equal(dst.latest.height, height);
      assert.equal(hex(dst.latest.appHash), hex(src.latest.appHash));
      // the next block applies on both alike
      await block(src, { extra: "y", new: "n" });
      await block(dst, { extra: "y", new: "n" });
      assert.equal(hex(dst.latest.appHash), hex(src.latest.appHash));
      assert.throws(() => dst.beginImport(height + 5), /beginImport: the store is not empty \(latest height 3\)/);
    } finally {
      await src.close();
      await dst.close();
    }
  });

  test("keys must strictly increase across add() calls; bad pairs are refused", async () => {
    const store = await CommitStore.open(tempDir());
    try {
      const imp = store.beginImport(7);
      imp.add([["a", v("1")], ["b", v("2")]]);
      assert.throws(() => imp.add([["b", v("again")]]), /key "b" does not follow "b" \(keys must be strictly increasing\)/);
      assert.throws(() => imp.add([["a0", v("back")]]), /key "a0" does not follow "b"/);
      assert.throws(() => imp.add([["c", "text" as unknown as Uint8Array]]), /value of "c" must be a Uint8Array/);
      assert.throws(() => imp.add([["\u0100", v("wide")]]), /char code above 255/);
      assert.throws(() => store.beginImport(8), /an import of height 7 is in progress/);
      assert.throws(() => store.prepare(1, []), /an import of height 7 is in progress/);
      imp.abort();
      assert.throws(() => imp.add([["z", v("late")]]), /add\(\) after finish\(\) or abort\(\)/);
      await assert.rejects(imp.finish(), /finish\(\) after finish\(\) or abort\(\)/);
      assert.equal(store.latest.height, 0);
      assert.throws(() => store.beginImport(0), /positive integer/);
    } finally {
      await store.close();
    }
  });

  test("an aborted import, or a crash before finish(), leaves an empty store that can import again", async () => {
    const dir = tempDir();
    let store = await CommitStore.open(dir);
    const imp = store.beginImport(3);
    imp.add([["a", v("1")], ["b", v("2")]]);
    imp.abort();
    assert.equal(store.latest.height, 0);
    // "crash": the process goes away mid-import (closing the handle stands for it)
    const crashed = store.beginImport(3);
    crashed.add([["a", v("1")]]);
    await store.close();
    store = await CommitStore.open(dir);
    try {
      assert.equal(store.latest.height, 0);
      assert.equal(hex(store.latest.appHash), "00".repeat(32));
      const again = store.beginImport(3);
      again.add([["a", v("1")], ["b", v("2")]]);
      const root = await again.finish();
      const ref = await CommitStore.open(tempDir());
      await ref.commit(ref.prepare(3, [["b", v("2")], ["a", v("1")]]));
      assert.equal(hex(root), hex(ref.latest.appHash));
      await ref.close();
    } finally {
      await store.close();
    }
  });
});
