// Module-independent queries: query tx, txs, block, status.
import { fromHex, toHex } from "@cosmjs/encoding";
import { Command } from "commander";
import { sha256 } from "@cosmjs/crypto";
import { CliContext, CliError, decodeTxJson, example, formatTxResult, hashHex, txResultJson } from "../../client/index.js";

export function addFrameworkQueries(query: Command, program: Command): void {
  example(
    query.command("tx").argument("<hash>", "tx hash (hex, 64 characters)").description("a committed tx by hash: result, events and the decoded tx"),
    "qoscli query tx 3F9A...E1 --output json",
  ).action(async (hash: string, _opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new CliError(`tx hash ${JSON.stringify(hash)} must be 64 hex characters (the txhash printed by tx commands)`);
    const comet = await ctx.comet();
    let found;
    try {
      found = await comet.tx({ hash: fromHex(hash) });
    } catch (e) {
      if (/not found/i.test((e as Error).message)) throw new CliError(`tx ${hash.toUpperCase()} not found on ${ctx.opts.node} (not committed yet, or the node does not index txs)`);
      throw ctx.unreachable(e);
    }
    const result = { ...txResultJson(found.hash, found.height, found.result), tx: decodeTxJson(found.tx) };
    ctx.print(result, () => `${formatTxResult(result)}\ntx: ${JSON.stringify(result.tx, null, 2)}`);
  });

  example(
    query
      .command("txs")
      .description("search committed txs by events (all conditions must hold)")
      .requiredOption("--events <type.attr=value>", "an event condition; repeat for AND", collect, [] as string[])
      .option("--page <n>", "page number, from 1", "1")
      .option("--limit <n>", "txs per page (at most 100)", "30")
      .addHelpText(
        "after",
        "\nThe search runs in CometBFT's tx indexer. With CometBFT v0.38, AND-ed conditions on attributes of\n" +
          "different event types (e.g. transfer.* and message.*) matched nothing in our tests; conditions on one\n" +
          "event type (transfer.sender and transfer.recipient) work.",
      ),
    "qoscli query txs --events transfer.recipient=qosacc1... --output json",
    "qoscli query txs --events transfer.sender=qosacc1... --events transfer.recipient=qosacc1... --page 2 --limit 10",
  ).action(async (opts, cmd: Command) => {
    const ctx = CliContext.of(cmd);
    const conditions = (opts.events as string[]).map((e) => {
      const m = /^([A-Za-z0-9_.-]+)\s*=\s*'?(.*?)'?$/.exec(e);
      if (!m || m[2] === "") throw new CliError(`--events ${JSON.stringify(e)}: expected type.attribute=value, e.g. transfer.recipient=qosacc1...`);
      if (!m[1].includes(".")) throw new CliError(`--events ${JSON.stringify(e)}: the key must be type.attribute, e.g. transfer.recipient`);
      return m[1] === "tx.height" ? `${m[1]}=${m[2]}` : `${m[1]}='${m[2].replace(/'/g, "\\'")}'`;
    });
    const page = positiveInt(opts.page, "--page");
    const limit = positiveInt(opts.limit, "--limit");
    if (limit > 100) throw new CliError("--limit must be at most 100");
    const comet = await ctx.comet();
    let res;
    try {
      res = await comet.txSearch({ query: conditions.join(" AND "), page, per_page: limit, order_by: "asc" });
    } catch (e) {
      const msg = (e as Error).message;
      if (/page should be within/i.test(msg)) throw new CliError(`page ${page} is past the last page of results`);
      if (/fetch failed|ECONNREFUSED/i.test(msg)) throw ctx.unreachable(e);
      throw new CliError(`tx search failed: ${msg}`);
    }
    const out = {
      total_count: String(res.totalCount),
      page: String(page),
      limit: String(limit),
      txs: res.txs.map((t) => ({ ...txResultJson(t.hash, t.height, t.result), tx: decodeTxJson(t.tx) })),
    };
    ctx.print(out, () =>
      [`${res.totalCount} tx(s) match ${conditions.join(" AND ")}`, ...out.txs.map((t) => `${t.txhash}  height ${t.height}  code ${t.code}`)].join("\n"),
    );
  });

  const blockCmd = (parent: Command) =>
    example(
      parent.command("block").argument("[height]", "block height (default: the latest)").description("a block: header, hash and the hashes of its txs"),
      "qoscli query block 10 --output json",
    ).action(async (height: string | undefined, _opts, cmd: Command) => {
      const ctx = CliContext.of(cmd);
      const comet = await ctx.comet();
      const h = height === undefined ? undefined : positiveInt(height, "height");
      let res;
      try {
        res = await comet.block(h);
      } catch (e) {
        const msg = (e as Error).message;
        if (/fetch failed|ECONNREFUSED/i.test(msg)) throw ctx.unreachable(e);
        throw new CliError(`block ${height ?? "latest"}: ${msg}`);
      }
      const header = res.block.header;
      const out = {
        height: String(header.height),
        hash: hashHex(res.blockId.hash),
        chain_id: header.chainId,
        time: header.time.toISOString(),
        proposer: hashHex(header.proposerAddress),
        app_hash: hashHex(header.appHash),
        num_txs: String(res.block.txs.length),
        txs: res.block.txs.map((t) => toHex(sha256(t)).toUpperCase()),
      };
      ctx.print(out, () => [`height: ${out.height}`, `hash: ${out.hash}`, `time: ${out.time}`, `app_hash: ${out.app_hash}`, `txs: ${out.num_txs}`, ...out.txs.map((t) => `  ${t}`)].join("\n"));
    });

  const statusCmd = (parent: Command) =>
    example(parent.command("status").description("the node's chain id, latest block and sync state"), "qoscli status --node http://127.0.0.1:26657").action(
      async (_opts, cmd: Command) => {
        const ctx = CliContext.of(cmd);
        const comet = await ctx.comet();
        let s;
        try {
          s = await comet.status();
        } catch (e) {
          throw ctx.unreachable(e);
        }
        const out = {
          node: ctx.opts.node,
          chain_id: s.nodeInfo.network,
          moniker: s.nodeInfo.moniker,
          cometbft_version: s.nodeInfo.version,
          latest_block_height: String(s.syncInfo.latestBlockHeight),
          latest_block_time: s.syncInfo.latestBlockTime.toISOString(),
          latest_app_hash: hashHex(s.syncInfo.latestAppHash),
          catching_up: s.syncInfo.catchingUp,
        };
        ctx.print(out, () => Object.entries(out).map(([k, v]) => `${k}: ${v}`).join("\n"));
      },
    );

  blockCmd(query);
  statusCmd(query);
  statusCmd(program);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(text: string, what: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new CliError(`${what} must be a positive integer, not ${JSON.stringify(text)}`);
  return Number(text);
}
