// The nested-group attack of issue 10 (defect 1): a valid signed tx with, appended to its TxRaw, an unknown
// field holding `depth` nested protobuf groups (wire types 3/4). The signatures cover body and auth info
// only, so the extra field is outside the signed bytes. Run as a script, this file executes one block with
// such a tx in a fresh process (cold: nothing JIT-compiled yet) and prints its result as JSON; the test
// compares that with the same block executed in a process that decoded many such txs before (warm).
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { toHex } from "@cosmjs/encoding";
import { fileURLToPath } from "node:url";
import { createTestApp, genesisWith } from "./app.js";
import { signTx, testAccount } from "./wallet.js";
import { concat } from "./protobuf.js";

export const BombChainId = "qos-bomb-1";

/** `depth` nested start-group tags of field `field`, then as many end-group tags (2 bytes per level for field < 16). */
export function nestedGroups(field: number, depth: number): Uint8Array {
  const start = (field << 3) | 3;
  const end = (field << 3) | 4;
  const out = new Uint8Array(2 * depth);
  out.fill(start, 0, depth);
  out.fill(end, depth);
  return out;
}

export { concat };

/** alice's signed MsgSend of 1000uqos to bob (account 0, sequence 0) with `depth` nested groups in TxRaw field 5. */
export async function bombTx(depth: number): Promise<Uint8Array> {
  const [alice, bob] = await Promise.all([testAccount("alice"), testAccount("bob")]);
  const tx = await signTx(
    alice,
    [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.fromPartial({ fromAddress: alice.address, toAddress: bob.address, amount: [{ denom: "uqos", amount: "1000" }] }) }],
    // gas for the size of a ~21 KB tx, so that a decoder that accepts it also executes it
    { chainId: BombChainId, accountNumber: 0, sequence: 0, fee: { amount: [{ denom: "uqos", amount: "10000" }], gas: "400000" } },
  );
  return concat(tx, nestedGroups(5, depth));
}

/** A fresh chain (alice and bob funded), one block with `txs`: the codes and the app hash. */
export async function runBombBlock(txs: Uint8Array[]): Promise<{ codes: number[]; logs: string[]; appHash: string }> {
  const [alice, bob] = await Promise.all([testAccount("alice"), testAccount("bob")]);
  const t = await createTestApp(
    genesisWith([
      { address: alice.address, coins: [{ denom: "uqos", amount: "1000000000" }] },
      { address: bob.address, coins: [{ denom: "uqos", amount: "1000000" }] },
    ]),
    { chainId: BombChainId, profile: "business" },
  );
  try {
    await t.block([]);
    const { results, appHash } = await t.block(txs);
    return { codes: results.map((r) => r.code), logs: results.map((r) => r.log), appHash: toHex(appHash) };
  } finally {
    await t.destroy();
  }
}

// As a script: `node group-bomb.js <depth>...` runs one block with a bomb of each depth in this (cold)
// process and prints the result.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const txs = await Promise.all(process.argv.slice(2).map((d) => bombTx(Number(d))));
  console.log(JSON.stringify(await runBombBlock(txs)));
}
