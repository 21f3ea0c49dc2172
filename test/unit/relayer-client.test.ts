// The relayer's light-client work (cmd/relayer/client.ts, route.ts) over headers recorded from real
// CometBFT networks (test/fixtures/light/), served by a fake RPC: the update path to a newer header
// (adjacent, skipping, bisection across validator-set changes, trusting the set at trusted height + 1
// as the on-chain client does), refusals, and misbehaviour from the forked recordings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { ChainClient, registry } from "../../cmd/relayer/chain.js";
import { clientView, headroomSeconds, misbehaviourMsgs, timestampOf, updateMsg, updatePath } from "../../cmd/relayer/client.js";
import { ConfigSchema } from "../../cmd/relayer/config.js";
import { prometheus, Route } from "../../cmd/relayer/route.js";
import { headerHash, lightBlockFromRpc, type LightBlock } from "../../app/light/index.js";
import {
  QueryClientRequest, QueryClientResponse, QueryConsensusStateRequest, QueryConsensusStateResponse, QuerySequencesResponse, QuerySubstitutesRequest,
  QuerySubstitutesResponse, type SubstituteInfo,
} from "../../gen/qos/qcp/v1/query.js";
import { MsgCreateSubstitute, MsgSubmitMisbehaviour, MsgUpdateClient } from "../../gen/qos/qcp/v1/tx.js";
import { ConsensusState } from "../../gen/qos/qcp/v1/types.js";
import { Method, TypeUrl } from "../../gen/names.js";

interface Recorded { chain_id: string; heights: { height: string; commit: { signed_header: { header: { time: string } } }; validators: { validators: unknown[] } }[] }
const load = (name: string): Recorded => JSON.parse(readFileSync(join(repoRoot, "test/fixtures/light", name), "utf8"));
const hexU = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();
const key = { private_key_hex: "11".repeat(32) };
const S = 1_000_000_000n;
const opts = { trustingPeriod: 14n * 86_400n * S, maxClockDrift: 10n * S, trustLevel: { numerator: 1n, denominator: 3n } };

/** A chain served from a recording (source) and/or holding a client (destination); records broadcasts. */
class FakeChain extends ChainClient {
  readonly sent: EncodeObject[][] = [];
  client_?: QueryClientResponse;
  substitutes_: SubstituteInfo[] = [];
  consensus = new Map<bigint, ConsensusState>();
  txs: Uint8Array[] = [];
  readonly searches: string[] = [];
  constructor(id: string, private readonly recording?: Recorded) {
    super({ id, rpc: "http://127.0.0.1:1", key, gas_price: "0.025uqos" });
  }
  override async rpc<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const record = () => {
      const r = this.recording?.heights.find((h) => h.height === params.height);
      if (!r) throw new Error(`${this.id} ${method}: no height ${params.height}`);
      return r;
    };
    const query = (code: number, value?: Uint8Array) => ({ response: { code, codespace: code ? "qcp" : "", log: code ? "not found" : "", value: value ? Buffer.from(value).toString("base64") : null, height: "9" } });
    switch (method) {
      case "status":
        return { sync_info: { latest_block_height: this.recording!.heights.at(-1)!.height } } as T;
      case "commit":
        return record().commit as T;
      case "validators": {
        const all = record().validators.validators;
        return { validators: params.page === "1" ? all : [], total: String(all.length) } as T;
      }
      case "tx_search":
        this.searches.push(params.query as string);
        return { txs: this.txs.map((tx) => ({ tx: Buffer.from(tx).toString("base64") })) } as T;
      case "abci_query": {
        const data = Buffer.from(params.data as string, "hex");
        if (params.path === Method.qos.qcp.v1.Query.Sequences) return query(0, QuerySequencesResponse.encode({ outSequence: 0n, inSequence: 0n }).finish()) as T;
        if (params.path === Method.qos.qcp.v1.Query.Client) {
          assert.equal(QueryClientRequest.decode(data).chainId, this.client_?.clientState?.chainId ?? "qos-light-fork-1");
          return (this.client_ ? query(0, QueryClientResponse.encode(this.client_).finish()) : query(22)) as T;
        }
        if (params.path === Method.qos.qcp.v1.Query.Substitutes) {
          assert.equal(QuerySubstitutesRequest.decode(data).chainId, this.client_?.clientState?.chainId);
          return query(0, QuerySubstitutesResponse.encode({ substitutes: this.substitutes_ }).finish()) as T;
        }
        if (params.path === Method.qos.qcp.v1.Query.ConsensusState) {
          const { height } = QueryConsensusStateRequest.decode(data);
          const state = this.consensus.get(height);
          return (state ? query(0, QueryConsensusStateResponse.encode({ height, consensusState: state }).finish()) : query(25)) as T;
        }
        throw new Error(`unexpected query ${params.path}`);
      }
    }
    throw new Error(`unexpected rpc ${method}`);
  }
  /** the sequences the txs were signed with (a round signs its txs with consecutive ones) */
  readonly signedSequences: bigint[] = [];
  override async account(): Promise<{ address: string; accountNumber: bigint; sequence: bigint }> {
    return { address: "relayer", accountNumber: 3n, sequence: 7n };
  }
  override async signAndBroadcast(msgs: EncodeObject[], _gas: bigint, account?: { accountNumber: bigint; sequence: bigint }): Promise<{ code: number; log: string; hash: string }> {
    this.sent.push(msgs);
    this.signedSequences.push(account?.sequence ?? -1n);
    return { code: 0, log: "", hash: "AB" };
  }
  override async waitForTx(): Promise<{ code: number; codespace: string; log: string; height: number }> {
    return { code: 0, codespace: "", log: "", height: 42 };
  }
}

const main = new FakeChain("qos-light-1", load("qos-light-1.json"));
const at = (c: FakeChain, h: bigint): Promise<LightBlock> => c.lightBlock(h);
const nowAfter = async (c: FakeChain, h: bigint) => timestampOf(Number((await at(c, h)).signedHeader.header.time.seconds + 60n) * 1000);
const heights = (steps: { block: LightBlock; trustedHeight: bigint }[]) => steps.map((s) => [s.trustedHeight, s.block.signedHeader.header.height]);

test("relayer client: one skip 1 -> 22, bisection 1 -> 15 -> 29 across the recorded set changes, adjacent 6 -> 7", async () => {
  const now = await nowAfter(main, 29n);
  const from = async (h: bigint) => (await at(main, h)).signedHeader;
  assert.deepEqual(heights(await updatePath(main, await from(1n), await at(main, 22n), opts, now)), [[1n, 22n]]);
  // 1 -> 29: of the trusted next set (genesis, 40) only node0 (10) signs 29; halfway, 15 is signed by 30 of 40,
  // and 15's next set (110) signs 29 with 90
  const bisected = await updatePath(main, await from(1n), await at(main, 29n), opts, now);
  assert.deepEqual(heights(bisected), [[1n, 15n], [15n, 29n]]);
  assert.deepEqual(bisected.map((s) => s.trustedValidators.validators.map((v) => v.votingPower)), [[10n, 10n, 10n, 10n], [50n, 40n, 10n, 10n]]);
  assert.deepEqual(heights(await updatePath(main, await from(6n), await at(main, 7n), opts, now)), [[6n, 7n]]);
});

test("relayer client: from 6 the client trusts the set of 7 (node4 joined), so 6 -> 29 is one skip (60 of 90), where the set of 6 would give 10 of 40", async () => {
  const now = await nowAfter(main, 29n);
  const steps = await updatePath(main, (await at(main, 6n)).signedHeader, await at(main, 29n), opts, now);
  assert.deepEqual(heights(steps), [[6n, 29n]]);
  assert.deepEqual(steps[0].trustedValidators.validators.map((v) => v.votingPower), [50n, 10n, 10n, 10n, 10n]);
  // the message carries the header, its own set and the trusted set, as the on-chain client reads them
  const msg = updateMsg("qos1signer", "qos-light-1", steps[0]).value as MsgUpdateClient;
  const decoded = MsgUpdateClient.decode(MsgUpdateClient.encode(msg).finish());
  assert.equal(decoded.chainId, "qos-light-1");
  assert.equal(decoded.header!.trustedHeight, 6n);
  assert.equal(hexU(headerHash(decoded.header!.signedHeader!.header! as never)), hexU((await at(main, 29n)).signedHeader.commit.blockId.hash));
  assert.deepEqual(decoded.header!.validatorSet!.validators.map((v) => v.votingPower), [50n, 40n]);
  assert.equal(decoded.header!.trustedValidators!.totalVotingPower, 90n);
});

test("relayer client: another chain's header, an expired trusted header and a header from the future are refused before anything is sent", async () => {
  const other = new FakeChain("qos-light-other-1", load("qos-light-other-1.json"));
  const now = await nowAfter(main, 29n);
  await assert.rejects(updatePath(main, (await at(main, 1n)).signedHeader, await at(other, 3n), opts, now), { name: "LightClientError", reason: "wrong_chain_id" } as never);
  const later = { seconds: now.seconds + 15n * 86_400n, nanos: 0 };
  await assert.rejects(updatePath(main, (await at(main, 1n)).signedHeader, await at(main, 22n), opts, later), { reason: "trust_expired" } as never);
  const before = timestampOf(Number((await at(main, 1n)).signedHeader.header.time.seconds) * 1000);
  await assert.rejects(updatePath(main, (await at(main, 1n)).signedHeader, await at(main, 22n), opts, before), { reason: "header_from_future" } as never);
});

// the fork: A and B share header 1; the destination's client was updated to B's header 5 (from 1)
const forkA = () => new FakeChain("qos-light-fork-1", load("qos-light-fork-a.json"));
const forkB = new FakeChain("qos-light-fork-1", load("qos-light-fork-b.json"));
const stored = (b: LightBlock) => ConsensusState.fromPartial({ timestamp: b.signedHeader.header.time, appHash: b.signedHeader.header.appHash, nextValidatorsHash: b.signedHeader.header.nextValidatorsHash, headerHash: headerHash(b.signedHeader.header) });
async function forkedDestination(withTx: boolean): Promise<FakeChain> {
  const dst = new FakeChain("qos-dst");
  const one = await at(forkB, 1n), b5 = await at(forkB, 5n);
  dst.consensus.set(1n, stored(one)).set(5n, stored(b5));
  dst.client_ = {
    clientState: { chainId: "qos-light-fork-1", trustLevelNumerator: 1n, trustLevelDenominator: 3n, trustingPeriodSeconds: 14n * 86_400n, maxClockDriftSeconds: 10n, latestHeight: 5n, frozenHeight: 0n },
    status: "active",
    latestConsensusState: stored(b5),
  };
  if (withTx) {
    const [step] = await updatePath(forkB, one.signedHeader, b5, opts, await nowAfter(forkB, 8n));
    const bodyBytes = registry.encode({ typeUrl: TypeUrl.cosmos.tx.v1beta1.TxBody, value: { messages: [updateMsg("qos1forger", "qos-light-fork-1", step)] } });
    dst.txs = [TxRaw.encode({ bodyBytes, authInfoBytes: new Uint8Array(), signatures: [] }).finish()];
  }
  return dst;
}

test("relayer misbehaviour: the source (fork A) contradicts the client's header 5 (fork B): MsgSubmitMisbehaviour with A's 5 from 1 and the stored B's 5", async () => {
  const src = forkA();
  const dst = await forkedDestination(true);
  const view = clientView(dst.client_!);
  const msgs = await misbehaviourMsgs(src, dst, "qos1honest", view, 5n, view.latest!, await nowAfter(src, 8n));
  assert.deepEqual(msgs.map((m) => m.typeUrl), [TypeUrl.qos.qcp.v1.MsgSubmitMisbehaviour]);
  assert.deepEqual(dst.searches, ["qcp_client_updated.chain='qos-light-fork-1' AND qcp_client_updated.height=5"], "the update that wrote height 5, by the client's event");
  const m = msgs[0].value as MsgSubmitMisbehaviour;
  assert.equal(m.chainId, "qos-light-fork-1");
  assert.equal(m.header1!.trustedHeight, 1n);
  assert.equal(m.header2!.trustedHeight, 1n);
  assert.equal(hexU(headerHash(m.header1!.signedHeader!.header! as never)), hexU((await at(src, 5n)).signedHeader.commit.blockId.hash));
  assert.equal(hexU(headerHash(m.header2!.signedHeader!.header! as never)), hexU((await at(forkB, 5n)).signedHeader.commit.blockId.hash));
  assert.notEqual(hexU(headerHash(m.header1!.signedHeader!.header! as never)), hexU(headerHash(m.header2!.signedHeader!.header! as never)));
});

test("relayer misbehaviour: without the stored header's tx, an update with A's header 5 (from the agreed consensus state 1) freezes the client", async () => {
  const src = forkA();
  const dst = await forkedDestination(false);
  const view = clientView(dst.client_!);
  const msgs = await misbehaviourMsgs(src, dst, "qos1honest", view, 5n, view.latest!, await nowAfter(src, 8n));
  assert.deepEqual(msgs.map((m) => m.typeUrl), [TypeUrl.qos.qcp.v1.MsgUpdateClient]);
  const header = (msgs[0].value as MsgUpdateClient).header!;
  assert.equal(header.trustedHeight, 1n);
  assert.equal(hexU(headerHash(header.signedHeader!.header! as never)), hexU((await at(src, 5n)).signedHeader.commit.blockId.hash));
});

test("relayer round: a conflicting client header is reported as misbehaviour, nothing is delivered; metrics show the client", async () => {
  const src = forkA();
  const dst = await forkedDestination(true);
  const config = ConfigSchema.parse({
    chains: [{ id: src.id, rpc: "http://127.0.0.1:1", key }, { id: dst.id, rpc: "http://127.0.0.1:1", key }],
    routes: [{ from: src.id, to: dst.id }],
  });
  const lines: string[] = [];
  const route = new Route(src, dst, config, (l) => lines.push(l));
  const roundStartMs = Date.now();
  const progressed = await (route as unknown as { round(): Promise<boolean> }).round();
  const roundEndMs = Date.now();
  assert.equal(progressed, false);
  assert.equal(dst.sent.length, 1);
  assert.deepEqual(dst.sent[0].map((m) => m.typeUrl), [TypeUrl.qos.qcp.v1.MsgSubmitMisbehaviour]);
  assert.match(lines.join("\n"), /CONFLICT: qos-dst's client of qos-light-fork-1 stores header [0-9A-F]{64} at 5/);
  assert.equal(route.metrics.misbehaviour, 1);
  assert.equal(route.metrics.clientHeight, 5n);
  const text = prometheus([route]);
  assert.match(text, /qcp_relayer_client_height\{route="qos-light-fork-1->qos-dst"\} 5\n/);
  assert.match(text, /qcp_relayer_misbehaviour_total\{route="qos-light-fork-1->qos-dst"\} 1\n/);
  assert.match(text, /qcp_relayer_client_updates_total\{route="qos-light-fork-1->qos-dst"\} 0\n/);
  // The headroom is wall-clock (an operator's gauge, not state): the round read the clock between these two
  // instants, so the exported value is the headroom at one of them or at a second in between — on a loaded
  // machine the round may take several seconds.
  const exported = Number(/qcp_relayer_client_headroom_seconds\{route="qos-light-fork-1->qos-dst"\} (-?\d+)\n/.exec(text)?.[1]);
  assert.equal(exported, route.metrics.clientHeadroomSeconds);
  const view = clientView(dst.client_!);
  assert.ok(
    exported >= headroomSeconds(view, roundEndMs) && exported <= headroomSeconds(view, roundStartMs),
    `headroom ${exported} s not between ${headroomSeconds(view, roundEndMs)} and ${headroomSeconds(view, roundStartMs)}`,
  );
  // a frozen client: the round only reports it
  dst.client_ = { ...dst.client_!, status: "frozen", clientState: { ...dst.client_!.clientState!, frozenHeight: 5n } };
  assert.equal(await (route as unknown as { round(): Promise<boolean> }).round(), false);
  assert.equal(dst.sent.length, 1);
  assert.match(lines.at(-1)!, /is frozen \(misbehaviour at 5\)/);
});

test("relayer round: a destination without a client of the source waits", async () => {
  const dst = new FakeChain("qos-dst");
  const lines: string[] = [];
  const config = ConfigSchema.parse({ chains: [{ id: "qos-light-fork-1", rpc: "http://127.0.0.1:1", key }, { id: dst.id, rpc: "http://127.0.0.1:1", key }], routes: [{ from: "qos-light-fork-1", to: dst.id }] });
  const route = new Route(forkA(), dst, config, (l) => lines.push(l));
  assert.equal(await (route as unknown as { round(): Promise<boolean> }).round(), false);
  assert.match(lines[0], /qos-dst has no light client of qos-light-fork-1/);
  assert.equal(dst.sent.length, 0);
});

test("relayer round: nothing to deliver but a third of the trusting period left: the client is updated 1 -> 15 -> 29 (bisection), alone in one tx", async () => {
  const dst = new FakeChain("qos-dst");
  const one = await at(main, 1n);
  const age = BigInt(Math.floor(Date.now() / 1000)) - one.signedHeader.header.time.seconds;
  dst.client_ = {
    clientState: { chainId: main.id, trustLevelNumerator: 1n, trustLevelDenominator: 3n, trustingPeriodSeconds: age + age / 4n, maxClockDriftSeconds: 10n, latestHeight: 1n, frozenHeight: 0n },
    status: "active",
    latestConsensusState: stored(one),
  };
  const config = ConfigSchema.parse({ chains: [{ id: main.id, rpc: "http://127.0.0.1:1", key }, { id: dst.id, rpc: "http://127.0.0.1:1", key }], routes: [{ from: main.id, to: dst.id }] });
  const lines: string[] = [];
  const route = new Route(main, dst, config, (l) => lines.push(l));
  assert.equal(await (route as unknown as { round(): Promise<boolean> }).round(), false, "nothing delivered");
  assert.equal(dst.sent.length, 1);
  assert.deepEqual(dst.signedSequences, [7n], "signed with the account's sequence");
  assert.deepEqual(dst.sent[0].map((m) => [m.typeUrl, (m.value as MsgUpdateClient).header!.trustedHeight, (m.value as MsgUpdateClient).header!.signedHeader!.header!.height]),
    [[TypeUrl.qos.qcp.v1.MsgUpdateClient, 1n, 15n], [TypeUrl.qos.qcp.v1.MsgUpdateClient, 15n, 29n]]);
  assert.equal(route.metrics.updates, 2);
  assert.equal(route.metrics.clientHeight, 29n);
  assert.match(lines.join("\n"), /client update to 29 at qos-dst height 42, proven at qos-light-1 header 29 \(client 1 -> 29 in 2 updates\)/);
  // with the period's last third not reached, an idle route sends nothing
  dst.client_ = { ...dst.client_, clientState: { ...dst.client_.clientState!, trustingPeriodSeconds: age * 3n + 86_400n } };
  await (route as unknown as { round(): Promise<boolean> }).round();
  assert.equal(dst.sent.length, 1);
});

test("relayer round, frozen client: the substitute whose header is the source's own is updated 1 -> 15 -> 29 (substitute_id 1), another's is left alone; with none, 'create' creates one of the latest header", async () => {
  const dst = new FakeChain("qos-dst");
  const one = await at(main, 1n);
  const age = BigInt(Math.floor(Date.now() / 1000)) - one.signedHeader.header.time.seconds;
  const clientState = { chainId: main.id, trustLevelNumerator: 1n, trustLevelDenominator: 3n, trustingPeriodSeconds: age + age / 4n, maxClockDriftSeconds: 10n, latestHeight: 1n, frozenHeight: 1n };
  dst.client_ = { clientState, status: "frozen", latestConsensusState: stored(one) };
  const forged = { ...stored(one), headerHash: new Uint8Array(32).fill(5) };
  dst.substitutes_ = [
    { substitute: { id: 1n, client: { ...clientState, frozenHeight: 0n }, creator: "someone" }, status: "active", latestConsensusState: stored(one) },
    { substitute: { id: 2n, client: { ...clientState, frozenHeight: 0n }, creator: "mallory" }, status: "active", latestConsensusState: forged },
  ];
  const chains = [{ id: main.id, rpc: "http://127.0.0.1:1", key }, { id: dst.id, rpc: "http://127.0.0.1:1", key }];
  const lines: string[] = [];
  const route = new Route(main, dst, ConfigSchema.parse({ chains, routes: [{ from: main.id, to: dst.id }] }), (l) => lines.push(l));
  assert.equal(await (route as unknown as { round(): Promise<boolean> }).round(), false, "nothing delivered");
  assert.equal(dst.sent.length, 1, "one tx: substitute 1's updates; nothing for substitute 2");
  assert.deepEqual(dst.sent[0].map((m) => {
    const u = m.value as MsgUpdateClient;
    return [m.typeUrl, u.chainId, u.substituteId, u.header!.trustedHeight, u.header!.signedHeader!.header!.height];
  }), [[TypeUrl.qos.qcp.v1.MsgUpdateClient, main.id, 1n, 1n, 15n], [TypeUrl.qos.qcp.v1.MsgUpdateClient, main.id, 1n, 15n, 29n]]);
  assert.equal(route.metrics.substituteUpdates, 2);
  assert.equal(route.metrics.updates, 0, "the client itself is not updated");
  assert.match(lines.join("\n"), /is frozen \(misbehaviour at 1\): deliveries wait for governance to recover it/);
  assert.match(lines.join("\n"), /substitute client 1 of qos-light-1 at qos-dst updated 1 -> 29/);
  assert.match(prometheus([route]), /qcp_relayer_substitute_updates_total\{route="qos-light-1->qos-dst"\} 2\n/);

  // only the forged one left: "update" (the default) sends nothing, "create" creates one of header 29
  dst.substitutes_ = dst.substitutes_.slice(1);
  assert.equal(await (route as unknown as { round(): Promise<boolean> }).round(), false);
  assert.equal(dst.sent.length, 1);
  const creating = new Route(main, dst, ConfigSchema.parse({ chains, routes: [{ from: main.id, to: dst.id }], substitute: "create" }), (l) => lines.push(l));
  await (creating as unknown as { round(): Promise<boolean> }).round();
  assert.equal(dst.sent.length, 2);
  assert.deepEqual(dst.sent[1].map((m) => m.typeUrl), [TypeUrl.qos.qcp.v1.MsgCreateSubstitute]);
  const created = dst.sent[1][0].value as MsgCreateSubstitute;
  assert.equal(created.signedHeader!.header!.height, 29n);
  assert.deepEqual(headerHash(created.signedHeader!.header as never), headerHash((await at(main, 29n)).signedHeader.header));
  assert.equal(creating.metrics.substitutesCreated, 1);
  // "off": a frozen client is only reported
  const off = new Route(main, dst, ConfigSchema.parse({ chains, routes: [{ from: main.id, to: dst.id }], substitute: "off" }), () => {});
  await (off as unknown as { round(): Promise<boolean> }).round();
  assert.equal(dst.sent.length, 2);
});
