import type { LocatedError } from "../errors.js";
import { applyOrgPolicy } from "../org-policy/merge.js";
import { type OrgPolicyInput, parseOrgPolicy } from "../org-policy/parse.js";
import {
  formatPolicyReference,
  type PolicyReference,
  parsePolicyReference,
} from "../org-policy/reference.js";
import { placeholderErrors, withPlaceholders } from "../placeholder.js";
import {
  errorAt,
  limitErrors,
  type PathSegment,
  parseYaml,
  validateYaml,
  type YamlSource,
} from "../yaml/index.js";
import {
  type AiSystem,
  BUILTIN_TIERS,
  MANIFEST_PATH,
  type Manifest,
  type ManifestDocument,
  ManifestSchema,
  type OrgPolicyOrigin,
  type PathKind,
  type ResolvedSystem,
  type Tier,
  type TierPolicy,
} from "./schema.js";

/**
 * `document` is the manifest as written; `manifest` has the organisation policy and the tier
 * defaults merged. Warnings (an unpinned policy) never make a manifest invalid.
 */
export type ManifestParseResult =
  | { ok: true; manifest: Manifest; document: ManifestDocument; warnings: LocatedError[] }
  | { ok: false; errors: LocatedError[]; warnings: LocatedError[] };

export interface ManifestParseOptions {
  /**
   * The organisation policy the manifest's `extends` names, as the caller read it. A manifest
   * that extends a policy is invalid without it: the gate never runs on half its rules.
   */
  orgPolicy?: OrgPolicyInput;
  /** Why the caller could not read that policy (naming it and the call), when it tried. */
  policyProblem?: string;
}

/** The resolved policy of one tier: built-in defaults, then the manifest's `defaults.tiers`. */
export type ResolvedTierPolicy = (typeof BUILTIN_TIERS)[Tier];

/**
 * Parses and validates a governance manifest (docs/manifest.md): YAML, then the zod schema, then the
 * organisation policy it extends, then the rules that span fields. Returns the manifest with the
 * policy and tier defaults merged, or every problem found as a located error. Never throws.
 */
export function parseManifest(
  text: string,
  file: string = MANIFEST_PATH,
  options: ManifestParseOptions = {},
): ManifestParseResult {
  const placeholders = placeholderErrors(text, file);
  const validated = validateYaml(text, file, ManifestSchema);
  if (!validated.ok) {
    return { ok: false, errors: withPlaceholders(placeholders, validated.errors), warnings: [] };
  }
  const document = validated.value;
  const source = validated.source;
  const warnings: LocatedError[] = [];
  try {
    let effective = document;
    let orgPolicy: OrgPolicyOrigin | undefined;
    if (document.extends !== undefined) {
      const extended = extendPolicy(document, source, options, warnings);
      if (!extended.ok) return { ok: false, errors: extended.errors, warnings };
      effective = extended.document;
      orgPolicy = extended.origin;
    }
    const manifest = resolveManifest(effective);
    if (orgPolicy) manifest.orgPolicy = orgPolicy;
    const errors = withPlaceholders(placeholders, checkManifest(manifest, source));
    if (errors.length > 0) return { ok: false, errors, warnings };
    return { ok: true, manifest, document, warnings };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      errors: [{ file, line: 1, column: 1, field: "", message: `could not resolve: ${message}` }],
      warnings,
    };
  }
}

/**
 * The organisation policy a manifest names with `extends`, so that a caller knows what to read
 * before `parseManifest`. Undefined when it names none, or when the manifest is too broken to
 * tell (`parseManifest` then says why).
 */
export function extendedPolicy(
  text: string,
  file: string = MANIFEST_PATH,
): PolicyReference | undefined {
  const parsed = parseYaml(text, file);
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== "object") return undefined;
  const value = (parsed.value as { extends?: unknown }).extends;
  if (typeof value !== "string") return undefined;
  const reference = parsePolicyReference(value);
  return reference.ok ? reference.reference : undefined;
}

/**
 * The manifest with the organisation policy it extends merged under it, or why not: the policy
 * was not read, is invalid, or is loosened by the manifest. An unpinned REF is a warning.
 */
function extendPolicy(
  document: ManifestDocument,
  source: YamlSource,
  options: ManifestParseOptions,
  warnings: LocatedError[],
):
  | { ok: true; document: ManifestDocument; origin: OrgPolicyOrigin }
  | { ok: false; errors: LocatedError[] } {
  const atExtends = (message: string) => errorAt(source, ["extends"], message);
  const parsed = parsePolicyReference(document.extends ?? "");
  if (!parsed.ok) return { ok: false, errors: [atExtends(parsed.message)] };
  const reference = parsed.reference;
  const named = formatPolicyReference(reference);
  if (!reference.pinned) {
    warnings.push(
      atExtends(
        `the organisation policy is not pinned: ${JSON.stringify(reference.ref)} is a branch or tag, so the policy can change without a change here; pin it to a full commit SHA`,
      ),
    );
  }
  const input = options.orgPolicy;
  if (input === undefined) {
    const why =
      options.policyProblem ??
      `the organisation policy ${named} was not read, so this manifest cannot be resolved`;
    return { ok: false, errors: [atExtends(why)] };
  }
  const policy = parseOrgPolicy(input.text, input.file, reference);
  if (!policy.ok) {
    const count = policy.errors.filter((e) => e.line > 0).length || policy.errors.length;
    return {
      ok: false,
      errors: [
        atExtends(
          `the organisation policy ${named} is invalid (${count} error${count === 1 ? "" : "s"} in ${input.file}): it must be fixed in its repository, or extends pointed at a valid one`,
        ),
        ...policy.errors,
      ],
    };
  }
  const applied = applyOrgPolicy(document, source, policy.policy);
  if (!applied.ok) return applied;
  const origin: OrgPolicyOrigin = {
    repository: `${reference.owner}/${reference.repo}`,
    path: reference.path,
    ref: reference.ref,
    sha256: input.sha256,
  };
  const commit = input.commit ?? (reference.pinned ? reference.ref : undefined);
  if (commit !== undefined) origin.commit = commit;
  return { ok: true, document: applied.document, origin };
}

/** Merges tier defaults: built-in ← `defaults.tiers[tier]`, field by field. */
function resolveTierPolicy(document: ManifestDocument, tier: Tier): ResolvedTierPolicy {
  const builtin = BUILTIN_TIERS[tier];
  const override: TierPolicy = document.defaults?.tiers?.[tier] ?? {};
  return {
    approvals: override.approvals ?? builtin.approvals,
    assessment: override.assessment ?? builtin.assessment,
    update_on: [...(override.update_on ?? builtin.update_on)],
    evidence: [...(override.evidence ?? builtin.evidence)],
    blocked: override.blocked ?? builtin.blocked,
  };
}

/** A system with its tier's policy merged under its own fields. */
function resolveSystem(document: ManifestDocument, system: AiSystem): ResolvedSystem {
  const policy = resolveTierPolicy(document, system.tier);
  const paths: Partial<Record<PathKind, string[]>> = {};
  for (const [kind, globs] of Object.entries(system.paths) as [PathKind, string[] | undefined][]) {
    if (globs !== undefined) paths[kind] = [...globs];
  }
  const resolved: ResolvedSystem = {
    id: system.id,
    name: system.name,
    purpose: system.purpose,
    owner: system.owner,
    lifecycle: system.lifecycle,
    tier: system.tier,
    affectedParties: [...(system.affected_parties ?? [])],
    paths,
    assessmentRequired: policy.assessment === "required",
    evidence: { ...(system.evidence ?? {}) },
    requiredEvidence: unique(policy.evidence),
    updateOn: unique(policy.update_on),
    approvers: {
      teams: unique(system.approvers?.teams ?? []),
      users: uniqueLogins(system.approvers?.users ?? []),
    },
    approvals: system.approvals ?? policy.approvals,
    blocked: policy.blocked,
  };
  if (system.eu_ai_act !== undefined) resolved.euAiAct = { ...system.eu_ai_act };
  if (system.assessment !== undefined) resolved.assessment = system.assessment;
  return resolved;
}

function resolveManifest(document: ManifestDocument): Manifest {
  const manifest: Manifest = {
    version: 1,
    governance: {
      owners: {
        teams: unique(document.governance.owners.teams),
        users: uniqueLogins(document.governance.owners.users),
      },
      approvals: document.governance.approvals ?? 1,
      policy: document.governance.policy,
      branches: unique(document.governance.branches ?? []),
    },
    invalidateOnPush: document.defaults?.invalidate_on_push ?? "governed",
    committersCanApprove: document.defaults?.committers_can_approve ?? false,
    requestReviews: document.governance.request_reviews ?? "teams",
    systems: document.systems.map((system) => resolveSystem(document, system)),
  };
  const signers = document.governance.signers;
  if (signers) {
    // The same identity twice is one identity.
    const byIdentity = new Map(signers.map((s) => [`${s.workflow}@${s.ref}`, s]));
    manifest.governance.signers = [...byIdentity.values()];
  }
  return manifest;
}

/** The rules that span fields; each broken rule is located at the field to edit. */
function checkManifest(manifest: Manifest, source: YamlSource): LocatedError[] {
  const errors: LocatedError[] = [];
  const at = (path: PathSegment[], message: string, target?: "key" | "value") =>
    errors.push(errorAt(source, path, message, target));

  const { owners, approvals: ownerApprovals } = manifest.governance;
  if (owners.teams.length === 0 && owners.users.length === 0) {
    at(
      ["governance", "owners"],
      "list at least one team or user: governance owners approve changes to the manifest itself",
    );
  } else if (owners.teams.length === 0 && owners.users.length < ownerApprovals) {
    at(
      ["governance", "owners", "users"],
      `${countOf(owners.users.length, "user")} listed, but governance.approvals requires ${ownerApprovals}: add users or a team, or lower governance.approvals`,
    );
  }

  const firstIndex = new Map<string, number>();
  manifest.systems.forEach((system, index) => {
    const base: PathSegment[] = ["systems", index];
    const seen = firstIndex.get(system.id);
    if (seen !== undefined) {
      const first = errorAt(source, ["systems", seen, "id"], "");
      at(
        [...base, "id"],
        `duplicate system id "${system.id}" (first used by systems[${seen}] on line ${first.line}): ids must be unique`,
      );
    } else {
      firstIndex.set(system.id, index);
    }

    // A blocked system fails every pull request that touches it: it needs no paperwork.
    if (system.blocked) return;

    if (system.assessmentRequired && system.assessment === undefined) {
      at(
        [...base, "assessment"],
        `tier "${system.tier}" requires a risk assessment: add assessment: with the path of its YAML file`,
      );
    }

    for (const kind of system.requiredEvidence) {
      if (system.evidence[kind] === undefined) {
        at(
          [...base, "evidence", kind],
          `tier "${system.tier}" requires evidence "${kind}": add ${kind}: with the path of the document under evidence`,
        );
      }
    }

    const { teams, users } = system.approvers;
    if (system.approvals > 0 && teams.length === 0 && users.length === 0) {
      at(
        [...base, "approvers"],
        `${countOf(system.approvals, "approval")} required but no approvers listed, so no pull request could ever pass: add approvers with teams or users`,
      );
    } else if (system.approvals > 0 && teams.length === 0 && users.length < system.approvals) {
      at(
        [...base, "approvers", "users"],
        `${countOf(system.approvals, "approval")} required but only ${countOf(users.length, "user")} listed: add users or a team, or lower approvals`,
      );
    }
  });
  return limitErrors(errors);
}

function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function unique<T extends string>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** GitHub logins are case-insensitive: `Alice` and `alice` are one approver. */
function uniqueLogins(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const login of values) {
    const key = login.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(login);
    }
  }
  return out;
}
