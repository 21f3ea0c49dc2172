// The staking economy through the app's ABCI methods: a genesis validator from a gentx, delegation,
// rewards (F1, commission, proposer bonus), keep-alive, closing, unbonding and double-sign slashing, every
// amount computed here by hand from the params. Invariants (stake pool, distribution account, supply) are
// checked every block. Several validators, fees, commission limits, the keep-alive boundary and the
// max-validators cap: test/unit/economics.test.ts.
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
/** Every block 3 s apart mints exactly this: one phase of K blocks' worth ending 3K s after block 1 (at G+3),
 *  so block h (time G+3h) has ⌊(end − t) ÷ 3⌋ = K − h + 1 blocks left and (K·M − (h−1)·M) ÷ (K − h + 1) = M. */
const M = 6_000_000n;
const K = 1_000_000n;
const Fee = 10_000n;

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
      txs.push(await signTx(signer, m, { chainId, accountNumber: numbers.get(signer.address)!, sequence: sequence(signer.address), fee: { amount: [{ denom: "uqos", amount: String(Fee) }], gas: "400000" } }));
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
        mint: { phases: [{ end_time: String(GenesisTime.seconds + 3n + 3n * K), total_amount: String(K * M) }] },
        genutil: { gen_txs: [toBase64(gentx)] },
      },
      { chainId },
    );
    // nobody signed block 0: alice, the proposer, gets 4% of this block's mint (240,000), the rest goes to the pool
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
    // By hand (proposer alice, the only signer; bonus 4% of the mint; commission 10%; F1 over bonded tokens):
    //   this block (alice 100 QOS bonded, previous block without fees): fee collector M = 6,000,000;
    //     bonus 240,000 → alice's commission; share 5,760,000, commission 576,000, delegators 5,184,000;
    //     bob's delegation then closes the period at 100 QOS: alice has earned 100e6 × 5,184,000 ÷ 100e6 = 5,184,000;
    //     her commission: the bonus of block 1 (240,000) and of this block, and 576,000 = 1,056,000
    assert.deepEqual(pending(alice.address, aliceVal), { rewards: "5184000", commission: "1056000" });
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
    assert.deepEqual(mintEvents, [M, M, M, M, M]);
    // the proposer's extra is 4% of each block's mint, exactly (not of the fees)
    assert.deepEqual(proposerBonus, [240_000n, 240_000n, 240_000n, 240_000n, 240_000n]);
    //   next 5 blocks (150 QOS bonded: alice 100, bob 50):
    //     1st: M + bob's fee 10,000 = 6,010,000; bonus 240,000; share 5,770,000; commission 577,000; delegators 5,193,000
    //     2nd-5th: 6,000,000 each; bonus 240,000; share 5,760,000; commission 576,000; delegators 5,184,000
    //     delegators: 5,193,000 + 4 × 5,184,000 = 25,929,000 over 150e6 → 0.17286 per uqos bonded
    //     bob 50e6 × 0.17286 = 8,643,000; alice 5,184,000 + 100e6 × 0.17286 = 22,470,000
    //     alice's commission: 1,056,000 + 5 × 240,000 + 577,000 + 4 × 576,000 = 5,137,000
    assert.deepEqual(pending(bob.address, aliceVal), { rewards: "8643000", commission: "0" });
    assert.deepEqual(pending(alice.address, aliceVal), { rewards: "22470000", commission: "5137000" });
    const before = balance(bob.address);
    await block([[bob, [stakeMsg.withdraw(bob.address, aliceVal)]]]);
    // the withdrawal's block first shares out one more M: bob + 50e6 × 5,184,000 ÷ 150e6 = 1,728,000; minus his fee
    assert.equal(balance(bob.address), before + 8_643_000n + 1_728_000n - Fee);
    assert.deepEqual(pending(bob.address, aliceVal), { rewards: "0", commission: "0" });
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
    // her 10 QOS self-bond exactly: she never signed a block (never paid a share), so no rewards, no commission
    assert.equal(balance(carol.address) - before, 10n * QOS);
  });

  test("double signing slashes the stake by the genesis fraction and deactivates the validator", async () => {
    // bonded to alice: her 100 QOS and bob's 50 − 20 = 30 QOS; 20% of each is 20 + 6 = 26 QOS
    assert.equal(validator(aliceVal).validator!.tokens, String(130n * QOS));
    const communityPool = () => BigInt(query("/qos.distribution.v1.Query/CommunityPool", new Uint8Array(), dq.QueryCommunityPoolResponse.decode).amount);
    const poolBefore = communityPool();
    const { events } = await block([], { misbehavior: [{ address: consensusAddress(aliceCons), height: t.height }] });
    const slashes = events.filter((e) => e.type === "slash").map((e) => [e.attributes.find((a) => a.key === "delegator")!.value, e.attributes.find((a) => a.key === "amount")!.value]);
    assert.deepEqual(slashes.sort(), [[alice.address, String(20n * QOS)], [bob.address, String(6n * QOS)]].sort());
    const after = validator(aliceVal).validator!;
    assert.equal(after.status, ValidatorStatus.VALIDATOR_STATUS_INACTIVE);
    assert.equal(after.inactiveReason, "double-sign");
    assert.equal(after.tokens, String(104n * QOS));
    // the pool gets the 26 QOS slashed, and this block's mint too: alice, inactive from this block's start,
    // is no longer paid, and nobody else signed (no fees in the previous block)
    const minted = BigInt(events.find((e) => e.type === "mint")!.attributes.find((a) => a.key === "amount")!.value);
    assert.equal(communityPool(), poolBefore + 26n * QOS + minted);
  });
});
