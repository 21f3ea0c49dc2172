// The staking economy on a real 4-validator network (testnet/: validators from gentxs, real CometBFT,
// supply/stake/distribution invariants checked after every block). Local stake params: keep-alive
// window 10 blocks (7 to sign), survival 20 s, unbonding 15 s.
//   - a full node that joins later becomes a validator through its owner's MsgCreateValidator: it
//     appears in CometBFT's /validators with power = self-bond ÷ 1,000,000;
//   - a delegation raises that power by amount ÷ 1,000,000, an unbonding lowers it; the unbonded coins
//     come back exactly unbonding_secs (block time) later, not before;
//   - rewards grow while the validator signs; a withdrawal pays exactly what F1 owes;
//   - a genesis validator whose processes are killed becomes inactive (keep-alive), leaves /validators,
//     and survival_secs later is closed: its delegators get their stake and pending rewards back.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { DirectSecp256k1Wallet } from "@cosmjs/proto-signing";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import * as sq from "../../gen/qos/stake/v1/query.js";
import * as dq from "../../gen/qos/distribution/v1/query.js";
import { ValidatorStatus } from "../../gen/qos/stake/v1/types.js";
import { parseAccAddress } from "../../app/address.js";
import { toValAddress } from "../../modules/stake/index.js";
import { createTestnet, LocalStakeParams, sleep, type Testnet, type TestnetNode } from "../../testnet/testnet.js";
import { stakeMsg } from "../helpers/stake.js";
import { signTx, testAccount, type TestAccount } from "../helpers/wallet.js";

const QOS = 1_000_000n;
const Fee = 10_000n;
const One = 10n ** 18n;
const GenesisPower = 10n; // every genesis validator bonds 10 QOS

type Attr = { key: string; value: string };
type AbciEvent = { type: string; attributes: Attr[] };
interface Committed {
  height: number;
  events: AbciEvent[];
}

const attrs = (e: AbciEvent) => Object.fromEntries(e.attributes.map((a) => [a.key, a.value]));
const find = (events: AbciEvent[], type: string, match: Record<string, string> = {}) =>
  events.filter((e) => e.type === type).map(attrs).filter((a) => Object.entries(match).every(([k, v]) => a[k] === v));

describe("staking on a 4-validator network", () => {
  let net: Testnet;
  let n0: TestnetNode;
  let faucet: TestAccount, alice: TestAccount, bob: TestAccount;
  const timings: string[] = [];
  let started = 0;

  // the joining node (node4), its owner and its validator
  let joiner: TestnetNode;
  let joinerOwner: TestAccount;
  let joinerVal: string;
  const JoinerBond = 7n * QOS;
  const AliceDelegation = 5n * QOS;
  const AliceUnbond = 2n * QOS;
  const BobDelegation = 3n * QOS;

  before(async () => {
    [faucet, alice, bob] = await Promise.all(["staking-faucet", "staking-alice", "staking-bob"].map(testAccount));
    started = Date.now();
    net = await createTestnet({
      validators: 4,
      chainId: "qos-staking-1",
      accounts: [faucet, alice, bob].map((a) => ({ address: a.address, coins: `${1000n * QOS}uqos` })),
      timeoutCommit: "300ms",
      timeoutPropose: "1s",
      env: { QOS_CHECK_INVARIANTS: "1" },
    });
    const created = Date.now();
    await net.startAll();
    n0 = net.nodes[0];
    timings.push(`testnet created in ${created - started} ms (4 gentxs), started in ${Date.now() - created} ms`);
  });

  after(async () => {
    await net?.destroy();
  });

  // ---- RPC helpers (queries go to node0, which runs throughout) ----

  async function abciQuery(path: string, data: Uint8Array, height?: number, node = n0) {
    const res = await node.rpc<{ response: { code: number; codespace: string; value: string | null; log: string; height: string } }>("abci_query", {
      path,
      data: Buffer.from(data).toString("hex"),
      ...(height !== undefined ? { height: String(height) } : {}),
    });
    if (height !== undefined && res.response.code === 0) assert.equal(res.response.height, String(height));
    return { ...res.response, bytes: Buffer.from(res.response.value ?? "", "base64") };
  }
  async function query(path: string, data: Uint8Array, height?: number): Promise<Uint8Array> {
    const res = await abciQuery(path, data, height);
    assert.equal(res.code, 0, `${path}: ${res.log}`);
    return res.bytes;
  }
  const balance = async (address: string, height?: number) =>
    BigInt(QueryBalanceResponse.decode(await query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "uqos" }).finish(), height)).balance?.amount ?? "0");
  const validator = async (val: string, height?: number) =>
    sq.QueryValidatorResponse.decode(await query("/qos.stake.v1.Query/Validator", sq.QueryValidatorRequest.encode({ validator: val }).finish(), height));
  const pending = async (delegator: string, val: string, height?: number) =>
    dq.QueryPendingRewardsResponse.decode(await query("/qos.distribution.v1.Query/PendingRewards", dq.QueryPendingRewardsRequest.encode({ delegator, validator: val }).finish(), height));
  const distValidator = async (val: string, height?: number) =>
    dq.QueryValidatorResponse.decode(await query("/qos.distribution.v1.Query/Validator", dq.QueryValidatorRequest.encode({ validator: val }).finish(), height));

  /** CometBFT's validator set at a height (default: the latest): consensus address → power */
  async function cometValidators(height?: number, node = n0): Promise<Map<string, bigint>> {
    const res = await node.rpc<{ validators: Array<{ address: string; voting_power: string }> }>("validators", {
      ...(height !== undefined ? { height: String(height) } : {}),
      per_page: "100",
    });
    return new Map(res.validators.map((v) => [v.address, BigInt(v.voting_power)]));
  }
  async function blockSecs(height: number): Promise<bigint> {
    const b = await n0.rpc<{ block: { header: { time: string } } }>("block", { height: String(height) });
    return BigInt(Math.floor(Date.parse(b.block.header.time) / 1000));
  }
  async function blockEvents(height: number): Promise<AbciEvent[]> {
    const r = await n0.rpc<{ finalize_block_events: AbciEvent[] | null }>("block_results", { height: String(height) });
    return r.finalize_block_events ?? [];
  }
  async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(150);
    }
  }
  /** the first height in (from, to] whose block events satisfy `match` */
  async function findBlock(from: number, to: number, match: (events: AbciEvent[]) => boolean): Promise<number> {
    for (let h = from + 1; h <= to; h++) if (match(await blockEvents(h))) return h;
    throw new Error(`no block in (${from}, ${to}] matches`);
  }

  /** signs with the account's current number and sequence, broadcasts to `via`, waits until committed (code 0) */
  async function send(signer: TestAccount, msgs: EncodeObject[], via = n0): Promise<Committed> {
    // another node's mempool checks against its own last commit: let it see node0's latest block first
    if (via !== n0) await via.waitForHeight((await n0.height()) + 1);
    const acc = BaseAccount.decode(QueryAccountResponse.decode(await query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: signer.address }).finish())).account!.value);
    const tx = await signTx(signer, msgs, {
      chainId: net.chainId, accountNumber: acc.accountNumber, sequence: acc.sequence,
      fee: { amount: [{ denom: "uqos", amount: String(Fee) }], gas: "400000" },
    });
    const check = await via.rpc<{ code: number; log: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
    assert.equal(check.code, 0, `CheckTx on ${via.name}: ${check.log}`);
    const hash = Buffer.from(createHash("sha256").update(tx).digest()).toString("base64");
    const res = await waitFor("the tx to commit", () =>
      via.rpc<{ height: string; tx_result: { code: number; log: string; events: AbciEvent[] } }>("tx", { hash }).catch(() => undefined), 30_000);
    assert.equal(res.tx_result.code, 0, `DeliverTx: ${res.tx_result.log}`);
    const height = Number(res.height);
    await n0.waitForHeight(height);
    return { height, events: res.tx_result.events };
  }

  const valOf = (address: string) => toValAddress(parseAccAddress(address));
  async function ownerAccount(node: TestnetNode): Promise<TestAccount> {
    const wallet = await DirectSecp256k1Wallet.fromKey(await net.ownerPrivateKey(node), "qosacc");
    const [account] = await wallet.getAccounts();
    assert.equal(account.address, node.owner);
    return { wallet, address: account.address, pubkey: account.pubkey };
  }

  test("the genesis validators come from gentxs: 4 active validators of power 10, all signing", async () => {
    const set = await cometValidators();
    assert.equal(set.size, 4);
    for (const n of net.nodes) {
      assert.equal(set.get(n.manifest.validatorAddress), GenesisPower, `${n.name} in /validators`);
      const v = await validator(valOf(n.owner!));
      assert.equal(v.validator!.status, ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
      assert.equal(v.validator!.tokens, String(GenesisPower * QOS));
      assert.equal(Buffer.from(v.validator!.consensusPubkey).toString("base64"), n.manifest.consensusPubkey);
    }
    const params = JSON.parse(sq.QueryParamsResponse.decode(await query("/qos.stake.v1.Query/Params", new Uint8Array())).paramsJson);
    assert.deepEqual(
      { voting_status_len: params.voting_status_len, voting_status_least: params.voting_status_least, survival_secs: params.survival_secs, unbonding_secs: params.unbonding_secs },
      LocalStakeParams,
    );
    // the genesis on disk: CometBFT's own list is empty, the set comes from app_state.genutil
    const genesis = JSON.parse(readFileSync(`${n0.home}/config/genesis.json`, "utf8"));
    assert.deepEqual(genesis.validators, []);
    assert.equal(genesis.app_state.genutil.gen_txs.length, 4);
  });

  test("a new full node joins and its owner's MsgCreateValidator makes it a validator of power self-bond ÷ 1,000,000", async (t) => {
    const t0 = Date.now();
    joiner = await net.addFullNode();
    assert.equal(joiner.manifest.genesisValidator, false);
    await joiner.start();
    const target = await n0.height();
    await joiner.waitForHeight(target + 1, 60_000);
    const synced = Date.now() - t0;
    assert.equal((await cometValidators()).has(joiner.manifest.validatorAddress), false, "a full node is not a validator");

    joinerOwner = await ownerAccount(joiner);
    joinerVal = valOf(joinerOwner.address);
    await send(faucet, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: faucet.address, toAddress: joinerOwner.address, amount: [{ denom: "uqos", amount: String(100n * QOS) }] }) }]);
    // the consensus key of the joining node, as CometBFT wrote it
    const pvk = JSON.parse(readFileSync(`${joiner.home}/config/priv_validator_key.json`, "utf8"));
    const created = await send(joinerOwner, [stakeMsg.createValidator(joinerOwner.address, Buffer.from(pvk.pub_key.value, "base64"), String(JoinerBond), "joiner")], joiner);
    assert.equal(find(created.events, "create_validator", { validator: joinerVal }).length, 1);
    assert.equal(await balance(joinerOwner.address, created.height), 100n * QOS - JoinerBond - Fee);

    // updates of block H are CometBFT's set from H + 2
    await n0.waitForHeight(created.height + 2);
    assert.equal((await cometValidators(created.height + 1)).has(joiner.manifest.validatorAddress), false);
    const set = await cometValidators(created.height + 2);
    assert.equal(set.get(joiner.manifest.validatorAddress), JoinerBond / QOS, "power = self-bond ÷ 1,000,000");
    assert.equal(set.size, 5);
    const v = await validator(joinerVal);
    assert.equal(v.validator!.status, ValidatorStatus.VALIDATOR_STATUS_ACTIVE);
    assert.equal(v.power, JoinerBond / QOS);

    // and it signs blocks
    await waitFor("the joiner to sign a block", async () => {
      const h = (await n0.height()) - 1;
      const c = await n0.rpc<{ signed_header: { commit: { signatures: Array<{ validator_address: string; block_id_flag: number }> } } }>("commit", { height: String(h) });
      return c.signed_header.commit.signatures.some((s) => s.validator_address === joiner.manifest.validatorAddress && s.block_id_flag === 2) || undefined;
    }, 20_000);
    timings.push(`full node synced in ${synced} ms; validator in /validators at height ${created.height + 2}`);
    t.diagnostic(`node4 synced ${target} blocks in ${synced} ms, created its validator at height ${created.height}, power ${JoinerBond / QOS} from height ${created.height + 2}`);
  });

  test("a delegation raises the validator's power by amount ÷ 1,000,000", async () => {
    const before = await balance(alice.address);
    const res = await send(alice, [stakeMsg.delegate(alice.address, joinerVal, String(AliceDelegation))]);
    // a first delegation has nothing to withdraw
    assert.equal(find(res.events, "withdraw_rewards", { delegator: alice.address }).length, 0);
    assert.equal(await balance(alice.address, res.height), before - AliceDelegation - Fee);
    await n0.waitForHeight(res.height + 2);
    assert.equal((await cometValidators(res.height + 1)).get(joiner.manifest.validatorAddress), JoinerBond / QOS);
    assert.equal((await cometValidators(res.height + 2)).get(joiner.manifest.validatorAddress), (JoinerBond + AliceDelegation) / QOS);
    assert.equal((await validator(joinerVal)).validator!.tokens, String(JoinerBond + AliceDelegation));
  });

  test("rewards grow while the validator signs; a withdrawal pays exactly what is pending", async (t) => {
    // pending rewards grow block after block
    const h1 = await n0.height();
    const p1 = BigInt((await pending(alice.address, joinerVal, h1)).rewards);
    await n0.waitForHeight(h1 + 3);
    const p2 = BigInt((await pending(alice.address, joinerVal, h1 + 3)).rewards);
    assert.ok(p2 > p1, `pending rewards grow: ${p1} at ${h1}, ${p2} at ${h1 + 3}`);

    const hRead = await n0.height();
    const pRead = BigInt((await pending(alice.address, joinerVal, hRead)).rewards);
    const res = await send(alice, [stakeMsg.withdraw(alice.address, joinerVal)]);
    const [w] = find(res.events, "withdraw_rewards", { delegator: alice.address, validator: joinerVal });
    const paid = BigInt(w.amount);
    assert.equal(w.commission, "0");
    assert.equal(await balance(alice.address, res.height), (await balance(alice.address, res.height - 1)) - Fee + paid, "the balance rises by exactly the event amount");
    assert.ok(paid >= pRead, `paid ${paid} ≥ pending ${pRead} read at ${hRead}`);
    assert.equal(BigInt((await pending(alice.address, joinerVal, res.height)).rewards), 0n, "nothing pending after the withdrawal");

    // exactly: the state before the tx is block h-1's plus the allocation at the start of block h.
    // alice's delegation was the last change to this validator, so her share starts at the period
    // just closed and F1 owes her stake × ⌊rewards of the current period × 10^18 ÷ tokens⌋ ÷ 10^18.
    const prev = res.height - 1;
    const d = await distValidator(joinerVal, prev);
    const tokens = BigInt((await validator(joinerVal, prev)).validator!.tokens);
    const owed = (rewards: bigint) => (AliceDelegation * ((rewards * One) / tokens)) / One;
    assert.equal(BigInt((await pending(alice.address, joinerVal, prev)).rewards), owed(BigInt(d.currentRewards)), `pending at ${prev} per F1`);
    const allocated = find(await blockEvents(res.height), "rewards", { validator: joinerVal }).reduce((s, r) => s + BigInt(r.amount) - BigInt(r.commission), 0n);
    assert.equal(paid, owed(BigInt(d.currentRewards) + allocated), "withdrawn = pending at h-1 plus block h's allocation, per F1");
    t.diagnostic(`pending ${p1} → ${p2} uqos over 3 blocks; ${pRead} pending at ${hRead}, ${paid} paid at ${res.height} (${allocated} allocated to the validator's delegators in that block)`);
  });

  test("an unbonding lowers the power; the coins come back exactly unbonding_secs later", async (t) => {
    const before = await balance(alice.address);
    const res = await send(alice, [stakeMsg.unbond(alice.address, joinerVal, String(AliceUnbond))]);
    const [w] = find(res.events, "withdraw_rewards", { delegator: alice.address, validator: joinerVal });
    const rewards = BigInt(w.amount);
    const [u] = find(res.events, "unbond", { delegator: alice.address });
    const completion = BigInt(u.completion_time);
    const unbondedAt = await blockSecs(res.height);
    assert.equal(completion, unbondedAt + BigInt(LocalStakeParams.unbonding_secs));
    // rewards settled by the unbonding are paid now; the unbonded coins are not
    assert.equal(await balance(alice.address, res.height), before - Fee + rewards);
    await n0.waitForHeight(res.height + 2);
    assert.equal((await cometValidators(res.height + 2)).get(joiner.manifest.validatorAddress), (JoinerBond + AliceDelegation - AliceUnbond) / QOS);

    // the coins arrive in the first block whose time reaches the completion time
    const afterTx = await balance(alice.address, res.height);
    await waitFor("the unbonded coins", async () => ((await balance(alice.address)) !== afterTx ? true : undefined), 60_000);
    const top = await n0.height();
    const done = await findBlock(res.height, top, (events) => find(events, "unbond_complete", { delegator: alice.address }).length > 0);
    assert.ok((await blockSecs(done)) >= completion, "not before the completion time");
    assert.ok((await blockSecs(done - 1)) < completion, "in the first block at or after it");
    assert.equal(await balance(alice.address, done - 1), afterTx, "nothing returned before");
    assert.equal(await balance(alice.address, done), afterTx + AliceUnbond, "exactly the unbonded amount");
    timings.push(`unbonding: ${done - res.height} blocks, ${(await blockSecs(done)) - unbondedAt} s of block time`);
    t.diagnostic(`unbonded at height ${res.height} (time ${unbondedAt}), returned at height ${done} (time ${await blockSecs(done)})`);
  });

  test("a killed genesis validator becomes inactive (keep-alive), leaves /validators, and is closed after survival_secs", async (t) => {
    const victim = net.nodes[3];
    const victimOwner = await ownerAccount(victim);
    const victimVal = valOf(victimOwner.address);
    const del = await send(bob, [stakeMsg.delegate(bob.address, victimVal, String(BobDelegation))]);
    await n0.waitForHeight(del.height + 3);
    const q1 = BigInt((await pending(bob.address, victimVal, del.height + 1)).rewards);
    const q2 = BigInt((await pending(bob.address, victimVal, del.height + 3)).rewards);
    assert.ok(q2 > q1, "bob's rewards grow while node3 signs");

    const killedAt = await n0.height();
    const t0 = Date.now();
    await victim.kill(); // kill -9 of its qosd process group (qosd and CometBFT)
    const inactive = await waitFor("node3 to become inactive", async () => {
      const v = (await validator(victimVal)).validator!;
      return v.status === ValidatorStatus.VALIDATOR_STATUS_INACTIVE ? v : undefined;
    }, 60_000);
    const inactiveMs = Date.now() - t0;
    assert.equal(inactive.inactiveReason, "keep-alive");
    const hInactive = Number(inactive.inactiveHeight);
    assert.ok(hInactive > killedAt && hInactive <= killedAt + 12, `inactive at ${hInactive}, killed after ${killedAt}`);
    // leaves CometBFT's set two blocks later
    await n0.waitForHeight(hInactive + 2);
    assert.equal((await cometValidators(hInactive + 1)).get(victim.manifest.validatorAddress), GenesisPower + BobDelegation / QOS);
    assert.equal((await cometValidators(hInactive + 2)).has(victim.manifest.validatorAddress), false);
    assert.equal((await cometValidators()).has(victim.manifest.validatorAddress), false);
    assert.equal((await validator(victimVal)).power, 0n);
    // an inactive validator earns nothing more and cannot be delegated to
    const hRead = await n0.height();
    const bobPending = BigInt((await pending(bob.address, victimVal, hRead)).rewards);
    assert.ok(bobPending > 0n);
    const ownerPending = await pending(victimOwner.address, victimVal, hRead);

    // the owner withdraws while inactive: exactly the pending rewards and commission (nothing accrues any more)
    const w = await send(victimOwner, [stakeMsg.withdraw(victimOwner.address, victimVal)]);
    const [ev] = find(w.events, "withdraw_rewards", { delegator: victimOwner.address, validator: victimVal });
    assert.equal(ev.amount, ownerPending.rewards, "owner's rewards = pending read before");
    assert.equal(ev.commission, ownerPending.commission, "commission = pending read before");
    assert.equal(await balance(victimOwner.address, w.height), (await balance(victimOwner.address, w.height - 1)) - Fee + BigInt(ev.amount) + BigInt(ev.commission));
    assert.equal(BigInt((await pending(bob.address, victimVal, w.height)).rewards), bobPending, "bob's pending rewards do not move while inactive");

    // survival_secs of block time after going inactive, it is closed and its stake goes home
    const bobBefore = await balance(bob.address);
    const ownerBefore = await balance(victimOwner.address);
    await waitFor("node3 to be closed", async () => {
      const r = await abciQuery("/qos.stake.v1.Query/Validator", sq.QueryValidatorRequest.encode({ validator: victimVal }).finish());
      return r.code !== 0 ? r : undefined;
    }, 60_000).then((r) => {
      assert.equal(r.codespace, "stake");
      assert.equal(r.code, 4, `NotFound: ${r.log}`);
    });
    const closedMs = Date.now() - t0;
    const top = await n0.height();
    const closed = await findBlock(w.height, top, (events) => find(events, "close_validator", { validator: victimVal }).length > 0);
    const deadline = inactive.inactiveTime + BigInt(LocalStakeParams.survival_secs);
    assert.ok((await blockSecs(closed)) >= deadline, "not before survival_secs");
    assert.ok((await blockSecs(closed - 1)) < deadline, "in the first block after survival_secs");
    const events = await blockEvents(closed);
    const [bobPaid] = find(events, "withdraw_rewards", { delegator: bob.address, validator: victimVal });
    assert.equal(BigInt(bobPaid.amount), bobPending, "bob's rewards paid at closing = his pending rewards");
    assert.equal(await balance(bob.address, closed - 1), bobBefore);
    assert.equal(await balance(bob.address, closed), bobBefore + BobDelegation + bobPending, "bob: his delegation and his rewards, exactly");
    assert.equal(await balance(victimOwner.address, closed - 1), ownerBefore);
    assert.equal(await balance(victimOwner.address, closed), ownerBefore + GenesisPower * QOS, "owner: the self-bond (rewards were withdrawn)");
    // CometBFT's set: the three genesis validators left and the joiner
    const set = await cometValidators();
    assert.deepEqual([...set.keys()].sort(), [net.nodes[0], net.nodes[1], net.nodes[2], joiner].map((n) => n.manifest.validatorAddress).sort());
    timings.push(`keep-alive: inactive ${inactiveMs} ms after the kill (height ${hInactive}), closed after ${closedMs} ms (height ${closed})`);
    t.diagnostic(`node3 killed at height ${killedAt}, inactive at ${hInactive} (${inactiveMs} ms), closed at ${closed} (${closedMs} ms); bob got ${BobDelegation} + ${bobPending} uqos`);
  });

  test("no consensus failure or invariant violation on any node", (t) => {
    for (const n of net.nodes) {
      assert.doesNotMatch(readFileSync(n.cometLogFile, "utf8"), /CONSENSUS FAILURE|wrong Block\.Header\.AppHash|does not match AppHash|invariant/i, `${n.name}'s cometbft.log`);
      assert.doesNotMatch(readFileSync(n.logFile, "utf8"), /invariant|panic/i, `${n.name}'s qosd.log`);
    }
    timings.push(`total ${Date.now() - started} ms`);
    t.diagnostic(timings.join("; "));
  });
});
