import { describe, expect, it } from "vitest";
import { formatLocatedError } from "../../../src/core/errors.js";
import { parseManifest } from "../../../src/core/manifest/parse.js";
import {
  BUILTIN_TIERS,
  type ResolvedSystem,
  type Tier,
} from "../../../src/core/manifest/schema.js";

/** A manifest with one system of `tier`, `defaults` and extra system lines (indented 4). */
function manifestWith(tier: Tier, defaults: string[] = [], system: string[] = []): string {
  return [
    "version: 1",
    "governance:",
    "  owners: { teams: [acme/ai-governance] }",
    "  policy: docs/ai-policy.md",
    ...defaults,
    "systems:",
    "  - id: sys",
    "    name: System",
    "    purpose: Purpose",
    "    owner: acme",
    "    lifecycle: development",
    `    tier: ${tier}`,
    "    paths: { model: [models/**] }",
    "    approvers: { teams: [acme/reviewers] }",
    ...system,
    "",
  ].join("\n");
}

function resolved(text: string): ResolvedSystem {
  const result = parseManifest(text);
  if (!result.ok) throw new Error(result.errors.map(formatLocatedError).join("\n"));
  const system = result.manifest.systems[0];
  if (system === undefined) throw new Error("no system");
  return system;
}

const ASSESSED = ["    assessment: governance/sys.yml"];
const HIGH_EVIDENCE = ["    evidence: { model_card: docs/card.md, data_sheet: docs/data.md }"];

describe("tier defaults merge under system fields", () => {
  it("uses the built-in defaults of each tier when the manifest says nothing", () => {
    expect(resolved(manifestWith("minimal"))).toMatchObject({
      approvals: 0,
      assessmentRequired: false,
      updateOn: [],
      requiredEvidence: [],
      blocked: false,
    });
    expect(resolved(manifestWith("limited", [], ASSESSED))).toMatchObject({
      approvals: 1,
      assessmentRequired: true,
      updateOn: [],
      requiredEvidence: [],
      blocked: false,
    });
    expect(resolved(manifestWith("high", [], [...ASSESSED, ...HIGH_EVIDENCE]))).toMatchObject({
      approvals: 2,
      assessmentRequired: true,
      updateOn: ["model", "data"],
      requiredEvidence: ["model_card", "data_sheet"],
      blocked: false,
    });
    expect(resolved(manifestWith("prohibited"))).toMatchObject({
      approvals: 0,
      assessmentRequired: false,
      blocked: true,
    });
  });

  it("lets defaults.tiers override a built-in default field by field, keeping the others", () => {
    const system = resolved(
      manifestWith(
        "high",
        ["defaults:", "  tiers:", "    high: { approvals: 3 }"],
        [...ASSESSED, ...HIGH_EVIDENCE],
      ),
    );
    expect(system.approvals).toBe(3);
    expect(system.assessmentRequired).toBe(true);
    expect(system.updateOn).toEqual(BUILTIN_TIERS.high.update_on);
    expect(system.requiredEvidence).toEqual(BUILTIN_TIERS.high.evidence);
  });

  it("replaces a list default rather than adding to it", () => {
    const system = resolved(
      manifestWith(
        "high",
        ["defaults:", "  tiers:", "    high: { update_on: [prompts], evidence: [model_card] }"],
        [...ASSESSED, "    evidence: { model_card: docs/card.md }"],
      ),
    );
    expect(system.updateOn).toEqual(["prompts"]);
    expect(system.requiredEvidence).toEqual(["model_card"]);
  });

  it("lets a system's approvals override its tier, in either direction", () => {
    const defaults = ["defaults:", "  tiers:", "    limited: { approvals: 2 }"];
    expect(
      resolved(manifestWith("limited", defaults, [...ASSESSED, "    approvals: 4"])).approvals,
    ).toBe(4);
    expect(
      resolved(manifestWith("limited", defaults, [...ASSESSED, "    approvals: 0"])).approvals,
    ).toBe(0);
  });

  it("applies a tier's defaults only to systems of that tier", () => {
    const system = resolved(
      manifestWith("minimal", ["defaults:", "  tiers:", "    limited: { approvals: 5 }"]),
    );
    expect(system.approvals).toBe(0);
  });

  it("can make an assessment optional or required per tier", () => {
    expect(
      resolved(
        manifestWith("limited", ["defaults:", "  tiers:", "    limited: { assessment: optional }"]),
      ).assessmentRequired,
    ).toBe(false);
    expect(
      resolved(
        manifestWith(
          "minimal",
          ["defaults:", "  tiers:", "    minimal: { assessment: required }"],
          ASSESSED,
        ),
      ).assessmentRequired,
    ).toBe(true);
  });

  it("can block a tier, and unblock prohibited", () => {
    expect(
      resolved(
        manifestWith(
          "limited",
          ["defaults:", "  tiers:", "    limited: { blocked: true }"],
          ASSESSED,
        ),
      ).blocked,
    ).toBe(true);
    expect(
      resolved(
        manifestWith("prohibited", ["defaults:", "  tiers:", "    prohibited: { blocked: false }"]),
      ).blocked,
    ).toBe(false);
  });

  it("checks the merged policy: an assessment required by defaults.tiers must be named", () => {
    const result = parseManifest(
      manifestWith("minimal", ["defaults:", "  tiers:", "    minimal: { assessment: required }"]),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      expect.objectContaining({
        line: 9,
        column: 5,
        field: "systems[0].assessment",
        message: expect.stringContaining('tier "minimal" requires a risk assessment'),
      }),
    ]);
  });

  it("checks the merged approvals: a system raising its approvals needs enough listed users", () => {
    const text = manifestWith("minimal", [], ["    approvals: 2"]).replace(
      "    approvers: { teams: [acme/reviewers] }",
      "    approvers: { users: [alice] }",
    );
    const result = parseManifest(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toEqual(["systems[0].approvers.users"]);
  });

  it("never changes the built-in defaults while merging", () => {
    const before = JSON.stringify(BUILTIN_TIERS);
    const system = resolved(manifestWith("high", [], [...ASSESSED, ...HIGH_EVIDENCE]));
    system.updateOn.push("config");
    system.requiredEvidence.push("extra");
    expect(JSON.stringify(BUILTIN_TIERS)).toBe(before);
  });
});

describe("a blocked tier", () => {
  it("needs no assessment, evidence or approvers, since every pull request touching it fails", () => {
    const text = manifestWith("high", [
      "defaults:",
      "  tiers:",
      "    high: { blocked: true, approvals: 2 }",
    ]).replace("    approvers: { teams: [acme/reviewers] }\n", "");
    const result = parseManifest(text);
    if (!result.ok) throw new Error(result.errors.map(formatLocatedError).join("\n"));
    expect(result.manifest.systems[0]).toMatchObject({
      blocked: true,
      assessmentRequired: true,
      requiredEvidence: ["model_card", "data_sheet"],
      approvals: 2,
    });
  });
});
