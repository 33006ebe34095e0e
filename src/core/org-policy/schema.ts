import * as z from "zod";
import {
  DefaultsSchema,
  GovernanceApprovalsSchema,
  GovernanceBranchesSchema,
  GovernanceOwnersSchema,
  RequestReviewsSchema,
} from "../manifest/schema.js";

/**
 * The organisation policy: one file, usually in the organisation's `.github` repository, that
 * repositories name with `extends:` in their manifest (docs/policy.md#organisation-policies).
 * It has the manifest's `version`, `governance` and `defaults`, and nothing a repository owns.
 * This zod schema is the single source of truth for its types and
 * `schemas/ai-governance-policy.schema.json`.
 */

export const OrgPolicySchema = z.strictObject({
  version: z.literal(1).describe("Policy format version; always 1."),
  governance: z
    .strictObject({
      owners: GovernanceOwnersSchema.describe(
        "Who may approve changes to the manifest of every repository that extends this policy, alongside the repository's own owners.",
      ),
      approvals: GovernanceApprovalsSchema.describe(
        "The fewest approvals a change to an extending repository's manifest may need.",
      ),
      branches: GovernanceBranchesSchema.describe(
        "Branches (globs) whose landed commits are verified in every extending repository, besides each default branch; a repository may add branches, never remove these.",
      ),
      request_reviews: RequestReviewsSchema.describe(
        "Whom aigate asks for reviews in every extending repository: teams or users require requests (a repository may choose either, never off); off makes no requests unless a repository sets teams or users.",
      ),
      policy: z
        .never({
          error:
            "the AI policy document is named by each repository's manifest (governance.policy), not by the organisation policy",
        })
        .optional()
        .describe("Not allowed: each repository's manifest names its AI policy document."),
    })
    .optional()
    .describe("Governance of the manifests that extend this policy."),
  defaults: DefaultsSchema.describe(
    "Defaults for every system of every extending repository; a repository may tighten them, never loosen them.",
  ),
  systems: z
    .never({
      error:
        "an organisation policy declares no systems: each repository lists its own AI systems in its manifest",
    })
    .optional()
    .describe("Not allowed: each repository lists its own AI systems in its manifest."),
  extends: z
    .never({
      error:
        "an organisation policy cannot extend another policy: there is one level, a repository's manifest extends a policy",
    })
    .optional()
    .describe("Not allowed: a policy cannot extend another policy (one level only)."),
});

export type OrgPolicyDocument = z.infer<typeof OrgPolicySchema>;
