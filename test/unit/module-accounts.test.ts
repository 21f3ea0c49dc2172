// Module accounts are closed (issue 10, defect 5): a module account (stake_pool, fee_collector,
// distribution, gov, qsc_frozen, qcp_escrow, mint) holds exactly what its module's accounting says, so
// no user-chosen recipient may be one. Before the fix a 1-uqos MsgSend to stake_pool passed CheckTx and
// broke the stake invariant in the block (with invariant checks on, FinalizeBlock threw: a halt).
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { moduleAddress, toAccAddress } from "../../app/address.js";
import { createTestApp, genesisWith, type TestApp } from "../helpers/app.js";
import { msg as qscMsg } from "../helpers/qsc.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";
import { CacheStore } from "../../app/state/kv.js";
import { BankErrors } from "../../modules/bank/index.js";
import { GovModuleAccount } from "../../modules/gov/index.js";
import { QcpModuleAccount } from "../../modules/qcp/index.js";
import { StakeModuleAccount } from "../../modules/stake/index.js";
import * as govTx from "../../gen/qos/gov/v1/tx.js";

registry.register("/qos.gov.v1.MsgSubmitProposal", govTx.MsgSubmitProposal as never);

const chainId = "qos-macc-1";
const fee = { amount: [{ denom: "uqos", amount: "5000" }], gas: "200000" };
const moduleAccount = (name: string) => toAccAddress(moduleAddress(name));
const send = (from: string, to: string, amount: string): EncodeObject => ({
  typeUrl: "/cosmos.bank.v1beta1.MsgSend",
  value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom: "uqos", amount }] }),
});

describe("attack: coins sent into module accounts", () => {
  let alice: TestAccount, bob: TestAccount;
  let t: TestApp;
  let sequence = 0n;

  before(async () => {
    [alice, bob] = await Promise.all(["macc-alice", "macc-bob"].map(testAccount));
    t = await createTestApp(genesisWith([
      { address: alice.address, coins: [{ denom: "uqos", amount: "1000000000" }] },
      { address: bob.address, coins: [{ denom: "uqos", amount: "1000000000" }] },
    ]), { chainId });
    await t.block([]);
  });
  after(() => t.destroy());
  beforeEach(() => t.block([])); // a fresh check state: the committed sequences

  const balance = (address: string) => {
    const res = t.app.query({ path: "/cosmos.bank.v1beta1.Query/Balance", data: QueryBalanceRequest.encode({ address, denom: "uqos" }).finish(), height: 0n, prove: false });
    assert.equal(res.code, 0, res.log);
    return BigInt(QueryBalanceResponse.decode(res.value).balance!.amount);
  };
  const sign = (from: TestAccount, msgs: EncodeObject[], seq: bigint) => signTx(from, msgs, { chainId, accountNumber: from === alice ? 0 : 1, sequence: seq, fee });

  for (const name of ["stake_pool", "fee_collector", "distribution", "gov"]) {
    test(`attack: MsgSend of 1 uqos to ${name} is refused (bank 12) in CheckTx and FinalizeBlock; nothing moves, the invariants hold`, async () => {
      const target = moduleAccount(name);
      const before = balance(alice.address);
      const tx = await sign(alice, [send(alice.address, target, "1")], sequence);
      const check = t.app.checkTx({ tx, type: CheckTxType.NEW });
      assert.deepEqual([check.codespace, check.code], ["bank", 12], check.log);
      assert.equal(check.log, `message 0 (/cosmos.bank.v1beta1.MsgSend): to_address ${target} is the ${name} module account: a module account's coins move only through its module`);
      const { results } = await t.block([tx]); // invariants are checked after the block (a violation throws)
      assert.deepEqual([results[0].codespace, results[0].code], ["bank", 12], results[0].log);
      // refused in the ante handler before the fee: nothing taken, nothing moved (no event), sequence unused
      assert.deepEqual(results[0].events, []);
      assert.equal(balance(alice.address), before);
    });
  }

  test("attack: a MsgTransfer paying stake_pool as one of its receivers is refused (bank 12)", async () => {
    const transfer = {
      typeUrl: "/qos.bank.v1.MsgTransfer",
      value: MsgTransfer.fromPartial({
        senders: [{ address: alice.address, coins: [{ denom: "uqos", amount: "2" }] }],
        receivers: [
          { address: bob.address, coins: [{ denom: "uqos", amount: "1" }] },
          { address: moduleAccount("stake_pool"), coins: [{ denom: "uqos", amount: "1" }] },
        ],
      }),
    };
    const tx = await sign(alice, [transfer], sequence);
    const check = t.app.checkTx({ tx, type: CheckTxType.NEW });
    assert.deepEqual([check.codespace, check.code], ["bank", 12], check.log);
    const { results } = await t.block([tx]);
    assert.deepEqual([results[0].codespace, results[0].code], ["bank", 12], results[0].log);
  });

  test("attack: an allowance used with the fee collector as recipient is refused (bank 12); the allowance stays", async () => {
    const create = await sign(alice, [qscMsg.approveCreate(alice.address, bob.address, "100", "uqos")], sequence);
    let { results } = await t.block([create]);
    assert.equal(results[0].code, 0, results[0].log);
    sequence += 1n;
    const use = await sign(bob, [qscMsg.approveUse(alice.address, bob.address, "100", "uqos", moduleAccount("fee_collector"))], 0n);
    ({ results } = await t.block([use]));
    assert.deepEqual([results[0].codespace, results[0].code], ["bank", 12], results[0].log);
    // after a block the fee collector holds that block's fees (the mint went on to distribution): bob's
    assert.equal(balance(moduleAccount("fee_collector")), 5000n);
    // the allowance is untouched: the same use to bob himself passes
    ({ results } = await t.block([await sign(bob, [qscMsg.approveUse(alice.address, bob.address, "100", "uqos")], 1n)]));
    assert.equal(results[0].code, 0, results[0].log);
  });

  test("attack: a community pool spend to stake_pool is refused at submission (bank 12)", async () => {
    const submit = {
      typeUrl: "/qos.gov.v1.MsgSubmitProposal",
      value: govTx.MsgSubmitProposal.fromPartial({
        proposer: alice.address,
        content: { title: "t", description: "d", communityPoolSpend: { recipient: moduleAccount("stake_pool"), amount: "1" } },
        initialDeposit: "10000000",
      }),
    };
    const { results } = await t.block([await sign(alice, [submit], sequence)]);
    assert.deepEqual([results[0].codespace, results[0].code], ["bank", 12], results[0].log);
    sequence += 1n;
  });

  test("only a module account declared with the permission mints or burns: no burn on stake's handle (type), forged declarations refused (bank 13)", () => {
    const bank = t.app.keepers.bank;
    const stakeBank = bank.forModule(StakeModuleAccount);
    // @ts-expect-error stake_pool is declared without "burner": its handle has no burn method at all
    assert.equal(stakeBank.burn, undefined);
    // @ts-expect-error nor mint
    assert.equal(stakeBank.mint, undefined);
    const refused = (message: string) => (e: unknown) => BankErrors.noPermission.is(e) && (e as Error).message === message;
    assert.throws(() => bank.forModule({ name: "stake_pool", permissions: ["burner"] }), refused("module account stake_pool has no burner permission: module account permission missing"));
    assert.throws(() => bank.forModule({ name: "fee_collector", permissions: ["minter"] }), refused("module account fee_collector has no minter permission: module account permission missing"));
    assert.throws(() => bank.forModule({ name: "anyone", permissions: [] }), refused("anyone is not a module account of this chain: module account permission missing"));

    // a permitted handle still cannot touch another module's account, nor mint into one
    const state = new CacheStore(t.app.store.latest.reader);
    const coins = [{ denom: "uqos", amount: 1n }];
    const blocked = (e: unknown) => BankErrors.blockedAddress.is(e);
    assert.throws(() => bank.forModule(GovModuleAccount).burn(state, undefined, moduleAddress("stake_pool"), coins), blocked);
    assert.throws(() => bank.forModule(QcpModuleAccount).mint(state, undefined, moduleAddress("distribution"), coins), blocked);
    assert.throws(() => bank.forModule(QcpModuleAccount).sendFromAccountToModule(state, [], moduleAddress("stake_pool"), coins), blocked);
    assert.deepEqual(state.changes(), []);
  });
});
