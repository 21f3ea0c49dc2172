// The light client's trust roots: one file per chain under <qoscli home>/light/<chain id>.json, holding the
// newest header this client has verified (as the node's /commit `signed_header` and /validators JSON, so it
// can be verified from again) and the trusting period chosen at `qoscli light init`. A file is re-checked
// when read (its header hashes to the recorded hash, its validator set to the header's validators_hash,
// +2/3 of that set signed it): a corrupted or hand-edited file is refused, never trusted.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import {
  headerHash, headerExpired, lightBlockFromRpc, LightClientError, validateSignedHeader, validatorSetHash, verifyCommitLight, type LightBlock,
} from "../app/light/index.js";
import { CliError } from "./errors.js";

/** CometBFT's default light-client trusting period is one week; QOS unbonds in 21 days, so two weeks
 *  stays well inside the period in which a validator that signed a fork can still be slashed. */
export const DefaultTrustingPeriodSecs = 14n * 24n * 3600n;
/** How far ahead of the local clock a header's time may be (CometBFT light's default). */
export const MaxClockDriftSecs = 10n;

/** The node's JSON for one light block: /commit's `signed_header` and all of /validators' `validators`. */
export interface LightBlockJson {
  signed_header: unknown;
  validators: unknown[];
}

export interface TrustRoot {
  chainId: string;
  height: bigint;
  /** the header's hash, upper-case hex */
  hash: string;
  trustingPeriodSecs: bigint;
  block: LightBlock;
  json: LightBlockJson;
}

export const hexUpper = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();

/** Chain ids become file names: refuse anything that could leave the directory. */
function checkChainId(chainId: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(chainId)) throw new CliError(`chain id ${JSON.stringify(chainId)} cannot name a trust root (letters, digits, '.', '_', '-')`);
}

/** A light block from the node's JSON, checked as a self-contained whole: its chain, shape, validator-set
 *  hash and +2/3 of its own set's signatures. Used for `light init` and for reading a stored root. */
export function checkedLightBlock(json: LightBlockJson, chainId?: string): LightBlock {
  const block = lightBlockFromRpc({ signed_header: json.signed_header }, json.validators);
  const { header, commit } = block.signedHeader;
  validateSignedHeader(block.signedHeader, chainId ?? header.chainId);
  const vh = validatorSetHash(block.validatorSet);
  if (Buffer.compare(vh, header.validatorsHash) !== 0) {
    throw new LightClientError("validator_set_hash", `the validators given hash to ${hexUpper(vh)}, header ${header.height} names ${hexUpper(header.validatorsHash)}`);
  }
  verifyCommitLight(block.validatorSet, header.chainId, commit.blockId, header.height, commit);
  return block;
}

export class TrustStore {
  readonly dir: string;

  constructor(home: string) {
    this.dir = join(home, "light");
  }

  path(chainId: string): string {
    checkChainId(chainId);
    return join(this.dir, `${chainId}.json`);
  }

  has(chainId: string): boolean {
    return existsSync(this.path(chainId));
  }

  /** The chains with a trust root here. */
  chains(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
  }

  load(chainId: string): TrustRoot | undefined {
    const path = this.path(chainId);
    if (!existsSync(path)) return undefined;
    const broken = (why: string): never => {
      throw new CliError(`the trust root ${path} is not usable (${why}); set a new one with qoscli light init`);
    };
    let file: Record<string, unknown>;
    try {
      file = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    } catch (e) {
      return broken((e as Error).message);
    }
    if (file.chain_id !== chainId) broken(`it names chain ${JSON.stringify(file.chain_id)}`);
    if (typeof file.trusting_period_secs !== "string" || !/^[1-9][0-9]{0,12}$/.test(file.trusting_period_secs)) broken("bad trusting_period_secs");
    if (!Array.isArray(file.validators)) broken("no validators");
    const json: LightBlockJson = { signed_header: file.signed_header, validators: file.validators as unknown[] };
    let block: LightBlock;
    try {
      block = checkedLightBlock(json, chainId);
    } catch (e) {
      if (e instanceof LightClientError) return broken(e.message);
      throw e;
    }
    const hash = hexUpper(headerHash(block.signedHeader.header));
    if (hash !== file.hash || String(block.signedHeader.header.height) !== file.height) broken(`its header is ${block.signedHeader.header.height} ${hash}, the file says ${String(file.height)} ${String(file.hash)}`);
    return { chainId, height: block.signedHeader.header.height, hash, trustingPeriodSecs: BigInt(file.trusting_period_secs as string), block, json };
  }

  /** Writes the root (a new file, then a rename: a crash never leaves half a root). */
  save(root: TrustRoot): string {
    const path = this.path(root.chainId);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const h = root.block.signedHeader.header;
    const file = {
      chain_id: root.chainId,
      height: String(root.height),
      hash: root.hash,
      time: timeText(h.time),
      app_hash: hexUpper(h.appHash),
      trusting_period_secs: String(root.trustingPeriodSecs),
      signed_header: root.json.signed_header,
      validators: root.json.validators,
    };
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(file, null, 2) + "\n", { mode: 0o600 });
    renameSync(tmp, path);
    return path;
  }
}

/** A root made from a checked light block (light init, or a newer verified header). */
export function trustRootOf(block: LightBlock, json: LightBlockJson, trustingPeriodSecs: bigint): TrustRoot {
  const h = block.signedHeader.header;
  return { chainId: h.chainId, height: h.height, hash: hexUpper(headerHash(h)), trustingPeriodSecs, block, json };
}

export const timeText = (t: { seconds: bigint; nanos: number }): string =>
  new Date(Number(t.seconds) * 1000).toISOString().replace(/\.000Z$/, t.nanos ? `.${String(t.nanos).padStart(9, "0").replace(/0+$/, "")}Z` : "Z");

/** What `light status` shows of a root. */
export function describeRoot(root: TrustRoot, now: { seconds: bigint; nanos: number }, path: string) {
  const h = root.block.signedHeader.header;
  const expires = { seconds: h.time.seconds + root.trustingPeriodSecs, nanos: h.time.nanos };
  return {
    chain_id: root.chainId,
    height: String(root.height),
    hash: root.hash,
    time: timeText(h.time),
    app_hash: hexUpper(h.appHash),
    validators: root.block.validatorSet.validators.length,
    trusting_period_secs: String(root.trustingPeriodSecs),
    expires: timeText(expires),
    expired: headerExpired(h, root.trustingPeriodSecs * 1_000_000_000n, now),
    file: path,
  };
}
