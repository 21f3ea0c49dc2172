// gov's genesis: params, the next proposal id and, for a re-imported export, every proposal (protobuf JSON),
// open deposit, vote, the scheduled upgrade and the applied ones, written through the keeper's collections.
// The deposit and voting queues are not exported: they follow from each proposal's status and end times.
// The deposits' coins must be the balance of the "gov" module account in bank's genesis.
import { z } from "zod";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import { AmountString, Uint64String } from "../../app/coins.js";
import type { Context } from "../../app/module.js";
import type { KVReader } from "../../app/state/kv.js";
import { Proposal, ProposalStatus, UpgradePlan } from "../../gen/qos/gov/v1/types.js";
import { GovErrors } from "./errors.js";
import { GovState as S, OptionNames, type GovKeeper } from "./keeper.js";
import { DefaultParams, ParamsSchema } from "./params.js";

const OptionByName = new Map(Object.entries(OptionNames).map(([number, name]) => [name, Number(number)]));
const ProtoJson = z.record(z.string(), z.unknown());

export const GenesisSchema = z.object({
  params: ParamsSchema.default(DefaultParams),
  starting_proposal_id: z
    .union([z.number().int().min(1).max(Number.MAX_SAFE_INTEGER), Uint64String.transform(Number).pipe(z.number().int().min(1).max(Number.MAX_SAFE_INTEGER))])
    .default(1),
  /** every proposal, in the protobuf JSON form of qos.gov.v1.Proposal */
  proposals: z.array(ProtoJson).default([]),
  /** deposits of proposals still in their deposit or voting period */
  deposits: z.array(z.object({ proposal_id: Uint64String, depositor: z.string(), amount: AmountString })).default([]),
  votes: z.array(z.object({
    proposal_id: Uint64String,
    voter: z.string(),
    option: z.string().refine((o) => OptionByName.has(o), "must be yes, abstain, no or no_with_veto"),
  })).default([]),
  /** the scheduled software upgrade (protobuf JSON of qos.gov.v1.UpgradePlan) */
  upgrade_plan: ProtoJson.optional(),
  applied_upgrades: z.array(z.object({ name: z.string().min(1), height: Uint64String })).default([]),
}).strict(); // strict: an export in the old raw-pairs format ("state") is refused, not silently dropped
export type Genesis = z.infer<typeof GenesisSchema>;

export function defaultGenesis(): Genesis {
  return GenesisSchema.parse({ params: DefaultParams });
}

export function initGenesis(keeper: GovKeeper, ctx: Context, raw: unknown): void {
  const parsed = GenesisSchema.safeParse(raw ?? {});
  if (!parsed.success) throw GovErrors.invalidGenesis.with(parsed.error.message);
  const g = parsed.data;
  const store = ctx.store;
  keeper.setParams(store, g.params);
  keeper.setNextId(store, BigInt(g.starting_proposal_id));
  try {
    for (const json of g.proposals) {
      const p = Proposal.fromJSON(json);
      if (p.id < 1n || p.id >= BigInt(g.starting_proposal_id)) throw new Error(`proposal id ${p.id} is not in [1, starting_proposal_id)`);
      keeper.setProposal(store, p);
      if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD) S.inactiveQueue.add(store, [p.depositEndTime, p.id]);
      if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) S.activeQueue.add(store, [p.votingEndTime, p.id]);
    }
    for (const d of g.deposits) S.deposits.set(store, [BigInt(d.proposal_id), parseAccAddress(d.depositor, "depositor")], BigInt(d.amount));
    for (const v of g.votes) S.votes.set(store, [BigInt(v.proposal_id), parseAccAddress(v.voter, "voter")], OptionByName.get(v.option)!);
    if (g.upgrade_plan) S.upgradePlan.set(store, UpgradePlan.fromJSON(g.upgrade_plan));
    for (const u of g.applied_upgrades) S.appliedUpgrades.set(store, u.name, BigInt(u.height));
  } catch (e) {
    throw GovErrors.invalidGenesis.with((e as Error).message);
  }
}

export function exportGenesis(keeper: GovKeeper, store: KVReader): Genesis {
  const plan = S.upgradePlan.get(store);
  return {
    params: keeper.getParams(store),
    starting_proposal_id: Number(keeper.nextId(store)),
    proposals: [...S.proposals.entries(store)].map(([, p]) => Proposal.toJSON(p) as Record<string, unknown>),
    deposits: [...S.deposits.entries(store)].map(([[id, depositor], amount]) => ({ proposal_id: id.toString(), depositor: toAccAddress(depositor), amount: amount.toString() })),
    votes: [...S.votes.entries(store)].map(([[id, voter], option]) => ({ proposal_id: id.toString(), voter: toAccAddress(voter), option: OptionNames[option] })),
    ...(plan ? { upgrade_plan: UpgradePlan.toJSON(plan) as Record<string, unknown> } : {}),
    applied_upgrades: [...S.appliedUpgrades.entries(store)].map(([name, height]) => ({ name, height: height.toString() })),
  };
}
