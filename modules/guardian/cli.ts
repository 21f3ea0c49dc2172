// qoscli commands of the guardian module: `tx guardian add|delete|halt`, `query guardian <addr>`,
// `query guardians`, `query halt`. A guardian's transactions are fee-free (use --fees 0uqos).
import type { Command } from "commander";
import { MsgAddGuardian, MsgDeleteGuardian, MsgHaltNetwork } from "../../gen/qos/guardian/v1/tx.js";
import {
  QueryGuardianRequest, QueryGuardianResponse, QueryGuardiansRequest, QueryGuardiansResponse, QueryHaltRequest, QueryHaltResponse,
} from "../../gen/qos/guardian/v1/query.js";
import type { Guardian } from "../../gen/qos/guardian/v1/types.js";
import {
  CliContext, addPageFlags, addTxFlags, example, pageJson, pageRequest, pageText, runTx, type CliModule, type PageFlags, type TxFlags,
} from "../../client/index.js";
import { Method, TypeUrl } from "../../gen/names.js";

const typeText = (g: Guardian) => (g.type === 1 ? "genesis" : g.type === 2 ? "ordinary" : String(g.type));

export const guardianCli: CliModule = ({ tx, query, registerMsgTypes }) => {
  registerMsgTypes([
    [TypeUrl.qos.guardian.v1.MsgAddGuardian, MsgAddGuardian], [TypeUrl.qos.guardian.v1.MsgDeleteGuardian, MsgDeleteGuardian], [TypeUrl.qos.guardian.v1.MsgHaltNetwork, MsgHaltNetwork],
  ]);
  const g = tx.command("guardian").description("guardians: fee-free foundation accounts; genesis guardians add/delete ordinary ones and can halt the network");

  example(
    addTxFlags(g.command("add").argument("<creator>", "a genesis guardian's key").argument("<address>", "new ordinary guardian (address or key)").option("--description <text>", "description", "")
      .description("add an ordinary guardian (genesis guardians only)")),
    "qoscli tx guardian add foundation qosacc1... --description ops --fees 0uqos --broadcast-mode block",
  ).action(async (creator: string, address: string, flags: TxFlags & { description: string }, c: Command) => {
    const ctx = CliContext.of(c);
    const key = ctx.resolveKey(creator);
    const msg = MsgAddGuardian.fromPartial({ creator: key.address, address: ctx.resolveAddress(address).address, description: flags.description });
    await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.guardian.v1.MsgAddGuardian, value: msg }], signers: [{ address: key.address, key }] });
  });
  example(
    addTxFlags(g.command("delete").argument("<deleted-by>", "a genesis guardian's key").argument("<address>", "the ordinary guardian").description("delete an ordinary guardian (genesis guardians only)")),
    "qoscli tx guardian delete foundation qosacc1... --fees 0uqos --broadcast-mode block",
  ).action(async (by: string, address: string, flags: TxFlags, c: Command) => {
    const ctx = CliContext.of(c);
    const key = ctx.resolveKey(by);
    const msg = MsgDeleteGuardian.fromPartial({ deletedBy: key.address, address: ctx.resolveAddress(address).address });
    await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.guardian.v1.MsgDeleteGuardian, value: msg }], signers: [{ address: key.address, key }] });
  });
  example(
    addTxFlags(g.command("halt").argument("<guardian>", "a genesis guardian's key").argument("<reason>", "why (1-1000 bytes), shown in logs and `query halt`")
      .description("halt the network: no node makes a block after the one holding this (genesis guardians only)")),
    "qoscli tx guardian halt foundation 'critical bug, wait for v2' --fees 0uqos --broadcast-mode block",
  ).action(async (guardian: string, reason: string, flags: TxFlags, c: Command) => {
    const ctx = CliContext.of(c);
    const key = ctx.resolveKey(guardian);
    const msg = MsgHaltNetwork.fromPartial({ guardian: key.address, reason });
    await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.guardian.v1.MsgHaltNetwork, value: msg }], signers: [{ address: key.address, key }] });
  });

  example(query.command("guardian").argument("<address|key>").description("one guardian"), "qoscli query guardian qosacc1...").action(async (who: string, _o, c: Command) => {
    const ctx = CliContext.of(c);
    const res = await ctx.query(Method.qos.guardian.v1.Query.Guardian, QueryGuardianRequest, { address: ctx.resolveAddress(who).address }, QueryGuardianResponse);
    const x = { ...res.guardian!, type: typeText(res.guardian!) };
    ctx.print(x, () => `${x.address}\t${x.type}\t${x.description}${x.creator ? `\tadded by ${x.creator}` : ""}`);
  });
  example(addPageFlags(query.command("guardians")).description("the guardians, by address (one page)"), "qoscli query guardians --output json").action(async (o: PageFlags, c: Command) => {
    const ctx = CliContext.of(c);
    const res = await ctx.query(Method.qos.guardian.v1.Query.Guardians, QueryGuardiansRequest, { pagination: pageRequest(o) }, QueryGuardiansResponse);
    const list = res.guardians.map((x) => ({ ...x, type: typeText(x) }));
    ctx.print({ guardians: list, pagination: pageJson(res.pagination, o) }, () => pageText(list.map((x) => `${x.address}\t${x.type}\t${x.description}`).join("\n") || "no guardians", res.pagination, o));
  });
  example(query.command("halt").description("whether a genesis guardian halted the network, and why"), "qoscli query halt").action(async (_o, c: Command) => {
    const ctx = CliContext.of(c);
    const res = await ctx.query(Method.qos.guardian.v1.Query.Halt, QueryHaltRequest, {}, QueryHaltResponse);
    ctx.print(res, () => (res.halted ? `HALTED at height ${res.halt!.height} by ${res.halt!.guardian}: ${res.halt!.reason}` : "not halted"));
  });
};
