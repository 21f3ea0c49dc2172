// Where the CometBFT binary is and how to edit its config.toml (used by qosd, tests, testnet and bench).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is at dist/cmd/common/ once compiled). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");
export const pinnedCometbftVersion = readFileSync(join(repoRoot, "scripts/cometbft-version"), "utf8").trim();

/** --cometbft flag, then $QOS_COMETBFT, then the project's .bin/ (scripts/install-cometbft.sh), then PATH. */
export function cometbftBinary(explicit?: string): string {
  const candidates = [explicit, process.env.QOS_COMETBFT, join(repoRoot, ".bin/cometbft")].filter(Boolean) as string[];
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  try {
    return execFileSync("sh", ["-c", "command -v cometbft"], { encoding: "utf8" }).trim() || fail();
  } catch {
    return fail();
  }
  function fail(): never {
    throw new Error(
      `CometBFT ${pinnedCometbftVersion} not found: run \`npm run cometbft:install\` (installs it into ${join(repoRoot, ".bin")}) or pass --cometbft <path>`,
    );
  }
}

/** Sets `key = value` in a TOML section ("" = top level) of CometBFT's config.toml text. */
export function setTomlValue(text: string, section: string, key: string, value: string | number | boolean): string {
  const rendered = typeof value === "string" ? JSON.stringify(value) : String(value);
  const lines = text.split("\n");
  let current = "";
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(lines[i]);
    if (header) {
      current = header[1].trim();
      continue;
    }
    if (current === section && new RegExp(`^\\s*${key.replace(/[.]/g, "\\.")}\\s*=`).test(lines[i])) {
      lines[i] = `${key} = ${rendered}`;
      return lines.join("\n");
    }
  }
  throw new Error(`config.toml has no key ${section ? `[${section}] ` : ""}${key}`);
}

/** Reads a string value of config.toml (first match in the section). */
export function getTomlValue(text: string, section: string, key: string): string | undefined {
  let current = "";
  for (const line of text.split("\n")) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      current = header[1].trim();
      continue;
    }
    const m = new RegExp(`^\\s*${key}\\s*=\\s*"?([^"]*)"?\\s*$`).exec(line);
    if (current === section && m) return m[1];
  }
  return undefined;
}
