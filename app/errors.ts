// Numbered errors (D10). Every failure a sender can cause is an AppError with a codespace, a code and a
// clear message; CheckTx, FinalizeBlock and Query turn it into {code, codespace, log} and never throw.

/** gRPC status codes used to map module errors for the gRPC server and for CosmJS's NotFound detection. */
export enum GrpcCode {
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  NOT_FOUND = 5,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  UNAVAILABLE = 14,
  UNAUTHENTICATED = 16,
}

export class ErrorDef {
  constructor(
    readonly codespace: string,
    readonly code: number,
    readonly description: string,
    readonly grpc: GrpcCode = GrpcCode.INVALID_ARGUMENT,
  ) {}

  /** An error of this kind with the details of this case. */
  with(detail?: string): AppError {
    return new AppError(this, detail ? `${detail}: ${this.description}` : this.description);
  }

  is(err: unknown): boolean {
    return err instanceof AppError && err.def === this;
  }
}

export class AppError extends Error {
  constructor(
    readonly def: ErrorDef,
    message: string,
  ) {
    super(message);
  }
  get codespace(): string {
    return this.def.codespace;
  }
  get code(): number {
    return this.def.code;
  }
}

const registered = new Map<string, ErrorDef>();

/** Defines a numbered error; a codespace/code pair can be defined once only. */
export function defineError(codespace: string, code: number, description: string, grpc?: GrpcCode): ErrorDef {
  const id = `${codespace}/${code}`;
  if (registered.has(id)) throw new Error(`error ${id} defined twice`);
  const def = new ErrorDef(codespace, code, description, grpc);
  registered.set(id, def);
  return def;
}

/** Root codespace "sdk": the Cosmos SDK's numbers, so wallets and explorers read them as they expect. */
export const RootCodespace = "sdk";
export const QueryCodespace = "query";
export const Errors = {
  internal: defineError(RootCodespace, 1, "internal error", GrpcCode.UNKNOWN),
  txDecode: defineError(RootCodespace, 2, "tx parse error"),
  invalidSequence: defineError(RootCodespace, 3, "invalid sequence"),
  unauthorized: defineError(RootCodespace, 4, "unauthorized", GrpcCode.UNAUTHENTICATED),
  insufficientFunds: defineError(RootCodespace, 5, "insufficient funds", GrpcCode.FAILED_PRECONDITION),
  unknownRequest: defineError(RootCodespace, 6, "unknown request"),
  invalidAddress: defineError(RootCodespace, 7, "invalid address"),
  invalidPubKey: defineError(RootCodespace, 8, "invalid pubkey"),
  unknownAddress: defineError(RootCodespace, 9, "unknown address", GrpcCode.NOT_FOUND),
  invalidCoins: defineError(RootCodespace, 10, "invalid coins"),
  outOfGas: defineError(RootCodespace, 11, "out of gas"),
  memoTooLarge: defineError(RootCodespace, 12, "memo too large"),
  insufficientFee: defineError(RootCodespace, 13, "insufficient fee"),
  tooManySignatures: defineError(RootCodespace, 14, "maximum number of signatures exceeded"),
  noSignatures: defineError(RootCodespace, 15, "no signatures supplied"),
  invalidRequest: defineError(RootCodespace, 18, "invalid request"),
  txTooLarge: defineError(RootCodespace, 21, "tx too large"),
  keyNotFound: defineError(RootCodespace, 22, "key not found", GrpcCode.NOT_FOUND),
  wrongChainId: defineError(RootCodespace, 24, "wrong chain id"),
  invalidHeight: defineError(RootCodespace, 26, "invalid height"),
  invalidGasAdjustment: defineError(RootCodespace, 25, "invalid gas adjustment"),
  txTimeoutHeight: defineError(RootCodespace, 30, "tx timeout height"),
  wrongSequence: defineError(RootCodespace, 32, "incorrect account sequence"),
  notSupported: defineError(RootCodespace, 37, "feature not supported"),
  notFound: defineError(RootCodespace, 38, "not found", GrpcCode.NOT_FOUND),
  // not a Cosmos SDK number: the SDK has no limit on messages per tx
  tooManyMsgs: defineError(RootCodespace, 43, "too many messages"),
  // not a Cosmos SDK number: the node services (blocks, broadcast, tx search) cannot reach this node's CometBFT
  nodeUnavailable: defineError(RootCodespace, 56, "node unavailable", GrpcCode.UNAVAILABLE),
  // SIGN_MODE_LEGACY_AMINO_JSON (app/tx/amino.ts, D13): not Cosmos SDK numbers (the SDK's aminojson handler
  // answers these with generic errors)
  aminoJsonTooLarge: defineError(RootCodespace, 59, "amino JSON sign document too large"),
  noAminoJson: defineError(RootCodespace, 60, "message has no amino JSON form"),
  aminoUnsignedContent: defineError(RootCodespace, 61, "tx carries content its amino JSON signature does not cover"),
  // not a Cosmos SDK number: a tx must be the one encoding its content has, so that it has one hash
  nonCanonicalTx: defineError(RootCodespace, 44, "tx is not canonically encoded"),
  // Query limits (app/query.ts): the framework's own codespace, so no Cosmos SDK root code is given a new meaning.
  queryTooLarge: defineError(QueryCodespace, 1, "query response too large", GrpcCode.RESOURCE_EXHAUSTED),
  queryTooExpensive: defineError(QueryCodespace, 2, "query reads too much state", GrpcCode.RESOURCE_EXHAUSTED),
};

/** Any thrown value as an AppError: non-AppErrors become "internal" with their message. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return Errors.internal.with(message);
}

/** A failure as it may be recorded in state (D10): the app's own errors as they are; any other exception
 *  becomes a fixed "internal error", because its text depends on the JS engine or a library version and
 *  would make honest nodes' app hashes differ. */
export function toStateError(err: unknown): AppError {
  return err instanceof AppError ? err : Errors.internal.with();
}

/** The text CosmJS and the SDK put in an ABCI query log ("rpc error: code = NotFound desc = ..."). */
export function grpcLog(err: AppError): string {
  const names: Record<number, string> = {
    [GrpcCode.UNKNOWN]: "Unknown",
    [GrpcCode.INVALID_ARGUMENT]: "InvalidArgument",
    [GrpcCode.NOT_FOUND]: "NotFound",
    [GrpcCode.PERMISSION_DENIED]: "PermissionDenied",
    [GrpcCode.RESOURCE_EXHAUSTED]: "ResourceExhausted",
    [GrpcCode.FAILED_PRECONDITION]: "FailedPrecondition",
    [GrpcCode.UNAVAILABLE]: "Unavailable",
    [GrpcCode.UNAUTHENTICATED]: "Unauthenticated",
  };
  return `rpc error: code = ${names[err.def.grpc] ?? "Unknown"} desc = ${err.message}`;
}
