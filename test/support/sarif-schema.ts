/**
 * Validation of aigate's SARIF output against the SARIF 2.1.0 JSON Schema (the fixture's
 * README says where the schema comes from).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import AjvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";
import { expect } from "vitest";
import { ROOT } from "./git-repo.js";

const schema = JSON.parse(
  readFileSync(join(ROOT, "test/fixtures/sarif/sarif-schema-2.1.0.json"), "utf8"),
) as object;
// The schema has a language-tag pattern that is only valid without the `u` flag.
// Both packages are CommonJS whose `default` export is the class (or plugin) itself.
const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default;
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
export const validateSarif = ajv.compile(schema);

/** The parsed log, failing the test with the schema's errors when it does not validate. */
export function expectValidSarif(text: string): SarifLog {
  const log = JSON.parse(text) as SarifLog;
  const valid = validateSarif(log);
  expect(validateSarif.errors ?? [], "SARIF 2.1.0 schema errors").toEqual([]);
  expect(valid).toBe(true);
  return log;
}

export interface SarifLog {
  version: string;
  runs: Array<{
    tool: { driver: { rules: Array<{ id: string }> } };
    invocations: Array<{ toolExecutionNotifications?: Array<{ message: { text: string } }> }>;
    results: Array<{
      ruleId: string;
      level: string;
      message: { text: string };
      locations: Array<{
        physicalLocation: {
          artifactLocation: { uri: string };
          region: { startLine: number; startColumn?: number };
        };
      }>;
    }>;
  }>;
}
