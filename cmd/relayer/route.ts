// One route (source outbox → destination inbox). Stateless: every round starts from the chains'
// sequences (destination in-sequence, source out-sequence) and the destination's light client of the
// source, so a restart or a second relayer changes nothing but who pays. A round: read the client
// (latest height L), take the source's latest header H; if the source contradicts the header the
// client stored at L, submit misbehaviour instead of delivering; if entries wait (or the client nears
// the end of its trusting period), read the outbox head in the state header H commits to (height
// H − 1), fetch each missing entry with its /store/key proof at H − 1, check it against H's app hash
// and submit, in one tx, the MsgUpdateClient steps from L to H (client.ts) and the deliveries with
// proof_height = H; wait until the tx is committed. Refusals "already delivered"/"not next" (qcp
// codes 3/4) mean another relayer got there first: re-read and go on.
import type { EncodeObject } from "@cosmjs/proto-signing";
import { MsgCreateSubstitute, MsgRecvQcp } from "../../gen/qos/qcp/v1/tx.js";
import { OutboxEntry } from "../../gen/qos/qcp/v1/types.js";
import { decodeProof, verifyMembership } from "../../app/state/smt.js";
import { headerHash, toProtoValidatorSet } from "../../app/light/index.js";
import { outboxKeyBytes } from "../../modules/qcp/keeper.js";
import type { ChainClient } from "./chain.js";
import { sleep } from "./chain.js";
import {
  clientView, conflicts, headroomSeconds, misbehaviourMsgs, substituteView, timestampOf, toProtoSignedHeader, updateMsg, updatePath, type ClientView,
} from "./client.js";
import type { Config } from "./config.js";
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
        if (!progressed) await this.idle(this.config.poll_interval_ms);
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

  /** One delivery round; true if it delivered (or saw another relayer deliver) something. */
  private async round(): Promise<boolean> {
    const { src, dst } = this;
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
    // the source's header at the client's height: checked for a conflict, then the start of any update
    const clientBlock = view.latestHeight <= latest ? await src.lightBlock(view.latestHeight) : undefined;
    if (clientBlock && view.latest && conflicts(view.latest, clientBlock.signedHeader)) {
      await this.submitMisbehaviour(view, view.latestHeight);
      return false;
    }
    const proofHeight = latest > view.latestHeight ? latest : view.latestHeight;
    if (proofHeight < 2n) return false;
    const delivered = (await dst.sequences(src.id)).inSequence;
    const head = (await src.sequences(dst.id, Number(proofHeight - 1n))).outSequence;
    this.metrics.inSequence = delivered;
    this.metrics.outSequence = head;
    this.metrics.backlog = Number(head > delivered ? head - delivered : 0n);
    // nothing to carry: update only to keep the client from expiring (a third of its period left)
    const refresh = BigInt(this.metrics.clientHeadroomSeconds) * 3n < view.trustingPeriodSeconds;
    if (head <= delivered && !refresh) {
      this.metrics.lastProgressMs = Date.now();
      return false;
    }
    const started = Date.now();
    const signer = (await dst.getSigner()).address;
    const target = await src.lightBlock(proofHeight);
    // proofHeight > the client's height only when the source is ahead of it, so clientBlock was fetched
    const updates = proofHeight > view.latestHeight
      ? (await updatePath(src, clientBlock!.signedHeader, target, view.opts, timestampOf(Date.now()))).map((step) => updateMsg(signer, src.id, step))
      : [];
    const appHash = target.signedHeader.header.appHash;
    // The round's txs: the first carries the client updates and what room is left, the others up to
    // max_batch entries each; no tx exceeds the destination's message limit.
    const perTx = Math.min(this.config.max_batch, this.config.max_msgs_per_tx);
    const firstRoom = Math.max(0, Math.min(this.config.max_batch, this.config.max_msgs_per_tx - updates.length));
    const capacity = BigInt(firstRoom + (this.config.max_txs_per_round - 1) * perTx);
    const last = head < delivered + capacity ? head : delivered + capacity;
    const sequences: bigint[] = [];
    for (let seq = delivered + 1n; seq <= last; seq++) sequences.push(seq);
    const proven = async (seq: bigint): Promise<EncodeObject> => {
      const key = outboxKeyBytes(dst.id, seq);
      const { value, proof } = await src.abciQuery("/store/key", key, Number(proofHeight - 1n), true);
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
    // proofs are fetched a few at a time (one round trip each), kept in sequence order
    const msgs: EncodeObject[] = [];
    for (let i = 0; i < sequences.length; i += this.config.proof_concurrency) {
      msgs.push(...(await Promise.all(sequences.slice(i, i + this.config.proof_concurrency).map(proven))));
    }
    const batches: EncodeObject[][] = [[...updates, ...msgs.slice(0, firstRoom)]];
    for (let i = firstRoom; i < msgs.length; i += perTx) batches.push(msgs.slice(i, i + perTx));
    const entriesIn = (batch: EncodeObject[]) => batch.filter((m) => m.typeUrl === TypeUrl.qos.qcp.v1.MsgRecvQcp).length;
    const gasOf = (batch: EncodeObject[]) =>
      BigInt(this.config.gas_per_msg) * BigInt(entriesIn(batch)) + BigInt(this.config.gas_per_update) * BigInt(batch.length - entriesIn(batch));
    const range = msgs.length ? `#${delivered + 1n}..#${last}` : `client update to ${proofHeight}`;
    const results = await this.sendMany(batches.map((batch) => ({ msgs: batch, gas: gasOf(batch) })), range);
    // entries delivered: those of the txs that succeeded, in order, up to the first that did not
    let done = 0;
    let height = 0;
    for (const [i, result] of results.entries()) {
      if (!result) break;
      if (result.code !== 0) {
        const benign = result.codespace === "qcp" && (result.code === 3 || result.code === 4);
        this.log(`[${this.name}] ${range} tx ${i + 1}/${batches.length} refused at ${dst.id} height ${result.height} (${result.codespace} ${result.code}: ${result.log})${benign ? ": another relayer delivered first" : ""}`);
        if (done === 0) {
          if (!benign) await this.idle(1000);
          return benign;
        }
        break;
      }
      if (i === 0) {
        this.metrics.updates += updates.length;
        if (updates.length) this.metrics.clientHeight = proofHeight;
      }
      done += entriesIn(batches[i]);
      height = result.height;
    }
    if (results.length === 0 || !results[0]) return false;
    const upTo = delivered + BigInt(done);
    this.metrics.delivered += done;
    this.metrics.inSequence = upTo;
    this.metrics.backlog = Number(head - upTo);
    this.metrics.lastProgressMs = Date.now();
    this.metrics.lastBatchMs = Date.now() - started;
    const what = done ? `delivered #${delivered + 1n}..#${upTo} (${done}) in ${results.filter((r) => r?.code === 0).length} tx` : range;
    this.log(`[${this.name}] ${what} at ${dst.id} height ${height}, proven at ${src.id} header ${proofHeight}${updates.length ? ` (client ${view.latestHeight} -> ${proofHeight} in ${updates.length} update${updates.length > 1 ? "s" : ""})` : ""}, ${this.metrics.lastBatchMs} ms, backlog ${this.metrics.backlog}`);
    return done > 0;
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

  /**
   * Broadcasts the round's txs back to back (consecutive sequences) and waits for each to be committed,
   * in order. One answer per tx: undefined when it was refused by the mempool or not committed in time
   * (and for every tx after that one).
   */
  private async sendMany(txs: Array<{ msgs: EncodeObject[]; gas: bigint }>, what: string): Promise<Array<{ code: number; codespace: string; log: string; height: number } | undefined>> {
    const sent = await this.dst.signAndBroadcastMany(txs);
    const results: Array<{ code: number; codespace: string; log: string; height: number } | undefined> = [];
    for (const [i, answer] of sent.entries()) {
      if (answer.code !== 0) {
        this.metrics.refused++;
        this.log(`[${this.name}] ${what}: tx ${i + 1}/${txs.length} not accepted by ${this.dst.id}'s mempool (code ${answer.code}: ${answer.log}); re-reading`);
        if (i === 0) await this.idle(300);
        break;
      }
      const result = await this.dst.waitForTx(answer.hash, this.config.confirm_timeout_ms);
      if (!result) {
        this.log(`[${this.name}] ${what}: tx ${answer.hash} not committed within ${this.config.confirm_timeout_ms} ms; re-reading the chains`);
        break;
      }
      if (result.code !== 0) this.metrics.refused++;
      results.push(result);
    }
    while (results.length < txs.length) results.push(undefined);
    return results;
  }

  /** Signs and broadcasts `msgs` to the destination and waits for the block; undefined if not committed. */
  private async send(msgs: EncodeObject[], gas: bigint, what: string): Promise<{ code: number; codespace: string; log: string; height: number } | undefined> {
    const sent = await this.dst.signAndBroadcast(msgs, gas);
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
