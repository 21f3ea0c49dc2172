// bank's supply invariant catches a balance created without supply, and FinalizeBlock refuses to
// finish a block that breaks it when invariant checks are on (as every test node runs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { CacheStore, bytesToKey } from "../../app/state/kv.js";
import { createTestApp, genesisWith } from "../helpers/app.js";
import { testAccount } from "../helpers/wallet.js";
import { parseAccAddress } from "../../app/address.js";

test("the supply invariant holds after genesis and breaks when coins appear without supply", async () => {
  const alice = await testAccount("inv-alice");
  const t = await createTestApp(genesisWith([{ address: alice.address, coins: [{ denom: "uqos", amount: "100" }] }]), { profile: "business" });
  try {
    await t.block([]);
    const state = new CacheStore(t.app.store.latest.reader);
    t.app.keepers.bank.checkSupplyInvariant(state);
    // a balance raised behind bank's back (add/subtract are private to the keeper): its raw key
    state.set(`bank/b/${bytesToKey(parseAccAddress(alice.address))}uqos`, new TextEncoder().encode("101"));
    assert.throws(() => t.app.keepers.bank.checkSupplyInvariant(state), /supply invariant broken for uqos: balances sum to 101, supply is 100/);
    const burnt = new CacheStore(t.app.store.latest.reader);
    t.app.keepers.bank.burn(burnt, undefined, parseAccAddress(alice.address), [{ denom: "uqos", amount: 40n }]);
    t.app.keepers.bank.checkSupplyInvariant(burnt);
    assert.equal(t.app.keepers.bank.getSupply(burnt, "uqos"), 60n);
  } finally {
    await t.destroy();
  }
});

test("genesis with a declared supply that differs from the balances is refused", async () => {
  const alice = await testAccount("inv-bob");
  await assert.rejects(
    createTestApp({
      auth: { accounts: [{ address: alice.address }] },
      bank: { balances: [{ address: alice.address, coins: [{ denom: "uqos", amount: "100" }] }], supply: [{ denom: "uqos", amount: "99" }] },
    }, { profile: "business" }),
    /declared supply does not equal the sum of balances/,
  );
});
