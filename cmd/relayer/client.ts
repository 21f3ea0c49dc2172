// The destination's light client of the source, as the relayer keeps it: read its latest height,
// plan the MsgUpdateClient headers that take it to a newer source header, and turn a source header
// that conflicts with a stored consensus state into MsgSubmitMisbehaviour. Every header is checked
// here by the on-chain rule before it is sent (a lying source node costs a failed round, not gas):
// the trusted side is a stored consensus state and the set whose hash is its next_validators_hash,
// i.e. the source's set at trusted height + 1 (IBC's 07-tendermint rule). That is why the bisection
// below is its own loop and not app/light's verifyBisection, which trusts the set AT the trusted
// height: a path it found could be refused on chain when the set changed at trusted height + 1.
import type { EncodeObject } from "@cosmjs/proto-signing";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import {
  DefaultTrustLevel, headerHash, LightClientError, toProtoValidatorSet, verify,
  type LightBlock, type SignedHeader, type ValidatorSet, type VerifyOptions,
} from "../../app/light/index.js";
import type { QueryClientResponse, SubstituteInfo } from "../../gen/qos/qcp/v1/query.js";
import { MsgSubmitMisbehaviour, MsgUpdateClient } from "../../gen/qos/qcp/v1/tx.js";
import { ClientHeader, type ConsensusState } from "../../gen/qos/qcp/v1/types.js";
import type { SignedHeader as ProtoSignedHeader } from "../../gen/tendermint/types/types.js";
import { TypeUrl } from "../../gen/names.js";
import { EventTypes } from "../../modules/qcp/events.js";

const S = 1_000_000_000n;
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

/** Where headers and sets of the source come from (a ChainClient; a fake one in tests). */
export interface HeaderSource {
  readonly id: string;
  lightBlock(height: bigint): Promise<LightBlock>;
  validatorSet(height: bigint): Promise<ValidatorSet>;
}

/** Where the destination's client data and history come from. */
export interface ClientChain {
  consensusState(chain: string, height: bigint): Promise<{ consensusState?: ConsensusState } | undefined>;
  searchTxs(query: string, perPage?: number): Promise<Uint8Array[]>;
}

/** What the relayer needs of a Client query answer. */
export interface ClientView {
  chainId: string;
  latestHeight: bigint;
  status: string;
  frozenHeight: bigint;
  trustingPeriodSeconds: bigint;
  opts: VerifyOptions;
  latest?: ConsensusState;
}

/** A substitute client (Query/Substitutes) seen as a client, with its id. */
export const substituteView = (info: SubstituteInfo): ClientView & { id: bigint } =>
  ({ ...clientView({ clientState: info.substitute!.client, status: info.status, latestConsensusState: info.latestConsensusState }), id: info.substitute!.id });

export function clientView(res: QueryClientResponse): ClientView {
  const c = res.clientState!;
  return {
    chainId: c.chainId,
    latestHeight: c.latestHeight,
    status: res.status,
    frozenHeight: c.frozenHeight,
    trustingPeriodSeconds: c.trustingPeriodSeconds,
    opts: {
      trustingPeriod: c.trustingPeriodSeconds * S,
      maxClockDrift: c.maxClockDriftSeconds * S,
      trustLevel: c.trustLevelDenominator > 0n ? { numerator: c.trustLevelNumerator, denominator: c.trustLevelDenominator } : DefaultTrustLevel,
    },
    latest: res.latestConsensusState,
  };
}

/** Seconds until the client expires (its latest consensus state leaves the trusting period) at `nowMs`. */
export function headroomSeconds(view: ClientView, nowMs: number): number {
  if (!view.latest?.timestamp) return 0;
  return Number(view.latest.timestamp.seconds + view.trustingPeriodSeconds) - Math.floor(nowMs / 1000);
}

export const timestampOf = (ms: number): Timestamp => ({ seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 });

/** The library's signed header (cosmjs-types shapes) as the generated proto type: the same fields. */
export const toProtoSignedHeader = (sh: SignedHeader): ProtoSignedHeader => sh as unknown as ProtoSignedHeader;

/** One verified step: `block`, to be verified on chain from the consensus state at `trustedHeight`. */
export interface UpdateStep {
  block: LightBlock;
  trustedHeight: bigint;
  trustedValidators: ValidatorSet;
}

export const clientHeader = (step: UpdateStep): ClientHeader => ClientHeader.fromPartial({
  signedHeader: toProtoSignedHeader(step.block.signedHeader),
  validatorSet: toProtoValidatorSet(step.block.validatorSet),
  trustedHeight: step.trustedHeight,
  trustedValidators: toProtoValidatorSet(step.trustedValidators),
});

/** MsgUpdateClient of the client deliveries use, or (substituteId > 0) of that substitute client. */
export const updateMsg = (signer: string, chainId: string, step: UpdateStep, substituteId = 0n): EncodeObject =>
  ({ typeUrl: TypeUrl.qos.qcp.v1.MsgUpdateClient, value: MsgUpdateClient.fromPartial({ signer, chainId, header: clientHeader(step), substituteId }) });

/**
 * The steps from the consensus state at `trusted` (the source's header of that height, whose hash the
 * caller has matched with the stored one) to `target`: one step when the client can skip there
 * (adjacent: +2/3 of the next set; else more than the trust level of the trusted next set and +2/3 of
 * the target's own set), otherwise through pivots halfway, as CometBFT's verifySkipping. Throws the
 * library's LightClientError when a step fails for any reason other than too little trust.
 */
export async function updatePath(src: HeaderSource, trusted: SignedHeader, target: LightBlock, opts: VerifyOptions, now: Timestamp): Promise<UpdateStep[]> {
  const steps: UpdateStep[] = [];
  let from = trusted;
  let fromNext = await src.validatorSet(trusted.header.height + 1n);
  const pending: LightBlock[] = [target];
  while (pending.length > 0) {
    const candidate = pending[pending.length - 1];
    const fromHeight = from.header.height, toHeight = candidate.signedHeader.header.height;
    try {
      verify({ signedHeader: from, validatorSet: fromNext }, candidate, opts, now);
    } catch (e) {
      if (!(e instanceof LightClientError) || e.reason !== "insufficient_trust") throw e;
      // too little of the trusted set signed: try the header halfway first (never adjacent here,
      // since an adjacent step does not use the trust level)
      pending.push(await src.lightBlock(fromHeight + (toHeight - fromHeight) / 2n));
      continue;
    }
    pending.pop();
    steps.push({ block: candidate, trustedHeight: fromHeight, trustedValidators: fromNext });
    if (pending.length > 0) {
      from = candidate.signedHeader;
      fromNext = await src.validatorSet(toHeight + 1n);
    }
  }
  return steps;
}

/** The source's header at `height` conflicts with what the client stored there (different header hash). */
export const conflicts = (stored: ConsensusState, ours: SignedHeader): boolean => !sameBytes(stored.headerHash, headerHash(ours.header));

/**
 * The header the destination's client was updated with at `height` (hash `storedHash`): the
 * MsgUpdateClient of the destination's committed tx that wrote it (found by the client's update event
 * for that chain and height); undefined if none carries it.
 */
export async function findStoredHeader(dst: ClientChain, chainId: string, height: bigint, storedHash: Uint8Array): Promise<ClientHeader | undefined> {
  const query = `${EventTypes.clientUpdated}.chain='${chainId}' AND ${EventTypes.clientUpdated}.height=${height}`;
  for (const raw of await dst.searchTxs(query)) {
    for (const any of TxBody.decode(TxRaw.decode(raw).bodyBytes).messages) {
      if (any.typeUrl !== TypeUrl.qos.qcp.v1.MsgUpdateClient) continue;
      const msg = MsgUpdateClient.decode(any.value);
      const header = msg.header?.signedHeader?.header;
      if (msg.chainId !== chainId || !header || header.height !== height) continue;
      if (sameBytes(headerHash(header as never), storedHash)) return msg.header;
    }
  }
  return undefined;
}

/**
 * Misbehaviour at `height`: the client stores a header that the source's own header there contradicts.
 * Returns the messages that freeze the client: MsgSubmitMisbehaviour with the source's header (verified
 * from the conflicting update's trusted height, which the source's chain must agree with; any bisection
 * steps before it as updates) and the stored one. Without the stored header (not found), or with
 * `viaUpdate` (the destination refused the misbehaviour message), a MsgUpdateClient with the source's
 * header at that height freezes the client just the same.
 */
export async function misbehaviourMsgs(
  src: HeaderSource, dst: ClientChain, signer: string, view: ClientView, height: bigint, stored: ConsensusState, now: Timestamp, viaUpdate = false,
): Promise<EncodeObject[]> {
  const ours = await src.lightBlock(height);
  const theirs = await findStoredHeader(dst, src.id, height, stored.headerHash);
  // a trusted height both sides agree on: the conflicting update's own, else walk down from below
  const candidates = theirs ? [theirs.trustedHeight] : [];
  for (let h = height - 1n; h >= 1n && candidates.length < 8; h--) if (!candidates.includes(h)) candidates.push(h);
  for (const trustedHeight of candidates) {
    const state = (await dst.consensusState(src.id, trustedHeight))?.consensusState;
    if (!state) continue;
    const trusted = (await src.lightBlock(trustedHeight)).signedHeader;
    if (conflicts(state, trusted)) continue;
    const steps = await updatePath(src, trusted, ours, view.opts, now);
    const last = steps.pop()!;
    const msgs = steps.map((s) => updateMsg(signer, src.id, s));
    if (theirs && !viaUpdate) {
      msgs.push({
        typeUrl: TypeUrl.qos.qcp.v1.MsgSubmitMisbehaviour,
        value: MsgSubmitMisbehaviour.fromPartial({ signer, chainId: src.id, header1: clientHeader(last), header2: theirs }),
      });
    } else {
      msgs.push(updateMsg(signer, src.id, last));
    }
    return msgs;
  }
  throw new Error(`the client of ${src.id} stores a header at ${height} (${hex(stored.headerHash)}) that ${src.id} contradicts (${hex(headerHash(ours.signedHeader.header))}), but no consensus state below it agrees with ${src.id} to prove it from`);
}
