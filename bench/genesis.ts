// npm run bench:genesis: InitChain of N funded accounts in-process (no CometBFT): wall and CPU time of
// building the app_state, InitChain itself and the first block's Commit, with the resident memory after
// each. The app hash is printed so that two runs (old and new code, memory and disk) can be compared.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openApp } from "../chain/index.js";
import { makeAccounts } from "./txs.js";

const { values: args } = parseArgs({
  options: {
    accounts: { type: "string", default: "100000" },
    backend: { type: "string", default: "memory" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (args.help) {
  console.log(`npm run bench:genesis -- [options]
  --accounts N   funded accounts in genesis (default 100000)
  --backend B    memory|disk state backend (default memory)`);
  process.exit(0);
}
const count = Math.max(1, Number(args.accounts));
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

const dir = mkdtempSync(join(tmpdir(), "qos-bench-genesis-"));
try {
  console.log(`InitChain of ${count} funded accounts, ${args.backend} backend`);
  const appStateBytes = await step("app_state", () => {
    const accounts = makeAccounts(count, 1);
    return new TextEncoder().encode(JSON.stringify({
      auth: { accounts: accounts.map((a) => ({ address: a.address })) },
      bank: { balances: accounts.map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: "1000000000000" }] })) },
    }));
  });
  console.log(`  app_state: ${(appStateBytes.length / 1e6).toFixed(1)} MB`);
  const app = await openApp({ dbPath: join(dir, "app.db"), minGasPrice: "0.025uqos", stateBackend: args.backend === "disk" ? "disk" : "memory", log: () => {} });
  try {
    const res = await step("InitChain", () => app.initChain({ time: { seconds: 1_800_000_000n, nanos: 0 }, chainId: "qos-bench-genesis", validators: [], appStateBytes, initialHeight: 1n }));
    await step("first block + Commit", async () => {
      app.finalizeBlock({
        txs: [], decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: 1n,
        time: { seconds: 1_800_000_001n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20),
      });
      await app.commit();
    });
    console.log(`  genesis app hash ${Buffer.from(res.appHash).toString("hex")}`);
    console.log(`  app hash at 1     ${Buffer.from(app.store.latest.appHash).toString("hex")}`);
  } finally {
    await app.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
