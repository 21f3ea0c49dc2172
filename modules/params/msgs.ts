// No messages: parameters change only through governance (modules/gov, ParameterChangeProposal), which
// calls ParamsRegistry.prepare at submit time and ParamsRegistry.apply when the proposal passes.
import type { MsgHandler } from "../../app/module.js";

export const paramsMsgs: MsgHandler[] = [];
