// The chaos run's load: senders that sign a seeded mix of txs one at a time each, send them to whichever
// node answers, and account for every signed tx until its fate is known. A tx is committed when the
// watcher finds it in a block (any result code); it expires when the chain has passed its timeout_height
// (then the ante handler refuses it in any later block, so it can never commit) without it; it is refused
// only when a node's CheckTx said no before any send that might have reached a mempool. After anything but
// a successful commit the sender reads its sequence from the chain again and re-signs.
import { Registry, encodePubkey, makeAuthInfoBytes, makeSignDoc, type EncodeObject } from "@cosmjs/proto-signing";
import { encodeSecp256k1Pubkey } from "@cosmjs/amino";
import { fromBase64 } from "@cosmjs/encoding";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { Method, TypeUrl } from "../../gen/names.js";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";
import { MsgSubmitProposal, MsgVote } from "../../gen/qos/gov/v1/tx.js";
import { VoteOption } from "../../gen/qos/gov/v1/types.js";
import { MsgCreateQsc } from "../../gen/qos/qsc/v1/tx.js";
import { MsgDelegate, MsgUnbond } from "../../gen/qos/stake/v1/tx.js";
import type { Rng } from "../../sim/rng.js";
import type { TestAccount } from "../../test/helpers/wallet.js";
import { sleep, type TestnetNode } from "../testnet.js";
import { appHeight, quickRpc, txHash, type ChainWatcher } from "./watcher.js";

export const Gas = 400_000n;
/** Gas × the testnet's minimum gas price (0.025uqos) */
export const FeeUqos = 10_000n;
/** blocks a signed tx stays valid after the height the sender last saw */
export const TimeoutBlocks = 30;
/** sdk code 32: incorrect account sequence */
const SequenceMismatch = 32;

const registry = new Registry([
  [TypeUrl.cosmos.bank.v1beta1.MsgSend, MsgSend as never],
  [TypeUrl.qos.bank.v1.MsgTransfer, MsgTransfer as never],
  [TypeUrl.qos.qsc.v1.MsgCreateQsc, MsgCreateQsc as never],
  [TypeUrl.qos.stake.v1.MsgDelegate, MsgDelegate as never],
  [TypeUrl.qos.stake.v1.MsgUnbond, MsgUnbond as never],
  [TypeUrl.qos.gov.v1.MsgSubmitProposal, MsgSubmitProposal as never],
  [TypeUrl.qos.gov.v1.MsgVote, MsgVote as never],
]);

export type TxStatus = "pending" | "committed" | "expired" | "refused";

export interface TxRecord {
  id: number;
  sender: string;
  sequence: number;
  op: string;
  hash: string;
  /** ms since the run started */
  signedAt: number;
  timeoutHeight: number;
  sends: Array<{ node: string; result: "accepted" | "refused" | "error"; code?: number; log?: string }>;
  status: TxStatus;
  height?: number;
  code?: number;
  resolvedAt?: number;
}

export interface LoadContext {
  chainId: string;
  nodes: readonly TestnetNode[];
  available: (node: TestnetNode) => boolean;
  watcher: ChainWatcher;
  records: TxRecord[];
  /** ms since the run started */
  clock: () => number;
  log: (line: string) => void;
}

/** One account that signs and sends its txs one after the other, knowing its sequence. */
export class Sender {
  private accountNumber = 0n;
  sequence = 0;

  constructor(
    readonly account: TestAccount,
    private readonly ctx: LoadContext,
    private readonly rng: Rng,
  ) {}

  get address(): string {
    return this.account.address;
  }

  /** Reads the account number and sequence from a node whose app has every block the watcher scanned. */
  async sync(): Promise<void> {
    const needed = this.ctx.watcher.scanned;
    for (;;) {
      for (const node of this.shuffledNodes()) {
        if ((await appHeight(node)) < needed) continue;
        try {
          const res = await quickRpc<{ response: { code: number; value: string | null } }>(node, "abci_query", {
            path: Method.cosmos.auth.v1beta1.Query.Account,
            data: Buffer.from(QueryAccountRequest.encode({ address: this.address }).finish()).toString("hex"),
          });
          if (res.response.code !== 0 || !res.response.value) continue;
          const account = BaseAccount.decode(QueryAccountResponse.decode(Buffer.from(res.response.value, "base64")).account!.value);
          this.accountNumber = account.accountNumber;
          this.sequence = Number(account.sequence);
          return;
        } catch {
          // down or paused: the next node
        }
      }
      await sleep(300);
    }
  }

  private shuffledNodes(): TestnetNode[] {
    const nodes = this.ctx.nodes.filter((n) => this.ctx.available(n));
    for (let i = nodes.length - 1; i > 0; i--) {
      const j = this.rng.int(i + 1);
      [nodes[i], nodes[j]] = [nodes[j], nodes[i]];
    }
    return nodes;
  }

  /** Signs msgs at the current sequence, sends it, and waits for its fate. */
  async send(op: string, msgs: EncodeObject[], stopWaiting: () => boolean = () => false): Promise<TxRecord> {
    const timeoutHeight = this.ctx.watcher.scanned + TimeoutBlocks;
    const tx = await this.sign(msgs, timeoutHeight);
    const record: TxRecord = {
      id: this.ctx.records.length, sender: this.address, sequence: this.sequence, op, hash: txHash(tx),
      signedAt: this.ctx.clock(), timeoutHeight, sends: [], status: "pending",
    };
    this.ctx.records.push(record);
    const definitelyRefused = await this.broadcast(record, tx);
    if (definitelyRefused) {
      record.status = "refused";
      record.resolvedAt = this.ctx.clock();
    } else {
      await this.resolve(record, stopWaiting);
    }
    if (record.status === "committed" && record.code === 0) this.sequence++;
    else if (record.status !== "pending") await this.sync();
    return record;
  }

  /** Sends to one node after another until one gives a CheckTx answer; true when that answer was a refusal
   *  and no earlier send may have reached a mempool. */
  private async broadcast(record: TxRecord, tx: Uint8Array): Promise<boolean> {
    let ambiguous = false;
    for (const node of this.shuffledNodes()) {
      try {
        const res = await quickRpc<{ code: number; log: string }>(node, "broadcast_tx_sync", { tx: Buffer.from(tx).toString("base64") }, 5000);
        if (res.code === 0) {
          record.sends.push({ node: node.name, result: "accepted" });
          return false;
        }
        record.sends.push({ node: node.name, result: "refused", code: res.code, log: res.log.slice(0, 200) });
        // a node behind the chain (just restarted, catching up) expects an older sequence: ask another
        if (res.code === SequenceMismatch) continue;
        return !ambiguous;
      } catch (e) {
        // down, paused, timed out, or "already in the mempool cache": it may be in some mempool now
        record.sends.push({ node: node.name, result: "error", log: (e as Error).message.slice(0, 200) });
        ambiguous = true;
      }
    }
    // every node that answered refused it (sequence mismatch on each): in no mempool unless a send failed
    return record.sends.length > 0 && !ambiguous && record.sends.every((s) => s.result === "refused");
  }

  /** Waits until the watcher finds the tx in a block, or has scanned past its timeout height without it. */
  private async resolve(record: TxRecord, stopWaiting: () => boolean): Promise<void> {
    const watcher = this.ctx.watcher;
    for (;;) {
      const found = watcher.committed.get(record.hash);
      if (found) {
        Object.assign(record, { status: "committed", height: found.height, code: found.code, resolvedAt: this.ctx.clock() });
        return;
      }
      // a block past the timeout height refuses the tx in FinalizeBlock at the latest (it would still be
      // in that block, with an error code): two more blocks scanned without it and it can never appear
      if (watcher.scanned >= record.timeoutHeight + 2) {
        Object.assign(record, { status: "expired", resolvedAt: this.ctx.clock() });
        return;
      }
      if (stopWaiting()) return;
      await sleep(100);
    }
  }

  private async sign(msgs: EncodeObject[], timeoutHeight: number): Promise<Uint8Array> {
    const bodyBytes = registry.encode({ typeUrl: "/cosmos.tx.v1beta1.TxBody", value: { messages: msgs, memo: "", timeoutHeight: BigInt(timeoutHeight) } });
    const authInfoBytes = makeAuthInfoBytes(
      [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(this.account.pubkey)), sequence: BigInt(this.sequence) }],
      [{ denom: "uqos", amount: String(FeeUqos) }],
      Number(Gas),
      undefined,
      undefined,
    );
    const signDoc = makeSignDoc(bodyBytes, authInfoBytes, this.ctx.chainId, Number(this.accountNumber));
    const { signature } = await this.account.wallet.signDirect(this.address, signDoc);
    return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish();
  }

  /** Sends until the msgs commit with code 0 (setup steps and the upgrade's votes); gives up after `tries`. */
  async sendUntilDone(op: string, msgs: EncodeObject[], tries = 10): Promise<TxRecord> {
    let last: TxRecord | undefined;
    for (let i = 0; i < tries; i++) {
      last = await this.send(op, msgs);
      if (last.status === "committed" && last.code === 0) return last;
    }
    throw new Error(`${op} from ${this.address} did not commit in ${tries} tries: ${JSON.stringify(last)}`);
  }
}

/** The events of a committed tx, from its block's results on any available node. */
export async function txEvents(ctx: LoadContext, record: TxRecord): Promise<Array<{ type: string; attributes: Array<{ key: string; value: string }> }>> {
  const at = ctx.watcher.committed.get(record.hash);
  if (!at) throw new Error(`tx ${record.hash} is not committed`);
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const node of ctx.nodes.filter((n) => ctx.available(n))) {
      try {
        const res = await quickRpc<{ txs_results: Array<{ events: Array<{ type: string; attributes: Array<{ key: string; value: string }> }> }> }>(node, "block_results", { height: String(at.height) });
        return res.txs_results[at.index].events;
      } catch {
        // the next node
      }
    }
    await sleep(200);
  }
  throw new Error(`no node answered block_results at ${at.height}`);
}

export const msgs = {
  send: (from: string, to: string, amount: bigint, denom: string): EncodeObject => ({
    typeUrl: TypeUrl.cosmos.bank.v1beta1.MsgSend,
    value: MsgSend.fromPartial({ fromAddress: from, toAddress: to, amount: [{ denom, amount: String(amount) }] }),
  }),
  transfer: (from: string, to: readonly string[], each: bigint): EncodeObject => ({
    typeUrl: TypeUrl.qos.bank.v1.MsgTransfer,
    value: MsgTransfer.fromPartial({
      senders: [{ address: from, coins: [{ denom: "uqos", amount: String(each * BigInt(to.length)) }] }],
      receivers: to.map((address) => ({ address, coins: [{ denom: "uqos", amount: String(each) }] })),
    }),
  }),
  delegate: (delegator: string, validator: string, amount: bigint): EncodeObject => ({
    typeUrl: TypeUrl.qos.stake.v1.MsgDelegate,
    value: MsgDelegate.fromPartial({ delegator, validator, amount: String(amount) }),
  }),
  unbond: (delegator: string, validator: string, amount: bigint): EncodeObject => ({
    typeUrl: TypeUrl.qos.stake.v1.MsgUnbond,
    value: MsgUnbond.fromPartial({ delegator, validator, amount: String(amount) }),
  }),
  textProposal: (proposer: string, title: string, deposit: bigint): EncodeObject => ({
    typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposal,
    value: MsgSubmitProposal.fromPartial({ proposer, content: { title, description: "chaos load", text: {} }, initialDeposit: String(deposit) }),
  }),
  upgradeProposal: (proposer: string, name: string, height: number, deposit: bigint): EncodeObject => ({
    typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposal,
    value: MsgSubmitProposal.fromPartial({
      proposer, content: { title: `upgrade ${name}`, description: "chaos: restart around an upgrade height", softwareUpgrade: { plan: { name, height: BigInt(height), info: "", version: "" } } },
      initialDeposit: String(deposit),
    }),
  }),
  vote: (voter: string, proposalId: bigint, option: VoteOption): EncodeObject => ({
    typeUrl: TypeUrl.qos.gov.v1.MsgVote,
    value: MsgVote.fromPartial({ proposalId, voter, option }),
  }),
  createQsc: (creator: string, certificate: Uint8Array, name: string, holders: ReadonlyArray<{ address: string; amount: bigint }>): EncodeObject => ({
    typeUrl: TypeUrl.qos.qsc.v1.MsgCreateQsc,
    value: MsgCreateQsc.fromPartial({
      creator, certificate, name, banker: creator, symbol: name, decimals: 0,
      initialHolders: holders.map((h) => ({ address: h.address, amount: String(h.amount) })),
    }),
  }),
};

/** The mix a load sender draws from (weights in parts). */
export const LoadMix = { send: 30, transfer: 10, qsc: 15, delegate: 12, unbond: 8, propose: 3, vote: 12 } as const;

export interface LoadWorld {
  /** every load account's address (receivers are drawn from them) */
  accounts: readonly string[];
  /** qosval addresses of the genesis validators */
  validators: readonly string[];
  qscDenom: string;
  /** proposals the load made, with when they were made (ms since the start; votes go to those still open) */
  proposals: Array<{ id: bigint; at: number }>;
  /** ms a proposal stays open for votes */
  votingMs: number;
  deposit: bigint;
}

/** One load sender's endless loop (until stop()): a seeded op, sent and accounted. */
export async function runLoadSender(sender: Sender, rng: Rng, ctx: LoadContext, world: LoadWorld, stopped: () => boolean): Promise<void> {
  const delegated = new Map<string, bigint>();
  await sender.sync();
  while (!stopped()) {
    const kind = rng.weighted(LoadMix);
    const others = world.accounts.filter((a) => a !== sender.address);
    let op: { name: string; msgs: EncodeObject[]; done?: () => void } | undefined;
    switch (kind) {
      case "send":
        op = { name: "send", msgs: [msgs.send(sender.address, rng.pick(others), BigInt(rng.range(1, 100_000)), "uqos")] };
        break;
      case "transfer": {
        const a = rng.pick(others);
        const b = rng.pick(others.filter((x) => x !== a));
        op = { name: "transfer", msgs: [msgs.transfer(sender.address, [a, b].sort(), BigInt(rng.range(1, 50_000)))] };
        break;
      }
      case "qsc":
        op = { name: "qsc-send", msgs: [msgs.send(sender.address, rng.pick(others), BigInt(rng.range(1, 1000)), world.qscDenom)] };
        break;
      case "delegate": {
        const validator = rng.pick(world.validators);
        const amount = BigInt(rng.range(1000, 100_000));
        op = { name: "delegate", msgs: [msgs.delegate(sender.address, validator, amount)], done: () => delegated.set(validator, (delegated.get(validator) ?? 0n) + amount) };
        break;
      }
      case "unbond": {
        const from = [...delegated].filter(([, a]) => a > 0n);
        if (from.length === 0) continue;
        const [validator, has] = rng.pick(from);
        const amount = 1n + rng.bigint(has);
        op = { name: "unbond", msgs: [msgs.unbond(sender.address, validator, amount)], done: () => delegated.set(validator, has - amount) };
        break;
      }
      case "propose":
        op = { name: "propose", msgs: [msgs.textProposal(sender.address, `load ${sender.address.slice(-6)} #${sender.sequence}`, world.deposit)] };
        break;
      case "vote": {
        // proposals still in their voting period (a little margin for the vote's own block)
        const open = world.proposals.filter((p) => ctx.clock() - p.at < world.votingMs - 2000);
        if (open.length === 0) continue;
        const id = rng.pick(open).id;
        const option = rng.weighted({ yes: 6, no: 2, abstain: 2 });
        const value = option === "yes" ? VoteOption.VOTE_OPTION_YES : option === "no" ? VoteOption.VOTE_OPTION_NO : VoteOption.VOTE_OPTION_ABSTAIN;
        op = { name: "vote", msgs: [msgs.vote(sender.address, id, value)] };
        break;
      }
    }
    const record = await sender.send(op.name, op.msgs, stopped);
    if (record.status === "committed" && record.code === 0) {
      op.done?.();
      if (op.name === "propose") {
        try {
          const submitted = (await txEvents(ctx, record)).find((e) => e.type === "submit_proposal");
          const id = submitted?.attributes.find((a) => a.key === "proposal_id")?.value;
          if (id) world.proposals.push({ id: BigInt(id), at: record.resolvedAt ?? ctx.clock() });
        } catch (e) {
          ctx.log(`load: no proposal id for ${record.hash}: ${(e as Error).message}`);
        }
      }
    }
  }
}
