// qoscli commands of the gov module:
//   tx gov submit-proposal text|param-change|community-pool-spend|inflation-change|software-upgrade|qcp-recover <proposer> …
//   tx gov deposit <depositor> <id> <amount>, tx gov vote <voter> <id> yes|no|abstain|no_with_veto
//   query gov proposal <id> | proposals [--status] | votes <id> | deposits <id> | tally <id> | params | upgrade
import type { Command } from "commander";
import { MsgDeposit, MsgSubmitProposal, MsgVote } from "../../gen/qos/gov/v1/tx.js";
import {
  QueryDepositsRequest, QueryDepositsResponse, QueryParamsRequest, QueryParamsResponse, QueryProposalRequest, QueryProposalResponse,
  QueryProposalsRequest, QueryProposalsResponse, QueryTallyRequest, QueryTallyResponse, QueryUpgradeRequest, QueryUpgradeResponse,
  QueryVotesRequest, QueryVotesResponse,
} from "../../gen/qos/gov/v1/query.js";
import type { Proposal, ProposalContent } from "../../gen/qos/gov/v1/types.js";
import {
  CliContext, CliError, addPageFlags, addTxFlags, example, pageJson, pageRequest, pageText, runTx, type CliModule, type PageFlags, type TxFlags,
} from "../../client/index.js";
import { Method, TypeUrl } from "../../gen/names.js";

const LevelText = ["", "normal", "important", "critical"];
const StatusText = ["", "deposit_period", "voting_period", "passed", "rejected", "failed"];
const OptionText = ["", "yes", "abstain", "no", "no_with_veto"];

function proposalId(text: string): bigint {
  if (!/^[1-9][0-9]*$/.test(text)) throw new CliError(`proposal id ${JSON.stringify(text)} must be a positive whole number`);
  return BigInt(text);
}
function uqos(text: string, what: string): string {
  const m = /^([0-9]+)(uqos)?$/.exec(text);
  if (!m) throw new CliError(`${what} ${JSON.stringify(text)} must be a whole number of uqos (e.g. 10000000 or 10000000uqos)`);
  return m[1];
}

function proposalJson(p: Proposal) {
  return {
    id: p.id.toString(),
    title: p.content?.title,
    description: p.content?.description,
    content: p.content,
    level: LevelText[p.level] ?? String(p.level),
    status: StatusText[p.status] ?? String(p.status),
    proposer: p.proposer,
    submit_time: p.submitTime.toString(),
    deposit_end_time: p.depositEndTime.toString(),
    total_deposit: p.totalDeposit,
    voting_start_time: p.votingStartTime.toString(),
    voting_end_time: p.votingEndTime.toString(),
    final_tally: p.finalTally,
    result: p.result,
  };
}

export const govCli: CliModule = ({ tx, query, registerMsgTypes }) => {
  registerMsgTypes([[TypeUrl.qos.gov.v1.MsgSubmitProposal, MsgSubmitProposal], [TypeUrl.qos.gov.v1.MsgDeposit, MsgDeposit], [TypeUrl.qos.gov.v1.MsgVote, MsgVote]]);
  const gov = tx.command("gov").description("governance: proposals, deposits, votes");
  const submit = gov.command("submit-proposal").description("submit a proposal with an initial deposit (uqos); kinds: text, param-change, community-pool-spend, inflation-change, software-upgrade, qcp-recover");

  const addSubmit = (
    kind: string,
    description: string,
    exampleLine: string,
    configure: (cmd: Command) => Command,
    build: (flags: any, ctx: CliContext) => Partial<ProposalContent>,
  ) => {
    const cmd = configure(
      submit.command(kind).argument("<proposer>", "key that signs, pays and deposits")
        .requiredOption("--title <text>", "title (1-200 bytes)")
        .requiredOption("--description <text>", "description (1-5000 bytes)")
        .requiredOption("--deposit <uqos>", "initial deposit in uqos (at least min_deposit × min_initial_deposit_rate of the proposal's level)")
        .description(description),
    );
    example(addTxFlags(cmd), exampleLine).action(async (proposer: string, flags: TxFlags & { title: string; description: string; deposit: string }, c: Command) => {
      const ctx = CliContext.of(c);
      const key = ctx.resolveKey(proposer);
      const content = { title: flags.title, description: flags.description, ...build(flags, ctx) };
      const msg = MsgSubmitProposal.fromPartial({ proposer: key.address, content, initialDeposit: uqos(flags.deposit, "--deposit") });
      await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.gov.v1.MsgSubmitProposal, value: msg }], signers: [{ address: key.address, key }] });
    });
  };

  addSubmit("text", "a text proposal (normal level): nothing is executed", "qoscli tx gov submit-proposal text alice --title 'Roadmap' --description '…' --deposit 10000000 --broadcast-mode block", (c) => c, () => ({ text: {} }));
  addSubmit(
    "param-change", "change module parameters (important level); each --param is <module>:<key>:<value>, value as JSON or text, checked by the module's schema now and when applied",
    "qoscli tx gov submit-proposal param-change alice --title 'More validators' --description '…' --param stake:max_validators:30 --deposit 50000000 --broadcast-mode block",
    (c) => c.requiredOption("--param <module:key:value...>", "a parameter change (repeatable)"),
    (flags: { param: string[] }) => ({
      parameterChange: {
        changes: flags.param.map((p) => {
          const m = /^([^:]+):([^:]+):(.*)$/s.exec(p);
          if (!m) throw new CliError(`--param ${JSON.stringify(p)} must be <module>:<key>:<value>`);
          return { module: m[1], key: m[2], value: m[3] };
        }),
      },
    }),
  );
  addSubmit(
    "community-pool-spend", "pay uqos from the community pool to an account (normal level)",
    "qoscli tx gov submit-proposal community-pool-spend alice --title 'Grant' --description '…' --recipient qosacc1... --amount 5000000 --deposit 10000000",
    (c) => c.requiredOption("--recipient <addr|key>", "who receives").requiredOption("--amount <uqos>", "how much"),
    (flags: { recipient: string; amount: string }, ctx) => ({ communityPoolSpend: { recipient: ctx.resolveAddress(flags.recipient).address, amount: uqos(flags.amount, "--amount") } }),
  );
  addSubmit(
    "inflation-change", "replace the inflation phases after the running one (critical level); --phases is a JSON list of {end_time (unix s), total_amount (uqos)}",
    `qoscli tx gov submit-proposal inflation-change alice --title 'Phase 8' --description '…' --phases '[{"end_time":2100000000,"total_amount":"1000000000000"}]' --deposit 100000000`,
    (c) => c.requiredOption("--phases <json>", "future phases"),
    (flags: { phases: string }) => {
      let list: Array<{ end_time: number | string; total_amount: string | number }>;
      try {
        list = JSON.parse(flags.phases);
      } catch (e) {
        throw new CliError(`--phases is not JSON: ${(e as Error).message}`);
      }
      if (!Array.isArray(list)) throw new CliError("--phases must be a JSON list");
      return { inflationChange: { phases: list.map((p) => ({ endTime: BigInt(p.end_time), totalAmount: String(p.total_amount) })) } };
    },
  );
  addSubmit(
    "software-upgrade", "schedule a software upgrade (critical level): every node stops before --height until restarted with `qosd start --upgrade-done <name>` (or a version ≥ --version)",
    "qoscli tx gov submit-proposal software-upgrade alice --title 'v2' --description '…' --name v2 --height 120000 --deposit 100000000",
    (c) => c.requiredOption("--name <name>", "plan name").requiredOption("--height <n>", "height to stop at").option("--info <text>", "where to get the new version", "").option("--version <x.y.z>", "app version that carries the upgrade", ""),
    (flags: { name: string; height: string; info: string; version: string }) => {
      if (!/^[1-9][0-9]*$/.test(flags.height)) throw new CliError("--height must be a positive whole number");
      return { softwareUpgrade: { plan: { name: flags.name, height: BigInt(flags.height), info: flags.info, version: flags.version } } };
    },
  );

  addSubmit(
    "qcp-recover", "recover a frozen or expired QCP light client from a substitute client (critical level; `qoscli query qcp substitutes <chain>` lists them, docs/light-client.md)",
    "qoscli tx gov submit-proposal qcp-recover alice --title 'Recover biz-1' --description '…' --chain biz-1 --substitute 3 --deposit 100000000",
    (c) => c.requiredOption("--chain <id>", "the counterpart chain whose client is recovered").requiredOption("--substitute <id>", "the substitute client to recover it from"),
    (flags: { chain: string; substitute: string }) => {
      if (!/^[1-9][0-9]{0,18}$/.test(flags.substitute)) throw new CliError("--substitute must be a positive whole number");
      return { qcpRecover: { chainId: flags.chain, substituteId: BigInt(flags.substitute) } };
    },
  );

  example(
    addTxFlags(gov.command("deposit").argument("<depositor>", "key").argument("<proposal-id>", "proposal").argument("<amount>", "uqos").description("add to a proposal's deposit (deposit or voting period)")),
    "qoscli tx gov deposit bob 1 5000000 --broadcast-mode block",
  ).action(async (depositor: string, id: string, amount: string, flags: TxFlags, c: Command) => {
    const ctx = CliContext.of(c);
    const key = ctx.resolveKey(depositor);
    const msg = MsgDeposit.fromPartial({ depositor: key.address, proposalId: proposalId(id), amount: uqos(amount, "<amount>") });
    await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.gov.v1.MsgDeposit, value: msg }], signers: [{ address: key.address, key }] });
  });

  example(
    addTxFlags(gov.command("vote").argument("<voter>", "key").argument("<proposal-id>", "proposal").argument("<option>", "yes, no, abstain or no_with_veto")
      .description("vote with your bonded stake (a validator's vote counts for its delegators unless they vote themselves)")),
    "qoscli tx gov vote alice 1 yes --broadcast-mode block",
  ).action(async (voter: string, id: string, option: string, flags: TxFlags, c: Command) => {
    const ctx = CliContext.of(c);
    const key = ctx.resolveKey(voter);
    const normalized = option.toLowerCase().replace(/-/g, "_").replace(/^nowithveto$/, "no_with_veto");
    const index = OptionText.indexOf(normalized);
    if (index <= 0) throw new CliError(`option ${JSON.stringify(option)}: use yes, no, abstain or no_with_veto`);
    const msg = MsgVote.fromPartial({ voter: key.address, proposalId: proposalId(id), option: index });
    await runTx(ctx, flags, { msgs: [{ typeUrl: TypeUrl.qos.gov.v1.MsgVote, value: msg }], signers: [{ address: key.address, key }] });
  });

  const q = query.command("gov").description("governance queries");
  example(q.command("proposal").argument("<id>").description("one proposal"), "qoscli query gov proposal 1 --output json").action(async (id: string, _o, c: Command) => {
    const ctx = CliContext.of(c);
    const res = await ctx.query(Method.qos.gov.v1.Query.Proposal, QueryProposalRequest, { proposalId: proposalId(id) }, QueryProposalResponse);
    const p = proposalJson(res.proposal!);
    ctx.print(p, () => `#${p.id} ${p.title} [${p.level}] ${p.status}${p.result ? ` (${p.result})` : ""}; deposit ${p.total_deposit}uqos`);
  });
  example(addPageFlags(q.command("proposals").option("--status <status>", "deposit_period, voting_period, passed, rejected or failed")).description("the proposals, by id (one page)"), "qoscli query gov proposals --status voting_period", "qoscli query gov proposals --limit 10 --page-key AAAAAAAAAAs=")
    .action(async (opts: { status?: string } & PageFlags, c: Command) => {
      const ctx = CliContext.of(c);
      const status = opts.status ? StatusText.indexOf(opts.status) : 0;
      if (status < 0) throw new CliError(`--status must be one of ${StatusText.slice(1).join(", ")}`);
      const res = await ctx.query(Method.qos.gov.v1.Query.Proposals, QueryProposalsRequest, { status, pagination: pageRequest(opts) }, QueryProposalsResponse);
      const list = res.proposals.map(proposalJson);
      ctx.print({ proposals: list, pagination: pageJson(res.pagination, opts) }, () => pageText(list.map((p) => `#${p.id}\t${p.status}\t${p.level}\t${p.title}`).join("\n") || "no proposals", res.pagination, opts));
    });
  example(addPageFlags(q.command("votes").argument("<id>")).description("the votes on a proposal, by voter address (one page)"), "qoscli query gov votes 1").action(async (id: string, o: PageFlags, c: Command) => {
    const ctx = CliContext.of(c);
    const res = await ctx.query(Method.qos.gov.v1.Query.Votes, QueryVotesRequest, { proposalId: proposalId(id), pagination: pageRequest(o) }, QueryVotesResponse);
    const votes = res.votes.map((v) => ({ voter: v.voter, option: OptionText[v.option] ?? String(v.option) }));
    ctx.print({ votes, pagination: pageJson(res.pagination, o) }, () => pageText(votes.map((v) => `${v.voter}\t${v.option}`).join("\n") || "no votes", res.pagination, o));
  });
  example(addPageFlags(q.command("deposits").argument("<id>")).description("the open deposits of a proposal (one page)"), "qoscli query gov deposits 1").action(async (id: string, o: PageFlags, c: Command) => {
    const ctx = CliContext.of(c);
    const res = await ctx.query(Method.qos.gov.v1.Query.Deposits, QueryDepositsRequest, { proposalId: proposalId(id), pagination: pageRequest(o) }, QueryDepositsResponse);
    ctx.print({ deposits: res.deposits, pagination: pageJson(res.pagination, o) }, () => pageText(res.deposits.map((d) => `${d.depositor}\t${d.amount}uqos`).join("\n") || "no open deposits", res.pagination, o));
  });
  example(q.command("tally").argument("<id>").description("the live tally (voting period) or the final one"), "qoscli query gov tally 1").action(async (id: string, _o, c: Command) => {
    const ctx = CliContext.of(c);
    const res = await ctx.query(Method.qos.gov.v1.Query.Tally, QueryTallyRequest, { proposalId: proposalId(id) }, QueryTallyResponse);
    const t = res.tally!;
    ctx.print(t, () => `yes ${t.yes} no ${t.no} abstain ${t.abstain} no_with_veto ${t.noWithVeto} of ${t.totalPower} bonded (uqos)`);
  });
  example(q.command("params").description("gov parameters per level"), "qoscli query gov params --output json").action(async (_o, c: Command) => {
    const ctx = CliContext.of(c);
    const res = await ctx.query(Method.qos.gov.v1.Query.Params, QueryParamsRequest, {}, QueryParamsResponse);
    const value = JSON.parse(res.paramsJson);
    ctx.print(value, () => JSON.stringify(value, null, 2));
  });
  example(q.command("upgrade").description("the scheduled software upgrade and the applied ones"), "qoscli query gov upgrade").action(async (_o, c: Command) => {
    const ctx = CliContext.of(c);
    const res = await ctx.query(Method.qos.gov.v1.Query.Upgrade, QueryUpgradeRequest, {}, QueryUpgradeResponse);
    const out = { plan: res.plan, applied: res.applied };
    ctx.print(out, () => (res.plan ? `upgrade ${res.plan.name} at height ${res.plan.height}` : "no upgrade scheduled") + res.applied.map((a) => `\napplied ${a.name} at ${a.height}`).join(""));
  });
};
