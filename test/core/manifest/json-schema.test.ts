import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ASSESSMENT_JSON_SCHEMA } from "../../../src/core/assessment/json-schema.js";
import {
  type JsonSchemaSpec,
  MANIFEST_JSON_SCHEMA,
  renderJsonSchema,
  SCHEMA_BASE_URL,
} from "../../../src/core/manifest/json-schema.js";
import { POLICY_JSON_SCHEMA } from "../../../src/core/org-policy/json-schema.js";
import { readFixture } from "./fixtures.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const run = promisify(execFile);

function committed(spec: JsonSchemaSpec): Record<string, unknown> {
  return JSON.parse(readFileSync(join(root, "schemas", spec.fileName), "utf8"));
}

/** Validates as an editor would: draft 2020-12, patterns on, format "date" left to its pattern. */
function validatorFor(spec: JsonSchemaSpec) {
  const ajv = new Ajv2020({ strict: true, allErrors: true, formats: { date: true } });
  return ajv.compile(committed(spec));
}

describe.each([
  ["manifest", MANIFEST_JSON_SCHEMA],
  ["organisation policy", POLICY_JSON_SCHEMA],
  ["risk assessment", ASSESSMENT_JSON_SCHEMA],
])("the committed %s JSON Schema", (_name, spec) => {
  it("is what the zod schema generates now", () => {
    expect(readFileSync(join(root, "schemas", spec.fileName), "utf8")).toBe(renderJsonSchema(spec));
  });

  it("declares draft 2020-12, its $id, a title and a description", () => {
    const schema = committed(spec);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBe(`${SCHEMA_BASE_URL}${spec.fileName}`);
    expect(schema.title).toBe(spec.title);
    expect(typeof schema.description).toBe("string");
    expect(schema.additionalProperties).toBe(false);
  });

  it("compiles under a strict draft 2020-12 validator", () => {
    expect(() => validatorFor(spec)).not.toThrow();
  });
});

describe("the manifest JSON Schema, as an editor applies it", () => {
  const validate = validatorFor(MANIFEST_JSON_SCHEMA);
  const accepts = (fixture: string) => validate(parse(readFixture(`manifests/${fixture}`)));

  it.each(["valid-full.yml", "valid-minimal.yml", "valid-one-system.yml", "extends-pinned.yml"])(
    "accepts %s",
    (name) => {
      expect(accepts(name)).toBe(true);
    },
  );

  it.each([
    "unknown-key-in-system.yml",
    "unknown-top-level-key.yml",
    "tier-not-a-tier.yml",
    "approvals-negative.yml",
    "approvals-not-integer.yml",
    "missing-governance.yml",
    "version-2.yml",
    "glob-absolute.yml",
    "glob-with-dotdot.yml",
    "path-with-dotdot.yml",
    "bad-team-slug.yml",
    "evidence-kind-invalid.yml",
    "extends-malformed.yml",
    "extends-not-yaml.yml",
  ])("flags %s", (name) => {
    expect(accepts(name)).toBe(false);
  });

  it("is the schema the valid example's yaml-language-server line points at", () => {
    const firstLine = readFixture("manifests/valid-full.yml").split("\n")[0] ?? "";
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine);
    expect(match?.[1]).toBe("../../../schemas/ai-governance.schema.json");
  });
});

describe("the organisation-policy JSON Schema, as an editor applies it", () => {
  const validate = validatorFor(POLICY_JSON_SCHEMA);
  const accepts = (fixture: string) => validate(parse(readFixture(`policies/${fixture}`)));

  it.each(["valid.yml", "valid-minimal.yml"])("accepts %s", (name) => {
    expect(accepts(name)).toBe(true);
  });

  it.each([
    "with-systems.yml",
    "extends-another.yml",
    "names-ai-policy.yml",
    "unknown-key.yml",
    "not-yaml.yml",
    "version-2.yml",
  ])("flags %s", (name) => {
    expect(accepts(name)).toBe(false);
  });

  it("is the schema the valid example's yaml-language-server line points at", () => {
    const firstLine = readFixture("policies/valid.yml").split("\n")[0] ?? "";
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine);
    expect(match?.[1]).toBe(`../../../schemas/${POLICY_JSON_SCHEMA.fileName}`);
  });
});

describe("the risk-assessment JSON Schema, as an editor applies it", () => {
  const validate = validatorFor(ASSESSMENT_JSON_SCHEMA);
  const accepts = (fixture: string) => validate(parse(readFixture(`assessments/${fixture}`)));

  it.each(["valid.yml", "valid-minimal.yml", "valid-past-review-date.yml"])(
    "accepts %s",
    (name) => {
      expect(accepts(name)).toBe(true);
    },
  );

  it.each([
    "unknown-key.yml",
    "likelihood-six.yml",
    "severity-zero.yml",
    "harms-empty.yml",
    "date-not-iso.yml",
    "date-impossible.yml",
    "missing-acceptance.yml",
  ])("flags %s", (name) => {
    expect(accepts(name)).toBe(false);
  });
});

describe("npm run schemas:check", () => {
  const dir = mkdtempSync(join(tmpdir(), "schemas-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = ["scripts/run-ts.mjs", "scripts/gen-schemas.ts"];

  it("passes when the files are fresh and fails naming the stale file otherwise", async () => {
    await run(process.execPath, [...script, "--out", dir], { cwd: root });
    await expect(
      run(process.execPath, [...script, "--check", "--out", dir], { cwd: root }),
    ).resolves.toMatchObject({ stdout: expect.stringContaining("up to date") });

    const stale = join(dir, ASSESSMENT_JSON_SCHEMA.fileName);
    writeFileSync(stale, readFileSync(stale, "utf8").replace("likelihood", "likelyhood"));
    const failed = run(process.execPath, [...script, "--check", "--out", dir], { cwd: root });
    await expect(failed).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`${stale} is stale`),
    });
    await expect(failed).rejects.not.toMatchObject({
      stderr: expect.stringContaining(MANIFEST_JSON_SCHEMA.fileName),
    });
  });
});
