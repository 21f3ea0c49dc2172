// Economic rules with exact amounts, each computed here by hand from the params (never by the code under
// test): the reward split among several validators (non-signers get nothing, fees included, rounding dust
// to the community pool), the commission-change limits, the keep-alive boundary (exactly
// voting_status_least signatures in the window), and the cap of 21 active validators. Driven through the
// app's ABCI methods; invariants are checked every block.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { toBase64 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import type { Event } from "cosmjs-types/tendermint/abci/types";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { stakeMsg } from "../helpers/stake.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { consensusAddress, toValAddress } from "../../modules/stake/index.js";
import { parseAccAddress } from "../../app/address.js";
import * as sq from "../../gen/qos/stake/v1/query.js";
import * as dq from "../../gen/qos/distribution/v1/query.js";
import { MsgEditValidator } from "../../gen/qos/stake/v1/tx.js";
import { ValidatorStatus } from "../../gen/qos/stake/v1/types.js";

registry.register("/qos.stake.v1.MsgEditValidator", MsgEditValidator as never);

const chainId = "qos-economics-1";
const QOS = 1_000_000n;
const G = GenesisTime.seconds;
/** Every block 3 s apart mints exactly M: one phase of K blocks' worth ending 3K s after block 1 (at G+3), so
 *  block h (time G+3h) has ⌊(end − t) ÷ 3⌋ = K − h + 1 blocks left and (K·M − (h−1)·M) ÷ (K − h + 1) = M. */
const M = 6_000_000n;
const K = 1_000_000n;
const Fee = 10_000n;
const consKey = (seed: string) => new Uint8Array(createHash("sha256").update(`econ-cons-${seed}`).digest());
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const attr = (e: Event, key: string) => e.attributes.find((a) => a.key === key)?.value;

interface Validator {
  account: TestAccount;
  cons: Uint8Array;
  val: string;
}

const chains: TestApp[] = [];
after(async () => {
  for (const t of chains) await t.destroy();
});

/** A chain whose genesis validators come from gentxs (owner, self-bond, commission rate), every account funded. */
async function economy(opts: { accounts: TestAccount[]; gentxs?: Array<[TestAccount, bigint, string]>; stake?: Record<string, unknown> }) {
  const gentxs = await Promise.all((opts.gentxs ?? []).map(([a, bond, rate]) =>
    signTx(a, [stakeMsg.createValidator(a.address, consKey(a.address), String(bond), `v-${a.address.slice(-4)}`, rate)], { chainId, accountNumber: 0, sequence: 0, fee: { amount: [], gas: "400000" } })));
  const t = await createTestApp(
    {
      auth: { accounts: opts.accounts.map((a) => ({ address: a.address })) },
      bank: { balances: opts.accounts.map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: String(1000n * QOS) }] })) },
      stake: { params: { max_validators: 21, voting_status_len: 10, voting_status_least: 7, survival_secs: 1000, unbonding_secs: 30, slash_fraction_double_sign: "0.2", power_reduction: "1000000", min_self_bond: "1000000", max_commission_rate: "0.6", ...opts.stake } },
      mint: { phases: [{ end_time: String(G + 3n + 3n * K), total_amount: String(K * M) }] },
      genutil: { gen_txs: gentxs.map((g) => toBase64(g)) },
    },
    { chainId },
  );
  chains.push(t);
  const numbers = new Map(opts.accounts.map((a, i) => [a.address, i]));
  let time = G;
  const query = <T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => {
    const res = t.app.query({ path, data, height: 0n, prove: false });
    assert.equal(res.code, 0, `${path}: ${res.log}`);
    return decode(res.value);
  };
  const sequence = (address: string) => BaseAccount.decode(query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish(), QueryAccountResponse.decode).account!.value).sequence;
  // block 1 at G+3, signed by nobody (CometBFT's first commit is empty): its mint M goes to the community pool
  time += 3n;
  await t.block([], { timeSeconds: time });
  return {
    t,
    validator: (a: TestAccount): Validator => ({ account: a, cons: consKey(a.address), val: toValAddress(parseAccAddress(a.address)) }),
    /** one block `advance` s after the last (3 s by default), with the previous block's votes and proposer */
    async block(msgs: Array<[TestAccount, EncodeObject[], bigint?]>, o: { signed?: Validator[]; missed?: Validator[]; proposer?: Validator; advance?: bigint } = {}) {
      time += o.advance ?? 3n;
      const txs = [];
      const seqs = new Map<string, bigint>();
      for (const [signer, m, fee] of msgs) {
        const seq = seqs.get(signer.address) ?? sequence(signer.address);
        seqs.set(signer.address, seq + 1n);
        txs.push(await signTx(signer, m, { chainId, accountNumber: numbers.get(signer.address)!, sequence: seq, fee: { amount: [{ denom: "uqos", amount: String(fee ?? Fee) }], gas: "400000" } }));
      }
      const votes = [...(o.signed ?? []).map((v) => ({ address: consensusAddress(v.cons), signed: true })), ...(o.missed ?? []).map((v) => ({ address: consensusAddress(v.cons), signed: false }))];
      return t.block(txs, { votes, proposer: o.proposer ? consensusAddress(o.proposer.cons) : undefined, timeSeconds: time });
    },
    stakeValidator: (v: Validator) => query("/qos.stake.v1.Query/Validator", sq.QueryValidatorRequest.encode({ validator: v.val }).finish(), sq.QueryValidatorResponse.decode).validator!,
    distribution: (v: Validator) => {
      const d = query("/qos.distribution.v1.Query/Validator", dq.QueryValidatorRequest.encode({ validator: v.val }).finish(), dq.QueryValidatorResponse.decode);
      return { commission: d.commission, outstanding: d.outstanding, currentRewards: d.currentRewards };
    },
    pending: (delegator: string, v: Validator) => query("/qos.distribution.v1.Query/PendingRewards", dq.QueryPendingRewardsRequest.encode({ delegator, validator: v.val }).finish(), dq.QueryPendingRewardsResponse.decode),
    pool: () => BigInt(query("/qos.distribution.v1.Query/CommunityPool", new Uint8Array(), dq.QueryCommunityPoolResponse.decode).amount),
  };
}

describe("economics: rewards among several validators", () => {
  test("split by bond among the signers only, commission per validator, fees included, proposer's 4% of the mint, dust to the pool", async () => {
    const [alice, bob, carol, dave] = await Promise.all(["e-alice", "e-bob", "e-carol", "e-dave"].map(testAccount));
    const e = await economy({ accounts: [alice, bob, carol, dave], gentxs: [[alice, 100n * QOS, "0.1"], [bob, 50n * QOS, "0.15"], [carol, 30n * QOS, "0"]] });
    const [A, B, C] = [alice, bob, carol].map(e.validator);

    assert.equal(e.pool(), M, "block 1's mint, which nobody signed for");
    // block 2: A and B signed block 1, C did not; B proposes; dave pays a fee of 1,000,003 (shared out in block 3)
    let res = await e.block([[dave, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: dave.address, toAddress: alice.address, amount: [{ denom: "uqos", amount: "1" }] } }], 1_000_003n]], { signed: [A, B], missed: [C], proposer: B });
    assert.equal(res.results[0].code, 0, res.results[0].log);
    // fee collector M = 6,000,000 (no fees before); B's bonus 4% of M = 240,000; 5,760,000 among 150 QOS signing:
    //   A 5,760,000 × 100 ÷ 150 = 3,840,000 (commission 10% = 384,000); B × 50 ÷ 150 = 1,920,000 (15% = 288,000); C 0
    const rewards = (events: Event[]) => events.filter((x) => x.type === "rewards").map((x) => [attr(x, "validator"), attr(x, "amount"), attr(x, "commission")]);
    const sorted = <T>(xs: T[]) => [...xs].sort();
    assert.deepEqual(sorted(rewards(res.events)), sorted([[A.val, "3840000", "384000"], [B.val, "1920000", "288000"]]));
    assert.deepEqual(res.events.filter((x) => x.type === "proposer_reward").map((x) => [attr(x, "validator"), attr(x, "amount")]), [[B.val, "240000"]]);
    assert.equal(e.pool(), M, "5,760,000 × 100 ÷ 150 and × 50 ÷ 150 leave no dust");

    // block 3: the same signers, A proposes; fee collector M + 1,000,003 = 7,000,003; A's bonus 240,000 (4% of the mint only);
    //   6,760,003 among 150 QOS: A ⌊6,760,003 × 100 ÷ 150⌋ = 4,506,668 (commission ⌊450,666.8⌋ = 450,666),
    //   B ⌊6,760,003 × 50 ÷ 150⌋ = 2,253,334 (commission ⌊338,000.1⌋ = 338,000); dust 6,760,003 − 6,760,002 = 1 → pool
    res = await e.block([], { signed: [A, B], missed: [C], proposer: A });
    assert.deepEqual(sorted(rewards(res.events)), sorted([[A.val, "4506668", "450666"], [B.val, "2253334", "338000"]]));
    assert.deepEqual(res.events.filter((x) => x.type === "community_pool").map((x) => [attr(x, "added"), attr(x, "total")]), [["1", String(M + 1n)]]);
    assert.equal(e.pool(), M + 1n);

    // A: commission 384,000 + 240,000 + 450,666 = 1,074,666; delegators 3,456,000 + 4,056,002 = 7,512,002 (all alice's)
    // B: commission 240,000 + 288,000 + 338,000 = 866,000; delegators 1,632,000 + 1,915,334 = 3,547,334 (all bob's)
    // C signed nothing: nothing at all
    assert.deepEqual(e.distribution(A), { commission: "1074666", outstanding: String(1_074_666n + 7_512_002n), currentRewards: "7512002" });
    assert.deepEqual(e.distribution(B), { commission: "866000", outstanding: String(866_000n + 3_547_334n), currentRewards: "3547334" });
    assert.deepEqual(e.distribution(C), { commission: "0", outstanding: "0", currentRewards: "0" });
    assert.deepEqual(e.pending(alice.address, A), { rewards: "7512002", commission: "1074666" });
    assert.deepEqual(e.pending(bob.address, B), { rewards: "3547334", commission: "866000" });
    assert.deepEqual(e.pending(carol.address, C), { rewards: "0", commission: "0" });
    // missing 2 of a 10-block window (3 allowed) keeps C active
    assert.equal(e.stakeValidator(C).status, ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
  });
});

describe("economics: commission changes", () => {
  test("at most max_change_rate up per 24 h (block time), never above the validator's max rate or the chain's max_commission_rate", async () => {
    const [alice, bob] = await Promise.all(["c-alice", "c-bob"].map(testAccount));
    const e = await economy({ accounts: [alice, bob], gentxs: [[alice, 10n * QOS, "0.1"]] });
    const A = e.validator(alice);
    const edit = (rate: string): [TestAccount, EncodeObject[]] => [alice, [{ typeUrl: "/qos.stake.v1.MsgEditValidator", value: MsgEditValidator.fromPartial({ owner: alice.address, commissionRate: rate }) }]];
    const code = async (rate: string, advance = 3n) => {
      const r = (await e.block([edit(rate)], { signed: [A], advance })).results[0];
      return [r.codespace, r.code];
    };
    // the helper's validator: rate 0.1, max rate 0.5, max change 0.05 a day; set at genesis time G
    assert.deepEqual(e.stakeValidator(A).commission, { rate: "0.100000000000000000", maxRate: "0.500000000000000000", maxChangeRate: "0.050000000000000000", updatedTime: G });
    // at G+6, then 86,393 s later: G + 86,399, one second short of a day → too soon
    assert.deepEqual(await code("0.11"), ["stake", 10]);
    assert.deepEqual(await code("0.11", 86_393n), ["stake", 10]);
    // G + 86,400: a day; 0.1 + 0.05 + 10⁻¹⁸ is over the daily change, 0.15 exactly is allowed
    assert.deepEqual(await code("0.150000000000000001", 1n), ["stake", 9]);
    assert.deepEqual(await code("0.15", 0n), ["", 0]);
    assert.deepEqual(e.stakeValidator(A).commission, { rate: "0.150000000000000000", maxRate: "0.500000000000000000", maxChangeRate: "0.050000000000000000", updatedTime: G + 86_400n });
    // the change restarts the day: 86,399 s later too soon, at 86,400 s 0.2 is allowed
    assert.deepEqual(await code("0.2", 86_399n), ["stake", 10]);
    assert.deepEqual(await code("0.2", 1n), ["", 0]);
    // climb to the max rate 0.5 a day at a time; 0.5 + 10⁻¹⁸ is refused even within the daily change
    for (const rate of ["0.25", "0.3", "0.35", "0.4", "0.45", "0.5"]) assert.deepEqual(await code(rate, 86_400n), ["", 0]);
    assert.deepEqual(await code("0.500000000000000001", 86_400n), ["stake", 9]);
    assert.equal(e.stakeValidator(A).commission!.rate, "0.500000000000000000");
    // creating: a max rate above the chain's max_commission_rate (0.6 here) is refused; 0.6 itself is allowed
    const create = (max: string) => {
      const m = stakeMsg.createValidator(bob.address, consKey(`bob-${max}`), String(2n * QOS), "bob", "0.1");
      return { ...m, value: { ...m.value, commissionMaxRate: max } };
    };
    let r = (await e.block([[bob, [create("0.600000000000000001")]]], { signed: [A] })).results[0];
    assert.deepEqual([r.codespace, r.code, r.log.includes("max rate above the chain's limit 0.6")], ["stake", 9, true]);
    r = (await e.block([[bob, [create("0.6")]]], { signed: [A] })).results[0];
    assert.deepEqual([r.codespace, r.code], ["", 0], r.log);
  });
});

describe("economics: keep-alive boundary", () => {
  test("exactly voting_status_least (7) signed of the last voting_status_len (10) stays active; 6 of 10 goes inactive", async () => {
    const [alice, carol] = await Promise.all(["k-alice", "k-carol"].map(testAccount));
    const e = await economy({ accounts: [alice, carol], gentxs: [[alice, 100n * QOS, "0.1"], [carol, 10n * QOS, "0.1"]] });
    const [A, C] = [alice, carol].map(e.validator);
    // C signs 7 blocks, then misses 3: the window is full with exactly 7 signed
    for (let i = 0; i < 7; i++) await e.block([], { signed: [A, C], proposer: A });
    for (let i = 0; i < 3; i++) {
      const res = await e.block([], { signed: [A], missed: [C], proposer: A });
      assert.deepEqual(res.events.filter((x) => x.type === "inactive_validator"), [], `miss ${i + 1}`);
    }
    assert.equal(e.stakeValidator(C).status, ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
    // one more miss replaces the oldest (signed) block of the window: 6 of the last 10 signed → inactive now
    const res = await e.block([], { signed: [A], missed: [C], proposer: A });
    assert.deepEqual(res.events.filter((x) => x.type === "inactive_validator").map((x) => [attr(x, "validator"), attr(x, "reason")]), [[C.val, "keep-alive"]]);
    const v = e.stakeValidator(C);
    assert.deepEqual([v.status, v.inactiveReason, v.inactiveHeight], [ValidatorStatus.VALIDATOR_STATUS_INACTIVE, "keep-alive", BigInt(e.t.height)]);
    assert.deepEqual(res.validatorUpdates.map((u) => [hex(u.pubKey!.ed25519!), u.power]), [[hex(C.cons), 0n]]);
  });

  test("a miss that replaces an older miss keeps the count: 7 of the last 10 signed stays active", async () => {
    const [alice, carol] = await Promise.all(["k2-alice", "k2-carol"].map(testAccount));
    const e = await economy({ accounts: [alice, carol], gentxs: [[alice, 100n * QOS, "0.1"], [carol, 10n * QOS, "0.1"]] });
    const [A, C] = [alice, carol].map(e.validator);
    // window: miss, miss, miss, then 7 signed; then a miss in place of the first miss: still 7 of 10 signed
    for (let i = 0; i < 3; i++) await e.block([], { signed: [A], missed: [C], proposer: A });
    for (let i = 0; i < 7; i++) await e.block([], { signed: [A, C], proposer: A });
    await e.block([], { signed: [A], missed: [C], proposer: A });
    assert.equal(e.stakeValidator(C).status, ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
    // a second miss replaces the second old miss (still 7 of 10), a third the third (still 7); a fourth replaces a signed block
    await e.block([], { signed: [A], missed: [C], proposer: A });
    await e.block([], { signed: [A], missed: [C], proposer: A });
    assert.equal(e.stakeValidator(C).status, ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
    await e.block([], { signed: [A], missed: [C], proposer: A });
    assert.deepEqual([e.stakeValidator(C).status, e.stakeValidator(C).inactiveReason], [ValidatorStatus.VALIDATOR_STATUS_INACTIVE, "keep-alive"]);
  });
});

describe("economics: at most 21 active validators", () => {
  test("22 candidates → exactly 21 active, the lowest-bonded left out; equal bonds ranked by owner address; a stronger 23rd replaces the lowest", async () => {
    const accounts = await Promise.all(Array.from({ length: 24 }, (_, i) => testAccount(`cap-${i}`)));
    const [genesis, ...candidates] = accounts;
    const e = await economy({ accounts, gentxs: [[genesis, 100n * QOS, "0.1"]] });
    const G0 = e.validator(genesis);
    // 19 candidates with 11..29 QOS, two with 10 QOS each (a tie for the last seat), the genesis validator's 100 QOS: 22
    const bonds = new Map<string, bigint>();
    candidates.slice(0, 19).forEach((a, i) => bonds.set(a.address, BigInt(11 + i) * QOS));
    const [tieX, tieY] = candidates.slice(19, 21);
    bonds.set(tieX.address, 10n * QOS);
    bonds.set(tieY.address, 10n * QOS);
    const res = await e.block([...bonds].map(([address, bond]) => {
      const a = candidates.find((c) => c.address === address)!;
      return [a, [stakeMsg.createValidator(a.address, consKey(a.address), String(bond), "cap")]] as [TestAccount, EncodeObject[]];
    }), { signed: [G0], proposer: G0 });
    res.results.forEach((r, i) => assert.equal(r.code, 0, `tx ${i}: ${r.log}`));
    // the tie is broken by owner address, ascending: the larger address is left out
    const [winner, loser] = Buffer.compare(Buffer.from(parseAccAddress(tieX.address)), Buffer.from(parseAccAddress(tieY.address))) < 0 ? [tieX, tieY] : [tieY, tieX];
    const status = (a: TestAccount) => e.stakeValidator(e.validator(a));
    assert.deepEqual([status(loser).status, status(loser).inactiveReason], [ValidatorStatus.VALIDATOR_STATUS_INACTIVE, "replaced"]);
    const active = [genesis, ...candidates.slice(0, 21)].filter((a) => status(a).status === ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
    assert.deepEqual(active.map((a) => a.address).sort(), [genesis, ...candidates.slice(0, 19), winner].map((a) => a.address).sort());
    // CometBFT is told exactly the 20 new active validators (power = QOS bonded); the loser never
    const expectedUpdates = [...candidates.slice(0, 19), winner].map((a) => [hex(consKey(a.address)), bonds.get(a.address)! / QOS]);
    const byKey = (x: (string | bigint)[], y: (string | bigint)[]) => String(x[0]).localeCompare(String(y[0]));
    assert.deepEqual(res.validatorUpdates.map((u) => [hex(u.pubKey!.ed25519!), u.power]).sort(byKey), expectedUpdates.sort(byKey));

    // a 23rd candidate with 12 QOS outranks the tie's winner (10 QOS), now the lowest: it is replaced
    const late = candidates[21];
    const res2 = await e.block([[late, [stakeMsg.createValidator(late.address, consKey(late.address), String(12n * QOS), "late")]]], { signed: [G0], proposer: G0 });
    assert.equal(res2.results[0].code, 0, res2.results[0].log);
    assert.deepEqual([status(winner).status, status(winner).inactiveReason], [ValidatorStatus.VALIDATOR_STATUS_INACTIVE, "replaced"]);
    assert.equal(status(late).status, ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
    assert.deepEqual(res2.validatorUpdates.map((u) => [hex(u.pubKey!.ed25519!), u.power]).sort(byKey), [[hex(consKey(winner.address)), 0n], [hex(consKey(late.address)), 12n]].sort(byKey));
  });
});
