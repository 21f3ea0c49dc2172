// The layers point one way (docs/architecture.md, design §2): cmd/ (entry points) → chain/ (the
// composition) → modules/ → app/ (the framework). This scans the import and export-from statements
// (static and dynamic) of every .ts source file and checks each folder imports nothing from the layers
// above it. A failure lists every offending file:import pair.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

// dist/test/unit/layers.test.js → the repository root, where the .ts sources are
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const Layers = ["app", "modules", "chain", "cmd", "client"] as const;

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [path] : [];
  });
}

/** Every relative import of every .ts file under the layered folders, resolved to a path from the
 *  repository root ("app/app.ts" imports "../modules/x.js" → "modules/x.js"). */
function scanImports(): Array<{ file: string; specifier: string; target: string }> {
  const found: Array<{ file: string; specifier: string; target: string }> = [];
  for (const layer of Layers) {
    for (const path of tsFiles(join(root, layer))) {
      const file = relative(root, path).split(sep).join("/");
      // the compiler's own scanner: imports, export … from, import("…"), import x = require("…")
      const { importedFiles } = ts.preProcessFile(readFileSync(path, "utf8"), true, true);
      for (const { fileName: specifier } of importedFiles) {
        if (!specifier.startsWith(".")) continue; // packages: not a layer
        found.push({ file, specifier, target: posix.normalize(posix.join(posix.dirname(file), specifier)) });
      }
    }
  }
  return found;
}

const imports = scanImports();

/** The file:import pairs by which `from` imports any of `forbidden`. */
function offending(from: string, forbidden: readonly string[]): string[] {
  return imports
    .filter((i) => i.file.startsWith(`${from}/`) && forbidden.some((f) => i.target.startsWith(`${f}/`)))
    .map((i) => `${i.file}: ${i.specifier}`);
}

function assertNone(from: string, forbidden: readonly string[]): void {
  const pairs = offending(from, forbidden);
  assert.deepEqual(pairs, [], `${from}/ must import nothing from ${forbidden.map((f) => `${f}/`).join(", ")}; it does:\n  ${pairs.join("\n  ")}`);
}

test("the scan sees the sources and their imports (so an empty result means something)", () => {
  assert.ok(imports.some((i) => i.file === "app/app.ts" && i.target === "app/module.js"), "app/app.ts imports ./module.js");
  assert.ok(imports.some((i) => i.file === "chain/index.ts" && i.target === "modules/auth/index.js"), "chain/index.ts imports ../modules/auth/index.js");
  assert.ok(imports.some((i) => i.file.startsWith("cmd/") && i.target === "chain/index.js"), "cmd/ composes through chain/index.ts");
});

test("app/ (the framework) imports nothing from modules/, chain/, cmd/, client/", () => {
  assertNone("app", ["modules", "chain", "cmd", "client"]);
});

test("modules/ import nothing from chain/ (the composition wires them, they never reach up to it)", () => {
  assertNone("modules", ["chain"]);
});

test("modules/ import nothing from cmd/ (CLI helpers come from client/)", () => {
  assertNone("modules", ["cmd"]);
});

test("chain/ (the composition) imports nothing from cmd/", () => {
  assertNone("chain", ["cmd"]);
});

test("client/ (the client library) imports nothing from cmd/, chain/ or modules/", () => {
  assert.ok(imports.some((i) => i.file === "modules/bank/cli.ts" && i.target === "client/index.js"), "modules/bank/cli.ts imports ../../client/index.js");
  assertNone("client", ["cmd", "chain", "modules"]);
});
