import { z } from "zod";

/**
 * The governance manifest (`.github/ai-governance.yml`), DESIGN §2.
 * This zod schema is the single source of truth: the TypeScript types below and
 * `schemas/ai-governance.schema.json` are derived from it. Every object is strict,
 * because a typo in a key must never silently disable a gate.
 */

export const MANIFEST_PATH = ".github/ai-governance.yml";

export const PATH_KINDS = ["model", "data", "prompts", "evaluation", "config"] as const;
export const TIERS = ["minimal", "limited", "high", "prohibited"] as const;
export const LIFECYCLES = ["design", "development", "validation", "production", "retired"] as const;
export const INVALIDATE_ON_PUSH = ["governed", "always", "never"] as const;

export const PathKindSchema = z.enum(PATH_KINDS);
export const TierSchema = z.enum(TIERS);
export const LifecycleSchema = z.enum(LIFECYCLES);

const repoPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), {
    message: "must be a path relative to the repository root, without '..'",
  });

const glob = z
  .string()
  .min(1)
  .refine((g) => !g.startsWith("/"), {
    message: "globs are relative to the repository root and must not start with '/'",
  });

export const TeamSlugSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
    message: "a team is written org/team-slug, e.g. acme/model-risk",
  });

export const LoginSchema = z
  .string()
  .regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, {
    message: "a user is a GitHub login, e.g. alice",
  })
  .transform((login) => login.replace(/^@/, ""));

export const ApproversSchema = z.strictObject({
  teams: z.array(TeamSlugSchema).default([]),
  users: z.array(LoginSchema).default([]),
});

export const TierPolicySchema = z.strictObject({
  approvals: z.int().min(0).max(20).optional(),
  assessment: z.enum(["required", "optional"]).optional(),
  update_on: z.array(PathKindSchema).optional(),
  evidence: z.array(z.string().min(1)).optional(),
  blocked: z.boolean().optional(),
});

export const PathsSchema = z
  .strictObject({
    model: z.array(glob).optional(),
    data: z.array(glob).optional(),
    prompts: z.array(glob).optional(),
    evaluation: z.array(glob).optional(),
    config: z.array(glob).optional(),
  })
  .refine((p) => Object.values(p).some((globs) => globs && globs.length > 0), {
    message:
      "a system needs at least one glob under paths (model, data, prompts, evaluation or config)",
  });

export const AiSystemSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
    message: "a system id uses lowercase letters, digits and '-', e.g. credit-scoring",
  }),
  name: z.string().min(1),
  purpose: z.string().min(1),
  owner: z.string().min(1),
  lifecycle: LifecycleSchema,
  tier: TierSchema,
  eu_ai_act: z
    .strictObject({
      annex_iii: z.string().min(1).optional(),
      annex_i: z.string().min(1).optional(),
      article_50: z.string().min(1).optional(),
    })
    .optional(),
  affected_parties: z.array(z.string().min(1)).optional(),
  paths: PathsSchema,
  assessment: repoPath.optional(),
  evidence: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), repoPath).optional(),
  approvers: ApproversSchema.optional(),
  approvals: z.int().min(0).max(20).optional(),
});

export const ManifestSchema = z.strictObject({
  version: z.literal(1),
  governance: z.strictObject({
    owners: ApproversSchema,
    approvals: z.int().min(1).max(20).optional(),
    policy: repoPath,
  }),
  defaults: z
    .strictObject({
      invalidate_on_push: z.enum(INVALIDATE_ON_PUSH).optional(),
      committers_can_approve: z.boolean().optional(),
      tiers: z
        .strictObject({
          minimal: TierPolicySchema.optional(),
          limited: TierPolicySchema.optional(),
          high: TierPolicySchema.optional(),
          prohibited: TierPolicySchema.optional(),
        })
        .optional(),
    })
    .optional(),
  systems: z.array(AiSystemSchema),
});

export type PathKind = z.infer<typeof PathKindSchema>;
export type Tier = z.infer<typeof TierSchema>;
export type Lifecycle = z.infer<typeof LifecycleSchema>;
export type Approvers = z.infer<typeof ApproversSchema>;
export type TierPolicy = z.infer<typeof TierPolicySchema>;
export type AiSystem = z.infer<typeof AiSystemSchema>;
export type ManifestDocument = z.infer<typeof ManifestSchema>;
export type InvalidateOnPush = (typeof INVALIDATE_ON_PUSH)[number];

/** Built-in tier defaults (DESIGN §2); a manifest's `defaults.tiers` override them field by field. */
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

/** A validated manifest with defaults merged: what the engine works with. */
export interface Manifest {
  version: 1;
  governance: { owners: { teams: string[]; users: string[] }; approvals: number; policy: string };
  invalidateOnPush: InvalidateOnPush;
  committersCanApprove: boolean;
  systems: ResolvedSystem[];
}

/** The pseudo-system that gates changes to the manifest itself (DESIGN §2). */
export const MANIFEST_SYSTEM_ID = "aigate:manifest";
