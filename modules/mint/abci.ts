// mint's part of every block (BeginBlock), integer arithmetic only (D7):
//   1. roll-over: a phase whose end_time ≤ block time with applied < total gives its leftover
//      (total − applied) to the next phase's total and keeps total = applied; the last phase has no next
//      phase, so its leftover is never minted ("nothing after the last phase");
//   2. current phase = earliest end_time strictly after the block time with applied < total;
//   3. avg = max(1, ⌊(t − first_time) / (height − first_height)⌋) once a later block than the first
//      measured one is seen, else params.target_block_time_secs;
//      blocks_left = max(1, ⌊(end_time − t) / avg⌋); mint = min(⌊(total − applied) / blocks_left⌋, total − applied);
//   4. mint > 0: bank.mint into the fee collector, applied += mint, minted += mint, last = mint, event.
// The first measured block is the first one whose time is after the genesis time: CometBFT gives block 1
// the genesis time itself, which says nothing about how fast blocks come.
import { blockSeconds, type Context } from "../../app/module.js";
import { MintErrors } from "./errors.js";
import * as events from "./events.js";
import { currentPhaseIndex, feeCollector, type MintKeeper } from "./keeper.js";
import { MintDenom } from "./params.js";

const max = (a: bigint, b: bigint) => (a > b ? a : b);

/** BeginBlock: roll-over of ended phases, then this block's inflation into the fee collector. */
export function beginBlock(keeper: MintKeeper, ctx: Context): void {
  const store = ctx.store;
  const height = BigInt(ctx.block.height);
  const t = blockSeconds(ctx.block);

  const clock = keeper.clock(store);
  if (!clock.first && t > clock.genesisTime) {
    clock.first = { height, time: t };
    keeper.setClock(store, clock);
  }

  const phases = keeper.phases(store);
  const dirty = new Set<number>();

  for (let i = 0; i + 1 < phases.length; i++) {
    const p = phases[i];
    if (p.endTime > t || p.applied >= p.total) continue;
    const leftover = p.total - p.applied;
    p.total = p.applied;
    phases[i + 1].total += leftover;
    dirty.add(i).add(i + 1);
    ctx.events.push(events.rolloverEvent(height, p.endTime, leftover, phases[i + 1].endTime));
  }

  let amount = 0n;
  const i = currentPhaseIndex(phases, t);
  if (i >= 0) {
    const p = phases[i];
    const remaining = p.total - p.applied;
    const params = keeper.getParams(store);
    let avg = BigInt(params.target_block_time_secs);
    if (clock.first && height > clock.first.height) avg = (t - clock.first.time) / (height - clock.first.height);
    avg = max(1n, avg);
    const blocksLeft = max(1n, (p.endTime - t) / avg);
    amount = remaining / blocksLeft;
    if (amount > remaining) amount = remaining;
    if (params.total_supply_cap !== undefined && amount > 0n) {
      if (!keeper.bank.getSupply) throw MintErrors.noSupplyReader.with();
      const room = BigInt(params.total_supply_cap) - keeper.bank.getSupply(store, MintDenom);
      if (amount > room) amount = max(0n, room);
    }
    if (amount > 0n) {
      // into mint's own account, then on to the fee collector (the Cosmos SDK's way: only an account
      // with the minter permission receives new coins from the mint module)
      keeper.bank.mint(store, ctx.events, keeper.bank.address, [{ denom: MintDenom, amount }]);
      keeper.bank.sendFromModuleToModule(store, ctx.events, feeCollector, [{ denom: MintDenom, amount }]);
      p.applied += amount;
      dirty.add(i);
      keeper.setMinted(store, keeper.minted(store) + amount);
      ctx.events.push(events.mintEvent(height, amount, p.endTime));
    }
  }

  for (const index of [...dirty].sort((a, b) => a - b)) keeper.writePhase(store, phases[index]);
  keeper.setLastMint(store, amount);
}
