#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts in turn (each prints its own figures and ratios).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv[2];
const files = readdirSync(join(root, "bench"))
  .filter((f) => f.endsWith(".bench.ts") && (!only || f.includes(only)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n## ${file}`);
  const run = spawnSync(
    process.execPath,
    [join(root, "scripts", "run-ts.mjs"), join("bench", file)],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
