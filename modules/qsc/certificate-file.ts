// The files of the CA tool (`qoscli ca`): a root key file and certificate files, JSON with base64 bytes.
// An operator's own CA can produce the same files: a Certificate (proto/qos/ca/v1/cert.proto) whose
// signature is ed25519 over "qos-ca-v1:" || request bytes.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { addressFromPubKey, toAccAddress } from "../../app/address.js";
import { Certificate, CertificateRequest } from "../../gen/qos/ca/v1/cert.js";

export const RootKeyFileSchema = z.object({
  type: z.literal("qos-ca-root-ed25519"),
  public_key: z.string(),
  private_key: z.string(),
});

export const CertificateFileSchema = z.object({
  type: z.literal("qos-ca-certificate"),
  /** base64 of the encoded qos.ca.v1.Certificate: what goes into a transaction */
  certificate: z.string(),
  /** a readable copy of what the certificate says (informational; the bytes are authoritative) */
  subject: z.unknown().optional(),
});

export interface CertificateFile {
  bytes: Uint8Array;
  subject: CertificateRequest;
  /** the banker's qosacc address for a QSC certificate */
  bankerAddress?: string;
}

export function decodeCertificate(bytes: Uint8Array): CertificateFile {
  const certificate = Certificate.decode(bytes);
  const subject = CertificateRequest.decode(certificate.request);
  const bankerAddress = subject.qsc?.bankerPublicKey.length === 33 ? toAccAddress(addressFromPubKey(subject.qsc.bankerPublicKey)) : undefined;
  return { bytes, subject, bankerAddress };
}

export function readCertificateFile(path: string): CertificateFile {
  let parsed;
  try {
    parsed = CertificateFileSchema.parse(JSON.parse(readFileSync(path, "utf8")));
  } catch (e) {
    throw new Error(`${path} is not a certificate file from \`qoscli ca\`: ${(e as Error).message}`);
  }
  return decodeCertificate(Buffer.from(parsed.certificate, "base64"));
}
