import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseManifest } from "../../../src/core/manifest/parse.js";
import {
  INVALIDATE_ON_PUSH,
  type InvalidateOnPush,
  type Manifest,
  TIERS,
  type TierPolicy,
} from "../../../src/core/manifest/schema.js";
import type { OrgPolicyDocument } from "../../../src/core/org-policy/schema.js";

const POLICY_FILE = "acme/.github:ai-governance/policy.yml";
const STRENGTH: Record<InvalidateOnPush, number> = { never: 0, governed: 1, always: 2 };
const EVIDENCE = ["model_card", "data_sheet", "transparency_notice"] as const;

const tierPolicy: fc.Arbitrary<TierPolicy> = fc.record(
  {
    approvals: fc.integer({ min: 0, max: 4 }),
    assessment: fc.constantFrom("required" as const, "optional" as const),
    update_on: fc.subarray(["model", "data", "prompts", "evaluation"] as const),
    evidence: fc.subarray([...EVIDENCE]),
    blocked: fc.boolean(),
  },
  { requiredKeys: [] },
);

const defaults = fc.record(
  {
    invalidate_on_push: fc.constantFrom(...INVALIDATE_ON_PUSH),
    committers_can_approve: fc.boolean(),
    tiers: fc.record(
      { minimal: tierPolicy, limited: tierPolicy, high: tierPolicy, prohibited: tierPolicy },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const owners = fc.record({
  teams: fc.subarray(["acme/compliance", "acme/risk"]),
  users: fc.subarray(["alice", "bob"]),
});

const policy: fc.Arbitrary<OrgPolicyDocument> = fc.record(
  {
    version: fc.constant(1 as const),
    governance: fc.record(
      { owners, approvals: fc.integer({ min: 1, max: 3 }) },
      { requiredKeys: ["owners"] },
    ),
    defaults,
  },
  { requiredKeys: ["version"] },
);

/** A manifest with one system per tier, each declaring every document, so only the policy can make it invalid. */
const manifest = fc
  .record({
    approvals: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    defaults: fc.option(defaults, { nil: undefined }),
    systemApprovals: fc.array(fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), {
      minLength: TIERS.length,
      maxLength: TIERS.length,
    }),
  })
  .map(({ approvals, defaults, systemApprovals }) => ({
    version: 1,
    extends: `acme/.github:ai-governance/policy.yml@${"a".repeat(40)}`,
    governance: {
      owners: { teams: ["acme/repo-governance"] },
      ...(approvals !== undefined ? { approvals } : {}),
      policy: "docs/ai-policy.md",
    },
    ...(defaults !== undefined ? { defaults } : {}),
    systems: TIERS.map((tier, index) => ({
      id: `system-${tier}`,
      name: tier,
      purpose: "p",
      owner: "acme",
      lifecycle: "production",
      tier,
      paths: { model: [`${tier}/**`] },
      assessment: `${tier}.yml`,
      evidence: Object.fromEntries(EVIDENCE.map((kind) => [kind, `${tier}-${kind}.md`])),
      approvers: { teams: ["acme/reviewers"] },
      ...(systemApprovals[index] !== undefined ? { approvals: systemApprovals[index] } : {}),
    })),
  }));

function parse(policyDocument: OrgPolicyDocument, manifestDocument: unknown) {
  return parseManifest(stringify(manifestDocument), ".github/ai-governance.yml", {
    orgPolicy: { file: POLICY_FILE, text: stringify(policyDocument), sha256: "0".repeat(64) },
  });
}

/** Every way `merged` could be looser than what `org` writes; empty when it is at least as strict. */
function looserThan(org: OrgPolicyDocument, merged: Manifest): string[] {
  const found: string[] = [];
  const orgDefaults = org.defaults;
  if (
    orgDefaults?.invalidate_on_push !== undefined &&
    STRENGTH[merged.invalidateOnPush] < STRENGTH[orgDefaults.invalidate_on_push]
  ) {
    found.push("invalidate_on_push");
  }
  if (orgDefaults?.committers_can_approve === false && merged.committersCanApprove) {
    found.push("committers_can_approve");
  }
  const orgApprovals = org.governance?.approvals;
  if (orgApprovals !== undefined && merged.governance.approvals < orgApprovals) {
    found.push("governance.approvals");
  }
  for (const team of org.governance?.owners.teams ?? []) {
    if (!merged.governance.owners.teams.includes(team)) found.push(`owner ${team}`);
  }
  for (const user of org.governance?.owners.users ?? []) {
    if (!merged.governance.owners.users.includes(user)) found.push(`owner ${user}`);
  }
  for (const system of merged.systems) {
    const floor = orgDefaults?.tiers?.[system.tier];
    if (floor === undefined) continue;
    if (floor.approvals !== undefined && system.approvals < floor.approvals) {
      found.push(`${system.id}.approvals`);
    }
    if (floor.assessment === "required" && !system.assessmentRequired) {
      found.push(`${system.id}.assessment`);
    }
    for (const kind of floor.update_on ?? []) {
      if (!system.updateOn.includes(kind)) found.push(`${system.id}.update_on`);
    }
    for (const kind of floor.evidence ?? []) {
      if (!system.requiredEvidence.includes(kind)) found.push(`${system.id}.evidence`);
    }
    if (floor.blocked === true && !system.blocked) found.push(`${system.id}.blocked`);
  }
  return found;
}

describe("merging an organisation policy under a manifest (property)", () => {
  it("never yields a policy looser than the organisation's; a looser manifest is refused, naming the policy", () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(policy, manifest, (org, own) => {
        const result = parse(org, own);
        if (result.ok) {
          accepted++;
          expect(looserThan(org, result.manifest)).toEqual([]);
        } else {
          refused++;
          for (const error of result.errors) {
            expect(error.message).toMatch(
              /acme\/\.github:ai-governance\/policy\.yml line \d+ sets /,
            );
          }
        }
      }),
      { numRuns: 400 },
    );
    // Both outcomes must occur, or the property says nothing.
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  });

  it("accepts a manifest that sets nothing, and gives it exactly the organisation's values", () => {
    fc.assert(
      fc.property(policy, (org) => {
        const result = parse(org, {
          version: 1,
          extends: `acme/.github:ai-governance/policy.yml@${"a".repeat(40)}`,
          governance: { owners: { teams: ["acme/repo-governance"] }, policy: "docs/ai-policy.md" },
          systems: [],
        });
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.manifest.invalidateOnPush).toBe(
          org.defaults?.invalidate_on_push ?? "governed",
        );
        expect(result.manifest.committersCanApprove).toBe(
          org.defaults?.committers_can_approve ?? false,
        );
        expect(result.manifest.governance.approvals).toBe(org.governance?.approvals ?? 1);
      }),
      { numRuns: 200 },
    );
  });

  it("accepts a manifest whose defaults are the policy's own", () => {
    fc.assert(
      fc.property(policy, manifest, (org, own) => {
        const copy = { ...own, defaults: org.defaults, governance: { ...own.governance } };
        delete (copy.governance as { approvals?: number }).approvals;
        const withoutSystemApprovals = {
          ...copy,
          systems: copy.systems.map(({ approvals: _ignored, ...system }) => system),
        };
        const result = parse(org, withoutSystemApprovals);
        expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});
