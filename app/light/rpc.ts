// CometBFT JSON-RPC results (/commit and /validators, as a node returns them) into light blocks.
// What a node sends is untrusted: anything malformed is refused as "invalid_header"; whether it is
// TRUE is for verify() to decide.
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type { BlockID, CommitSig, Header } from "cosmjs-types/tendermint/types/types";
import { refuse } from "./errors.js";
import type { ValidatorSet } from "./hash.js";
import { fromProtoValidatorSet } from "./hash.js";
import type { LightBlock, SignedHeader } from "./verifier.js";

type Json = Record<string, unknown>;

const obj = (v: unknown, what: string): Json =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : refuse("invalid_header", `${what}: expected an object`);
const str = (v: unknown, what: string): string => (typeof v === "string" ? v : refuse("invalid_header", `${what}: expected a string`));
const int = (v: unknown, what: string): bigint => {
  const s = typeof v === "number" ? String(v) : str(v, what);
  return /^-?[0-9]{1,19}$/.test(s) ? BigInt(s) : refuse("invalid_header", `${what}: expected an integer, got ${JSON.stringify(s)}`);
};
const hexBytes = (v: unknown, what: string): Uint8Array => {
  const s = v === null || v === undefined ? "" : str(v, what);
  return /^([0-9a-fA-F]{2})*$/.test(s) ? new Uint8Array(Buffer.from(s, "hex")) : refuse("invalid_header", `${what}: expected hex`);
};
const b64Bytes = (v: unknown, what: string): Uint8Array => {
  const s = v === null || v === undefined ? "" : str(v, what);
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s) ? new Uint8Array(Buffer.from(s, "base64")) : refuse("invalid_header", `${what}: expected base64`);
};

/** An RFC 3339 UTC time with up to 9 fraction digits (how CometBFT prints times) as a Timestamp. */
export function parseRfc3339(v: unknown, what = "time"): Timestamp {
  const s = str(v, what);
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(s);
  const ms = m ? Date.parse(`${m[1]}Z`) : NaN;
  if (!m || Number.isNaN(ms)) return refuse("invalid_header", `${what}: expected an RFC 3339 UTC time, got ${JSON.stringify(s)}`);
  return { seconds: BigInt(ms / 1000), nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

const blockId = (v: unknown, what: string): BlockID => {
  const b = obj(v, what);
  const parts = obj(b.parts, `${what}.parts`);
  return { hash: hexBytes(b.hash, `${what}.hash`), partSetHeader: { total: Number(int(parts.total, `${what}.parts.total`)), hash: hexBytes(parts.hash, `${what}.parts.hash`) } };
};

/** `signed_header` of a /commit result. */
export function signedHeaderFromRpc(v: unknown): SignedHeader {
  const sh = obj(v, "signed_header");
  const h = obj(sh.header, "header");
  const c = obj(sh.commit, "commit");
  const ver = obj(h.version, "header.version");
  const header: Header = {
    version: { block: int(ver.block, "version.block"), app: int(ver.app ?? "0", "version.app") },
    chainId: str(h.chain_id, "chain_id"),
    height: int(h.height, "height"),
    time: parseRfc3339(h.time, "header.time"),
    lastBlockId: blockId(h.last_block_id, "last_block_id"),
    lastCommitHash: hexBytes(h.last_commit_hash, "last_commit_hash"),
    dataHash: hexBytes(h.data_hash, "data_hash"),
    validatorsHash: hexBytes(h.validators_hash, "validators_hash"),
    nextValidatorsHash: hexBytes(h.next_validators_hash, "next_validators_hash"),
    consensusHash: hexBytes(h.consensus_hash, "consensus_hash"),
    appHash: hexBytes(h.app_hash, "app_hash"),
    lastResultsHash: hexBytes(h.last_results_hash, "last_results_hash"),
    evidenceHash: hexBytes(h.evidence_hash, "evidence_hash"),
    proposerAddress: hexBytes(h.proposer_address, "proposer_address"),
  };
  const sigs = Array.isArray(c.signatures) ? c.signatures : refuse("invalid_header", "commit.signatures: expected an array");
  const signatures: CommitSig[] = sigs.map((s, i) => {
    const o = obj(s, `signature #${i}`);
    return {
      blockIdFlag: Number(int(o.block_id_flag, `signature #${i}.block_id_flag`)),
      validatorAddress: hexBytes(o.validator_address, `signature #${i}.validator_address`),
      timestamp: parseRfc3339(o.timestamp, `signature #${i}.timestamp`),
      signature: b64Bytes(o.signature, `signature #${i}.signature`),
    };
  });
  return {
    header,
    commit: { height: int(c.height, "commit.height"), round: Number(int(c.round, "commit.round")), blockId: blockId(c.block_id, "commit.block_id"), signatures },
  };
}

/** `validators` of a /validators result (all pages joined, in the node's order). */
export function validatorSetFromRpc(validators: unknown): ValidatorSet {
  const list = Array.isArray(validators) ? validators : refuse("invalid_header", "validators: expected an array");
  return fromProtoValidatorSet({
    validators: list.map((v, i) => {
      const o = obj(v, `validator #${i}`);
      const pk = obj(o.pub_key, `validator #${i}.pub_key`);
      if (pk.type !== "tendermint/PubKeyEd25519") refuse("invalid_header", `validator #${i}: key type ${JSON.stringify(pk.type)} is not ed25519`);
      return { address: hexBytes(o.address, `validator #${i}.address`), pubKey: { ed25519: b64Bytes(pk.value, `validator #${i}.pub_key`) }, votingPower: int(o.voting_power, `validator #${i}.voting_power`) };
    }),
  });
}

/** A light block from a /commit result and the `validators` array of /validators at the same height. */
export function lightBlockFromRpc(commitResult: unknown, validators: unknown): LightBlock {
  return { signedHeader: signedHeaderFromRpc(obj(commitResult, "commit result").signed_header), validatorSet: validatorSetFromRpc(validators) };
}
