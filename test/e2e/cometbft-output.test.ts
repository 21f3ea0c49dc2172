// CometBFT's own output (issue 14 part 2): it writes <home>/cometbft.log itself, so its last lines
// survive qosd's death and it stops cleanly (not by SIGPIPE) when the app dies; the file rotates by size.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TestNode, sleep } from "../helpers/node.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function setAppConfig(node: TestNode, values: Record<string, unknown>): void {
  const file = join(node.home, "config/app.json");
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), ...values }, null, 2));
}

describe("CometBFT's output", () => {
  const nodes: TestNode[] = [];
  after(() => Promise.all(nodes.map((n) => n.destroy())));

  test("kill -9 of qosd: CometBFT logs the lost connection, stops by its own shutdown path, and the lines reach cometbft.log", async () => {
    const node = await TestNode.create({ timeoutCommit: "200ms" });
    nodes.push(node);
    await node.start();
    const cometPid = Number(/CometBFT \S+ started \(pid (\d+)\)/.exec(node.output)![1]);
    assert.equal(alive(cometPid), true);
    await node.crashApp(); // qosd only; waits for its process group (CometBFT) to be gone, else kills it
    assert.equal(alive(cometPid), false);
    const lines = readFileSync(join(node.home, "cometbft.log"), "utf8").trimEnd().split("\n");
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    // whichever of its four ABCI connections (consensus, mempool, query, snapshot) sees the app die first
    // names itself in that line: which one wins varies from run to run
    const lost = at(/(consensus|mempool|query|snapshot) connection terminated\. Did the application crash\?/);
    const trapped = at(/signal trapped.*captured terminated, exiting/);
    const closed = at(/Closing evidencestore/);
    // Its final error line, then its SIGTERM-to-itself shutdown to the end: with a pipe into the dead
    // qosd the first write after qosd's death killed it (SIGPIPE) and none of these lines existed.
    assert.ok(lost >= 0, "the final error line is in cometbft.log");
    assert.ok(trapped > lost, "CometBFT stopped itself (SIGTERM to itself, trapped)");
    assert.ok(closed > trapped, "and ran its shutdown to the end (stores closed)");
    assert.match(lines[lines.length - 1], /Closing (evidencestore|statestore|blockstore)|Saving AddrBook|Stopped accept routine/);
  });

  test("cometbft.log rotates by size and keeps cometbft_log_keep files", async () => {
    const node = await TestNode.create({ timeoutCommit: "100ms" });
    nodes.push(node);
    setAppConfig(node, { cometbft_log_max_bytes: 4096, cometbft_log_keep: 2 });
    const log = join(node.home, "cometbft.log");
    writeFileSync(log, "an old line\n".repeat(500)); // 6000 bytes: rotated by rename before CometBFT starts
    await node.start();
    assert.match(node.output, /rotated \S+cometbft\.log \(over 4096 bytes\)/);
    assert.equal(readFileSync(`${log}.1`, "utf8").startsWith("an old line\n"), true);
    const rotations = () => node.output.match(/rotated \S+cometbft\.log/g)?.length ?? 0;
    const deadline = Date.now() + 60_000;
    while (rotations() < 4 && Date.now() < deadline) await sleep(200);
    assert.ok(rotations() >= 4, `rotated ${rotations()} times`);
    assert.equal(existsSync(`${log}.1`), true);
    assert.equal(existsSync(`${log}.2`), true);
    assert.equal(existsSync(`${log}.3`), false, "only cometbft_log_keep (2) rotated files are kept");
    for (const file of [`${log}.1`, `${log}.2`]) {
      const text = readFileSync(file, "utf8");
      assert.ok(statSync(file).size > 4096, `${file} was over the limit when rotated`);
      assert.doesNotMatch(text, /an old line/, `${file} holds CometBFT's later output`);
      assert.match(text, /^[IEWD]\[\d{4}-/, `${file} starts with a CometBFT log line`);
    }
    // CometBFT keeps appending to the truncated file (O_APPEND: at its new end, no hole of zeros)
    await sleep(1500);
    const current = readFileSync(log);
    assert.ok(current.length > 0);
    assert.equal(current.indexOf(0), -1, "no zero bytes: writes continue at the file's new end");
  });
});
