import { describe, expect, it } from "vitest";
import { formatLocatedError } from "../../../src/core/errors.js";
import { parseOrgPolicy } from "../../../src/core/org-policy/parse.js";
import { parsePolicyReference } from "../../../src/core/org-policy/reference.js";
import { readFixture } from "../manifest/fixtures.js";

const FILE = "acme/.github:ai-governance/policy.yml";

function errorsOf(fixture: string, self?: string): string[] {
  const reference = self === undefined ? undefined : parsePolicyReference(self);
  const result = parseOrgPolicy(
    readFixture(`policies/${fixture}`),
    FILE,
    reference?.ok ? reference.reference : undefined,
  );
  return result.ok ? [] : result.errors.map(formatLocatedError);
}

describe("an organisation policy", () => {
  it("has the manifest's version, governance and defaults", () => {
    const result = parseOrgPolicy(readFixture("policies/valid.yml"), FILE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.document).toEqual({
      version: 1,
      governance: { owners: { teams: ["acme/compliance"], users: [] }, approvals: 2 },
      defaults: {
        invalidate_on_push: "governed",
        committers_can_approve: false,
        tiers: {
          limited: { approvals: 1, assessment: "required" },
          high: {
            approvals: 3,
            assessment: "required",
            update_on: ["model", "data"],
            evidence: ["model_card", "data_sheet"],
          },
          prohibited: { blocked: true },
        },
      },
    });
  });

  it("may say only what it constrains", () => {
    expect(errorsOf("valid-minimal.yml")).toEqual([]);
  });

  it("declares no systems, and the error says so at the key", () => {
    expect(errorsOf("with-systems.yml")).toEqual([
      `${FILE}:5:3: systems: an organisation policy declares no systems: each repository lists its own AI systems in its manifest`,
    ]);
  });

  it("cannot extend another policy: one level only", () => {
    expect(errorsOf("extends-another.yml", `${FILE}@main`)).toEqual([
      `${FILE}:2:10: extends: an organisation policy cannot extend another policy: there is one level, a repository's manifest extends a policy`,
    ]);
  });

  it("that extends itself is told so", () => {
    expect(
      errorsOf("extends-itself.yml", `ACME/.github:ai-governance/policy.yml@${"a".repeat(40)}`),
    ).toEqual([
      `${FILE}:2:10: extends: this policy extends itself (acme/.github:ai-governance/policy.yml@main): an organisation policy cannot extend any policy; remove extends`,
    ]);
  });

  it("leaves the AI policy document to each repository", () => {
    expect(errorsOf("names-ai-policy.yml")).toEqual([
      `${FILE}:4:11: governance.policy: the AI policy document is named by each repository's manifest (governance.policy), not by the organisation policy`,
    ]);
  });

  it("rejects unknown keys with a suggestion, like the manifest", () => {
    expect(errorsOf("unknown-key.yml")).toEqual([
      `${FILE}:4:13: defaults.tiers.high.aprovals: unknown key "aprovals" — did you mean "approvals"?`,
    ]);
  });

  it("that is not YAML (an HTML page) is a located error", () => {
    expect(errorsOf("not-yaml.yml")).toEqual([
      `${FILE}:1:1: the file must be a mapping (key: value), not "<!DOCTYPE html> <html><body>Not found</body></html>"`,
    ]);
  });

  it("has version 1", () => {
    expect(errorsOf("version-2.yml")).toEqual([`${FILE}:1:10: version: expected 1, got 2`]);
  });

  it("that is really a governance manifest gets both of its mistakes", () => {
    const errors = errorsOf("../manifests/valid-full.yml");
    expect(errors.some((e) => e.includes("governance.policy: the AI policy document"))).toBe(true);
    expect(
      errors.some((e) => e.includes("systems: an organisation policy declares no systems")),
    ).toBe(true);
  });
});
