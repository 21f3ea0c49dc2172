// The end of a run: export the state as a genesis document (what `qosd export` writes: app_state with the
// profile and every module's export, initial_height = last height + 1), start a NEW chain from it, and
// check it is the same chain:
//  1. export never throws on state the chain accepted;
//  2. the new chain's InitChain validator set is CometBFT's current set (every update applied);
//  3. the new chain's genesis state is the exported one (the same app hash), and one block with the same
//     inputs on both → the whole key-value state is identical and the exports are equal;
//  4. a few more blocks of the same random txs on both → the same result codes and the same state.
import { isDeepStrictEqual } from "node:util";
import type { KVReader } from "../app/state/kv.js";
import { SimChain, SimFailure, type ValidatorSet } from "./chain.js";
import { Generators, Weights, buildPlanned } from "./traffic.js";
import type { Rng } from "./rng.js";
import { UpgradesDone, type World } from "./world.js";

/** keys that may differ between a chain and its re-genesis: none (the export keeps the chain's first
 *  height and the last block's mint) */
const AllowedToDiffer = new Set<string>();

function exportDoc(chain: SimChain): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify({ profile: chain.app.profile, ...chain.app.exportAppState() }));
  } catch (e) {
    throw new SimFailure("export threw", chain.height, (e as Error).stack ?? String(e));
  }
}

function printable(key: string): string {
  return key.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Differences between two whole states (keys in latin1 form), at most `limit` described. */
export function stateDiff(a: KVReader, b: KVReader, limit = Number(process.env.SIM_DIFF_LIMIT ?? 8)): string[] {
  const out: string[] = [];
  const ia = a.iterate("");
  const ib = b.iterate("");
  let x = ia.next();
  let y = ib.next();
  let count = 0;
  while (!x.done || !y.done) {
    if (!x.done && !y.done && x.value[0] === y.value[0]) {
      if (!AllowedToDiffer.has(x.value[0]) && !Buffer.from(x.value[1]).equals(Buffer.from(y.value[1]))) {
        if (count++ < limit) out.push(`${printable(x.value[0])}: values differ`);
      }
      x = ia.next();
      y = ib.next();
    } else if (y.done || (!x.done && x.value[0] < y.value[0])) {
      if (!AllowedToDiffer.has(x.value![0]) && count++ < limit) out.push(`${printable(x.value![0])}: only in the original`);
      x = ia.next();
    } else {
      if (!AllowedToDiffer.has(y.value[0]) && count++ < limit) out.push(`${printable(y.value[0])}: only in the re-genesis`);
      y = ib.next();
    }
  }
  if (count > limit) out.push(`… ${count - limit} more`);
  return out;
}

function setsEqual(a: ValidatorSet, b: ValidatorSet): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k)?.power !== v.power) return false;
  return true;
}

const describeSet = (s: ValidatorSet) => [...s.entries()].map(([k, v]) => `${k.slice(0, 8)}:${v.power}`).sort().join(",");

/** A new chain from `a`'s export (what `qosd export` writes), as CometBFT would start it: initial height
 *  = a's next height, genesis time = a's last block time, the original genesis validators (`validators`). */
export async function regenesis(a: SimChain, validators: ValidatorSet = new Map()): Promise<SimChain> {
  return SimChain.create({
    chainId: a.chainId, profile: a.app.keepers.profile, genesisSeconds: a.lastTime, initialHeight: a.height + 1,
    appState: exportDoc(a), upgradesDone: UpgradesDone, validators, stateBackend: a.stateBackend,
  });
}

/** The same block on both chains (the original's last commit on both): the same result codes, the same
 *  state, the same exports; throws a SimFailure saying what differs. */
export async function sameBlock(a: SimChain, b: SimChain, input: { txs: Uint8Array[]; timeSeconds: bigint; missed?: ReadonlySet<string> }): Promise<void> {
  const full = { ...input, lastSet: a.set_(a.height) };
  const ra = await a.block(full);
  const rb = await b.block(full);
  const codesA = ra.results.map((r) => `${r.codespace}/${r.code}`).join(" ");
  const codesB = rb.results.map((r) => `${r.codespace}/${r.code}`).join(" ");
  if (codesA !== codesB) throw new SimFailure("export/import", a.height, `the same txs give codes [${codesA}] on the original and [${codesB}] on the re-genesis`);
  const diff = stateDiff(a.app.store.latest.reader, b.app.store.latest.reader);
  if (diff.length > 0) throw new SimFailure("export/import", a.height, `state differs after the same block on both:\n  ${diff.join("\n  ")}`);
  if (!isDeepStrictEqual(exportDoc(a), exportDoc(b))) throw new SimFailure("export/import", a.height, "the exports of the two chains differ");
}

export async function checkExportImport(w: World, rng: Rng, extraBlocks = 5): Promise<string> {
  const a = w.chain;
  // qosd export keeps the original genesis document's CometBFT validators (none: this chain's come from gentxs)
  const b = await regenesis(a);
  try {
    if (!Buffer.from(b.genesisAppHash).equals(a.app.store.latest.appHash)) {
      throw new SimFailure("export/import", a.height, `the new chain's genesis app hash ${Buffer.from(b.genesisAppHash).toString("hex")} is not the exported state's ${Buffer.from(a.app.store.latest.appHash).toString("hex")}`);
    }
    const expected = a.set_(a.height + 2);
    const imported = b.set_(b.initialHeight);
    if (!setsEqual(expected, imported)) {
      throw new SimFailure("export/import", a.height, `the new chain's validators ${describeSet(imported)} are not CometBFT's ${describeSet(expected)}`);
    }
    // the same blocks on both: first an empty one, then random valid traffic
    for (let i = 0; i <= extraBlocks; i++) {
      w.resetSequences();
      const txs: Uint8Array[] = [];
      if (i > 0) {
        for (let k = rng.int(8); k > 0; k--) {
          const kind = rng.weighted(Weights);
          const gen = Generators[kind](w, false);
          if (!gen) continue;
          const built = buildPlanned(w, a, gen.signers, gen.msgs, false);
          if (a.checkTx(built.bytes).code === 0) {
            for (const s of built.spec.signers) w.setSequence(a, s.account, s.sequence + 1n);
            txs.push(built.bytes);
          }
        }
      }
      await sameBlock(a, b, { txs, timeSeconds: a.lastTime + 5n });
    }
    return `export → new chain at height ${b.initialHeight} → ${extraBlocks + 1} identical blocks: same app hash at genesis, same state, same exports, same validator set`;
  } finally {
    await b.destroy();
  }
}
