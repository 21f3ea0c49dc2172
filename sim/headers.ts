// Signed CometBFT headers of a simulated chain (issue 12: deliveries are proven against headers a light
// client verified). The simulation's consensus keys are real ed25519 keys from names; header H carries
// the chain's validator set of H (CometBFT's view the SimChain models), names the set of H + 1 as next,
// has block H's time and the app hash after block H - 1, and is signed by every validator of H.
// A sim relayer uses `updatePath` to bring a destination's client to a header: one skip when the trusted
// set still signs enough of it, otherwise halves (as CometBFT's bisection), with exactly the rule the
// on-chain client applies (the trusted set is the one the trusted consensus state names as next).
import { key, makeBlock, setOf, type Key, type Member } from "../test/helpers/light-chain.js";
import { headerHash, LightClientError, totalVotingPower, validatorAddress, verify, type LightBlock, type ValidatorSet } from "../app/light/index.js";
import type { ClientHeader } from "../gen/qos/qcp/v1/types.js";
import type { SignedHeader } from "../gen/tendermint/types/types.js";
import type { ValidatorSet as ProtoValidatorSet } from "../gen/tendermint/types/validator.js";
import type { SimChain } from "./chain.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const keys = new Map<string, Key>();

/** The ed25519 public key of consensus key `name`; the simulation remembers its private key to sign. */
export function consensusKey(name: string): Uint8Array {
  const k = key(`qos-sim-cons:${name}`);
  keys.set(hex(k.pubKey), k);
  return k.pubKey;
}

function members(chain: SimChain, height: number): Member[] {
  return [...chain.set_(height).values()].map((v) => {
    const k = keys.get(hex(v.pubKey));
    if (!k) throw new Error(`${chain.chainId} height ${height}: validator ${hex(v.pubKey)} has no simulated private key`);
    return { key: k, power: v.power };
  });
}

/** The validator set of `height` in CometBFT's order (known up to the latest height + 2). */
export const validatorSetAt = (chain: SimChain, height: number): ValidatorSet => setOf(members(chain, height));

/** Header `height` of `chain` signed by its validators (block `height` must be committed). */
export function lightBlock(chain: SimChain, height: number): LightBlock {
  const seconds = chain.times.get(height);
  const appHash = chain.appHashes.get(height - 1);
  if (seconds === undefined || !appHash || height < chain.initialHeight) throw new Error(`${chain.chainId} has no header ${height}`);
  return makeBlock({
    height: BigInt(height), chainId: chain.chainId, members: members(chain, height), nextMembers: members(chain, height + 1),
    time: { seconds, nanos: 0 }, appHash,
  });
}

/** Header `height` with the set a client trusts from it: the next set (what its consensus state names). */
function trustedAt(chain: SimChain, height: number): LightBlock {
  const block = lightBlock(chain, height);
  return { signedHeader: block.signedHeader, validatorSet: validatorSetAt(chain, height + 1) };
}

export interface TrustOptions {
  trustingPeriod: bigint;
  maxClockDrift: bigint;
  trustLevel: { numerator: bigint; denominator: bigint };
  /** the destination's block time */
  nowSeconds: bigint;
}

/** Heights to submit, in order, to take a client from `trusted` to `target` (each verifiable from the one
 *  before it). Empty when target ≤ trusted. */
export function updatePath(chain: SimChain, trusted: number, target: number, opts: TrustOptions): number[] {
  if (target <= trusted) return [];
  const now = { seconds: opts.nowSeconds, nanos: 0 };
  const ok = (from: number, to: number): boolean => {
    try {
      verify(trustedAt(chain, from), lightBlock(chain, to), { trustingPeriod: opts.trustingPeriod, maxClockDrift: opts.maxClockDrift, trustLevel: opts.trustLevel }, now);
      return true;
    } catch (e) {
      if (e instanceof LightClientError) return false;
      throw e;
    }
  };
  const path = (from: number, to: number): number[] => {
    if (to === from + 1 || ok(from, to)) return [to];
    const mid = from + Math.floor((to - from) / 2);
    return [...path(from, mid), ...path(mid, to)];
  };
  return path(trusted, target);
}

/** Trust parameters of the simulation's clients (the qcp defaults: 1/3, 14 days, 10 s). */
export const SimClient = { trustLevel: { numerator: 1n, denominator: 3n }, trustingPeriodSeconds: 14n * 86_400n, maxClockDriftSeconds: 10n };

/** qcp genesis `chains[].client` trusting header `block` of the counterpart. */
export function clientGenesis(block: LightBlock): Record<string, unknown> {
  const h = block.signedHeader.header;
  const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
  return {
    trust_level_numerator: SimClient.trustLevel.numerator.toString(), trust_level_denominator: SimClient.trustLevel.denominator.toString(),
    trusting_period_seconds: SimClient.trustingPeriodSeconds.toString(), max_clock_drift_seconds: SimClient.maxClockDriftSeconds.toString(),
    latest_height: h.height.toString(),
    consensus_states: [{
      height: h.height.toString(), time: { seconds: h.time.seconds.toString(), nanos: h.time.nanos },
      app_hash: b64(h.appHash), next_validators_hash: b64(h.nextValidatorsHash), header_hash: b64(headerHash(h)),
    }],
  };
}

/** The light library's set as tendermint.types.ValidatorSet (what qcp messages carry). */
export function protoValidatorSet(vals: ValidatorSet): ProtoValidatorSet {
  const validators = vals.validators.map((v) => ({ address: validatorAddress(v.pubKey), pubKey: { ed25519: v.pubKey }, votingPower: v.votingPower, proposerPriority: 0n }));
  return { validators, proposer: validators[0], totalVotingPower: totalVotingPower(vals) };
}

/** ClientHeader: header `height` of `chain`, verified from the client's consensus state at `trustedHeight`. */
export function clientHeader(chain: SimChain, height: number, trustedHeight: number): ClientHeader {
  const block = lightBlock(chain, height);
  return {
    signedHeader: block.signedHeader as unknown as SignedHeader, validatorSet: protoValidatorSet(block.validatorSet),
    trustedHeight: BigInt(trustedHeight), trustedValidators: protoValidatorSet(validatorSetAt(chain, trustedHeight + 1)),
  };
}
