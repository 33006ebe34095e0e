#!/usr/bin/env node
// `npm run bench [-- NAME] [-- --quick]`: runs every bench/*.bench.ts in turn (each prints its own
// figures and ratios). `--quick` runs each once at small sizes (bench/quick.ts), as CI does.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.find((a) => !a.startsWith("--"));
const files = readdirSync(join(root, "bench"))
  .filter((f) => f.endsWith(".bench.ts") && (!only || f.includes(only)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${only}`);
  process.exit(2);
}
// Benchmarks that run the `aigate` command run the built CLI (bin/aigate.js → dist/): build it
// first, so they measure the code as it stands.
const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(1);
const failed = [];
for (const file of files) {
  console.log(`\n## ${file}${quick ? " (quick)" : ""}`);
  const run = spawnSync(
    process.execPath,
    [join(root, "scripts", "run-ts.mjs"), join("bench", file)],
    {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, ...(quick ? { AIGATE_BENCH_QUICK: "1" } : {}) },
    },
  );
  if (run.status !== 0) failed.push(file);
}
if (failed.length > 0) console.error(`\nbenchmarks that failed: ${failed.join(", ")}`);
process.exit(failed.length > 0 ? 1 : 0);
