/**
 * Writes the JSON Schemas of the governance manifest, the organisation policy, the risk
 * assessment, the AI system register and the draft Statement of Applicability from their zod
 * schemas (the single source of truth). With `--check`, writes nothing and exits 1 naming
 * every committed file that differs from a fresh generation.
 * `--out DIR` reads and writes DIR instead of `schemas/`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ASSESSMENT_JSON_SCHEMA } from "../src/core/assessment/json-schema.js";
import { MANIFEST_JSON_SCHEMA, renderJsonSchema } from "../src/core/manifest/json-schema.js";
import { POLICY_JSON_SCHEMA } from "../src/core/org-policy/json-schema.js";
import { REGISTER_JSON_SCHEMA, SOA_JSON_SCHEMA } from "../src/core/register/json-schema.js";

// Bundled before it runs, so the script's own location comes from argv, not import.meta.url.
const root = resolve(dirname(process.argv[1] ?? "scripts/gen-schemas.ts"), "..");
const args = process.argv.slice(2);
const check = args.includes("--check");
const outIndex = args.indexOf("--out");
const outDir = outIndex >= 0 ? resolve(args[outIndex + 1] ?? ".") : join(root, "schemas");
let stale = 0;

for (const spec of [
  MANIFEST_JSON_SCHEMA,
  POLICY_JSON_SCHEMA,
  ASSESSMENT_JSON_SCHEMA,
  REGISTER_JSON_SCHEMA,
  SOA_JSON_SCHEMA,
]) {
  const file = join(outDir, spec.fileName);
  const fresh = renderJsonSchema(spec);
  const near = relative(process.cwd(), file);
  const shown = near === "" || near.startsWith("..") ? file : near;
  if (check) {
    let committed: string | undefined;
    try {
      committed = readFileSync(file, "utf8");
    } catch {
      committed = undefined;
    }
    if (committed !== fresh) {
      stale++;
      console.error(
        `${shown} is ${committed === undefined ? "missing" : "stale"}: run npm run schemas and commit it`,
      );
    }
  } else {
    writeFileSync(file, fresh);
    console.log(`wrote ${shown}`);
  }
}

if (check) {
  if (stale > 0) process.exitCode = 1;
  else console.log("schemas are up to date");
}
