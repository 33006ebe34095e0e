import * as z from "zod";
import { TierSchema } from "../manifest/schema.js";

/**
 * The risk assessment, one YAML document per AI system (docs/assessment.md): the PR-level
 * evidence of ISO/IEC 42001 cl. 8.2/8.4 and Annex A.5. Strict like the manifest.
 */

// Its message is worded where every YAML problem is (core/yaml), from the value written.
const isoDate = z.iso.date();
const score = z
  .int({
    error: (issue) =>
      issue.code === "invalid_type"
        ? "a score is a whole number from 1 (lowest) to 5 (highest)"
        : undefined,
  })
  .min(1)
  .max(5);
const text = z.string().min(1);

export const RESIDUAL_RISK = ["low", "medium", "high", "unacceptable"] as const;

const HarmSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, {
        message: "a harm id uses letters, digits, '-' and '_', e.g. H1 or unfair-denial",
      })
      .optional()
      .describe("Short id to refer to the harm, unique within the assessment."),
    description: text.describe("What could go wrong, for whom."),
    affected: z.array(text).optional().describe("Who would be harmed."),
    likelihood: score.describe("Likelihood before mitigation, 1 (rare) to 5 (almost certain)."),
    severity: score.describe("Severity of the harm, 1 (negligible) to 5 (critical)."),
    mitigations: z
      .array(text)
      .min(1, { message: "list at least one mitigation" })
      .describe("Controls that reduce the likelihood or severity (risk treatment)."),
    residual_risk: z.enum(RESIDUAL_RISK).describe("Risk that remains after the mitigations."),
  })
  .meta({ id: "Harm", description: "One identified harm and its treatment." });

export const RiskAssessmentSchema = z.strictObject({
  version: z.literal(1).describe("Assessment format version; always 1."),
  system: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, {
      message: "the system id as in the manifest, e.g. credit-scoring",
    })
    .describe("Id of the assessed system, as in the governance manifest."),
  tier: TierSchema.describe("Risk tier the assessment was made for; must match the manifest."),
  intended_use: text.describe("What the system is intended to be used for."),
  out_of_scope_uses: z
    .array(text)
    .optional()
    .describe("Uses the system is not intended or approved for."),
  affected_parties: z
    .array(text)
    .min(1)
    .describe("Individuals and groups the system's outputs affect."),
  harms: z
    .array(HarmSchema)
    .min(1, { message: "list at least one harm, even if its residual risk is low" })
    .describe("Identified harms with likelihood, severity, mitigations and residual risk."),
  data: z
    .strictObject({
      sources: z.array(text).min(1).describe("Where the training and input data come from."),
      bias_assessment: text.describe("How the data were assessed for bias, and what was found."),
      personal_data: z.boolean().optional().describe("Whether personal data are processed."),
    })
    .describe("Data governance."),
  oversight: z
    .strictObject({
      mechanism: text.describe("How people oversee the system's outputs."),
      can_override: z
        .boolean()
        .optional()
        .describe("Whether the overseer can override or stop the system."),
    })
    .describe("Human oversight."),
  monitoring: z
    .strictObject({
      metrics: z.array(text).min(1).describe("What is measured in operation."),
      frequency: text.optional().describe("How often, e.g. weekly."),
    })
    .describe("Post-deployment monitoring."),
  acceptance: z
    .strictObject({
      decision: z
        .enum(["accepted", "rejected", "pending"])
        .describe("The risk-acceptance decision; the gate requires accepted."),
      accepted_by: z.array(text).min(1).describe("Who made the decision (names, logins or roles)."),
      residual_risk: z.enum(RESIDUAL_RISK).describe("Overall residual risk that was decided on."),
      rationale: text.optional().describe("Why the residual risk is acceptable."),
    })
    .describe("Who decided on the residual risk, and what."),
  assessed_at: isoDate.describe("Date of the assessment, YYYY-MM-DD."),
  review_by: isoDate.describe(
    "Date by which the assessment must be reviewed, YYYY-MM-DD; after it, the gate fails.",
  ),
});

export type Harm = z.infer<typeof HarmSchema>;
export type RiskAssessment = z.infer<typeof RiskAssessmentSchema>;
