// Guardians through the app's ABCI methods: who may add/delete guardians (distinct codes for
// non-guardians and ordinary guardians), fee-free transactions (CheckTx without a fee at the node's minimum
// gas price, nothing taken in FinalizeBlock), and the halt: no block after the one that holds it, with the
// reason in logs and queries. The params registry query is checked here too (every module, one module).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { createTestApp, GenesisTime, type TestApp } from "../helpers/app.js";
import { registry, signTx, testAccount, type TestAccount } from "../helpers/wallet.js";
import * as guardianTx from "../../gen/qos/guardian/v1/tx.js";
import * as grq from "../../gen/qos/guardian/v1/query.js";
import { GuardianType } from "../../gen/qos/guardian/v1/types.js";
import * as pq from "../../gen/qos/params/v1/query.js";

for (const [url, type] of [
  ["/qos.guardian.v1.MsgAddGuardian", guardianTx.MsgAddGuardian], ["/qos.guardian.v1.MsgDeleteGuardian", guardianTx.MsgDeleteGuardian],
  ["/qos.guardian.v1.MsgHaltNetwork", guardianTx.MsgHaltNetwork],
] as const) registry.register(url, type as never);

const chainId = "qos-guardian-1";
const msg = {
  add: (creator: string, address: string): EncodeObject => ({ typeUrl: "/qos.guardian.v1.MsgAddGuardian", value: guardianTx.MsgAddGuardian.fromPartial({ creator, address, description: "ops" }) }),
  del: (deletedBy: string, address: string): EncodeObject => ({ typeUrl: "/qos.guardian.v1.MsgDeleteGuardian", value: guardianTx.MsgDeleteGuardian.fromPartial({ deletedBy, address }) }),
  halt: (guardian: string, reason: string): EncodeObject => ({ typeUrl: "/qos.guardian.v1.MsgHaltNetwork", value: guardianTx.MsgHaltNetwork.fromPartial({ guardian, reason }) }),
  send: (from: string, to: string, amount: string): EncodeObject => ({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom: "uqos", amount }] }) }),
};

describe("guardians", () => {
  let g: TestAccount, ordinary: TestAccount, nobody: TestAccount, fresh: TestAccount;
  let t: TestApp;
  let timeSeconds = GenesisTime.seconds;
  const numbers = new Map<string, number>();
  const logs: string[] = [];

  const query = <T>(path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T => {
    const res = t.app.query({ path, data, height: 0n, prove: false });
    assert.equal(res.code, 0, `${path}: ${res.log}`);
    return decode(res.value);
  };
  const balance = (address: string) => BigInt(query("/cosmos.bank.v1beta1.Query/Balance", QueryBalanceRequest.encode({ address, denom: "uqos" }).finish(), QueryBalanceResponse.decode).balance!.amount);
  const sequence = (address: string) => BaseAccount.decode(query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address }).finish(), QueryAccountResponse.decode).account!.value).sequence;
  const sign = (signer: TestAccount, msgs: EncodeObject[], fee = "10000") =>
    signTx(signer, msgs, { chainId, accountNumber: numbers.get(signer.address)!, sequence: sequence(signer.address), fee: { amount: fee === "0" ? [] : [{ denom: "uqos", amount: fee }], gas: "200000" } });
  async function block(txs: Uint8Array[] = []) {
    timeSeconds += 3n;
    return t.block(txs, { timeSeconds });
  }

  before(async () => {
    [g, ordinary, nobody, fresh] = await Promise.all(["gd-genesis", "gd-ordinary", "gd-nobody", "gd-fresh"].map(testAccount));
    [g, ordinary, nobody, fresh].forEach((a, i) => numbers.set(a.address, i));
    t = await createTestApp(
      {
        auth: { accounts: [g, ordinary, nobody, fresh].map((a) => ({ address: a.address })) },
        bank: { balances: [g, ordinary, nobody, fresh].map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: "1000000000" }] })) },
        guardian: {
          guardians: [
            { address: g.address, type: "genesis", description: "foundation" },
            { address: ordinary.address, type: "ordinary", description: "ops", creator: g.address },
          ],
        },
      },
      { chainId },
    );
    // the test app's log goes nowhere; capture it for the halt messages
    (t.app as unknown as { log: (l: string) => void }).log = (line) => logs.push(line);
    await block();
  });
  after(() => t.destroy());

  test("genesis guardians are listed with their type", () => {
    const list = query("/qos.guardian.v1.Query/Guardians", grq.QueryGuardiansRequest.encode({ pagination: undefined }).finish(), grq.QueryGuardiansResponse.decode).guardians;
    const byAddress = new Map(list.map((x) => [x.address, x]));
    assert.equal(byAddress.get(g.address)!.type, GuardianType.GUARDIAN_TYPE_GENESIS);
    assert.equal(byAddress.get(ordinary.address)!.type, GuardianType.GUARDIAN_TYPE_ORDINARY);
    assert.equal(byAddress.get(ordinary.address)!.creator, g.address);
    const missing = t.app.query({ path: "/qos.guardian.v1.Query/Guardian", data: grq.QueryGuardianRequest.encode({ address: nobody.address }).finish(), height: 0n, prove: false });
    assert.equal(missing.codespace, "guardian");
    assert.equal(missing.code, 4);
  });

  test("a non-guardian gets 'not a guardian' (2), an ordinary guardian 'only a genesis guardian' (3)", async () => {
    const res = await block([await sign(nobody, [msg.add(nobody.address, fresh.address)]), await sign(ordinary, [msg.add(ordinary.address, fresh.address)])]);
    assert.deepEqual(res.results.map((r) => [r.codespace, r.code]), [["guardian", 2], ["guardian", 3]]);
    const res2 = await block([await sign(nobody, [msg.halt(nobody.address, "no")]), await sign(ordinary, [msg.halt(ordinary.address, "no")])]);
    assert.deepEqual(res2.results.map((r) => [r.codespace, r.code]), [["guardian", 2], ["guardian", 3]]);
  });

  test("a genesis guardian adds and deletes an ordinary guardian, but cannot delete a genesis one", async () => {
    let res = await block([await sign(g, [msg.add(g.address, fresh.address)])]);
    assert.equal(res.results[0].code, 0, res.results[0].log);
    assert.ok(res.results[0].events.some((e) => e.type === "add_guardian"));
    const one = query("/qos.guardian.v1.Query/Guardian", grq.QueryGuardianRequest.encode({ address: fresh.address }).finish(), grq.QueryGuardianResponse.decode).guardian!;
    assert.equal(one.type, GuardianType.GUARDIAN_TYPE_ORDINARY);
    res = await block([await sign(g, [msg.add(g.address, fresh.address)])]);
    assert.deepEqual([res.results[0].codespace, res.results[0].code], ["guardian", 5]);
    res = await block([await sign(g, [msg.del(g.address, fresh.address)])]);
    assert.equal(res.results[0].code, 0, res.results[0].log);
    res = await block([await sign(g, [msg.del(g.address, g.address)])]);
    assert.deepEqual([res.results[0].codespace, res.results[0].code], ["guardian", 6]);
  });

  test("a guardian's transaction pays no fee: CheckTx passes without a fee, FinalizeBlock takes nothing", async () => {
    const noFee = await sign(ordinary, [msg.send(ordinary.address, nobody.address, "1000")], "0");
    assert.equal(t.app.checkTx({ tx: noFee, type: 0 }).code, 0);
    const nobodyNoFee = await sign(nobody, [msg.send(nobody.address, ordinary.address, "1000")], "0");
    const refused = t.app.checkTx({ tx: nobodyNoFee, type: 0 });
    assert.deepEqual([refused.codespace, refused.code], ["sdk", 13]);
    const before = balance(ordinary.address);
    // a guardian that offers a fee is not charged either
    const withFee = await sign(ordinary, [msg.send(ordinary.address, nobody.address, "1000")], "50000");
    const res = await block([withFee]);
    assert.equal(res.results[0].code, 0, res.results[0].log);
    assert.equal(balance(ordinary.address), before - 1000n);
    const nobodyBefore = balance(nobody.address);
    const res2 = await block([await sign(nobody, [msg.send(nobody.address, g.address, "1")], "10000")]);
    assert.equal(res2.results[0].code, 0);
    assert.equal(balance(nobody.address), nobodyBefore - 1n - 10000n, "everyone else pays");
  });

  test("the params registry answers for every module and for one", () => {
    const all = query("/qos.params.v1.Query/Params", pq.QueryParamsRequest.encode({ module: "" }).finish(), pq.QueryParamsResponse.decode);
    assert.deepEqual(all.modules, ["auth", "bank", "distribution", "exchange", "gov", "mining", "mint", "qcp", "qsc", "stake"]);
    const parsed = JSON.parse(all.paramsJson);
    assert.equal(parsed.exchange.swap_fee_bps, 30);
    assert.equal(parsed.stake.max_validators, 21);
    assert.equal(parsed.gov.critical.min_deposit, "100000000");
    const bank = JSON.parse(query("/qos.params.v1.Query/Params", pq.QueryParamsRequest.encode({ module: "bank" }).finish(), pq.QueryParamsResponse.decode).paramsJson);
    assert.equal(bank.max_transfer_parties, 100);
    assert.equal(bank.max_coins_per_party, 16);
    const unknown = t.app.query({ path: "/qos.params.v1.Query/Params", data: pq.QueryParamsRequest.encode({ module: "nope" }).finish(), height: 0n, prove: false });
    assert.deepEqual([unknown.codespace, unknown.code], ["params", 2]);
  });

  test("halt: no block after the one holding it; every proposal is refused; the reason is in logs and queries", async () => {
    const res = await block([await sign(g, [msg.halt(g.address, "critical bug in v1, wait for v2")])]);
    assert.equal(res.results[0].code, 0, res.results[0].log);
    const haltHeight = t.height;
    const halt = query("/qos.guardian.v1.Query/Halt", grq.QueryHaltRequest.encode({}).finish(), grq.QueryHaltResponse.decode);
    assert.equal(halt.halted, true);
    assert.equal(halt.halt!.reason, "critical bug in v1, wait for v2");
    assert.equal(halt.halt!.guardian, g.address);
    assert.equal(Number(halt.halt!.height), haltHeight);
    const proposal = t.app.processProposal({ txs: [], height: BigInt(haltHeight + 1) } as never);
    assert.equal(proposal.status, 2 /* REJECT */);
    await assert.rejects(block(), /HALT THE NETWORK at height .*critical bug in v1, wait for v2/);
    assert.equal(t.app.lastHeight, haltHeight);
    assert.ok(logs.some((l) => l.includes("critical bug in v1, wait for v2")));
    // queries still answer
    assert.equal(query("/qos.guardian.v1.Query/Halt", new Uint8Array(), grq.QueryHaltResponse.decode).halted, true);
  });
});
