// Runs the compiled test files (dist/test/**/*.test.js) with node:test.
//   node scripts/run-tests.mjs            all tests (unit + end-to-end against the real CometBFT)
//   node scripts/run-tests.mjs --unit     unit tests only
//   node scripts/run-tests.mjs <pattern>  files whose path contains <pattern>
// Progress goes to stderr (spec reporter); the last line on stdout is "N passed, N failed".
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const unitOnly = args.includes("--unit");
const patterns = args.filter((a) => !a.startsWith("--"));

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(walk(path));
    else if (name.endsWith(".test.js")) out.push(path);
  }
  return out;
}

let files = walk(join(root, "dist/test")).sort();
if (unitOnly) files = files.filter((f) => f.includes("/unit/"));
if (patterns.length) files = files.filter((f) => patterns.some((p) => relative(root, f).includes(p)));
if (files.length === 0) {
  console.error("no test files found: run `npm run build` first");
  process.exit(1);
}

const child = spawn(
  process.execPath,
  [
    "--test",
    "--test-concurrency=2",
    "--test-reporter=spec",
    "--test-reporter-destination=stderr",
    `--test-reporter=${join(root, "scripts/summary-reporter.mjs")}`,
    "--test-reporter-destination=stdout",
    ...files,
  ],
  { cwd: root, stdio: "inherit" },
);
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
