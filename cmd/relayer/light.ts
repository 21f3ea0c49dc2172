// Header verification for the relayer: a header's app hash is trusted only when its commit carries
// ed25519 precommits of more than 2/3 of the voting power of the validator set whose hash is in that
// header (CometBFT v0.38: types/block.go Header.Hash, types/validator_set.go Hash, types/vote.go
// VoteSignBytes = length-delimited protobuf CanonicalVote, crypto/merkle HashFromByteSlices).
// The validator set is anchored by `trust`: a pinned validators hash from the config, else the first
// set seen (trust on first use); a later, different set is accepted only if validators holding more
// than 1/3 of the trusted set's power signed the new header (the light client's skipping rule).
import { createHash, createPublicKey, verify } from "node:crypto";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";

export interface RpcHeader {
  version: { block: string; app?: string };
  chain_id: string;
  height: string;
  time: string;
  last_block_id: { hash: string; parts: { total: number; hash: string } };
  last_commit_hash: string;
  data_hash: string;
  validators_hash: string;
  next_validators_hash: string;
  consensus_hash: string;
  app_hash: string;
  last_results_hash: string;
  evidence_hash: string;
  proposer_address: string;
}

export interface RpcCommit {
  height: string;
  round: number;
  block_id: { hash: string; parts: { total: number; hash: string } };
  signatures: Array<{ block_id_flag: number; validator_address: string; timestamp: string; signature: string | null }>;
}

export interface RpcValidator {
  address: string;
  pub_key: { type: string; value: string };
  voting_power: string;
}

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const hex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();

/** crypto/merkle HashFromByteSlices (RFC 6962). */
export function merkleRoot(items: Uint8Array[]): Uint8Array {
  if (items.length === 0) return sha256();
  if (items.length === 1) return sha256(Uint8Array.of(0), items[0]);
  let k = 1;
  while (k * 2 < items.length) k *= 2;
  return sha256(Uint8Array.of(1), merkleRoot(items.slice(0, k)), merkleRoot(items.slice(k)));
}

/** RFC 3339 time with nanoseconds → {seconds, nanos} */
export function parseTime(text: string): { seconds: bigint; nanos: number } {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) throw new Error(`unexpected time format ${JSON.stringify(text)}`);
  const ms = Date.parse(`${m[1]}Z`);
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: Number((m[2] ?? "").padEnd(9, "0")) };
}

function timestamp(w: BinaryWriter, field: number, text: string): void {
  const { seconds, nanos } = parseTime(text);
  w.tag(field, WireType.LengthDelimited).fork();
  if (seconds !== 0n) w.tag(1, WireType.Varint).int64(seconds);
  if (nanos !== 0) w.tag(2, WireType.Varint).int32(nanos);
  w.join();
}

const wrapBytes = (b: Uint8Array) => (b.length === 0 ? new Uint8Array() : new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(b).finish());
const wrapString = (s: string) => (s === "" ? new Uint8Array() : new BinaryWriter().tag(1, WireType.LengthDelimited).string(s).finish());
const wrapInt64 = (n: bigint) => (n === 0n ? new Uint8Array() : new BinaryWriter().tag(1, WireType.Varint).int64(n).finish());

function blockIdBytes(id: RpcHeader["last_block_id"]): Uint8Array {
  const w = new BinaryWriter();
  const hash = hex(id.hash);
  if (hash.length) w.tag(1, WireType.LengthDelimited).bytes(hash);
  w.tag(2, WireType.LengthDelimited).fork(); // non-nullable PartSetHeader: always present
  if (id.parts.total) w.tag(1, WireType.Varint).uint32(id.parts.total);
  const ph = hex(id.parts.hash);
  if (ph.length) w.tag(2, WireType.LengthDelimited).bytes(ph);
  w.join();
  return w.finish();
}

/** types/block.go Header.Hash */
export function headerHash(h: RpcHeader): Uint8Array {
  const version = new BinaryWriter();
  if (BigInt(h.version.block)) version.tag(1, WireType.Varint).uint64(BigInt(h.version.block));
  if (BigInt(h.version.app ?? "0")) version.tag(2, WireType.Varint).uint64(BigInt(h.version.app ?? "0"));
  const time = new BinaryWriter();
  timestamp(time, 1, h.time);
  // timestamp() wrote a field; Header.Hash takes the bare Timestamp message: strip tag and length
  const t = time.finish();
  const timeBytes = t.subarray(2);
  return merkleRoot([
    version.finish(),
    wrapString(h.chain_id),
    wrapInt64(BigInt(h.height)),
    timeBytes,
    blockIdBytes(h.last_block_id),
    wrapBytes(hex(h.last_commit_hash)),
    wrapBytes(hex(h.data_hash)),
    wrapBytes(hex(h.validators_hash)),
    wrapBytes(hex(h.next_validators_hash)),
    wrapBytes(hex(h.consensus_hash)),
    wrapBytes(hex(h.app_hash)),
    wrapBytes(hex(h.last_results_hash)),
    wrapBytes(hex(h.evidence_hash)),
    wrapBytes(hex(h.proposer_address)),
  ]);
}

/** types/validator_set.go Hash: SimpleValidator{pub_key, voting_power} per validator, in set order. */
export function validatorsHash(validators: RpcValidator[]): Uint8Array {
  return merkleRoot(
    validators.map((v) => {
      if (v.pub_key.type !== "tendermint/PubKeyEd25519") throw new Error(`validator key type ${v.pub_key.type} is not supported`);
      const w = new BinaryWriter();
      w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).bytes(Buffer.from(v.pub_key.value, "base64")).join();
      if (BigInt(v.voting_power)) w.tag(2, WireType.Varint).int64(BigInt(v.voting_power));
      return w.finish();
    }),
  );
}

/** types/vote.go VoteSignBytes for a precommit for commit.block_id (length-delimited CanonicalVote). */
export function precommitSignBytes(chainId: string, commit: RpcCommit, timestampText: string): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int32(2); // SIGNED_MSG_TYPE_PRECOMMIT
  if (BigInt(commit.height)) w.tag(2, WireType.Bit64).sfixed64(BigInt(commit.height));
  if (commit.round) w.tag(3, WireType.Bit64).sfixed64(BigInt(commit.round));
  w.tag(4, WireType.LengthDelimited).fork();
  const hash = hex(commit.block_id.hash);
  if (hash.length) w.tag(1, WireType.LengthDelimited).bytes(hash);
  w.tag(2, WireType.LengthDelimited).fork();
  if (commit.block_id.parts.total) w.tag(1, WireType.Varint).uint32(commit.block_id.parts.total);
  const ph = hex(commit.block_id.parts.hash);
  if (ph.length) w.tag(2, WireType.LengthDelimited).bytes(ph);
  w.join().join();
  timestamp(w, 5, timestampText);
  if (chainId) w.tag(6, WireType.LengthDelimited).string(chainId);
  const body = w.finish();
  return new BinaryWriter().bytes(body).finish(); // varint length prefix
}

function ed25519Verify(publicKeyB64: string, message: Uint8Array, signatureB64: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKeyB64, "base64").toString("base64url") }, format: "jwk" });
    return verify(null, message, key, Buffer.from(signatureB64, "base64"));
  } catch {
    return false;
  }
}

/** Voting power of `validators` whose precommits for the commit's block verify. */
export function signedPower(chainId: string, commit: RpcCommit, validators: RpcValidator[]): bigint {
  const byAddress = new Map(validators.map((v) => [v.address.toUpperCase(), v]));
  let power = 0n;
  const seen = new Set<string>();
  for (const sig of commit.signatures) {
    if (sig.block_id_flag !== 2 || !sig.signature) continue; // only votes for this block count
    const address = sig.validator_address.toUpperCase();
    const v = byAddress.get(address);
    if (!v || seen.has(address)) continue;
    if (!ed25519Verify(v.pub_key.value, precommitSignBytes(chainId, commit, sig.timestamp), sig.signature)) continue;
    seen.add(address);
    power += BigInt(v.voting_power);
  }
  return power;
}

export interface VerifiedHeader {
  height: number;
  appHash: Uint8Array;
  validatorsHash: string;
}

/** Tracks the trusted validator set of one chain and verifies headers against it. */
export class HeaderVerifier {
  private trusted?: { hash: string; validators: RpcValidator[] };

  constructor(
    readonly chainId: string,
    private readonly pinnedValidatorsHash?: string,
  ) {}

  verify(header: RpcHeader, commit: RpcCommit, validators: RpcValidator[]): VerifiedHeader {
    if (header.chain_id !== this.chainId) throw new Error(`header is for chain ${header.chain_id}, expected ${this.chainId}`);
    if (header.height !== commit.height) throw new Error(`commit height ${commit.height} != header height ${header.height}`);
    const vh = toHex(validatorsHash(validators));
    if (vh !== header.validators_hash.toUpperCase()) throw new Error(`validator set hash ${vh} does not match the header's ${header.validators_hash}`);
    const bh = toHex(headerHash(header));
    if (bh !== commit.block_id.hash.toUpperCase()) throw new Error(`header hash ${bh} does not match the commit's block id ${commit.block_id.hash}`);
    const total = validators.reduce((s, v) => s + BigInt(v.voting_power), 0n);
    const signed = signedPower(this.chainId, commit, validators);
    if (signed * 3n <= total * 2n) throw new Error(`only ${signed} of ${total} voting power signed height ${header.height} (need > 2/3)`);
    if (this.pinnedValidatorsHash && !this.trusted) {
      if (vh !== this.pinnedValidatorsHash.toUpperCase()) throw new Error(`validator set ${vh} is not the pinned ${this.pinnedValidatorsHash}`);
    }
    if (this.trusted && this.trusted.hash !== vh) {
      const old = this.trusted.validators;
      const oldTotal = old.reduce((s, v) => s + BigInt(v.voting_power), 0n);
      const oldSigned = signedPower(this.chainId, commit, old);
      if (oldSigned * 3n <= oldTotal) throw new Error(`validator set changed to ${vh} and only ${oldSigned} of ${oldTotal} trusted power signed it (need > 1/3)`);
    }
    this.trusted = { hash: vh, validators };
    return { height: Number(header.height), appHash: hex(header.app_hash), validatorsHash: vh };
  }
}
