// A dishonest relayer for end-to-end tests. It signs and broadcasts with the honest relayer's own code
// (cmd/relayer ChainClient: its key, its registry, its fee) and sends `dst` what a relayer without the
// source validators' keys could forge on the route src → dst:
//   deliveries — a transfer proven in a one-leaf tree of its own (minting vouchers, or releasing
//     escrow as "returning"), a real entry with tampered fields under its real proof, a proof against a
//     height the client never verified, an entry not written before its proof height, a replay;
//   client updates — a real header with a tampered field, with a forged signature, with < 2/3 of the
//     signatures, from verified headers but with wrong trusted validators, a header of another chain;
//   misbehaviour — the same honest header twice (no conflict).
// Every outcome (CheckTx or block code) is recorded, so a test can count refusals by code. The forged
// deliveries name the next sequence, so each reaches the check it aims at only while the route is idle
// (nothing left to deliver): run them between streams.
import { createHash } from "node:crypto";
import { build, encodeProof, prove } from "../app/state/smt.js";
import { ChainClient, sleep } from "../cmd/relayer/chain.js";
import { clientHeader } from "../cmd/relayer/client.js";
import { TypeUrl } from "../gen/names.js";
import { MsgRecvQcp, MsgSubmitMisbehaviour, MsgUpdateClient } from "../gen/qos/qcp/v1/tx.js";
import { ClientHeader, OutboxEntry, TransferPayload } from "../gen/qos/qcp/v1/types.js";
import { BlockIDFlag } from "../gen/tendermint/types/validator.js";
import { outboxKey, outboxKeyBytes } from "../modules/qcp/index.js";

const Urls = TypeUrl.qos.qcp.v1;

export const Attacks = [
  "forged-tree-mint", "forged-tree-release", "tampered-entry", "unverified-height", "entry-not-below-proof", "replay",
  "tampered-header", "forged-signature", "under-two-thirds", "wrong-trusted-validators", "other-chain-header", "not-misbehaviour",
] as const;
export type Attack = (typeof Attacks)[number];

export interface Outcome {
  attack: Attack;
  route: string;
  /** "check": refused by CheckTx (never in a block); "block": the tx's result in a block */
  stage: "check" | "block";
  code: number;
  codespace: string;
  log: string;
}

const Huge = "1000000000000";

export class DishonestRelayer {
  readonly outcomes: Outcome[] = [];
  readonly route: string;

  /** `beneficiary`: this relayer's own account on `dst` (it signs, pays, and is credited by every forgery). */
  private constructor(readonly src: ChainClient, readonly dst: ChainClient, readonly beneficiary: string) {
    this.route = `${src.id}->${dst.id}`;
  }

  /** On the route src → dst, with the honest relayer's chain clients (configured with this relayer's key). */
  static async connect(src: ChainClient, dst: ChainClient): Promise<DishonestRelayer> {
    return new DishonestRelayer(src, dst, (await dst.getSigner()).address);
  }

  /** The destination's client of `chain`: its latest verified height. */
  private async clientHeight(chain: string): Promise<bigint> {
    const res = await this.dst.client(chain);
    if (!res?.clientState) throw new Error(`${this.dst.id} has no client of ${chain}`);
    return res.clientState.latestHeight;
  }

  /**
   * A real header of `chain` above the client's latest height, to be verified from that height with
   * the set of trusted height + 1 (the consensus state's next validators), built as the honest relayer
   * builds it; a deep copy, free to tamper with. `trustedFrom`: the chain whose client is updated.
   */
  private async header(chain: ChainClient, trustedFrom: ChainClient = chain): Promise<ClientHeader> {
    const trustedHeight = await this.clientHeight(trustedFrom.id);
    let height = BigInt(await chain.latestHeight());
    while (chain === trustedFrom && height <= trustedHeight) {
      await sleep(200);
      height = BigInt(await chain.latestHeight());
    }
    const honest = clientHeader({ block: await chain.lightBlock(height), trustedHeight, trustedValidators: await trustedFrom.validatorSet(trustedHeight + 1n) });
    return ClientHeader.decode(ClientHeader.encode(honest).finish());
  }

  private async nextSequence(): Promise<bigint> {
    return (await this.dst.sequences(this.src.id)).inSequence + 1n;
  }

  /** A transfer entry of the source toward us with sequence `seq`, proven in a one-leaf tree of our own. */
  private forgedEntry(seq: bigint, height: bigint, returning: boolean): { entry: Uint8Array; proof: Uint8Array } {
    const payload = TransferPayload.encode({ sender: this.beneficiary, receiver: this.beneficiary, denom: returning ? "uqos" : "STAR", amount: Huge, returning }).finish();
    const entry = OutboxEntry.encode({ from: this.src.id, to: this.dst.id, sequence: seq, height, isResult: false, payloadType: Urls.TransferPayload, payload }).finish();
    const root = build([[outboxKey(this.dst.id, seq), entry]]);
    return { entry, proof: encodeProof(prove(root, outboxKeyBytes(this.dst.id, seq))) };
  }

  private recv(entry: Uint8Array, proofHeight: bigint, proof: Uint8Array) {
    return { typeUrl: Urls.MsgRecvQcp, value: MsgRecvQcp.fromPartial({ relayer: this.beneficiary, entry, proofHeight, proof }) };
  }

  private update(header: ClientHeader, chainId = this.src.id) {
    return { typeUrl: Urls.MsgUpdateClient, value: MsgUpdateClient.fromPartial({ signer: this.beneficiary, chainId, header }) };
  }

  /** Entry `seq` of the source's outbox toward us and its proof, as the source stores them at `height`. */
  private async realEntry(seq: bigint, height: bigint): Promise<{ entry: Uint8Array; proof: Uint8Array }> {
    const { value, proof } = await this.src.abciQuery("/store/key", outboxKeyBytes(this.dst.id, seq), Number(height), true);
    if (!proof || value.length === 0) throw new Error(`${this.src.id} has no entry #${seq} toward ${this.dst.id} at height ${height}`);
    return { entry: value, proof };
  }

  /** The message an attack sends. */
  private async build(attack: Attack) {
    switch (attack) {
      case "forged-tree-mint":
      case "forged-tree-release": {
        const at = await this.clientHeight(this.src.id);
        const { entry, proof } = this.forgedEntry(await this.nextSequence(), at - 1n, attack === "forged-tree-release");
        return this.recv(entry, at, proof);
      }
      case "tampered-entry": {
        // the last delivered entry, its sequence moved to the next one and its amount raised, under its real proof
        const at = await this.clientHeight(this.src.id);
        const next = await this.nextSequence();
        const real = await this.realEntry(next - 1n, at - 1n);
        const decoded = OutboxEntry.decode(real.entry);
        const payload = decoded.payloadType === Urls.TransferPayload ? { ...TransferPayload.decode(decoded.payload), receiver: this.beneficiary, amount: Huge } : undefined;
        const tampered = OutboxEntry.encode({ ...decoded, sequence: next, ...(payload ? { payload: TransferPayload.encode(payload).finish() } : {}) }).finish();
        return this.recv(tampered, at, real.proof);
      }
      case "unverified-height": {
        // a height the client has not verified (far ahead of the source): whatever the tree, no app hash to check against
        const height = BigInt(await this.src.latestHeight()) + 1000n;
        const { entry, proof } = this.forgedEntry(await this.nextSequence(), height - 1n, false);
        return this.recv(entry, height, proof);
      }
      case "entry-not-below-proof": {
        const at = await this.clientHeight(this.src.id);
        const { entry, proof } = this.forgedEntry(await this.nextSequence(), at, false);
        return this.recv(entry, at, proof);
      }
      case "replay": {
        const at = await this.clientHeight(this.src.id);
        const { entry, proof } = await this.realEntry(1n, at - 1n);
        return this.recv(entry, at, proof);
      }
      case "tampered-header": {
        const h = await this.header(this.src);
        h.signedHeader!.header!.appHash = createHash("sha256").update("forged state").digest();
        return this.update(h);
      }
      case "forged-signature": {
        const h = await this.header(this.src);
        const sig = h.signedHeader!.commit!.signatures.find((s) => s.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT)!;
        sig.signature = Uint8Array.from(sig.signature, (b, i) => (i === 0 ? b ^ 0xff : b));
        return this.update(h);
      }
      case "under-two-thirds": {
        // keep half of the signatures, all of trusted validators (so the trust level is met and only +2/3 fails)
        const h = await this.header(this.src);
        const trusted = new Set(h.trustedValidators!.validators.map((v) => Buffer.from(v.address).toString("hex")));
        const sigs = h.signedHeader!.commit!.signatures;
        let keep = Math.floor(sigs.length / 2);
        for (const s of sigs) {
          if (s.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT && keep > 0 && trusted.has(Buffer.from(s.validatorAddress).toString("hex"))) {
            keep--;
            continue;
          }
          Object.assign(s, { blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_ABSENT, validatorAddress: new Uint8Array(), timestamp: undefined, signature: new Uint8Array() });
        }
        return this.update(h);
      }
      case "wrong-trusted-validators": {
        const h = await this.header(this.src);
        h.trustedValidators!.validators[0].votingPower += 1n;
        h.trustedValidators!.totalVotingPower += 1n;
        return this.update(h);
      }
      case "other-chain-header":
        // a header of the destination itself, offered as one of the source
        return this.update(await this.header(this.dst, this.src));
      case "not-misbehaviour": {
        const h = await this.header(this.src);
        return { typeUrl: Urls.MsgSubmitMisbehaviour, value: MsgSubmitMisbehaviour.fromPartial({ signer: this.beneficiary, chainId: this.src.id, header1: h, header2: h }) };
      }
    }
  }

  /** Signs and sends `msgs` in one tx; the CheckTx refusal, or the block result with its gas_used. */
  private async send(msgs: Array<{ typeUrl: string; value: unknown }>): Promise<{ stage: "check" | "block"; code: number; codespace: string; log: string; gasUsed: bigint }> {
    const sent = await this.dst.signAndBroadcast(msgs, 2_000_000n * BigInt(msgs.length));
    if (sent.code !== 0) return { stage: "check", code: sent.code, codespace: "", log: sent.log, gasUsed: 0n };
    const res = await this.dst.waitForTx(sent.hash, 30_000);
    if (!res) throw new Error(`${this.route}: tx ${sent.hash} not committed`);
    const tx = await this.dst.rpc<{ tx_result: { gas_used: string } }>("tx", { hash: Buffer.from(sent.hash, "hex").toString("base64") });
    return { stage: "block", code: res.code, codespace: res.codespace, log: res.log, gasUsed: BigInt(tx.tx_result.gas_used) };
  }

  /** Sends one attack and records its outcome. */
  async run(attack: Attack): Promise<Outcome> {
    const { stage, code, codespace, log } = await this.send([await this.build(attack)]);
    const outcome: Outcome = { attack, route: this.route, stage, code, codespace, log };
    this.outcomes.push(outcome);
    return outcome;
  }

  /**
   * For the figures, this relayer once honest: the client updated to the source's latest header, then
   * the next entry delivered at that height, each alone in a tx; their gas_used (ante included). Only
   * while no other relayer delivers (the entry must still be the next one).
   */
  async honestUpdateAndRecv(): Promise<{ updateGas: bigint; recvGas: bigint; validators: number; adjacent: boolean }> {
    const h = await this.header(this.src);
    const update = await this.send([this.update(h)]);
    if (update.code !== 0) throw new Error(`${this.route}: honest update refused: ${update.log}`);
    const at = h.signedHeader!.header!.height;
    const { entry, proof } = await this.realEntry(await this.nextSequence(), at - 1n);
    const recv = await this.send([this.recv(entry, at, proof)]);
    if (recv.code !== 0) throw new Error(`${this.route}: honest delivery refused: ${recv.log}`);
    return { updateGas: update.gasUsed, recvGas: recv.gasUsed, validators: h.validatorSet!.validators.length, adjacent: at === h.trustedHeight + 1n };
  }

  /** Every attack once, in order. */
  async round(): Promise<Outcome[]> {
    const out: Outcome[] = [];
    for (const attack of Attacks) out.push(await this.run(attack));
    return out;
  }
}
