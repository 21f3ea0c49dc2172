// The randomized simulation (issue 10, like the Cosmos SDK's): N blocks of random valid and hostile
// traffic of every message type against an in-process QosApp, random validator behaviour (missed votes,
// double-sign evidence, joins, revokes, activations), governance and QCP traffic with a counterpart chain;
// every invariant after every block; at the end export → a new chain from that genesis → the same state.
// Every decision comes from one seeded PRNG: a seed replays exactly.
import { OutboxEntry } from "../gen/qos/qcp/v1/types.js";
import { TypeUrl } from "../gen/names.js";
import { QueryEntryRequest, QueryEntryResponse, QuerySequencesRequest, QuerySequencesResponse } from "../gen/qos/qcp/v1/query.js";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { Rng } from "./rng.js";
import { SimChain, SimFailure, consAddress, type ValidatorSet } from "./chain.js";
import { ChainId, GenesisSeconds, PeerChainId, UpgradesDone, World } from "./world.js";
import { Generators, Weights, buildPlanned, malformed } from "./traffic.js";
import { buildTx, type Msg, type SimAccount } from "./tx.js";
import { checkExportImport } from "./export.js";
import { Router } from "../app/router.js";
import { composeChain } from "../chain/index.js";
import { AuthInfo, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { PubKey } from "cosmjs-types/cosmos/crypto/secp256k1/keys";

export interface SimOptions {
  seed: string;
  blocks: number;
  /** most txs in one block (default 12) */
  maxTxsPerBlock?: number;
  /** per mille of txs that are hostile (default 300) */
  hostilePerMille?: number;
  /** export → import → compare at the end (default true) */
  exportCheck?: boolean;
  /** restart the node (close and reopen the app) at random blocks (default true); decided by a separate
   *  stream of the seed, so a run with and without restarts sends the same traffic and must end equal */
  restarts?: boolean;
  /** progress lines (default: none) */
  log?: (line: string) => void;
}

export interface SimSummary {
  seed: string;
  blocks: number;
  txsSent: number;
  txsAccepted: number;
  /** "codespace/code" → count, for refused txs in FinalizeBlock */
  refused: Record<string, number>;
  /** CheckTx outcomes: accepted / refused */
  checkAccepted: number;
  checkRefused: number;
  /** invariant checks on the chain under test: one per module with invariants per block */
  invariantChecks: number;
  /** the modules whose invariants were checked */
  invariantModules: string[];
  /** per message type (or raw:<kind>): sent, accepted */
  byKind: Record<string, { sent: number; accepted: number }>;
  hostileSent: number;
  /** hex app hash after the last block */
  appHash: string;
  peerBlocks: number;
  qcpDelivered: number;
  validatorsJoined: number;
  evidence: number;
  exportCheck?: string;
  restarts: number;
  /** random queries (every path the router serves, random or empty request bytes): answered / refused */
  queries: { answered: number; refused: number };
  /** hostile txs that must never pass (forged signatures, wrong chain, replays, malformed bytes) but did */
  hostileAccepted: string[];
  /** hex sha256 of every CheckTx, FinalizeBlock and random-query response of the chain under test */
  traceDigest: string;
  /** internal errors (sdk code 1: an exception inside a handler) seen in FinalizeBlock results */
  internalErrors: string[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();

export async function runSimulation(options: SimOptions): Promise<SimSummary> {
  const rng = new Rng(options.seed);
  const log = options.log ?? (() => {});
  const maxTxs = options.maxTxsPerBlock ?? 12;
  const hostileRate = options.hostilePerMille ?? 300;
  const w = new World(rng.fork("world"), 24);
  const restartRng = new Rng(`${options.seed}/restarts`);
  const summary: SimSummary = {
    seed: options.seed, blocks: 0, txsSent: 0, txsAccepted: 0, refused: {}, checkAccepted: 0, checkRefused: 0, invariantChecks: 0, invariantModules: [],
    byKind: {}, hostileSent: 0, appHash: "", peerBlocks: 0, qcpDelivered: 0, validatorsJoined: 0, evidence: 0, internalErrors: [], hostileAccepted: [], queries: { answered: 0, refused: 0 }, restarts: 0, traceDigest: "",
  };

  // genesis validators: gentxs signed before account numbers exist (account number 0)
  const router = routerOf();
  const gentxs = w.genesisValidators.map(({ owner, consKey }, i) =>
    Buffer.from(buildTx(router, {
      msgs: [{
        typeUrl: "/qos.stake.v1.MsgCreateValidator",
        value: {
          owner: owner.address, consensusPubkey: consKey, selfBond: String(BigInt(10 + i * 5) * 1_000_000n),
          description: { moniker: `genesis-${i}`, identity: "", website: "", details: "" }, commissionRate: "0.1", commissionMaxRate: "0.5", commissionMaxChangeRate: "0.05",
        },
      }],
      signers: [{ account: owner, accountNumber: 0n, sequence: 0n }], chainId: ChainId, fee: [], gas: 1_000_000n,
    })).toString("base64"));
  w.chain = await SimChain.create({
    chainId: ChainId, profile: "qos", genesisSeconds: GenesisSeconds, upgradesDone: UpgradesDone,
    appState: { ...w.genesisAppState(), genutil: { gen_txs: gentxs } },
  });
  // the counterpart chain: a business chain with a fixed (bootstrap) validator set
  const peerKey = new Uint8Array(32).fill(7);
  const peerSet: ValidatorSet = new Map([[Buffer.from(consAddress(peerKey)).toString("hex"), { pubKey: peerKey, power: 10n }]]);
  w.peer = await SimChain.create({ chainId: PeerChainId, profile: "business", genesisSeconds: GenesisSeconds, appState: w.peerAppState(), validators: peerSet });

  await w.peer.block({ txs: [], timeSeconds: GenesisSeconds + 1n });

  // a relayer's messages have no random generator (qcpTraffic makes the deliveries; light-client messages: not yet)
  const Qcp = TypeUrl.qos.qcp.v1;
  const relayerTypes: readonly string[] = [Qcp.MsgRecvQcp, Qcp.MsgCreateClient, Qcp.MsgUpdateClient, Qcp.MsgSubmitMisbehaviour];
  const unknownTypes = w.chain.app.router.msgTypeUrls.filter((t) => !Generators[t] && !relayerTypes.includes(t));
  if (unknownTypes.length > 0) throw new SimFailure("no generator", 0, `message types without a generator: ${unknownTypes.join(", ")}`);

  // per validator (consensus address hex): how often it misses a vote (per mille), from the seed
  const liveness = new Map<string, number>();
  const missRate = (addr: string) => {
    if (!liveness.has(addr)) liveness.set(addr, rng.pick([0, 0, 0, 20, 50, 400, 900]));
    return liveness.get(addr)!;
  };

  try {
    for (let i = 0; i < options.blocks; i++) {
      const chain = w.chain;
      const height = chain.nextHeight;
      w.resetSequences();
      const planned: Array<{ kind: string; bytes: Uint8Array; hostile: boolean }> = [];
      const n = rng.int(maxTxs + 1);
      for (let k = 0; k < n; k++) {
        const hostile = rng.chance(hostileRate);
        const kind = rng.weighted(Weights);
        const gen = Generators[kind](w, hostile);
        if (!gen) continue;
        if (hostile && rng.chance(100)) {
          // a replay of a tx a block already accepted
          if (w.recentAccepted.length > 0) {
            planned.push({ kind: "raw:replay", bytes: rng.pick(w.recentAccepted), hostile: true });
            continue;
          }
        }
        const built = buildPlanned(w, chain, gen.signers, gen.msgs, hostile);
        if (hostile && rng.chance(120)) {
          const m = malformed(w, built.bytes);
          planned.push({ kind: m.kind, bytes: m.bytes, hostile: true });
          continue;
        }
        planned.push({ kind: built.twist ? `${kind}+${built.twist}` : kind, bytes: built.bytes, hostile });
      }
      planned.push(...relayToChain(w, rng, hostileRate > 0));

      // the mempool: CheckTx each; a refused tx reaches the block only sometimes (a byzantine proposer)
      const txs: Array<{ kind: string; bytes: Uint8Array; hostile: boolean }> = [];
      for (const p of planned) {
        const code = chain.checkTx(p.bytes).code;
        if (code === 0) {
          summary.checkAccepted++;
          bumpSequences(w, chain, p.bytes);
        } else summary.checkRefused++;
        if (code === 0 || rng.chance(300)) txs.push(p);
      }

      const timeSeconds = chain.lastTime + BigInt(rng.chance(20) ? rng.range(60, 400) : rng.range(1, 8));
      const lastSet = chain.set_(height - 1);
      const missed = new Set<string>();
      for (const addr of lastSet.keys()) if (rng.chance(missRate(addr))) missed.add(addr);
      const set = [...chain.set_(height).entries()];
      const proposer = set.length > 0 ? Buffer.from(rng.pick(set)[0], "hex") : undefined;
      const misbehavior = [];
      if (height > 3 && rng.chance(25)) {
        const at = rng.range(Math.max(1, height - 15), height - 1);
        const atSet = [...chain.set_(at).entries()];
        if (atSet.length > 0) {
          const [addr, v] = rng.pick(atSet);
          misbehavior.push({ address: Buffer.from(addr, "hex"), height: at, timeSeconds: chain.times.get(at) ?? chain.lastTime, power: v.power });
          summary.evidence++;
        }
      }
      let out;
      try {
        out = await chain.block({ txs: txs.map((t) => t.bytes), timeSeconds, missed, proposer: proposer && new Uint8Array(proposer), misbehavior });
      } catch (e) {
        // the block's txs, to see which one did it (the seed replays the run exactly)
        if (e instanceof SimFailure) e.message += `\n  block txs: ${txs.map((t) => t.kind).join(", ") || "none"}${misbehavior.length ? `; evidence at ${misbehavior[0].height}` : ""}`;
        throw e;
      }
      record(summary, txs, out.results, w);
      summary.blocks++;
      summary.appHash = hex(out.appHash);
      if (rng.chance(300)) await peerBlock(w, rng, summary);
      randomQueries(w, rng, summary);
      if ((options.restarts ?? true) && restartRng.chance(50)) {
        await chain.restart(out.appHash);
        summary.restarts++;
      }
      if (i % 50 === 49) log(`height ${chain.height}: ${summary.txsSent} txs sent, ${summary.txsAccepted} accepted, ${chain.set_(chain.height + 2).size} validators`);
    }
    summary.invariantChecks = w.chain.invariantChecks;
    summary.traceDigest = w.chain.trace.copy().digest("hex");
    summary.invariantModules = w.chain.app.modules.filter((m) => m.checkInvariants).map((m) => m.name);
    if (options.exportCheck ?? true) summary.exportCheck = await checkExportImport(w, rng.fork("export"));
    summary.validatorsJoined = [...w.chain.app.keepers.stake!.allValidators(w.reader)].length;
    return summary;
  } finally {
    await w.chain.destroy();
    await w.peer.destroy();
  }
}

/** the message codecs of the qos module set, for the gentxs signed before the app exists */
function routerOf(): Router {
  return new Router(composeChain("qos").modules);
}

/** After CheckTx accepted a tx: its signers' next sequences (read back from the tx itself). */
function bumpSequences(w: World, chain: SimChain, bytes: Uint8Array): void {
  const raw = TxRaw.decode(bytes);
  const auth = AuthInfo.decode(raw.authInfoBytes);
  for (const info of auth.signerInfos) {
    let account: SimAccount | undefined;
    if (info.publicKey) {
      const key = PubKey.decode(info.publicKey.value).key;
      account = w.users.find((u) => Buffer.from(u.publicKey).equals(Buffer.from(key)));
    }
    if (account) w.setSequence(chain, account, info.sequence + 1n);
  }
}

/** twists no valid chain accepts, whatever the state: a wrong signature, chain id, account number or
 *  sequence, a key that is not the signer's, no gas, a high-S signature, a message nobody routes, a replay,
 *  damaged bytes, forged QCP deliveries */
const AlwaysRefused = [
  "+wrong-signer", "+wrong-chain-id", "+wrong-account-number", "+wrong-sequence", "+foreign-pubkey", "+zero-gas", "+high-s", "+unknown-msg",
  "+undecodable-msg", "+missing-signature", "+extra-signature", "+timeout-passed", "raw:", "MsgRecvQcp+forged", "MsgRecvQcp+root", "MsgRecvQcp+proof", "MsgRecvQcp+stranger", "MsgRecvQcp+height",
];
const mustFail = (kind: string) => AlwaysRefused.some((k) => kind.includes(k));

function record(summary: SimSummary, txs: Array<{ kind: string; hostile: boolean; bytes: Uint8Array }>, results: ExecTxResult[], w: World): void {
  results.forEach((r, i) => {
    const t = txs[i];
    summary.txsSent++;
    if (t.hostile) summary.hostileSent++;
    const k = (summary.byKind[t.kind] ??= { sent: 0, accepted: 0 });
    k.sent++;
    if (r.code === 0 && mustFail(t.kind)) summary.hostileAccepted.push(`${t.kind} at height ${w.chain.height}`);
    if (r.code === 0) {
      summary.txsAccepted++;
      k.accepted++;
      if (t.kind === "/qos.qcp.v1.MsgRecvQcp") summary.qcpDelivered++;
      w.recentAccepted.push(t.bytes);
      if (w.recentAccepted.length > 50) w.recentAccepted.shift();
    } else {
      const key = `${r.codespace}/${r.code}`;
      summary.refused[key] = (summary.refused[key] ?? 0) + 1;
      if (r.codespace === "sdk" && r.code === 1) summary.internalErrors.push(`${t.kind}: ${r.log}`);
    }
  });
}

/** A few queries with random or empty request bytes on random paths and heights: the app must answer each
 *  with a code (Query never throws out of the ABCI server). */
function randomQueries(w: World, rng: Rng, summary: SimSummary): void {
  const paths = w.chain.app.router.queryPaths;
  for (let i = rng.int(4); i > 0; i--) {
    const path = rng.chance(950) ? rng.pick(paths) : rng.pick(["", "/", "/store/key", "/nosuch.Query/X", "x".repeat(300)]);
    const data = rng.chance(300) ? new Uint8Array() : rng.bytes(rng.range(1, 64));
    const height = BigInt(rng.pick([0, 0, 0, w.chain.height, w.chain.height - 1, w.chain.height + 5, -1]));
    let res;
    try {
      res = w.chain.query({ path, data, height, prove: rng.chance(200) });
    } catch (e) {
      throw new SimFailure("Query threw", w.chain.height, `${path}: ${(e as Error).stack ?? e}`);
    }
    if (res.code === 0) summary.queries.answered++;
    else summary.queries.refused++;
  }
}

// ---- QCP: the relayer and the counterpart chain ----

function qcpQuery<T>(chain: SimChain, path: string, data: Uint8Array, decode: (b: Uint8Array) => T): T {
  const res = chain.app.query({ path, data, height: 0n, prove: false });
  if (res.code !== 0) throw new SimFailure("query failed", chain.height, `${chain.chainId} ${path}: ${res.log}`);
  return decode(res.value);
}

function sequences(chain: SimChain, other: string) {
  return qcpQuery(chain, "/qos.qcp.v1.Query/Sequences", QuerySequencesRequest.encode({ chainId: other }).finish(), QuerySequencesResponse.decode);
}

/** MsgRecvQcp for entry `seq` of `src`'s outbox toward `dst`, proven at src's latest height. */
export function delivery(src: SimChain, dst: string, seq: bigint, relayer: SimAccount): Msg {
  const { entry, key } = qcpQuery(src, "/qos.qcp.v1.Query/Entry", QueryEntryRequest.encode({ chainId: dst, sequence: seq }).finish(), QueryEntryResponse.decode);
  const proof = src.app.query({ path: "/store/key", data: key, height: BigInt(src.height), prove: true });
  if (proof.code !== 0 || !proof.proofOps) throw new SimFailure("proof query failed", src.height, proof.log);
  return {
    typeUrl: "/qos.qcp.v1.MsgRecvQcp",
    value: { relayer: relayer.address, entry, proofHeight: BigInt(src.height), appHash: src.app.store.latest.appHash, proof: proof.proofOps.ops[0].data },
  };
}

/** The relayer's deliveries from the peer to the chain under test (honest, and sometimes forged). */
function relayToChain(w: World, rng: Rng, hostile: boolean): Array<{ kind: string; bytes: Uint8Array; hostile: boolean }> {
  if (!rng.chance(400) || w.chain.height < w.chain.initialHeight) return [];
  const delivered = sequences(w.chain, PeerChainId).inSequence;
  const available = sequences(w.peer, ChainId).outSequence;
  const out: Array<{ kind: string; bytes: Uint8Array; hostile: boolean }> = [];
  if (available > delivered) {
    const count = Math.min(Number(available - delivered), rng.range(1, 3));
    const msgs = Array.from({ length: count }, (_, i) => delivery(w.peer, ChainId, delivered + 1n + BigInt(i), w.relayer));
    out.push({ kind: "/qos.qcp.v1.MsgRecvQcp", bytes: buildTx(w.chain.app.router, w.spec(w.chain, [w.relayer], msgs)), hostile: false });
  }
  if (hostile && available >= 1n && rng.chance(300)) {
    // hostile deliveries: a replay, a gap, a forged entry, a wrong root, a stranger as relayer
    const seq = BigInt(rng.range(1, Number(available)));
    const m = delivery(w.peer, ChainId, seq, w.relayer);
    const v = m.value as { relayer: string; entry: Uint8Array; appHash: Uint8Array; proof: Uint8Array; proofHeight: bigint };
    let signer = w.relayer;
    const twist = rng.pick(["as-is", "forged", "root", "proof", "stranger", "height"] as const);
    if (twist === "forged") {
      const e = OutboxEntry.decode(v.entry);
      e.payload = rng.bytes(e.payload.length || 8);
      v.entry = OutboxEntry.encode(e).finish();
    } else if (twist === "root") v.appHash = rng.bytes(32);
    else if (twist === "proof") v.proof = rng.bytes(rng.range(1, 200));
    else if (twist === "stranger") { signer = w.user(); v.relayer = signer.address; }
    else if (twist === "height") v.proofHeight = BigInt(rng.pick([0, -1, 1_000_000]));
    out.push({ kind: `/qos.qcp.v1.MsgRecvQcp+${twist}`, bytes: buildTx(w.chain.app.router, w.spec(w.chain, [signer], [m])), hostile: true });
  }
  return out;
}

/** One block of the counterpart chain: its users send toward the chain under test, the relayer delivers
 *  the chain's entries (proven at its latest height) there. */
async function peerBlock(w: World, rng: Rng, summary: SimSummary): Promise<void> {
  const peer = w.peer;
  const txs: Uint8Array[] = [];
  const submit = (signer: SimAccount, msgs: Msg[]) => {
    const r = w.submit(peer, w.spec(peer, [signer], msgs));
    txs.push(r.bytes);
  };
  for (let i = rng.int(3); i > 0; i--) {
    const sender = w.user();
    const denom = rng.pick(["PEERX", "PEERX", "uqos"]);
    submit(sender, [{ typeUrl: "/qos.qcp.v1.MsgTransfer", value: { sender: sender.address, toChain: ChainId, receiver: w.user().address, denom, amount: String(rng.range(1, 100_000)) } }]);
  }
  const delivered = sequences(peer, ChainId).inSequence;
  const available = sequences(w.chain, PeerChainId).outSequence;
  if (available > delivered) {
    const count = Math.min(Number(available - delivered), rng.range(1, 4));
    submit(w.relayer, Array.from({ length: count }, (_, i) => delivery(w.chain, PeerChainId, delivered + 1n + BigInt(i), w.relayer)));
  }
  w.resetSequences();
  await peer.block({ txs, timeSeconds: w.chain.lastTime, proposer: consAddress(new Uint8Array(32).fill(7)) });
  summary.peerBlocks++;
}
