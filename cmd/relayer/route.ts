// One route (source outbox → destination inbox). Stateless: every round starts from the chains'
// sequences (destination in-sequence, source out-sequence), so a restart or a second relayer changes
// nothing but who pays. A round: verify the source's latest header (> 2/3 of its validators signed it),
// read the outbox head in the state that header commits to (height − 1), fetch each missing entry with
// its /store/key proof, check the proof against that app hash, submit them in order in one tx, wait
// until the tx is committed. Refusals "already delivered"/"not next" (qcp codes 3/4) mean another
// relayer got there first: re-read and go on.
import { MsgRecvQcp } from "../../gen/qos/qcp/v1/tx.js";
import { OutboxEntry } from "../../gen/qos/qcp/v1/types.js";
import { decodeProof, verifyMembership } from "../../app/state/smt.js";
import { outboxKeyBytes } from "../../modules/qcp/keeper.js";
import type { ChainClient } from "./chain.js";
import { sleep } from "./chain.js";
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
}

export class Route {
  readonly name: string;
  readonly metrics: RouteMetrics = { backlog: 0, outSequence: 0n, inSequence: 0n, delivered: 0, refused: 0, errors: 0, lastProgressMs: Date.now(), lastBatchMs: 0 };
  private wake?: () => void;
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
    const delivered = (await dst.sequences(src.id)).inSequence;
    const header = await src.verifiedHeader();
    const stateHeight = header.height - 1;
    if (stateHeight < 1) return false;
    const head = (await src.sequences(dst.id, stateHeight)).outSequence;
    this.metrics.inSequence = delivered;
    this.metrics.outSequence = head;
    this.metrics.backlog = Number(head > delivered ? head - delivered : 0n);
    if (head <= delivered) {
      this.metrics.lastProgressMs = Date.now();
      return false;
    }
    const started = Date.now();
    const last = head < delivered + BigInt(this.config.max_batch) ? head : delivered + BigInt(this.config.max_batch);
    const relayer = (await dst.getSigner()).address;
    const msgs = [];
    for (let seq = delivered + 1n; seq <= last; seq++) {
      const key = outboxKeyBytes(dst.id, seq);
      const { value, proof } = await src.abciQuery("/store/key", key, stateHeight, true);
      if (!proof) throw new Error(`${src.id} gave no proof for entry #${seq} at height ${stateHeight}`);
      if (!verifyMembership(header.appHash, key, value, decodeProof(proof))) {
        throw new Error(`${src.id} entry #${seq}: proof does not verify against the app hash of verified header ${header.height}`);
      }
      const entry = OutboxEntry.decode(value);
      if (entry.from !== src.id || entry.to !== dst.id || entry.sequence !== seq) {
        throw new Error(`${src.id} entry #${seq} says ${entry.from} -> ${entry.to} #${entry.sequence}`);
      }
      msgs.push({
        typeUrl: TypeUrl.qos.qcp.v1.MsgRecvQcp,
        value: MsgRecvQcp.fromPartial({ relayer, entry: value, proofHeight: BigInt(header.height), proof }),
      });
    }
    const range = `#${delivered + 1n}..#${last}`;
    const sent = await dst.signAndBroadcast(msgs, BigInt(this.config.gas_per_msg) * BigInt(msgs.length));
    if (sent.code !== 0) {
      this.metrics.refused++;
      this.log(`[${this.name}] ${range} not accepted by ${dst.id}'s mempool (code ${sent.code}: ${sent.log}); re-reading`);
      await this.idle(300);
      return false;
    }
    const result = await dst.waitForTx(sent.hash, this.config.confirm_timeout_ms);
    if (!result) {
      this.log(`[${this.name}] ${range} tx ${sent.hash} not committed within ${this.config.confirm_timeout_ms} ms; re-reading the chains`);
      return false;
    }
    if (result.code !== 0) {
      this.metrics.refused++;
      const benign = result.codespace === "qcp" && (result.code === 3 || result.code === 4);
      this.log(`[${this.name}] ${range} refused at ${dst.id} height ${result.height} (${result.codespace} ${result.code}: ${result.log})${benign ? ": another relayer delivered first" : ""}`);
      if (!benign) await this.idle(1000);
      return benign;
    }
    this.metrics.delivered += msgs.length;
    this.metrics.inSequence = last;
    this.metrics.backlog = Number(head - last);
    this.metrics.lastProgressMs = Date.now();
    this.metrics.lastBatchMs = Date.now() - started;
    this.log(`[${this.name}] delivered ${range} (${msgs.length}) at ${dst.id} height ${result.height}, proven at ${src.id} height ${stateHeight}, ${this.metrics.lastBatchMs} ms, backlog ${this.metrics.backlog}`);
    return true;
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
  metric("qcp_relayer_last_batch_ms", "gauge", "milliseconds from reading the chains to the committed delivery of the last batch", (r) => r.metrics.lastBatchMs);
  return lines.join("\n") + "\n";
}

export { sleep };
