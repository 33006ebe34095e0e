import { describe, expect, it } from "vitest";
import { formatLocatedError } from "../../../src/core/errors.js";
import {
  extendedPolicy,
  type ManifestParseResult,
  parseManifest,
} from "../../../src/core/manifest/parse.js";
import type { Manifest } from "../../../src/core/manifest/schema.js";
import { eligibilityHolds, governanceEligibility } from "../../../src/core/policy/eligibility.js";

const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
const POLICY_FILE = "acme/.github:ai-governance/policy.yml";
const MANIFEST_FILE = ".github/ai-governance.yml";

const POLICY = [
  "version: 1",
  "governance:",
  "  owners: { teams: [acme/compliance] }",
  "  approvals: 2",
  "defaults:",
  "  invalidate_on_push: governed",
  "  committers_can_approve: false",
  "  tiers:",
  "    limited: { approvals: 1, assessment: required }",
  "    high:",
  "      approvals: 3",
  "      update_on: [model, data]",
  "      evidence: [model_card, data_sheet]",
  "    prohibited: { blocked: true }",
  "",
].join("\n");

interface ManifestParts {
  ref?: string;
  governance?: string[];
  defaults?: string[];
  tier?: string;
  system?: string[];
  extend?: boolean;
}

/** A manifest extending the policy, with one system (high by default) that declares every document. */
function manifestText(parts: ManifestParts = {}): string {
  return [
    "version: 1",
    ...(parts.extend === false
      ? []
      : [`extends: acme/.github:ai-governance/policy.yml@${parts.ref ?? SHA}`]),
    "governance:",
    "  owners: { teams: [acme/credit-governance] }",
    "  policy: docs/ai-policy.md",
    ...(parts.governance ?? []),
    ...(parts.defaults ?? []),
    "systems:",
    "  - id: scoring",
    "    name: Scoring",
    "    purpose: Rank applications",
    "    owner: acme",
    "    lifecycle: production",
    `    tier: ${parts.tier ?? "high"}`,
    "    paths: { model: [models/**], data: [data/**] }",
    "    assessment: governance/scoring.yml",
    "    evidence: { model_card: a.md, data_sheet: b.md, transparency_notice: c.md }",
    "    approvers: { teams: [acme/model-risk] }",
    ...(parts.system ?? []),
    "",
  ].join("\n");
}

function parseWith(
  manifest: string,
  policy: string = POLICY,
  commit?: string,
): ManifestParseResult {
  return parseManifest(manifest, MANIFEST_FILE, {
    orgPolicy: {
      file: POLICY_FILE,
      text: policy,
      sha256: "e".repeat(64),
      ...(commit ? { commit } : {}),
    },
  });
}

function resolved(manifest: string, policy?: string): Manifest {
  const result = parseWith(manifest, policy);
  if (!result.ok) throw new Error(result.errors.map(formatLocatedError).join("\n"));
  return result.manifest;
}

/** 1-based line of the first line of `text` that equals `line`. */
function lineOf(text: string, line: string): number {
  const index = text.split("\n").indexOf(line);
  if (index < 0) throw new Error(`no line ${JSON.stringify(line)}`);
  return index + 1;
}

describe("an organisation policy applies under the manifest, field by field", () => {
  it("gives its values where the manifest says nothing", () => {
    const manifest = resolved(manifestText());
    expect(manifest.invalidateOnPush).toBe("governed");
    expect(manifest.committersCanApprove).toBe(false);
    expect(manifest.governance.approvals).toBe(2);
    expect(manifest.systems[0]).toMatchObject({
      approvals: 3,
      assessmentRequired: true,
      updateOn: ["model", "data"],
      requiredEvidence: ["model_card", "data_sheet"],
      blocked: false,
    });
  });

  it("gives its values even where they are more lenient than the built-in defaults", () => {
    const lenient = [
      "version: 1",
      "defaults:",
      "  invalidate_on_push: never",
      "  committers_can_approve: true",
      "  tiers: { high: { approvals: 1, update_on: [] } }",
      "",
    ].join("\n");
    const manifest = resolved(manifestText(), lenient);
    expect(manifest.invalidateOnPush).toBe("never");
    expect(manifest.committersCanApprove).toBe(true);
    expect(manifest.systems[0]).toMatchObject({ approvals: 1, updateOn: [] });
  });

  it("blocks the tiers it blocks", () => {
    expect(resolved(manifestText({ tier: "prohibited" })).systems[0]?.blocked).toBe(true);
  });

  it("leaves what it does not say to the built-in defaults", () => {
    const manifest = resolved(
      manifestText(),
      "version: 1\ndefaults: { tiers: { high: { approvals: 3 } } }\n",
    );
    expect(manifest.systems[0]).toMatchObject({ approvals: 3, updateOn: ["model", "data"] });
    expect(manifest.governance.approvals).toBe(1);
    expect(manifest.governance.owners).toEqual({ teams: ["acme/credit-governance"], users: [] });
    expect(resolved(manifestText({ tier: "limited" })).systems[0]?.approvals).toBe(1);
  });

  it("lets the manifest's own values win when they tighten it", () => {
    const manifest = resolved(
      manifestText({
        governance: ["  approvals: 3"],
        defaults: [
          "defaults:",
          "  invalidate_on_push: always",
          "  tiers:",
          "    high: { approvals: 4, update_on: [model, data, prompts], evidence: [model_card, data_sheet, transparency_notice] }",
        ],
      }),
    );
    expect(manifest.invalidateOnPush).toBe("always");
    expect(manifest.governance.approvals).toBe(3);
    expect(manifest.systems[0]).toMatchObject({
      approvals: 4,
      updateOn: ["model", "data", "prompts"],
      requiredEvidence: ["model_card", "data_sheet", "transparency_notice"],
    });
  });

  it("adds the organisation's owners to the repository's", () => {
    const manifest = resolved(manifestText());
    expect(manifest.governance.owners).toEqual({
      teams: ["acme/credit-governance", "acme/compliance"],
      users: [],
    });
  });

  it("lets the organisation's owners approve a change to the manifest, and the approval still holds when counted", () => {
    const member = { id: 7, login: "carol", type: "User" as const };
    const manifest = resolved(manifestText());
    const eligible = governanceEligibility(manifest, member, ["acme/compliance"]);
    expect(eligible).toEqual({
      system: "aigate:manifest",
      reason: "governance owner (member of acme/compliance)",
    });
    if (!eligible) return;
    const pseudo = { ...manifest.systems[0], id: "aigate:manifest", pseudo: true } as never;
    expect(eligibilityHolds(manifest, pseudo, member, eligible)).toBe(true);

    const alone = parseManifest(manifestText({ extend: false }), MANIFEST_FILE);
    if (!alone.ok) throw new Error("the manifest without extends is valid");
    expect(governanceEligibility(alone.manifest, member, ["acme/compliance"])).toBeNull();
    expect(eligibilityHolds(alone.manifest, pseudo, member, eligible)).toBe(false);
  });

  it("requires of every system the evidence it requires of the tier", () => {
    const text = manifestText().replace(
      "    evidence: { model_card: a.md, data_sheet: b.md, transparency_notice: c.md }",
      "    evidence: { model_card: a.md }",
    );
    const result = parseWith(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatLocatedError)).toEqual([
      expect.stringContaining(
        'systems[0].evidence.data_sheet: tier "high" requires evidence "data_sheet"',
      ),
    ]);
  });

  it("records where the policy was read: repository, path, REF, commit and sha256", () => {
    expect(resolved(manifestText()).orgPolicy).toEqual({
      repository: "acme/.github",
      path: "ai-governance/policy.yml",
      ref: SHA,
      commit: SHA,
      sha256: "e".repeat(64),
    });
    const unpinned = parseWith(manifestText({ ref: "main" }), POLICY, "a".repeat(40));
    expect(unpinned.ok && unpinned.manifest.orgPolicy).toMatchObject({
      ref: "main",
      commit: "a".repeat(40),
    });
  });

  it("is ignored when the manifest does not extend it", () => {
    const manifest = resolved(manifestText({ extend: false }));
    expect(manifest.orgPolicy).toBeUndefined();
    expect(manifest.systems[0]?.approvals).toBe(2);
  });
});

/** A loosening, the line of the manifest it is at, and what the error must say. */
interface LooseningCase {
  name: string;
  parts: ManifestParts;
  /** The manifest line the error points at. */
  line: string;
  field: string;
  says: string;
  /** The same field, tightened or kept: valid. */
  tightened: ManifestParts;
  policy?: string;
}

const looseningCases: LooseningCase[] = [
  {
    name: "fewer approvals for a tier",
    parts: { defaults: ["defaults:", "  tiers:", "    high:", "      approvals: 2"] },
    line: "      approvals: 2",
    field: "defaults.tiers.high.approvals",
    says: `2 is fewer than the organisation policy requires (${POLICY_FILE} line 11 sets defaults.tiers.high.approvals: 3)`,
    tightened: { defaults: ["defaults:", "  tiers:", "    high:", "      approvals: 3"] },
  },
  {
    name: "fewer approvals for one system",
    parts: { system: ["    approvals: 2"] },
    line: "    approvals: 2",
    field: "systems[0].approvals",
    says: `2 for scoring is fewer than the organisation policy requires of tier high (${POLICY_FILE} line 11 sets defaults.tiers.high.approvals: 3)`,
    tightened: { system: ["    approvals: 5"] },
  },
  {
    name: "assessment: optional where the organisation requires it",
    parts: { defaults: ["defaults:", "  tiers:", "    limited:", "      assessment: optional"] },
    line: "      assessment: optional",
    field: "defaults.tiers.limited.assessment",
    says: `optional drops the risk assessment the organisation policy requires (${POLICY_FILE} line 9 sets defaults.tiers.limited.assessment: required)`,
    tightened: {
      defaults: ["defaults:", "  tiers:", "    limited:", "      assessment: required"],
    },
  },
  {
    name: "dropping an update_on kind",
    parts: { defaults: ["defaults:", "  tiers:", "    high:", "      update_on: [model]"] },
    line: "      update_on: [model]",
    field: "defaults.tiers.high.update_on",
    says: `drops "data", which the organisation policy requires (${POLICY_FILE} line 12 sets defaults.tiers.high.update_on: [model, data])`,
    tightened: {
      defaults: ["defaults:", "  tiers:", "    high:", "      update_on: [data, model, prompts]"],
    },
  },
  {
    name: "dropping an evidence kind",
    parts: { defaults: ["defaults:", "  tiers:", "    high:", "      evidence: [data_sheet]"] },
    line: "      evidence: [data_sheet]",
    field: "defaults.tiers.high.evidence",
    says: `drops "model_card", which the organisation policy requires (${POLICY_FILE} line 13 sets defaults.tiers.high.evidence: [model_card, data_sheet])`,
    tightened: {
      defaults: [
        "defaults:",
        "  tiers:",
        "    high:",
        "      evidence: [model_card, data_sheet, transparency_notice]",
      ],
    },
  },
  {
    name: "unblocking a blocked tier",
    parts: { defaults: ["defaults:", "  tiers:", "    prohibited:", "      blocked: false"] },
    line: "      blocked: false",
    field: "defaults.tiers.prohibited.blocked",
    says: `false unblocks tier prohibited, which the organisation policy blocks (${POLICY_FILE} line 14 sets defaults.tiers.prohibited.blocked: true)`,
    tightened: { defaults: ["defaults:", "  tiers:", "    limited:", "      blocked: true"] },
  },
  {
    name: "invalidate_on_push: never under governed",
    parts: { defaults: ["defaults:", "  invalidate_on_push: never"] },
    line: "  invalidate_on_push: never",
    field: "defaults.invalidate_on_push",
    says: `never keeps approvals across pushes that the organisation policy invalidates (${POLICY_FILE} line 6 sets defaults.invalidate_on_push: governed)`,
    tightened: { defaults: ["defaults:", "  invalidate_on_push: always"] },
  },
  {
    name: "invalidate_on_push: governed under always",
    policy: POLICY.replace("invalidate_on_push: governed", "invalidate_on_push: always"),
    parts: { defaults: ["defaults:", "  invalidate_on_push: governed"] },
    line: "  invalidate_on_push: governed",
    field: "defaults.invalidate_on_push",
    says: `governed keeps approvals across pushes that the organisation policy invalidates (${POLICY_FILE} line 6 sets defaults.invalidate_on_push: always)`,
    tightened: { defaults: ["defaults:", "  invalidate_on_push: always"] },
  },
  {
    name: "committers_can_approve: true where the organisation says false",
    parts: { defaults: ["defaults:", "  committers_can_approve: true"] },
    line: "  committers_can_approve: true",
    field: "defaults.committers_can_approve",
    says: `true lets committers approve, which the organisation policy forbids (${POLICY_FILE} line 7 sets defaults.committers_can_approve: false)`,
    tightened: { defaults: ["defaults:", "  committers_can_approve: false"] },
  },
  {
    name: "governance.approvals below the organisation's",
    parts: { governance: ["  approvals: 1"] },
    line: "  approvals: 1",
    field: "governance.approvals",
    says: `1 is fewer than the organisation policy requires (${POLICY_FILE} line 4 sets governance.approvals: 2)`,
    tightened: { governance: ["  approvals: 2"] },
  },
];

describe("a manifest may tighten the organisation policy, never loosen it", () => {
  it.each(looseningCases)(
    "$name is an error at the repository's line naming the policy's line and value",
    ({ parts, line, field, says, policy }) => {
      const text = manifestText(parts);
      const result = parseWith(text, policy);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors).toEqual([
        {
          file: MANIFEST_FILE,
          line: lineOf(text, line),
          column: line.indexOf(":") + 3,
          field,
          message: expect.stringContaining(says),
        },
      ]);
    },
  );

  it.each(looseningCases)("$name, tightened or kept, is valid", ({ tightened, policy }) => {
    const result = parseWith(manifestText(tightened), policy);
    expect(result.ok ? [] : result.errors.map(formatLocatedError)).toEqual([]);
  });

  it("reports every loosening of one manifest, in line order", () => {
    const text = manifestText({
      governance: ["  approvals: 1"],
      defaults: [
        "defaults:",
        "  invalidate_on_push: never",
        "  tiers:",
        "    high: { approvals: 1, evidence: [] }",
      ],
      system: ["    approvals: 2"],
    });
    const result = parseWith(text);
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual([
      "governance.approvals",
      "defaults.invalidate_on_push",
      "defaults.tiers.high.approvals",
      "defaults.tiers.high.evidence",
      "systems[0].approvals",
    ]);
  });

  it("constrains only what the policy writes", () => {
    const lenient = "version: 1\ndefaults: { tiers: { high: { approvals: 3 } } }\n";
    const text = manifestText({
      defaults: [
        "defaults:",
        "  invalidate_on_push: never",
        "  committers_can_approve: true",
        "  tiers:",
        "    high: { approvals: 3, update_on: [], evidence: [] }",
        "    prohibited: { blocked: false }",
      ],
    });
    expect(parseWith(text, lenient).ok).toBe(true);
  });
});

describe("reading the policy a manifest extends", () => {
  it("is required: without it the manifest is invalid, at its extends line", () => {
    const result = parseManifest(manifestText(), MANIFEST_FILE);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map(formatLocatedError)).toEqual([
      `${MANIFEST_FILE}:2:10: extends: the organisation policy ${POLICY_FILE}@${SHA} was not read, so this manifest cannot be resolved`,
    ]);
  });

  it("names an invalid policy at the extends line and lists the policy's own errors", () => {
    const result = parseWith(manifestText(), "version: 1\nsystems: []\n");
    expect(result.ok ? [] : result.errors.map(formatLocatedError)).toEqual([
      `${MANIFEST_FILE}:2:10: extends: the organisation policy ${POLICY_FILE}@${SHA} is invalid (1 error in ${POLICY_FILE}): it must be fixed in its repository, or extends pointed at a valid one`,
      `${POLICY_FILE}:2:10: systems: an organisation policy declares no systems: each repository lists its own AI systems in its manifest`,
    ]);
  });

  it("warns when REF is a branch or tag rather than a commit SHA", () => {
    const pinned = parseWith(manifestText());
    expect(pinned.warnings).toEqual([]);
    const unpinned = parseWith(manifestText({ ref: "main" }));
    expect(unpinned.ok).toBe(true);
    expect(unpinned.warnings.map(formatLocatedError)).toEqual([
      `${MANIFEST_FILE}:2:10: extends: the organisation policy is not pinned: "main" is a branch or tag, so the policy can change without a change here; pin it to a full commit SHA`,
    ]);
  });

  it("is named before parsing, so that a caller knows what to read", () => {
    expect(extendedPolicy(manifestText({ ref: "v2" }))).toEqual({
      owner: "acme",
      repo: ".github",
      path: "ai-governance/policy.yml",
      ref: "v2",
      pinned: false,
    });
    expect(extendedPolicy(manifestText({ extend: false }))).toBeUndefined();
    expect(extendedPolicy("extends: nonsense\n")).toBeUndefined();
    expect(extendedPolicy("- not: a mapping\n")).toBeUndefined();
    expect(extendedPolicy(": [\n")).toBeUndefined();
  });
});

describe("governance.request_reviews under an organisation policy", () => {
  const requiring = (mode: string) =>
    [
      "version: 1",
      "governance:",
      "  owners: { teams: [acme/compliance] }",
      `  request_reviews: ${mode}`,
      "",
    ].join("\n");

  it("defaults to teams when neither the policy nor the manifest sets it", () => {
    expect(resolved(manifestText(), "version: 1\n").requestReviews).toBe("teams");
    const alone = parseManifest(manifestText({ extend: false }), MANIFEST_FILE);
    expect(alone.ok && alone.manifest.requestReviews).toBe("teams");
  });

  it("gives the policy's value where the manifest says nothing", () => {
    expect(resolved(manifestText(), requiring("users")).requestReviews).toBe("users");
    expect(resolved(manifestText(), requiring("off")).requestReviews).toBe("off");
  });

  it("lets the manifest choose users or teams where the policy requires requests", () => {
    for (const [policy, own] of [
      ["teams", "users"],
      ["users", "teams"],
      ["off", "teams"],
    ] as const) {
      const manifest = resolved(
        manifestText({ governance: [`  request_reviews: ${own}`] }),
        requiring(policy),
      );
      expect(manifest.requestReviews).toBe(own);
    }
  });

  it("refuses off where the policy requires requests, at the manifest's line, naming the policy's", () => {
    for (const policy of ["teams", "users"]) {
      const text = manifestText({ governance: ["  request_reviews: off"] });
      const result = parseWith(text, requiring(policy));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors.map(formatLocatedError)).toEqual([
        `${MANIFEST_FILE}:${lineOf(text, "  request_reviews: off")}:20: governance.request_reviews: off stops the review requests the organisation policy requires (${POLICY_FILE} line 4 sets governance.request_reviews: ${policy}); use teams or users, or remove the line`,
      ]);
    }
  });
});
