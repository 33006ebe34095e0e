import { z } from "zod";
import { TierSchema } from "../manifest/schema.js";

/**
 * The risk assessment, one YAML document per AI system (DESIGN §3): the PR-level
 * evidence of ISO/IEC 42001 cl. 8.2/8.4 and Annex A.5. Strict like the manifest.
 */

const isoDate = z.iso.date({ message: "a date is written YYYY-MM-DD, e.g. 2026-10-01" });
const score = z.int().min(1).max(5);

export const RESIDUAL_RISK = ["low", "medium", "high", "unacceptable"] as const;

export const HarmSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/)
    .optional(),
  description: z.string().min(1),
  affected: z.array(z.string().min(1)).optional(),
  likelihood: score,
  severity: score,
  mitigations: z.array(z.string().min(1)).min(1, { message: "list at least one mitigation" }),
  residual_risk: z.enum(RESIDUAL_RISK),
});

export const RiskAssessmentSchema = z.strictObject({
  version: z.literal(1),
  system: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  tier: TierSchema,
  intended_use: z.string().min(1),
  out_of_scope_uses: z.array(z.string().min(1)).optional(),
  affected_parties: z.array(z.string().min(1)).min(1),
  harms: z
    .array(HarmSchema)
    .min(1, { message: "list at least one harm, even if its residual risk is low" }),
  data: z.strictObject({
    sources: z.array(z.string().min(1)).min(1),
    bias_assessment: z.string().min(1),
    personal_data: z.boolean().optional(),
  }),
  oversight: z.strictObject({
    mechanism: z.string().min(1),
    can_override: z.boolean().optional(),
  }),
  monitoring: z.strictObject({
    metrics: z.array(z.string().min(1)).min(1),
    frequency: z.string().min(1).optional(),
  }),
  acceptance: z.strictObject({
    decision: z.enum(["accepted", "rejected", "pending"]),
    accepted_by: z.array(z.string().min(1)).min(1),
    residual_risk: z.enum(RESIDUAL_RISK),
    rationale: z.string().min(1).optional(),
  }),
  assessed_at: isoDate,
  review_by: isoDate,
});

export type Harm = z.infer<typeof HarmSchema>;
export type RiskAssessment = z.infer<typeof RiskAssessmentSchema>;
