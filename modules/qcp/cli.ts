// qoscli commands of the qcp module: `tx qcp init|transfer`, `query qcp-chains`, `query qcp-sequences
// <chain>`, `query qcp-entry <chain> <sequence>`, `query qcp-result <chain> <sequence>`, and the `query qcp`
// group (`query qcp denom-trace <denom>`, `query qcp client <chain>`, `query qcp consensus-state <chain> [height]`,
// `query qcp substitutes <chain>`), and `tx qcp create-substitute` (recovery of a frozen or expired client).
import type { Command } from "commander";
import { MsgCreateClient, MsgCreateSubstitute, MsgExecute, MsgInitQcp, MsgRecvQcp, MsgSubmitMisbehaviour, MsgTransfer, MsgUpdateClient } from "../../gen/qos/qcp/v1/tx.js";
import {
  QueryChainsRequest, QueryChainsResponse, QueryDenomTraceRequest, QueryDenomTraceResponse, QueryEntryRequest, QueryEntryResponse, QueryResultRequest, QueryResultResponse,
  QuerySequencesRequest, QuerySequencesResponse, QuerySubstitutesRequest, QuerySubstitutesResponse, QueryClientRequest, QueryClientResponse, QueryConsensusStateRequest, QueryConsensusStateResponse,
} from "../../gen/qos/qcp/v1/query.js";
import { OutboxEntry, type ClientState, type ConsensusState } from "../../gen/qos/qcp/v1/types.js";
import {
  CliContext, CliError, LightRpc, checkedLightBlock, addPageFlags, addTxFlags, addVerifyFlag, example, pageJson, pageRequest, pageText, runTx, verifiedStateFor, type CliModule, type PageFlags, type TxFlags,
} from "../../client/index.js";
import { sequenceEntries, traceEntry } from "./keeper.js";
import { readCertificate } from "../../client/certificate.js";
import { Method, TypeUrl } from "../../gen/names.js";
import { toProtoValidatorSet } from "../../app/light/index.js";

const seqArg = (text: string) => {
  if (!/^[0-9]+$/.test(text)) throw new CliError(`sequence ${JSON.stringify(text)} must be a whole number`);
  return BigInt(text);
};

const hexU = (b: Uint8Array) => Buffer.from(b).toString("hex").toUpperCase();

/** A consensus state as qoscli prints it: the header's time (RFC 3339, nanoseconds) and hashes in upper-case hex. */
export function consensusStateJson(height: bigint, s: ConsensusState) {
  const t = s.timestamp ?? { seconds: 0n, nanos: 0 };
  const time = new Date(Number(t.seconds) * 1000).toISOString().replace(/\.000Z$/, `.${String(t.nanos).padStart(9, "0")}Z`);
  return { height: height.toString(), time, app_hash: hexU(s.appHash), next_validators_hash: hexU(s.nextValidatorsHash), header_hash: hexU(s.headerHash) };
}

/** A light client as qoscli prints it (status "" when the node cannot tell expiry: see Query/Client). */
export function clientJson(c: ClientState, status: string, latest: ConsensusState | undefined) {
  return {
    chain_id: c.chainId,
    status,
    trust_level: `${c.trustLevelNumerator}/${c.trustLevelDenominator}`,
    trusting_period_seconds: c.trustingPeriodSeconds.toString(),
    max_clock_drift_seconds: c.maxClockDriftSeconds.toString(),
    latest_height: c.latestHeight.toString(),
    frozen_height: c.frozenHeight.toString(),
    latest_consensus_state: latest ? consensusStateJson(c.latestHeight, latest) : null,
  };
}

export const qcpCli: CliModule = ({ tx, query, registerMsgTypes }) => {
  registerMsgTypes([
    [TypeUrl.qos.qcp.v1.MsgInitQcp, MsgInitQcp], [TypeUrl.qos.qcp.v1.MsgRecvQcp, MsgRecvQcp], [TypeUrl.qos.qcp.v1.MsgTransfer, MsgTransfer], [TypeUrl.qos.qcp.v1.MsgExecute, MsgExecute],
    [TypeUrl.qos.qcp.v1.MsgCreateClient, MsgCreateClient], [TypeUrl.qos.qcp.v1.MsgUpdateClient, MsgUpdateClient], [TypeUrl.qos.qcp.v1.MsgSubmitMisbehaviour, MsgSubmitMisbehaviour],
    [TypeUrl.qos.qcp.v1.MsgCreateSubstitute, MsgCreateSubstitute],
  ]);
  const qcp = tx.command("qcp").description("cross-chain messages: register relayers, transfer tokens to another chain");

  example(
    addTxFlags(
      qcp.command("init").argument("<creator>", "key that signs and pays")
        .requiredOption("--certificate <file>", "certificate file from `qoscli ca issue-qcp`")
        .description(`register a relayer key for a source chain with a QCP CA certificate (${TypeUrl.qos.qcp.v1.MsgInitQcp})`),
    ),
    "qoscli tx qcp init alice --certificate relayer.crt --broadcast-mode block",
  ).action(async (creator: string, flags: TxFlags & { certificate: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const cert = readCertificate(flags.certificate, "qcp");
    const key = ctx.resolveKey(creator);
    const msg = MsgInitQcp.fromPartial({ creator: key.address, certificate: cert.bytes });
    await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.qcp.v1.MsgInitQcp, value: msg }], signers: [{ address: key.address, key }] });
  });

  example(
    addTxFlags(
      qcp.command("transfer").argument("<sender>", "key that sends").argument("<to-chain>", "destination chain id")
        .argument("<receiver>", "receiver address on the destination chain").argument("<amount>", "amount and denom, e.g. 1000STAR")
        .description("send tokens to an account on another chain (escrowed here, a voucher there; or a voucher going home)"),
    ),
    "qoscli tx qcp transfer alice qos-local-1 qosacc1... 1000STAR --broadcast-mode block",
  ).action(async (sender: string, toChain: string, receiver: string, amount: string, flags: TxFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const m = /^([0-9]+)([a-zA-Z][a-zA-Z0-9/]{1,127})$/.exec(amount);
    if (!m) throw new CliError(`amount ${JSON.stringify(amount)} must look like 1000STAR`);
    const key = ctx.resolveKey(sender);
    const msg = MsgTransfer.fromPartial({ sender: key.address, toChain, receiver, amount: m[1], denom: m[2] });
    await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.qcp.v1.MsgTransfer, value: msg }], signers: [{ address: key.address, key }] });
  });

  example(
    addTxFlags(
      qcp.command("create-substitute").argument("<creator>", "key that signs and pays")
        .requiredOption("--counterpart-node <url>", "CometBFT RPC of the counterpart chain (the header and its validator set come from it)")
        .option("--height <n>", "the counterpart header to trust (default: its latest)")
        .description("create a substitute client of a counterpart whose client here is frozen or expired (governance recovers the client from it: docs/light-client.md)"),
    ),
    "qoscli tx qcp create-substitute alice --counterpart-node http://127.0.0.1:36657 --broadcast-mode block",
  ).action(async (creator: string, flags: TxFlags & { counterpartNode: string; height?: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    if (flags.height !== undefined && !/^[1-9][0-9]{0,18}$/.test(flags.height)) throw new CliError(`--height ${JSON.stringify(flags.height)} must be a positive whole number`);
    const rpc = new LightRpc(flags.counterpartNode, (e) => new CliError(`cannot reach the counterpart node at ${flags.counterpartNode}: ${(e as Error).message}`));
    const height = flags.height !== undefined ? BigInt(flags.height) : await rpc.latestHeight();
    const block = checkedLightBlock(await rpc.lightBlockJson(height));
    const key = ctx.resolveKey(creator);
    const msg = MsgCreateSubstitute.fromPartial({ creator: key.address, signedHeader: block.signedHeader as never, validatorSet: toProtoValidatorSet(block.validatorSet) });
    await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.qcp.v1.MsgCreateSubstitute, value: msg }], signers: [{ address: key.address, key }] });
  });

  example(addPageFlags(query.command("qcp-chains")).description("registered counterpart chains, their relayers and sequences (one page)"), "qoscli query qcp-chains --output json")
    .action(async (opts: PageFlags, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Method.qos.qcp.v1.Query.Chains, QueryChainsRequest, { pagination: pageRequest(opts) }, QueryChainsResponse);
      const chains = res.chains.map((c) => ({ chain_id: c.info!.chainId, relayers: c.info!.relayers, out_sequence: c.outSequence.toString(), in_sequence: c.inSequence.toString() }));
      ctx.print({ chains, pagination: pageJson(res.pagination, opts) }, () =>
        pageText(chains.map((c) => `${c.chain_id}\tout ${c.out_sequence}\tin ${c.in_sequence}\trelayers ${c.relayers.join(",")}`).join("\n") || "no chains", res.pagination, opts));
    });
  example(addVerifyFlag(query.command("qcp-sequences").argument("<chain>", "counterpart chain id").description("out-sequence toward and in-sequence from a chain")), "qoscli query qcp-sequences biz-1", "qoscli query qcp-sequences biz-1 --verify")
    .action(async (chainId: string, opts: { verify?: boolean }, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const verified = await verifiedStateFor(ctx, opts.verify);
      let res: { outSequence: bigint; inSequence: bigint };
      if (verified) {
        // absent (proven) = 0: no message sent or delivered yet
        const entries = sequenceEntries(chainId);
        res = {
          outSequence: (await verified.get(entries.out, `the out-sequence toward ${chainId}`)) ?? 0n,
          inSequence: (await verified.get(entries.in, `the in-sequence from ${chainId}`)) ?? 0n,
        };
      } else res = await ctx.query(Method.qos.qcp.v1.Query.Sequences, QuerySequencesRequest, { chainId }, QuerySequencesResponse);
      ctx.print({ out_sequence: res.outSequence.toString(), in_sequence: res.inSequence.toString() }, () => `out ${res.outSequence}, in ${res.inSequence}`);
    });
  example(query.command("qcp-entry").argument("<chain>", "destination chain id").argument("<sequence>", "sequence").description("an outbox entry and its state key (prove it with abci_query /store/key)"), "qoscli query qcp-entry biz-1 1 --output json")
    .action(async (chainId: string, sequence: string, _opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Method.qos.qcp.v1.Query.Entry, QueryEntryRequest, { chainId, sequence: seqArg(sequence) }, QueryEntryResponse);
      const e = OutboxEntry.decode(res.entry);
      const out = { from: e.from, to: e.to, sequence: e.sequence.toString(), height: e.height.toString(), is_result: e.isResult, payload_type: e.payloadType, hash: res.hash, key_hex: Buffer.from(res.key).toString("hex") };
      ctx.print(out, () => Object.entries(out).map(([k, v]) => `${k}: ${v}`).join("\n"));
    });
  example(query.command("qcp-result").argument("<chain>", "destination chain id").argument("<sequence>", "sequence of our entry").description("the result the destination sent back for an entry"), "qoscli query qcp-result biz-1 1")
    .action(async (chainId: string, sequence: string, _opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const { result } = await ctx.query(Method.qos.qcp.v1.Query.Result, QueryResultRequest, { chainId, sequence: seqArg(sequence) }, QueryResultResponse);
      const out = { orig_sequence: result!.origSequence.toString(), code: result!.code, codespace: result!.codespace, log: result!.log };
      ctx.print(out, () => (out.code === 0 ? `#${out.orig_sequence} succeeded` : `#${out.orig_sequence} failed: ${out.codespace} ${out.code}: ${out.log}`));
    });

  // one `query qcp` group whoever adds to it first (the light-client queries live there too)
  const qq = query.commands.find((c) => c.name() === "qcp") ?? query.command("qcp").description("qcp queries: voucher denom traces, light clients");
  example(
    addVerifyFlag(qq.command("denom-trace").argument("<denom>", "a voucher denom, qcp/<hash>").description("the chain and denom a voucher minted here stands for")),
    "qoscli query qcp denom-trace qcp/9F86D0... --output json",
  ).action(async (denom: string, opts: { verify?: boolean }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const verified = await verifiedStateFor(ctx, opts.verify);
    const trace = verified
      ? await verified.get(traceEntry(denom), `the denom trace of ${denom}`)
      : (await ctx.query(Method.qos.qcp.v1.Query.DenomTrace, QueryDenomTraceRequest, { denom }, QueryDenomTraceResponse)).trace;
    if (!trace) throw new CliError(`${denom} is not a voucher minted on this chain (proven absent)`);
    const out = { denom, chain_id: trace.chainId, source_denom: trace.denom };
    ctx.print(out, () => `${denom}: ${out.source_denom} from ${out.chain_id}`);
  });
  example(qq.command("client").argument("<chain>", "counterpart chain id").description("the light client of a counterpart chain: status, trust parameters, latest verified header"), "qoscli query qcp client biz-1 --output json")
    .action(async (chainId: string, _opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Method.qos.qcp.v1.Query.Client, QueryClientRequest, { chainId }, QueryClientResponse);
      const out = clientJson(res.clientState!, res.status, res.latestConsensusState);
      ctx.print(out, () => `${out.chain_id}: ${out.status || "status unknown"}, latest height ${out.latest_height}${out.frozen_height !== "0" ? `, frozen at ${out.frozen_height}` : ""}`);
    });
  example(
    qq.command("substitutes").argument("<chain>", "counterpart chain id")
      .description("the substitute clients of a counterpart (governance recovery): id, status, creator, latest verified header; compare its header_hash with the counterpart's own block before voting"),
    "qoscli query qcp substitutes biz-1 --output json",
  ).action(async (chainId: string, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const res = await ctx.query(Method.qos.qcp.v1.Query.Substitutes, QuerySubstitutesRequest, { chainId }, QuerySubstitutesResponse);
    const out = res.substitutes.map((s) => ({ id: s.substitute!.id.toString(), creator: s.substitute!.creator, ...clientJson(s.substitute!.client!, s.status, s.latestConsensusState) }));
    ctx.print({ substitutes: out }, () => out.map((s) => `#${s.id}\t${s.status || "status unknown"}\tlatest height ${s.latest_height}\theader ${s.latest_consensus_state?.header_hash ?? "?"}\tcreator ${s.creator}`).join("\n") || `no substitute clients of ${chainId}`);
  });
  example(
    qq.command("consensus-state").argument("<chain>", "counterpart chain id").argument("[height]", "header height (default: the client's latest)")
      .description("what the client verified of a counterpart header: time, app hash (the state after height - 1), next validators hash, header hash"),
    "qoscli query qcp consensus-state biz-1 120 --output json",
  ).action(async (chainId: string, height: string | undefined, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    if (height !== undefined && !/^[1-9][0-9]{0,18}$/.test(height)) throw new CliError(`height ${JSON.stringify(height)} must be a positive whole number`);
    const res = await ctx.query(Method.qos.qcp.v1.Query.ConsensusState, QueryConsensusStateRequest, { chainId, height: BigInt(height ?? 0) }, QueryConsensusStateResponse);
    const out = consensusStateJson(res.height, res.consensusState!);
    ctx.print(out, () => Object.entries(out).map(([k, v]) => `${k}: ${v}`).join("\n"));
  });
};
