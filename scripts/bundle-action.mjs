#!/usr/bin/env node
// `npm run bundle`: builds the Action's single-file bundle, action/dist/index.js, with esbuild.
// `--check` builds in memory and exits 1 when the committed bundle differs (CI runs it).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "action", "dist", "index.js");
const check = process.argv.includes("--check");

const result = await build({
  entryPoints: [join(root, "action", "index.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  // The runner is node24; node20 syntax keeps the bundle loadable by every supported Node.
  target: "node20",
  minify: true,
  legalComments: "none",
  write: false,
  outfile,
  logLevel: "warning",
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: 'import { createRequire as __aigateRequire } from "node:module"; const require = __aigateRequire(import.meta.url);',
  },
});
const code = result.outputFiles[0].text;

if (check) {
  let committed = "";
  try {
    committed = readFileSync(outfile, "utf8");
  } catch {
    // missing counts as stale
  }
  if (committed !== code) {
    console.error("action/dist/index.js is stale: run `npm run bundle` and commit the result");
    process.exit(1);
  }
  console.log("action/dist/index.js is up to date");
} else {
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, code);
  console.log(`wrote action/dist/index.js (${(code.length / 1024).toFixed(0)} KiB)`);
}
