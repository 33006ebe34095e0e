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

// sigstore-js is its own file, action/dist/sigstore.js, imported only by keyless runs: the
// others start without parsing it (docs/action.md#keyless-signing).
const sigstoreFile = join(root, "action", "dist", "sigstore.js");
const options = {
  bundle: true,
  platform: "node",
  format: "esm",
  // The runner is node24; node20 syntax keeps the bundle loadable by every supported Node.
  target: "node20",
  minify: true,
  legalComments: "none",
  write: false,
  logLevel: "warning",
  // Some bundled CommonJS dependencies call require() for Node built-ins.
  banner: {
    js: 'import { createRequire as __aigateRequire } from "node:module"; const require = __aigateRequire(import.meta.url);',
  },
};
const [result, sigstoreResult] = await Promise.all([
  build({
    ...options,
    entryPoints: [join(root, "action", "index.ts")],
    outfile,
    external: ["./sigstore.js"],
  }),
  build({ ...options, entryPoints: [join(root, "action", "sigstore.ts")], outfile: sigstoreFile }),
]);
const code = result.outputFiles[0].text;
const sigstoreCode = sigstoreResult.outputFiles[0].text;

if (check) {
  let committed = "";
  try {
    committed = readFileSync(outfile, "utf8");
  } catch {
    // missing counts as stale
  }
  let committedSigstore = "";
  try {
    committedSigstore = readFileSync(sigstoreFile, "utf8");
  } catch {
    // missing counts as stale
  }
  if (committed !== code || committedSigstore !== sigstoreCode) {
    console.error("action/dist/index.js is stale: run `npm run bundle` and commit the result");
    process.exit(1);
  }
  console.log("action/dist/index.js is up to date");
} else {
  mkdirSync(dirname(outfile), { recursive: true });
  writeFileSync(outfile, code);
  writeFileSync(sigstoreFile, sigstoreCode);
  console.log(
    `wrote action/dist/index.js (${(code.length / 1024).toFixed(0)} KiB) and action/dist/sigstore.js (${(sigstoreCode.length / 1024).toFixed(0)} KiB)`,
  );
}
