import * as z from "zod";
import { type SignerIdentity, SignerSchema } from "../attestation/identity.js";
import { globSyntaxProblem } from "../glob.js";
import { POLICY_REFERENCE_PATTERN, parsePolicyReference } from "../org-policy/reference.js";

/**
 * The governance manifest (`.github/ai-governance.yml`), docs/manifest.md.
 * This zod schema is the single source of truth: the TypeScript types below and
 * `schemas/ai-governance.schema.json` are derived from it. Every object is strict,
 * because a typo in a key must never silently disable a gate.
 */

export const MANIFEST_PATH = ".github/ai-governance.yml";

export const PATH_KINDS = ["model", "data", "prompts", "evaluation", "config"] as const;
export const TIERS = ["minimal", "limited", "high", "prohibited"] as const;
export const LIFECYCLES = ["design", "development", "validation", "production", "retired"] as const;
export const INVALIDATE_ON_PUSH = ["governed", "always", "never"] as const;
export const REQUEST_REVIEWS = ["teams", "users", "off"] as const;

const PathKindSchema = z.enum(PATH_KINDS);
export const TierSchema = z.enum(TIERS);
const LifecycleSchema = z.enum(LIFECYCLES);

// Patterns rather than refinements, so that the generated JSON Schema lets editors flag them too.
const NOT_ABSOLUTE = /^[^/\\]/;
const NO_DOT_DOT = /^(?!(?:.*[/\\])?\.\.(?:[/\\]|$))/;
// Globs may be exclusions (`!glob`); the rules apply to the glob after the `!`.
const GLOB_NOT_ABSOLUTE = /^!?[^/\\!]/;
const GLOB_NO_DOT_DOT = /^(?!!?(?:.*[/\\])?\.\.(?:[/\\]|$))/;

const repoPath = z
  .string()
  .min(1)
  .regex(NOT_ABSOLUTE, {
    message: "must be a path relative to the repository root, not starting with '/'",
  })
  .regex(NO_DOT_DOT, {
    message: "must be a path inside the repository, without '..'",
  });

const glob = z
  .string()
  .min(1)
  .regex(GLOB_NOT_ABSOLUTE, {
    message: "globs are relative to the repository root and must not start with '/'",
  })
  .regex(GLOB_NO_DOT_DOT, {
    message: "globs match paths inside the repository and must not contain '..'",
  })
  .superRefine((value, ctx) => {
    const problem = globSyntaxProblem(value);
    if (problem)
      ctx.addIssue({
        code: "custom",
        message: `${JSON.stringify(value)} is not a valid glob: ${problem}`,
      });
  });

/** An evidence kind names a document a tier requires, e.g. `model_card`. */
const EvidenceKindSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, {
  message: "an evidence kind uses lowercase letters, digits and '_', e.g. model_card",
});

const TeamSlugSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
  message: "a team is written org/team-slug, e.g. acme/model-risk",
});

const LoginSchema = z
  .string()
  // Enterprise managed users' logins end in `_shortcode`, hence `_` and the longer bound.
  .regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9_-]{0,99})$/, {
    message: "a user is a GitHub login, e.g. alice",
  })
  .transform((login) => login.replace(/^@/, ""));

const ApproversSchema = z
  .strictObject({
    teams: z
      .array(TeamSlugSchema)
      .default([])
      .describe("Teams whose members may approve, written org/team-slug."),
    users: z
      .array(LoginSchema)
      .default([])
      .describe("GitHub logins that may approve (a leading @ is allowed)."),
  })
  .meta({ id: "Approvers", description: "Who may approve: teams and/or users." });

const TierPolicySchema = z
  .strictObject({
    approvals: z
      .int()
      .min(0)
      .max(20)
      .optional()
      .describe("Human approvals a pull request touching a system of this tier needs."),
    assessment: z
      .enum(["required", "optional"])
      .optional()
      .describe("Whether a system of this tier must name a risk assessment."),
    update_on: z
      .array(PathKindSchema)
      .optional()
      .describe("Path kinds whose change requires the pull request to update the assessment."),
    evidence: z
      .array(EvidenceKindSchema)
      .optional()
      .describe("Evidence kinds every system of this tier must declare under evidence."),
    blocked: z
      .boolean()
      .optional()
      .describe("When true, any pull request touching a system of this tier fails."),
  })
  .meta({
    id: "TierPolicy",
    description: "Overrides of the built-in defaults of one tier, field by field.",
  });

const PathsSchema = z
  .strictObject({
    model: z.array(glob).optional().describe("Model code and weights."),
    data: z.array(glob).optional().describe("Training, validation and reference data."),
    prompts: z.array(glob).optional().describe("Prompts and prompt templates."),
    evaluation: z.array(glob).optional().describe("Evaluation code, datasets and results."),
    config: z.array(glob).optional().describe("Configuration that changes the system's behaviour."),
  })
  .refine((p) => Object.values(p).some((globs) => globs && globs.length > 0), {
    message:
      "a system needs at least one glob under paths (model, data, prompts, evaluation or config)",
  })
  .describe(
    "Globs (relative to the repository root) of the files that make up the system, by kind.",
  );

const AiSystemSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, {
        message: "a system id uses lowercase letters, digits and '-', e.g. credit-scoring",
      })
      .describe("Unique id: lowercase letters, digits and '-'."),
    name: z.string().min(1).describe("Human-readable name."),
    purpose: z.string().min(1).describe("What the system is for (its intended purpose)."),
    owner: z.string().min(1).describe("Accountable party, for the inventory; not an access list."),
    lifecycle: LifecycleSchema.describe("Lifecycle stage."),
    tier: TierSchema.describe(
      "Risk tier, after the EU AI Act: minimal, limited, high, prohibited.",
    ),
    eu_ai_act: z
      .strictObject({
        annex_iii: z.string().min(1).optional().describe("Annex III point, e.g. 5(b)."),
        annex_i: z
          .string()
          .min(1)
          .optional()
          .describe("Annex I legislation, for safety components."),
        article_50: z.string().min(1).optional().describe("Article 50 transparency obligation."),
      })
      .optional()
      .describe("Where the EU AI Act classifies the system."),
    affected_parties: z
      .array(z.string().min(1))
      .optional()
      .describe("Who the system's outputs affect."),
    paths: PathsSchema,
    assessment: repoPath
      .optional()
      .describe("Path of the system's risk assessment (YAML), relative to the repository root."),
    evidence: z
      .record(EvidenceKindSchema, repoPath)
      .optional()
      .describe(
        "Evidence documents by kind (e.g. model_card, data_sheet), each a repository path.",
      ),
    approvers: ApproversSchema.optional(),
    approvals: z
      .int()
      .min(0)
      .max(20)
      .optional()
      .describe("Approvals this system needs; overrides its tier's default."),
  })
  .meta({ id: "AiSystem", description: "One AI system in the inventory." });

/** `governance.owners`, in a manifest and in an organisation policy. */
export const GovernanceOwnersSchema = ApproversSchema.describe(
  "Who approves changes to this manifest.",
);

/** `governance.approvals`, in a manifest and in an organisation policy. */
export const GovernanceApprovalsSchema = z
  .int()
  .min(1)
  .max(20)
  .optional()
  .describe("Approvals a change to this manifest needs (default 1).");

/**
 * `governance.branches`, in a manifest and in an organisation policy: the branches whose landed
 * commits get a merge verification besides the default branch (docs/manifest.md#governed-branches).
 */
export const GovernanceBranchesSchema = z
  .array(
    z
      .string()
      .min(1)
      .max(255)
      .regex(/^(?!refs\/)/, {
        message: "must be a branch name or glob without refs/heads/ (e.g. release/*)",
      }),
  )
  .max(50)
  .optional()
  .describe(
    "Branch names or globs (release/*) whose landed commits get a merge verification; the default branch always does.",
  );

/** `governance.request_reviews`, in a manifest and in an organisation policy (docs/manifest.md#review-requests). */
export const RequestReviewsSchema = z
  .enum(REQUEST_REVIEWS)
  .optional()
  .describe(
    "Whom aigate asks for a review while the human-oversight check waits: teams (default) requests the approver teams, users requests enough eligible people, chosen the same way for the whole pull request, off requests no one.",
  );

/** `defaults`, in a manifest and in an organisation policy. */
export const DefaultsSchema = z
  .strictObject({
    invalidate_on_push: z
      .enum(INVALIDATE_ON_PUSH)
      .optional()
      .describe(
        "When a push makes earlier approvals stale: governed (default) when it touches governed paths or the manifest, always, or never.",
      ),
    committers_can_approve: z
      .boolean()
      .optional()
      .describe("Whether authors and committers of the PR's commits may approve (default false)."),
    tiers: z
      .strictObject({
        minimal: TierPolicySchema.optional(),
        limited: TierPolicySchema.optional(),
        high: TierPolicySchema.optional(),
        prohibited: TierPolicySchema.optional(),
      })
      .optional(),
  })
  .optional()
  .describe("Defaults for every system.");

/** `extends: OWNER/REPO:PATH@REF`, checked by `parsePolicyReference` (its messages are specific). */
const PolicyReferenceSchema = z
  .string()
  .superRefine((text, ctx) => {
    const parsed = parsePolicyReference(text);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.message });
  })
  .meta({ pattern: POLICY_REFERENCE_PATTERN })
  .describe(
    "The organisation policy this manifest builds on, OWNER/REPO:PATH@REF (REF a full commit SHA, or a branch or tag, which is not pinned). Its defaults apply under this manifest's; this manifest may tighten them, never loosen them.",
  );

export const ManifestSchema = z.strictObject({
  version: z.literal(1).describe("Manifest format version; always 1."),
  extends: PolicyReferenceSchema.optional(),
  governance: z
    .strictObject({
      owners: GovernanceOwnersSchema,
      approvals: GovernanceApprovalsSchema,
      branches: GovernanceBranchesSchema,
      policy: repoPath.describe("Path of the AI policy document, relative to the repository root."),
      signers: z
        .array(SignerSchema)
        .min(1)
        .max(20)
        .optional()
        .describe(
          "Workflows whose keyless (Sigstore) approvals count, each compared exactly with the certificate (docs/attestation.md).",
        ),
      request_reviews: RequestReviewsSchema,
    })
    .describe("Governance of the manifest itself."),
  defaults: DefaultsSchema,
  systems: z.array(AiSystemSchema).describe("The AI systems of this repository."),
});

export type PathKind = z.infer<typeof PathKindSchema>;
export type Tier = z.infer<typeof TierSchema>;
export type Lifecycle = z.infer<typeof LifecycleSchema>;
export type Approvers = z.infer<typeof ApproversSchema>;
export type TierPolicy = z.infer<typeof TierPolicySchema>;
export type AiSystem = z.infer<typeof AiSystemSchema>;
export type ManifestDocument = z.infer<typeof ManifestSchema>;
export type InvalidateOnPush = (typeof INVALIDATE_ON_PUSH)[number];
export type RequestReviews = (typeof REQUEST_REVIEWS)[number];

/** Built-in tier defaults (docs/manifest.md); a manifest's `defaults.tiers` override them field by field. */
export const BUILTIN_TIERS: Record<
  Tier,
  Required<Omit<TierPolicy, "update_on" | "evidence">> & {
    update_on: PathKind[];
    evidence: string[];
  }
> = {
  minimal: { approvals: 0, assessment: "optional", update_on: [], evidence: [], blocked: false },
  limited: { approvals: 1, assessment: "required", update_on: [], evidence: [], blocked: false },
  high: {
    approvals: 2,
    assessment: "required",
    update_on: ["model", "data"],
    evidence: ["model_card", "data_sheet"],
    blocked: false,
  },
  prohibited: { approvals: 0, assessment: "optional", update_on: [], evidence: [], blocked: true },
};

/** A system after tier defaults were merged under its own fields. */
export interface ResolvedSystem {
  id: string;
  name: string;
  purpose: string;
  owner: string;
  lifecycle: Lifecycle;
  tier: Tier;
  euAiAct?: AiSystem["eu_ai_act"];
  affectedParties: string[];
  paths: Partial<Record<PathKind, string[]>>;
  /** Path of the risk assessment, when the manifest names one. */
  assessment?: string;
  assessmentRequired: boolean;
  /** Evidence kinds the tier requires, each with its declared path. */
  evidence: Record<string, string>;
  requiredEvidence: string[];
  updateOn: PathKind[];
  approvers: { teams: string[]; users: string[] };
  approvals: number;
  blocked: boolean;
  /** True for the `aigate:manifest` pseudo-system. */
  pseudo?: boolean;
}

/** Where the organisation policy a manifest extends was read: recorded beside the manifest. */
export interface OrgPolicyOrigin {
  /** OWNER/REPO of the policy. */
  repository: string;
  path: string;
  /** REF as the manifest's `extends` writes it. */
  ref: string;
  /** The commit the policy was read at, when known (REF itself when it is a commit SHA). */
  commit?: string;
  /** SHA-256 of the policy file. */
  sha256: string;
}

/** A validated manifest with defaults merged: what the engine works with. */
export interface Manifest {
  version: 1;
  governance: {
    owners: { teams: string[]; users: string[] };
    approvals: number;
    policy: string;
    /** Branch globs besides the default branch whose landed commits are verified. */
    branches: string[];
    /** Workflows whose keyless approvals count; absent when the manifest allows none. */
    signers?: SignerIdentity[];
  };
  invalidateOnPush: InvalidateOnPush;
  committersCanApprove: boolean;
  /** Whom aigate asks for reviews while the oversight gate waits (docs/manifest.md#review-requests). */
  requestReviews: RequestReviews;
  systems: ResolvedSystem[];
  /** The organisation policy merged under this manifest (`extends`), when it extends one. */
  orgPolicy?: OrgPolicyOrigin;
}

/** The pseudo-system that gates changes to the manifest itself (docs/manifest.md). */
export const MANIFEST_SYSTEM_ID = "aigate:manifest";
