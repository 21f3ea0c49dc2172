// The staking economy through the app's ABCI methods: a genesis validator from a gentx, delegation,
// rewards (F1, commission, proposer bonus), keep-alive, closing, unbonding, double-sign slashing and the
// max-validators rule. Invariants (stake pool, distribution account, supply) are checked every block.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { toBase64 } from "@cosmjs/encoding";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { stakeMsg } from "../helpers/stake.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { consensusAddress, toValAddress } from "../../modules/stake/index.js";
import { parseAccAddress } from "../../app/address.js";
import * as sq from "../../gen/qos/stake/v1/query.js";
import * as dq from "../../gen/qos/distribution/v1/query.js";
import { ValidatorStatus } from "../../gen/qos/stake/v1/types.js";

const chainId = "qos-stake-1";
const QOS = 1_000_000n;
const consKey = (seed: string) => new Uint8Array(createHash("sha256").update(`cons-${seed}`).digest());

describe("staking economy", () => {
  let alice: TestAccount, bob: TestAccount, carol: TestAccount;
  let t: TestApp;
  let aliceVal: string, carolVal: string;
  const aliceCons = consKey("alice");
  const carolCons = consKey("carol");
  let timeSeconds = GenesisTime.seconds;
  const numbers = new Map<string, number>();

  const query = <T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => {
    const res = t.app.query({ path, data, height: 0n, prove: false });
    assert.equal(res.code, 0, `${path}: ${res.log}`);
    return decode(res.value);
  };
  const balance = (address: string) => BigInt(query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "uqos" }).finish(), QueryBalanceResponse.decode).balance!.amount);
  const validator = (val: string) => query("/qos.stake.v1.Query/Validator", sq.QueryValidatorRequest.encode({ validator: val }).finish(), sq.QueryValidatorResponse.decode);
  const pending = (delegator: string, val: string) => query("/qos.distribution.v1.Query/PendingRewards", dq.QueryPendingRewardsRequest.encode({ delegator, validator: val }).finish(), dq.QueryPendingRewardsResponse.decode);
  const sequence = (address: string) => BaseAccount.decode(query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish(), QueryAccountResponse.decode).account!.value).sequence;
  const votes = (signedBy: Array<[Uint8Array, boolean]>) => signedBy.map(([key, signed]) => ({ address: consensusAddress(key), signed }));

  /** one block, 3 s after the last, with the given votes; txs signed with current sequences */
  async function block(msgs: Array<[TestAccount, EncodeObject[]]> = [], opts: { votes?: Array<[Uint8Array, boolean]>; advance?: bigint; misbehavior?: Array<{ address: Uint8Array; height: number }> } = {}) {
    timeSeconds += opts.advance ?? 3n;
    const txs = [];
    for (const [signer, m] of msgs) {
      txs.push(await signTx(signer, m, { chainId, accountNumber: numbers.get(signer.address)!, sequence: sequence(signer.address), fee: { amount: [{ denom: "uqos", amount: "10000" }], gas: "400000" } }));
    }
    const res = await t.block(txs, { votes: votes(opts.votes ?? [[aliceCons, true]]), proposer: consensusAddress(aliceCons), timeSeconds, misbehavior: opts.misbehavior });
    res.results.forEach((r, i) => assert.equal(r.code, 0, `tx ${i}: ${r.log}`));
    return res;
  }

  before(async () => {
    [alice, bob, carol] = await Promise.all(["s-alice", "s-bob", "s-carol"].map(testAccount));
    [alice, bob, carol].forEach((a, i) => numbers.set(a.address, i));
    aliceVal = toValAddress(parseAccAddress(alice.address));
    carolVal = toValAddress(parseAccAddress(carol.address));
    // the gentx: signed before account numbers exist (account number 0 in the sign doc)
    const gentx = await signTx(alice, [stakeMsg.createValidator(alice.address, aliceCons, String(100n * QOS), "alice-node")], {
      chainId, accountNumber: 0, sequence: 0, fee: { amount: [], gas: "400000" },
    });
    t = await createTestApp(
      {
        auth: { accounts: [alice, bob, carol].map((a) => ({ address: a.address })) },
        bank: { balances: [alice, bob, carol].map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: String(1000n * QOS) }] })) },
        stake: { params: { max_validators: 21, voting_status_len: 10, voting_status_least: 7, survival_secs: 60, unbonding_secs: 30, slash_fraction_double_sign: "0.2", power_reduction: "1000000", min_self_bond: "1000000", max_commission_rate: "1.0" } },
        genutil: { gen_txs: [toBase64(gentx)] },
      },
      { chainId },
    );
    await block([], { votes: [] });
  });
  after(() => t.destroy());

  test("a gentx makes a genesis validator with power = bonded uqos ÷ 1,000,000", () => {
    assert.equal(t.genesisValidators.length, 1);
    assert.equal(Buffer.from(t.genesisValidators[0].pubKey!.ed25519!).toString("hex"), Buffer.from(aliceCons).toString("hex"));
    assert.equal(t.genesisValidators[0].power, 100n);
    const v = validator(aliceVal);
    assert.equal(v.power, 100n);
    assert.equal(v.validator!.status, ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
    assert.equal(balance(alice.address), 900n * QOS);
  });

  test("a delegation raises the power CometBFT is told; rewards split by stake, commission to the owner", async () => {
    const { validatorUpdates } = await block([[bob, [stakeMsg.delegate(bob.address, aliceVal, String(50n * QOS))]]]);
    assert.deepEqual(validatorUpdates.map((u) => u.power), [150n]);
    const aliceBefore = BigInt(pending(alice.address, aliceVal).rewards);
    const mintEvents: bigint[] = [];
    const proposerBonus: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      const { events } = await block();
      for (const e of events) {
        const amount = e.attributes.find((a) => a.key === "amount")?.value;
        if (e.type === "mint" && amount) mintEvents.push(BigInt(amount));
        if (e.type === "proposer_reward" && amount) proposerBonus.push(BigInt(amount));
      }
    }
    assert.equal(mintEvents.length, 5);
    // the proposer's extra is 4% of each block's mint, exactly
    assert.deepEqual(proposerBonus, mintEvents.map((m) => (m * 4n) / 100n));
    const bobRewards = BigInt(pending(bob.address, aliceVal).rewards);
    const alicePending = pending(alice.address, aliceVal);
    const aliceRewards = BigInt(alicePending.rewards) - aliceBefore;
    assert.ok(bobRewards > 0n);
    // since bob joined, bob has 50 of 150 bonded and alice 100: their delegator rewards are 1:2 up to rounding
    assert.ok(aliceRewards - 2n * bobRewards <= 3n && 2n * bobRewards - aliceRewards <= 3n, `alice ${aliceRewards} bob ${bobRewards}`);
    assert.ok(BigInt(alicePending.commission) > 0n);
    const before = balance(bob.address);
    await block([[bob, [stakeMsg.withdraw(bob.address, aliceVal)]]]);
    assert.ok(balance(bob.address) >= before + bobRewards - 10000n, "bob received his rewards (minus the fee)");
  });

  test("unbonding lowers the power at once and pays back after unbonding_secs", async () => {
    const { validatorUpdates } = await block([[bob, [stakeMsg.unbond(bob.address, aliceVal, String(20n * QOS))]]]);
    assert.deepEqual(validatorUpdates.map((u) => u.power), [130n]);
    const unbondings = () => query("/qos.stake.v1.Query/Unbondings", sq.QueryDelegatorRequest.encode({ delegator: bob.address, pagination: undefined }).finish(), sq.QueryUnbondingsResponse.decode).unbondings;
    assert.deepEqual(unbondings().map((u) => [u.amount, u.completionTime]), [[String(20n * QOS), timeSeconds + 30n]]);
    const afterTx = balance(bob.address);
    await block([], { advance: 29n });
    assert.equal(balance(bob.address), afterTx, "not before the unbonding period");
    await block([], { advance: 1n });
    assert.equal(balance(bob.address), afterTx + 20n * QOS);
    assert.deepEqual(unbondings(), []);
  });

  test("keep-alive: missing more than len − least of the window makes the validator inactive and removes it", async () => {
    const gentxless = await block([[carol, [stakeMsg.createValidator(carol.address, carolCons, String(10n * QOS), "carol-node")]]]);
    assert.deepEqual(gentxless.validatorUpdates.map((u) => u.power), [10n]);
    let last;
    for (let i = 0; i < 4; i++) last = await block([], { votes: [[aliceCons, true], [carolCons, false]] });
    const v = validator(carolVal);
    assert.equal(v.validator!.status, ValidatorStatus.VALIDATOR_STATUS_INACTIVE);
    assert.equal(v.validator!.inactiveReason, "keep-alive");
    const hex = (b?: Uint8Array) => Buffer.from(b ?? []).toString("hex");
    assert.deepEqual(last!.validatorUpdates.map((u) => [hex(u.pubKey?.ed25519), u.power]), [[hex(carolCons), 0n]]);
    // inactive validators cannot be delegated to
    const tx = await signTx(bob, [stakeMsg.delegate(bob.address, carolVal, "5")], { chainId, accountNumber: 1, sequence: sequence(bob.address), fee: { amount: [{ denom: "uqos", amount: "10000" }], gas: "400000" } });
    const { results } = await t.block([tx], { timeSeconds: (timeSeconds += 3n) });
    assert.deepEqual([results[0].codespace, results[0].code], ["stake", 5]);
  });

  test("after survival_secs an inactive validator is closed and its stake goes back to the owner", async () => {
    const before = balance(carol.address);
    await block([], { advance: 61n });
    assert.equal(t.app.query({ path: "/qos.stake.v1.Query/Validator", data: sq.QueryValidatorRequest.encode({ validator: carolVal }).finish(), height: 0n, prove: false }).code, 4);
    const returned = balance(carol.address) - before;
    assert.ok(returned >= 10n * QOS, `carol got ${returned} back`);
  });

  test("double signing slashes the stake by the genesis fraction and deactivates the validator", async () => {
    const bonded = BigInt(validator(aliceVal).validator!.tokens);
    const { events } = await block([], { misbehavior: [{ address: consensusAddress(aliceCons), height: t.height }] });
    const slashed = events.filter((e) => e.type === "slash").reduce((s, e) => s + BigInt(e.attributes.find((a) => a.key === "amount")!.value), 0n);
    const after = validator(aliceVal).validator!;
    assert.equal(after.status, ValidatorStatus.VALIDATOR_STATUS_INACTIVE);
    assert.equal(after.inactiveReason, "double-sign");
    assert.equal(BigInt(after.tokens), bonded - slashed);
    assert.ok(slashed >= (bonded * 2n) / 10n - 2n && slashed <= (bonded * 2n) / 10n, `slashed ${slashed} of ${bonded}`);
    const pool = BigInt(query("/qos.distribution.v1.Query/CommunityPool", new Uint8Array(), dq.QueryCommunityPoolResponse.decode).amount);
    assert.ok(pool >= slashed);
  });
});
