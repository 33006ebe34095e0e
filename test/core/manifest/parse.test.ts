import { describe, expect, it } from "vitest";
import { formatLocatedError } from "../../../src/core/errors.js";
import { parseManifest } from "../../../src/core/manifest/parse.js";
import { MANIFEST_PATH } from "../../../src/core/manifest/schema.js";
import { PARSER_WORDING } from "../yaml/parser-wording.js";
import { readFixture } from "./fixtures.js";

function parseFixture(name: string) {
  const file = `test/fixtures/manifests/${name}`;
  return { file, result: parseManifest(readFixture(`manifests/${name}`), file) };
}

/** fixture → the one located error it must produce. */
const malformed: [string, number, number, string, string][] = [
  // YAML itself
  ["empty.yml", 1, 1, "", "the file is empty: expected a mapping"],
  ["comments-only.yml", 1, 1, "", "the file is empty"],
  ["top-level-list.yml", 1, 1, "", "must be a mapping (key: value), not a list"],
  ["top-level-scalar.yml", 1, 1, "", 'not "just some text"'],
  ["tab-indentation.yml", 14, 1, "", "tabs are not allowed for indentation"],
  ["duplicate-yaml-key.yml", 13, 5, "", 'duplicate key "tier"'],
  ["multiple-documents.yml", 18, 1, "", "more than one YAML document"],
  // A bracket or quote left open is reported on the line that opens it, in plain words.
  [
    "unclosed-flow-sequence.yml",
    14,
    14,
    "",
    "the `[` opened on line 14 is never closed: end the list with `]`",
  ],
  ["unclosed-flow-mapping.yml", 13, 12, "", "the `{` opened on line 13 is never closed"],
  ["unclosed-quote.yml", 9, 14, "", 'the `"` opened on line 9 is never closed'],
  [
    "flow-sequence-under-indented.yml",
    14,
    14,
    "",
    "the `[` opened on line 14 goes on to line 15, which must be indented further than line 14",
  ],
  ["value-with-colon.yml", 8, 11, "", "quote the value when its `:` belongs to it"],
  ["list-item-without-dash.yml", 19, 1, "", "a list item needs `- ` in front of it"],
  ["unresolved-alias.yml", 10, 12, "", "the alias `*credit-owner` refers to no anchor"],
  ["yaml-1-1-directive.yml", 1, 1, "", "only YAML 1.2 is supported"],
  ["alias-bomb.yml", 3, 12, "", "aliases expand to too many nodes"],
  // the schema
  ["version-2.yml", 1, 10, "version", "expected 1, got 2"],
  ["version-quoted.yml", 1, 10, "version", 'expected 1, got "1"'],
  ["missing-governance.yml", 1, 1, "governance", 'missing required key "governance"'],
  ["missing-system-name.yml", 7, 5, "systems[0].name", 'missing required key "name"'],
  ["systems-not-a-list.yml", 7, 3, "systems", "expected a list, got a mapping"],
  [
    "unknown-key-in-system.yml",
    18,
    5,
    "systems[0].aprovals",
    'unknown key "aprovals" — did you mean "approvals"?',
  ],
  ["unknown-top-level-key.yml", 6, 1, "default", 'did you mean "defaults"?'],
  [
    "unknown-tier-in-defaults.yml",
    8,
    5,
    "defaults.tiers.critical",
    "allowed keys are minimal, limited, high, prohibited",
  ],
  [
    "tier-not-a-tier.yml",
    12,
    11,
    "systems[0].tier",
    'expected one of minimal, limited, high, prohibited, got "critical"',
  ],
  ["tier-typo.yml", 12, 11, "systems[0].tier", 'did you mean "high"?'],
  ["lifecycle-typo.yml", 11, 16, "systems[0].lifecycle", 'did you mean "production"?'],
  [
    "invalidate-on-push-typo.yml",
    7,
    23,
    "defaults.invalidate_on_push",
    'expected one of governed, always, never, got "allways" — did you mean "always"?',
  ],
  ["approvals-negative.yml", 18, 16, "systems[0].approvals", "must be at least 0, got -1"],
  ["approvals-not-integer.yml", 18, 16, "systems[0].approvals", "expected a whole number"],
  ["approvals-too-many.yml", 18, 16, "systems[0].approvals", "must be at most 20, got 50"],
  ["governance-approvals-zero.yml", 5, 14, "governance.approvals", "must be at least 1, got 0"],
  [
    "signers-wildcard-workflow.yml",
    7,
    17,
    "governance.signers[0].workflow",
    "must be OWNER/REPO/.github/workflows/FILE.yml, without @ or wildcards",
  ],
  [
    "signers-short-ref.yml",
    8,
    12,
    "governance.signers[0].ref",
    "must be a full ref such as refs/heads/main",
  ],
  [
    "extends-malformed.yml",
    2,
    10,
    "extends",
    "extends is written OWNER/REPO:PATH@REF, e.g. acme/.github:ai-governance/policy.yml@",
  ],
  [
    "extends-not-yaml.yml",
    2,
    10,
    "extends",
    'the organisation policy "ai-governance/POLICY.md" is not a YAML file (.yml or .yaml)',
  ],
  ["system-id-uppercase.yml", 7, 9, "systems[0].id", "lowercase letters, digits and '-'"],
  ["bad-team-slug.yml", 17, 15, "systems[0].approvers.teams[0]", "org/team-slug"],
  ["paths-empty.yml", 13, 12, "systems[0].paths", "at least one glob under paths"],
  ["glob-absolute.yml", 14, 15, "systems[0].paths.model[0]", "must not start with '/'"],
  ["glob-with-dotdot.yml", 14, 15, "systems[0].paths.model[0]", "must not contain '..'"],
  ["path-with-dotdot.yml", 15, 17, "systems[0].assessment", "without '..'"],
  [
    "evidence-kind-invalid.yml",
    19,
    7,
    "systems[0].evidence.Model-Card",
    'invalid key "Model-Card": an evidence kind uses lowercase letters',
  ],
  // rules across fields
  [
    "duplicate-system-id.yml",
    18,
    9,
    "systems[1].id",
    'duplicate system id "credit-scoring" (first used by systems[0] on line 7)',
  ],
  [
    "high-tier-without-assessment.yml",
    7,
    5,
    "systems[0].assessment",
    'tier "high" requires a risk assessment',
  ],
  [
    "high-tier-missing-evidence.yml",
    17,
    7,
    "systems[0].evidence.data_sheet",
    'tier "high" requires evidence "data_sheet"',
  ],
  [
    "tier-default-evidence-missing.yml",
    10,
    5,
    "systems[0].evidence.transparency_notice",
    'tier "limited" requires evidence "transparency_notice"',
  ],
  [
    "approvers-missing.yml",
    7,
    5,
    "systems[0].approvers",
    "1 approval required but no approvers listed",
  ],
  [
    "approvers-too-few-users.yml",
    17,
    14,
    "systems[0].approvers.users",
    "2 approvals required but only 1 user listed",
  ],
  ["governance-owners-empty.yml", 3, 11, "governance.owners", "list at least one team or user"],
  [
    "governance-owners-too-few-users.yml",
    4,
    12,
    "governance.owners.users",
    "1 user listed, but governance.approvals requires 2",
  ],
];

describe("parseManifest: keyless signers", () => {
  it("reads governance.signers, each identity once", () => {
    const { result } = parseFixture("valid-signers.yml");
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.manifest.governance.signers).toEqual([
      { workflow: "acme/credit-models/.github/workflows/aigate.yml", ref: "refs/heads/main" },
    ]);
  });

  it("leaves signers out of a manifest that names none", () => {
    const { result } = parseFixture("valid-minimal.yml");
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.manifest.governance.signers).toBeUndefined();
  });
});

describe("parseManifest: each malformed manifest gives one located, actionable error", () => {
  it.each(malformed)("%s → line %i, column %i, field %j", (name, line, column, field, fragment) => {
    const { file, result } = parseFixture(name);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { file, line, column, field, message: expect.stringContaining(fragment) },
    ]);
  });

  it("never shows the YAML parser's own wording in a message", () => {
    for (const [name] of malformed) {
      const { result } = parseFixture(name);
      if (result.ok) continue;
      for (const error of result.errors) expect(error.message).not.toMatch(PARSER_WORDING);
    }
  });

  it("never shows zod's own wording or JSON in a message", () => {
    for (const [name] of malformed) {
      const { result } = parseFixture(name);
      if (result.ok) continue;
      for (const error of result.errors) {
        expect(error.message).not.toMatch(
          /Invalid input|Invalid option|Unrecognized key|"code"|\{\s*"/,
        );
      }
    }
  });

  it("formats as file:line:column: field: message", () => {
    const { result } = parseFixture("tier-typo.yml");
    if (result.ok) throw new Error("expected errors");
    expect(result.errors.map(formatLocatedError)).toEqual([
      'test/fixtures/manifests/tier-typo.yml:12:11: systems[0].tier: expected one of minimal, limited, high, prohibited, got "hihg" — did you mean "high"?',
    ]);
  });

  it("reports every schema problem of a document, in line order", () => {
    const text = [
      "version: 2",
      "governance:",
      "  owners: { teams: [acme/gov] }",
      "  policy: /etc/policy.md",
      "systems:",
      "  - id: a",
      "    name: A",
      "    purpose: p",
      "    owner: o",
      "    lifecycle: production",
      "    tier: hihg",
      "    paths: { model: [m/**] }",
    ].join("\n");
    const result = parseManifest(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.line, e.field])).toEqual([
      [1, "version"],
      [4, "governance.policy"],
      [11, "systems[0].tier"],
    ]);
  });

  it("names the manifest path when no file is given", () => {
    const result = parseManifest("");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]?.file).toBe(MANIFEST_PATH);
    expect(MANIFEST_PATH).toBe(".github/ai-governance.yml");
  });

  it("reports at most 100 cross-field errors, then how many more there are", () => {
    const system =
      "  - { id: same, name: n, purpose: p, owner: o, lifecycle: design, tier: minimal, paths: { model: [m/**] } }";
    const text = [
      "version: 1",
      "governance: { owners: { teams: [acme/gov] }, policy: p.md }",
      "systems:",
      ...Array.from({ length: 130 }, () => system),
    ].join("\n");
    const result = parseManifest(text);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors).toHaveLength(101);
    expect(result.errors[0]).toMatchObject({ line: 5, field: "systems[1].id" });
    expect(result.errors[100]).toMatchObject({
      line: 0,
      message: expect.stringContaining("29 more errors"),
    });
  });

  it("refuses a file over the size limit without parsing it", () => {
    const result = parseManifest(`version: 1\n${"#".repeat(2_000_000)}\n`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        file: MANIFEST_PATH,
        line: 0,
        column: 0,
        field: "",
        message: expect.stringContaining("more than the limit"),
      },
    ]);
  });
});

describe("parseManifest: a valid manifest", () => {
  it("parses the full example with every field", () => {
    const { result } = parseFixture("valid-full.yml");
    if (!result.ok) throw new Error(result.errors.map(formatLocatedError).join("\n"));
    const { manifest, document } = result;
    expect(document.systems).toHaveLength(4);
    expect(manifest.version).toBe(1);
    expect(manifest.governance).toEqual({
      owners: { teams: ["acme/ai-governance"], users: ["carol"] },
      approvals: 1,
      policy: "docs/ai-policy.md",
      branches: ["release/*"],
    });
    expect(manifest.invalidateOnPush).toBe("always");
    expect(manifest.committersCanApprove).toBe(false);
    expect(manifest.systems.map((s) => [s.id, s.tier, s.approvals, s.blocked])).toEqual([
      ["credit-scoring", "high", 3, false],
      ["support-chatbot", "limited", 1, false],
      ["spell-checker", "minimal", 0, false],
      ["fraud-profiler", "prohibited", 0, true],
    ]);
  });

  it("resolves a system into what the engine works with", () => {
    const { result } = parseFixture("valid-full.yml");
    if (!result.ok) throw new Error("expected the fixture to parse");
    expect(result.manifest.systems[0]).toEqual({
      id: "credit-scoring",
      name: "Credit scoring model",
      purpose: "Rank consumer credit applications for manual review",
      owner: "@acme/credit-ml",
      lifecycle: "production",
      tier: "high",
      euAiAct: { annex_iii: "5(b)" },
      affectedParties: ["loan applicants"],
      paths: { model: ["models/credit/**", "src/credit/**/*.py"], data: ["data/credit/**"] },
      assessment: "governance/assessments/credit-scoring.yml",
      assessmentRequired: true,
      evidence: {
        model_card: "docs/model-cards/credit-scoring.md",
        data_sheet: "docs/data/credit.md",
      },
      requiredEvidence: ["model_card", "data_sheet"],
      updateOn: ["model", "data"],
      approvers: { teams: ["acme/model-risk"], users: ["alice"] },
      approvals: 3,
      blocked: false,
    });
  });

  it("accepts a manifest that declares no systems yet", () => {
    const { result } = parseFixture("valid-minimal.yml");
    expect(result.ok && result.manifest.systems).toEqual([]);
  });

  it("fills the defaults: invalidate_on_push governed, committers cannot approve, one owner approval", () => {
    const { result } = parseFixture("valid-one-system.yml");
    if (!result.ok) throw new Error("expected the fixture to parse");
    expect(result.manifest.invalidateOnPush).toBe("governed");
    expect(result.manifest.committersCanApprove).toBe(false);
    expect(result.manifest.governance.approvals).toBe(1);
  });

  it("strips the @ of a login and counts logins case-insensitively once", () => {
    const text = readFixture("manifests/valid-one-system.yml").replace(
      '      teams: ["acme/model-risk"]',
      '      users: ["@Alice", "alice", "bob"]',
    );
    const result = parseManifest(text);
    if (!result.ok) throw new Error(result.errors.map(formatLocatedError).join("\n"));
    expect(result.manifest.systems[0]?.approvers).toEqual({ teams: [], users: ["Alice", "bob"] });
  });

  it("accepts enterprise managed users' logins (handle_shortcode)", () => {
    const text = readFixture("manifests/valid-one-system.yml").replace(
      '      teams: ["acme/model-risk"]',
      '      users: ["mona_acme", "hubot_acme"]',
    );
    const result = parseManifest(text);
    if (!result.ok) throw new Error(result.errors.map(formatLocatedError).join("\n"));
    expect(result.manifest.systems[0]?.approvers.users).toEqual(["mona_acme", "hubot_acme"]);
  });

  it("does not need approvers for a prohibited system, which blocks every pull request anyway", () => {
    const { result } = parseFixture("valid-full.yml");
    if (!result.ok) throw new Error("expected the fixture to parse");
    const profiler = result.manifest.systems.find((s) => s.id === "fraud-profiler");
    expect(profiler?.approvers).toEqual({ teams: [], users: [] });
    expect(profiler?.blocked).toBe(true);
  });
});

describe("parseManifest: globs and repository paths stay inside the repository", () => {
  const withGlob = (glob: string) =>
    readFixture("manifests/valid-one-system.yml").replace(
      'model: ["models/credit/**"]',
      `model: ["models/credit/**", ${JSON.stringify(glob)}]`,
    );
  const withAssessment = (path: string) =>
    readFixture("manifests/valid-one-system.yml").replace(
      "assessment: governance/assessments/credit-scoring.yml",
      `assessment: ${JSON.stringify(path)}`,
    );

  it.each(["src/**/*.py", "!models/credit/tmp/**", "a..b/**", "..hidden/**", "*.onnx"])(
    "accepts the glob %j",
    (glob) => {
      expect(parseManifest(withGlob(glob)).ok).toBe(true);
    },
  );

  it.each(["/models/**", "!/models/**", "../models/**", "!../models/**", "a/../b/**", "\\models"])(
    "rejects the glob %j at the glob itself",
    (glob) => {
      const result = parseManifest(withGlob(glob));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors.map((e) => [e.line, e.field])).toEqual([
        [14, "systems[0].paths.model[1]"],
      ]);
    },
  );

  it.each(["/etc/passwd", "../x.yml", "a/../../x.yml", "a/.."])("rejects the path %j", (path) => {
    const result = parseManifest(withAssessment(path));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toEqual(["systems[0].assessment"]);
  });
});
