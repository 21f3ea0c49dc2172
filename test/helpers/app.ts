// Drives QosApp's ABCI methods in-process, for fast unit tests (the end-to-end tests use the real node).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QosApp } from "../../app/app.js";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import type { Profile } from "../../modules/index.js";

export interface TestApp {
  app: QosApp;
  dir: string;
  height: number;
  /** FinalizeBlock + Commit of one block; returns the tx results and the app hash */
  block(txs: Uint8Array[]): Promise<{ results: ExecTxResult[]; appHash: Uint8Array }>;
  reopen(): Promise<void>;
  destroy(): Promise<void>;
}

export const GenesisTime = { seconds: 1_800_000_000n, nanos: 0 };

export async function createTestApp(
  appState: Record<string, unknown>,
  options: { chainId?: string; minGasPrice?: string; dir?: string; profile?: Profile } = {},
): Promise<TestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "qos-app-"));
  const open = () =>
    QosApp.open({ dbPath: join(dir, "app.db"), minGasPrice: options.minGasPrice ?? "0.025uqos", checkInvariants: true, profile: options.profile, log: () => {} });
  const t: TestApp = {
    app: await open(),
    dir,
    height: 0,
    async block(txs) {
      const height = t.height + 1;
      const res = t.app.finalizeBlock({
        txs,
        decidedLastCommit: { round: 0, votes: [] },
        misbehavior: [],
        hash: new Uint8Array(32),
        height: BigInt(height),
        time: { seconds: GenesisTime.seconds + BigInt(height), nanos: 0 },
        nextValidatorsHash: new Uint8Array(32),
        proposerAddress: new Uint8Array(20),
      });
      await t.app.commit();
      t.height = height;
      return { results: res.txResults, appHash: res.appHash };
    },
    async reopen() {
      await t.app.close();
      t.app = await open();
    },
    async destroy() {
      await t.app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  t.app.initChain({
    time: GenesisTime,
    chainId: options.chainId ?? "qos-unit-1",
    validators: [],
    appStateBytes: new TextEncoder().encode(JSON.stringify({ ...appState, profile: options.profile ?? "qos" })),
    initialHeight: 1n,
  });
  return t;
}

export function genesisWith(balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }>) {
  return {
    auth: { accounts: balances.map((b) => ({ address: b.address })) },
    bank: { balances },
  };
}
