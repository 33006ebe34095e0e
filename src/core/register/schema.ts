import * as z from "zod";
import { RESIDUAL_RISK } from "../assessment/schema.js";
import { LIFECYCLES, PATH_KINDS, TIERS } from "../manifest/schema.js";

/**
 * The AI system register (`aigate register`, docs/audit.md): one row per AI system, one row
 * per harm, and the repositories that could not be put in it. This zod schema is the source
 * of truth for the JSON output, its types and `schemas/ai-register.schema.json`.
 */

/**
 * Assessment statuses (docs/audit.md). `not_required`: the tier requires no assessment and the
 * manifest names none, which is not a gap.
 */
export const ASSESSMENT_STATUSES = [
  "current",
  "expiring",
  "expired",
  "missing",
  "invalid",
  "not_required",
] as const;
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number];

/** The statuses a scheduled job fails on (exit 1). */
export const FAILING_STATUSES: ReadonlySet<AssessmentStatus> = new Set([
  "expired",
  "missing",
  "invalid",
]);

/** Why a repository has no systems in the register. */
export const PROBLEM_KINDS = [
  "not_governed",
  "archived",
  "empty",
  "invalid_manifest",
  "unreadable",
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/** Kinds of problem a scheduled job fails on: the register cannot vouch for that repository. */
export const FAILING_PROBLEMS: ReadonlySet<ProblemKind> = new Set([
  "invalid_manifest",
  "unreadable",
]);

export const RISK_FLAGS = [
  "assessment_expired",
  "assessment_expiring",
  "not_accepted",
  "unacceptable_residual_risk",
] as const;
export type RiskFlag = (typeof RISK_FLAGS)[number];

const isoDate = z.iso.date();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

const AccountSchema = z.strictObject({ login: z.string(), id: z.int() });

const LastApprovedChangeSchema = z
  .strictObject({
    pull_request: z.int().positive().describe("Number of the merged pull request."),
    title: z.string(),
    url: z.string().nullable(),
    merged_at: z.string().describe("When it was merged (ISO 8601)."),
    approvers: z
      .array(AccountSchema)
      .describe("Approvers of this system, from the pull request's verified attestations."),
    attestations: z.array(z.string()).describe("Digests of those attestations."),
  })
  .meta({
    id: "LastApprovedChange",
    description: "The newest merged pull request with a verified approval of the system.",
  });

const RegisterSystemSchema = z
  .strictObject({
    repository: z.string().describe("OWNER/REPO, or the folder name of a checkout."),
    system: z.string().describe("The system id in the manifest."),
    name: z.string(),
    purpose: z.string(),
    owner: z.string(),
    tier: z.enum(TIERS),
    eu_ai_act_annex_iii: z.string().nullable().describe("EU AI Act Annex III point, if any."),
    lifecycle: z.enum(LIFECYCLES),
    affected_parties: z.array(z.string()),
    paths: z.partialRecord(z.enum(PATH_KINDS), z.array(z.string())),
    assessment: z.strictObject({
      path: z.string().nullable().describe("The assessment file the manifest names."),
      status: z.enum(ASSESSMENT_STATUSES),
      review_by: isoDate.nullable(),
      days_until_review: z.int().nullable().describe("Negative once review_by has passed."),
      assessed_at: isoDate.nullable(),
      acceptance: z.enum(["accepted", "rejected", "pending"]).nullable(),
      residual_risk: z.enum(RESIDUAL_RISK).nullable(),
      sha256: sha256Hex.nullable(),
      errors: z.array(z.string()).describe("Why the status is missing or invalid."),
    }),
    manifest: z.strictObject({
      path: z.string(),
      commit: z.string().nullable().describe("The commit the manifest was read at."),
      sha256: sha256Hex,
    }),
    last_approved_change: LastApprovedChangeSchema.nullable()
      .optional()
      .describe("With --with-approvals: null when no merged pull request approved the system."),
  })
  .meta({ id: "RegisterSystem", description: "One AI system of the register." });

const RiskRowSchema = z
  .strictObject({
    repository: z.string(),
    system: z.string(),
    harm: z.string().nullable().describe("The harm's id, when the assessment gives one."),
    description: z.string(),
    affected: z.array(z.string()),
    likelihood: z.int().min(1).max(5),
    severity: z.int().min(1).max(5),
    score: z.int().min(1).max(25).describe("likelihood × severity"),
    mitigations: z.array(z.string()),
    residual_risk: z.enum(RESIDUAL_RISK),
    acceptance: z.enum(["accepted", "rejected", "pending"]),
    accepted_by: z.array(z.string()),
    accepted_at: isoDate.describe("The assessment date, when the acceptance was decided."),
    review_by: isoDate,
    assessment: z.string().describe("Path of the assessment the harm is from."),
    flags: z.array(z.enum(RISK_FLAGS)).describe("Why the row needs attention; empty when none."),
  })
  .meta({ id: "RiskRow", description: "One harm of the risk register." });

const ProblemRepositorySchema = z
  .strictObject({
    repository: z.string(),
    kind: z.enum(PROBLEM_KINDS),
    reason: z.string(),
    errors: z.array(z.string()).describe("Located errors of an invalid manifest."),
  })
  .meta({
    id: "ProblemRepository",
    description: "A repository with no systems in the register, and why.",
  });

const countsOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.strictObject(
    Object.fromEntries(values.map((v) => [v, z.int().min(0)])) as {
      [K in T[number]]: z.ZodInt;
    },
  );

/**
 * What the newest run of one aigate check, written by the aigate App on a merged pull
 * request's final head, concluded: `other` is any other conclusion (neutral, cancelled, skipped,
 * timed out, stale) or a run that never completed; `missing` means the App wrote no such run.
 */
export const GATE_OUTCOMES = ["success", "failure", "action_required", "other", "missing"] as const;
export type GateOutcome = (typeof GATE_OUTCOMES)[number];

const gateCountsShape = {
  pull_requests: z
    .int()
    .min(0)
    .describe("Closed pull requests looked at: the most recently updated, one page a repository."),
  merged: z.int().min(0).describe("The merged ones among them: what the other counts cover."),
  merged_with_both_checks: z
    .int()
    .min(0)
    .describe("Merged with a completed run of both aigate checks on the final head."),
  risk_assessment: countsOf(GATE_OUTCOMES).describe(
    "Merged pull requests by what the risk-assessment check concluded on the final head.",
  ),
  human_oversight: countsOf(GATE_OUTCOMES).describe(
    "Merged pull requests by what the human-oversight check concluded on the final head.",
  ),
  approvals_counted: z
    .int()
    .min(0)
    .describe(
      "Attestations the human-oversight runs list as counted, over the merged pull requests.",
    ),
  merged_with_counted_approvals: z
    .int()
    .min(0)
    .describe("Merged pull requests whose human-oversight run counted at least one approval."),
};

const GateCountsSchema = z
  .strictObject(gateCountsShape)
  .meta({ id: "GateCounts", description: "Counts from aigate's check runs." });

const RepositoryGateCountsSchema = z
  .strictObject({ repository: z.string(), ...gateCountsShape })
  .meta({ id: "RepositoryGateCounts", description: "Counts from one repository's check runs." });

const CheckRunCountsSchema = z
  .strictObject({
    app: z.string().describe("The slug of the App whose check runs count (--app-slug)."),
    pull_requests_per_repository: z
      .int()
      .positive()
      .describe(
        "How many of each repository's most recently updated closed pull requests are looked at.",
      ),
    repositories: z.array(RepositoryGateCountsSchema).describe("Each governed repository."),
    totals: GateCountsSchema,
  })
  .meta({
    id: "CheckRunCounts",
    description:
      "With --with-check-runs: what aigate's two check runs concluded on each governed repository's recently merged pull requests.",
  });

export const RegisterSchema = z.strictObject({
  version: z.literal(1),
  generated_at: z.string().describe("When the register was made (ISO 8601)."),
  today: isoDate.describe("The date assessment statuses are decided on (UTC)."),
  expiring_within_days: z.int().min(0),
  source: z.strictObject({
    kind: z.enum(["checkout", "github"]),
    description: z.string().describe("e.g. the organisation, the repositories, or the folder."),
  }),
  with_approvals: z.boolean(),
  totals: z.strictObject({
    repositories: z.int().min(0).describe("Repositories looked at."),
    governed: z.int().min(0).describe("Repositories with a valid manifest."),
    systems: z.int().min(0),
    by_tier: countsOf(TIERS),
    by_status: countsOf(ASSESSMENT_STATUSES),
    by_problem: countsOf(PROBLEM_KINDS),
    risks: z.int().min(0),
    flagged_risks: z.int().min(0),
  }),
  systems: z.array(RegisterSystemSchema),
  risks: z.array(RiskRowSchema),
  problems: z.array(ProblemRepositorySchema),
  check_runs: CheckRunCountsSchema.optional(),
});

export type LastApprovedChange = z.infer<typeof LastApprovedChangeSchema>;
export type RegisterSystem = z.infer<typeof RegisterSystemSchema>;
export type RiskRow = z.infer<typeof RiskRowSchema>;
export type ProblemRepository = z.infer<typeof ProblemRepositorySchema>;
export type Register = z.infer<typeof RegisterSchema>;
export type GateCounts = z.infer<typeof GateCountsSchema>;
export type RepositoryGateCounts = z.infer<typeof RepositoryGateCountsSchema>;
export type CheckRunCounts = z.infer<typeof CheckRunCountsSchema>;
