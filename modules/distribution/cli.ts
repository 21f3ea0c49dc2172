// qoscli commands of the distribution module: `tx distribution withdraw-rewards`, `query distribution
// rewards|validator|community-pool|params`. Validators are given as in stake/cli.ts.
import type { Command } from "commander";
import { CliContext, addTxFlags, example, runTx, signerOf, uqosText, type CliModule, type TxFlags } from "../../client/index.js";
import * as q from "../../gen/qos/distribution/v1/query.js";
import { MsgWithdrawRewards } from "../../gen/qos/distribution/v1/tx.js";
import * as sq from "../../gen/qos/stake/v1/query.js";
import { requireValidator, resolveValidator } from "../stake/cli.js";
import { Method, TypeUrl } from "../../gen/names.js";

const notFound = (validator: string) => `validator ${validator} does not exist (list them with \`qoscli query stake validators\`)`;

export const distributionCli: CliModule = ({ tx, query, registerMsgTypes }) => {
  registerMsgTypes([[TypeUrl.qos.distribution.v1.MsgWithdrawRewards, MsgWithdrawRewards]]);

  const dist = example(tx.command("distribution").description("rewards: withdraw a delegation's rewards (and the owner's commission)"), "qoscli tx distribution withdraw-rewards bob qosval1...");
  example(
    addTxFlags(
      dist
        .command("withdraw-rewards")
        .argument("<delegator-key>", "key that delegated (the owner also withdraws the validator's commission)")
        .argument("<validator>", "qosval1…, the owner's qosacc1…, or a key name")
        .description(`pay a delegation's accrued rewards to the delegator (${TypeUrl.qos.distribution.v1.MsgWithdrawRewards})`),
    ),
    "qoscli tx distribution withdraw-rewards bob qosval1... --gas auto --broadcast-mode block",
  ).action(async (delegator: string, validatorText: string, flags: TxFlags, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const validator = resolveValidator(ctx, validatorText);
    const signer = signerOf(ctx, flags, delegator);
    await runTx(ctx, flags, {
      msgs: [{ typeUrl: TypeUrl.qos.distribution.v1.MsgWithdrawRewards, value: MsgWithdrawRewards.fromPartial({ delegator: signer.address, validator }) }],
      signers: [signer],
      precheck: async (fee) => {
        if (fee.length) return;
        await requireValidator(ctx, validator);
        const isOwner = resolveValidator(ctx, signer.address) === validator;
        if (isOwner) return; // the owner may withdraw commission without a delegation
        await ctx.queryOrNotFound(Method.qos.stake.v1.Query.Delegation, sq.QueryDelegationRequest, { delegator: signer.address, validator }, sq.QueryDelegationResponse, `${signer.address} has no delegation to ${validator}: no rewards to withdraw`);
      },
    });
  });

  const qd = example(query.command("distribution").description("pending rewards, validator commission, community pool, distribution params"), "qoscli query distribution community-pool");

  example(
    qd.command("rewards").argument("<delegator>", "qosacc1… address or key name").argument("<validator>", "qosval1…, the owner's qosacc1…, or a key name")
      .description("what the delegator would receive from the validator if it withdrew now (commission too when it is the owner), uqos"),
    "qoscli query distribution rewards bob qosval1... --output json",
  ).action(async (delegatorText: string, validatorText: string, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const { address: delegator } = ctx.resolveAddress(delegatorText);
    const validator = resolveValidator(ctx, validatorText);
    const res = await ctx.queryOrNotFound(Method.qos.distribution.v1.Query.PendingRewards, q.QueryPendingRewardsRequest, { delegator, validator }, q.QueryPendingRewardsResponse, notFound(validator));
    const out = { delegator, validator, rewards: res.rewards, commission: res.commission, total: (BigInt(res.rewards || "0") + BigInt(res.commission || "0")).toString() };
    ctx.print(out, () => `rewards ${uqosText(out.rewards)}${out.commission !== "0" ? `, commission ${uqosText(out.commission)}, total ${uqosText(out.total)}` : ""}`);
  });

  example(
    qd.command("validator").argument("<validator>", "qosval1…, the owner's qosacc1…, or a key name")
      .description("a validator's accumulated commission, outstanding (unpaid) rewards and current reward period"),
    "qoscli query distribution validator qosval1...",
  ).action(async (validatorText: string, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const validator = resolveValidator(ctx, validatorText);
    const res = await ctx.queryOrNotFound(Method.qos.distribution.v1.Query.Validator, q.QueryValidatorRequest, { validator }, q.QueryValidatorResponse, notFound(validator));
    const out = { validator, commission: res.commission, outstanding: res.outstanding, current_period: res.currentPeriod.toString(), current_rewards: res.currentRewards };
    ctx.print(out, () => [
      `validator:       ${validator}`,
      `commission:      ${uqosText(out.commission)}`,
      `outstanding:     ${uqosText(out.outstanding)}`,
      `current period:  ${out.current_period} (rewards so far ${uqosText(out.current_rewards)})`,
    ].join("\n"));
  });

  example(qd.command("community-pool").description("the community pool, uqos"), "qoscli query distribution community-pool --output json")
    .action(async (_opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Method.qos.distribution.v1.Query.CommunityPool, q.QueryCommunityPoolRequest, {}, q.QueryCommunityPoolResponse);
      ctx.print({ amount: res.amount }, () => uqosText(res.amount));
    });

  example(qd.command("params").description("the distribution module's parameters"), "qoscli query distribution params --output json")
    .action(async (_opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Method.qos.distribution.v1.Query.Params, q.QueryParamsRequest, {}, q.QueryParamsResponse);
      ctx.printParams(res.paramsJson);
    });
};
