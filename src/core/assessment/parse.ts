import type { LocatedError } from "../errors.js";
import { placeholderErrors, withPlaceholders } from "../placeholder.js";
import { errorAt, limitErrors, validateYaml } from "../yaml/index.js";
import { type RiskAssessment, RiskAssessmentSchema } from "./schema.js";

export type AssessmentParseResult =
  | { ok: true; assessment: RiskAssessment }
  | { ok: false; errors: LocatedError[] };

/**
 * Parses and validates one risk assessment (docs/assessment.md): YAML, the zod schema, then
 * `review_by` not before `assessed_at` and unique harm ids. Whether it is current, matches its system or
 * is accepted is the engine's question, not a parse error. Never throws.
 */
export function parseAssessment(text: string, file: string): AssessmentParseResult {
  const placeholders = placeholderErrors(text, file);
  const validated = validateYaml(text, file, RiskAssessmentSchema);
  if (!validated.ok) return { ok: false, errors: withPlaceholders(placeholders, validated.errors) };
  const assessment = validated.value;
  const errors: LocatedError[] = [...placeholders];
  // ISO dates (YYYY-MM-DD) order correctly as strings.
  if (assessment.review_by < assessment.assessed_at) {
    errors.push(
      errorAt(
        validated.source,
        ["review_by"],
        `review date ${assessment.review_by} is before the assessment date ${assessment.assessed_at}: set review_by on or after assessed_at`,
      ),
    );
  }
  const firstHarm = new Map<string, number>();
  assessment.harms.forEach((harm, index) => {
    if (harm.id === undefined) return;
    const first = firstHarm.get(harm.id);
    if (first === undefined) {
      firstHarm.set(harm.id, index);
      return;
    }
    errors.push(
      errorAt(
        validated.source,
        ["harms", index, "id"],
        `duplicate harm id "${harm.id}" (first used by harms[${first}]): harm ids must be unique`,
      ),
    );
  });
  if (errors.length > 0) {
    return { ok: false, errors: limitErrors(errors) };
  }
  return { ok: true, assessment };
}
