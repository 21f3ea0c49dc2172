// InitChain of many funded accounts takes a bulk path (genesis writes over an empty store, accounts
// written once, addresses decoded once): the genesis state, and so the app hash, must stay what the
// per-account path gave. The hashes below were recorded with that path for this fixed genesis: accounts
// with and without a sequence and a key, several coins, balances of addresses auth does not list (bank
// creates their accounts), a QSC token, a declared supply.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toAccAddress } from "../../app/address.js";
import { openApp } from "../../chain/index.js";
import { GenesisTime } from "../helpers/app.js";

const Accounts = 3000;
const address = (i: number) => toAccAddress(new Uint8Array(createHash("sha256").update(`genesis-scale-${i}`).digest().subarray(0, 20)));

function fixedGenesis(): Record<string, unknown> {
  const accounts = Array.from({ length: Accounts }, (_, i) => ({
    address: address(i),
    ...(i % 7 === 3 ? { sequence: String(i) } : {}),
    ...(i % 11 === 5 ? { pub_key: Buffer.from(createHash("sha256").update(`key-${i}`).digest()).toString("base64") } : {}),
  }));
  // balances: every listed account but one in 13, in another order, plus 200 addresses auth does not list
  const balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }> = [];
  for (let i = Accounts + 199; i >= 0; i--) {
    if (i % 13 === 0) continue;
    const coins = [{ denom: "uqos", amount: String(1_000_000n * BigInt(i + 1)) }];
    if (i % 3 === 0) coins.unshift({ denom: "STAR", amount: String(i + 7) });
    balances.push({ address: address(i), coins });
  }
  const supply = new Map<string, bigint>();
  for (const b of balances) for (const c of b.coins) supply.set(c.denom, (supply.get(c.denom) ?? 0n) + BigInt(c.amount));
  return {
    auth: { accounts },
    bank: { balances, supply: [...supply].sort(([a], [b]) => (a < b ? -1 : 1)).map(([denom, amount]) => ({ denom, amount: String(amount) })) },
    qsc: { tokens: [{ name: "STAR", symbol: "STAR", banker: address(1), paused: false }] },
  };
}

async function hashes(backend: "memory" | "disk", appState: Record<string, unknown>): Promise<{ genesis: string; first: string }> {
  const dir = mkdtempSync(join(tmpdir(), "qos-genesis-scale-"));
  const app = await openApp({ dbPath: join(dir, "app.db"), stateBackend: backend, log: () => {} });
  try {
    const res = app.initChain({ time: GenesisTime, chainId: "qos-genesis-scale", validators: [], appStateBytes: new TextEncoder().encode(JSON.stringify(appState)), initialHeight: 1n });
    app.finalizeBlock({
      txs: [], decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash: new Uint8Array(32), height: 1n,
      time: { seconds: GenesisTime.seconds + 1n, nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20),
    });
    await app.commit();
    return { genesis: Buffer.from(res.appHash).toString("hex"), first: Buffer.from(app.store.latest.appHash).toString("hex") };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("genesis at scale", () => {
  for (const backend of ["memory", "disk"] as const) {
    test(`a fixed genesis of ${Accounts} accounts gives the app hash the per-account path gave (${backend} backend)`, async () => {
      const got = await hashes(backend, fixedGenesis());
      assert.deepEqual(got, { genesis: "d9897a27f94579b343578d7dd7e32d01544cb1f09656a7361ea7e0e6ffe86e59", first: "4c5c6e2d7bf95d62eb56cf0be0ff0b7950cd9956a5ee7c83e706bee348d5ad8d" });
    });
  }
});
