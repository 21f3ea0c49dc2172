// End-block work bounded by what was paid for, counted through the real FinalizeBlock: a module's end
// block runs on a store that counts every read.
//
// attack: a proposal's end block reads every delegation of the chain. Anyone can add cheap delegations
// that never vote; the old tally walked every active validator's delegators, so the end-block work of a
// proposal grew with them and nobody paid for it. The tally now walks the votes (each paid at vote time)
// and each voter's own delegations. Counted through the real FinalizeBlock: gov's end block runs on a
// store that counts every read.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { toBase64 } from "@cosmjs/encoding";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import type { Context } from "../../app/module.js";
import { ValidatorStatus } from "../../gen/qos/stake/v1/types.js";
import * as sq from "../../gen/qos/stake/v1/query.js";
import type { KVStore } from "../../app/state/kv.js";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { toValAddress } from "../../modules/stake/index.js";
import * as gq from "../../gen/qos/gov/v1/query.js";
import { Proposal, ProposalLevel, ProposalStatus } from "../../gen/qos/gov/v1/types.js";

const QOS = 1_000_000n;
const addr = (seed: string) => new Uint8Array(createHash("sha256").update(seed).digest().subarray(0, 20));
const latin1 = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const level = {
  min_deposit: String(10n * QOS), min_initial_deposit_rate: "0.5", max_deposit_period_secs: 9, voting_period_secs: 9,
  quorum: "0.334", threshold: "0.5", veto: "0.334", burn_rate: "0.2",
};

/** A chain with one active validator (self-bond 100 QOS), one voting delegator (7 QOS) and `silent`
 *  delegators of 1 QOS who never vote; proposal 1 in its voting period until genesis + 5 s, with the
 *  validator's owner voting yes and the delegator no. Returns gov's end-block reads and the final tally. */
async function endOfVote(silent: number) {
  const owner = addr("owner");
  const voter = addr("voter");
  const others = Array.from({ length: silent }, (_, i) => addr(`silent-${i}`));
  const val = toValAddress(owner);
  const delegations = [
    { delegator: toAccAddress(owner), validator: val, amount: String(100n * QOS) },
    { delegator: toAccAddress(voter), validator: val, amount: String(7n * QOS) },
    ...others.map((d) => ({ delegator: toAccAddress(d), validator: val, amount: String(QOS) })),
  ];
  const bonded = delegations.reduce((s, d) => s + BigInt(d.amount), 0n);
  const end = GenesisTime.seconds + 5n;
  const proposal = Proposal.fromPartial({
    id: 1n, level: ProposalLevel.PROPOSAL_LEVEL_NORMAL, proposer: toAccAddress(voter), content: { title: "t", description: "d", text: {} },
    status: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, submitTime: GenesisTime.seconds, depositEndTime: GenesisTime.seconds + 9n,
    votingStartTime: GenesisTime.seconds, votingEndTime: end, totalDeposit: "0",
  });
  const t = await createTestApp({
    bank: { balances: [{ address: toAccAddress(moduleAddress("stake_pool")), coins: [{ denom: "uqos", amount: String(bonded) }] }] },
    stake: {
      validators: [{
        owner: toAccAddress(owner), consensus_pubkey: toBase64(createHash("sha256").update("cons").digest()), moniker: "v",
        commission: { rate: "0.1", max_rate: "0.2", max_change_rate: "0.01" },
      }],
      delegations,
    },
    gov: {
      params: { normal: level, important: level, critical: level },
      // proposal 1 in its voting period (its queue entry follows from its status and voting end time)
      starting_proposal_id: 2,
      proposals: [Proposal.toJSON(proposal)],
      votes: [
        { proposal_id: "1", voter: toAccAddress(owner), option: "yes" },
        { proposal_id: "1", voter: toAccAddress(voter), option: "no" },
      ],
    },
  });
  try {
    const reads = countEndBlockReads(t, "gov");
    for (let i = 0; i < 6; i++) await t.block([]);
    const res = t.app.query({ path: "/qos.gov.v1.Query/Proposal", data: gq.QueryProposalRequest.encode({ proposalId: 1n }).finish(), height: 0n, prove: false });
    assert.equal(res.code, 0, res.log);
    const p = gq.QueryProposalResponse.decode(res.value).proposal!;
    return { reads, p, bonded };
  } finally {
    await t.destroy();
  }
}

/** Makes the module's end-block hooks (endBlock, validatorUpdates) record every key they read. */
function countEndBlockReads(t: TestApp, name: string): string[] {
  const module = t.app.modules.find((m) => m.name === name)! as { endBlock?: (ctx: Context) => void; validatorUpdates?: (ctx: Context) => unknown };
  const reads: string[] = [];
  const endBlock = module.endBlock!;
  module.endBlock = (ctx) => endBlock({ ...ctx, store: countingStore(ctx.store, reads) });
  const updates = module.validatorUpdates;
  if (updates) module.validatorUpdates = (ctx) => updates({ ...ctx, store: countingStore(ctx.store, reads) });
  return reads;
}

/** Records the key of every read (get, has, each iterated entry). */
function countingStore(inner: KVStore, reads: string[]): KVStore {
  return {
    get: (key) => (reads.push(key), inner.get(key)),
    has: (key) => (reads.push(key), inner.has(key)),
    set: (key, value) => inner.set(key, value),
    delete: (key) => inner.delete(key),
    *iterate(start, end) {
      for (const entry of inner.iterate(start, end)) {
        reads.push(entry[0]);
        yield entry;
      }
    },
  };
}

describe("gov tally work", () => {
  test("attack: delegators who never vote make an ending proposal read every delegation — the tally reads only the voters'", async () => {
    const few = await endOfVote(3);
    const many = await endOfVote(300);
    // the same result rule as before: the validator's yes covers its stake minus the delegator who voted no
    for (const { p, bonded } of [few, many]) {
      assert.equal(p.status, ProposalStatus.PROPOSAL_STATUS_PASSED, p.result);
      assert.deepEqual(p.finalTally, { yes: String(bonded - 7n * QOS), abstain: "0", no: String(7n * QOS), noWithVeto: "0", totalPower: String(bonded) });
    }
    assert.equal(many.p.finalTally!.totalPower, String(407n * QOS));
    // the end block reads exactly as much with 300 silent delegators as with 3, and not one of their keys
    assert.equal(many.reads.length, few.reads.length);
    const silentKeys = (reads: string[]) => reads.filter((k) => k.startsWith("stake/dv/") || (k.startsWith("stake/d/") && !k.startsWith("stake/d/" + latin1(addr("owner"))) && !k.startsWith("stake/d/" + latin1(addr("voter")))));
    assert.deepEqual(silentKeys(many.reads), []);
    assert.deepEqual(silentKeys(few.reads), []);
  });
});

// attack: stake's end block read every validator ever created, three times a block (closing, ranking, the
// consensus set). A validator costs a 1 QOS self-bond, returned at its close; anyone could keep thousands
// of replaced (inactive) validators around and make every block slower. The end block now reads the active
// index and the close queue (by inactive time) only.
async function stakeEndBlock(validators: number) {
  const owners = Array.from({ length: validators }, (_, i) => addr(`val-${i}`));
  const t = await createTestApp({
    bank: { balances: [{ address: toAccAddress(moduleAddress("stake_pool")), coins: [{ denom: "uqos", amount: String(BigInt(validators) * 2n * QOS) }] }] },
    stake: {
      validators: owners.map((o, i) => ({
        owner: toAccAddress(o), consensus_pubkey: toBase64(createHash("sha256").update(`cons-${i}`).digest()), moniker: `v${i}`,
        commission: { rate: "0.1", max_rate: "0.2", max_change_rate: "0.01" },
      })),
      delegations: owners.map((o) => ({ delegator: toAccAddress(o), validator: toValAddress(o), amount: String(2n * QOS) })),
    },
  });
  try {
    await t.block([]); // the first end block replaces all but 21 (ranked by power, then owner)
    const res = t.app.query({ path: "/qos.stake.v1.Query/Validators", data: sq.QueryValidatorsRequest.encode({ status: "active", pagination: undefined }).finish(), height: 0n, prove: false });
    const active = sq.QueryValidatorsResponse.decode(res.value).validators;
    const reads = countEndBlockReads(t, "stake");
    await t.block([]);
    return { reads, active: active.length, activeStatus: active.every((v) => v.validator!.status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE) };
  } finally {
    await t.destroy();
  }
}

describe("stake end-block work", () => {
  test("attack: thousands of replaced validators make every end block read them all — it reads the 21 active ones only", async () => {
    const few = await stakeEndBlock(30);
    const many = await stakeEndBlock(400);
    assert.equal(few.active, 21);
    assert.equal(many.active, 21);
    assert.ok(few.activeStatus && many.activeStatus);
    assert.equal(many.reads.length, few.reads.length);
    const validatorReads = (reads: string[]) => new Set(reads.filter((k) => k.startsWith("stake/v/"))).size;
    assert.equal(validatorReads(many.reads), 21);
  });
});
