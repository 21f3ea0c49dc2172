// `qoscli light init|status|update`: the trust root of the light client (client/light.ts). Queries that
// support --verify use it (docs/light-client.md).
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { CliContext, CliError, clockNow, describeRoot, example, initTrustRoot, LightRpc, TrustStore, verifyLatest } from "../../client/index.js";

/** "336h", "14d", "90m", "3600s" or bare seconds → seconds. */
export function parseDurationSecs(text: string, what: string): bigint {
  const m = /^([1-9][0-9]{0,9})(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new CliError(`${what} ${JSON.stringify(text)}: write a duration such as 336h, 14d, 90m or 3600s`);
  return BigInt(m[1]) * { s: 1n, m: 60n, h: 3600n, d: 86_400n }[m[2] as "s" | "m" | "h" | "d" ?? "s"];
}

/** --trust-file: JSON with height and hash (and optionally chain_id), e.g. `light status --chain-id <id> --output json` of a trusted machine. */
function readTrustFile(path: string): { height: string; hash: string; chainId?: string } {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new CliError(`--trust-file ${path}: ${(e as Error).message}`);
  }
  const height = typeof v.height === "number" ? String(v.height) : v.height;
  if (typeof height !== "string" || typeof v.hash !== "string") throw new CliError(`--trust-file ${path}: expected {"height": "H", "hash": "X"} (optionally "chain_id")`);
  if (v.chain_id !== undefined && typeof v.chain_id !== "string") throw new CliError(`--trust-file ${path}: chain_id must be a string`);
  return { height, hash: v.hash, chainId: v.chain_id as string | undefined };
}

function parseHeight(text: string): bigint {
  if (!/^[1-9][0-9]{0,18}$/.test(text)) throw new CliError(`the trusted height must be a positive integer, not ${JSON.stringify(text)}`);
  return BigInt(text);
}

export function addLightCommands(program: Command): void {
  const light = example(
    program
      .command("light")
      .description("the light client: trust one header, then queries with --verify check the node's answers by headers and Merkle proofs")
      .addHelpText("after", "\nSee docs/light-client.md. Take the trusted height and hash from a source you trust (another node you run, a block explorer, a friend),\nnot from the node you are about to check."),
    "qoscli light init --trust-height 100 --trust-hash 5E1C...9A --node http://127.0.0.1:26657",
    "qoscli query balance alice uqos --verify",
  );

  example(
    light
      .command("init")
      .description("fetch header --trust-height from --node, check that it hashes to --trust-hash and is signed by +2/3 of its validators, and store it as the trust root for its chain")
      .option("--trust-height <H>", "height of the trusted header")
      .option("--trust-hash <X>", "hash of the trusted header (hex, 64 characters)")
      .option("--trust-file <F>", 'a JSON file {"chain_id": ..., "height": "H", "hash": "X"} (what `light status --chain-id <id> --output json` prints on a machine that trusts the chain)')
      .option("--trusting-period <duration>", "how long a verified header stays usable to verify newer ones (below the unbonding period of 21 days)", "336h"),
    "qoscli light init --trust-height 100 --trust-hash 5E1C...9A",
    "qoscli light init --trust-file trusted.json --trusting-period 7d",
  ).action(async (opts: { trustHeight?: string; trustHash?: string; trustFile?: string; trustingPeriod: string }, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    let height = opts.trustHeight, hash = opts.trustHash, chainId = ctx.opts.chainId;
    if (opts.trustFile !== undefined) {
      if (height !== undefined || hash !== undefined) throw new CliError("give either --trust-file or --trust-height with --trust-hash, not both");
      const file = readTrustFile(opts.trustFile);
      ({ height, hash } = file);
      if (file.chainId !== undefined) {
        if (chainId !== undefined && chainId !== file.chainId) throw new CliError(`--trust-file is for chain ${file.chainId}, not --chain-id ${chainId}`);
        chainId = file.chainId;
      }
    }
    if (height === undefined || hash === undefined) throw new CliError("light init needs --trust-height H and --trust-hash X (or --trust-file F)");
    const store = new TrustStore(ctx.opts.home);
    const rpc = new LightRpc(ctx.opts.node, (e) => ctx.unreachable(e));
    const root = await initTrustRoot(rpc, store, { height: parseHeight(height), hash, chainId, trustingPeriodSecs: parseDurationSecs(opts.trustingPeriod, "--trusting-period") });
    const out = describeRoot(root, clockNow(), store.path(root.chainId));
    ctx.print(out, () => `trust root for ${out.chain_id}: header ${out.height} ${out.hash} (${out.time}), ${out.validators} validators, usable until ${out.expires}\nstored in ${out.file}`);
  });

  example(
    light.command("status").description("the trust root of --chain-id (default: every chain this home trusts); reads no node"),
    "qoscli light status --output json",
  ).action(async (_opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const store = new TrustStore(ctx.opts.home);
    const chains = ctx.opts.chainId !== undefined ? [ctx.opts.chainId] : store.chains();
    const now = clockNow();
    const roots = chains.map((c) => {
      const root = store.load(c);
      if (!root) throw new CliError(`no trust root for chain ${c} in ${store.dir}; set one with qoscli light init --trust-height H --trust-hash X`);
      return describeRoot(root, now, store.path(c));
    });
    if (ctx.opts.chainId !== undefined) {
      const r = roots[0];
      ctx.print(r, () => Object.entries(r).map(([k, v]) => `${k}: ${v}`).join("\n"));
      return;
    }
    ctx.print({ trust_roots: roots }, () =>
      roots.length ? roots.map((r) => `${r.chain_id}\theight ${r.height}\t${r.hash}\t${r.expired ? "EXPIRED" : `until ${r.expires}`}`).join("\n") : `no trust roots in ${store.dir}; set one with qoscli light init`);
  });

  example(
    light.command("update").description("verify the node's newest header from the trust root (bisecting across validator-set changes) and make it the trust root"),
    "qoscli light update --node http://127.0.0.1:26657",
  ).action(async (_opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const chainId = await ctx.chainId();
    const store = new TrustStore(ctx.opts.home);
    const root = store.load(chainId);
    if (!root) throw new CliError(`no trust root for chain ${chainId} in ${store.dir}; set one with qoscli light init --trust-height H --trust-hash X`);
    const rpc = new LightRpc(ctx.opts.node, (e) => ctx.unreachable(e));
    const { root: next } = await verifyLatest(rpc, store, root);
    const out = describeRoot(next, clockNow(), store.path(chainId));
    ctx.print(out, () => `trust root for ${out.chain_id}: header ${out.height} ${out.hash} (${out.time}), usable until ${out.expires}`);
  });
}
