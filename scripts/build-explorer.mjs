// Builds the block explorer page (explorer/) into dist/explorer/: type-checks it against the DOM library,
// bundles explorer/main.ts and what it imports from node_modules into one app.js (esbuild, pinned in
// package.json), and copies index.html and style.css. qosd serves that folder; nothing is fetched at run time.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "explorer");
const out = join(root, "dist/explorer");
execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(src, "tsconfig.json")], { stdio: "inherit" });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(src, "main.ts")],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  outfile: join(out, "app.js"),
  logLevel: "warning",
});
for (const file of ["index.html", "style.css"]) copyFileSync(join(src, file), join(out, file));
