import { describe, expect, it } from "vitest";
import { parseAssessment } from "../../../src/core/assessment/parse.js";
import { formatLocatedError } from "../../../src/core/errors.js";
import { readFixture } from "../manifest/fixtures.js";

function parseFixture(name: string) {
  const file = `test/fixtures/assessments/${name}`;
  return { file, result: parseAssessment(readFixture(`assessments/${name}`), file) };
}

/** fixture → the one located error it must produce. */
const malformed: [string, number, number, string, string][] = [
  ["empty.yml", 1, 1, "", "the file is empty"],
  ["top-level-list.yml", 1, 1, "", "must be a mapping (key: value), not a list"],
  ["tab-indentation.yml", 30, 1, "", "tabs are not allowed for indentation"],
  ["duplicate-yaml-key.yml", 40, 1, "", 'duplicate key "assessed_at"'],
  ["version-2.yml", 1, 10, "version", "expected 1, got 2"],
  [
    "unknown-key.yml",
    5,
    1,
    "out_of_scope_use",
    'unknown key "out_of_scope_use" — did you mean "out_of_scope_uses"?',
  ],
  [
    "unknown-key-in-harm.yml",
    24,
    5,
    "harms[1].mitigation_owner",
    "allowed keys are id, description, affected, likelihood, severity, mitigations, residual_risk",
  ],
  ["likelihood-six.yml", 12, 17, "harms[0].likelihood", "must be at most 5, got 6"],
  ["likelihood-as-word.yml", 12, 17, "harms[0].likelihood", "a whole number from 1"],
  ["severity-zero.yml", 21, 15, "harms[1].severity", "must be at least 1, got 0"],
  ["harms-empty.yml", 8, 8, "harms", "list at least one harm"],
  ["mitigations-empty.yml", 22, 18, "harms[1].mitigations", "list at least one mitigation"],
  [
    "residual-risk-invalid.yml",
    23,
    20,
    "harms[1].residual_risk",
    'expected one of low, medium, high, unacceptable, got "negligible"',
  ],
  [
    "acceptance-decision-typo.yml",
    35,
    13,
    "acceptance.decision",
    'got "accept" — did you mean "accepted"?',
  ],
  ["missing-acceptance.yml", 1, 1, "acceptance", 'missing required key "acceptance"'],
  [
    "missing-bias-assessment.yml",
    25,
    3,
    "data.bias_assessment",
    'missing required key "bias_assessment"',
  ],
  ["tier-not-a-tier.yml", 3, 7, "tier", "expected one of minimal, limited, high, prohibited"],
  ["system-id-invalid.yml", 2, 9, "system", "the system id as in the manifest"],
  ["date-not-iso.yml", 39, 14, "assessed_at", "a date is written YYYY-MM-DD"],
  // A date that is written right but is not on the calendar says why.
  [
    "date-impossible.yml",
    40,
    12,
    "review_by",
    "2026-02-30 is not a real date: February 2026 has 28 days",
  ],
  [
    "date-february-29-in-common-year.yml",
    40,
    12,
    "review_by",
    "2027-02-29 is not a real date: February 2027 has 28 days",
  ],
  [
    "date-april-31.yml",
    40,
    12,
    "review_by",
    "2026-04-31 is not a real date: April 2026 has 30 days",
  ],
  [
    "date-month-13.yml",
    40,
    12,
    "review_by",
    "2026-13-01 is not a real date: the month is written 01 to 12",
  ],
  ["date-with-time.yml", 39, 14, "assessed_at", "a date is written YYYY-MM-DD"],
  [
    "review-before-assessed.yml",
    40,
    12,
    "review_by",
    "review date 2026-03-01 is before the assessment date 2026-04-01",
  ],
  ["duplicate-harm-id.yml", 18, 9, "harms[1].id", 'duplicate harm id "H1"'],
];

describe("parseAssessment: each malformed assessment gives one located, actionable error", () => {
  it.each(malformed)("%s → line %i, column %i, field %j", (name, line, column, field, fragment) => {
    const { file, result } = parseFixture(name);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { file, line, column, field, message: expect.stringContaining(fragment) },
    ]);
  });
  it("never shows zod's own wording or JSON in a message", () => {
    for (const [name] of malformed) {
      const { result } = parseFixture(name);
      if (result.ok) continue;
      for (const error of result.errors) {
        expect(error.message).not.toMatch(
          /Invalid input|Invalid option|Unrecognized key|"code"|\{\s*"/,
        );
      }
    }
  });
});

describe("parseAssessment: valid documents", () => {
  it("parses the full example", () => {
    const { result } = parseFixture("valid.yml");
    if (!result.ok) throw new Error(result.errors.map(formatLocatedError).join("\n"));
    expect(result.assessment.system).toBe("credit-scoring");
    expect(result.assessment.tier).toBe("high");
    expect(result.assessment.harms.map((h) => [h.id, h.likelihood, h.severity])).toEqual([
      ["H1", 3, 4],
      ["H2", 2, 3],
    ]);
    expect(result.assessment.acceptance).toEqual({
      decision: "accepted",
      accepted_by: ["acme/model-risk", "alice"],
      residual_risk: "medium",
      rationale: "Every decision stays with a person; the remaining bias is monitored quarterly.",
    });
  });

  it("keeps dates as the YYYY-MM-DD text that was written", () => {
    const { result } = parseFixture("valid.yml");
    if (!result.ok) throw new Error("expected the fixture to parse");
    expect(result.assessment.assessed_at).toBe("2026-04-01");
    expect(result.assessment.review_by).toBe("2026-10-01");
  });

  it("accepts an assessment whose review date has passed: expiry is the gate's decision", () => {
    const { result } = parseFixture("valid-past-review-date.yml");
    expect(result.ok && result.assessment.review_by).toBe("2020-01-15");
  });

  it("accepts a pending or rejected decision: acceptance is the gate's decision", () => {
    const { result } = parseFixture("valid-pending-decision.yml");
    expect(result.ok && result.assessment.acceptance.decision).toBe("pending");
  });

  it("accepts only the required fields, with review_by on the day of the assessment", () => {
    const { result } = parseFixture("valid-minimal.yml");
    if (!result.ok) throw new Error(result.errors.map(formatLocatedError).join("\n"));
    expect(result.assessment.review_by).toBe(result.assessment.assessed_at);
    expect(result.assessment.out_of_scope_uses).toBeUndefined();
  });
});
