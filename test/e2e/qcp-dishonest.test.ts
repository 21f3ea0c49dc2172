// QCP with real CometBFT on both sides, two relayers, one of them dishonest, while the QOS validator set
// changes. QOS is a 4-validator testnet (gentx validators, invariants checked after every block), the
// business chain one node. An honest relayer process (cmd/relayer) carries 1,000 MsgTransfer (500 each
// way in txs of 50: the business chain's QSC STAR to QOS, QOS's QSC MOON to the business chain) while a
// fifth validator joins QOS and a genesis validator leaves it, so the business chain's client of QOS
// must follow both set changes. Every message arrives exactly once, in order, every result comes back,
// and supply is conserved on both chains (escrow on one side == vouchers on the other; nothing else).
// The dishonest relayer (testnet/dishonest-relayer.ts: a relayer key certified on both chains, signing
// with the relayer's own code) attacks both routes while they are idle, once before the set changes and
// once after: forged deliveries (one-leaf trees of its own, a tampered entry, an unverified height, an
// entry not below its proof height, a replay), forged client updates (a tampered field, a forged
// signature, < 2/3 signed, wrong trusted validators, another chain's header) and misbehaviour without a
// conflict. Each is refused with the code of the check it aims at (counted exactly by code), the
// attacker only pays fees, and no client is frozen. Last, the gas of one MsgUpdateClient of a QOS
// header and of one MsgRecvQcp, each alone in a tx.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { QueryTotalSupplyRequest, QueryTotalSupplyResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { toAccAddress } from "../../app/address.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { MsgTransfer } from "../../gen/qos/qcp/v1/tx.js";
import { escrowAccount, voucherDenom } from "../../modules/qcp/index.js";
import { sleep, type Chain, type ChainNode, type RelayerProcess } from "../../testnet/qcp-pair.js";
import { allBalances, deliveryTxs, startQcpNetwork, type QcpNetwork } from "../../testnet/qcp-network.js";
import { Attacks, DishonestRelayer, type Attack, type Outcome } from "../../testnet/dishonest-relayer.js";
import { QcpErrors } from "../../modules/qcp/errors.js";

/** The refusal each attack must meet (qcp codes). "under-two-thirds" keeps half of the signatures, all
 *  of trusted validators: short of +2/3 on QOS (4-5 validators); on the business chain (one validator)
 *  half is none, so it is short of the trust level first. */
const expected = (attack: Attack, source: "qos" | "biz"): number =>
  attack === "under-two-thirds" && source === "biz" ? QcpErrors.insufficientTrust.code : Expected[attack];
const Expected: Record<Attack, number> = {
  "forged-tree-mint": QcpErrors.invalidProof.code,
  "forged-tree-release": QcpErrors.invalidProof.code,
  "tampered-entry": QcpErrors.invalidProof.code,
  "unverified-height": QcpErrors.consensusStateNotFound.code,
  "entry-not-below-proof": QcpErrors.entryNotProvable.code,
  replay: QcpErrors.alreadyDelivered.code,
  "tampered-header": QcpErrors.invalidHeader.code,
  "forged-signature": QcpErrors.forgedSignature.code,
  "under-two-thirds": QcpErrors.insufficientVotingPower.code,
  "wrong-trusted-validators": QcpErrors.trustedValidatorsMismatch.code,
  "other-chain-header": QcpErrors.headerWrongChain.code,
  "not-misbehaviour": QcpErrors.notMisbehaviour.code,
};
/** Fee of one dishonest tx: gas 2,000,000 at 0.025uqos (it pays only for the txs that reach a block). */
const DishonestFee = 50_000n;

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

/** The supply of `supply` besides `known`, which must be only `voucher` (the counterpart's coin, named by its route). */
function onlyVoucher(supply: Map<string, bigint>, known: string[], voucher: string): bigint {
  const others = [...supply].filter(([d]) => !known.includes(d));
  assert.deepEqual(others.map(([d]) => d), [voucher], `only ${voucher} besides ${known.join(", ")}: ${JSON.stringify(others.map(([d, a]) => `${a}${d}`))}`);
  return others[0][1];
}

describe("QCP with a dishonest relayer and a changing QOS validator set", { timeout: 600_000 }, () => {
  let n: QcpNetwork;
  let honest: RelayerProcess;
  let dishonest: DishonestRelayer[];
  const timings: string[] = [];

  before(async () => {
    const t0 = Date.now();
    n = await startQcpNetwork();
    honest = await n.relayer(0);
    honest.start();
    const clients = n.chainClients(1);
    dishonest = [await DishonestRelayer.connect(clients.biz, clients.qos), await DishonestRelayer.connect(clients.qos, clients.biz)];
    timings.push(`network up in ${Date.now() - t0} ms`);
  });
  after(async () => {
    if (timings.length) console.log(`qcp-dishonest e2e: ${timings.join("; ")}`);
    await n?.destroy();
  });

  test("1,000 transfers cross exactly once while a validator joins and another leaves; every forgery refused by code; supply conserved", async () => {
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

    const drained = (total: bigint) => waitFor(`both routes idle at ${total}`, async () => {
      const [a, b, c, d] = [(await biz.seqs(qos.id)).outSequence, (await qos.seqs(biz.id)).inSequence, (await qos.seqs(biz.id)).outSequence, (await biz.seqs(qos.id)).inSequence];
      return a === total && b === total && c === total && d === total;
    }, 240_000, [honest]);
    const attack = async () => {
      const t = Date.now();
      await Promise.all(dishonest.map((d) => d.round()));
      timings.push(`attack round in ${Date.now() - t} ms`);
    };
    const dishonestUqos = async () => Promise.all([qos.balance(dishonest[0].beneficiary, "uqos"), biz.balance(dishonest[1].beneficiary, "uqos")]);
    const uqosBefore = await dishonestUqos();

    await send(200);
    for (const [chain, hash] of hashes) assert.equal((await chain.waitTx(hash, 60_000)).code, 0);
    await drained(400n);
    await attack();
    await send(100);
    const joined = await n.addValidator();
    const atJoin = await inFlight();
    await send(100);
    // the joiner is in the set from joined.height + 2: let the business chain's client of QOS verify a
    // header of that 5-validator set before another validator leaves
    const bizClientHeight = async () => (await dishonest[1].dst.client(qos.id))?.clientState?.latestHeight ?? 0n;
    await waitFor("a QOS header of the 5-validator set verified on the business chain", async () => (await bizClientHeight()) >= BigInt(joined.height + 2), 120_000, [honest]);
    const left = await n.removeValidator(leaving);
    const atLeave = await inFlight();
    await send(100);
    for (const [chain, hash] of hashes) assert.equal((await chain.waitTx(hash, 60_000)).code, 0);
    const sent = Date.now() - started;

    // each side's outbox toward the other: 500 transfers + 500 results of the other side's transfers
    const total = BigInt(2 * EachWay);
    await drained(total);
    timings.push(`1,000 messages sent in ${sent} ms, all delivered with results after ${Date.now() - started} ms`);
    await qosNet.nodes[0].waitForHeight(left + 3);
    await attack();

    // the set changed while messages were in flight
    assert.ok([...atJoin, ...atLeave].every((s) => s < total), `set changes came mid-stream (join at ${atJoin}, leave at ${atLeave})`);
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
    assert.equal(await biz.balance(escrow, token), BigInt(EachWay));
    assert.equal(await biz.balance(alice.address, token), 1_000_000_000n - BigInt(EachWay));
    assert.equal(qosSupply.get(qosToken), 1_000_000_000n);
    assert.equal(await qos.balance(alice.address, qosToken), 1_000_000_000n - BigInt(EachWay) * MoonPerMsg);
    const starVoucher = voucherDenom(biz.id, token);
    assert.equal(onlyVoucher(qosSupply, ["uqos", qosToken], starVoucher), BigInt(EachWay));
    assert.equal(await qos.balance(bob.address, starVoucher), BigInt(EachWay));
    const moonVoucher = voucherDenom(qos.id, qosToken);
    assert.equal(onlyVoucher(bizSupply, ["uqos", token], moonVoucher), BigInt(EachWay) * MoonPerMsg);
    assert.equal(await biz.balance(bob.address, moonVoucher), BigInt(EachWay) * MoonPerMsg);
    assert.equal(await qos.balance(escrow, qosToken), BigInt(EachWay) * MoonPerMsg);

    // every attack refused with its code, counted by code on each route; the attacker paid fees, gained nothing
    for (const [d, source] of [[dishonest[0], "biz"], [dishonest[1], "qos"]] as const) {
      const count = (keys: string[]) => keys.reduce<Record<string, number>>((c, k) => ({ ...c, [k]: (c[k] ?? 0) + 1 }), {});
      // a refusal in a block is "qcp <code>"; one by CheckTx (never in a block) would show as "CheckTx ..."
      const byCode = (outcomes: Outcome[]) => count(outcomes.map((o) => `${o.stage === "check" ? "CheckTx " : ""}${o.codespace} ${o.code}`));
      const want = count(Attacks.flatMap((a) => [`qcp ${expected(a, source)}`, `qcp ${expected(a, source)}`]));
      assert.deepEqual(byCode(d.outcomes), want, `${d.route}: ${JSON.stringify(d.outcomes.filter((o) => o.code !== expected(o.attack, source)))}`);
      timings.push(`${d.route} refusals by code ${JSON.stringify(byCode(d.outcomes))}`);
    }
    const uqosAfter = await dishonestUqos();
    dishonest.forEach((d, i) => assert.equal(uqosAfter[i], uqosBefore[i] - DishonestFee * BigInt(d.outcomes.filter((o) => o.stage === "block").length), `${d.route}: fees only`));
    for (const [chain, d] of [[qos, dishonest[0]], [biz, dishonest[1]]] as const) {
      const held = (await allBalances(chain, d.beneficiary)).filter((c) => c.denom !== "uqos");
      assert.deepEqual(held, [], `${d.route}: the attacker holds nothing but uqos`);
    }
    // both clients active (nothing froze them); the business chain's client of QOS followed the set
    // changes: it verified QOS headers signed by the 5-validator set and by the new 4-validator set
    const qosClientOfBiz = await dishonest[0].dst.client(biz.id);
    const bizClientOfQos = await dishonest[1].dst.client(qos.id);
    assert.deepEqual([qosClientOfBiz?.status, qosClientOfBiz?.clientState?.frozenHeight], ["active", 0n]);
    assert.deepEqual([bizClientOfQos?.status, bizClientOfQos?.clientState?.frozenHeight], ["active", 0n]);
    const proven = (await deliveryTxs(biz, qos.id)).flatMap((t) => t.proofHeights);
    // header h is signed by the set of h: the joiner's from joined.height + 2, the leaver gone from left + 2
    assert.ok(proven.some((h) => h >= joined.height + 2 && h <= left + 1), `a delivery proven under the 5-validator set (${joined.height + 2}..${left + 1})`);
    assert.ok(proven.some((h) => h >= left + 2), `a delivery proven under the set after the leave (>= ${left + 2})`);

    // the figures: with the honest relayer stopped, one more MOON transfer; the client of QOS on the
    // business chain updated by one header of the new set, then that entry delivered, each alone in a tx
    await honest.kill();
    const last = await qos.submit(alice, [transfer(biz.id, alice.address, bob.address, qosToken, 1n)]);
    await qosNet.nodes[0].waitForHeight(last.height + 1);
    const gas = await dishonest[1].honestUpdateAndRecv();
    timings.push(`gas: MsgUpdateClient of a ${gas.validators}-validator QOS header (${gas.adjacent ? "adjacent" : "skipping"}) ${gas.updateGas}, one MsgRecvQcp ${gas.recvGas}`);
  });
});
