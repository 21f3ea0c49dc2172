// qosd export: the committed state as a genesis document a new chain can start from.
import type { QosApp } from "../../app/app.js";
import { openApp } from "../../chain/index.js";
import { genesisProfile, paths, readGenesis, type GenesisDoc } from "./home.js";

export async function exportGenesis(home: string): Promise<GenesisDoc> {
  const genesis = readGenesis(home);
  let app: QosApp;
  try {
    app = await openApp({ dbPath: paths(home).appDb, profile: genesisProfile(home), log: () => {} });
  } catch (e) {
    const err = e as Error & { cause?: Error };
    const message = `${err.message}${err.cause ? `: ${err.cause.message}` : ""}`;
    if (/lock/i.test(message)) throw new Error(`the state database is in use: stop the node before exporting (${message})`);
    throw e;
  }
  try {
    return {
      ...genesis,
      initial_height: String(app.lastHeight + 1),
      app_hash: "",
      app_state: { profile: app.profile, ...app.exportAppState() },
    };
  } finally {
    await app.close();
  }
}
