// What the node services read from CometBFT's JSON-RPC, turned into the protobuf shapes of the Cosmos services:
// blocks (tendermint.types.Block and the SDK's Block with a bech32 proposer), tx results (TxResponse) and
// validator sets. CometBFT is this node's own process, so its answers are trusted; a malformed one is an
// internal error, an unreachable RPC "node unavailable".
import { toBech32 } from "@cosmjs/encoding";
import { ConsensusPrefix } from "../../../app/address.js";
import { AppError, Errors } from "../../../app/errors.js";
import { parseRfc3339, signedHeaderFromRpc } from "../../../app/light/rpc.js";
import { rpcCall } from "../../common/processes.js";
import { TypeUrl } from "../../../gen/names.js";
import type { Block as SdkBlock } from "../../../gen/cosmos/base/tendermint/v1beta1/types.js";
import type { Validator as SdkValidator } from "../../../gen/cosmos/base/tendermint/v1beta1/query.js";
import type { TxResponse } from "../../../gen/cosmos/base/abci/v1beta1/abci.js";
import type { Block } from "../../../gen/tendermint/types/block.js";
import type { Evidence } from "../../../gen/tendermint/types/evidence.js";
import type { BlockID, Vote } from "../../../gen/tendermint/types/types.js";
import { PubKey as Ed25519PubKey } from "../../../gen/cosmos/crypto/ed25519/keys.js";
import type { Event } from "../../../gen/tendermint/abci/types.js";

/** One CometBFT JSON-RPC call; its refusals keep their text (the caller decides the code). */
export type CometRpc = <T = any>(method: string, params?: Record<string, unknown>) => Promise<T>;

/** A CometBFT RPC at `url`: a refused call throws Error("<method>: <message> <data>"), an unreachable one
 *  Errors.nodeUnavailable. */
export function cometRpc(url: string): CometRpc {
  return async (method, params = {}) => {
    try {
      return await rpcCall(url, method, params);
    } catch (e) {
      if (e instanceof Error && /^[a-z_]+: /.test(e.message)) throw e;
      throw Errors.nodeUnavailable.with(`CometBFT RPC ${method}: ${(e as Error).message}`);
    }
  };
}

/** A refusal by CometBFT as an AppError: "not found" → NotFound, anything else about the request → invalid. */
export function rpcRefusal(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const message = (e as Error).message;
  if (/not found/i.test(message)) return Errors.notFound.with(message.trim());
  return Errors.invalidRequest.with(message.trim());
}

/** The rpc with every failure an AppError (rpcRefusal), for the service handlers. */
export function refusingRpc(rpc: CometRpc): CometRpc {
  return async (method, params) => {
    try {
      return await rpc(method, params);
    } catch (e) {
      throw rpcRefusal(e);
    }
  };
}

/** A block height CometBFT may hold: positive and not above its latest (a pruned one is its own refusal). */
export async function checkBlockHeight(rpc: CometRpc, height: bigint): Promise<void> {
  if (height <= 0n) throw Errors.invalidRequest.with(`block height must be positive, got ${height}`);
  const latest = BigInt((await rpc<any>("status")).sync_info.latest_block_height);
  if (height > latest) throw Errors.invalidRequest.with(`requested block height ${height} is above the chain's latest height ${latest}`);
}

type Json = Record<string, any>;

const hex = (s: unknown): Uint8Array => new Uint8Array(Buffer.from(typeof s === "string" ? s : "", "hex"));
const b64 = (s: unknown): Uint8Array => new Uint8Array(Buffer.from(typeof s === "string" ? s : "", "base64"));
const int = (v: unknown): bigint => BigInt(typeof v === "number" || typeof v === "string" ? v : 0);

function blockIdFromRpc(v: Json | undefined): BlockID {
  return { hash: hex(v?.hash), partSetHeader: { total: Number(v?.parts?.total ?? 0), hash: hex(v?.parts?.hash) } };
}

function voteFromRpc(v: Json): Vote {
  return {
    type: Number(v.type ?? 0),
    height: int(v.height),
    round: Number(v.round ?? 0),
    blockId: blockIdFromRpc(v.block_id),
    timestamp: parseRfc3339(v.timestamp, "vote.timestamp"),
    validatorAddress: hex(v.validator_address),
    validatorIndex: Number(v.validator_index ?? 0),
    signature: b64(v.signature),
    extension: b64(v.extension),
    extensionSignature: b64(v.extension_signature),
  };
}

/** Duplicate-vote evidence as it is; light-client-attack evidence (a whole conflicting light block) is left out
 *  of the list — the block's evidence_hash still commits to it. */
function evidenceFromRpc(list: unknown): Evidence[] {
  if (!Array.isArray(list)) return [];
  const out: Evidence[] = [];
  for (const item of list as Json[]) {
    if (item?.type !== "tendermint/DuplicateVoteEvidence") continue;
    const v = item.value as Json;
    out.push({
      duplicateVoteEvidence: {
        voteA: voteFromRpc(v.vote_a),
        voteB: voteFromRpc(v.vote_b),
        totalVotingPower: int(v.TotalVotingPower),
        validatorPower: int(v.ValidatorPower),
        timestamp: parseRfc3339(v.Timestamp, "evidence.timestamp"),
      },
      lightClientAttackEvidence: undefined,
    });
  }
  return out;
}

/** A /block result as the three forms the services answer with. */
export function blockFromRpc(result: Json): { blockId: BlockID; block: Block; sdkBlock: SdkBlock } {
  const b = result.block as Json;
  const { header, commit } = signedHeaderFromRpc({ header: b.header, commit: b.last_commit });
  const data = { txs: ((b.data?.txs ?? []) as string[]).map(b64) };
  const evidence = { evidence: evidenceFromRpc(b.evidence?.evidence) };
  const block: Block = { header, data, evidence, lastCommit: commit };
  const sdkBlock: SdkBlock = {
    header: { ...header, proposerAddress: header.proposerAddress.length ? toBech32(ConsensusPrefix, header.proposerAddress) : "" },
    data,
    evidence,
    lastCommit: commit,
  };
  return { blockId: blockIdFromRpc(result.block_id), block, sdkBlock };
}

/** A /validators page's entries as the SDK's validators (bech32 consensus address, key in an Any). */
export function validatorsFromRpc(list: Json[]): SdkValidator[] {
  return list.map((v) => ({
    address: toBech32(ConsensusPrefix, hex(v.address)),
    pubKey: { typeUrl: TypeUrl.cosmos.crypto.ed25519.PubKey, value: Ed25519PubKey.encode({ key: b64(v.pub_key?.value) }).finish() },
    votingPower: int(v.voting_power),
    proposerPriority: int(v.proposer_priority),
  }));
}

/** CometBFT's events (attributes as strings) as tendermint.abci events. */
export function eventsFromRpc(list: unknown): Event[] {
  if (!Array.isArray(list)) return [];
  return (list as Json[]).map((e) => ({
    type: String(e.type ?? ""),
    attributes: ((e.attributes ?? []) as Json[]).map((a) => ({ key: String(a.key ?? ""), value: String(a.value ?? ""), index: a.index === true })),
  }));
}

/** A tx result (of /tx, /tx_search or /broadcast_tx_*) as the SDK's TxResponse; `time` is its block's. */
export function txResponseFromRpc(r: Json, time: string): TxResponse {
  const result = (r.tx_result ?? r) as Json;
  const txBytes = b64(r.tx);
  return {
    height: int(r.height),
    txhash: String(r.hash ?? "").toUpperCase(),
    codespace: String(result.codespace ?? ""),
    code: Number(result.code ?? 0),
    data: Buffer.from(b64(result.data)).toString("hex").toUpperCase(),
    rawLog: String(result.log ?? ""),
    logs: [],
    info: String(result.info ?? ""),
    gasWanted: int(result.gas_wanted),
    gasUsed: int(result.gas_used),
    tx: txBytes.length ? { typeUrl: TypeUrl.cosmos.tx.v1beta1.Tx, value: txBytes } : undefined,
    timestamp: time,
    events: eventsFromRpc(result.events),
  };
}
