#!/usr/bin/env node
// Runs a TypeScript entry file (benchmarks, schema generation, the demo): esbuild
// bundles it with our sources, leaving packages external, then Node imports the result.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-ts.mjs FILE.ts [ARGS…]");
  process.exit(2);
}
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "node_modules", ".cache", "aigate-run");
mkdirSync(outdir, { recursive: true });
const outfile = join(outdir, `${entry.replace(/[^A-Za-z0-9]+/g, "_")}.mjs`);
await build({
  entryPoints: [resolve(entry)],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  outfile,
  logLevel: "warning",
});
process.argv = [process.argv[0], resolve(entry), ...args];
await import(pathToFileURL(outfile).href);
