// `qosd export` at scale: the document is written module by module (writeExport), is the same text as the
// whole document stringified, and a chain started from it has the exported state: the same app hash at
// genesis, and the same app hash after the next block.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { writeExport } from "../../cmd/qosd/export.js";
import { SimChain } from "../../sim/chain.js";
import { simAccount } from "../../sim/tx.js";

const G = 1_800_000_000n;
const chains: SimChain[] = [];
after(async () => {
  for (const c of chains) await c.destroy();
});
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("export streams the same document, and a chain started from it has the same app hash", async () => {
  const users = Array.from({ length: 40 }, (_, i) => simAccount(`export-stream-${i}`));
  const a = await SimChain.create({
    chainId: "export-stream", profile: "qos", genesisSeconds: G, initialHeight: 3,
    appState: {
      auth: { accounts: users.map((u) => ({ address: u.address })) },
      bank: { balances: users.map((u, i) => ({ address: u.address, coins: [{ denom: "uqos", amount: String(1_000_000 + i) }] })) },
    },
  });
  chains.push(a);
  for (let i = 0; i < 4; i++) await a.block({ txs: [], timeSeconds: a.lastTime + 3n });
  const genesis = { genesis_time: "2027-01-15T08:00:00Z", chain_id: a.chainId, initial_height: "3", consensus_params: { block: { max_bytes: "1000" } }, app_hash: "", app_state: { old: true } };

  // a slow reader: the writer waits for it to drain instead of buffering the document
  const writes: number[] = [];
  let text = "";
  const slow = new Writable({
    highWaterMark: 64,
    write(chunk, _enc, done) {
      writes.push(chunk.length);
      text += chunk.toString();
      setImmediate(done);
    },
  });
  await writeExport(a.app, genesis, slow);
  const doc = JSON.parse(text);
  const whole = { ...genesis, initial_height: String(a.height + 1), app_hash: "", app_state: { profile: "qos", ...a.app.exportAppState() } };
  assert.equal(text, JSON.stringify(whole, null, 2) + "\n", "byte-identical to the document stringified whole");
  assert.equal(writes.length, 2 + [...a.app.exportAppStateParts()].length, "one write per module, plus head and tail");
  assert.deepEqual(doc.app_state.app, { initial_height: "3" }, "the chain's first height, not the export's");
  assert.equal(doc.initial_height, String(a.height + 1));

  const b = await SimChain.create({ chainId: a.chainId, profile: "qos", genesisSeconds: a.lastTime, initialHeight: a.height + 1, appState: doc.app_state });
  chains.push(b);
  assert.equal(hex(b.genesisAppHash), hex(a.app.store.latest.appHash), "genesis app hash of the new chain = the exported state's");
  const input = { txs: [], timeSeconds: a.lastTime + 3n, lastSet: a.set_(a.height) };
  await a.block(input);
  await b.block(input);
  assert.equal(hex(b.app.store.latest.appHash), hex(a.app.store.latest.appHash), "and so after the next block");

  // a forged first height above the new chain's initial height is refused
  await assert.rejects(
    SimChain.create({ chainId: a.chainId, profile: "qos", genesisSeconds: a.lastTime, initialHeight: 5, appState: { ...doc.app_state, app: { initial_height: "6" } } }),
    /app_state\.app\.initial_height must be a height from 1 to the initial height 5, got "6"/,
  );
});
