// The mint module has no messages of its own: inflation runs in BeginBlock, and the schedule changes only
// through governance (which calls MintKeeper.setPhases after validatePhaseChange).
import type { MsgHandler } from "../../app/module.js";
import type { MintKeeper } from "./keeper.js";

export function mintMsgs(_keeper: MintKeeper): MsgHandler[] {
  return [];
}
