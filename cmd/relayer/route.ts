// One route (source outbox → destination inbox). Everything it knows is re-read from the chains each
// round (destination in-sequence and account, source out-sequence, the destination's light client of
// the source), plus the txs it has in flight (pipeline.ts), so a restart or a second relayer changes
// nothing but who pays. A round: read the client (latest height L), take the source's latest header;
// if the source contradicts the header the client stored at L, submit misbehaviour instead of
// delivering; settle the txs in flight against the destination's account and inbox sequences; then
// prove the next entries (after the inbox and everything in flight) at the client's height P (L, or a
// pending update's) while the source's outbox at P − 1 holds them, else at the source's latest height
// H with the MsgUpdateClient steps P → H (client.ts) in the first tx; each entry's /store/key proof at
// proof height − 1 is checked against that header's app hash; each tx is broadcast as soon as it is
// proven, with the next account sequence, without waiting for blocks (up to max_inflight_txs). A tx
// refused by CheckTx or in its block (another relayer first: qcp codes 3/4) stops sending until what is
// in flight settles; then the round starts again from the chains.
import type { EncodeObject } from "@cosmjs/proto-signing";
import { MsgCreateSubstitute, MsgRecvQcp } from "../../gen/qos/qcp/v1/tx.js";
import { OutboxEntry } from "../../gen/qos/qcp/v1/types.js";
import { decodeProof, verifyMembership } from "../../app/state/smt.js";
import { headerHash, toProtoValidatorSet } from "../../app/light/index.js";
import { outboxKeyBytes } from "../../modules/qcp/keeper.js";
import type { AbciAnswer, ChainClient } from "./chain.js";
import { StoreKeyQueryPath } from "../../app/app.js";
import { sleep } from "./chain.js";
import {
  clientView, conflicts, headroomSeconds, misbehaviourMsgs, substituteView, timestampOf, toProtoSignedHeader, updateMsg, updatePath, type ClientView,
} from "./client.js";
import type { LightBlock } from "../../app/light/index.js";
import type { Config } from "./config.js";
import { Pipeline } from "./pipeline.js";
import { TypeUrl } from "../../gen/names.js";

export interface RouteMetrics {
  backlog: number;
  outSequence: bigint;
  inSequence: bigint;
  delivered: number;
  refused: number;
  errors: number;
  lastProgressMs: number;
  lastBatchMs: number;
  /** the destination client's latest verified source height */
  clientHeight: bigint;
  /** seconds until that client expires (its latest consensus state leaves the trusting period) */
  clientHeadroomSeconds: number;
  /** MsgUpdateClient steps this process got committed */
  updates: number;
  /** misbehaviour submissions this process got committed */
  misbehaviour: number;
  /** substitute clients this process created, and updates of them it got committed */
  substitutesCreated: number;
  substituteUpdates: number;
}

/** how often a route with txs in flight looks for their blocks */
const InFlightPollMs = 50;

export class Route {
  readonly name: string;
  readonly metrics: RouteMetrics = {
    backlog: 0, outSequence: 0n, inSequence: 0n, delivered: 0, refused: 0, errors: 0, lastProgressMs: Date.now(), lastBatchMs: 0,
    clientHeight: 0n, clientHeadroomSeconds: 0, updates: 0, misbehaviour: 0, substitutesCreated: 0, substituteUpdates: 0,
  };
  private wake?: () => void;
  /** the last waiting condition logged, so a poll every few hundred ms logs it once */
  private warned?: string;
  /** misbehaviour submissions refused so far: every other retry uses the freezing-update form */
  private misbehaviourRefusals = 0;
  private stopped = false;
  private readonly pipeline = new Pipeline();
  private unsubscribe?: () => void;

  constructor(
    readonly src: ChainClient,
    readonly dst: ChainClient,
    private readonly config: Config,
    private readonly log: (line: string) => void,
  ) {
    this.name = `${src.id}->${dst.id}`;
  }

  start(): Promise<void> {
    this.unsubscribe = this.src.subscribe(this.dst.id, () => this.wake?.(), (line) => this.log(`[${this.name}] ${line}`));
    return this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake?.();
  }

  private async loop(): Promise<void> {
    let backoff = 500;
    while (!this.stopped) {
      try {
        const progressed = await this.round();
        backoff = 500;
        // with txs in flight, look again soon: their blocks free room for the next batch
        if (!progressed) await this.idle(this.pipeline.size > 0 ? Math.min(this.config.poll_interval_ms, InFlightPollMs) : this.config.poll_interval_ms);
      } catch (e) {
        this.metrics.errors++;
        this.log(`[${this.name}] ${(e as Error).message}; retrying in ${backoff} ms`);
        await this.idle(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** One round; true if it broadcast (or saw another relayer deliver) something, so the next round runs at once. */
  private async round(): Promise<boolean> {
    const { src, dst, pipeline } = this;
    const res = await dst.client(src.id);
    if (!res?.clientState) {
      this.warn(`${dst.id} has no light client of ${src.id} (create it with MsgCreateClient or governance); waiting`);
      return false;
    }
    const view = clientView(res);
    this.metrics.clientHeight = view.latestHeight;
    this.metrics.clientHeadroomSeconds = headroomSeconds(view, Date.now());
    // ("" = the node could not tell expiry, e.g. before its first block: the chain decides)
    if (view.status === "frozen" || view.status === "expired") {
      this.warn(`the client of ${src.id} on ${dst.id} is ${view.status}${view.frozenHeight ? ` (misbehaviour at ${view.frozenHeight})` : ""}: deliveries wait for governance to recover it (qcp_recover)`);
      if (this.config.substitute !== "off") await this.keepSubstitutes(view);
      return false;
    }
    this.warned = undefined;
    const latest = BigInt(await src.latestHeight());
    // the client's latest header must be the source's: otherwise someone updated it with a forged one
    const clientBlock = view.latestHeight <= latest ? await src.lightBlock(view.latestHeight) : undefined;
    if (clientBlock && view.latest && conflicts(view.latest, clientBlock.signedHeader)) {
      // (after what is in flight has settled: the misbehaviour tx takes the account's next sequence)
      if (pipeline.size === 0) await this.submitMisbehaviour(view, view.latestHeight);
      else await this.settle();
      return false;
    }
    const { account, delivered } = await this.settle();
    if (pipeline.isDraining) return false;
    const from = pipeline.nextEntry(delivered);
    // Prove at the height the client has (or a pending update gives it) while its outbox state holds
    // the next entry and the source still keeps that state; only then update to the source's latest
    // header: one update serves every batch the entries up to it fill.
    const clientAt = pipeline.clientHeight(view.latestHeight);
    let proofHeight = clientAt;
    // (a source that no longer keeps that state answers with an error: then the latest header it is)
    let head = clientAt >= 2n ? await src.sequences(dst.id, Number(clientAt - 1n)).then((s) => s.outSequence, () => -1n) : 0n;
    if ((head < from || latest - clientAt > BigInt(this.config.max_proof_age_blocks)) && latest > clientAt) {
      proofHeight = latest;
      head = (await src.sequences(dst.id, Number(latest - 1n))).outSequence;
    }
    if (proofHeight < 2n) return false;
    this.metrics.inSequence = delivered;
    this.metrics.outSequence = head;
    this.metrics.backlog = Number(head > delivered ? head - delivered : 0n);
    if (head < from) {
      // nothing to carry: update only to keep the client from expiring (a third of its period left)
      const refresh = BigInt(this.metrics.clientHeadroomSeconds) * 3n < view.trustingPeriodSeconds;
      if (refresh && pipeline.size === 0 && proofHeight > view.latestHeight) await this.refreshClient(view, clientBlock!, proofHeight, account);
      if (pipeline.size === 0) this.metrics.lastProgressMs = Date.now();
      return false;
    }
    const room = this.config.max_inflight_txs - pipeline.size;
    if (room <= 0) return false;
    const signer = (await dst.getSigner()).address;
    const target = await src.lightBlock(proofHeight);
    const trusted = proofHeight > clientAt ? (clientAt === view.latestHeight ? clientBlock! : await src.lightBlock(clientAt)) : undefined;
    const updates = trusted
      ? (await updatePath(src, trusted.signedHeader, target, view.opts, timestampOf(Date.now()))).map((step) => updateMsg(signer, src.id, step))
      : [];
    const appHash = target.signedHeader.header.appHash;
    const proven = (seq: bigint, { value, proof }: AbciAnswer): EncodeObject => {
      const key = outboxKeyBytes(dst.id, seq);
      if (!proof) throw new Error(`${src.id} gave no proof for entry #${seq} at height ${proofHeight - 1n}`);
      if (!verifyMembership(appHash, key, value, decodeProof(proof))) {
        throw new Error(`${src.id} entry #${seq}: proof at height ${proofHeight - 1n} does not verify against the app hash of header ${proofHeight}`);
      }
      const entry = OutboxEntry.decode(value);
      if (entry.from !== src.id || entry.to !== dst.id || entry.sequence !== seq) {
        throw new Error(`${src.id} entry #${seq} says ${entry.from} -> ${entry.to} #${entry.sequence}`);
      }
      return { typeUrl: TypeUrl.qos.qcp.v1.MsgRecvQcp, value: MsgRecvQcp.fromPartial({ relayer: signer, entry: value, proofHeight, proof }) };
    };
    // The round's txs: the first carries the client updates and what room is left, the others up to
    // max_batch entries each; no tx exceeds the destination's message limit. Each tx is proven, signed
    // and broadcast before the next is proven, so the destination has work while proofs are fetched.
    const perTx = BigInt(Math.min(this.config.max_batch, this.config.max_msgs_per_tx));
    const txs = Math.min(room, this.config.max_txs_per_round);
    let next = from;
    let sentAny = false;
    for (let i = 0; i < txs && (next <= head || (i === 0 && updates.length > 0)); i++) {
      const withUpdates = i === 0 ? updates : [];
      const room = BigInt(Math.max(0, Math.min(this.config.max_batch, this.config.max_msgs_per_tx - withUpdates.length)));
      const last = head < next + room - 1n ? head : next + room - 1n;
      const sequences: bigint[] = [];
      for (let seq = next; seq <= last; seq++) sequences.push(seq);
      const msgs: EncodeObject[] = [...withUpdates];
      // proofs come in JSON-RPC batches of rpc_batch_size, proof_concurrency batches at a time
      const batch = this.config.rpc_batch_size;
      const chunks: bigint[][] = [];
      for (let j = 0; j < sequences.length; j += batch) chunks.push(sequences.slice(j, j + batch));
      for (let j = 0; j < chunks.length; j += this.config.proof_concurrency) {
        const group = chunks.slice(j, j + this.config.proof_concurrency);
        const answers = (await Promise.all(group.map((chunk) =>
          src.abciQueryMany(StoreKeyQueryPath, chunk.map((seq) => outboxKeyBytes(dst.id, seq)), Number(proofHeight - 1n), true, batch)))).flat();
        group.flat().forEach((seq, n) => msgs.push(proven(seq, answers[n])));
      }
      const gas = BigInt(this.config.gas_per_msg) * BigInt(sequences.length) + BigInt(this.config.gas_per_update) * BigInt(withUpdates.length);
      const signing = pipeline.nextAccount(account);
      const answer = await dst.signAndBroadcast(msgs, gas, signing);
      const range = sequences.length ? `#${next}..#${last}` : `client update to ${proofHeight}`;
      if (answer.code !== 0) {
        this.metrics.refused++;
        this.log(`[${this.name}] ${range} (account sequence ${signing.sequence}) not accepted by ${dst.id}'s mempool (code ${answer.code}: ${answer.log}); resyncing once the ${pipeline.size} tx in flight settle`);
        pipeline.resync();
        if (!sentAny) await this.idle(300);
        break;
      }
      pipeline.sent({ hash: answer.hash, accountSequence: signing.sequence, first: next, last, clientHeight: withUpdates.length ? proofHeight : 0n, updates: withUpdates.length, sentAtMs: Date.now() });
      sentAny = true;
      this.log(`[${this.name}] sent ${range}${sequences.length ? ` (${sequences.length})` : ""} proven at ${src.id} header ${proofHeight}${withUpdates.length ? ` (client ${clientAt} -> ${proofHeight} in ${withUpdates.length} update${withUpdates.length > 1 ? "s" : ""})` : ""}, account sequence ${signing.sequence}, ${pipeline.size} in flight, backlog ${head - last}`);
      next = last + 1n;
    }
    return sentAny;
  }

  /**
   * Reads the destination's committed account and inbox (in that order) and settles the txs in flight:
   * logs and counts those executed, failed or lost. Returns what it read.
   */
  private async settle(): Promise<{ account: { accountNumber: bigint; sequence: bigint }; delivered: bigint }> {
    const account = await this.dst.account();
    const delivered = (await this.dst.sequences(this.src.id)).inSequence;
    for (const { kind, tx } of this.pipeline.settle(account.sequence, delivered, Date.now(), this.config.confirm_timeout_ms)) {
      const range = tx.last >= tx.first ? `#${tx.first}..#${tx.last}` : `client update to ${tx.clientHeight}`;
      if (kind === "executed") {
        const entries = tx.last >= tx.first ? Number(tx.last - tx.first + 1n) : 0;
        this.metrics.delivered += entries;
        this.metrics.updates += tx.updates;
        this.metrics.lastProgressMs = Date.now();
        this.metrics.lastBatchMs = Date.now() - tx.sentAtMs;
        this.log(`[${this.name}] delivered ${range} (${entries}) at ${this.dst.id}, ${this.metrics.lastBatchMs} ms, inbox at #${delivered}`);
      } else if (kind === "failed") {
        this.metrics.refused++;
        const result = await this.dst.waitForTx(tx.hash, 0).catch(() => undefined);
        const benign = result?.codespace === "qcp" && (result.code === 3 || result.code === 4);
        this.log(`[${this.name}] ${range} refused at ${this.dst.id}${result ? ` height ${result.height} (${result.codespace} ${result.code}: ${result.log})` : ""}${benign ? ": another relayer delivered first" : ""}; resyncing once the tx in flight settle`);
      } else {
        this.log(`[${this.name}] ${range}: tx ${tx.hash} not executed within ${this.config.confirm_timeout_ms} ms; re-reading the chains`);
      }
    }
    this.metrics.inSequence = delivered;
    return { account, delivered };
  }

  /** Nothing to deliver and the client in the last third of its trusting period: update it alone, and wait. */
  private async refreshClient(view: ClientView, clientBlock: LightBlock, proofHeight: bigint, account: { accountNumber: bigint; sequence: bigint }): Promise<void> {
    const signer = (await this.dst.getSigner()).address;
    const updates = (await updatePath(this.src, clientBlock.signedHeader, await this.src.lightBlock(proofHeight), view.opts, timestampOf(Date.now())))
      .map((step) => updateMsg(signer, this.src.id, step));
    const result = await this.send(updates, BigInt(this.config.gas_per_update) * BigInt(updates.length), `client update to ${proofHeight}`, account);
    if (result?.code !== 0) {
      if (result) this.log(`[${this.name}] client update to ${proofHeight} refused at ${this.dst.id} height ${result.height} (${result.codespace} ${result.code}: ${result.log})`);
      return;
    }
    this.metrics.updates += updates.length;
    this.metrics.clientHeight = proofHeight;
    this.log(`[${this.name}] client update to ${proofHeight} at ${this.dst.id} height ${result.height}, proven at ${this.src.id} header ${proofHeight} (client ${view.latestHeight} -> ${proofHeight} in ${updates.length} update${updates.length > 1 ? "s" : ""})`);
  }

  /**
   * The client is frozen or expired: the substitutes of the source on the destination whose latest
   * header is the source's own (a substitute of someone else's headers is left alone) are updated to
   * the source's latest header when a third of their trusting period is left, or when they are not
   * above the client's height (a recovery needs a newer one); with none, one is created ("create").
   */
  private async keepSubstitutes(client: ClientView): Promise<void> {
    const { src, dst } = this;
    const latest = BigInt(await src.latestHeight());
    const ours: Array<ClientView & { id: bigint; block: Awaited<ReturnType<typeof src.lightBlock>> }> = [];
    for (const info of await dst.substitutes(src.id)) {
      const view = substituteView(info);
      if (view.status === "frozen" || view.status === "expired" || !view.latest || view.latestHeight > latest) continue;
      const block = await src.lightBlock(view.latestHeight);
      if (!conflicts(view.latest, block.signedHeader)) ours.push({ ...view, block });
    }
    const signer = (await dst.getSigner()).address;
    if (ours.length === 0) {
      if (this.config.substitute !== "create") return;
      const block = await src.lightBlock(latest);
      const msg = MsgCreateSubstitute.fromPartial({ creator: signer, signedHeader: toProtoSignedHeader(block.signedHeader), validatorSet: toProtoValidatorSet(block.validatorSet) });
      const result = await this.send([{ typeUrl: TypeUrl.qos.qcp.v1.MsgCreateSubstitute, value: msg }], BigInt(this.config.gas_per_update) * 2n, `substitute of ${src.id}`);
      if (result?.code === 0) {
        this.metrics.substitutesCreated++;
        this.log(`[${this.name}] created a substitute client of ${src.id} at ${dst.id} from header ${latest} (height ${result.height}); governance recovers the client from it`);
      } else if (result) this.log(`[${this.name}] substitute of ${src.id} refused (${result.codespace} ${result.code}: ${result.log})`);
      return;
    }
    for (const sub of ours) {
      const stale = BigInt(headroomSeconds(sub, Date.now())) * 3n < sub.trustingPeriodSeconds || sub.latestHeight <= client.latestHeight;
      if (!stale || latest <= sub.latestHeight) continue;
      const steps = await updatePath(src, sub.block.signedHeader, await src.lightBlock(latest), sub.opts, timestampOf(Date.now()));
      const msgs = steps.map((step) => updateMsg(signer, src.id, step, sub.id));
      const result = await this.send(msgs, BigInt(this.config.gas_per_update) * BigInt(msgs.length), `substitute ${sub.id} update`);
      if (result?.code === 0) {
        this.metrics.substituteUpdates += msgs.length;
        this.log(`[${this.name}] substitute client ${sub.id} of ${src.id} at ${dst.id} updated ${sub.latestHeight} -> ${latest}`);
      } else if (result) this.log(`[${this.name}] substitute ${sub.id} update refused (${result.codespace} ${result.code}: ${result.log})`);
    }
  }

  private warn(line: string): void {
    if (line !== this.warned) this.log(`[${this.name}] ${line}`);
    this.warned = line;
  }

  /** Signs and broadcasts `msgs` to the destination and waits for the block; undefined if not committed. */
  private async send(msgs: EncodeObject[], gas: bigint, what: string, account?: { accountNumber: bigint; sequence: bigint }): Promise<{ code: number; codespace: string; log: string; height: number } | undefined> {
    // (signed beside the pipeline, which is empty here: its next tx reads the account again)
    this.pipeline.resync();
    const sent = await this.dst.signAndBroadcast(msgs, gas, account);
    if (sent.code !== 0) {
      this.metrics.refused++;
      this.log(`[${this.name}] ${what} not accepted by ${this.dst.id}'s mempool (code ${sent.code}: ${sent.log}); re-reading`);
      await this.idle(300);
      return undefined;
    }
    const result = await this.dst.waitForTx(sent.hash, this.config.confirm_timeout_ms);
    if (!result) this.log(`[${this.name}] ${what}: tx ${sent.hash} not committed within ${this.config.confirm_timeout_ms} ms; re-reading the chains`);
    else if (result.code !== 0) this.metrics.refused++;
    return result;
  }

  /** The source contradicts the client's header at `height`: freeze the client (deliveries stop until governance acts). */
  private async submitMisbehaviour(view: ClientView, height: bigint): Promise<void> {
    const stored = view.latest!;
    this.warn(`CONFLICT: ${this.dst.id}'s client of ${this.src.id} stores header ${Buffer.from(stored.headerHash).toString("hex").toUpperCase()} at ${height}, ${this.src.id} has ${Buffer.from(headerHash((await this.src.lightBlock(height)).signedHeader.header)).toString("hex").toUpperCase()}; submitting misbehaviour`);
    const signer = (await this.dst.getSigner()).address;
    const msgs = await misbehaviourMsgs(this.src, this.dst, signer, view, height, stored, timestampOf(Date.now()), this.misbehaviourRefusals % 2 === 1);
    const result = await this.send(msgs, BigInt(this.config.gas_per_update) * BigInt(msgs.length + 1), `misbehaviour at ${height}`);
    if (result?.code === 0) {
      this.metrics.misbehaviour++;
      this.log(`[${this.name}] misbehaviour at ${this.src.id} height ${height} committed at ${this.dst.id} height ${result.height}: the client is frozen`);
    } else {
      this.misbehaviourRefusals++;
      if (result) this.log(`[${this.name}] misbehaviour at ${height} refused (${result.codespace} ${result.code}: ${result.log})`);
      await this.idle(1000);
    }
  }
}

export function prometheus(routes: Route[]): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, value: (r: Route) => number | bigint) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const r of routes) lines.push(`${name}{route="${r.name}"} ${value(r)}`);
  };
  metric("qcp_relayer_backlog", "gauge", "outbox entries not yet in the destination inbox", (r) => r.metrics.backlog);
  metric("qcp_relayer_out_sequence", "gauge", "source out-sequence toward the destination", (r) => r.metrics.outSequence);
  metric("qcp_relayer_in_sequence", "gauge", "destination in-sequence from the source", (r) => r.metrics.inSequence);
  metric("qcp_relayer_delivered_total", "counter", "entries this process delivered", (r) => r.metrics.delivered);
  metric("qcp_relayer_refused_total", "counter", "delivery txs refused (mostly: another relayer was first)", (r) => r.metrics.refused);
  metric("qcp_relayer_errors_total", "counter", "rounds that failed (RPC down, bad proof, ...)", (r) => r.metrics.errors);
  metric("qcp_relayer_seconds_since_progress", "gauge", "seconds since the route was last caught up or advanced", (r) => Math.round((Date.now() - r.metrics.lastProgressMs) / 1000));
  metric("qcp_relayer_client_height", "gauge", "latest source height the destination's light client verified", (r) => r.metrics.clientHeight);
  metric("qcp_relayer_client_headroom_seconds", "gauge", "seconds until the destination's client expires unless updated (trusting period left)", (r) => r.metrics.clientHeadroomSeconds);
  metric("qcp_relayer_client_updates_total", "counter", "MsgUpdateClient headers this process got committed", (r) => r.metrics.updates);
  metric("qcp_relayer_misbehaviour_total", "counter", "misbehaviour submissions (client frozen) this process got committed", (r) => r.metrics.misbehaviour);
  metric("qcp_relayer_substitutes_created_total", "counter", "substitute clients this process created (the destination's client frozen or expired)", (r) => r.metrics.substitutesCreated);
  metric("qcp_relayer_substitute_updates_total", "counter", "MsgUpdateClient headers of substitute clients this process got committed", (r) => r.metrics.substituteUpdates);
  metric("qcp_relayer_last_batch_ms", "gauge", "milliseconds from reading the chains to the committed delivery of the last batch", (r) => r.metrics.lastBatchMs);
  return lines.join("\n") + "\n";
}

export { sleep };
