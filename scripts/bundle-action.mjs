#!/usr/bin/env node
// `npm run bundle`: builds the Action's bundle, action/dist/index.js, with esbuild.
// `--check` builds in memory and exits 1 when the committed bundle differs (CI runs it).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
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
// undici is its own file too, action/dist/undici.cjs, required only when a proxy applies to the
// GitHub API: in the index, `undici` is action/undici-lazy.ts, which loads it at first use.
const shim = join(root, "action", "undici-lazy.ts");
const undiciFile = "undici.cjs";
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
const [result, sigstoreResult, undiciResult, shimResult] = await Promise.all([
  build({
    ...options,
    entryPoints: [join(root, "action", "index.ts")],
    outfile,
    external: ["./sigstore.js"],
    alias: { undici: shim },
    metafile: true,
  }),
  build({
    ...options,
    entryPoints: { sigstore: join(root, "action", "sigstore.ts") },
    outdir: dist,
    splitting: true,
    chunkNames: "sigstore-[hash]",
  }),
  build({
    ...options,
    banner: {},
    format: "cjs",
    entryPoints: [createRequire(import.meta.url).resolve("undici")],
    outfile: join(dist, undiciFile),
  }),
  // Only for the names the shim exports.
  build({ ...options, banner: {}, entryPoints: [shim], outdir: dist, metafile: true }),
]);
const code = result.outputFiles[0].text;
const undiciCode = undiciResult.outputFiles[0].text;
checkUndiciShim();

/**
 * Fails the build when the bundled code takes from undici a name the shim does not export (an
 * ESM import of a missing name already fails esbuild; a CommonJS `x = require("undici")` then
 * `x.Name` would not), or when the real undici got into the index anyway.
 */
function checkUndiciShim() {
  const exported = new Set(Object.values(shimResult.metafile.outputs)[0].exports);
  const problems = [];
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    if (file.includes("node_modules/undici/")) problems.push(`${file} is bundled into the index`);
    if (!input.imports.some((i) => i.original === "undici")) continue;
    const source = readFileSync(join(root, file), "utf8");
    const names = [];
    for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*["']undici["']/g)) {
      names.push(...m[1].split(",").map((n) => n.trim().split(/\s+as\s+/)[0]));
    }
    for (const m of source.matchAll(/(\w+)\s*=\s*require\(["']undici["']\)/g)) {
      for (const use of source.matchAll(new RegExp(`\\b${m[1]}\\.(\\w+)`, "g"))) names.push(use[1]);
    }
    if (/import\s+(\*|\w+)[^;]*from\s*["']undici["']/.test(source)) {
      problems.push(`${file} imports undici whole`);
    }
    if (names.length === 0) problems.push(`${file} uses undici in a way not understood`);
    for (const name of names.filter(Boolean)) {
      if (!exported.has(name)) problems.push(`${file} takes ${name} from undici`);
    }
  }
  if (problems.length > 0) {
    console.error(
      `action/undici-lazy.ts does not cover the bundle's use of undici:\n${problems.join("\n")}`,
    );
    process.exit(1);
  }
  if (!code.includes(`("./${undiciFile}")`)) {
    console.error(`action/dist/index.js does not load ./${undiciFile}`);
    process.exit(1);
  }
}
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
    read(join(dist, undiciFile)) !== undiciCode ||
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
  writeFileSync(join(dist, undiciFile), undiciCode);
  for (const [name, text] of sigstoreFiles) writeFileSync(join(dist, name), text);
  const kib = (text) => `${(text.length / 1024).toFixed(0)} KiB`;
  console.log(
    `wrote action/dist/index.js (${kib(code)}), action/dist/${undiciFile} (${kib(undiciCode)}) and ${[...sigstoreFiles].map(([name, text]) => `action/dist/${name} (${kib(text)})`).join(", ")}`,
  );
}
