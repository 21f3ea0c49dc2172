// Attacks on staking through the app's ABCI methods (InitChain, FinalizeBlock, Commit, Query in-process):
// squatting a consensus key, dodging double-sign slashing (revoke, unbond, redelegate, close), and
// auto-compounding. Every chain here has invariant checks on (stake pool, distribution, supply) after
// each block, no fees (FinalizeBlock does not check the minimum gas price) and 1-second blocks.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { toBase64 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse, QuerySupplyOfRequest, QuerySupplyOfResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { stakeMsg } from "../helpers/stake.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { consensusAddress, stakePool, toValAddress } from "../../modules/stake/index.js";
import { parseAccAddress, toAccAddress } from "../../app/address.js";
import * as sq from "../../gen/qos/stake/v1/query.js";
import * as dq from "../../gen/qos/distribution/v1/query.js";
import { ValidatorStatus } from "../../gen/qos/stake/v1/types.js";

const chainId = "qos-stake-attacks";
const QOS = 1_000_000n;
const consKey = (seed: string) => new Uint8Array(createHash("sha256").update(`attack-cons-${seed}`).digest());
const hex = (b?: Uint8Array) => Buffer.from(b ?? []).toString("hex");
const valOf = (a: TestAccount) => toValAddress(parseAccAddress(a.address));

const StakeParams = {
  max_validators: 21, voting_status_len: 100, voting_status_least: 1, survival_secs: 50, unbonding_secs: 1000,
  slash_fraction_double_sign: "0.2", power_reduction: "1000000", min_self_bond: "1000000", max_commission_rate: "1.0",
};

/** A chain with funded accounts (1000 QOS each), optional gentx validators and CometBFT genesis validators. */
async function chain(opts: {
  accounts: TestAccount[];
  gentxs?: Array<[TestAccount, Uint8Array, bigint]>;
  cometValidators?: Uint8Array[];
  stake?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}) {
  const numbers = new Map(opts.accounts.map((a, i) => [a.address, i]));
  const gentxs = await Promise.all((opts.gentxs ?? []).map(([a, key, bond]) =>
    signTx(a, [stakeMsg.createValidator(a.address, key, String(bond), "genesis-node")], { chainId, accountNumber: 0, sequence: 0, fee: { amount: [], gas: "400000" } })));
  const t: TestApp = await createTestApp(
    {
      auth: { accounts: opts.accounts.map((a) => ({ address: a.address })) },
      bank: { balances: opts.accounts.map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: String(1000n * QOS) }] })) },
      stake: { params: { ...StakeParams, ...opts.stake } },
      genutil: { gen_txs: gentxs.map((g) => toBase64(g)) },
      ...opts.extra,
    },
    { chainId, validators: (opts.cometValidators ?? []).map((pubKey) => ({ pubKey, power: 10n })) },
  );
  const query = <T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => {
    const res = t.app.query({ path, data, height: 0n, prove: false });
    assert.equal(res.code, 0, `${path}: ${res.log}`);
    return decode(res.value);
  };
  const sequence = (address: string) =>
    BaseAccount.decode(query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish(), QueryAccountResponse.decode).account!.value).sequence;
  const c = {
    t,
    balance: (address: string) =>
      BigInt(query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "uqos" }).finish(), QueryBalanceResponse.decode).balance!.amount),
    supply: () => BigInt(query("/cosmos.bank.v1beta1.Query/SupplyOf", QuerySupplyOfRequest.encode({ denom: "uqos" }).finish(), QuerySupplyOfResponse.decode).amount!.amount),
    validator: (val: string) => query("/qos.stake.v1.Query/Validator", sq.QueryValidatorRequest.encode({ validator: val }).finish(), sq.QueryValidatorResponse.decode).validator!,
    validatorCode: (val: string) => t.app.query({ path: "/qos.stake.v1.Query/Validator", data: sq.QueryValidatorRequest.encode({ validator: val }).finish(), height: 0n, prove: false }).code,
    delegation: (delegator: TestAccount, val: string): bigint => {
      const res = t.app.query({ path: "/qos.stake.v1.Query/Delegation", data: sq.QueryDelegationRequest.encode({ delegator: delegator.address, validator: val }).finish(), height: 0n, prove: false });
      return res.code === 0 ? BigInt(sq.QueryDelegationResponse.decode(res.value).delegation!.amount) : 0n;
    },
    unbondings: (delegator: TestAccount) =>
      query("/qos.stake.v1.Query/Unbondings", sq.QueryDelegatorRequest.encode({ delegator: delegator.address, pagination: undefined }).finish(), sq.QueryUnbondingsResponse.decode).unbondings
        .map((u) => ({ validator: u.validator, amount: BigInt(u.amount), height: Number(u.creationHeight) })),
    communityPool: () => BigInt(query("/qos.distribution.v1.Query/CommunityPool", new Uint8Array(), dq.QueryCommunityPoolResponse.decode).amount),
    /** one block at genesis + height seconds; each entry is one tx of one signer */
    async block(msgs: Array<[TestAccount, EncodeObject[]]> = [], options: { votes?: Uint8Array[]; misbehavior?: Array<{ address: Uint8Array; height: number }>; timeSeconds?: bigint } = {}) {
      const txs = [];
      const sequences = new Map<string, bigint>();
      for (const [signer, m] of msgs) {
        const seq = sequences.get(signer.address) ?? sequence(signer.address);
        sequences.set(signer.address, seq + 1n);
        txs.push(await signTx(signer, m, { chainId, accountNumber: numbers.get(signer.address)!, sequence: seq, fee: { amount: [], gas: "400000" } }));
      }
      return t.block(txs, { votes: (options.votes ?? []).map((key) => ({ address: consensusAddress(key), signed: true })), misbehavior: options.misbehavior, timeSeconds: options.timeSeconds });
    },
  };
  await c.block(); // queries answer from block 1 on
  return c;
}

const apps: TestApp[] = [];
after(async () => {
  for (const t of apps) await t.destroy();
});

describe("consensus-key squatting", () => {
  test("attack: claiming a CometBFT genesis validator's consensus key, then revoking, removes the real validator", async () => {
    const eve = await testAccount("attack-eve");
    const genesisKey = consKey("bootstrap-node");
    const c = await chain({ accounts: [eve], cometValidators: [genesisKey] });
    apps.push(c.t);
    assert.deepEqual(c.t.genesisValidators, [], "no gentxs: CometBFT keeps its own genesis set");
    // the attack: a validator with the bootstrap node's key (today's code told CometBFT power 5 for that key) ...
    const created = await c.block([[eve, [stakeMsg.createValidator(eve.address, genesisKey, String(5n * QOS), "squatter")]]]);
    assert.deepEqual([created.results[0].codespace, created.results[0].code], ["stake", 18], created.results[0].log);
    assert.match(created.results[0].log, /genesis validator/);
    assert.deepEqual(created.validatorUpdates, []);
    // ... then a revoke (today's code sent power 0 for the bootstrap node's key: the chain lost its only validator)
    const revoked = await c.block([[eve, [stakeMsg.revoke(eve.address)]]]);
    assert.deepEqual([revoked.results[0].codespace, revoked.results[0].code], ["stake", 4]);
    assert.deepEqual(revoked.validatorUpdates, []);
    assert.equal(c.balance(eve.address), 1000n * QOS, "nothing was bonded");
  });

  test("attack: taking over a closed validator's consensus key (its old evidence would hit the newcomer); a live key stays code 3", async () => {
    const [carol, eve] = await Promise.all(["attack-carol", "attack-eve2"].map(testAccount));
    const carolKey = consKey("carol");
    // a CometBFT genesis validator keeps the set's power while carol's validator is revoked and closed
    const c = await chain({ accounts: [carol, eve], stake: { survival_secs: 5 }, cometValidators: [consKey("squat-bootstrap")] });
    apps.push(c.t);
    const created = await c.block([[carol, [stakeMsg.createValidator(carol.address, carolKey, String(3n * QOS))]]]);
    assert.equal(created.results[0].code, 0, created.results[0].log);
    const live = await c.block([[eve, [stakeMsg.createValidator(eve.address, carolKey, String(2n * QOS))]]]);
    assert.deepEqual([live.results[0].codespace, live.results[0].code], ["stake", 3]);
    await c.block([[carol, [stakeMsg.revoke(carol.address)]]]);
    for (let i = 0; i < 6; i++) await c.block();
    assert.equal(c.validatorCode(valOf(carol)), 4, "carol's validator is closed");
    const reused = await c.block([[eve, [stakeMsg.createValidator(eve.address, carolKey, String(2n * QOS))]]]);
    assert.deepEqual([reused.results[0].codespace, reused.results[0].code], ["stake", 18], reused.results[0].log);
    assert.match(reused.results[0].log, /former validator/);
    // carol herself cannot take it back either: a consensus key serves one validator, once
    const again = await c.block([[carol, [stakeMsg.createValidator(carol.address, carolKey, String(2n * QOS))]]]);
    assert.deepEqual([again.results[0].codespace, again.results[0].code], ["stake", 18]);
  });
});

describe("auto-compound", () => {
  test("attack (liveness): auto-compound asked for but never run; now each period the delegation grows by exactly its F1 reward", async () => {
    const [alice, bob] = await Promise.all(["compound-alice", "compound-bob"].map(testAccount));
    const aliceKey = consKey("compound-alice");
    const val = valOf(alice);
    // mint: one phase of 10^7 s minting 1000 uqos per second; 1-second blocks → exactly 1000 uqos a block
    const mint = { params: { target_block_time_secs: 1 }, phases: [{ end_time: String(GenesisTime.seconds + 10_000_000n), total_amount: String(1000n * 10_000_000n) }] };
    const c = await chain({
      accounts: [alice, bob],
      gentxs: [[alice, aliceKey, 3n * QOS]],
      extra: { mint, distribution: { params: { proposer_reward_rate: "0.04", compound_period_blocks: 5 } } },
    });
    apps.push(c.t);
    const delegated = await c.block([[bob, [stakeMsg.delegate(bob.address, val, String(1n * QOS), true)]]], { votes: [aliceKey] });
    assert.equal(delegated.results[0].code, 0, delegated.results[0].log);
    assert.equal(c.t.height, 2);
    const bobBalance = 999n * QOS;
    assert.equal(c.balance(bob.address), bobBalance);
    const mints: bigint[] = [];
    const run = async (blocks: number) => {
      for (let i = 0; i < blocks; i++) {
        const { events } = await c.block([], { votes: [aliceKey] });
        for (const e of events.filter((e) => e.type === "mint")) mints.push(BigInt(e.attributes.find((a) => a.key === "amount")!.value));
      }
    };
    // By hand: each block mints 1000 uqos; the proposer (no validator's key) gets no 4% extra, so alice's
    // validator, the only signer, gets all 1000; 10% commission → 900 for its delegators, by stake.
    // Period 1 (blocks 3..7, compounded at the end of block 2 + 5): tokens 3,000,000 + 1,000,000,
    // one F1 period: ratio = ⌊5 × 900 × 10^18 ÷ 4,000,000⌋, bob = ⌊1,000,000 × ratio ÷ 10^18⌋ = 1125.
    await run(4);
    assert.equal(c.delegation(bob, val), 1n * QOS, "nothing before the period is over");
    await run(1);
    assert.equal(c.t.height, 7);
    const ratio1 = (5n * 900n * 10n ** 18n) / 4_000_000n;
    const reward1 = (1_000_000n * ratio1) / 10n ** 18n;
    assert.equal(reward1, 1125n);
    assert.equal(c.delegation(bob, val), 1_000_000n + reward1);
    assert.equal(c.balance(bob.address), bobBalance, "the reward went into the delegation, not the balance");
    // Period 2 (blocks 8..12): tokens 4,001,125, bob 1,001,125
    await run(5);
    const ratio2 = (5n * 900n * 10n ** 18n) / 4_001_125n;
    const reward2 = (1_001_125n * ratio2) / 10n ** 18n;
    assert.equal(reward2, 1125n);
    assert.equal(c.delegation(bob, val), 1_001_125n + reward2);
    assert.equal(c.balance(bob.address), bobBalance);
    assert.deepEqual(mints, Array(10).fill(1000n), "the mint numbers the expectation is built on");
    // switched off: the next period compounds nothing (rewards stay pending)
    await c.block([[bob, [stakeMsg.setAutoCompound(bob.address, val, false)]]], { votes: [aliceKey] });
    await run(5);
    assert.equal(c.delegation(bob, val), 1_001_125n + reward2);
    assert.equal(c.balance(bob.address), bobBalance);
  });
});

describe("slashing evasion", () => {
  const U = (qos: number) => BigInt(Math.round(qos * 10)) * (QOS / 10n); // 1.6 → 1,600,000 uqos
  async function setup(seed: string, stake: Record<string, unknown> = {}, withCarol = false) {
    const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((n) => testAccount(`slash-${seed}-${n}`)));
    const aliceKey = consKey(`${seed}-alice`);
    const carolKey = consKey(`${seed}-carol`);
    const c = await chain({
      accounts: [alice, bob, carol],
      gentxs: withCarol ? [[alice, aliceKey, 10n * QOS], [carol, carolKey, 10n * QOS]] : [[alice, aliceKey, 10n * QOS]],
      stake,
    });
    apps.push(c.t);
    const pool = () => c.balance(toAccAddress(stakePool));
    const evidence = (height: number) => ({ misbehavior: [{ address: consensusAddress(aliceKey), height }] });
    const ok = (r: { results: Array<{ code: number; log: string }> }) => r.results.forEach((x, i) => assert.equal(x.code, 0, `tx ${i}: ${x.log}`));
    return { c, alice, bob, carol, aliceVal: valOf(alice), carolVal: valOf(carol), pool, evidence, ok };
  }

  test("attack: revoke right after double-signing, so the evidence finds an inactive validator — still slashed 20%", async () => {
    const { c, alice, bob, aliceVal, pool, evidence, ok } = await setup("revoke", {}, true); // carol keeps power in the set
    ok(await c.block([[bob, [stakeMsg.delegate(bob.address, aliceVal, String(5n * QOS))]]])); // height 2
    await c.block(); // height 3: alice double-signs here
    ok(await c.block([[alice, [stakeMsg.revoke(alice.address)]]])); // height 4
    assert.equal(c.validator(aliceVal).status, ValidatorStatus.VALIDATOR_STATUS_INACTIVE);
    const before = pool();
    const { events } = await c.block([], evidence(3)); // height 5
    assert.equal(c.delegation(alice, aliceVal), 8n * QOS);
    assert.equal(c.delegation(bob, aliceVal), 4n * QOS);
    const v = c.validator(aliceVal);
    assert.equal(v.tokens, String(12n * QOS));
    assert.equal(v.inactiveReason, "revoked", "still the revoke's inactivity (its survival clock runs on)");
    assert.equal(before - pool(), 3n * QOS, "3 QOS left the stake pool");
    assert.deepEqual(events.filter((e) => e.type === "slash").map((e) => e.attributes.find((a) => a.key === "amount")!.value).sort(), [String(1n * QOS), String(2n * QOS)]);
  });

  test("attack: revoke, wait until the validator is closed, then the evidence comes — the closed validator's unbonding stake is slashed", async () => {
    const { c, alice, bob, aliceVal, pool, evidence, ok } = await setup("close", { max_evidence_age_secs: 100 }, true); // carol keeps power in the set
    ok(await c.block([[bob, [stakeMsg.delegate(bob.address, aliceVal, String(5n * QOS))]]])); // height 2
    await c.block(); // height 3: the double sign
    ok(await c.block([[alice, [stakeMsg.revoke(alice.address)]]])); // height 4, inactive at genesis + 4 s
    while (c.t.height < 54) await c.block(); // survival_secs 50: closed at height 54
    assert.equal(c.validatorCode(aliceVal), 4, "closed");
    // the stake comes home unbonding_secs (1000) after the validator went inactive, not at once
    assert.deepEqual(c.unbondings(alice), [{ validator: aliceVal, amount: 10n * QOS, height: 54 }]);
    assert.deepEqual(c.unbondings(bob), [{ validator: aliceVal, amount: 5n * QOS, height: 54 }]);
    assert.equal(c.balance(alice.address), 990n * QOS);
    const before = pool();
    await c.block([], evidence(3)); // height 55: evidence 52 s old, max age 100 s
    assert.deepEqual(c.unbondings(alice), [{ validator: aliceVal, amount: 8n * QOS, height: 54 }]);
    assert.deepEqual(c.unbondings(bob), [{ validator: aliceVal, amount: 4n * QOS, height: 54 }]);
    assert.equal(before - pool(), 3n * QOS);
  });

  test("attack: unbond right after double-signing — entries made since the infraction are slashed, one made before is not", async () => {
    const { c, bob, aliceVal, pool, evidence, ok } = await setup("unbond");
    ok(await c.block([[bob, [stakeMsg.delegate(bob.address, aliceVal, String(10n * QOS))]]])); // height 2
    ok(await c.block([[bob, [stakeMsg.unbond(bob.address, aliceVal, String(1n * QOS))]]])); // height 3: out of the set from height 5 on
    ok(await c.block([[bob, [stakeMsg.unbond(bob.address, aliceVal, String(2n * QOS))]]])); // height 4: still in the set at height 5
    await c.block(); // height 5: the double sign
    ok(await c.block([[bob, [stakeMsg.unbond(bob.address, aliceVal, String(3n * QOS))]]])); // height 6
    const before = pool();
    await c.block([], evidence(5)); // height 7
    // CometBFT applies a set change two blocks later: the unbonding of height 4 still signed at 5 (as in the Cosmos SDK)
    assert.deepEqual(c.unbondings(bob).map((u) => [u.height, u.amount]), [[3, U(1)], [4, U(1.6)], [6, U(2.4)]]);
    assert.equal(c.delegation(bob, aliceVal), U(3.2));
    assert.equal(before - pool(), U(3.8));
  });

  test("attack: redelegate right after double-signing — the destination delegation, then its unbonding, pay; no second hop", async () => {
    const { c, bob, aliceVal, carolVal, carol, pool, evidence, ok } = await setup("redelegate", {}, true);
    ok(await c.block([[bob, [stakeMsg.delegate(bob.address, aliceVal, String(5n * QOS))]]])); // height 2
    await c.block(); // height 3: the double sign
    ok(await c.block([[bob, [stakeMsg.redelegate(bob.address, aliceVal, carolVal, String(5n * QOS))]]])); // height 4
    // moving on from carol while the move is liable would carry the stake out of reach
    const hop = await c.block([[bob, [stakeMsg.redelegate(bob.address, carolVal, aliceVal, String(1n * QOS))]]]); // height 5
    assert.deepEqual([hop.results[0].codespace, hop.results[0].code], ["stake", 19], hop.results[0].log);
    ok(await c.block([[bob, [stakeMsg.unbond(bob.address, carolVal, U(4.5).toString())]]])); // height 6
    const before = pool();
    await c.block([], evidence(3)); // height 7: bob owes 20% of the 5 QOS he moved
    assert.equal(c.delegation(bob, aliceVal), 0n);
    assert.equal(c.delegation(bob, carolVal), 0n, "0.5 QOS from the destination delegation");
    assert.deepEqual(c.unbondings(bob), [{ validator: carolVal, amount: U(4), height: 6 }], "and 0.5 QOS from its unbonding");
    assert.equal(c.delegation(carol, carolVal), 10n * QOS, "carol's own stake is not touched");
    assert.equal(c.validator(carolVal).tokens, String(10n * QOS));
    assert.equal(c.validator(aliceVal).tokens, String(8n * QOS));
    assert.equal(before - pool(), 3n * QOS);
  });

  test("attack: replaying old or duplicate evidence — older than max_evidence_age_secs is ignored; one height is slashed once", async () => {
    const { c, alice, aliceVal, pool, evidence } = await setup("age", { max_evidence_age_secs: 20 });
    while (c.t.height < 23) await c.block();
    const before = pool();
    await c.block([], evidence(3)); // height 24: 21 s old
    assert.equal(c.delegation(alice, aliceVal), 10n * QOS);
    assert.equal(c.validator(aliceVal).status, ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
    await c.block([], evidence(5)); // height 25: exactly 20 s old
    assert.equal(c.delegation(alice, aliceVal), 8n * QOS);
    assert.equal(c.validator(aliceVal).inactiveReason, "double-sign");
    await c.block([], evidence(5)); // height 26: the same infraction again
    await c.block([], { misbehavior: [...evidence(5).misbehavior, ...evidence(5).misbehavior] }); // twice in one block
    assert.equal(c.delegation(alice, aliceVal), 8n * QOS);
    assert.equal(before - pool(), 2n * QOS);
  });

  test("attack: evidence of one key's double signs at many heights (signed after the fact) — slashed and walked once, the key is tombstoned", async () => {
    const { c, alice, bob, aliceVal, pool, evidence, ok } = await setup("tombstone");
    ok(await c.block([[bob, [stakeMsg.delegate(bob.address, aliceVal, String(5n * QOS))]]])); // height 2
    while (c.t.height < 6) await c.block();
    const before = pool();
    const slashEvents = (events: Array<{ type: string; attributes: Array<{ key: string; value: string }> }>) =>
      events.filter((e) => e.type === "slash").map((e) => [e.attributes.find((a) => a.key === "delegator")!.value, e.attributes.find((a) => a.key === "amount")!.value]);
    const first = await c.block([], { misbehavior: [3, 4, 5].map((height) => evidence(height).misbehavior[0]) }); // height 7
    assert.deepEqual(slashEvents(first.events).sort(), [[alice.address, String(2n * QOS)], [bob.address, String(1n * QOS)]].sort(), "one walk: one slash per delegator");
    const later = await c.block([], evidence(6)); // height 8: another height, another block
    assert.deepEqual(slashEvents(later.events), []);
    assert.equal(c.delegation(alice, aliceVal), 8n * QOS);
    assert.equal(c.delegation(bob, aliceVal), 4n * QOS);
    assert.equal(c.validator(aliceVal).tokens, String(12n * QOS));
    assert.equal(before - pool(), 3n * QOS);
  });
});

describe("the last voting power", () => {
  // CometBFT halts when a block's validator updates leave its set without power: the chain would stop for good
  const refused = (r: { results: Array<{ code: number; codespace: string; log: string }>; validatorUpdates: unknown[] }, why: RegExp) => {
    assert.deepEqual([r.results[0].codespace, r.results[0].code], ["stake", 22], r.results[0].log);
    assert.match(r.results[0].log, why);
    assert.deepEqual(r.validatorUpdates, [], "CometBFT is told nothing");
  };

  test("attack: the only validator revokes itself or unbonds all its self-stake — stake 22, nothing changes", async () => {
    const [alice, bob] = await Promise.all(["alice", "bob"].map((n) => testAccount(`last-power-${n}`)));
    const aliceKey = consKey("last-power-alice");
    const c = await chain({ accounts: [alice, bob], gentxs: [[alice, aliceKey, 10n * QOS]] });
    apps.push(c.t);
    const aliceVal = valOf(alice);
    const before = c.validator(aliceVal);
    refused(await c.block([[alice, [stakeMsg.revoke(alice.address)]]], { votes: [aliceKey] }), new RegExp(`${aliceVal} holds the last voting power`));
    refused(await c.block([[alice, [stakeMsg.unbond(alice.address, aliceVal, "0", true)]]], { votes: [aliceKey] }), /unbonding 10000000uqos from .* leaves no validator with power/);
    // 9.5 QOS left is still power 9; 0.5 QOS left would be power 0
    refused(await c.block([[alice, [stakeMsg.unbond(alice.address, aliceVal, String(9_500_000n))]]], { votes: [aliceKey] }), /leaves no validator with power/);
    assert.deepEqual(c.validator(aliceVal), before, "alice's validator is unchanged");
    assert.equal(c.delegation(alice, aliceVal), 10n * QOS);
    assert.deepEqual(c.unbondings(alice), []);
    assert.equal(c.balance(alice.address), 990n * QOS);
    const partial = await c.block([[alice, [stakeMsg.unbond(alice.address, aliceVal, String(9n * QOS))]]], { votes: [aliceKey] });
    assert.equal(partial.results[0].code, 0, partial.results[0].log);
    assert.deepEqual(partial.validatorUpdates.map((u) => u.power), [1n], "power 1 is left");
  });

  test("with two validators one may revoke; then the other may not", async () => {
    const [alice, carol] = await Promise.all(["alice", "carol"].map((n) => testAccount(`two-power-${n}`)));
    const [aliceKey, carolKey] = [consKey("two-power-alice"), consKey("two-power-carol")];
    const c = await chain({ accounts: [alice, carol], gentxs: [[alice, aliceKey, 10n * QOS], [carol, carolKey, 5n * QOS]] });
    apps.push(c.t);
    const revoked = await c.block([[alice, [stakeMsg.revoke(alice.address)]]], { votes: [aliceKey, carolKey] });
    assert.equal(revoked.results[0].code, 0, revoked.results[0].log);
    assert.deepEqual(revoked.validatorUpdates.map((u) => [hex(u.pubKey?.ed25519), u.power]), [[hex(aliceKey), 0n]]);
    assert.equal(c.validator(valOf(alice)).status, ValidatorStatus.VALIDATOR_STATUS_INACTIVE);
    refused(await c.block([[carol, [stakeMsg.revoke(carol.address)]]], { votes: [aliceKey, carolKey] }), /holds the last voting power/);
    assert.equal(c.validator(valOf(carol)).status, ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
  });

  test("CometBFT's own genesis validators count while they are in its set: kept with no gentx, not after gentxs replaced them", async () => {
    const [eve, alice] = await Promise.all(["eve", "alice"].map((n) => testAccount(`genesis-power-${n}`)));
    const bootKey = consKey("genesis-power-boot");
    // no gentx: CometBFT keeps its genesis validator; the only staked validator may leave
    const kept = await chain({ accounts: [eve], cometValidators: [bootKey] });
    apps.push(kept.t);
    assert.equal((await kept.block([[eve, [stakeMsg.createValidator(eve.address, consKey("genesis-power-eve"), String(2n * QOS))]]], { votes: [bootKey] })).results[0].code, 0);
    const left = await kept.block([[eve, [stakeMsg.revoke(eve.address)]]], { votes: [bootKey] });
    assert.equal(left.results[0].code, 0, left.results[0].log);
    // a gentx: InitChain answers with the staked set, which replaces CometBFT's genesis set (its key stays reserved)
    const aliceKey = consKey("genesis-power-alice");
    const replaced = await chain({ accounts: [alice], gentxs: [[alice, aliceKey, 10n * QOS]], cometValidators: [bootKey] });
    apps.push(replaced.t);
    refused(await replaced.block([[alice, [stakeMsg.revoke(alice.address)]]], { votes: [aliceKey] }), /holds the last voting power/);
  });
});

describe("liability survives export", () => {
  test("attack: dodging through a chain restart — export → import keeps redelegations, reserved keys and handled evidence", async () => {
    const [alice, bob, carol, eve] = await Promise.all(["alice", "bob", "carol", "eve"].map((n) => testAccount(`export-${n}`)));
    const [aliceKey, carolKey, bootKey] = ["export-alice", "export-carol", "export-boot"].map(consKey);
    const a = await chain({ accounts: [alice, bob, carol, eve], gentxs: [[alice, aliceKey, 10n * QOS], [carol, carolKey, 10n * QOS]], cometValidators: [bootKey] });
    apps.push(a.t);
    await a.block([[bob, [stakeMsg.delegate(bob.address, valOf(alice), String(5n * QOS))]]]); // height 2
    await a.block(); // height 3: alice double-signs
    await a.block([[bob, [stakeMsg.redelegate(bob.address, valOf(alice), valOf(carol), String(5n * QOS))]]]); // height 4
    await a.block([], { misbehavior: [{ address: consensusAddress(carolKey), height: 2 }] }); // height 5: carol's, handled
    assert.equal(a.delegation(bob, valOf(carol)), 4n * QOS);
    const exported = a.t.app.exportAppState();
    const b = await createTestApp(exported, { chainId, validators: [{ pubKey: bootKey, power: 10n }] });
    apps.push(b);
    const numbers = new Map([alice, bob, carol, eve].map((x, i) => [x.address, i]));
    const tx = async (who: TestAccount, msg: EncodeObject, sequence: number) =>
      signTx(who, [msg], { chainId, accountNumber: numbers.get(who.address)!, sequence, fee: { amount: [], gas: "400000" } });
    await b.block([]); // (state is exported from committed blocks)
    assert.deepEqual(b.app.exportAppState().stake, exported.stake);
    assert.equal((exported.stake as { redelegations: unknown[] }).redelegations.length, 1);
    // the same carol evidence again: handled before the restart, not slashed twice
    await b.block([], { misbehavior: [{ address: consensusAddress(carolKey), height: 2 }] });
    // alice's evidence after the restart still reaches the stake bob moved to carol (the source index was rebuilt)
    const res = await b.block([await tx(eve, stakeMsg.createValidator(eve.address, bootKey, String(2n * QOS)), 0)], { misbehavior: [{ address: consensusAddress(aliceKey), height: 3 }] });
    assert.deepEqual([res.results[0].codespace, res.results[0].code], ["stake", 18], "the bootstrap key is still reserved");
    const stake = b.app.exportAppState().stake as { delegations: Array<{ delegator: string; validator: string; amount: string }> };
    assert.deepEqual(stake.delegations.filter((d) => d.delegator === bob.address).map((d) => [d.validator, d.amount]), [[valOf(carol), String(3n * QOS)]]);
  });
});

describe("zero-power validators", () => {
  // left ACTIVE, a validator below one unit of power is never in CometBFT's set, so the keep-alive window
  // never sees it miss a vote: it stayed active for good and EndBlock walked it every block
  const inactiveEvents = (events: Array<{ type: string; attributes: Array<{ key: string; value: string }> }>) =>
    events.filter((e) => e.type === "inactive_validator").map((e) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value])));

  test("an unbond leaving a validator below one unit of power makes it inactive at the end of the block", async () => {
    const [alice, carol] = await Promise.all(["alice", "carol"].map((n) => testAccount(`zero-power-${n}`)));
    const [aliceKey, carolKey] = [consKey("zero-power-alice"), consKey("zero-power-carol")];
    const c = await chain({ accounts: [alice, carol], gentxs: [[alice, aliceKey, 10n * QOS], [carol, carolKey, 5n * QOS]] });
    apps.push(c.t);
    const carolVal = valOf(carol);
    const r = await c.block([[carol, [stakeMsg.unbond(carol.address, carolVal, String(4_500_000n))]]], { votes: [aliceKey, carolKey] });
    assert.equal(r.results[0].code, 0, r.results[0].log);
    assert.deepEqual(inactiveEvents(r.events), [{ validator: carolVal, reason: "zero power", height: "2" }]);
    assert.deepEqual(r.validatorUpdates.map((u) => [hex(u.pubKey?.ed25519), u.power]), [[hex(carolKey), 0n]]);
    const v = c.validator(carolVal);
    assert.equal(v.status, ValidatorStatus.VALIDATOR_STATUS_INACTIVE);
    assert.equal(v.inactiveReason, "zero power");
    assert.equal(c.delegation(carol, carolVal), 500_000n, "the half QOS left stays bonded until the validator closes");
    const next = await c.block([], { votes: [aliceKey] });
    assert.deepEqual(inactiveEvents(next.events), [], "made inactive once");
    assert.deepEqual(next.validatorUpdates, []);
  });

  test("attack: create a validator and unbond 1 uqos in the same block — it never enters the active set", async () => {
    const [alice, eve] = await Promise.all(["alice", "eve"].map((n) => testAccount(`zero-power-attack-${n}`)));
    const aliceKey = consKey("zero-power-attack-alice");
    const c = await chain({ accounts: [alice, eve], gentxs: [[alice, aliceKey, 10n * QOS]] });
    apps.push(c.t);
    const eveVal = valOf(eve);
    const r = await c.block([
      [eve, [stakeMsg.createValidator(eve.address, consKey("zero-power-attack-eve"), String(1n * QOS))]],
      [eve, [stakeMsg.unbond(eve.address, eveVal, "1")]],
    ], { votes: [aliceKey] });
    assert.deepEqual(r.results.map((x) => x.code), [0, 0], r.results.map((x) => x.log).join("; "));
    assert.deepEqual(inactiveEvents(r.events), [{ validator: eveVal, reason: "zero power", height: "2" }]);
    assert.deepEqual(r.validatorUpdates, [], "CometBFT never hears of it");
    assert.equal(c.validator(eveVal).status, ValidatorStatus.VALIDATOR_STATUS_INACTIVE);
    assert.equal(c.delegation(eve, eveVal), 999_999n);
  });
});
