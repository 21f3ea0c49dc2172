// Certificates of a root CA (ed25519), used to register QSC tokens and QCP relayer keys. Verification
// depends only on the certificate, the trusted root key and the block time (D7): never a node's clock.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { fromBase64, toBase64 } from "@cosmjs/encoding";
import { z } from "zod";
import { Certificate, CertificateRequest } from "../gen/qos/ca/v1/cert.js";
import type { ErrorDef } from "./errors.js";

const SignaturePrefix = new TextEncoder().encode("qos-ca-v1:");

export interface CaKeyPair {
  /** 32-byte ed25519 seed */
  privateKey: Uint8Array;
  /** 32-byte ed25519 public key */
  publicKey: Uint8Array;
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

export function newCaKeyPair(): CaKeyPair {
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  return { privateKey: Buffer.from(jwk.d!, "base64url"), publicKey: Buffer.from(jwk.x!, "base64url") };
}

function signedBytes(request: Uint8Array): Uint8Array {
  return Buffer.concat([SignaturePrefix, request]);
}

/** Signs a request with the CA's key and returns the encoded Certificate. */
export function issueCertificate(ca: CaKeyPair, request: CertificateRequest): Uint8Array {
  const requestBytes = CertificateRequest.encode(request).finish();
  const key = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: b64url(ca.privateKey), x: b64url(ca.publicKey) }, format: "jwk" });
  const signature = sign(null, signedBytes(requestBytes), key);
  return Certificate.encode({ request: requestBytes, caPublicKey: ca.publicKey, signature }).finish();
}

export type CertificateCheck =
  | { ok: true; request: CertificateRequest }
  /** `notValidNow`: a good certificate outside its validity window at this block time */
  | { ok: false; reason: string; notValidNow?: true };

/**
 * Checks an encoded certificate against a trusted root and a block time (unix seconds):
 * decodable, issued by that root, signature valid, not_before <= time < not_after.
 */
export function checkCertificate(encoded: Uint8Array, trustedRoot: Uint8Array, blockTimeSeconds: bigint): CertificateCheck {
  let certificate: Certificate;
  let request: CertificateRequest;
  try {
    certificate = Certificate.decode(encoded);
    request = CertificateRequest.decode(certificate.request);
  } catch (e) {
    return { ok: false, reason: `certificate does not decode: ${(e as Error).message}` };
  }
  if (certificate.caPublicKey.length !== 32 || certificate.signature.length !== 64) {
    return { ok: false, reason: "certificate has no ed25519 CA key and signature" };
  }
  if (!Buffer.from(certificate.caPublicKey).equals(Buffer.from(trustedRoot))) {
    return { ok: false, reason: "certificate is not issued by the trusted root CA" };
  }
  let valid = false;
  try {
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64url(trustedRoot) }, format: "jwk" });
    valid = verify(null, signedBytes(certificate.request), key, certificate.signature);
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "certificate signature does not verify with the root CA key" };
  if (blockTimeSeconds < request.notBefore) {
    return { ok: false, reason: `certificate is not valid before ${request.notBefore} (block time ${blockTimeSeconds})`, notValidNow: true };
  }
  if (blockTimeSeconds >= request.notAfter) {
    return { ok: false, reason: `certificate expired at ${request.notAfter} (block time ${blockTimeSeconds})`, notValidNow: true };
  }
  return { ok: true, request };
}

// ---- what a module holding a root CA (qsc for tokens, qcp for relayers) shares ----

/** The largest certificate a message may carry. */
export const MaxCertificateBytes = 4096;

/** A module's own numbered errors for its certificates (each module keeps its codespace and codes). */
export interface CertificateErrors {
  invalid: ErrorDef;
  notValidNow: ErrorDef;
  noRootCa: ErrorDef;
}

/** checkStateless: a certificate of 1..MaxCertificateBytes bytes (nothing is decoded before state is read). */
export function checkCertificateSize(encoded: Uint8Array, errors: Pick<CertificateErrors, "invalid">): void {
  if (encoded.length === 0 || encoded.length > MaxCertificateBytes) {
    throw errors.invalid.with(`certificate must be 1-${MaxCertificateBytes} bytes`);
  }
}

/** execute: the certificate checked against the module's root CA (undefined: genesis named none, and
 *  `noRootCa` says what cannot be done) at the block time; returns what it certifies or throws the
 *  module's error. */
export function requireCertificate(
  encoded: Uint8Array,
  root: Uint8Array | undefined,
  blockTimeSeconds: bigint,
  errors: CertificateErrors,
  noRootCa: string,
): CertificateRequest {
  if (!root) throw errors.noRootCa.with(noRootCa);
  const check = checkCertificate(encoded, root, blockTimeSeconds);
  if (!check.ok) throw (check.notValidNow ? errors.notValidNow : errors.invalid).with(check.reason);
  return check.request;
}

/** The root CA key in a module's genesis JSON: base64 of the 32-byte ed25519 key; empty = none. */
export const RootCaGenesisKey = z.string().default("");

/** Genesis import: the root CA key of `root_ca_public_key`, or undefined when it is empty. */
export function rootCaFromGenesis(base64: string, invalidGenesis: ErrorDef): Uint8Array | undefined {
  if (!base64) return undefined;
  const key = fromBase64(base64);
  if (key.length !== 32) throw invalidGenesis.with("root_ca_public_key must be a base64 32-byte ed25519 key");
  return key;
}

/** Genesis export: what rootCaFromGenesis reads back. */
export const rootCaToGenesis = (key: Uint8Array | undefined): string => (key ? toBase64(key) : "");
