// The relayer's header verifier (cmd/relayer/light.ts, on app/light) over headers recorded from real
// CometBFT networks (test/fixtures/light/): trust on first use, then a changed validator set only with
// more than 1/3 of the trusted set's power behind it; another chain's header is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../../cmd/common/cometbft.js";
import { HeaderVerifier, type RpcSignedHeader } from "../../cmd/relayer/light.js";

interface Recorded { chain_id: string; heights: { height: string; commit: { signed_header: RpcSignedHeader }; validators: { validators: unknown[] } }[] }
const load = (name: string): Recorded => JSON.parse(readFileSync(join(repoRoot, "test/fixtures/light", name), "utf8"));
const main = load("qos-light-1.json");
const other = load("qos-light-other-1.json");
const at = (f: Recorded, height: number) => f.heights.find((r) => Number(r.height) === height)!;
const check = (v: HeaderVerifier, f: Recorded, height: number) => v.verify(at(f, height).commit.signed_header, at(f, height).validators.validators);

test("relayer verifier: every recorded height in order is accepted (five validator-set changes), with its app hash", () => {
  const verifier = new HeaderVerifier(main.chain_id);
  for (const r of main.heights) {
    const verified = check(verifier, main, Number(r.height));
    const header = (r.commit.signed_header.header as { app_hash: string; validators_hash: string });
    assert.equal(verified.height, Number(r.height));
    assert.equal(Buffer.from(verified.appHash).toString("hex").toUpperCase(), header.app_hash);
    assert.equal(verified.validatorsHash, header.validators_hash);
  }
});

test("relayer verifier: a jump from height 1 to 29 is refused (10 of 40 trusted power signed), to 22 accepted (20 of 40)", () => {
  const far = new HeaderVerifier(main.chain_id);
  check(far, main, 1);
  assert.throws(() => check(far, main, 29), { name: "LightClientError", reason: "insufficient_trust" } as never);
  const near = new HeaderVerifier(main.chain_id);
  check(near, main, 1);
  assert.equal(check(near, main, 22).height, 22);
});

test("relayer verifier: another chain's header and a set that is not the pinned one are refused", () => {
  assert.throws(() => check(new HeaderVerifier(main.chain_id), other, 2), { reason: "wrong_chain_id" } as never);
  const pinned = new HeaderVerifier(main.chain_id, "00".repeat(32));
  assert.throws(() => check(pinned, main, 1), /is not the pinned 0000/);
});
