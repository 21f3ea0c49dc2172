// The root-CA handling qsc and qcp share (app/certificate.ts) and parsePositiveAmount (app/coins.ts):
// each module passes its own numbered errors and gets them back, with the texts the modules wrote before.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  checkCertificateSize, issueCertificate, MaxCertificateBytes, newCaKeyPair, requireCertificate, rootCaFromGenesis, rootCaToGenesis,
} from "../../app/certificate.js";
import { parsePositiveAmount } from "../../app/coins.js";
import { defineError, type AppError } from "../../app/errors.js";

const errors = {
  invalid: defineError("certtest", 1, "invalid certificate"),
  notValidNow: defineError("certtest", 2, "not valid now"),
  noRootCa: defineError("certtest", 3, "no root CA"),
};
const invalidGenesis = defineError("certtest", 4, "invalid genesis");
const thrown = (f: () => unknown): AppError => {
  try {
    f();
  } catch (e) {
    return e as AppError;
  }
  throw new Error("did not throw");
};

test("checkCertificateSize: 1..4096 bytes, else the module's invalid-certificate error", () => {
  checkCertificateSize(new Uint8Array(1), errors);
  checkCertificateSize(new Uint8Array(MaxCertificateBytes), errors);
  const e = thrown(() => checkCertificateSize(new Uint8Array(4097), errors));
  assert.equal(e.code, 1);
  assert.equal(e.message, "certificate must be 1-4096 bytes: invalid certificate");
  assert.equal(thrown(() => checkCertificateSize(new Uint8Array(0), errors)).code, 1);
});

test("requireCertificate: no root, outside its window, another root, then what it certifies", () => {
  const ca = newCaKeyPair();
  const cert = issueCertificate(ca, { qcp: { chainId: "a", qcpChain: "b", relayerPublicKey: new Uint8Array(33), trustedHeaderHash: new Uint8Array() }, notBefore: 100n, notAfter: 200n });
  const none = thrown(() => requireCertificate(cert, undefined, 150n, errors, "genesis has none"));
  assert.equal(none.code, 3);
  assert.equal(none.message, "genesis has none: no root CA");
  const early = thrown(() => requireCertificate(cert, ca.publicKey, 99n, errors, ""));
  assert.equal(early.code, 2);
  assert.equal(early.message, "certificate is not valid before 100 (block time 99): not valid now");
  assert.equal(thrown(() => requireCertificate(cert, ca.publicKey, 200n, errors, "")).message, "certificate expired at 200 (block time 200): not valid now");
  const other = thrown(() => requireCertificate(cert, newCaKeyPair().publicKey, 150n, errors, ""));
  assert.equal(other.code, 1);
  assert.equal(other.message, "certificate is not issued by the trusted root CA: invalid certificate");
  assert.equal(thrown(() => requireCertificate(Uint8Array.of(0xff), ca.publicKey, 150n, errors, "")).code, 1);
  assert.equal(requireCertificate(cert, ca.publicKey, 199n, errors, "").qcp?.qcpChain, "b");
});

test("root CA key in genesis: base64 of 32 bytes or empty, and back", () => {
  const key = new Uint8Array(32).fill(7);
  const b64 = rootCaToGenesis(key);
  assert.equal(b64, "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=");
  assert.deepEqual(rootCaFromGenesis(b64, invalidGenesis), key);
  assert.equal(rootCaFromGenesis("", invalidGenesis), undefined);
  assert.equal(rootCaToGenesis(undefined), "");
  const short = thrown(() => rootCaFromGenesis("AAAA", invalidGenesis));
  assert.equal(short.message, "root_ca_public_key must be a base64 32-byte ed25519 key: invalid genesis");
});

test("parsePositiveAmount: parseAmount's rules, and zero refused", () => {
  assert.equal(parsePositiveAmount("12", "amount"), 12n);
  const zero = thrown(() => parsePositiveAmount("0", "initial_holders[1].amount"));
  assert.equal(zero.codespace, "sdk");
  assert.equal(zero.code, 10);
  assert.match(zero.message, /^initial_holders\[1\]\.amount must be positive: /);
  assert.match(thrown(() => parsePositiveAmount("-1")).message, /^amount "-1" is not a non-negative integer/);
});
