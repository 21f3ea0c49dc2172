// qosd prune: offline pruning of the state versions config/app.json does not keep, then a LevelDB
// compaction (the node must be stopped: LevelDB allows one process). Disk backend only: the memory
// backend keeps one version on disk and nothing to prune.
import { DiskStore } from "../../app/state/disk/store.js";
import { paths, pruningOf, readAppConfig } from "./home.js";

export interface PruneResult {
  latest: number;
  earliest: number;
}

export async function pruneHome(home: string, keepRecent?: number): Promise<PruneResult> {
  const config = readAppConfig(home);
  if (config.state_backend !== "disk") throw new Error(`qosd prune: config/app.json state_backend is "${config.state_backend}"; only the "disk" backend keeps versions to prune`);
  const keep = keepRecent ?? pruningOf(config).keepRecent;
  if (!Number.isSafeInteger(keep) || keep < 0) throw new Error(`--keep-recent must be a whole number >= 0, got ${keepRecent}`);
  const store = await DiskStore.open(paths(home).appDb, { cacheBytes: config.state_cache_mb * 1024 * 1024 });
  try {
    await store.pruned();
    const latest = store.latest.height;
    if (keep > 0 && latest - keep + 1 > store.earliestHeight) await store.pruneTo(latest - keep + 1);
    await store.compact();
    return { latest, earliest: store.earliestHeight };
  } finally {
    await store.close();
  }
}
