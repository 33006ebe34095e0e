import { describe, expect, it } from "vitest";
import {
  approvalKey,
  buildRegister,
  filesToRead,
  RegisterSchema,
  registerFails,
} from "../../../src/core/register/index.js";
import {
  assessmentYaml,
  COMMIT,
  CREDIT_ASSESSMENT,
  LEGACY_ASSESSMENT,
  lending,
  MANIFEST_YAML,
  OPTIONS,
  snapshotFile,
} from "./fixtures.js";

const statusOf = (register: ReturnType<typeof buildRegister>, system: string) =>
  register.systems.find((s) => s.system === system)?.assessment;

describe("filesToRead", () => {
  it("names every assessment the manifest points at, once", () => {
    expect(filesToRead(snapshotFile(MANIFEST_YAML))).toEqual([
      CREDIT_ASSESSMENT,
      LEGACY_ASSESSMENT,
    ]);
  });

  it("names nothing for a manifest that is not valid", () => {
    expect(filesToRead(snapshotFile("systems: [\n"))).toEqual([]);
  });
});

describe("the AI system register", () => {
  const register = buildRegister([lending()], OPTIONS);

  it("lists every system of the manifest with its inventory columns, sorted by id", () => {
    expect(register.systems.map((s) => s.system)).toEqual([
      "chat-helper",
      "credit-scoring",
      "fraud-profiler",
      "legacy-ranker",
    ]);
    expect(register.systems[1]).toMatchObject({
      repository: "acme/lending",
      name: "Credit scoring model",
      purpose: "Rank consumer credit applications for manual review",
      owner: "@acme/credit-ml",
      tier: "high",
      lifecycle: "production",
      eu_ai_act_annex_iii: null,
      paths: { model: ["models/credit/**", "src/credit/**/*.py"], data: ["data/credit/**"] },
      manifest: { path: ".github/ai-governance.yml", commit: COMMIT },
    });
    expect(register.systems[1]).not.toHaveProperty("last_approved_change");
  });

  it("is valid against its own schema", () => {
    expect(RegisterSchema.safeParse(register).success).toBe(true);
  });

  it("says an assessment is current, with its review date and days left", () => {
    expect(statusOf(register, "credit-scoring")).toMatchObject({
      path: CREDIT_ASSESSMENT,
      status: "current",
      review_by: "2027-06-01",
      days_until_review: 186,
      acceptance: "accepted",
      residual_risk: "low",
      errors: [],
    });
  });

  it("gives not_required to a system whose tier needs no assessment and names none", () => {
    expect(statusOf(register, "chat-helper")?.status).toBe("not_required");
    expect(statusOf(register, "fraud-profiler")?.status).toBe("not_required");
  });

  it.each([
    ["2026-11-26", "expired", -1],
    ["2026-11-27", "expiring", 0],
    ["2026-12-27", "expiring", 30],
    ["2026-12-28", "current", 31],
  ] as const)("review_by %s on 2026-11-27 is %s", (reviewBy, status, days) => {
    const r = buildRegister(
      [lending({ [CREDIT_ASSESSMENT]: assessmentYaml({ review_by: reviewBy }) })],
      OPTIONS,
    );
    expect(statusOf(r, "credit-scoring")).toMatchObject({ status, days_until_review: days });
  });

  it("honours --expiring-within", () => {
    const r = buildRegister([lending()], { ...OPTIONS, expiringWithinDays: 200 });
    expect(statusOf(r, "credit-scoring")?.status).toBe("expiring");
  });

  it("says missing, and why, when a required assessment does not exist", () => {
    const r = buildRegister([lending({ [CREDIT_ASSESSMENT]: null })], OPTIONS);
    expect(statusOf(r, "credit-scoring")).toMatchObject({
      status: "missing",
      errors: [`${CREDIT_ASSESSMENT} does not exist`],
    });
  });

  it("says invalid, with located errors, for an assessment that does not parse", () => {
    const r = buildRegister(
      [
        lending({
          [CREDIT_ASSESSMENT]: assessmentYaml().replace("likelihood: 2", "likelihood: 9"),
        }),
      ],
      OPTIONS,
    );
    const a = statusOf(r, "credit-scoring");
    expect(a?.status).toBe("invalid");
    expect(a?.errors[0]).toMatch(/^governance\/assessments\/credit-scoring\.yml:\d+:\d+: harms/);
  });

  it("says invalid for an assessment that names another system, and keeps its harms out", () => {
    const r = buildRegister(
      [lending({ [CREDIT_ASSESSMENT]: assessmentYaml({ system: "chat-helper" }) })],
      OPTIONS,
    );
    expect(statusOf(r, "credit-scoring")).toMatchObject({
      status: "invalid",
      errors: [
        `${CREDIT_ASSESSMENT}: names system "chat-helper", but the manifest points credit-scoring at this file`,
      ],
    });
    expect(r.risks.filter((row) => row.system === "credit-scoring")).toEqual([]);
  });

  it("says invalid for an assessment made for another tier", () => {
    const r = buildRegister(
      [lending({ [CREDIT_ASSESSMENT]: assessmentYaml({ tier: "limited" }) })],
      OPTIONS,
    );
    expect(statusOf(r, "credit-scoring")?.errors).toEqual([
      `${CREDIT_ASSESSMENT}: is for tier limited, but the manifest puts credit-scoring in tier high`,
    ]);
  });

  it("adds the last approved change of each system when approvals were read", () => {
    const change = {
      pull_request: 12,
      title: "Retrain",
      url: null,
      merged_at: "2026-11-01T10:00:00Z",
      approvers: [{ login: "alice", id: 1 }],
      attestations: [`sha256:${"d".repeat(64)}`],
    };
    const r = buildRegister([lending()], {
      ...OPTIONS,
      approvals: new Map([[approvalKey("ACME/Lending", "credit-scoring"), change]]),
    });
    expect(r.with_approvals).toBe(true);
    expect(r.systems.find((s) => s.system === "credit-scoring")?.last_approved_change).toEqual(
      change,
    );
    expect(r.systems.find((s) => s.system === "chat-helper")?.last_approved_change).toBeNull();
  });
});

describe("the risk register", () => {
  it("has one row per harm with likelihood × severity and who accepted it when", () => {
    const { risks } = buildRegister([lending()], OPTIONS);
    expect(risks).toHaveLength(2);
    expect(risks[0]).toEqual({
      repository: "acme/lending",
      system: "credit-scoring",
      harm: null,
      description: "Unfair denial of credit to a protected group",
      affected: [],
      likelihood: 2,
      severity: 4,
      score: 8,
      mitigations: ["Quarterly bias audit"],
      residual_risk: "low",
      acceptance: "accepted",
      accepted_by: ["carol"],
      accepted_at: "2026-06-01",
      review_by: "2027-06-01",
      assessment: CREDIT_ASSESSMENT,
      flags: [],
    });
  });

  it("flags a row whose assessment expired or whose risk is not accepted", () => {
    const { risks, totals } = buildRegister(
      [
        lending({
          [CREDIT_ASSESSMENT]: assessmentYaml({ review_by: "2026-11-01" }),
          [LEGACY_ASSESSMENT]: assessmentYaml({
            system: "legacy-ranker",
            tier: "limited",
            decision: "pending",
            residual: "unacceptable",
          }),
        }),
      ],
      OPTIONS,
    );
    expect(risks.map((r) => [r.system, r.flags])).toEqual([
      ["credit-scoring", ["assessment_expired"]],
      ["legacy-ranker", ["not_accepted", "unacceptable_residual_risk"]],
    ]);
    expect(totals.flagged_risks).toBe(2);
  });
});

describe("problem repositories", () => {
  const register = buildRegister(
    [
      lending(),
      { repository: "acme/docs", kind: "read", commit: COMMIT, manifest: null, files: {} },
      { repository: "acme/old", kind: "archived", reason: "archived: read-only" },
      { repository: "acme/new", kind: "empty", reason: "empty: no commits" },
      { repository: "acme/secret", kind: "unreadable", reason: "GitHub 403 on GET …" },
      {
        repository: "acme/broken",
        kind: "read",
        commit: COMMIT,
        manifest: snapshotFile("version: 1\nsystems: [\n"),
        files: {},
      },
    ],
    OPTIONS,
  );

  it("names every repository that contributes no system, with the reason, never silently", () => {
    expect(register.problems.map((p) => [p.repository, p.kind])).toEqual([
      ["acme/broken", "invalid_manifest"],
      ["acme/docs", "not_governed"],
      ["acme/new", "empty"],
      ["acme/old", "archived"],
      ["acme/secret", "unreadable"],
    ]);
    expect(register.problems[0]?.errors[0]).toMatch(/^\.github\/ai-governance\.yml:\d+:\d+: /);
    expect(register.problems[1]?.reason).toBe(
      `no .github/ai-governance.yml at ${COMMIT.slice(0, 12)}: not governed`,
    );
  });

  it("counts repositories, governed ones, systems by tier and status, and problems by kind", () => {
    expect(register.totals).toEqual({
      repositories: 6,
      governed: 1,
      systems: 4,
      by_tier: { minimal: 1, limited: 1, high: 1, prohibited: 1 },
      by_status: {
        current: 2,
        expiring: 0,
        expired: 0,
        missing: 0,
        invalid: 0,
        not_required: 2,
      },
      by_problem: { not_governed: 1, archived: 1, empty: 1, invalid_manifest: 1, unreadable: 1 },
      risks: 2,
      flagged_risks: 0,
    });
  });
});

describe("registerFails: what a scheduled job fails on", () => {
  it("passes when every assessment is current or expiring and every repository was read", () => {
    expect(registerFails(buildRegister([lending()], OPTIONS))).toBe(false);
    const expiring = lending({
      [CREDIT_ASSESSMENT]: assessmentYaml({ review_by: "2026-12-01" }),
      [LEGACY_ASSESSMENT]: assessmentYaml({ system: "legacy-ranker", tier: "limited" }),
    });
    const notGoverned = {
      repository: "acme/docs",
      kind: "read" as const,
      commit: null,
      manifest: null,
      files: {},
    };
    expect(registerFails(buildRegister([expiring, notGoverned], OPTIONS))).toBe(false);
  });

  it.each([
    ["expired", lending({ [CREDIT_ASSESSMENT]: assessmentYaml({ review_by: "2026-01-01" }) })],
    ["missing", lending({ [CREDIT_ASSESSMENT]: null })],
    ["invalid", lending({ [CREDIT_ASSESSMENT]: "not: [yaml" })],
    ["an invalid manifest", { ...lending(), manifest: snapshotFile("version: 2\n") }],
    ["an unreadable repository", { repository: "a/b", kind: "unreadable" as const, reason: "403" }],
  ])("fails on %s", (_case, snapshot) => {
    expect(registerFails(buildRegister([snapshot], OPTIONS))).toBe(true);
  });
});
