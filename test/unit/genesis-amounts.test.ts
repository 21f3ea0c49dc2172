// Integers in genesis are parsed by the app's strict rule (decimal digits, bounded), never by bare
// BigInt(), which takes "-5", "0x10" and " 7": a negative delegation or an unbonding of "0x10" would
// otherwise enter state. InitChain refuses each with a clear error naming the field.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openApp } from "../../chain/index.js";
import { GenesisTime } from "../helpers/app.js";
import { testAccount } from "../helpers/wallet.js";

async function initChain(appState: Record<string, unknown>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "qos-genesis-"));
  const app = await openApp({ dbPath: join(dir, "app.db"), log: () => {} });
  try {
    app.initChain({ time: GenesisTime, chainId: "qos-genesis-1", validators: [], appStateBytes: new TextEncoder().encode(JSON.stringify({ profile: "qos", ...appState })), initialHeight: 1n });
    return "accepted";
  } catch (e) {
    return (e as Error).message;
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("genesis integers", () => {
  test("attack: genesis amounts and heights like \"-5\", \"0x10\", \" 7\" are refused by InitChain with a clear error", async () => {
    const [alice] = await Promise.all(["gen-alice"].map(testAccount));
    const validator = "qosval1" + "q".repeat(38); // never reached: the schema refuses the amount first
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["negative delegation", { stake: { delegations: [{ delegator: alice.address, validator, amount: "-5" }] } }, /delegations\.0\.amount|"amount"/],
      ["hex unbonding", { stake: { unbondings: [{ delegator: alice.address, validator, amount: "0x10", creation_height: "1", completion_time: "5" }] } }, /unbondings/],
      ["padded unbonding time", { stake: { unbondings: [{ delegator: alice.address, validator, amount: "10", creation_height: "1", completion_time: " 7" }] } }, /completion_time/],
      ["hex proposal id", { gov: { starting_proposal_id: "0x10" } }, /starting_proposal_id/],
      ["padded proposal id", { gov: { starting_proposal_id: " 7" } }, /starting_proposal_id/],
      ["negative escrow", { qcp: { chains: [{ chain_id: "biz-1", escrowed: [{ denom: "uqos", amount: "-5" }] }] } }, /escrowed/],
      ["frozen over 2^256-1", { qsc: { frozen: [{ name: "STAR", address: alice.address, amount: "9".repeat(78) }] } }, /frozen/],
      ["hex account number", { auth: { accounts: [{ address: alice.address, account_number: "0x10" }] } }, /account_number/],
    ];
    for (const [name, state, field] of cases) {
      const error = await initChain(state);
      assert.match(error, /must be a non-negative integer in decimal digits, at most 2\^(256|64)-1|invalid .* genesis/, `${name}: ${error}`);
      assert.match(error, /must be a non-negative integer in decimal digits/, `${name}: ${error}`);
      assert.match(error, field, `${name}: ${error}`);
    }
    // the same fields in decimal digits are read as before
    assert.equal(await initChain({ gov: { starting_proposal_id: "16" }, auth: { accounts: [{ address: alice.address, account_number: "16" }] } }), "accepted");
  });

  test("attack: a qcp genesis escrow or voucher under a denom no message would accept (non-ASCII, too short) is refused", async () => {
    for (const [field, denom] of [["escrowed", "uqös"], ["vouchers", "ab"], ["escrowed", "1abc"]] as const) {
      const error = await initChain({ qcp: { chains: [{ chain_id: "biz-1", [field]: [{ denom, amount: "5" }] }] } });
      assert.match(error, new RegExp(`${field}.*an invalid denom|an invalid denom.*${field}`, "s"), `${field} ${denom}: ${error}`);
    }
    // a valid denom passes the schema (and then meets the escrow invariant: nothing is held for it)
    assert.match(await initChain({ qcp: { chains: [{ chain_id: "biz-1", escrowed: [{ denom: "uqos", amount: "5" }] }] } }), /^escrow records of uqos sum to 5, qosacc1\w+ holds 0: qcp invariant broken$/);
  });
});
