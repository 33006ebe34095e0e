import type { LocatedError } from "../errors.js";
import {
  type InvalidateOnPush,
  type ManifestDocument,
  TIERS,
  type TierPolicy,
} from "../manifest/schema.js";
import {
  errorAt,
  formatField,
  limitErrors,
  locate,
  type PathSegment,
  type YamlSource,
} from "../yaml/index.js";
import type { ParsedOrgPolicy } from "./parse.js";
import type { OrgPolicyDocument } from "./schema.js";

/**
 * How an organisation policy applies under a manifest (docs/policy.md#organisation-policies):
 * field by field, built-in tier defaults, then the policy, then the manifest. The manifest may
 * tighten what the policy sets, never loosen it. A policy constrains only the values it writes.
 */

/** How strongly a push invalidates earlier approvals: always > governed > never. */
const INVALIDATION_STRENGTH: Record<InvalidateOnPush, number> = {
  never: 0,
  governed: 1,
  always: 2,
};

/** One place where a manifest sets a value looser than the policy's. */
export interface Loosening {
  /** The manifest field that loosens the policy. */
  at: PathSegment[];
  /** The policy field it loosens, and the value the policy sets there. */
  policyAt: PathSegment[];
  policyValue: unknown;
  /** What the manifest does, e.g. `1 approval is fewer than the organisation policy requires`. */
  problem: string;
  /** What a person can do about it. */
  fix: string;
}

/** Every value in `manifest` that is looser than the value `policy` sets for the same field. */
export function looseningsOf(policy: OrgPolicyDocument, manifest: ManifestDocument): Loosening[] {
  const found: Loosening[] = [];
  const orgDefaults = policy.defaults;
  const ownDefaults = manifest.defaults;

  const orgInvalidate = orgDefaults?.invalidate_on_push;
  const ownInvalidate = ownDefaults?.invalidate_on_push;
  if (
    orgInvalidate !== undefined &&
    ownInvalidate !== undefined &&
    INVALIDATION_STRENGTH[ownInvalidate] < INVALIDATION_STRENGTH[orgInvalidate]
  ) {
    found.push({
      at: ["defaults", "invalidate_on_push"],
      policyAt: ["defaults", "invalidate_on_push"],
      policyValue: orgInvalidate,
      problem: `${ownInvalidate} keeps approvals across pushes that the organisation policy invalidates`,
      fix: `use ${orgInvalidate}${orgInvalidate === "governed" ? " or always" : ""}, or remove the line`,
    });
  }

  if (orgDefaults?.committers_can_approve === false && ownDefaults?.committers_can_approve) {
    found.push({
      at: ["defaults", "committers_can_approve"],
      policyAt: ["defaults", "committers_can_approve"],
      policyValue: false,
      problem: "true lets committers approve, which the organisation policy forbids",
      fix: "remove the line or set it to false",
    });
  }

  const orgRequests = policy.governance?.request_reviews;
  if (
    orgRequests !== undefined &&
    orgRequests !== "off" &&
    manifest.governance.request_reviews === "off"
  ) {
    found.push({
      at: ["governance", "request_reviews"],
      policyAt: ["governance", "request_reviews"],
      policyValue: orgRequests,
      problem: "off stops the review requests the organisation policy requires",
      fix: "use teams or users, or remove the line",
    });
  }

  const orgOwnerApprovals = policy.governance?.approvals;
  const ownOwnerApprovals = manifest.governance.approvals;
  if (
    orgOwnerApprovals !== undefined &&
    ownOwnerApprovals !== undefined &&
    ownOwnerApprovals < orgOwnerApprovals
  ) {
    found.push({
      at: ["governance", "approvals"],
      policyAt: ["governance", "approvals"],
      policyValue: orgOwnerApprovals,
      problem: `${ownOwnerApprovals} is fewer than the organisation policy requires`,
      fix: "a repository may raise it, never lower it",
    });
  }

  for (const tier of TIERS) {
    const org = orgDefaults?.tiers?.[tier];
    const own = ownDefaults?.tiers?.[tier];
    if (org === undefined || own === undefined) continue;
    found.push(...tierLoosenings(tier, org, own));
  }

  manifest.systems.forEach((system, index) => {
    const floor = orgDefaults?.tiers?.[system.tier]?.approvals;
    if (floor === undefined || system.approvals === undefined || system.approvals >= floor) return;
    found.push({
      at: ["systems", index, "approvals"],
      policyAt: ["defaults", "tiers", system.tier, "approvals"],
      policyValue: floor,
      problem: `${system.approvals} for ${system.id} is fewer than the organisation policy requires of tier ${system.tier}`,
      fix: "a repository may raise it, never lower it",
    });
  });
  return found;
}

function tierLoosenings(tier: string, org: TierPolicy, own: TierPolicy): Loosening[] {
  const found: Loosening[] = [];
  const field = (name: keyof TierPolicy): PathSegment[] => ["defaults", "tiers", tier, name];
  if (org.approvals !== undefined && own.approvals !== undefined && own.approvals < org.approvals) {
    found.push({
      at: field("approvals"),
      policyAt: field("approvals"),
      policyValue: org.approvals,
      problem: `${own.approvals} is fewer than the organisation policy requires`,
      fix: "a repository may raise it, never lower it",
    });
  }
  if (org.assessment === "required" && own.assessment === "optional") {
    found.push({
      at: field("assessment"),
      policyAt: field("assessment"),
      policyValue: "required",
      problem: "optional drops the risk assessment the organisation policy requires",
      fix: "remove the line or write required",
    });
  }
  for (const name of ["update_on", "evidence"] as const) {
    const required = org[name];
    const declared = own[name];
    if (required === undefined || declared === undefined) continue;
    const dropped = required.filter((kind) => !(declared as readonly string[]).includes(kind));
    if (dropped.length === 0) continue;
    found.push({
      at: field(name),
      policyAt: field(name),
      policyValue: required,
      problem: `drops ${dropped.map((k) => JSON.stringify(k)).join(", ")}, which the organisation policy requires`,
      fix: "keep every kind the policy lists; you may add more",
    });
  }
  if (org.blocked === true && own.blocked === false) {
    found.push({
      at: field("blocked"),
      policyAt: field("blocked"),
      policyValue: true,
      problem: `false unblocks tier ${tier}, which the organisation policy blocks`,
      fix: "remove the line",
    });
  }
  return found;
}

/**
 * The manifest with the policy applied under it, field by field: what the manifest sets wins,
 * what it leaves out comes from the policy. The policy's owners join the manifest's owners.
 * Only meaningful when `looseningsOf` found nothing.
 */
export function mergeDocuments(
  policy: OrgPolicyDocument,
  manifest: ManifestDocument,
): ManifestDocument {
  const org = policy.defaults;
  const own = manifest.defaults;
  const tiers: NonNullable<NonNullable<ManifestDocument["defaults"]>["tiers"]> = {};
  for (const tier of TIERS) {
    const merged = mergeTier(org?.tiers?.[tier], own?.tiers?.[tier]);
    if (merged !== undefined) tiers[tier] = merged;
  }
  const defaults: NonNullable<ManifestDocument["defaults"]> = { tiers };
  const invalidate = own?.invalidate_on_push ?? org?.invalidate_on_push;
  if (invalidate !== undefined) defaults.invalidate_on_push = invalidate;
  const committers = own?.committers_can_approve ?? org?.committers_can_approve;
  if (committers !== undefined) defaults.committers_can_approve = committers;

  const governance = { ...manifest.governance };
  const approvals = manifest.governance.approvals ?? policy.governance?.approvals;
  if (approvals !== undefined) governance.approvals = approvals;
  const branches = policy.governance?.branches;
  if (branches !== undefined) {
    governance.branches = [...(manifest.governance.branches ?? []), ...branches];
  }
  const requests = manifest.governance.request_reviews ?? policy.governance?.request_reviews;
  if (requests !== undefined) governance.request_reviews = requests;
  const owners = policy.governance?.owners;
  if (owners !== undefined) {
    governance.owners = {
      teams: [...manifest.governance.owners.teams, ...owners.teams],
      users: [...manifest.governance.owners.users, ...owners.users],
    };
  }
  return { ...manifest, governance, defaults };
}

function mergeTier(
  org: TierPolicy | undefined,
  own: TierPolicy | undefined,
): TierPolicy | undefined {
  if (org === undefined) return own;
  if (own === undefined) return org;
  const merged: TierPolicy = {};
  for (const key of ["approvals", "assessment", "update_on", "evidence", "blocked"] as const) {
    const value = own[key] ?? org[key];
    if (value !== undefined) Object.assign(merged, { [key]: value });
  }
  return merged;
}

/**
 * Applies a parsed policy under a manifest: the merged document, or one located error per
 * loosening, at the manifest's line, naming the policy file, its line and the value it sets.
 */
export function applyOrgPolicy(
  manifest: ManifestDocument,
  manifestSource: YamlSource,
  policy: ParsedOrgPolicy,
): { ok: true; document: ManifestDocument } | { ok: false; errors: LocatedError[] } {
  const loosenings = looseningsOf(policy.document, manifest);
  if (loosenings.length === 0) {
    return { ok: true, document: mergeDocuments(policy.document, manifest) };
  }
  return {
    ok: false,
    errors: limitErrors(
      loosenings.map((l) => {
        const { line } = locate(policy.source, l.policyAt);
        const where = `${policy.source.file} line ${line} sets ${formatField(l.policyAt)}: ${yamlValue(l.policyValue)}`;
        return errorAt(manifestSource, l.at, `${l.problem} (${where}); ${l.fix}`);
      }),
    ),
  };
}

/** A value as it reads in YAML: `3`, `required`, `[model, data]`. */
function yamlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(String).join(", ")}]`;
  return String(value);
}
