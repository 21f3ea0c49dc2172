// Records light-client test vectors from real CometBFT networks (`npm run record:light`), into
// test/fixtures/light/ (see its README.md for the format and the networks):
//   - qos-light-1.json: a 4-validator QOS network (validators from gentxs) plus a full node; over the run
//     the full node's owner creates a validator of power 50 (MsgCreateValidator), node1 is revoked,
//     node0's owner delegates 30 QOS more to node0 (power 10 → 40), node2 and node3 are revoked. The
//     genesis set keeps only node0 in the end (10 of its 40): a skip from height 1 to the last height
//     fails on the 1/3 trust level and needs bisection through a height where node4 had joined.
//   - qos-light-other-1.json: a second chain (business profile, fixed validators) whose 4 validators
//     use the SAME consensus keys and powers as the genesis set of the first: its headers carry the
//     same validators hash and valid signatures of the trusted set, and only the chain id refuses them.
//   - qos-light-absent-1.json: 4 fixed validators, node3 killed for a few blocks and restarted: commits
//     with an absent signature (30 of 40 signed) and rounds > 0.
//   - qos-light-fork-a.json, qos-light-fork-b.json: one chain id, one genesis, the same 4 validators,
//     run twice: conflicting valid headers at every height from 2 (misbehaviour), B's times before A's.
//   `node dist/testnet/record-light.js [qos-light-1|qos-light-other-1|qos-light-absent-1|qos-light-fork ...]` records
//   only the named files (default: all).
// Each height keeps CometBFT's /commit and /validators results as returned (raw JSON), so a verifier
// reads exactly what a light client would get over RPC. Every exit path kills both networks.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DirectSecp256k1Wallet, type EncodeObject } from "@cosmjs/proto-signing";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { createHash } from "node:crypto";
import { repoRoot } from "../cmd/common/cometbft.js";
import { Method, TypeUrl } from "../gen/names.js";
import * as stakeTx from "../gen/qos/stake/v1/tx.js";
import { parseAccAddress } from "../app/address.js";
import { toValAddress } from "../modules/stake/index.js";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { signTx, testAccount, type TestAccount } from "../test/helpers/wallet.js";
import { createTestnet, openTestnet, sleep, type Testnet, type TestnetNode } from "./testnet.js";

const QOS = 1_000_000n;
const outDir = join(repoRoot, "test/fixtures/light");
const MainChain = "qos-light-1";
const OtherChain = "qos-light-other-1";
const AbsentChain = "qos-light-absent-1";
/** two files, qos-light-fork-a.json and qos-light-fork-b.json, of one chain id */
const Fork = "qos-light-fork";
const ForkChain = "qos-light-fork-1";
const ForkHeights = 8;
/** blocks node3 stays down in qos-light-absent-1 */
const AbsentFor = 6;
/** blocks recorded after the last set change, so the final set is signed for a while */
const Tail = 6;
const OtherHeights = 6;

interface Recorded {
  chain_id: string;
  genesis_time: string;
  heights: Array<{ height: string; commit: unknown; validators: unknown }>;
}

/** /commit and /validators of every height in [from, to] (canonical commits only: to < latest). */
async function record(node: TestnetNode, chainId: string, from: number, to: number): Promise<Recorded> {
  await node.waitForHeight(to + 1, 60_000);
  const genesis = await node.rpc<{ genesis: { genesis_time: string; chain_id: string } }>("genesis");
  if (genesis.genesis.chain_id !== chainId) throw new Error(`${node.name} runs ${genesis.genesis.chain_id}, not ${chainId}`);
  const heights: Recorded["heights"] = [];
  for (let h = from; h <= to; h++) {
    const commit = await node.rpc<{ canonical: boolean }>("commit", { height: String(h) });
    if (!commit.canonical) throw new Error(`commit of ${h} is not canonical yet`);
    const validators = await node.rpc<{ total: string; validators: unknown[] }>("validators", { height: String(h), per_page: "100" });
    if (Number(validators.total) !== validators.validators.length) throw new Error(`validators of ${h}: more than one page`);
    heights.push({ height: String(h), commit, validators });
  }
  return { chain_id: chainId, genesis_time: genesis.genesis.genesis_time, heights };
}

/** Fixture JSON: the top level indented, one line per recorded height (small, diff-friendly). */
function write(name: string, recorded: Recorded, network: unknown): void {
  const lines = recorded.heights.map((h) => "    " + JSON.stringify(h));
  const head = JSON.stringify({ chain_id: recorded.chain_id, genesis_time: recorded.genesis_time, network }, null, 2);
  const text = head.slice(0, -2) + ',\n  "heights": [\n' + lines.join(",\n") + "\n  ]\n}\n";
  JSON.parse(text);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, name), text);
  console.log(`wrote ${join(outDir, name)} (${text.length} bytes, heights ${recorded.heights[0].height}..${recorded.heights.at(-1)!.height})`);
}

async function owner(net: Testnet, node: TestnetNode): Promise<TestAccount> {
  const wallet = await DirectSecp256k1Wallet.fromKey(await net.ownerPrivateKey(node), "qosacc");
  const [account] = await wallet.getAccounts();
  return { wallet, address: account.address, pubkey: account.pubkey };
}

/** signs with the account's current number and sequence, broadcasts to node0, returns the height it committed at */
async function send(net: Testnet, signer: TestAccount, msg: EncodeObject): Promise<number> {
  const n0 = net.nodes[0];
  const q = await n0.rpc<{ response: { code: number; log: string; value: string } }>("abci_query", {
    path: Method.cosmos.auth.v1beta1.Query.Account,
    data: Buffer.from(QueryAccountRequest.encode({ address: signer.address }).finish()).toString("hex"),
  });
  if (q.response.code !== 0) throw new Error(`account ${signer.address}: ${q.response.log}`);
  const acc = BaseAccount.decode(QueryAccountResponse.decode(Buffer.from(q.response.value, "base64")).account!.value);
  const tx = await signTx(signer, [msg], {
    chainId: net.chainId, accountNumber: acc.accountNumber, sequence: acc.sequence,
    fee: { amount: [{ denom: "uqos", amount: "10000" }], gas: "400000" },
  });
  const check = await n0.rpc<{ code: number; log: string }>("broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") });
  if (check.code !== 0) throw new Error(`CheckTx ${msg.typeUrl}: ${check.log}`);
  const hash = createHash("sha256").update(tx).digest().toString("base64");
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await n0.rpc<{ height: string; tx_result: { code: number; log: string } }>("tx", { hash }).catch(() => undefined);
    if (res) {
      if (res.tx_result.code !== 0) throw new Error(`${msg.typeUrl}: ${res.tx_result.log}`);
      return Number(res.height);
    }
    if (Date.now() > deadline) throw new Error(`${msg.typeUrl} not committed in 30 s`);
    await sleep(100);
  }
}

const valOf = (address: string) => toValAddress(parseAccAddress(address));

/** the validators of a recorded height as name → power, from the node manifests */
function powersAt(net: Testnet, validators: any): Record<string, number> {
  const byAddress = new Map(net.nodes.map((n) => [n.manifest.validatorAddress, n.name]));
  return Object.fromEntries(validators.validators.map((v: any) => [byAddress.get(v.address) ?? v.address, Number(v.voting_power)]));
}

function describeNetwork(net: Testnet, recorded: Recorded, events: Array<{ height: number; event: string }>) {
  const changes: Array<{ height: number; powers: Record<string, number> }> = [];
  let last = "";
  for (const h of recorded.heights) {
    const hash = (h.commit as any).signed_header.header.validators_hash as string;
    if (hash !== last) changes.push({ height: Number(h.height), powers: powersAt(net, h.validators) });
    last = hash;
  }
  return {
    nodes: net.nodes.map((n) => ({ name: n.name, address: n.manifest.validatorAddress, pub_key: n.manifest.consensusPubkey })),
    txs: events,
    validator_sets: changes,
  };
}

/** The main chain (validator-set changes) and, before it, the chain with the same keys and another chain id. */
async function recordMainAndOther(nets: Testnet[], only: Set<string>): Promise<void> {
  const net = await createTestnet({
    validators: 4, fullNodes: 1, chainId: MainChain, timeoutCommit: "300ms", timeoutPropose: "1s",
    // long keep-alive window: nobody leaves the set except by the txs below
    stakeParams: { voting_status_len: 10_000, voting_status_least: 7_000 },
  });
  nets.push(net);

  if (only.has(OtherChain)) {
    // the second chain first (short), with the consensus keys of the first one's genesis validators
    const other = await createTestnet({
      validators: 4, chainId: OtherChain, profile: "business", timeoutCommit: "300ms", timeoutPropose: "1s",
      genesisPatch: (genesis, nodes) => {
        genesis.validators = nodes.map((n, i) => {
          const src = join(net.nodes[i].home, "config/priv_validator_key.json");
          copyFileSync(src, join(n.home, "config/priv_validator_key.json"));
          const key = JSON.parse(readFileSync(src, "utf8"));
          return { address: key.address, pub_key: key.pub_key, power: "10", name: n.name };
        });
      },
    });
    nets.push(other);
    await other.startAll();
    const otherRecorded = await record(other.nodes[0], OtherChain, 1, OtherHeights);
    await other.destroy();
    write(`${OtherChain}.json`, otherRecorded, {
      nodes: net.nodes.slice(0, 4).map((n) => ({ name: n.name, address: n.manifest.validatorAddress, pub_key: n.manifest.consensusPubkey })),
      txs: [],
      validator_sets: [{ height: 1, powers: Object.fromEntries(net.nodes.slice(0, 4).map((n) => [n.name, 10])) }],
    });
  }
  if (!only.has(MainChain)) return;

  await net.startAll();
  const [n0, , , , n4] = net.nodes;
  const owners = await Promise.all(net.nodes.map((n) => owner(net, n)));
  const events: Array<{ height: number; event: string }> = [];
  const step = async (event: string, signer: TestAccount, msg: EncodeObject) => {
    await n0.waitForHeight((await n0.height()) + 3);
    const height = await send(net, signer, msg);
    events.push({ height, event });
    console.log(`height ${height}: ${event}`);
    return height;
  };
  await step("node4's owner: MsgCreateValidator, self-bond 50 QOS (power 50)", owners[4], {
    typeUrl: TypeUrl.qos.stake.v1.MsgCreateValidator,
    value: stakeTx.MsgCreateValidator.fromPartial({
      owner: owners[4].address, consensusPubkey: n4.consensusPubkey, selfBond: String(50n * QOS),
      description: { moniker: "node4", identity: "", website: "", details: "" },
      commissionRate: "0.1", commissionMaxRate: "0.5", commissionMaxChangeRate: "0.05",
    }),
  });
  const revoke = (i: number) =>
    step(`node${i}'s owner: MsgRevokeValidator`, owners[i], { typeUrl: TypeUrl.qos.stake.v1.MsgRevokeValidator, value: stakeTx.MsgRevokeValidator.fromPartial({ owner: owners[i].address }) });
  await revoke(1);
  await step("node0's owner: MsgDelegate 30 QOS to node0 (power 10 → 40)", owners[0], {
    typeUrl: TypeUrl.qos.stake.v1.MsgDelegate,
    value: stakeTx.MsgDelegate.fromPartial({ delegator: owners[0].address, validator: valOf(owners[0].address), amount: String(30n * QOS) }),
  });
  await revoke(2);
  const last = await revoke(3);
  // updates of block H are CometBFT's set from H + 2
  const recorded = await record(n0, MainChain, 1, last + 2 + Tail);
  write(`${MainChain}.json`, recorded, describeNetwork(net, recorded, events));
}

/**
 * A fixed 4-validator set (power 10 each) where node3 is killed for a while: the commits of those
 * heights carry node3 as absent (block_id_flag 1, no signature), only 30 of 40 signed, and the heights
 * node3 should have proposed are decided in a later round (commit.round > 0, which the sign bytes hold).
 */
async function recordAbsent(nets: Testnet[]): Promise<void> {
  const net = await createTestnet({ validators: 4, chainId: AbsentChain, profile: "business", timeoutCommit: "300ms", timeoutPropose: "1s" });
  nets.push(net);
  await net.startAll();
  const [n0, , , n3] = net.nodes;
  const events: Array<{ height: number; event: string }> = [];
  await n0.waitForHeight(3);
  await n3.kill();
  events.push({ height: await n0.height(), event: "node3 killed (SIGKILL) when node0 was at this height" });
  await n0.waitForHeight(events[0].height + AbsentFor);
  await n3.start();
  events.push({ height: await n0.height(), event: "node3 restarted when node0 was at this height" });
  await n3.waitForHeight(events[1].height + 2, 60_000);
  const to = (await n0.height()) + Tail;
  const recorded = await record(n0, AbsentChain, 1, to);
  for (const e of events) console.log(`height ${e.height}: ${e.event}`);
  write(`${AbsentChain}.json`, recorded, describeNetwork(net, recorded, events));
}

/** Replaces `from` by `to` in every text file under dir (the homes name their own absolute paths). */
function rewritePaths(dir: string, from: string, to: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) rewritePaths(path, from, to);
    else if (statSync(path).size < 1_000_000) {
      const text = readFileSync(path, "latin1");
      if (text.includes(from)) writeFileSync(path, text.split(from).join(to), "latin1");
    }
  }
}

/**
 * A fork: one genesis and one set of validator keys (4 fixed validators of power 10), started twice
 * from copies of the same never-started homes, B first then A. Header 1 is the same on both (genesis
 * time, no block before it); from height 2 on the two chains hold different headers at every height,
 * each signed by all of the same validator set: two valid conflicting headers per height
 * (misbehaviour). On A one transfer is committed early, so from the next header on A's app hash
 * differs from B's too (what a forged delivery would rest on). B ran earlier, so B's header H + 1 is
 * older than A's header H: a client that accepted A's H and is shown B's H + 1 sees time go backwards.
 */
async function recordFork(nets: Testnet[]): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "qos-light-fork-"));
  try {
    const sender = await testAccount("light-fork-sender");
    const a = await createTestnet({
      dir: join(root, "a"), validators: 4, chainId: ForkChain, profile: "business", timeoutCommit: "300ms", timeoutPropose: "1s",
      accounts: [{ address: sender.address, coins: `${1000n * QOS}uqos` }],
    });
    cpSync(join(root, "a"), join(root, "b"), { recursive: true });
    rewritePaths(join(root, "b"), join(root, "a"), join(root, "b"));
    const b = openTestnet(join(root, "b"));
    for (const [net, side] of [[b, "b"], [a, "a"]] as const) {
      nets.push(net);
      await net.startAll();
      const events: Array<{ height: number; event: string }> = [];
      if (side === "a") {
        const height = await send(net, sender, {
          typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend,
          value: MsgSend.fromPartial({ fromAddress: sender.address, toAddress: net.nodes[1].owner ?? sender.address, amount: [{ denom: "uqos", amount: "1" }] }),
        });
        events.push({ height, event: "a MsgSend of 1uqos (fork a only): app hash differs from header height + 1 on" });
      }
      const recorded = await record(net.nodes[0], ForkChain, 1, ForkHeights);
      await net.destroy();
      write(`${Fork}-${side}.json`, recorded, describeNetwork(net, recorded, events));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const all = [MainChain, OtherChain, AbsentChain, Fork];
  const only = new Set(process.argv.length > 2 ? process.argv.slice(2) : all);
  for (const name of only) if (!all.includes(name)) throw new Error(`unknown fixture ${name}: one of ${all.join(", ")}`);
  const nets: Testnet[] = [];
  const cleanup = async () => {
    await Promise.all(nets.splice(0).map((n) => n.destroy().catch(() => undefined)));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`${signal}: stopping the networks`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    // one network at a time: the machine is small
    if (only.has(MainChain) || only.has(OtherChain)) await recordMainAndOther(nets, only);
    await cleanup();
    if (only.has(AbsentChain)) await recordAbsent(nets);
    await cleanup();
    if (only.has(Fork)) await recordFork(nets);
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
