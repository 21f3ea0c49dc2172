// Governance: proposals, deposits, votes, the tally and the execution of passed proposals. Keys live here only:
//   gov/next                          → next proposal id (decimal ASCII)
//   gov/p/<id 8 BE>                   → Proposal (protobuf)
//   gov/d/<id 8 BE><depositor 20>     → open deposit, uqos (decimal ASCII); removed when settled
//   gov/v/<id 8 BE><voter 20>         → VoteOption (decimal ASCII); kept after the tally
//   gov/iq/<end 8 BE><id 8 BE>        → proposals in their deposit period, by deposit end time
//   gov/aq/<end 8 BE><id 8 BE>        → proposals in their voting period, by voting end time
//   gov/up                            → the scheduled UpgradePlan (protobuf)
//   gov/ud/<name>                     → height at which that upgrade was applied
//   gov/params                        → params (JSON)
// Deposits sit in the module account "gov": its uqos == Σ open deposits (invariant).
//
// Every proposal has a level (text, pool spend: normal; parameter change: important; inflation change and
// software upgrade: critical) and that level's params apply to it everywhere: initial deposit, deposit
// period, min deposit, voting period, quorum, threshold, veto, burn rate.
//
// Tally (whitepaper §3.3.2): voting power is stake bonded to active validators. For every delegation
// (the owner's self-bond included) the delegator's own vote counts if it voted, else its validator's
// (the owner's) vote, else it does not count. It is computed from the votes (see tally()), never by
// reading every delegation: end-block work stays bounded by the votes that were paid for. All comparisons are exact fixed-point (no division):
//   quorum:    voted × 10^18 ≥ quorum × total_power          (else: rejected, burn_rate of deposits burned)
//   veto:      no_with_veto × 10^18 > veto × voted            (then: rejected, every deposit burned)
//   threshold: yes × 10^18 > threshold × (voted − abstain)    (then passed; all abstain → rejected)
// Deposit rules: passed → refunded (also if execution fails: status FAILED); rejected → refunded;
// quorum not reached → ⌊deposit × burn_rate⌋ burned, the rest refunded; vetoed → all burned; deposit
// period over without min_deposit → all burned. Burned coins leave the supply (bank.burn).
import { storedParams } from "../../app/params.js";
import { moduleAddress, parseAccAddress, toAccAddress } from "../../app/address.js";
import type { Coin } from "../../app/coins.js";
import { One, mulDecFloor, parseDec } from "../../app/decimal.js";
import type { Event } from "../../app/events.js";
import { blockSeconds, type Context, type ModuleAccount } from "../../app/module.js";
import { CacheStore, bytesToKey, keyToBytes, prefixEnd, type KVReader, type KVStore } from "../../app/state/kv.js";
import {
  Proposal, ProposalLevel, ProposalStatus, UpgradePlan, VoteOption,
  type ProposalContent, type TallyResult,
} from "../../gen/qos/gov/v1/types.js";
import type { Validator } from "../../gen/qos/stake/v1/types.js";
import { validatePhaseChange, type Phase } from "../mint/index.js";
import { toValAddress } from "../stake/index.js";
import { GovErrors } from "./errors.js";
import * as events from "./events.js";
import { DefaultParams, DepositDenom, ParamsSchema, type LevelParams, type Params } from "./params.js";
import { paginate, type Page, type PageRequest } from "../../app/query.js";

const P = "gov/";
const NextIdKey = `${P}next`;
const ProposalPrefix = `${P}p/`;
const DepositPrefix = `${P}d/`;
const VotePrefix = `${P}v/`;
const InactiveQueue = `${P}iq/`;
const ActiveQueue = `${P}aq/`;
const UpgradeKey = `${P}up`;
const UpgradeDonePrefix = `${P}ud/`;
const ParamsKey = `${P}params`;
const params = storedParams(ParamsKey, ParamsSchema, DefaultParams);
export const GovAccountName = "gov";
export const govAccount = moduleAddress(GovAccountName);
/** gov's module account: holds open deposits; its permission burns the deposits governance burns */
export const GovModuleAccount = { name: GovAccountName, permissions: ["burner"] } as const satisfies ModuleAccount;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export { ProposalLevel, ProposalStatus, VoteOption };

// ---- what gov needs from the other modules ----
/** gov's module account handle: deposits in and out, burning, and the rule for recipients users choose */
export interface GovBank {
  sendFromAccountToModule(store: KVStore, events: Event[], from: Uint8Array, coins: readonly Coin[]): void;
  sendFromModuleToAccount(store: KVStore, events: Event[], to: Uint8Array, coins: readonly Coin[]): void;
  burn(store: KVStore, events: Event[] | undefined, from: Uint8Array, coins: readonly Coin[]): void;
  getBalance(store: KVReader, address: Uint8Array, denom: string): bigint;
  checkRecipient(address: Uint8Array, field?: string): void;
}
export interface GovStake {
  /** the active validators (stake's active index) */
  activeValidators(store: KVReader): IterableIterator<[Uint8Array, Validator]>;
  /** a delegator's delegations (stake's by-delegator index); `validator` is the qosval address */
  delegationsOf(store: KVReader, delegator: Uint8Array): Iterable<{ validator: string; amount: string }>;
}
export interface GovDistribution {
  spendCommunityPool(store: KVStore, events: Event[], to: Uint8Array, amount: bigint): void;
}
export interface GovMint {
  phases(store: KVReader): Phase[];
  setPhases(store: KVStore, phases: readonly Phase[]): void;
}
export interface GovParamsRegistry {
  prepare(store: KVReader, changes: ReadonlyArray<{ module: string; key: string; value: string }>): unknown;
  apply(store: KVStore, events: Event[], changes: ReadonlyArray<{ module: string; key: string; value: string }>): void;
}
export interface GovDeps {
  bank: GovBank;
  stake: GovStake;
  distribution: GovDistribution;
  mint: GovMint;
  params: GovParamsRegistry;
}

export interface Tally {
  yes: bigint;
  abstain: bigint;
  no: bigint;
  noWithVeto: bigint;
  totalPower: bigint;
}

const be64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n < 0n ? 0n : n);
  return b.toString("latin1");
};
const readInt = (raw: Uint8Array | undefined) => (raw ? BigInt(decoder.decode(raw)) : 0n);

export const LevelNames: Record<ProposalLevel, keyof Params | ""> = {
  [ProposalLevel.PROPOSAL_LEVEL_UNSPECIFIED]: "",
  [ProposalLevel.PROPOSAL_LEVEL_NORMAL]: "normal",
  [ProposalLevel.PROPOSAL_LEVEL_IMPORTANT]: "important",
  [ProposalLevel.PROPOSAL_LEVEL_CRITICAL]: "critical",
  [ProposalLevel.UNRECOGNIZED]: "",
};

export const OptionNames: Record<number, string> = {
  [VoteOption.VOTE_OPTION_YES]: "yes",
  [VoteOption.VOTE_OPTION_ABSTAIN]: "abstain",
  [VoteOption.VOTE_OPTION_NO]: "no",
  [VoteOption.VOTE_OPTION_NO_WITH_VETO]: "no_with_veto",
};

export const StatusNames: Record<number, string> = {
  [ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD]: "deposit_period",
  [ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD]: "voting_period",
  [ProposalStatus.PROPOSAL_STATUS_PASSED]: "passed",
  [ProposalStatus.PROPOSAL_STATUS_REJECTED]: "rejected",
  [ProposalStatus.PROPOSAL_STATUS_FAILED]: "failed",
};

/** The kind of a proposal's content (exactly one must be set). */
export function proposalKind(content: ProposalContent | undefined): "text" | "parameter_change" | "community_pool_spend" | "inflation_change" | "software_upgrade" {
  if (!content) throw GovErrors.invalidProposal.with("content is missing");
  const kinds = ([
    ["text", content.text], ["parameter_change", content.parameterChange], ["community_pool_spend", content.communityPoolSpend],
    ["inflation_change", content.inflationChange], ["software_upgrade", content.softwareUpgrade],
  ] as const).filter(([, v]) => v !== undefined);
  if (kinds.length !== 1) throw GovErrors.invalidProposal.with("the content must have exactly one kind");
  return kinds[0][0];
}

/** The level of a kind of proposal (the original's table, and used everywhere, unlike the original). */
export function levelOf(kind: ReturnType<typeof proposalKind>): ProposalLevel {
  switch (kind) {
    case "parameter_change":
      return ProposalLevel.PROPOSAL_LEVEL_IMPORTANT;
    case "inflation_change":
    case "software_upgrade":
      return ProposalLevel.PROPOSAL_LEVEL_CRITICAL;
    default:
      return ProposalLevel.PROPOSAL_LEVEL_NORMAL;
  }
}

/** The schedule an inflation change asks for: phases that ended or run now stay, `future` follows. */
export function nextSchedule(current: readonly Phase[], future: ReadonlyArray<{ endTime: bigint; totalAmount: string }>, now: bigint): Phase[] {
  const running = current.findIndex((p) => p.endTime > now);
  const fixed = running === -1 ? current : current.slice(0, running + 1);
  const proposed = future.map((p, i) => {
    if (!/^[0-9]{1,30}$/.test(p.totalAmount)) throw GovErrors.invalidInflationChange.with(`phase ${i}: total_amount must be a whole number of uqos`);
    return { endTime: p.endTime, total: BigInt(p.totalAmount), applied: 0n };
  });
  const next = [...fixed.map((p) => ({ ...p })), ...proposed];
  try {
    validatePhaseChange(current, next, now);
  } catch (e) {
    throw GovErrors.invalidInflationChange.with((e as Error).message);
  }
  return next;
}

export class GovKeeper {
  constructor(readonly deps: GovDeps) {}

  // ---- params ----
  getParams(store: KVReader): Params {
    return params.get(store);
  }
  setParams(store: KVStore, value: Params): void {
    params.set(store, value);
  }
  levelParams(store: KVReader, level: ProposalLevel): LevelParams {
    const name = LevelNames[level];
    if (!name) throw GovErrors.invalidProposal.with(`unknown proposal level ${level}`);
    return this.getParams(store)[name];
  }

  // ---- proposals ----
  nextId(store: KVReader): bigint {
    const raw = store.get(NextIdKey);
    return raw ? readInt(raw) : 1n;
  }
  setNextId(store: KVStore, id: bigint): void {
    store.set(NextIdKey, encoder.encode(id.toString()));
  }
  getProposal(store: KVReader, id: bigint): Proposal | undefined {
    const raw = store.get(ProposalPrefix + be64(id));
    return raw ? Proposal.decode(raw) : undefined;
  }
  requireProposal(store: KVReader, id: bigint): Proposal {
    const p = this.getProposal(store, id);
    if (!p) throw GovErrors.proposalNotFound.with(`no proposal ${id}`);
    return p;
  }
  setProposal(store: KVStore, p: Proposal): void {
    store.set(ProposalPrefix + be64(p.id), Proposal.encode(p).finish());
  }
  *allProposals(store: KVReader): IterableIterator<Proposal> {
    for (const [, value] of store.iterate(ProposalPrefix, prefixEnd(ProposalPrefix))) yield Proposal.decode(value);
  }

  /** One page of the proposals by id, of one status (0 = any); app/query.ts pagination. */
  proposalsPage(store: KVReader, status: ProposalStatus, page: PageRequest | undefined): Page<Proposal> {
    return paginate(store, ProposalPrefix, page, (_, value) => {
      const p = Proposal.decode(value);
      return status === ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED || p.status === status ? p : undefined;
    });
  }

  // ---- deposits ----
  getDeposit(store: KVReader, id: bigint, depositor: Uint8Array): bigint {
    return readInt(store.get(DepositPrefix + be64(id) + bytesToKey(depositor)));
  }
  *deposits(store: KVReader, id: bigint): IterableIterator<[Uint8Array, bigint]> {
    const prefix = DepositPrefix + be64(id);
    for (const [key, value] of store.iterate(prefix, prefixEnd(prefix))) yield [keyToBytes(key.slice(prefix.length)), readInt(value)];
  }

  depositsPage(store: KVReader, id: bigint, page: PageRequest | undefined): Page<[Uint8Array, bigint]> {
    return paginate(store, DepositPrefix + be64(id), page, (depositor, value) => [keyToBytes(depositor), readInt(value)]);
  }

  /** Moves `amount` from the depositor into the gov account; starts the voting period at min_deposit. */
  addDeposit(ctx: Context, p: Proposal, depositor: Uint8Array, amount: bigint): void {
    if (p.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && p.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      throw GovErrors.proposalFinished.with(`proposal ${p.id} is ${StatusNames[p.status] ?? p.status}`);
    }
    this.deps.bank.sendFromAccountToModule(ctx.store, ctx.events, depositor, [{ denom: DepositDenom, amount }]);
    const key = DepositPrefix + be64(p.id) + bytesToKey(depositor);
    ctx.store.set(key, encoder.encode((readInt(ctx.store.get(key)) + amount).toString()));
    p.totalDeposit = (BigInt(p.totalDeposit || "0") + amount).toString();
    ctx.events.push(events.depositEvent(p.id, toAccAddress(depositor), amount));
    const lp = this.levelParams(ctx.store, p.level);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && BigInt(p.totalDeposit) >= BigInt(lp.min_deposit)) {
      ctx.store.delete(InactiveQueue + be64(p.depositEndTime) + be64(p.id));
      const now = blockSeconds(ctx.block);
      p.status = ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD;
      p.votingStartTime = now;
      p.votingStartHeight = BigInt(ctx.block.height);
      p.votingEndTime = now + BigInt(lp.voting_period_secs);
      ctx.store.set(ActiveQueue + be64(p.votingEndTime) + be64(p.id), new Uint8Array());
      ctx.events.push(events.votingStartedEvent(p.id, p.votingEndTime));
    }
    this.setProposal(ctx.store, p);
  }

  /** Creates a proposal in its deposit period (the caller then adds the initial deposit). */
  createProposal(ctx: Context, proposer: string, content: ProposalContent, level: ProposalLevel): Proposal {
    const id = this.nextId(ctx.store);
    this.setNextId(ctx.store, id + 1n);
    const now = blockSeconds(ctx.block);
    const lp = this.levelParams(ctx.store, level);
    const p = Proposal.fromPartial({
      id, content, level, proposer,
      status: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
      submitTime: now,
      depositEndTime: now + BigInt(lp.max_deposit_period_secs),
      totalDeposit: "0",
    });
    this.setProposal(ctx.store, p);
    ctx.store.set(InactiveQueue + be64(p.depositEndTime) + be64(id), new Uint8Array());
    return p;
  }

  // ---- votes ----
  setVote(store: KVStore, id: bigint, voter: Uint8Array, option: VoteOption): void {
    store.set(VotePrefix + be64(id) + bytesToKey(voter), encoder.encode(String(option)));
  }
  getVote(store: KVReader, id: bigint, voter: Uint8Array): VoteOption | undefined {
    const raw = store.get(VotePrefix + be64(id) + bytesToKey(voter));
    return raw ? (Number(decoder.decode(raw)) as VoteOption) : undefined;
  }
  *votes(store: KVReader, id: bigint): IterableIterator<[Uint8Array, VoteOption]> {
    const prefix = VotePrefix + be64(id);
    for (const [key, value] of store.iterate(prefix, prefixEnd(prefix))) yield [keyToBytes(key.slice(prefix.length)), Number(decoder.decode(value)) as VoteOption];
  }

  votesPage(store: KVReader, id: bigint, page: PageRequest | undefined): Page<[Uint8Array, VoteOption]> {
    return paginate(store, VotePrefix + be64(id), page, (voter, value) => [keyToBytes(voter), Number(decoder.decode(value)) as VoteOption]);
  }

  /** The tally of a proposal's votes over the current bonded stake (see the header). The work is bounded by
   *  what was paid for: one pass over the validators (their tokens are the total power) and, per vote (each
   *  paid at vote time), the voter's own delegations through stake's by-delegator index; delegators who did
   *  not vote are never read. A validator's vote then counts for its tokens minus the delegations whose
   *  delegators voted themselves (their own vote overrides it, whitepaper §3.3.2). */
  tally(store: KVReader, id: bigint): Tally {
    const t: Tally = { yes: 0n, abstain: 0n, no: 0n, noWithVeto: 0n, totalPower: 0n };
    const add = (option: VoteOption | undefined, amount: bigint) => {
      if (option === VoteOption.VOTE_OPTION_YES) t.yes += amount;
      else if (option === VoteOption.VOTE_OPTION_ABSTAIN) t.abstain += amount;
      else if (option === VoteOption.VOTE_OPTION_NO) t.no += amount;
      else if (option === VoteOption.VOTE_OPTION_NO_WITH_VETO) t.noWithVeto += amount;
    };
    // active validators by operator address: their tokens (Σ of their delegations) and what voters took from them
    const active = new Map<string, { owner: Uint8Array; tokens: bigint; votedAway: bigint }>();
    for (const [owner, v] of this.deps.stake.activeValidators(store)) {
      const tokens = BigInt(v.tokens || "0");
      t.totalPower += tokens;
      active.set(toValAddress(owner), { owner, tokens, votedAway: 0n });
    }
    for (const [voter, option] of this.votes(store, id)) {
      for (const d of this.deps.stake.delegationsOf(store, voter)) {
        const validator = active.get(d.validator);
        if (!validator) continue;
        const amount = BigInt(d.amount);
        add(option, amount);
        validator.votedAway += amount;
      }
    }
    for (const validator of active.values()) {
      const option = this.getVote(store, id, validator.owner);
      if (option !== undefined) add(option, validator.tokens - validator.votedAway);
    }
    return t;
  }

  // ---- software upgrades ----
  getUpgradePlan(store: KVReader): UpgradePlan | undefined {
    const raw = store.get(UpgradeKey);
    return raw ? UpgradePlan.decode(raw) : undefined;
  }
  *appliedUpgrades(store: KVReader): IterableIterator<{ name: string; height: bigint }> {
    for (const [key, value] of store.iterate(UpgradeDonePrefix, prefixEnd(UpgradeDonePrefix))) {
      yield { name: key.slice(UpgradeDonePrefix.length), height: readInt(value) };
    }
  }

  /** BeginBlock: the app only runs a block at or past the plan's height once the upgrade is done
   *  (app.ts refuses otherwise), so reaching here means it is applied. */
  beginBlock(ctx: Context): void {
    const plan = this.getUpgradePlan(ctx.store);
    if (!plan || BigInt(ctx.block.height) < plan.height) return;
    ctx.store.delete(UpgradeKey);
    ctx.store.set(UpgradeDonePrefix + plan.name, encoder.encode(String(ctx.block.height)));
    ctx.events.push(events.upgradeAppliedEvent(plan.name, ctx.block.height));
  }

  // ---- end of periods ----
  endBlock(ctx: Context): void {
    const now = blockSeconds(ctx.block);
    const end = (prefix: string) => [...ctx.store.iterate(prefix, prefix + be64(now + 1n))].map(([key]) => key);
    for (const key of end(InactiveQueue)) {
      ctx.store.delete(key);
      const p = this.requireProposal(ctx.store, BigInt("0x" + Buffer.from(key.slice(InactiveQueue.length + 8), "latin1").toString("hex")));
      this.settleDeposits(ctx, p.id, One);
      this.finish(ctx, p, ProposalStatus.PROPOSAL_STATUS_REJECTED, "expired", "deposit period ended below min_deposit: deposits burned");
    }
    for (const key of end(ActiveQueue)) {
      ctx.store.delete(key);
      const p = this.requireProposal(ctx.store, BigInt("0x" + Buffer.from(key.slice(ActiveQueue.length + 8), "latin1").toString("hex")));
      this.decide(ctx, p);
    }
  }

  private decide(ctx: Context, p: Proposal): void {
    const lp = this.levelParams(ctx.store, p.level);
    const t = this.tally(ctx.store, p.id);
    p.finalTally = tallyProto(t);
    const voted = t.yes + t.abstain + t.no + t.noWithVeto;
    if (t.totalPower === 0n || voted * One < parseDec(lp.quorum) * t.totalPower) {
      this.settleDeposits(ctx, p.id, parseDec(lp.burn_rate));
      return this.finish(ctx, p, ProposalStatus.PROPOSAL_STATUS_REJECTED, "quorum_not_reached", `${voted} of ${t.totalPower} voted: quorum ${lp.quorum} not reached; ${lp.burn_rate} of deposits burned`);
    }
    if (t.noWithVeto * One > parseDec(lp.veto) * voted) {
      this.settleDeposits(ctx, p.id, One);
      return this.finish(ctx, p, ProposalStatus.PROPOSAL_STATUS_REJECTED, "vetoed", `no_with_veto ${t.noWithVeto} of ${voted} is over ${lp.veto}: deposits burned`);
    }
    const nonAbstain = voted - t.abstain;
    if (nonAbstain === 0n || t.yes * One <= parseDec(lp.threshold) * nonAbstain) {
      this.settleDeposits(ctx, p.id, 0n);
      return this.finish(ctx, p, ProposalStatus.PROPOSAL_STATUS_REJECTED, "rejected", `yes ${t.yes} of ${nonAbstain} non-abstaining is not over ${lp.threshold}`);
    }
    this.settleDeposits(ctx, p.id, 0n);
    // execute on a branch: a failing execution changes nothing but the proposal's status
    const branch = new CacheStore(ctx.store);
    const own: Event[] = [];
    try {
      this.execute({ ...ctx, store: branch, events: own }, p);
    } catch (e) {
      return this.finish(ctx, p, ProposalStatus.PROPOSAL_STATUS_FAILED, "failed", `passed, but execution failed: ${(e as Error).message}`);
    }
    branch.write();
    ctx.events.push(...own);
    this.finish(ctx, p, ProposalStatus.PROPOSAL_STATUS_PASSED, "passed", `yes ${t.yes} of ${nonAbstain} non-abstaining`);
  }

  private finish(ctx: Context, p: Proposal, status: ProposalStatus, result: string, detail: string): void {
    p.status = status;
    p.result = `${result}: ${detail}`;
    this.setProposal(ctx.store, p);
    ctx.events.push(events.resultEvent(p.id, result, StatusNames[status], detail));
  }

  /** Burns ⌊deposit × burnFraction⌋ of every deposit and refunds the rest; removes the deposit records. */
  private settleDeposits(ctx: Context, id: bigint, burnFraction: bigint): void {
    let burned = 0n;
    for (const [depositor, amount] of [...this.deposits(ctx.store, id)]) {
      const burn = burnFraction === One ? amount : mulDecFloor(amount, burnFraction);
      burned += burn;
      if (amount - burn > 0n) this.deps.bank.sendFromModuleToAccount(ctx.store, ctx.events, depositor, [{ denom: DepositDenom, amount: amount - burn }]);
      ctx.store.delete(DepositPrefix + be64(id) + bytesToKey(depositor));
    }
    if (burned > 0n) this.deps.bank.burn(ctx.store, ctx.events, govAccount, [{ denom: DepositDenom, amount: burned }]);
  }

  /** Checks a proposal's content against the current state (submit time; again at execution). */
  checkContent(ctx: Context, content: ProposalContent): void {
    // a pool spend into a module account would break that module's accounting
    if (content.communityPoolSpend) this.deps.bank.checkRecipient(parseAccAddress(content.communityPoolSpend.recipient), "recipient");
    if (content.parameterChange) this.deps.params.prepare(ctx.store, content.parameterChange.changes);
    if (content.inflationChange) nextSchedule(this.deps.mint.phases(ctx.store), content.inflationChange.phases, blockSeconds(ctx.block));
    if (content.softwareUpgrade) {
      const plan = content.softwareUpgrade.plan!;
      if (plan.height <= BigInt(ctx.block.height)) throw GovErrors.invalidUpgrade.with(`upgrade height ${plan.height} is not after the current height ${ctx.block.height}`);
      if (ctx.store.has(UpgradeDonePrefix + plan.name)) throw GovErrors.invalidUpgrade.with(`upgrade ${JSON.stringify(plan.name)} was applied already`);
    }
  }

  private execute(ctx: Context, p: Proposal): void {
    const content = p.content!;
    this.checkContent(ctx, content);
    if (content.parameterChange) this.deps.params.apply(ctx.store, ctx.events, content.parameterChange.changes);
    if (content.communityPoolSpend) {
      const spend = content.communityPoolSpend;
      this.deps.distribution.spendCommunityPool(ctx.store, ctx.events, parseAccAddress(spend.recipient), BigInt(spend.amount));
    }
    if (content.inflationChange) {
      this.deps.mint.setPhases(ctx.store, nextSchedule(this.deps.mint.phases(ctx.store), content.inflationChange.phases, blockSeconds(ctx.block)));
    }
    if (content.softwareUpgrade) ctx.store.set(UpgradeKey, UpgradePlan.encode(content.softwareUpgrade.plan!).finish());
  }

  /** The gov account holds exactly the open deposits. */
  checkInvariants(store: KVReader): void {
    let sum = 0n;
    for (const [, value] of store.iterate(DepositPrefix, prefixEnd(DepositPrefix))) sum += readInt(value);
    const held = this.deps.bank.getBalance(store, govAccount, DepositDenom);
    if (held !== sum) throw GovErrors.invariantBroken.with(`gov account holds ${held}${DepositDenom}, open deposits sum to ${sum}`);
  }

  /** The module's state but params as raw pairs, for an exact export/import. */
  *rawEntries(store: KVReader): IterableIterator<[string, Uint8Array]> {
    for (const [key, value] of store.iterate(P, prefixEnd(P))) if (key !== ParamsKey) yield [key, value];
  }
}

export function tallyProto(t: Tally): TallyResult {
  return { yes: t.yes.toString(), abstain: t.abstain.toString(), no: t.no.toString(), noWithVeto: t.noWithVeto.toString(), totalPower: t.totalPower.toString() };
}
