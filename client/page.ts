// Paging for list queries: every list query of the node answers one page (Cosmos PageRequest: default
// 100 items, at most 1000) and a next_key; these flags ask for a page and the output says how to get the next.
import type { Command } from "commander";
import { PageRequest, type PageResponse } from "../gen/cosmos/base/query/v1beta1/pagination.js";
import { CliError } from "./errors.js";

export interface PageFlags {
  limit?: string;
  pageKey?: string;
  offset?: string;
  countTotal?: boolean;
  reverse?: boolean;
}

/** Adds --limit, --page-key, --offset, --count-total and --reverse to a list command. */
export function addPageFlags(cmd: Command): Command {
  return cmd
    .option("--limit <n>", "items per page (the node's default is 100, its maximum 1000)")
    .option("--page-key <base64>", "continue from the next_key the previous page printed")
    .option("--offset <n>", "skip this many items (instead of --page-key)")
    .option("--count-total", "also count every item of the list")
    .option("--reverse", "descending order");
}

const whole = (text: string | undefined, flag: string): bigint => {
  if (text === undefined) return 0n;
  if (!/^[0-9]{1,19}$/.test(text)) throw new CliError(`${flag} must be a whole number`);
  return BigInt(text);
};

/** The PageRequest the flags ask for. */
export function pageRequest(flags: PageFlags): PageRequest {
  if (flags.pageKey !== undefined && flags.offset !== undefined) throw new CliError("give either --page-key or --offset, not both");
  const key = flags.pageKey === undefined ? new Uint8Array() : new Uint8Array(Buffer.from(flags.pageKey, "base64"));
  return PageRequest.fromPartial({ key, offset: whole(flags.offset, "--offset"), limit: whole(flags.limit, "--limit"), countTotal: flags.countTotal === true, reverse: flags.reverse === true });
}

/** The page part of a JSON answer: next_key (base64, empty on the last page) and total when counted. */
export function pageJson(p: PageResponse | undefined, flags: PageFlags): { next_key: string; total?: string } {
  const next_key = Buffer.from(p?.nextKey ?? new Uint8Array()).toString("base64");
  return flags.countTotal ? { next_key, total: (p?.total ?? 0n).toString() } : { next_key };
}

/** Text output: the page's lines, then how to get the next page when there is one. */
export function pageText(lines: string, p: PageResponse | undefined, flags: PageFlags): string {
  const extra: string[] = [];
  if (flags.countTotal) extra.push(`total ${p?.total ?? 0n}`);
  if (p && p.nextKey.length > 0) extra.push(`more: --page-key ${Buffer.from(p.nextKey).toString("base64")}`);
  return [lines, ...extra].filter((l) => l !== "").join("\n");
}
