// Synthetic CometBFT chains for the light-client tests: deterministic ed25519 validators, headers
// hashed and commits signed exactly as a CometBFT node does (canonical precommit sign bytes).
import assert from "node:assert/strict";
import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";
import type { Timestamp } from "cosmjs-types/google/protobuf/timestamp";
import type { BlockID, CommitSig, Header } from "cosmjs-types/tendermint/types/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import type { ValidatorSet as ProtoValidatorSet } from "../../gen/tendermint/types/validator.js";
import {
  canonicalVoteSignBytes, headerHash, LightClientError, sortValidators, validatorAddress, validatorSetHash, type LightBlock, type LightRefusal, type ValidatorSet,
} from "../../app/light/index.js";

export const sha = (s: string): Uint8Array => new Uint8Array(createHash("sha256").update(s).digest());

export interface Key {
  pubKey: Uint8Array;
  priv: KeyObject;
}

/** A deterministic ed25519 key from a name (the seed is sha256(name)). */
export function key(name: string): Key {
  const priv = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), sha(name)]), format: "der", type: "pkcs8" });
  const pubKey = new Uint8Array(createPublicKey(priv).export({ format: "der", type: "spki" }).subarray(12));
  return { pubKey, priv };
}

export interface Member {
  key: Key;
  power: bigint;
}

export const setOf = (members: readonly Member[]): ValidatorSet => sortValidators(members.map((m) => ({ pubKey: m.key.pubKey, votingPower: m.power })));

export const ChainId = "test-chain";
export const T0 = 1_700_000_000n;
export const at = (seconds: bigint, nanos = 0): Timestamp => ({ seconds, nanos });

export interface BlockSpec {
  height: bigint;
  members: readonly Member[];
  nextMembers: readonly Member[];
  time?: Timestamp;
  chainId?: string;
  /** per member (by public key hex): how it votes; default every member commits */
  vote?: (pubKeyHex: string) => "commit" | "nil" | "absent";
  appHash?: Uint8Array;
}

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** A light block: header, +commit signed by `members` in CometBFT set order, and the set. */
export function makeBlock(s: BlockSpec): LightBlock {
  const vals = setOf(s.members);
  const privByKey = new Map(s.members.map((m) => [hexOf(m.key.pubKey), m.key.priv]));
  const chainId = s.chainId ?? ChainId;
  const time = s.time ?? at(T0 + 10n * s.height);
  const header: Header = {
    version: { block: 11n, app: 1n },
    chainId,
    height: s.height,
    time,
    lastBlockId: s.height === 1n ? { hash: new Uint8Array(), partSetHeader: { total: 0, hash: new Uint8Array() } } : { hash: sha(`block ${s.height - 1n}`), partSetHeader: { total: 1, hash: sha(`parts ${s.height - 1n}`) } },
    lastCommitHash: sha(`last commit ${s.height}`),
    dataHash: sha(""),
    validatorsHash: validatorSetHash(vals),
    nextValidatorsHash: validatorSetHash(setOf(s.nextMembers)),
    consensusHash: sha("consensus params"),
    appHash: s.appHash ?? sha(`app ${s.height}`),
    lastResultsHash: sha(""),
    evidenceHash: sha(""),
    proposerAddress: validatorAddress(vals.validators[0].pubKey),
  };
  const blockId: BlockID = { hash: headerHash(header), partSetHeader: { total: 1, hash: sha(`parts ${s.height}`) } };
  const nilId: BlockID = { hash: new Uint8Array(), partSetHeader: { total: 0, hash: new Uint8Array() } };
  const signatures: CommitSig[] = vals.validators.map((v, i) => {
    const how = s.vote?.(hexOf(v.pubKey)) ?? "commit";
    if (how === "absent") return { blockIdFlag: BlockIDFlag.BLOCK_ID_FLAG_ABSENT, validatorAddress: new Uint8Array(), timestamp: at(0n), signature: new Uint8Array() };
    const ts = at(time.seconds + 1n, i);
    const bytes = canonicalVoteSignBytes(chainId, s.height, 0, how === "commit" ? blockId : nilId, ts);
    return {
      blockIdFlag: how === "commit" ? BlockIDFlag.BLOCK_ID_FLAG_COMMIT : BlockIDFlag.BLOCK_ID_FLAG_NIL,
      validatorAddress: validatorAddress(v.pubKey),
      timestamp: ts,
      signature: new Uint8Array(sign(null, bytes, privByKey.get(hexOf(v.pubKey))!)),
    };
  });
  return { signedHeader: { header, commit: { height: s.height, round: 0, blockId, signatures } }, validatorSet: vals };
}

/** Blocks 1..n where block h is signed by membersAt(h) and names membersAt(h+1) as next. */
export function makeChain(n: number, membersAt: (h: bigint) => readonly Member[]): Map<bigint, LightBlock> {
  const out = new Map<bigint, LightBlock>();
  for (let h = 1n; h <= BigInt(n); h++) out.set(h, makeBlock({ height: h, members: membersAt(h), nextMembers: membersAt(h + 1n) }));
  return out;
}

/** The LightClientError `f` throws (fails the test if it accepts or throws anything else). */
export function refusal(f: () => unknown): LightClientError {
  try {
    f();
  } catch (e) {
    if (e instanceof LightClientError) return e;
    throw e;
  }
  throw new Error("was accepted");
}
export const assertRefused = (f: () => unknown, reason: LightRefusal, message: string): void => {
  const e = refusal(f);
  assert.deepEqual({ reason: e.reason, message: e.message }, { reason, message });
};

const hexU = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();
/** RFC 3339 as CometBFT prints it (nanoseconds without trailing zeros). */
export const rfc3339 = (t: Timestamp): string => {
  const base = new Date(Number(t.seconds) * 1000).toISOString().slice(0, 19);
  return t.nanos ? `${base}.${String(t.nanos).padStart(9, "0").replace(/0+$/, "")}Z` : `${base}Z`;
};
const blockIdJson = (b: BlockID) => ({ hash: hexU(b.hash), parts: { total: b.partSetHeader.total, hash: hexU(b.partSetHeader.hash) } });

/** A light block as a CometBFT node's JSON-RPC answers: the /commit result and the /validators result
 *  (the inverse of lightBlockFromRpc), for fake RPC nodes in tests. */
export function lightBlockToRpc(b: LightBlock): { commit: { signed_header: unknown; canonical: boolean }; validators: { block_height: string; validators: unknown[]; count: string; total: string } } {
  const h = b.signedHeader.header, c = b.signedHeader.commit;
  const header = {
    version: { block: String(h.version.block), app: String(h.version.app) },
    chain_id: h.chainId,
    height: String(h.height),
    time: rfc3339(h.time),
    last_block_id: blockIdJson(h.lastBlockId),
    last_commit_hash: hexU(h.lastCommitHash),
    data_hash: hexU(h.dataHash),
    validators_hash: hexU(h.validatorsHash),
    next_validators_hash: hexU(h.nextValidatorsHash),
    consensus_hash: hexU(h.consensusHash),
    app_hash: hexU(h.appHash),
    last_results_hash: hexU(h.lastResultsHash),
    evidence_hash: hexU(h.evidenceHash),
    proposer_address: hexU(h.proposerAddress),
  };
  const commit = {
    height: String(c.height),
    round: c.round,
    block_id: blockIdJson(c.blockId),
    signatures: c.signatures.map((s) => ({
      block_id_flag: s.blockIdFlag,
      validator_address: hexU(s.validatorAddress),
      timestamp: s.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_ABSENT ? "0001-01-01T00:00:00Z" : rfc3339(s.timestamp),
      signature: s.signature.length ? Buffer.from(s.signature).toString("base64") : null,
    })),
  };
  const validators = b.validatorSet.validators.map((v) => ({
    address: hexU(validatorAddress(v.pubKey)),
    pub_key: { type: "tendermint/PubKeyEd25519", value: Buffer.from(v.pubKey).toString("base64") },
    voting_power: String(v.votingPower),
    proposer_priority: "0",
  }));
  const n = String(validators.length);
  return { commit: { signed_header: { header, commit }, canonical: true }, validators: { block_height: String(h.height), validators, count: n, total: n } };
}

/** A set as a tendermint.types.ValidatorSet message carries it (MsgCreateClient, ClientHeader, ClientProposal). */
export const protoValidatorSet = (vals: ValidatorSet): ProtoValidatorSet => ({
  validators: vals.validators.map((x) => ({ address: validatorAddress(x.pubKey), pubKey: { ed25519: x.pubKey }, votingPower: x.votingPower, proposerPriority: 0n })),
  proposer: undefined,
  totalVotingPower: 0n,
});
