import type { LocatedError } from "../types.js";
import {
  errorAt,
  limitErrors,
  type PathSegment,
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
  type PathKind,
  type ResolvedSystem,
  type Tier,
  type TierPolicy,
} from "./schema.js";

export type ManifestParseResult =
  | { ok: true; manifest: Manifest; document: ManifestDocument }
  | { ok: false; errors: LocatedError[] };

/** The resolved policy of one tier: built-in defaults, then the manifest's `defaults.tiers`. */
export type ResolvedTierPolicy = (typeof BUILTIN_TIERS)[Tier];

/**
 * Parses and validates a governance manifest (DESIGN §2): YAML, then the zod schema,
 * then the rules that span fields. Returns the manifest with tier defaults merged, or
 * every problem found as a located error. Never throws.
 */
export function parseManifest(text: string, file: string = MANIFEST_PATH): ManifestParseResult {
  const validated = validateYaml(text, file, ManifestSchema);
  if (!validated.ok) return { ok: false, errors: validated.errors };
  const document = validated.value;
  const source = validated.source;
  try {
    const manifest = resolveManifest(document);
    const errors = checkManifest(manifest, source);
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, manifest, document };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      errors: [{ file, line: 1, column: 1, field: "", message: `could not resolve: ${message}` }],
    };
  }
}

/** Merges tier defaults: built-in ← `defaults.tiers[tier]`, field by field. */
export function resolveTierPolicy(document: ManifestDocument, tier: Tier): ResolvedTierPolicy {
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
export function resolveSystem(document: ManifestDocument, system: AiSystem): ResolvedSystem {
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
  return {
    version: 1,
    governance: {
      owners: {
        teams: unique(document.governance.owners.teams),
        users: uniqueLogins(document.governance.owners.users),
      },
      approvals: document.governance.approvals ?? 1,
      policy: document.governance.policy,
    },
    invalidateOnPush: document.defaults?.invalidate_on_push ?? "governed",
    committersCanApprove: document.defaults?.committers_can_approve ?? false,
    systems: document.systems.map((system) => resolveSystem(document, system)),
  };
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
