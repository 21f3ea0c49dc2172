// The randomized simulation (issue 10, like the Cosmos SDK's): N blocks of random valid and hostile
// traffic of every message type against an in-process QosApp, random validator behaviour (missed votes,
// double-sign evidence, joins, revokes, activations), governance and QCP traffic with a counterpart chain;
// every invariant after every block; at the end export → a new chain from that genesis → the same state.
// Every decision comes from one seeded PRNG: a seed replays exactly.
import { OutboxEntry, TransferPayload } from "../gen/qos/qcp/v1/types.js";
import { issueCertificate, type CaKeyPair } from "../app/certificate.js";
import { headerHash } from "../app/light/index.js";
import { build as smtBuild, encodeProof, proveKey, rootHash } from "../app/state/smt.js";
import { Method, TypeUrl } from "../gen/names.js";
import { outboxKey } from "../modules/qcp/index.js";
import { key, makeBlock } from "../test/helpers/light-chain.js";
import { clientGenesis, clientHeader, consensusKey, lightBlock, protoValidatorSet, updatePath, validatorSetAt } from "./headers.js";
import { QueryEntryRequest, QueryEntryResponse, QuerySequencesRequest, QuerySequencesResponse } from "../gen/qos/qcp/v1/query.js";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { Rng } from "./rng.js";
import { SimChain, SimFailure, consAddress, type StateBackend, type ValidatorSet } from "./chain.js";
import { ChainId, GenesisSeconds, PeerChainId, UpgradesDone, World } from "./world.js";
import { ExchangeWeights, Generators, MiningWeights, Weights, buildPlanned, malformed } from "./traffic.js";
import { buildTx, type Msg, type SimAccount, type TxSpec } from "./tx.js";

const Urls = TypeUrl.qos.qcp.v1;
const Paths = Method.qos.qcp.v1.Query;
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
  /** up to two exchange txs per block besides the other traffic (default false), from a stream of their
   *  own: the runs recorded before the exchange existed (GoldenTraces) send exactly what they sent */
  exchangeTraffic?: boolean;
  /** the apps' state store (default "memory"): the trace must not depend on it */
  stateBackend?: StateBackend;
  /** up to two mining txs per block (default false), from a stream of their own like the exchange's; the
   *  genesis then allows settlement periods of 30 s so that periods settle within a run */
  miningTraffic?: boolean;
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
  // The exchange's traffic (issue 18, options.exchangeTraffic) draws from a stream of its own, through a
  // view of the world whose rng is that stream, so turning it on changes no other decision of the run
  // (only what its txs change in the state steers the rest differently).
  const exchangeRng = new Rng(`${options.seed}/exchange`);
  const untracedQueryRng = new Rng(`${options.seed}/untraced-queries`);
  const exchangeWorld = Object.create(w, { rng: { value: exchangeRng } }) as World;
  const miningRng = new Rng(`${options.seed}/mining`);
  const miningWorld = Object.create(w, { rng: { value: miningRng } }) as World;
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
  // the counterpart chain first: a business chain with a fixed (bootstrap) validator set, whose header 1
  // the chain under test trusts in genesis (its light client of the peer); the peer's client of the chain
  // under test is created by the relayer (MsgCreateClient with a QCP root CA certificate) in its next block
  const peerKey = consensusKey("peer-0");
  const peerSet: ValidatorSet = new Map([[Buffer.from(consAddress(peerKey)).toString("hex"), { pubKey: peerKey, power: 10n }]]);
  w.peer = await SimChain.create({ chainId: PeerChainId, profile: "business", genesisSeconds: GenesisSeconds, appState: w.peerAppState(), validators: peerSet, stateBackend: options.stateBackend });
  await w.peer.block({ txs: [], timeSeconds: GenesisSeconds + 1n });
  w.chain = await SimChain.create({
    chainId: ChainId, profile: "qos", genesisSeconds: GenesisSeconds, upgradesDone: UpgradesDone, stateBackend: options.stateBackend,
    appState: {
      ...w.genesisAppState(clientGenesis(lightBlock(w.peer, 1))), genutil: { gen_txs: gentxs },
      ...(options.miningTraffic ? { mining: { params: { max_commission_rate: "0.05", min_holder_share: "0.5", min_period_secs: 30, max_period_secs: 86400, rate_interval_blocks: 3, max_rate_change: "0.1", max_team_unlock_rate: "1" } } } : {}),
    },
  });

  const unknownTypes = w.chain.app.router.msgTypeUrls.filter((t) => !Generators[t] && !RelayerTypes.includes(t) && !AliasTypes.includes(t) && !NotSimulated.includes(t));
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
      const mempool = (p: { kind: string; bytes: Uint8Array; hostile: boolean }, from: Rng) => {
        const code = chain.checkTx(p.bytes).code;
        if (code === 0) {
          summary.checkAccepted++;
          bumpSequences(w, chain, p.bytes);
        } else summary.checkRefused++;
        if (code === 0 || from.chance(300)) txs.push(p);
      };
      for (const p of planned) mempool(p, rng);
      for (let k = options.exchangeTraffic ? exchangeRng.int(3) : 0; k > 0; k--) {
        const hostile = exchangeRng.chance(hostileRate);
        const kind = exchangeRng.weighted(ExchangeWeights);
        const gen = Generators[kind](exchangeWorld, hostile);
        if (!gen) continue;
        const built = buildPlanned(exchangeWorld, chain, gen.signers, gen.msgs, hostile);
        mempool({ kind: built.twist ? `${kind}+${built.twist}` : kind, bytes: built.bytes, hostile }, exchangeRng);
      }
      for (let k = options.miningTraffic ? miningRng.int(3) : 0; k > 0; k--) {
        const hostile = miningRng.chance(hostileRate);
        const kind = miningRng.weighted(MiningWeights);
        const gen = Generators[kind](miningWorld, hostile);
        if (!gen) continue;
        const built = buildPlanned(miningWorld, chain, gen.signers, gen.msgs, hostile);
        mempool({ kind: built.twist ? `${kind}+${built.twist}` : kind, bytes: built.bytes, hostile }, miningRng);
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
      randomQueries(w, rng, untracedQueryRng, summary);
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
  "+undecodable-msg", "+missing-signature", "+extra-signature", "+timeout-passed", "raw:", "MsgRecvQcp+forged", "MsgRecvQcp+tree", "MsgRecvQcp+proof", "MsgRecvQcp+height",
  "MsgRecvQcp+unverified", "MsgRecvQcp+header",
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

/** The query paths whose random queries go into the trace: the router's paths when the golden traces were
 *  recorded, frozen, so that a module adding a query path does not move every golden trace. */
const TracedQueryPaths: readonly string[] = [
  Method.cosmos.auth.v1beta1.Query.Account, Method.cosmos.auth.v1beta1.Query.Params,
  Method.cosmos.bank.v1beta1.Query.AllBalances, Method.cosmos.bank.v1beta1.Query.Balance,
  Method.cosmos.bank.v1beta1.Query.SupplyOf, Method.cosmos.bank.v1beta1.Query.TotalSupply,
  Method.cosmos.tx.v1beta1.Service.Simulate, Method.qos.approve.v1.Query.Approve, Method.qos.approve.v1.Query.Approves,
  Method.qos.bank.v1.Query.Account, Method.qos.bank.v1.Query.Supply, Method.qos.bank.v1.Query.SupplyOf,
  Method.qos.distribution.v1.Query.CommunityPool, Method.qos.distribution.v1.Query.Params,
  Method.qos.distribution.v1.Query.PendingRewards, Method.qos.distribution.v1.Query.Validator,
  Method.qos.exchange.v1.Query.AveragePrice, Method.qos.exchange.v1.Query.Pool, Method.qos.exchange.v1.Query.Pools,
  Method.qos.exchange.v1.Query.Quote, Method.qos.exchange.v1.Query.Shares, Method.qos.gov.v1.Query.Deposits,
  Method.qos.gov.v1.Query.Params, Method.qos.gov.v1.Query.Proposal, Method.qos.gov.v1.Query.Proposals,
  Method.qos.gov.v1.Query.Tally, Method.qos.gov.v1.Query.Upgrade, Method.qos.gov.v1.Query.Votes,
  Method.qos.guardian.v1.Query.Guardian, Method.qos.guardian.v1.Query.Guardians, Method.qos.guardian.v1.Query.Halt,
  Method.qos.mint.v1.Query.Applied, Method.qos.mint.v1.Query.Params, Method.qos.mint.v1.Query.Phases,
  Method.qos.params.v1.Query.Params, Method.qos.qcp.v1.Query.Chains, Method.qos.qcp.v1.Query.Client,
  Method.qos.qcp.v1.Query.ConsensusState, Method.qos.qcp.v1.Query.DenomTrace, Method.qos.qcp.v1.Query.Entry,
  Method.qos.qcp.v1.Query.InterchainAccount, Method.qos.qcp.v1.Query.Result, Method.qos.qcp.v1.Query.Sequences,
  Method.qos.qcp.v1.Query.Substitutes, Method.qos.qsc.v1.Query.Balance, Method.qos.qsc.v1.Query.Frozen,
  Method.qos.qsc.v1.Query.Token, Method.qos.qsc.v1.Query.Tokens, Method.qos.stake.v1.Query.Delegation,
  Method.qos.stake.v1.Query.DelegatorDelegations, Method.qos.stake.v1.Query.KeepAlive,
  Method.qos.stake.v1.Query.Params, Method.qos.stake.v1.Query.Unbondings, Method.qos.stake.v1.Query.Validator,
  Method.qos.stake.v1.Query.ValidatorDelegations, Method.qos.stake.v1.Query.Validators,
];

/** A few queries with random or empty request bytes on random paths and heights: the app must answer each
 *  with a code (Query never throws out of the ABCI server). The traced ones draw from the run's generator;
 *  paths added since TracedQueryPaths are queried too, from a stream of their own and outside the trace. */
function randomQueries(w: World, rng: Rng, untracedRng: Rng, summary: SimSummary): void {
  for (let i = rng.int(4); i > 0; i--) {
    const path = rng.chance(950) ? rng.pick(TracedQueryPaths) : rng.pick(["", "/", "/store/key", "/nosuch.Query/X", "x".repeat(300)]);
    answerOrFail(w, w.chain.query.bind(w.chain), path, rng, summary);
  }
  const untracedPaths = w.chain.app.router.queryPaths.filter((path) => !TracedQueryPaths.includes(path));
  if (untracedPaths.length === 0) return;
  for (let i = untracedRng.int(4); i > 0; i--) {
    answerOrFail(w, w.chain.app.query.bind(w.chain.app), untracedRng.pick(untracedPaths), untracedRng, summary);
  }
}

function answerOrFail(w: World, query: SimChain["query"], path: string, rng: Rng, summary: SimSummary): void {
  const data = rng.chance(300) ? new Uint8Array() : rng.bytes(rng.range(1, 64));
  const height = BigInt(rng.pick([0, 0, 0, w.chain.height, w.chain.height - 1, w.chain.height + 5, -1]));
  let res;
  try {
    res = query({ path, data, height, prove: rng.chance(200) });
  } catch (e) {
    throw new SimFailure("Query threw", w.chain.height, `${path}: ${(e as Error).stack ?? e}`);
  }
  if (res.code === 0) summary.queries.answered++;
  else summary.queries.refused++;
}

/** the cosmos.* aliases (D13) run the qos handlers generated above; not sent, so the golden traces stay as
 *  recorded (test/unit/cosmos-aliases.test.ts proves each alias leaves the state of its qos message) */
const AliasTypes: readonly string[] = [
  TypeUrl.cosmos.staking.v1beta1.MsgDelegate, TypeUrl.cosmos.staking.v1beta1.MsgUndelegate, TypeUrl.cosmos.staking.v1beta1.MsgBeginRedelegate,
  TypeUrl.cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward, TypeUrl.cosmos.gov.v1beta1.MsgVote, TypeUrl.cosmos.gov.v1.MsgVote,
];

// ---- QCP: the relayer and the counterpart chain ----

/** what the sim relayer sends (no random generator: see relayToChain and peerBlock) */
const RelayerTypes: readonly string[] = [Urls.MsgRecvQcp, Urls.MsgCreateClient, Urls.MsgUpdateClient, Urls.MsgSubmitMisbehaviour];
/** not generated: a substitute client is refused unless the chain's client is frozen or expired, which the
 *  simulation's relayer keeps from happening (recovery is tested in test/unit/qcp-recover.test.ts) */
const NotSimulated: readonly string[] = [Urls.MsgCreateSubstitute];

function qcpQuery<T>(chain: SimChain, path: string, data: Uint8Array, decode: (b: Uint8Array) => T, height = 0): T {
  const res = chain.app.query({ path, data, height: BigInt(height), prove: false });
  if (res.code !== 0) throw new SimFailure("query failed", chain.height, `${chain.chainId} ${path}: ${res.log}`);
  return decode(res.value);
}

function sequences(chain: SimChain, other: string, height = 0) {
  return qcpQuery(chain, Paths.Sequences, QuerySequencesRequest.encode({ chainId: other }).finish(), QuerySequencesResponse.decode, height);
}

/** MsgRecvQcp for entry `seq` of `src`'s outbox toward `dst`, proven at header `proofHeight` (the proof of
 *  the state after block proofHeight - 1, the root that header carries). */
export function recvMsg(src: SimChain, dst: string, seq: bigint, relayer: SimAccount, proofHeight: number): Msg {
  const { entry, key } = qcpQuery(src, Paths.Entry, QueryEntryRequest.encode({ chainId: dst, sequence: seq }).finish(), QueryEntryResponse.decode, proofHeight - 1);
  const proof = src.app.query({ path: "/store/key", data: key, height: BigInt(proofHeight - 1), prove: true });
  if (proof.code !== 0 || !proof.proofOps) throw new SimFailure("proof query failed", src.height, proof.log);
  return { typeUrl: Urls.MsgRecvQcp, value: { relayer: relayer.address, entry, proofHeight: BigInt(proofHeight), proof: proof.proofOps.ops[0].data } };
}

/** MsgCreateClient on `dstId` trusting `src`'s header `height`, certified by the QCP root CA `ca`. */
export function createClientMsg(src: SimChain, dstId: string, creator: SimAccount, ca: CaKeyPair, height: number): Msg {
  const block = lightBlock(src, height);
  const certificate = issueCertificate(ca, {
    qcp: { chainId: dstId, qcpChain: src.chainId, relayerPublicKey: new Uint8Array(), trustedHeaderHash: headerHash(block.signedHeader.header) },
    notBefore: GenesisSeconds - 10n, notAfter: GenesisSeconds + 100_000_000n,
  });
  return { typeUrl: Urls.MsgCreateClient, value: { creator: creator.address, certificate, signedHeader: block.signedHeader, validatorSet: protoValidatorSet(block.validatorSet) } };
}

/**
 * What an honest relayer sends to deliver `seqs` of `src`'s outbox to `dst`: MsgUpdateClients taking dst's
 * client of src to src's latest header H (one skip, or the halving path when the set changed too much),
 * then the MsgRecvQcps proven at H. Only entries written before H are provable; undefined when dst has no
 * usable client of src. `nowSeconds`: dst's block time the messages will run at (default: the earliest next).
 */
export function deliveryMsgs(src: SimChain, dst: SimChain, seqs: readonly bigint[], relayer: SimAccount, nowSeconds = dst.lastTime + 1n): Msg[] | undefined {
  const client = dst.app.keepers.qcp.getClient(dst.app.store.latest.reader, src.chainId);
  if (!client || client.frozenHeight !== 0n || !canProve(src)) return undefined;
  const target = src.height;
  let trusted = Number(client.latestHeight);
  const path = updatePath(src, trusted, target, {
    trustingPeriod: client.trustingPeriodSeconds * 1_000_000_000n, maxClockDrift: client.maxClockDriftSeconds * 1_000_000_000n,
    trustLevel: { numerator: client.trustLevelNumerator, denominator: client.trustLevelDenominator }, nowSeconds,
  });
  const updates = path.map((h) => {
    const m = { typeUrl: Urls.MsgUpdateClient, value: { signer: relayer.address, chainId: src.chainId, header: clientHeader(src, h, trusted) } };
    trusted = h;
    return m;
  });
  return [...updates, ...seqs.map((seq) => recvMsg(src, dst.chainId, seq, relayer, target))];
}

/** whether `src` can prove its state after the block before its latest (right after a node restart it
 *  keeps only the latest version: a relayer then waits one block) */
const canProve = (src: SimChain) => src.height > src.initialHeight && src.app.store.at(src.height - 1) !== undefined;

/** entries of `src` toward `dst` provable at src's latest header: those written before it */
const provable = (src: SimChain, dst: string) => (canProve(src) ? sequences(src, dst, src.height - 1).outSequence : 0n);

/** a relayer's tx: more gas than a user's (client updates verify a commit per header) */
const relayerSpec = (w: World, chain: SimChain, signer: SimAccount, msgs: Msg[]): TxSpec => ({
  ...w.spec(chain, [signer], msgs), gas: 4_000_000n, fee: [{ denom: "uqos", amount: "100000" }],
});

/** The relayer's deliveries from the peer to the chain under test (honest, and sometimes hostile). */
function relayToChain(w: World, rng: Rng, hostile: boolean): Array<{ kind: string; bytes: Uint8Array; hostile: boolean }> {
  if (!rng.chance(400) || w.chain.height < w.chain.initialHeight) return [];
  const delivered = sequences(w.chain, PeerChainId).inSequence;
  const available = provable(w.peer, ChainId);
  const out: Array<{ kind: string; bytes: Uint8Array; hostile: boolean }> = [];
  /** the first sequence the honest tx leaves undelivered */
  let next = delivered + 1n;
  if (available > delivered) {
    const count = Math.min(Number(available - delivered), rng.range(1, 3));
    next += BigInt(count);
    const msgs = deliveryMsgs(w.peer, w.chain, Array.from({ length: count }, (_, i) => delivered + 1n + BigInt(i)), w.relayer);
    if (msgs) out.push({ kind: Urls.MsgRecvQcp, bytes: buildTx(w.chain.app.router, relayerSpec(w, w.chain, w.relayer, msgs)), hostile: false });
  }
  if (hostile && available >= 1n && rng.chance(300)) {
    // hostile deliveries: a replay or gap, a forged entry, the relayer's own tree, a junk proof, a stranger
    // relaying (allowed), impossible or unverified proof heights, a header the relayer signed itself
    const twist = rng.pick(["as-is", "forged", "tree", "proof", "stranger", "height", "unverified", "header"] as const);
    // the next undelivered entry when there is one (so the twist meets the proof checks, not the sequence's)
    const seq = twist !== "as-is" && next <= available ? next : BigInt(rng.range(1, Number(available)));
    const target = w.peer.height;
    const m = recvMsg(w.peer, ChainId, seq, w.relayer, target);
    const v = m.value as { relayer: string; entry: Uint8Array; proof: Uint8Array; proofHeight: bigint };
    let signer = w.forger;
    v.relayer = signer.address;
    const msgs: Msg[] = [m];
    if (twist === "forged") {
      const e = OutboxEntry.decode(v.entry);
      e.payload = rng.bytes(e.payload.length || 8);
      v.entry = OutboxEntry.encode(e).finish();
    } else if (twist === "tree" || twist === "header") {
      // an entry minting PEERX vouchers to a user, in a one-leaf tree of the relayer's making
      const e = OutboxEntry.decode(v.entry);
      const forged = OutboxEntry.encode({ ...e, sequence: seq, height: 1n, isResult: false, payloadType: Urls.TransferPayload,
        payload: TransferPayload.encode({ sender: w.forger.address, receiver: w.forger.address, denom: "PEERX", amount: "1000000000000", returning: false }).finish() }).finish();
      const key = outboxKey(ChainId, seq);
      const tree = smtBuild([[key, forged]]);
      v.entry = forged;
      v.proof = encodeProof(proveKey(tree, key));
      if (twist === "header") {
        // ...and a header at the next height carrying that root, signed by keys the relayer holds
        v.proofHeight = BigInt(target + 1);
        msgs.unshift({ typeUrl: Urls.MsgUpdateClient, value: { signer: signer.address, chainId: PeerChainId, header: forgedHeader(w, target + 1, rootHash(tree)) } });
      }
    } else if (twist === "proof") v.proof = rng.bytes(rng.range(1, 200));
    else if (twist === "stranger") { signer = w.user(); v.relayer = signer.address; }
    else if (twist === "height") v.proofHeight = BigInt(rng.pick([0, -1, 1_000_000]));
    else if (twist === "unverified") v.proofHeight = BigInt(target + 1);
    out.push({ kind: `${Urls.MsgRecvQcp}+${twist}`, bytes: buildTx(w.chain.app.router, relayerSpec(w, w.chain, signer, msgs)), hostile: true });
  }
  return out;
}

/** A peer header at `height` with app hash `appHash`, signed by a set of the forger's own keys, claimed to
 *  follow the client's latest state (the real trusted set is given: none of it signed). */
function forgedHeader(w: World, height: number, appHash: Uint8Array) {
  const client = w.chain.app.keepers.qcp.getClient(w.reader, PeerChainId)!;
  const trusted = Number(client.latestHeight);
  const forgers = [0, 1, 2].map((i) => ({ key: key(`sim-forger-${i}`), power: 10n }));
  const block = makeBlock({ height: BigInt(height), chainId: PeerChainId, members: forgers, nextMembers: forgers, time: { seconds: w.chain.lastTime, nanos: 0 }, appHash });
  return {
    signedHeader: block.signedHeader, validatorSet: protoValidatorSet(block.validatorSet),
    trustedHeight: BigInt(trusted), trustedValidators: protoValidatorSet(validatorSetAt(w.peer, trusted + 1)),
  };
}

/** One block of the counterpart chain: its users send toward the chain under test, the relayer creates the
 *  peer's client of the chain under test (first time) and delivers the chain's entries there. */
async function peerBlock(w: World, rng: Rng, summary: SimSummary): Promise<void> {
  const peer = w.peer;
  const txs: Uint8Array[] = [];
  const submit = (signer: SimAccount, msgs: Msg[], relayer = false) => {
    const r = w.submit(peer, relayer ? relayerSpec(w, peer, signer, msgs) : w.spec(peer, [signer], msgs));
    txs.push(r.bytes);
  };
  for (let i = rng.int(3); i > 0; i--) {
    const sender = w.user();
    const denom = rng.pick(["PEERX", "PEERX", "uqos"]);
    submit(sender, [{ typeUrl: Urls.MsgTransfer, value: { sender: sender.address, toChain: ChainId, receiver: w.user().address, denom, amount: String(rng.range(1, 100_000)) } }]);
  }
  // header times strictly increase (a light client refuses a header not after the one it trusts)
  const time = w.chain.lastTime > peer.lastTime ? w.chain.lastTime : peer.lastTime + 1n;
  const delivered = sequences(peer, ChainId).inSequence;
  const available = provable(w.chain, PeerChainId);
  if (!peer.app.keepers.qcp.getClient(peer.app.store.latest.reader, ChainId)) {
    if (w.chain.height >= w.chain.initialHeight) submit(w.relayer, [createClientMsg(w.chain, PeerChainId, w.relayer, w.qcpCa, w.chain.height)], true);
  } else if (available > delivered) {
    const count = Math.min(Number(available - delivered), rng.range(1, 4));
    const msgs = deliveryMsgs(w.chain, peer, Array.from({ length: count }, (_, i) => delivered + 1n + BigInt(i)), w.relayer, time);
    if (msgs) submit(w.relayer, msgs, true);
  }
  w.resetSequences();
  await peer.block({ txs, timeSeconds: time, proposer: consAddress(consensusKey("peer-0")) });
  summary.peerBlocks++;
}
