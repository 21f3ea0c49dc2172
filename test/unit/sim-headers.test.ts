// The simulation's signed headers (sim/headers.ts): header H of a SimChain carries block H's time, the app
// hash after H - 1 and the modelled validator sets of H and H + 1, signed by the sim's ed25519 keys; the sim
// relayer's update path halves where the trusted set no longer signs, exactly as the on-chain client checks.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { headerHash, validatorSetHash, verify } from "../../app/light/index.js";
import { SimChain, consAddress, type ValidatorSet } from "../../sim/chain.js";
import { clientGenesis, consensusKey, lightBlock, SimClient, updatePath } from "../../sim/headers.js";

const G = 1_800_000_000n;
const setOf = (...names: string[]): ValidatorSet => new Map(names.map((n) => {
  const pubKey = consensusKey(n);
  return [Buffer.from(consAddress(pubKey)).toString("hex"), { pubKey, power: 10n }] as const;
}));

let chain: SimChain;
after(async () => chain?.destroy());

test("sim headers: signed by the modelled sets, app hash of the previous block; the update path bisects at full set changes", async () => {
  chain = await SimChain.create({ chainId: "sim-headers", profile: "business", genesisSeconds: G, appState: {}, validators: setOf("hdr-a") });
  for (let i = 1; i <= 12; i++) await chain.block({ txs: [], timeSeconds: G + BigInt(5 * i) });
  // CometBFT's view rewritten: heights 1-4 signed by {a}, 5-8 by {b}, 9-13 by {c} (each set fully replaced)
  for (let h = 1; h <= 13; h++) chain.sets.set(h, h <= 4 ? setOf("hdr-a") : h <= 8 ? setOf("hdr-b") : setOf("hdr-c"));

  const b5 = lightBlock(chain, 5);
  assert.deepEqual(b5.signedHeader.header.appHash, chain.appHashes.get(4));
  assert.equal(b5.signedHeader.header.time.seconds, G + 25n);
  assert.deepEqual(b5.signedHeader.header.validatorsHash, validatorSetHash(b5.validatorSet));
  assert.deepEqual(lightBlock(chain, 4).signedHeader.header.nextValidatorsHash, b5.signedHeader.header.validatorsHash);
  assert.deepEqual(lightBlock(chain, 1).signedHeader.header.appHash, chain.genesisAppHash);

  const opts = { trustingPeriod: SimClient.trustingPeriodSeconds * 1_000_000_000n, maxClockDrift: SimClient.maxClockDriftSeconds * 1_000_000_000n, trustLevel: SimClient.trustLevel };
  const now = { seconds: G + 100n, nanos: 0 };
  for (let h = 2; h <= 12; h++) verify(lightBlock(chain, h - 1), lightBlock(chain, h), opts, now);

  // from 1 to 12: the trusted set {a} signs 3 (skip), not 6; 4 is adjacent; {b} signs 6; 7, 8, 9 one by one
  // across the change to {c}; then {c} signs 12
  const path = updatePath(chain, 1, 12, { ...opts, nowSeconds: G + 100n });
  assert.deepEqual(path, [3, 4, 6, 7, 8, 9, 12]);
  // each step verifies from the one before, with the trusted set the client holds: the next set of the trusted height
  let trusted = 1;
  for (const h of path) {
    const from = lightBlock(chain, trusted);
    verify({ signedHeader: from.signedHeader, validatorSet: lightBlock(chain, trusted + 1).validatorSet }, lightBlock(chain, h), opts, now);
    trusted = h;
  }
  assert.deepEqual(updatePath(chain, 9, 12, { ...opts, nowSeconds: G + 100n }), [12]);
  assert.deepEqual(updatePath(chain, 12, 12, { ...opts, nowSeconds: G + 100n }), []);

  const genesis = clientGenesis(lightBlock(chain, 3)) as { latest_height: string; consensus_states: Array<{ height: string; header_hash: string; time: unknown }> };
  assert.equal(genesis.latest_height, "3");
  assert.deepEqual(genesis.consensus_states.map((s) => [s.height, s.header_hash, s.time]), [
    ["3", Buffer.from(headerHash(lightBlock(chain, 3).signedHeader.header)).toString("base64"), { seconds: String(G + 15n), nanos: 0 }],
  ]);
});
