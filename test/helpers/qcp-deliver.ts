// QCP deliveries between in-process chains (test/helpers/app.ts), proven the trustless way (issue 12):
// the source chain gets a synthetic CometBFT validator set (deterministic ed25519 keys) that signs its
// headers; header H carries the source's app hash after block H - 1 and block H's time. A destination
// learns header H through MsgUpdateClient and then accepts MsgRecvQcp proven at proof_height = H, the
// proof queried from the source at H - 1.
//
//   const src = lightSource("src", srcApp);
//   createClientMsg(src, "dst", creator.address, ca, 2n)      // the first trusted header (QCP root CA)
//   await relayMsgs(src, dst, [1n, 2n], relayer.address)       // dst = lightSource("dst", dstApp)   // [MsgUpdateClient?, MsgRecvQcp #1, #2]
import type { EncodeObject } from "@cosmjs/proto-signing";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { GenesisTime, type TestApp } from "./app.js";
import { key, makeBlock, type Member } from "./light-chain.js";
import { issueCertificate, type CaKeyPair } from "../../app/certificate.js";
import { headerHash, type LightBlock } from "../../app/light/index.js";
import { protoValidatorSet as toProtoValidatorSet } from "../../sim/headers.js";

export { toProtoValidatorSet };
import { TypeUrl } from "../../gen/names.js";
import { MsgCreateClient, MsgRecvQcp, MsgUpdateClient } from "../../gen/qos/qcp/v1/tx.js";
import type { ClientHeader } from "../../gen/qos/qcp/v1/types.js";
import { OutboxEntry } from "../../gen/qos/qcp/v1/types.js";
import type { SignedHeader } from "../../gen/tendermint/types/types.js";
import { outboxKey } from "../../modules/qcp/index.js";

const Urls = TypeUrl.qos.qcp.v1;

/** A chain driven through ABCI in-process, with the validators that sign its headers. */
export interface LightSource {
  id: string;
  t: TestApp;
  /** the validators of height h (who sign header h; header h names membersAt(h + 1) as next) */
  membersAt: (h: bigint) => readonly Member[];
  /** header h's time: block h's time by default (see `sameSecond`) */
  timeAt?: (h: bigint) => Timestamp;
}

/** Header times for chains that advance at different rates in a test (each block is 1 s in TestApp): all
 *  in genesis second, ordered by nanoseconds, so no header is ever ahead of another chain's clock. */
export const sameSecond = (h: bigint): Timestamp => ({ seconds: GenesisTime.seconds, nanos: Number(h) });

/** Four validators of power 10 with keys named after the chain (the same set at every height). */
export const fixedMembers = (chainId: string): Member[] => [0, 1, 2, 3].map((i) => ({ key: key(`${chainId}/validator-${i}`), power: 10n }));

export function lightSource(id: string, t: TestApp, opts: { membersAt?: (h: bigint) => readonly Member[]; timeAt?: (h: bigint) => Timestamp } = {}): LightSource {
  const fixed = fixedMembers(id);
  return { id, t, membersAt: opts.membersAt ?? (() => fixed), timeAt: opts.timeAt };
}

/** Signed header `height` of the source with its set: app hash = the root after block height - 1 (header 1:
 *  InitChain's, the genesis state's). */
export function sourceBlock(src: LightSource, height: bigint): LightBlock {
  const appHash = height === 1n ? src.t.genesisAppHash : src.t.app.store.at(Number(height) - 1)?.appHash;
  const seconds = src.t.times.get(Number(height));
  if (!appHash || seconds === undefined) throw new Error(`${src.id} has no block ${height} (or no state at ${height - 1n}) to sign`);
  return makeBlock({
    height, chainId: src.id, members: src.membersAt(height), nextMembers: src.membersAt(height + 1n), time: src.timeAt?.(height) ?? { seconds, nanos: 0 }, appHash,
  });
}

const protoSignedHeader = (b: LightBlock): SignedHeader => b.signedHeader as unknown as SignedHeader;

/** Header `height`, to be verified from the client's consensus state at `trustedHeight`. */
export function clientHeader(src: LightSource, height: bigint, trustedHeight: bigint): ClientHeader {
  const block = sourceBlock(src, height);
  // the trusted state's next_validators_hash names the set of trustedHeight + 1
  const trusted = makeBlock({ height: trustedHeight + 1n, chainId: src.id, members: src.membersAt(trustedHeight + 1n), nextMembers: [] }).validatorSet;
  return { signedHeader: protoSignedHeader(block), validatorSet: toProtoValidatorSet(block.validatorSet), trustedHeight, trustedValidators: toProtoValidatorSet(trusted) };
}

/** A QCP root CA certificate for the destination `dstId` trusting header `height` of the source. */
export function clientCertificate(src: LightSource, dstId: string, ca: CaKeyPair, height: bigint): Uint8Array {
  const header = sourceBlock(src, height).signedHeader.header;
  return issueCertificate(ca, {
    qcp: { chainId: dstId, qcpChain: src.id, relayerPublicKey: new Uint8Array(), trustedHeaderHash: headerHash(header) },
    notBefore: GenesisTime.seconds - 10n, notAfter: GenesisTime.seconds + 10_000_000n,
  });
}

export function createClientMsg(src: LightSource, dstId: string, creator: string, ca: CaKeyPair, height: bigint): EncodeObject {
  const block = sourceBlock(src, height);
  return {
    typeUrl: Urls.MsgCreateClient,
    value: MsgCreateClient.fromPartial({
      creator, certificate: clientCertificate(src, dstId, ca, height), signedHeader: protoSignedHeader(block), validatorSet: toProtoValidatorSet(block.validatorSet),
    }),
  };
}

export function updateClientMsg(src: LightSource, signer: string, height: bigint, trustedHeight: bigint): EncodeObject {
  return { typeUrl: Urls.MsgUpdateClient, value: MsgUpdateClient.fromPartial({ signer, chainId: src.id, header: clientHeader(src, height, trustedHeight) }) };
}

/** MsgRecvQcp of entry `seq` of the source's outbox toward `to`, proven at `proofHeight` (default: the
 *  source's latest height): the proof is queried at proofHeight - 1, whose root header proofHeight carries. */
export function recvMsg(src: LightSource, to: string, seq: bigint, relayer: string, proofHeight = BigInt(src.t.height)): EncodeObject {
  const res = src.t.app.query({ path: "/store/key", data: Buffer.from(outboxKey(to, seq), "latin1"), height: proofHeight - 1n, prove: true });
  if (res.code !== 0 || res.value.length === 0 || !res.proofOps) throw new Error(`${src.id} has no entry #${seq} toward ${to} at height ${proofHeight - 1n}: ${res.log}`);
  return { typeUrl: Urls.MsgRecvQcp, value: MsgRecvQcp.fromPartial({ relayer, entry: res.value, proofHeight, proof: res.proofOps.ops[0].data }) };
}

/** The height the destination's client of `src` has verified up to (0 when it has no client). */
export function clientHeight(dst: TestApp, srcId: string): bigint {
  return dst.app.keepers.qcp.getClient(dst.app.store.latest.reader, srcId)?.latestHeight ?? 0n;
}

/**
 * What an honest relayer sends to deliver entries `seqs` (ascending) of `src`'s outbox to `dst`: a
 * MsgUpdateClient to the source's latest header when the client is behind it, then the MsgRecvQcps
 * proven at that height. An entry written in the source's latest block is provable only by the next
 * header, so the source makes an empty block first when needed.
 */
export async function relayMsgs(src: LightSource, dst: LightSource, seqs: readonly bigint[], relayer: string): Promise<EncodeObject[]> {
  const to = dst.id;
  for (const seq of seqs) {
    const raw = src.t.app.keepers.qcp.getEntryBytes(src.t.app.store.latest.reader, to, seq);
    if (!raw) throw new Error(`${src.id} has no entry #${seq} toward ${to}`);
    if (OutboxEntry.decode(raw).height >= BigInt(src.t.height)) await src.t.block([]);
  }
  const height = BigInt(src.t.height);
  const trusted = clientHeight(dst.t, src.id);
  const msgs: EncodeObject[] = trusted < height ? [updateClientMsg(src, relayer, height, trusted)] : [];
  return [...msgs, ...seqs.map((seq) => recvMsg(src, to, seq, relayer, height))];
}
