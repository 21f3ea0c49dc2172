// auth has no messages of its own: it checks every transaction's signers in the ante handler (ante.ts).
import type { MsgHandler } from "../../app/module.js";

export const msgs: MsgHandler[] = [];
