// The txs one route has broadcast to the destination and not yet seen executed, so the next batch can
// be proven, signed and broadcast while the earlier ones wait for their blocks. Nothing here is
// trusted for safety: the destination's inbox accepts only the next sequence, so delivery stays
// exactly-once whatever this bookkeeping believes; a wrong belief costs a refused tx and a resync from
// the chain (the account's sequence and the inbox sequence), which is also all a restart starts from.

export interface PendingTx {
  hash: string;
  /** the relayer account's sequence the tx was signed with */
  accountSequence: bigint;
  /** the outbox entries it delivers; last < first when it carries client updates only */
  first: bigint;
  last: bigint;
  /** the source height its MsgUpdateClient steps take the client to; 0n when it has none */
  clientHeight: bigint;
  /** how many MsgUpdateClient steps it carries */
  updates: number;
  sentAtMs: number;
}

export type Settled =
  /** executed, and the inbox holds its entries */
  | { kind: "executed"; tx: PendingTx }
  /** executed (the account's sequence passed it) but its entries are not in the inbox: refused in the block */
  | { kind: "failed"; tx: PendingTx }
  /** not executed within the timeout: dropped from the mempool, or the node is stuck */
  | { kind: "lost"; tx: PendingTx };

export class Pipeline {
  private pending: PendingTx[] = [];
  /** the account number and the sequence the next tx is signed with; unknown until read from the chain */
  private account?: { accountNumber: bigint; next: bigint };
  private draining = false;

  /** txs broadcast and not yet settled */
  get size(): number {
    return this.pending.length;
  }

  /** True after a refusal: nothing new goes out until every pending tx is settled (then it resyncs). */
  get isDraining(): boolean {
    return this.draining;
  }

  /** The first outbox entry not yet delivered nor in flight. */
  nextEntry(delivered: bigint): bigint {
    let last = delivered;
    for (const tx of this.pending) if (tx.last > last) last = tx.last;
    return last + 1n;
  }

  /** The height deliveries can be proven at once the pending txs execute: the client's, or a pending update's. */
  clientHeight(onChain: bigint): bigint {
    let height = onChain;
    for (const tx of this.pending) if (tx.clientHeight > height) height = tx.clientHeight;
    return height;
  }

  /** The account number and sequence to sign the next tx with; `chain` (the committed account) when none is tracked. */
  nextAccount(chain: { accountNumber: bigint; sequence: bigint }): { accountNumber: bigint; sequence: bigint } {
    if (!this.account) this.account = { accountNumber: chain.accountNumber, next: chain.sequence };
    return { accountNumber: this.account.accountNumber, sequence: this.account.next };
  }

  /** The mempool accepted `tx`, signed with the sequence nextAccount gave. */
  sent(tx: PendingTx): void {
    if (!this.account || tx.accountSequence !== this.account.next) {
      throw new Error(`tx signed with sequence ${tx.accountSequence}, the pipeline's next is ${this.account?.next ?? "unknown"}`);
    }
    this.pending.push(tx);
    this.account.next++;
  }

  /**
   * The mempool refused a broadcast (CheckTx), or a tx was signed beside the pipeline: what is pending
   * may still execute; then the next tx is signed with the account's sequence read from the chain.
   */
  resync(): void {
    this.draining = true;
    this.settleDrain();
  }

  /**
   * What the chain shows now: the account's committed sequence (every tx signed below it was executed)
   * and the inbox sequence, read in that order (so the inbox is no older than the account). Returns the
   * txs settled by it, oldest first. A failed tx starts a drain: the txs after it carry entries the
   * inbox no longer expects next. When the oldest pending tx has waited `timeoutMs`, everything pending
   * counts as lost (none can execute before it) and the next tx starts from the chain's account.
   */
  settle(chainAccountSequence: bigint, delivered: bigint, nowMs: number, timeoutMs: number): Settled[] {
    const out: Settled[] = [];
    while (this.pending.length > 0) {
      const tx = this.pending[0];
      if (tx.accountSequence < chainAccountSequence) {
        this.pending.shift();
        const ok = tx.last < tx.first || delivered >= tx.last;
        out.push({ kind: ok ? "executed" : "failed", tx });
        if (!ok) this.draining = true;
        continue;
      }
      if (nowMs - tx.sentAtMs >= timeoutMs) {
        for (const lost of this.pending) out.push({ kind: "lost", tx: lost });
        this.pending = [];
        this.draining = true;
      }
      break;
    }
    this.settleDrain();
    return out;
  }

  private settleDrain(): void {
    if (this.draining && this.pending.length === 0) {
      this.draining = false;
      this.account = undefined;
    }
  }
}
