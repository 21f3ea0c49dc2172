// Issue 10, defect 1: decoding must never depend on the JS engine (stack size, JIT warm-up). A tx whose
// TxRaw carries ~10,500 nested groups in an unknown field (outside the signed bytes) once decoded in a
// warmed-up process and overflowed the stack in a cold one: two honest nodes, two app hashes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { bombTx, concat, nestedGroups, runBombBlock } from "../helpers/group-bomb.js";
import { createTestApp } from "../helpers/app.js";

const script = fileURLToPath(new URL("../helpers/group-bomb.js", import.meta.url));

/** The block executed in a fresh process (optionally with a smaller JS stack, as another machine or Node
 *  version might have): its codes and app hash. */
function cold(depths: number[], nodeFlags: string[] = []) {
  return JSON.parse(execFileSync(process.execPath, [...nodeFlags, script, ...depths.map(String)], { encoding: "utf8" }).trim());
}

describe("attack: nested protobuf groups decide consensus", () => {
  // Before the strict validator, on Node 20 with the default stack: 10,000 levels decoded and the send
  // executed (code 0), 10,500 overflowed (code 2); with --stack-size=600 both overflowed: different app hashes.
  test("attack: 10,000 and 10,500 nested groups in an unknown TxRaw field give the same codes and app hash cold, warm and with a small stack", async () => {
    const depths = [10_000, 10_500];
    const bombs = await Promise.all(depths.map(bombTx));
    const signed = await bombTx(0);
    assert.deepEqual(bombs.map((b) => b.length - signed.length), [20_000, 21_000]);

    // warm: this process, after many decodes of nested groups through CheckTx (JIT-compiled decoder)
    const warmup = await createTestApp({}, { chainId: "qos-bomb-1", profile: "business" });
    for (let i = 0; i < 300; i++) warmup.app.checkTx({ tx: concat(signed, nestedGroups(5, 4_000 + i)), type: 0 });
    await warmup.destroy();
    const warm = await runBombBlock(bombs);

    assert.deepEqual(cold(depths), warm);
    assert.deepEqual(cold(depths, ["--stack-size=600"]), warm);
    const log = `cannot decode TxRaw: field 5 is a group (wire type 3); groups are not accepted at byte ${signed.length + 1}: tx parse error`;
    assert.deepEqual({ codes: warm.codes, logs: warm.logs }, { codes: [2, 2], logs: [log, log] });
  });
});
