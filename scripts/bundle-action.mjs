#!/usr/bin/env node
// `npm run bundle`: builds the Action's single-file bundle, action/dist/index.js, with esbuild.
// `--check` builds in memory and exits 1 when the committed bundle differs (CI runs it).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outfile = join(root, "action", "dist", "index.js");
const check = process.argv.includes("--check");

// sigstore-js is its own file, action/dist/sigstore.js, imported only by keyless runs: the
// others start without parsing it (docs/action.md#keyless-signing). What it imports dynamically
// (the signer's and TUF's HTTP stacks) goes into chunks, action/dist/sigstore-HASH.js, loaded
// only when first needed (docs/action.md#the-bundle).
const dist = join(root, "action", "dist");
const isChunk = (name) => /^sigstore-[A-Za-z0-9_-]+\.js$/.test(name);
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
  build({
    ...options,
    entryPoints: { sigstore: join(root, "action", "sigstore.ts") },
    outdir: dist,
    splitting: true,
    chunkNames: "sigstore-[hash]",
  }),
]);
const code = result.outputFiles[0].text;
/** The sigstore entry and its chunks, by file name. */
const sigstoreFiles = new Map(sigstoreResult.outputFiles.map((f) => [basename(f.path), f.text]));
const read = (file) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return ""; // missing counts as stale
  }
};

if (check) {
  let committed = "";
  try {
    committed = readFileSync(outfile, "utf8");
  } catch {
    // missing counts as stale
  }
  const stale =
    committed !== code ||
    [...sigstoreFiles].some(([name, text]) => read(join(dist, name)) !== text) ||
    readdirSync(dist).some((name) => isChunk(name) && !sigstoreFiles.has(name));
  if (stale) {
    console.error("action/dist is stale: run `npm run bundle` and commit the result");
    process.exit(1);
  }
  console.log("action/dist/index.js is up to date");
} else {
  mkdirSync(dirname(outfile), { recursive: true });
  for (const name of readdirSync(dist)) if (isChunk(name)) rmSync(join(dist, name));
  writeFileSync(outfile, code);
  for (const [name, text] of sigstoreFiles) writeFileSync(join(dist, name), text);
  const kib = (text) => `${(text.length / 1024).toFixed(0)} KiB`;
  console.log(
    `wrote action/dist/index.js (${kib(code)}) and ${[...sigstoreFiles].map(([name, text]) => `action/dist/${name} (${kib(text)})`).join(", ")}`,
  );
}
