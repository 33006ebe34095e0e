import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { parseAssessment } from "../../../src/core/assessment/parse.js";
import { RESIDUAL_RISK, RiskAssessmentSchema } from "../../../src/core/assessment/schema.js";
import type { LocatedError } from "../../../src/core/errors.js";
import { TIERS } from "../../../src/core/manifest/schema.js";
import { readFixture } from "../manifest/fixtures.js";

const FILE = "governance/assessments/credit-scoring.yml";

function mostly<T>(valid: fc.Arbitrary<T>, ...mistakes: unknown[]): fc.Arbitrary<unknown> {
  const arbitraries: fc.WeightedArbitrary<unknown>[] = [
    { weight: 40, arbitrary: valid },
    { weight: 1, arbitrary: fc.anything({ maxDepth: 2, maxKeys: 3 }) },
  ];
  if (mistakes.length > 0) arbitraries.push({ weight: 2, arbitrary: fc.constantFrom(...mistakes) });
  return fc.oneof(...arbitraries);
}

// Text fields are many: an empty one only now and then, so that some documents are valid.
const text = fc.oneof(
  { weight: 100, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom("", 0, null) },
);
const texts = mostly(fc.array(text, { minLength: 1, maxLength: 2 }), []);
/** Dates between two years; review dates mostly fall after assessment dates, sometimes before. */
const dateIn = (from: string, to: string) =>
  mostly(
    fc
      .date({ min: new Date(from), max: new Date(to), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    "2026-13-01",
    "tomorrow",
  );
const score = mostly(fc.integer({ min: 1, max: 5 }), 0, 6, 2.5);

const harm = fc.record(
  {
    id: mostly(fc.constantFrom("H1", "H2", "H3"), "bad id"),
    description: text,
    affected: texts,
    likelihood: score,
    severity: score,
    mitigations: texts,
    residual_risk: mostly(fc.constantFrom(...RESIDUAL_RISK), "none"),
  },
  { requiredKeys: ["description", "likelihood", "severity", "mitigations", "residual_risk"] },
);

const assessmentShaped = fc.record(
  {
    version: mostly(fc.constant(1), 2),
    system: mostly(fc.constantFrom("credit-scoring", "chatbot"), "Credit Scoring"),
    tier: mostly(fc.constantFrom(...TIERS), "critical"),
    intended_use: text,
    out_of_scope_uses: texts,
    affected_parties: texts,
    harms: mostly(fc.array(harm, { minLength: 1, maxLength: 3 }), []),
    data: fc.record(
      { sources: texts, bias_assessment: text, personal_data: mostly(fc.boolean()) },
      { requiredKeys: ["sources", "bias_assessment"] },
    ),
    oversight: fc.record(
      { mechanism: text, can_override: mostly(fc.boolean()) },
      { requiredKeys: ["mechanism"] },
    ),
    monitoring: fc.record({ metrics: texts, frequency: text }, { requiredKeys: ["metrics"] }),
    acceptance: fc.record(
      {
        decision: mostly(fc.constantFrom("accepted", "rejected", "pending"), "ok"),
        accepted_by: texts,
        residual_risk: mostly(fc.constantFrom(...RESIDUAL_RISK)),
        rationale: text,
      },
      { requiredKeys: ["decision", "accepted_by", "residual_risk"] },
    ),
    assessed_at: dateIn("2020-01-01", "2026-06-30"),
    review_by: dateIn("2026-01-01", "2030-12-31"),
  },
  {
    requiredKeys: [
      "version",
      "system",
      "tier",
      "intended_use",
      "affected_parties",
      "harms",
      "data",
      "oversight",
      "monitoring",
      "acceptance",
      "assessed_at",
      "review_by",
    ],
  },
);

function expectLocated(errors: LocatedError[]): void {
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(error.file).toBe(FILE);
    expect(error.line).toBeGreaterThanOrEqual(0);
    expect(error.message.trim()).not.toBe("");
  }
}

describe("parseAssessment never throws", () => {
  it("on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (input) => {
        const result = parseAssessment(input, FILE);
        if (!result.ok) expectLocated(result.errors);
      }),
      { numRuns: 300 },
    );
  });

  it("on arbitrary YAML documents", () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), (value) => {
        const result = parseAssessment(stringify(value), FILE);
        expect(result.ok).toBe(false);
        if (!result.ok) expectLocated(result.errors);
      }),
      { numRuns: 300 },
    );
  });

  it("on a valid assessment with characters inserted or deleted anywhere", () => {
    const valid = readFixture("assessments/valid.yml");
    fc.assert(
      fc.property(
        fc.nat({ max: valid.length }),
        fc.nat({ max: 20 }),
        fc.constantFrom("", "\t", ":", "-", "[", "{", "'", '"', "&a ", "*a", "\n", " ", "#", "!!"),
        (at, remove, insert) => {
          const result = parseAssessment(
            valid.slice(0, at) + insert + valid.slice(at + remove),
            FILE,
          );
          if (!result.ok) expectLocated(result.errors);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("parseAssessment on assessment-shaped documents", () => {
  it("accepts exactly what the schema accepts with review_by on or after assessed_at and unique harm ids", () => {
    fc.assert(
      fc.property(assessmentShaped, (shaped) => {
        const yaml = stringify(shaped);
        const result = parseAssessment(yaml, FILE);
        const checked = RiskAssessmentSchema.safeParse(parse(yaml));
        if (!result.ok) {
          expectLocated(result.errors);
          if (checked.success) {
            const { assessed_at, review_by, harms } = checked.data;
            const ids = harms.flatMap((h) => (h.id === undefined ? [] : [h.id]));
            expect(review_by < assessed_at || new Set(ids).size < ids.length).toBe(true);
          }
          return;
        }
        expect(checked.success).toBe(true);
        expect(result.assessment.review_by >= result.assessment.assessed_at).toBe(true);
        for (const h of result.assessment.harms) {
          expect(h.likelihood).toBeGreaterThanOrEqual(1);
          expect(h.severity).toBeLessThanOrEqual(5);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("generates both valid and invalid assessments, so the property above is exercised", () => {
    const samples = fc.sample(assessmentShaped, { numRuns: 400, seed: 7 });
    const accepted = samples.filter((shaped) => parseAssessment(stringify(shaped), FILE).ok);
    expect(accepted.length).toBeGreaterThanOrEqual(40);
    expect(accepted.length).toBeLessThan(samples.length);
  });
});
