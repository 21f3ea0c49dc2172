// qoscli commands of the mint module: `query inflation-phases`, `query inflation-applied`.
import type { Command } from "commander";
import {
  QueryAppliedRequest, QueryAppliedResponse, QueryPhasesRequest, QueryPhasesResponse,
} from "../../gen/qos/mint/v1/query.js";
import { CliContext, example, type CliModule } from "../../client/index.js";
import { Method } from "../../gen/names.js";

/** uqos → "123.456789 QOS" (display only) */
function qos(uqos: string): string {
  const padded = uqos.padStart(7, "0");
  const whole = padded.slice(0, -6);
  const fraction = padded.slice(-6).replace(/0+$/, "");
  return `${whole}${fraction ? `.${fraction}` : ""} QOS`;
}

/** unix seconds → ISO date (display only: nothing here feeds state) */
function isoTime(seconds: bigint): string {
  const ms = Number(seconds) * 1000;
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : `${seconds}s`;
}

export const mintCli: CliModule = ({ query }) => {
  example(query.command("inflation-phases").description("the inflation schedule: each phase's end time, total and amount minted so far (uqos)"), "qoscli query inflation-phases --output json")
    .action(async (_opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Method.qos.mint.v1.Query.Phases, QueryPhasesRequest, {}, QueryPhasesResponse);
      const phases = res.phases.map((p) => ({
        end_time: p.endTime.toString(),
        end_time_utc: isoTime(p.endTime),
        total_amount: p.totalAmount,
        applied_amount: p.appliedAmount,
      }));
      ctx.print({ phases }, () =>
        phases.map((p, i) => `${i + 1}\tends ${p.end_time_utc}\ttotal ${p.total_amount}uqos (${qos(p.total_amount)})\tminted ${p.applied_amount}uqos`).join("\n") || "no inflation phases",
      );
    });

  example(query.command("inflation-applied").description("everything inflation has minted, the last block's mint and the planned total (uqos)"), "qoscli query inflation-applied")
    .action(async (_opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const res = await ctx.query(Method.qos.mint.v1.Query.Applied, QueryAppliedRequest, {}, QueryAppliedResponse);
      const out = { applied: res.applied, last_mint: res.lastMint, planned: res.planned };
      ctx.print(out, () => `minted ${out.applied}uqos (${qos(out.applied)}) of ${out.planned}uqos planned; last block ${out.last_mint}uqos`);
    });
};
