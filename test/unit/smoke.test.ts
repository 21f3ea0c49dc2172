import { test } from "node:test";
import assert from "node:assert/strict";
import { MsgTransfer } from "../../gen/qos/bank/v1/tx.js";

test("generated MsgTransfer codec round-trips", () => {
  const msg = MsgTransfer.fromPartial({ senders: [{ address: "a", coins: [{ denom: "uqos", amount: "5" }] }] });
  const back = MsgTransfer.decode(MsgTransfer.encode(msg).finish());
  assert.equal(back.senders[0].coins[0].amount, "5");
});
