// npm run bench:genesis: InitChain of N funded accounts in-process (no CometBFT): wall and CPU time of
// building the app_state, InitChain itself and the first block's Commit, with the resident memory after
// each. The app hash is printed so that two runs (old and new code, memory and disk) can be compared.
// --blocks N then runs N blocks of transfers between accounts spread over the whole state (CheckTx of each,
// FinalizeBlock, Commit), the work after a large genesis that a cold cache makes slow (issue 13).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openApp } from "../chain/index.js";
import { holderAddress, keyedAccount, makeAccounts, signTransfer } from "./txs.js";

const { values: args } = parseArgs({
  options: {
    accounts: { type: "string", default: "100000" },
    backend: { type: "string", default: "memory" },
    blocks: { type: "string", default: "0" },
    "block-txs": { type: "string", default: "2000" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (args.help) {
  console.log(`npm run bench:genesis -- [options]
  --accounts N   funded accounts in genesis (default 100000)
  --backend B    memory|disk state backend (default memory)
  --blocks N     blocks of transfers after the first block (default 0)
  --block-txs T  transfers per block, each from an account and to a holder picked at random (default 2000)`);
  process.exit(0);
}
const count = Math.max(1, Number(args.accounts));
const blocks = Math.max(0, Math.floor(Number(args.blocks)));
const blockTxs = Math.max(1, Math.floor(Number(args["block-txs"])));
if (blocks * blockTxs * 2 > count) throw new Error(`--blocks × --block-txs × 2 must not exceed --accounts (each tx has its own sender and recipient)`);
const ChainId = "qos-bench-genesis";
/** a fixed xorshift sequence: the same senders and recipients in every run */
let seed = 0x9e3779b9;
const random = (n: number): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const mb = () => `${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`;
const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const step = async <T>(name: string, run: () => T | Promise<T>): Promise<T> => {
  const wall = performance.now();
  const c = cpu();
  const out = await run();
  console.log(`  ${name.padEnd(22)} ${((performance.now() - wall) / 1000).toFixed(2)} s wall, ${((cpu() - c) / 1000).toFixed(2)} s CPU, RSS ${mb()}`);
  return out;
};

const blockTxLists: Uint8Array[][] = [];
const dir = mkdtempSync(join(tmpdir(), "qos-bench-genesis-"));
try {
  console.log(`InitChain of ${count} funded accounts, ${args.backend} backend`);
  const appStateBytes = await step("app_state", () => {
    const accounts = makeAccounts(count, 1);
    // senders and recipients anywhere among the accounts: a cold cache reads their records from disk
    const picked = new Set<number>();
    const pick = (): number => {
      for (;;) {
        const i = random(count);
        if (!picked.has(i)) {
          picked.add(i);
          return i;
        }
      }
    };
    for (let b = 0; b < blocks; b++) {
      const txs: Uint8Array[] = [];
      for (let t = 0; t < blockTxs; t++) {
        const from = pick();
        const to = pick();
        const sender = keyedAccount(from, holderAddress(to));
        accounts[from] = sender;
        accounts[to] = { ...accounts[to], address: holderAddress(to) };
        txs.push(signTransfer(sender, from, 0, ChainId));
      }
      blockTxLists.push(txs);
    }
    return new TextEncoder().encode(JSON.stringify({
      auth: { accounts: accounts.map((a) => ({ address: a.address })) },
      bank: { balances: accounts.map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: "1000000000000" }] })) },
    }));
  });
  console.log(`  app_state: ${(appStateBytes.length / 1e6).toFixed(1)} MB`);
  const app = await openApp({ dbPath: join(dir, "app.db"), minGasPrice: "0.025uqos", stateBackend: args.backend === "disk" ? "disk" : "memory", log: () => {} });
  try {
    const res = await step("InitChain", () => app.initChain({ time: { seconds: 1_800_000_000n, nanos: 0 }, chainId: ChainId, validators: [], appStateBytes, initialHeight: 1n }));
    await step("first block + Commit", async () => {
      app.finalizeBlock({
        txs: [], decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: 1n,
        time: { seconds: 1_800_000_001n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20),
      });
      await app.commit();
    });
    for (let b = 0; b < blocks; b++) {
      const height = BigInt(b + 2);
      const txs = blockTxLists[b];
      await step(`block ${height}: CheckTx`, () => {
        for (const tx of txs) {
          const r = app.checkTx({ tx, type: 0 });
          if (r.code !== 0) throw new Error(`CheckTx at height ${height}: code ${r.code} ${r.log}`);
        }
      });
      await step(`block ${height}: FinalizeBlock`, () => {
        const r = app.finalizeBlock({
          txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height,
          time: { seconds: 1_800_000_001n + height, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20),
        });
        const failed = r.txResults.filter((t) => t.code !== 0).length;
        if (failed > 0) throw new Error(`FinalizeBlock at height ${height}: ${failed} txs failed`);
      });
      await step(`block ${height}: Commit`, () => app.commit());
    }
    console.log(`  genesis app hash ${Buffer.from(res.appHash).toString("hex")}`);
    console.log(`  app hash at ${app.store.latest.height}     ${Buffer.from(app.store.latest.appHash).toString("hex")}`);
  } finally {
    await app.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
