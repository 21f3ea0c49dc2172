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
// The queues are rebuilt from the proposals' status at genesis; BeginBlock (the upgrade) and EndBlock (the
// end of deposit and voting periods, the tally's outcome, a passed proposal's execution) are in abci.ts.
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
import { isCanonicalAmount, type Coin } from "../../app/coins.js";
import { One, mulDecFloor } from "../../app/decimal.js";
import type { Event } from "../../app/events.js";
import { blockSeconds, type Context, type ModuleAccount } from "../../app/module.js";
import {
  Item, KeySet, Sequence, StoreMap, bigintValue, bytesKey, keyPrefix, protoValue, stringKey, stringValue, tupleKey, u64Key, type ValueCodec,
} from "../../app/state/collections.js";
import type { KVReader, KVStore } from "../../app/state/kv.js";
import {
  Proposal, ProposalLevel, ProposalStatus, UpgradePlan, VoteOption,
  type ProposalContent, type TallyResult,
} from "../../gen/qos/gov/v1/types.js";
import type { ClientProposal, RecoverClientProposal } from "../../gen/qos/qcp/v1/types.js";
import type { Validator } from "../../gen/qos/stake/v1/types.js";
import { validatePhaseChange, type Phase } from "../mint/index.js";
import { toValAddress } from "../stake/index.js";
import { GovErrors } from "./errors.js";
import * as events from "./events.js";
import { DefaultParams, DepositDenom, ParamsSchema, type LevelParams, type Params } from "./params.js";
import type { Page, PageRequest } from "../../app/query.js";

/** a vote option as its decimal number ("1" = yes) */
const voteOptionValue: ValueCodec<VoteOption> = {
  encode: (option) => stringValue.encode(String(option)),
  decode: (bytes) => Number(stringValue.decode(bytes)) as VoteOption,
};
const address = bytesKey(20);
/** The module's collections (genesis.ts imports and exports through them). */
export const GovState = {
  nextId: new Sequence("gov/next", 1n),
  proposals: new StoreMap("gov/p/", u64Key, protoValue(Proposal)),
  deposits: new StoreMap("gov/d/", tupleKey(u64Key, address), bigintValue),
  votes: new StoreMap("gov/v/", tupleKey(u64Key, address), voteOptionValue),
  /** [deposit end time, id] of the proposals in their deposit period */
  inactiveQueue: new KeySet("gov/iq/", tupleKey(u64Key, u64Key)),
  /** [voting end time, id] of the proposals in their voting period */
  activeQueue: new KeySet("gov/aq/", tupleKey(u64Key, u64Key)),
  upgradePlan: new Item("gov/up", protoValue(UpgradePlan)),
  appliedUpgrades: new StoreMap("gov/ud/", stringKey, bigintValue),
};
const S = GovState;
const params = storedParams("gov/params", ParamsSchema, DefaultParams);
export const GovAccountName = "gov";
export const govAccount = moduleAddress(GovAccountName);
/** gov's module account: holds open deposits; its permission burns the deposits governance burns */
export const GovModuleAccount = { name: GovAccountName, permissions: ["burner"] } as const satisfies ModuleAccount;
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
  checkSpelling(changes: ReadonlyArray<{ module: string; key: string; value: string }>): void;
  prepare(store: KVReader, changes: ReadonlyArray<{ module: string; key: string; value: string }>): unknown;
  apply(store: KVStore, events: Event[], changes: ReadonlyArray<{ module: string; key: string; value: string }>): void;
}
/** What gov needs for a qcp_client proposal (qcp's client, wired in chain/index.ts; gov imports no qcp code). */
export interface GovQcpClient {
  /** no state: the proposal's chain id, header and validator set well formed and within bounds */
  checkStateless(proposal: ClientProposal): void;
  /** against the state, at submission and again at execution: the header verifies, the client may be replaced */
  check(ctx: Context, proposal: ClientProposal): void;
  /** creates the client, or replaces the old one (its consensus states deleted) */
  apply(ctx: Context, proposal: ClientProposal): void;
}

/** What gov needs for a qcp_recover proposal (qcp's substitute-client recovery, wired in chain/index.ts). */
export interface GovQcpRecover {
  /** no state: the chain id and substitute id well formed */
  checkStateless(proposal: RecoverClientProposal): void;
  /** against the state, at submission and again at execution: the client may be recovered from the substitute */
  check(ctx: Context, proposal: RecoverClientProposal): unknown;
  /** the client takes the substitute's latest consensus state and is unfrozen */
  apply(ctx: Context, proposal: RecoverClientProposal): void;
}

export interface GovDeps {
  bank: GovBank;
  stake: GovStake;
  distribution: GovDistribution;
  mint: GovMint;
  params: GovParamsRegistry;
  qcpClient: GovQcpClient;
  qcpRecover: GovQcpRecover;
}

export interface Tally {
  yes: bigint;
  abstain: bigint;
  no: bigint;
  noWithVeto: bigint;
  totalPower: bigint;
}

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
export function proposalKind(content: ProposalContent | undefined): "text" | "parameter_change" | "community_pool_spend" | "inflation_change" | "software_upgrade" | "qcp_client" | "qcp_recover" {
  if (!content) throw GovErrors.invalidProposal.with("content is missing");
  const kinds = ([
    ["text", content.text], ["parameter_change", content.parameterChange], ["community_pool_spend", content.communityPoolSpend],
    ["inflation_change", content.inflationChange], ["software_upgrade", content.softwareUpgrade], ["qcp_client", content.qcpClient],
    ["qcp_recover", content.qcpRecover],
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
    // what this chain believes of another chain's state (every voucher from it) rests on the trusted header
    case "qcp_client":
    case "qcp_recover":
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
    if (!isCanonicalAmount(p.totalAmount, 30)) throw GovErrors.invalidInflationChange.with(`phase ${i}: total_amount must be a whole number of uqos`);
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
    return S.nextId.peek(store);
  }
  setNextId(store: KVStore, id: bigint): void {
    S.nextId.set(store, id);
  }
  getProposal(store: KVReader, id: bigint): Proposal | undefined {
    return S.proposals.get(store, id);
  }
  requireProposal(store: KVReader, id: bigint): Proposal {
    const p = this.getProposal(store, id);
    if (!p) throw GovErrors.proposalNotFound.with(`no proposal ${id}`);
    return p;
  }
  setProposal(store: KVStore, p: Proposal): void {
    S.proposals.set(store, p.id, p);
  }
  *allProposals(store: KVReader): IterableIterator<Proposal> {
    for (const [, p] of S.proposals.entries(store)) yield p;
  }

  /** One page of the proposals by id, of one status (0 = any) and, when given, passing `include`; app/query.ts
   *  pagination. */
  proposalsPage(store: KVReader, status: ProposalStatus, page: PageRequest | undefined, include?: (p: Proposal) => boolean): Page<Proposal> {
    return S.proposals.page(store, page, (_, p) =>
      (status === ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED || p.status === status) && (include === undefined || include(p)) ? p : undefined);
  }

  // ---- deposits ----
  getDeposit(store: KVReader, id: bigint, depositor: Uint8Array): bigint {
    return S.deposits.get(store, [id, depositor]) ?? 0n;
  }
  *deposits(store: KVReader, id: bigint): IterableIterator<[Uint8Array, bigint]> {
    for (const [[, depositor], amount] of S.deposits.entries(store, { within: keyPrefix([u64Key, id]) })) yield [depositor, amount];
  }

  depositsPage(store: KVReader, id: bigint, page: PageRequest | undefined): Page<[Uint8Array, bigint]> {
    return S.deposits.page(store, page, ([, depositor], amount) => [depositor, amount], keyPrefix([u64Key, id]));
  }

  /** Moves `amount` from the depositor into the gov account; starts the voting period at min_deposit. */
  addDeposit(ctx: Context, p: Proposal, depositor: Uint8Array, amount: bigint): void {
    if (p.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && p.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      throw GovErrors.proposalFinished.with(`proposal ${p.id} is ${StatusNames[p.status] ?? p.status}`);
    }
    this.deps.bank.sendFromAccountToModule(ctx.store, ctx.events, depositor, [{ denom: DepositDenom, amount }]);
    S.deposits.set(ctx.store, [p.id, depositor], this.getDeposit(ctx.store, p.id, depositor) + amount);
    p.totalDeposit = (BigInt(p.totalDeposit || "0") + amount).toString();
    ctx.events.push(events.depositEvent(p.id, toAccAddress(depositor), amount));
    const lp = this.levelParams(ctx.store, p.level);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && BigInt(p.totalDeposit) >= BigInt(lp.min_deposit)) {
      S.inactiveQueue.delete(ctx.store, [p.depositEndTime, p.id]);
      const now = blockSeconds(ctx.block);
      p.status = ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD;
      p.votingStartTime = now;
      p.votingStartHeight = BigInt(ctx.block.height);
      p.votingEndTime = now + BigInt(lp.voting_period_secs);
      S.activeQueue.add(ctx.store, [p.votingEndTime, p.id]);
      ctx.events.push(events.votingStartedEvent(p.id, p.votingEndTime));
    }
    this.setProposal(ctx.store, p);
  }

  /** Creates a proposal in its deposit period (the caller then adds the initial deposit). */
  createProposal(ctx: Context, proposer: string, content: ProposalContent, level: ProposalLevel): Proposal {
    const id = S.nextId.next(ctx.store);
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
    S.inactiveQueue.add(ctx.store, [p.depositEndTime, id]);
    return p;
  }

  // ---- votes ----
  setVote(store: KVStore, id: bigint, voter: Uint8Array, option: VoteOption): void {
    S.votes.set(store, [id, voter], option);
  }
  getVote(store: KVReader, id: bigint, voter: Uint8Array): VoteOption | undefined {
    return S.votes.get(store, [id, voter]);
  }
  *votes(store: KVReader, id: bigint): IterableIterator<[Uint8Array, VoteOption]> {
    for (const [[, voter], option] of S.votes.entries(store, { within: keyPrefix([u64Key, id]) })) yield [voter, option];
  }

  votesPage(store: KVReader, id: bigint, page: PageRequest | undefined): Page<[Uint8Array, VoteOption]> {
    return S.votes.page(store, page, ([, voter], option) => [voter, option], keyPrefix([u64Key, id]));
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
    return S.upgradePlan.get(store);
  }
  setUpgradePlan(store: KVStore, plan: UpgradePlan): void {
    S.upgradePlan.set(store, plan);
  }
  *appliedUpgrades(store: KVReader): IterableIterator<{ name: string; height: bigint }> {
    for (const [name, height] of S.appliedUpgrades.entries(store)) yield { name, height };
  }
  /** The scheduled plan is done: it is removed and its name recorded with the height it was applied at. */
  markUpgradeApplied(store: KVStore, plan: UpgradePlan, height: number): void {
    S.upgradePlan.delete(store);
    S.appliedUpgrades.set(store, plan.name, BigInt(height));
  }

  // ---- end of periods ----
  /** The proposals whose deposit period (`queue` "deposit") or voting period ("voting") ended at or before
   *  `now`, in end-time order, each taken off its queue just before it is yielded. */
  *takeEnded(store: KVStore, queue: "deposit" | "voting", now: bigint): IterableIterator<Proposal> {
    const set = queue === "deposit" ? S.inactiveQueue : S.activeQueue;
    for (const key of [...set.keys(store, { to: keyPrefix([u64Key, now + 1n]) })]) {
      set.delete(store, key);
      yield this.requireProposal(store, key[1]);
    }
  }

  /** Burns ⌊deposit × burnFraction⌋ of every deposit and refunds the rest; removes the deposit records. */
  settleDeposits(ctx: Context, id: bigint, burnFraction: bigint): void {
    let burned = 0n;
    for (const [depositor, amount] of [...this.deposits(ctx.store, id)]) {
      const burn = burnFraction === One ? amount : mulDecFloor(amount, burnFraction);
      burned += burn;
      if (amount - burn > 0n) this.deps.bank.sendFromModuleToAccount(ctx.store, ctx.events, depositor, [{ denom: DepositDenom, amount: amount - burn }]);
      S.deposits.delete(ctx.store, [id, depositor]);
    }
    if (burned > 0n) this.deps.bank.burn(ctx.store, ctx.events, govAccount, [{ denom: DepositDenom, amount: burned }]);
  }

  /** Checks a proposal's content against the current state (submit time; again at execution). */
  checkContent(ctx: Context, content: ProposalContent, recipient?: Uint8Array): void {
    // a pool spend into a module account would break that module's accounting (`recipient`: the spend's
    // recipient as the message parsed it; a stored proposal's is parsed here)
    if (content.communityPoolSpend) this.deps.bank.checkRecipient(recipient ?? parseAccAddress(content.communityPoolSpend.recipient), "recipient");
    if (content.parameterChange) this.deps.params.prepare(ctx.store, content.parameterChange.changes);
    if (content.inflationChange) nextSchedule(this.deps.mint.phases(ctx.store), content.inflationChange.phases, blockSeconds(ctx.block));
    if (content.qcpClient) this.deps.qcpClient.check(ctx, content.qcpClient);
    if (content.qcpRecover) this.deps.qcpRecover.check(ctx, content.qcpRecover);
    if (content.softwareUpgrade) {
      const plan = content.softwareUpgrade.plan!;
      if (plan.height <= BigInt(ctx.block.height)) throw GovErrors.invalidUpgrade.with(`upgrade height ${plan.height} is not after the current height ${ctx.block.height}`);
      if (S.appliedUpgrades.has(ctx.store, plan.name)) throw GovErrors.invalidUpgrade.with(`upgrade ${JSON.stringify(plan.name)} was applied already`);
    }
  }


  /** The gov account holds exactly the open deposits. */
  checkInvariants(store: KVReader): void {
    let sum = 0n;
    for (const [, amount] of S.deposits.entries(store)) sum += amount;
    const held = this.deps.bank.getBalance(store, govAccount, DepositDenom);
    if (held !== sum) throw GovErrors.invariantBroken.with(`gov account holds ${held}${DepositDenom}, open deposits sum to ${sum}`);
  }
}

export function tallyProto(t: Tally): TallyResult {
  return { yes: t.yes.toString(), abstain: t.abstain.toString(), no: t.no.toString(), noWithVeto: t.noWithVeto.toString(), totalPower: t.totalPower.toString() };
}
