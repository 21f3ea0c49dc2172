// QCP with real CometBFT on both sides while the QOS validator set changes: QOS is a 4-validator
// testnet (gentx validators, invariants checked after every block), the business chain one node; an
// honest relayer process (cmd/relayer) carries 1,000 MsgTransfer (500 each way, in txs of 50: the
// business chain's QSC STAR to QOS, QOS's QSC MOON to the business chain) while a
// fifth validator joins QOS and a genesis validator leaves it. Every message arrives exactly once, in
// order, every result comes back, and supply is conserved on both chains (escrow on one side ==
// vouchers on the other; nothing else minted).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryBalanceRequest, QueryBalanceResponse, QueryTotalSupplyRequest, QueryTotalSupplyResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { toAccAddress } from "../../app/address.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { MsgTransfer } from "../../gen/qos/qcp/v1/tx.js";
import { escrowAccount } from "../../modules/qcp/index.js";
import { sleep, type Chain, type ChainNode, type RelayerProcess } from "../../testnet/qcp-pair.js";
import { deliveryTxs, startQcpNetwork, type QcpNetwork } from "../../testnet/qcp-network.js";

const PerTx = 50;
const EachWay = 500;
const MoonPerMsg = 1000n;

const transfer = (to: string, sender: string, receiver: string, denom: string, amount: bigint): EncodeObject => ({
  typeUrl: TypeUrl.qos.qcp.v1.MsgTransfer,
  value: MsgTransfer.fromPartial({ sender, toChain: to, receiver, denom, amount: String(amount) }),
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, relayers: RelayerProcess[] = []): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${relayers.map((r) => r.output.slice(-3000)).join("\n---\n")}`);
    await sleep(200);
  }
}

async function totalSupply(chain: Chain<ChainNode>): Promise<Map<string, bigint>> {
  const res = QueryTotalSupplyResponse.decode(await chain.query(Method.cosmos.bank.v1beta1.Query.TotalSupply, QueryTotalSupplyRequest.encode(QueryTotalSupplyRequest.fromPartial({})).finish()));
  return new Map(res.supply.map((c) => [c.denom, BigInt(c.amount)]));
}

async function balanceOf(chain: Chain<ChainNode>, address: string, denom: string): Promise<bigint> {
  const res = QueryBalanceResponse.decode(await chain.query(Method.cosmos.bank.v1beta1.Query.Balance, QueryBalanceRequest.encode({ address, denom }).finish()));
  return BigInt(res.balance?.amount ?? "0");
}

/** The one denom in `supply` besides `known`: the voucher minted for the counterpart's coin. */
function voucherOf(supply: Map<string, bigint>, known: string[]): [string, bigint] {
  const others = [...supply].filter(([d]) => !known.includes(d));
  assert.equal(others.length, 1, `one voucher denom besides ${known.join(", ")}: ${JSON.stringify(others.map(([d, a]) => `${a}${d}`))}`);
  return others[0];
}

describe("QCP with a changing QOS validator set", { timeout: 600_000 }, () => {
  let n: QcpNetwork;
  let honest: RelayerProcess;
  const timings: string[] = [];

  before(async () => {
    const t0 = Date.now();
    n = await startQcpNetwork();
    honest = await n.relayer(0);
    honest.start();
    timings.push(`network up in ${Date.now() - t0} ms`);
  });
  after(async () => {
    if (timings.length) console.log(`qcp-dishonest e2e: ${timings.join("; ")}`);
    await n?.destroy();
  });

  test("1,000 transfers cross exactly once while a validator joins and another leaves; supply is conserved", async () => {
    const { qos, biz, alice, bob, token, qosToken, qosNet } = n;
    const started = Date.now();
    const bizSupplyBefore = await totalSupply(biz);
    const setBefore = await n.qosValidators();
    assert.equal(setBefore.length, 4);
    const leaving = qosNet.nodes[3];

    const hashes: Array<[Chain<ChainNode>, string]> = [];
    const send = async (count: number) => {
      for (let i = 0; i < count / PerTx; i++) {
        hashes.push([biz, await biz.broadcast(alice, Array.from({ length: PerTx }, () => transfer(qos.id, alice.address, bob.address, token, 1n)))]);
        hashes.push([qos, await qos.broadcast(alice, Array.from({ length: PerTx }, () => transfer(biz.id, alice.address, bob.address, qosToken, MoonPerMsg)))]);
      }
    };
    const inFlight = async () => [(await qos.seqs(biz.id)).inSequence, (await biz.seqs(qos.id)).inSequence];

    await send(200);
    const joined = await n.addValidator();
    const atJoin = await inFlight();
    await send(150);
    const left = await n.removeValidator(leaving);
    const atLeave = await inFlight();
    await send(150);
    for (const [chain, hash] of hashes) assert.equal((await chain.waitTx(hash, 60_000)).code, 0);
    const sent = Date.now() - started;

    // each side's outbox toward the other: 500 transfers + 500 results of the other side's transfers
    const total = BigInt(2 * EachWay);
    await waitFor("every message and result delivered", async () => {
      const [a, b, c, d] = [(await biz.seqs(qos.id)).outSequence, (await qos.seqs(biz.id)).inSequence, (await qos.seqs(biz.id)).outSequence, (await biz.seqs(qos.id)).inSequence];
      return a === total && b === total && c === total && d === total;
    }, 240_000, [honest]);
    timings.push(`1,000 messages sent in ${sent} ms, all delivered with results after ${Date.now() - started} ms`);

    // the set changed while messages were in flight
    assert.ok(atJoin.every((s) => s < total) && atLeave.every((s) => s < total), `set changes came mid-stream (join at ${atJoin}, leave at ${atLeave})`);
    await qosNet.nodes[0].waitForHeight(left + 2);
    const setAfter = await n.qosValidators();
    assert.ok(setAfter.includes(joined.node.manifest.validatorAddress), "the joiner is a validator");
    assert.ok(!setAfter.includes(leaving.manifest.validatorAddress), "the revoked validator left the set");
    assert.equal(setAfter.length, 4);
    timings.push(`validator joined at QOS height ${joined.height}, one left at ${left}`);

    // exactly once, in order, on both sides; every transfer and every result ran (payload code 0)
    for (const [dst, src] of [[qos, biz], [biz, qos]] as const) {
      const txs = (await deliveryTxs(dst, src.id)).filter((t) => t.code === 0);
      assert.deepEqual(txs.flatMap((t) => t.sequences), Array.from({ length: Number(total) }, (_, i) => BigInt(i + 1)), `${src.id} -> ${dst.id}: every sequence once, in order`);
      assert.deepEqual([...new Set(txs.flatMap((t) => t.outcomes))], [0], `${src.id} -> ${dst.id}: every payload ran`);
    }

    // supply: STAR stays 10^9 on the business chain, 500 of it escrowed toward QOS == the vouchers on QOS;
    // MOON stays 10^9 on QOS, 500 × 1000 of it escrowed toward the business chain == the vouchers there;
    // no other denom appears
    const escrow = toAccAddress(escrowAccount);
    const bizSupply = await totalSupply(biz);
    const qosSupply = await totalSupply(qos);
    assert.equal(bizSupply.get(token), bizSupplyBefore.get(token));
    assert.equal(bizSupply.get("uqos"), bizSupplyBefore.get("uqos"), "no inflation on a business chain: uqos supply unchanged");
    assert.equal(await balanceOf(biz, escrow, token), BigInt(EachWay));
    assert.equal(await balanceOf(biz, alice.address, token), 1_000_000_000n - BigInt(EachWay));
    assert.equal(qosSupply.get(qosToken), 1_000_000_000n);
    assert.equal(await balanceOf(qos, alice.address, qosToken), 1_000_000_000n - BigInt(EachWay) * MoonPerMsg);
    const [starVoucher, starVouchers] = voucherOf(qosSupply, ["uqos", qosToken]);
    assert.equal(starVouchers, BigInt(EachWay));
    assert.equal(await balanceOf(qos, bob.address, starVoucher), BigInt(EachWay));
    const [moonVoucher, moonVouchers] = voucherOf(bizSupply, ["uqos", token]);
    assert.equal(moonVouchers, BigInt(EachWay) * MoonPerMsg);
    assert.equal(await balanceOf(biz, bob.address, moonVoucher), BigInt(EachWay) * MoonPerMsg);
    assert.equal(await balanceOf(qos, escrow, qosToken), BigInt(EachWay) * MoonPerMsg);
  });
});
