// Header verification for the relayer, on the light-client library (app/light): a header's app hash is
// trusted only when its commit carries precommits of more than 2/3 of the voting power of the validator
// set whose hash is in that header. The validator set is anchored by `trust`: a pinned validators hash
// from the config, else the first set seen (trust on first use); a later, different set is accepted only
// if validators holding more than 1/3 of the trusted set's power signed the new header (the light
// client's skipping rule).
import {
  DefaultTrustLevel, lightBlockFromRpc, validateSignedHeader, validatorSetHash, verifyCommitLight, verifyCommitLightTrusting,
  type ValidatorSet,
} from "../../app/light/index.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();

/** What the relayer hands over: CometBFT RPC's /commit signed_header and /validators validators, as JSON. */
export interface RpcSignedHeader {
  header: unknown;
  commit: unknown;
}

export interface VerifiedHeader {
  height: number;
  appHash: Uint8Array;
  validatorsHash: string;
}

/** Tracks the trusted validator set of one chain and verifies headers against it. */
export class HeaderVerifier {
  private trusted?: { hash: string; validators: ValidatorSet };

  constructor(
    readonly chainId: string,
    private readonly pinnedValidatorsHash?: string,
  ) {}

  verify(signedHeader: RpcSignedHeader, validators: unknown[]): VerifiedHeader {
    const { signedHeader: { header, commit }, validatorSet } = lightBlockFromRpc({ signed_header: signedHeader }, validators);
    // chain id, shape, commit height and that the commit signs this header's hash
    validateSignedHeader({ header, commit }, this.chainId);
    const vh = hex(validatorSetHash(validatorSet));
    if (vh !== hex(header.validatorsHash)) throw new Error(`validator set hash ${vh} does not match the header's ${hex(header.validatorsHash)}`);
    verifyCommitLight(validatorSet, this.chainId, commit.blockId, header.height, commit);
    if (this.pinnedValidatorsHash && !this.trusted && vh !== this.pinnedValidatorsHash.toUpperCase()) {
      throw new Error(`validator set ${vh} is not the pinned ${this.pinnedValidatorsHash}`);
    }
    if (this.trusted && this.trusted.hash !== vh) verifyCommitLightTrusting(this.trusted.validators, this.chainId, commit, DefaultTrustLevel);
    this.trusted = { hash: vh, validators: validatorSet };
    return { height: Number(header.height), appHash: header.appHash, validatorsHash: vh };
  }
}
