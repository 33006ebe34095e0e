import { describe, expect, it } from "vitest";
import { parseAssessment } from "../../src/core/assessment/parse.js";
import { parseManifest } from "../../src/core/manifest/parse.js";

const MANIFEST = `version: 1
governance:
  owners:
    teams: ["acme/gov"]
  policy: docs/ai-policy.md
systems:
  - id: fraud
    name: fraud
    purpose: "FILL-IN: what the system is for"
    owner: "@acme/ml"
    lifecycle: development
    tier: "FILL-IN: the EU AI Act risk tier: minimal, limited, high, prohibited"
    paths:
      model: ["models/fraud/**"]
    approvers:
      teams: ["acme/risk"]
`;

describe("a placeholder left by aigate init", () => {
  it("is an error of the manifest at its value, saying what to fill in, even where any text is valid", () => {
    const parsed = parseManifest(MANIFEST);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors).toEqual([
      {
        file: ".github/ai-governance.yml",
        line: 9,
        column: 14,
        field: "systems[0].purpose",
        message: "a placeholder left by aigate init: fill in what the system is for",
      },
      {
        file: ".github/ai-governance.yml",
        line: 12,
        column: 11,
        field: "systems[0].tier",
        message:
          "a placeholder left by aigate init: fill in the EU AI Act risk tier: minimal, limited, high, prohibited",
      },
    ]);
  });

  it("is an error of a risk assessment too", () => {
    const result = parseAssessment(
      'version: 1\nsystem: fraud\ntier: "FILL-IN: the tier"\n',
      "governance/assessments/fraud.yml",
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.filter((e) => e.field === "tier")).toEqual([
      {
        file: "governance/assessments/fraud.yml",
        line: 3,
        column: 7,
        field: "tier",
        message: "a placeholder left by aigate init: fill in the tier",
      },
    ]);
  });
});
