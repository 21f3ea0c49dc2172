// The on-chain light client of each counterpart chain (D12, issue 12): CometBFT's light-client rules
// (app/light) applied to headers that anyone submits, so that deliveries are checked against app hashes
// the counterpart's validators signed, never against what a relayer says.
//
// MsgCreateClient (a QCP root CA certificate for exactly this header): certificate → client absent →
//   header valid for the counterpart, its set hashes to validators_hash, +2/3 of it signed → within the
//   trusting period and not from the future → ChainInfo registered if new, ClientState (parameters from
//   qcp params), ConsensusState at the header's height.
// MsgUpdateClient (anyone): client exists, not frozen, not expired → a header already stored at that
//   height with the same hash is a no-op → verified from the consensus state at trusted_height with the
//   supplied trusted set (adjacent: +2/3 of it; skipping: the trust level of it and +2/3 of the header's
//   own set) → a different stored header at that height, or a time out of order with the neighbouring
//   stored states, FREEZES the client (the tx succeeds so that the freeze commits) → else the
//   ConsensusState is stored, latest_height moves up and expired old states are pruned.
// MsgSubmitMisbehaviour (anyone): two headers at one height with different hashes, or a higher one not
//   later in time, each verified from its own trusted height → frozen_height, event qcp_client_frozen.
// Recovery (IBC's substitute client): MsgCreateSubstitute (anyone, only while the chain's client is
//   frozen or expired) → a substitute client of that chain, trusting a header as a certified one is
//   trusted, stored apart (keeper qcp/u, qcp/t); MsgUpdateClient with substitute_id updates it by the
//   same rules (same codes); governance's RecoverClientProposal copies its latest consensus state into
//   the frozen or expired client (see recoverProposals).
// Cost: set and commit sizes are bounded in checkStateless, and every signature that may be verified is
// charged (GasCosts.sigVerifyEd25519) before any ed25519 work.
import { parseAccAddress } from "../../app/address.js";
import { checkCertificateSize } from "../../app/certificate.js";
import type { ErrorDef } from "../../app/errors.js";
import { GasCosts } from "../../app/gas.js";
import {
  fromProtoValidatorSet, headerExpired, headerHash, LightClientError, lightBlockFromProto, timeToNanos, validateSignedHeader, validatorSetHash,
  verifyCommitLight, verifyFromTrustedState, type LightBlock, type LightRefusal, type ValidatorSet,
} from "../../app/light/index.js";
import { blockSeconds, type Context, type MsgHandler } from "../../app/module.js";
import { TypeUrl } from "../../gen/names.js";
import type { Timestamp } from "../../gen/google/protobuf/timestamp.js";
import type { Commit } from "../../gen/tendermint/types/types.js";
import { BlockIDFlag } from "../../gen/tendermint/types/validator.js";
import {
  MsgCreateClient, MsgCreateClientResponse, MsgCreateSubstitute, MsgCreateSubstituteResponse, MsgSubmitMisbehaviour, MsgSubmitMisbehaviourResponse, MsgUpdateClient, MsgUpdateClientResponse,
} from "../../gen/qos/qcp/v1/tx.js";
import type { ClientHeader, ClientProposal, ClientState, ConsensusState, RecoverClientProposal, SubstituteClient } from "../../gen/qos/qcp/v1/types.js";
import { QcpErrors } from "./errors.js";
import * as events from "./events.js";
import { requireActive, requireActiveSubstitute, type ClientSlot, type QcpKeeper } from "./keeper.js";
import { bytesEqual, certificateErrors, checkChainId, requireQcpSubject } from "./msgs.js";
import { clientParams } from "./params.js";

const Urls = TypeUrl.qos.qcp.v1;

/** Largest validator set a header may carry (CometBFT's own networks run 100-175 validators); with
 *  signatures <= validators it bounds the work of one header before any of it is done. */
export const MaxClientValidators = 175;

/** Gas a substitute's creation costs over its signature checks and writes: anyone may create one, so
 *  filling a chain's client_max_substitutes slots with junk must cost real fees (about 20 updates). */
export const SubstituteCreateGas = 1_000_000n;

/** Each refusal of the library has its own code, so a relayer (and a test) knows exactly what failed. */
const RefusalErrors: Record<LightRefusal, ErrorDef> = {
  invalid_header: QcpErrors.invalidHeader,
  not_adjacent: QcpErrors.invalidHeader, // cannot happen here: the client picks the rule by height
  invalid_trust_level: QcpErrors.invalidHeader, // cannot happen here: params are validated
  wrong_chain_id: QcpErrors.headerWrongChain,
  non_monotonic_height: QcpErrors.headerNonMonotonicHeight,
  non_monotonic_time: QcpErrors.headerNonMonotonicTime,
  header_from_future: QcpErrors.headerFromFuture,
  trust_expired: QcpErrors.trustExpired,
  validator_set_hash: QcpErrors.validatorSetMismatch,
  next_validators_mismatch: QcpErrors.nextValidatorsMismatch,
  trusted_validators_hash: QcpErrors.trustedValidatorsMismatch,
  forged_signature: QcpErrors.forgedSignature,
  insufficient_voting_power: QcpErrors.insufficientVotingPower,
  insufficient_trust: QcpErrors.insufficientTrust,
};

/** Runs library code; a LightClientError becomes qcp's numbered error with the library's message. */
function light<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof LightClientError) throw RefusalErrors[e.reason].with(e.message);
    throw e;
  }
}

/** the block time as the library takes it (D7: never a clock) */
const blockTime = (ctx: Pick<Context, "block">): Timestamp => ({
  seconds: blockSeconds(ctx.block), nanos: Number(((ctx.block.timeNs % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n),
});
const seconds = (s: number | bigint): bigint => BigInt(s) * 1_000_000_000n;

function checkSetSize(vals: ValidatorSet, what: string): void {
  if (vals.validators.length === 0 || vals.validators.length > MaxClientValidators) {
    throw QcpErrors.invalidHeader.with(`${what} has ${vals.validators.length} validators, 1-${MaxClientValidators} allowed`);
  }
}

/** A light block from a message, its sizes bounded (signatures <= validators <= MaxClientValidators). */
function parseLightBlock(signedHeader: Parameters<typeof lightBlockFromProto>[0], validatorSet: Parameters<typeof lightBlockFromProto>[1]): LightBlock {
  const block = light(() => lightBlockFromProto(signedHeader, validatorSet));
  checkSetSize(block.validatorSet, "validator_set");
  const signatures = block.signedHeader.commit.signatures.length;
  if (signatures > block.validatorSet.validators.length) {
    throw QcpErrors.invalidHeader.with(`commit has ${signatures} signatures for ${block.validatorSet.validators.length} validators`);
  }
  return block;
}

/** Charged before the signatures are checked: each signed vote of the commit, `times` checks at most. */
function chargeSignatures(ctx: Context, commit: Pick<Commit, "signatures">, times: bigint): void {
  const signed = BigInt(commit.signatures.filter((s) => s.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_COMMIT).length);
  ctx.gas.consume(GasCosts.sigVerifyEd25519 * signed * times, "light client signatures");
}

/** MsgUpdateClient's header parsed once: the light block, the trusted set and the header's hash. */
export interface ParsedClientHeader {
  block: LightBlock;
  height: bigint;
  hash: Uint8Array;
  trustedHeight: bigint;
  trustedValidators: ValidatorSet;
}

export function parseClientHeader(h: ClientHeader | undefined, what: string): ParsedClientHeader {
  if (!h) throw QcpErrors.invalidHeader.with(`${what} is missing`);
  const block = parseLightBlock(h.signedHeader, h.validatorSet);
  if (!h.trustedValidators) throw QcpErrors.invalidHeader.with(`${what}.trusted_validators is missing`);
  const trustedValidators = light(() => fromProtoValidatorSet(h.trustedValidators!));
  checkSetSize(trustedValidators, `${what}.trusted_validators`);
  if (h.trustedHeight <= 0n) throw QcpErrors.invalidHeader.with(`${what}.trusted_height must be positive`);
  const header = block.signedHeader.header;
  return { block, height: header.height, hash: headerHash(header), trustedHeight: h.trustedHeight, trustedValidators };
}

/** What a client keeps of a verified header. */
const consensusStateOf = (block: LightBlock, hash: Uint8Array): ConsensusState => {
  const h = block.signedHeader.header;
  return { timestamp: h.time, appHash: h.appHash, nextValidatorsHash: h.nextValidatorsHash, headerHash: hash };
};
const stateTime = (s: ConsensusState): bigint => timeToNanos(s.timestamp ?? { seconds: 0n, nanos: 0 });

export function clientHandlers(keeper: QcpKeeper) {
  /** the client of `chain`, refused unless active at this block's time */
  function requireActiveClient(ctx: Context, chain: string): ClientState {
    const client = keeper.getClient(ctx.store, chain);
    requireActive(chain, client && keeper.clientStatus(ctx.store, chain, blockSeconds(ctx.block)), () => client!.frozenHeight);
    return client!;
  }

  /** Substitute `id`, refused unless it exists, is of `chain` and is active at this block's time. */
  function requireActiveSubstituteOf(ctx: Context, chain: string, id: bigint): [ClientSlot, ClientState] {
    const sub = keeper.getSubstitute(ctx.store, id);
    if (sub && sub.client!.chainId !== chain) throw QcpErrors.substituteWrongChain.with(`substitute client ${id} is of ${sub.client!.chainId}, not ${chain}`);
    const slot = sub && keeper.substituteSlot(sub);
    requireActiveSubstitute(id, slot && keeper.slotStatus(ctx.store, slot, blockSeconds(ctx.block)));
    return [slot!, sub!.client!];
  }

  /** Verifies `p` from the slot's consensus state at p.trustedHeight (the library's rules, block time). */
  function verifyHeader(ctx: Context, slot: ClientSlot, client: ClientState, p: ParsedClientHeader): void {
    const trusted = slot.getState(ctx.store, p.trustedHeight);
    if (!trusted?.timestamp) throw QcpErrors.consensusStateNotFound.with(`the client of ${client.chainId} has no consensus state at trusted height ${p.trustedHeight}`);
    const adjacent = p.height === p.trustedHeight + 1n;
    chargeSignatures(ctx, p.block.signedHeader.commit, adjacent ? 1n : 2n);
    light(() => verifyFromTrustedState(
      { chainId: client.chainId, height: p.trustedHeight, time: trusted.timestamp!, nextValidatorsHash: trusted.nextValidatorsHash },
      p.trustedValidators, p.block,
      {
        trustingPeriod: seconds(client.trustingPeriodSeconds), maxClockDrift: seconds(client.maxClockDriftSeconds),
        trustLevel: { numerator: client.trustLevelNumerator, denominator: client.trustLevelDenominator },
      },
      blockTime(ctx),
    ));
  }

  /** Freezes the client: deliveries are refused until governance replaces or recovers it. */
  function freeze(ctx: Context, slot: ClientSlot, client: ClientState, height: bigint, reason: "conflicting_header" | "time_monotonicity"): void {
    slot.setClient(ctx.store, { ...client, frozenHeight: height });
    ctx.events.push(slot.substitute === 0n
      ? events.clientFrozenEvent(client.chainId, height, reason)
      : events.substituteFrozenEvent(client.chainId, slot.substitute, height, reason));
  }

  /**
   * A verified header at `p.height`: stored, unless it contradicts what the client holds (another header
   * at that height, or a time not strictly between its stored neighbours' times), which freezes the
   * client. Returns whether it froze.
   */
  function admitVerified(ctx: Context, slot: ClientSlot, client: ClientState, p: ParsedClientHeader, existing: ConsensusState | undefined): boolean {
    const chain = client.chainId;
    if (existing) {
      freeze(ctx, slot, client, p.height, "conflicting_header");
      return true;
    }
    const time = timeToNanos(p.block.signedHeader.header.time);
    let previous: ConsensusState | undefined;
    for (const [, state] of slot.statesBetween(ctx.store, p.trustedHeight, p.height)) previous = state;
    const next = slot.statesBetween(ctx.store, p.height + 1n).next().value?.[1];
    if ((previous && stateTime(previous) >= time) || (next && stateTime(next) <= time)) {
      freeze(ctx, slot, client, p.height, "time_monotonicity");
      return true;
    }
    slot.setState(ctx.store, p.height, consensusStateOf(p.block, p.hash));
    const latestHeight = p.height > client.latestHeight ? p.height : client.latestHeight;
    if (latestHeight !== client.latestHeight) slot.setClient(ctx.store, { ...client, latestHeight });
    ctx.events.push(slot.substitute === 0n
      ? events.clientUpdatedEvent(chain, p.height, p.trustedHeight)
      : events.substituteUpdatedEvent(chain, slot.substitute, p.height, p.trustedHeight));
    prune(ctx, slot, client, latestHeight);
    return false;
  }

  /**
   * Removes the oldest consensus states that are past the client's trusting period at block time (no
   * header can be verified from them any more), at most client_max_prune_per_update per update so the
   * work of one update stays bounded, never the latest. Stored states are in time order (an update out of
   * order freezes the client), so the expired ones are the lowest heights.
   */
  function prune(ctx: Context, slot: ClientSlot, client: ClientState, latestHeight: bigint): void {
    const max = clientParams(keeper.getParams(ctx.store)).maxPrunePerUpdate;
    const horizon = timeToNanos(blockTime(ctx)) - seconds(client.trustingPeriodSeconds);
    const expired: bigint[] = [];
    for (const [height, state] of slot.statesBetween(ctx.store, 0n, latestHeight)) {
      if (expired.length >= max || stateTime(state) > horizon) break;
      expired.push(height);
    }
    for (const height of expired) slot.deleteState(ctx.store, height);
  }

  /**
   * A header trusted without a previous state (by a certificate or a vote): valid for `chain`, its set
   * hashes to validators_hash, within the trusting period and not from the future at block time, and
   * +2/3 of its set signed (charged before the signatures are checked).
   */
  function verifyTrustedHeader(ctx: Context, chain: string, block: LightBlock): void {
    const header = block.signedHeader.header;
    const params = clientParams(keeper.getParams(ctx.store));
    const now = blockTime(ctx);
    light(() => {
      validateSignedHeader(block.signedHeader, chain);
      const vh = validatorSetHash(block.validatorSet);
      if (!bytesEqual(vh, header.validatorsHash)) {
        throw new LightClientError("validator_set_hash", `header validators (${Buffer.from(header.validatorsHash).toString("hex").toUpperCase()}) do not match those supplied (${Buffer.from(vh).toString("hex").toUpperCase()})`);
      }
      if (headerExpired(header, seconds(params.trustingPeriodSeconds), now)) throw new LightClientError("trust_expired", `header of height ${header.height} is older than the trusting period`);
      if (timeToNanos(header.time) >= timeToNanos(now) + seconds(params.maxClockDriftSeconds)) {
        throw new LightClientError("header_from_future", `header time is beyond block time + ${params.maxClockDriftSeconds} s`);
      }
    });
    chargeSignatures(ctx, block.signedHeader.commit, 1n);
    light(() => verifyCommitLight(block.validatorSet, chain, block.signedHeader.commit.blockId, header.height, block.signedHeader.commit));
  }

  /** A client of `chain` trusting a header of `height`, its parameters from qcp params now. */
  function newClientState(ctx: Context, chain: string, height: bigint): ClientState {
    const params = clientParams(keeper.getParams(ctx.store));
    return {
      chainId: chain,
      trustLevelNumerator: params.trustLevel.numerator,
      trustLevelDenominator: params.trustLevel.denominator,
      trustingPeriodSeconds: BigInt(params.trustingPeriodSeconds),
      maxClockDriftSeconds: BigInt(params.maxClockDriftSeconds),
      latestHeight: height,
      frozenHeight: 0n,
    };
  }

  /** A new client of `chain` trusting `block` (parameters from qcp params now), the chain registered if new. */
  function installClient(ctx: Context, chain: string, block: LightBlock, hash: Uint8Array): void {
    const header = block.signedHeader.header;
    const state = newClientState(ctx, chain, header.height);
    if (!keeper.getChain(ctx.store, chain)) keeper.setChain(ctx.store, { chainId: chain, relayers: [] });
    keeper.setClient(ctx.store, state);
    keeper.setConsensusState(ctx.store, chain, header.height, consensusStateOf(block, hash));
    ctx.events.push(events.clientCreatedEvent(chain, header.height));
  }

  interface ParsedCreate {
    msg: MsgCreateClient;
    block: LightBlock;
  }
  const create: MsgHandler<MsgCreateClient, ParsedCreate> = {
    typeUrl: Urls.MsgCreateClient,
    codec: MsgCreateClient,
    signers: (msg) => [msg.creator],
    checkStateless(msg) {
      parseAccAddress(msg.creator, "creator");
      checkCertificateSize(msg.certificate, certificateErrors);
      return { msg, block: parseLightBlock(msg.signedHeader, msg.validatorSet) };
    },
    execute(ctx, { msg, block }) {
      const subject = requireQcpSubject(ctx, keeper, msg.certificate, "this chain's genesis has no qcp.root_ca_public_key: no client can be created but by governance");
      const chain = subject.qcpChain;
      if (subject.relayerPublicKey.length !== 0) throw QcpErrors.invalidCertificate.with("a client certificate names no relayer key");
      const header = block.signedHeader.header;
      const hash = headerHash(header);
      if (subject.trustedHeaderHash.length !== 32 || !bytesEqual(subject.trustedHeaderHash, hash)) {
        throw QcpErrors.invalidCertificate.with(`certificate trusts header ${Buffer.from(subject.trustedHeaderHash).toString("hex").toUpperCase()}, the message carries ${Buffer.from(hash).toString("hex").toUpperCase()}`);
      }
      if (keeper.getClient(ctx.store, chain)) throw QcpErrors.clientExists.with(`chain ${chain} has a client; governance replaces it`);
      verifyTrustedHeader(ctx, chain, block);
      installClient(ctx, chain, block, hash);
      return { typeUrl: Urls.MsgCreateClientResponse, value: MsgCreateClientResponse.encode({ chainId: chain, height: header.height }).finish() };
    },
  };

  interface ParsedUpdate {
    msg: MsgUpdateClient;
    header: ParsedClientHeader;
  }
  const update: MsgHandler<MsgUpdateClient, ParsedUpdate> = {
    typeUrl: Urls.MsgUpdateClient,
    codec: MsgUpdateClient,
    signers: (msg) => [msg.signer],
    checkStateless(msg) {
      parseAccAddress(msg.signer, "signer");
      checkChainId(msg.chainId, "chain_id");
      return { msg, header: parseClientHeader(msg.header, "header") };
    },
    execute(ctx, { msg, header: p }) {
      const [slot, client] = msg.substituteId === 0n
        ? [keeper.clientSlot(msg.chainId), requireActiveClient(ctx, msg.chainId)]
        : requireActiveSubstituteOf(ctx, msg.chainId, msg.substituteId);
      const existing = slot.getState(ctx.store, p.height);
      let frozen = false;
      // the same header again (two relayers racing): nothing to verify, nothing changes
      if (!existing || !bytesEqual(existing.headerHash, p.hash)) {
        verifyHeader(ctx, slot, client, p);
        frozen = admitVerified(ctx, slot, client, p, existing);
      }
      return { typeUrl: Urls.MsgUpdateClientResponse, value: MsgUpdateClientResponse.encode({ height: p.height, frozen }).finish() };
    },
  };

  interface ParsedMisbehaviour {
    msg: MsgSubmitMisbehaviour;
    header1: ParsedClientHeader;
    header2: ParsedClientHeader;
  }
  /**
   * MsgSubmitMisbehaviour (anyone): two headers that cannot both be honest (checked first, before any
   * signature work), each verified from its own trusted height, freeze the client at the higher height.
   */
  const misbehaviour: MsgHandler<MsgSubmitMisbehaviour, ParsedMisbehaviour> = {
    typeUrl: Urls.MsgSubmitMisbehaviour,
    codec: MsgSubmitMisbehaviour,
    signers: (msg) => [msg.signer],
    checkStateless(msg) {
      parseAccAddress(msg.signer, "signer");
      checkChainId(msg.chainId, "chain_id");
      return { msg, header1: parseClientHeader(msg.header1, "header_1"), header2: parseClientHeader(msg.header2, "header_2") };
    },
    execute(ctx, { msg, header1, header2 }) {
      const client = requireActiveClient(ctx, msg.chainId);
      // `high` is the header of the greater height (header_1 when equal)
      const [high, low] = header2.height > header1.height ? [header2, header1] : [header1, header2];
      const time = (p: ParsedClientHeader) => timeToNanos(p.block.signedHeader.header.time);
      let reason: "conflicting_header" | "time_monotonicity";
      if (high.height === low.height) {
        if (bytesEqual(high.hash, low.hash)) throw QcpErrors.notMisbehaviour.with(`both headers are the same block at height ${high.height}`);
        reason = "conflicting_header";
      } else if (time(high) <= time(low)) {
        reason = "time_monotonicity";
      } else {
        throw QcpErrors.notMisbehaviour.with(`header ${high.height} is after header ${low.height} in time`);
      }
      const slot = keeper.clientSlot(msg.chainId);
      verifyHeader(ctx, slot, client, header1);
      verifyHeader(ctx, slot, client, header2);
      freeze(ctx, slot, client, high.height, reason);
      return { typeUrl: Urls.MsgSubmitMisbehaviourResponse, value: MsgSubmitMisbehaviourResponse.encode({ frozenHeight: high.height }).finish() };
    },
  };

  /**
   * Governance's ClientProposal (gov content qcp_client, through GovQcpClient wired in chain/index.ts):
   * creates the client of a chain that has none, or replaces a frozen or expired one, trusting the
   * proposal's header, which must verify as a certified one does, at submission and again at execution
   * (so with the default 14-day voting period the client trusting period must be longer, or the header
   * is too old by then and the proposal fails). Replacing deletes every consensus state of the old client.
   */
  const proposals = {
    checkStateless(p: ClientProposal): void {
      checkChainId(p.chainId, "qcp_client chain_id");
      parseLightBlock(p.signedHeader, p.validatorSet);
    },
    check(ctx: Context, p: ClientProposal): void {
      if (p.chainId === ctx.block.chainId) throw QcpErrors.invalidField.with("qcp_client chain_id is this chain");
      const status = keeper.clientStatus(ctx.store, p.chainId, blockSeconds(ctx.block));
      if (status === "active") throw QcpErrors.clientExists.with(`the client of ${p.chainId} is active: governance replaces only a frozen or expired one`);
      verifyTrustedHeader(ctx, p.chainId, parseLightBlock(p.signedHeader, p.validatorSet));
    },
    apply(ctx: Context, p: ClientProposal): void {
      const block = parseLightBlock(p.signedHeader, p.validatorSet);
      const old = [...keeper.consensusStatesBetween(ctx.store, p.chainId, 0n)].map(([height]) => height);
      for (const height of old) keeper.deleteConsensusState(ctx.store, p.chainId, height);
      installClient(ctx, p.chainId, block, headerHash(block.signedHeader.header));
      // substitutes exist only to recover the old client
      for (const sub of keeper.substitutesOf(ctx.store, p.chainId)) keeper.removeSubstitute(ctx.store, sub);
    },
  };

  interface ParsedCreateSubstitute {
    msg: MsgCreateSubstitute;
    block: LightBlock;
  }
  /**
   * MsgCreateSubstitute (anyone): the chain's client must exist and be frozen or expired (54 while it is
   * active: nothing to recover); the header is trusted as a certified one is (verifyTrustedHeader),
   * which proves only that its own set signed it, so a substitute serves nothing until governance names
   * it. At most client_max_substitutes per chain: a full chain drops its lowest-id substitute that is
   * frozen or expired to make room, else refuses (51). SubstituteCreateGas is charged first.
   */
  const createSubstitute: MsgHandler<MsgCreateSubstitute, ParsedCreateSubstitute> = {
    typeUrl: Urls.MsgCreateSubstitute,
    codec: MsgCreateSubstitute,
    signers: (msg) => [msg.creator],
    checkStateless(msg) {
      parseAccAddress(msg.creator, "creator");
      const block = parseLightBlock(msg.signedHeader, msg.validatorSet);
      checkChainId(block.signedHeader.header.chainId, "signed_header.header.chain_id");
      return { msg, block };
    },
    execute(ctx, { msg, block }) {
      ctx.gas.consume(SubstituteCreateGas, "substitute client");
      const header = block.signedHeader.header;
      const chain = header.chainId;
      const now = blockSeconds(ctx.block);
      const status = keeper.clientStatus(ctx.store, chain, now);
      if (status === undefined) throw QcpErrors.clientNotFound.with(`chain ${JSON.stringify(chain)} has no light client here: nothing to recover`);
      if (status === "active") throw QcpErrors.clientActive.with(`the client of ${chain} is active: a substitute is for a frozen or expired one`);
      const existing = keeper.substitutesOf(ctx.store, chain);
      if (existing.length >= clientParams(keeper.getParams(ctx.store)).maxSubstitutes) {
        const stale = existing.find((sub) => keeper.slotStatus(ctx.store, keeper.substituteSlot(sub), now) !== "active");
        if (!stale) throw QcpErrors.substituteLimit.with(`${chain} has ${existing.length} active substitute clients`);
        keeper.removeSubstitute(ctx.store, stale);
      }
      verifyTrustedHeader(ctx, chain, block);
      const hash = headerHash(header);
      const id = keeper.addSubstitute(ctx.store, newClientState(ctx, chain, header.height), msg.creator, consensusStateOf(block, hash));
      ctx.events.push(events.substituteCreatedEvent(chain, id, header.height, msg.creator));
      return { typeUrl: Urls.MsgCreateSubstituteResponse, value: MsgCreateSubstituteResponse.encode({ substituteId: id, height: header.height }).finish() };
    },
  };

  /**
   * Governance's RecoverClientProposal (gov content qcp_recover, critical level), checked at submission
   * and again at execution: the client of chain_id exists (22) and is frozen or expired (54); the
   * substitute exists (50), is of that chain (52), is neither frozen (23) nor expired (24) at block time,
   * and its latest height is above the client's (53). Applying it drops the client's consensus states
   * (a frozen client's may include the conflicting one), stores the substitute's latest consensus state
   * at its height, takes the substitute's parameters (current ones), unfreezes the client and removes
   * every substitute of the chain (they exist only for this). The in- and out-sequences, outboxes and
   * results of the route are not touched: delivery resumes at the next sequence, nothing twice or lost.
   */
  const recoverProposals = {
    checkStateless(p: RecoverClientProposal): void {
      checkChainId(p.chainId, "qcp_recover chain_id");
      if (p.substituteId === 0n) throw QcpErrors.invalidField.with("qcp_recover substitute_id must be positive");
    },
    check(ctx: Context, p: RecoverClientProposal): { client: ClientState; substitute: SubstituteClient; state: ConsensusState } {
      const now = blockSeconds(ctx.block);
      const status = keeper.clientStatus(ctx.store, p.chainId, now);
      if (status === undefined) throw QcpErrors.clientNotFound.with(`chain ${JSON.stringify(p.chainId)} has no light client to recover`);
      if (status === "active") throw QcpErrors.clientActive.with(`the client of ${p.chainId} is active: nothing to recover`);
      const [slot, sub] = requireActiveSubstituteOf(ctx, p.chainId, p.substituteId);
      const client = keeper.getClient(ctx.store, p.chainId)!;
      if (sub.latestHeight <= client.latestHeight) {
        throw QcpErrors.substituteNotNewer.with(`substitute client ${p.substituteId} is at height ${sub.latestHeight}, the client of ${p.chainId} at ${client.latestHeight}`);
      }
      return { client, substitute: keeper.getSubstitute(ctx.store, p.substituteId)!, state: slot.getState(ctx.store, sub.latestHeight)! };
    },
    apply(ctx: Context, p: RecoverClientProposal): void {
      const { client, substitute, state } = recoverProposals.check(ctx, p);
      const chain = p.chainId;
      const height = substitute.client!.latestHeight;
      const old = [...keeper.consensusStatesBetween(ctx.store, chain, 0n)].map(([h]) => h);
      for (const h of old) keeper.deleteConsensusState(ctx.store, chain, h);
      const { trustLevelNumerator, trustLevelDenominator, trustingPeriodSeconds, maxClockDriftSeconds } = substitute.client!;
      keeper.setClient(ctx.store, { ...client, trustLevelNumerator, trustLevelDenominator, trustingPeriodSeconds, maxClockDriftSeconds, latestHeight: height, frozenHeight: 0n });
      keeper.setConsensusState(ctx.store, chain, height, state);
      for (const sub of keeper.substitutesOf(ctx.store, chain)) keeper.removeSubstitute(ctx.store, sub);
      ctx.events.push(events.clientRecoveredEvent(chain, p.substituteId, height));
    },
  };

  return { create, update, misbehaviour, createSubstitute, proposals, recoverProposals, verifyHeader, requireActiveClient, freeze };
}
