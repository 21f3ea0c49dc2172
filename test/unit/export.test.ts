// Export fidelity (found by the simulation, issue 10): `qosd export` → a new chain from that genesis must
// be the same chain. Each test builds some state, re-starts it from its export (initial height = next
// height, genesis time = last block time) and runs the same block on both: the whole key-value state must
// be identical, and so must the exports.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { toBase64 } from "@cosmjs/encoding";
import { Router } from "../../app/router.js";
import { composeChain } from "../../chain/index.js";
import { SimChain, consAddress } from "../../sim/chain.js";
import { regenesis, sameBlock } from "../../sim/export.js";
import { createClientMsg, deliveryMsgs } from "../../sim/run.js";
import { buildTx, consensusKey, simAccount, type Msg, type SimAccount } from "../../sim/tx.js";
import { caKeyPair } from "../../sim/world.js";

const G = 1_800_000_000n;
const router = new Router(composeChain("qos").modules);
const users = ["alice", "bob", "carol"].map((n) => simAccount(`export-${n}`));
const [alice, bob, carol] = users;
const funded = (accounts: SimAccount[]) => ({
  auth: { accounts: accounts.map((a) => ({ address: a.address })) },
  bank: { balances: accounts.map((a) => ({ address: a.address, coins: [{ denom: "uqos", amount: "1000000000000" }, { denom: "STAR", amount: "1000" }] })) },
});
const chains: SimChain[] = [];
after(async () => {
  for (const c of chains) await c.destroy();
});
async function chain(opts: Parameters<typeof SimChain.create>[0]): Promise<SimChain> {
  const c = await SimChain.create(opts);
  chains.push(c);
  return c;
}
function tx(c: SimChain, signer: SimAccount, msgs: Msg[]): Uint8Array {
  const account = c.app.keepers.auth.getAccount(c.app.store.latest.reader, signer.bytes)!;
  return buildTx(c.app.router, {
    msgs, chainId: c.chainId, signers: [{ account: signer, accountNumber: account.accountNumber, sequence: account.sequence }],
    fee: [{ denom: "uqos", amount: "25000" }], gas: 1_000_000n,
  });
}
// 3 s blocks (the mint's target) unless a test says otherwise: only the mint test depends on the measured average
async function ok(c: SimChain, txs: Uint8Array[], timeSeconds = c.lastTime + 3n, missed?: Set<string>) {
  const { results } = await c.block({ txs, timeSeconds, missed });
  results.forEach((r, i) => assert.equal(r.code, 0, `tx ${i}: ${r.log}`));
}

test("export loses the mint clock: a chain re-started from its export mints at another rate", async () => {
  const a = await chain({ chainId: "export-mint", profile: "qos", genesisSeconds: G, appState: funded(users) });
  // 7 s blocks: the measured average, not the 3 s target, spreads the phase over the blocks left
  for (let i = 0; i < 10; i++) await ok(a, [], a.lastTime + 7n);
  const b = await regenesis(a);
  chains.push(b);
  await sameBlock(a, b, { txs: [], timeSeconds: a.lastTime + 7n });
});

test("export loses validators' keep-alive windows, descriptions and inactive height", async () => {
  const keys = [consensusKey("export-a"), consensusKey("export-b")];
  const gentx = (owner: SimAccount, key: Uint8Array) => toBase64(buildTx(router, {
    msgs: [{
      typeUrl: "/qos.stake.v1.MsgCreateValidator",
      value: {
        owner: owner.address, consensusPubkey: key, selfBond: "50000000", description: { moniker: owner.name, identity: "", website: "", details: "" },
        commissionRate: "0.1", commissionMaxRate: "0.5", commissionMaxChangeRate: "0.05",
      },
    }],
    signers: [{ account: owner, accountNumber: 0n, sequence: 0n }], chainId: "export-stake", fee: [], gas: 1_000_000n,
  }));
  const a = await chain({
    chainId: "export-stake", profile: "qos", genesisSeconds: G,
    appState: {
      ...funded(users),
      stake: { params: { max_validators: 21, voting_status_len: 50, voting_status_least: 10, survival_secs: 100000, unbonding_secs: 60, slash_fraction_double_sign: "0.2", power_reduction: "1000000", min_self_bond: "1000000", max_commission_rate: "1" } },
      genutil: { gen_txs: [gentx(alice, keys[0]), gentx(bob, keys[1])] },
    },
  });
  const bobAddr = Buffer.from(consAddress(keys[1])).toString("hex");
  // bob misses every other block: his window has missed positions
  for (let i = 0; i < 8; i++) await ok(a, [], a.lastTime + 3n, i % 2 ? new Set([bobAddr]) : undefined);
  await ok(a, [tx(a, alice, [{ typeUrl: "/qos.stake.v1.MsgEditValidator", value: { owner: alice.address, description: { moniker: "alice", identity: "ID1", website: "https://a.example", details: "details" }, commissionRate: "" } }])]);
  await ok(a, [tx(a, bob, [{ typeUrl: "/qos.stake.v1.MsgRevokeValidator", value: { owner: bob.address } }])]);
  await ok(a, [], a.lastTime + 3n, new Set([bobAddr]));
  const b = await regenesis(a);
  chains.push(b);
  await sameBlock(a, b, { txs: [], timeSeconds: a.lastTime + 3n, missed: new Set([bobAddr]) });
});

test("export loses QCP results or the light clients deliveries are proven against", async () => {
  const ca = caKeyPair("export-qcp");
  const relayer = carol;
  const genesis = (other: string) => ({
    ...funded(users),
    qcp: { root_ca_public_key: toBase64(ca.publicKey), chains: [{ chain_id: other, relayers: [relayer.address] }] },
  });
  // one validator each, whose key signs the chain's headers (sim/headers.ts)
  const validators = (name: string) => {
    const pubKey = consensusKey(name);
    return new Map([[Buffer.from(consAddress(pubKey)).toString("hex"), { pubKey, power: 10n }]]);
  };
  const src = await chain({ chainId: "export-src", profile: "qos", genesisSeconds: G, appState: genesis("export-dst"), validators: validators("export-src-0") });
  const dst = await chain({ chainId: "export-dst", profile: "qos", genesisSeconds: G, appState: genesis("export-src"), validators: validators("export-dst-0") });
  await ok(src, []);
  await ok(dst, []);
  // each side's light client of the other, trusting a header the QCP root CA certified
  await ok(dst, [tx(dst, relayer, [createClientMsg(src, "export-dst", relayer, ca, src.height)])]);
  await ok(src, [tx(src, relayer, [createClientMsg(dst, "export-src", relayer, ca, dst.height)])]);
  await ok(src, [tx(src, alice, [{ typeUrl: "/qos.qcp.v1.MsgTransfer", value: { sender: alice.address, toChain: "export-dst", receiver: bob.address, denom: "STAR", amount: "10" } }])]);
  // an entry is provable by the header after its block
  await ok(src, []);
  await ok(dst, [tx(dst, relayer, deliveryMsgs(src, dst, [1n], relayer)!)]);
  await ok(dst, []);
  await ok(src, [tx(src, relayer, deliveryMsgs(dst, src, [1n], relayer)!)]);
  const b = await regenesis(src);
  chains.push(b);
  await sameBlock(src, b, { txs: [], timeSeconds: src.lastTime + 3n });
});
