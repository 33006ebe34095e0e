import { describe, expect, it } from "vitest";
import { evaluate } from "../../../src/core/policy/index.js";
import type { Facts } from "../../../src/core/types.js";
import {
  ALICE,
  approval,
  assessmentYaml,
  BASE_SHA,
  CAROL,
  CREDIT_ASSESSMENT,
  changed,
  creditChange,
  creditHeadFiles,
  DATA_SHEET,
  facts,
  file,
  MANIFEST_FILE,
  MANIFEST_YAML,
  MODEL_CARD,
  NOW,
  POLICY_FILE,
} from "./fixtures.js";

const approved = [
  approval(ALICE, ["credit-scoring"]),
  approval(CAROL, [{ system: "credit-scoring", reason: "member of acme/model-risk" }]),
];

describe("evaluate: the base manifest decides", () => {
  it("passes both gates when the base has no governance manifest", () => {
    const decision = evaluate(
      facts({
        manifest: { status: "missing", path: MANIFEST_FILE, baseSha: BASE_SHA },
        changedFiles: changed("models/credit/w.bin"),
      }),
      NOW,
    );
    expect(decision.manifest.status).toBe("missing");
    expect(decision.assessment).toMatchObject({
      conclusion: "success",
      title: "No governance manifest on main",
    });
    expect(decision.oversight).toMatchObject({
      conclusion: "success",
      title: "No governance manifest on main",
    });
  });

  it("fails both gates with located errors when the base manifest is invalid", () => {
    const text = MANIFEST_YAML.replace("tier: high", "tier: hihg");
    const decision = evaluate(
      facts({
        manifest: { status: "present", path: MANIFEST_FILE, baseSha: BASE_SHA, sha256: "x", text },
        changedFiles: changed("models/credit/w.bin"),
      }),
      NOW,
    );
    expect(decision.assessment).toMatchObject({
      conclusion: "failure",
      title: "Invalid governance manifest",
    });
    expect(decision.oversight).toMatchObject({
      conclusion: "failure",
      title: "Invalid governance manifest",
    });
    expect(decision.manifest.status).toBe("invalid");
    expect(decision.manifest.errors[0]).toMatchObject({
      file: MANIFEST_FILE,
      field: "systems[0].tier",
    });
    expect(decision.manifest.errors[0]?.line).toBeGreaterThan(0);
  });

  it("still fails on an invalid base manifest when the change fixes it, and validates the fix", () => {
    const broken = MANIFEST_YAML.replace("tier: high", "tier: hihg");
    const decision = evaluate(
      facts({
        manifest: {
          status: "present",
          path: MANIFEST_FILE,
          baseSha: BASE_SHA,
          sha256: "x",
          text: broken,
        },
        changedFiles: changed(MANIFEST_FILE),
        proposedManifest: { text: MANIFEST_YAML, sha256: "p" },
      }),
      NOW,
    );
    expect(decision.assessment).toMatchObject({
      conclusion: "failure",
      title: "Invalid governance manifest",
    });
    expect(decision.proposedManifest).toMatchObject({ status: "ok" });
  });

  it("passes with 'No AI systems affected' when no governed path changes", () => {
    const decision = evaluate(facts({ changedFiles: changed("README.md") }), NOW);
    expect(decision.affected).toEqual([]);
    expect(decision.assessment).toMatchObject({
      conclusion: "success",
      title: "No AI systems affected",
    });
    expect(decision.oversight).toMatchObject({
      conclusion: "success",
      title: "No AI systems affected",
    });
    expect(decision.unaffected).toEqual([
      "credit-scoring",
      "chat-helper",
      "fraud-profiler",
      "legacy-ranker",
    ]);
  });

  it("passes both gates when the assessment is current and 2 of 2 approvals are recorded", () => {
    const decision = evaluate(creditChange({ approvals: approved }), NOW);
    expect(decision.assessment).toMatchObject({
      conclusion: "success",
      title: "Risk assessment current for credit-scoring",
    });
    expect(decision.oversight).toMatchObject({
      conclusion: "success",
      title: "2 of 2 approvals recorded",
    });
  });
});

describe("evaluate: a change to the manifest (aigate:manifest)", () => {
  const ownerApproval = approval(CAROL, [
    { system: "aigate:manifest", reason: "governance owner (member of acme/ai-governance)" },
  ]);

  it("gates a manifest change by the governance owners", () => {
    const relaxed = MANIFEST_YAML.replace("approvals: 2", "approvals: 0");
    const decision = evaluate(
      facts({
        changedFiles: changed(MANIFEST_FILE),
        proposedManifest: { text: relaxed, sha256: "p" },
      }),
      NOW,
    );
    expect(decision.affected.map((a) => a.id)).toEqual(["aigate:manifest"]);
    expect(decision.oversight).toMatchObject({
      conclusion: "action_required",
      title: "Waiting for 1 of 1 approval (aigate:manifest)",
    });
    expect(decision.oversight.systems[0]?.eligible).toEqual({
      teams: ["acme/ai-governance"],
      users: [],
    });
    expect(decision.proposedManifest).toMatchObject({ status: "ok", sha256: "p" });
  });

  it("passes the manifest change once a governance owner approves", () => {
    const decision = evaluate(
      facts({
        changedFiles: changed(MANIFEST_FILE),
        proposedManifest: { text: MANIFEST_YAML, sha256: "p" },
        approvals: [ownerApproval],
      }),
      NOW,
    );
    expect(decision.assessment).toMatchObject({
      conclusion: "success",
      title: "Proposed governance manifest is valid",
    });
    expect(decision.oversight).toMatchObject({
      conclusion: "success",
      title: "1 of 1 approval recorded",
    });
  });

  it("fails the risk-assessment gate with located errors when the proposed manifest is invalid", () => {
    const decision = evaluate(
      facts({
        changedFiles: changed(MANIFEST_FILE),
        proposedManifest: {
          text: MANIFEST_YAML.replace("lifecycle: design", "lifecycle: dreaming"),
          sha256: "p",
        },
      }),
      NOW,
    );
    expect(decision.proposedManifest?.status).toBe("invalid");
    expect(decision.assessment.conclusion).toBe("failure");
    expect(decision.assessment.title).toBe(
      "aigate:manifest: the proposed governance manifest is invalid (1 error)",
    );
    expect(decision.assessment.systems[0]?.errors[0]).toMatchObject({ file: MANIFEST_FILE });
  });

  it("keeps gating a system by the base manifest when the change drops it", () => {
    const dropped = MANIFEST_YAML.replace("tier: high", "tier: minimal");
    const decision = evaluate(
      creditChange({
        changedFiles: changed(MANIFEST_FILE, "models/credit/w.bin", CREDIT_ASSESSMENT),
        proposedManifest: { text: dropped, sha256: "p" },
        approvals: [ownerApproval],
      }),
      NOW,
    );
    const credit = decision.oversight.systems.find((s) => s.system === "credit-scoring");
    expect(credit?.required).toBe(2);
    expect(decision.oversight.conclusion).toBe("action_required");
  });

  it("reports a removed manifest and still requires the owners", () => {
    const decision = evaluate(
      facts({
        changedFiles: [{ path: MANIFEST_FILE, status: "removed" }],
        proposedManifest: { removed: true },
      }),
      NOW,
    );
    expect(decision.proposedManifest?.status).toBe("removed");
    expect(decision.oversight.conclusion).toBe("action_required");
  });

  it("fails closed when the proposed manifest was not read", () => {
    const decision = evaluate(facts({ changedFiles: changed(MANIFEST_FILE) }), NOW);
    expect(decision.assessment.conclusion).toBe("failure");
    expect(decision.assessment.title).toContain("was not read");
  });
});

describe("evaluate: prohibited and retired systems", () => {
  it("fails both gates when a prohibited system is touched", () => {
    const decision = evaluate(facts({ changedFiles: changed("models/fraud/net.py") }), NOW);
    expect(decision.assessment).toMatchObject({
      conclusion: "failure",
      title: "fraud-profiler is prohibited",
    });
    expect(decision.oversight).toMatchObject({
      conclusion: "failure",
      title: "fraud-profiler is prohibited",
    });
  });

  it("puts the prohibited system first when there are other problems", () => {
    const decision = evaluate(
      facts({ changedFiles: changed("models/credit/w.bin", "models/fraud/net.py") }),
      NOW,
    );
    expect(decision.assessment.title).toMatch(/^fraud-profiler is prohibited \(\+\d+ more\)$/);
    expect(decision.oversight.title).toMatch(/^fraud-profiler is prohibited \(\+1 more\)$/);
  });

  it("requires the governance owners' approval for a retired system, besides its own", () => {
    const legacy = "governance/assessments/legacy-ranker.yml";
    const base = facts({
      changedFiles: changed("models/legacy/old.bin"),
      headFiles: {
        [legacy]: file(legacy, assessmentYaml({ system: "legacy-ranker", tier: "limited" })),
      },
    });
    const own = approval({ id: 4, login: "dave", type: "User" }, ["legacy-ranker"]);
    const waiting = evaluate({ ...base, approvals: [own] }, NOW);
    expect(waiting.oversight).toMatchObject({
      conclusion: "action_required",
      title: "Waiting for 1 of 2 approvals (legacy-ranker)",
    });
    expect(waiting.oversight.systems[0]?.problems[0]).toContain("governance owners");
    const owner = approval(CAROL, [
      { system: "legacy-ranker", reason: "governance owner (member of acme/ai-governance)" },
    ]);
    const met = evaluate({ ...base, approvals: [own, owner] }, NOW);
    expect(met.oversight).toMatchObject({
      conclusion: "success",
      title: "2 of 2 approvals recorded",
    });
  });
});

describe("evaluate: the risk-assessment gate", () => {
  const withAssessment = (text: string | null, extra: Partial<Facts> = {}) =>
    evaluate(
      creditChange({
        headFiles: {
          ...creditHeadFiles(),
          [CREDIT_ASSESSMENT]: text === null ? null : file(CREDIT_ASSESSMENT, text),
        },
        ...extra,
      }),
      NOW,
    );

  it("fails when the required assessment is missing at the head", () => {
    const decision = withAssessment(null, { changedFiles: changed("models/credit/w.bin") });
    expect(decision.assessment.conclusion).toBe("failure");
    expect(decision.assessment.title).toMatch(
      /^credit-scoring: risk assessment governance\/assessments\/credit-scoring.yml is missing/,
    );
  });

  it("fails with located errors when the assessment does not validate", () => {
    const decision = withAssessment(assessmentYaml().replace("likelihood: 2", "likelihood: 9"));
    expect(decision.assessment.title).toBe(
      "credit-scoring: risk assessment governance/assessments/credit-scoring.yml is invalid (1 error)",
    );
    expect(decision.assessment.systems[0]?.errors[0]).toMatchObject({
      file: CREDIT_ASSESSMENT,
      field: "harms[0].likelihood",
    });
  });

  it("fails when the assessment names another system", () => {
    const decision = withAssessment(assessmentYaml({ system: "chat-helper" }));
    expect(decision.assessment.title).toContain("is for system chat-helper, not credit-scoring");
  });

  it("fails when the assessment names another tier", () => {
    const decision = withAssessment(assessmentYaml({ tier: "limited" }));
    expect(decision.assessment.title).toContain("risk assessment is for tier limited");
  });

  it("fails when the assessment is past review_by", () => {
    const decision = withAssessment(assessmentYaml({ review_by: "2026-10-01" }));
    expect(decision.assessment).toMatchObject({
      conclusion: "failure",
      title: "credit-scoring: risk assessment expired on 2026-10-01",
    });
  });

  it("accepts an assessment on its review_by day", () => {
    const decision = withAssessment(assessmentYaml({ review_by: "2026-11-27" }));
    expect(decision.assessment.conclusion).toBe("success");
  });

  it("fails when the residual risk is not accepted", () => {
    const decision = withAssessment(assessmentYaml({ decision: "pending" }));
    expect(decision.assessment.title).toBe(
      "credit-scoring: residual risk is not accepted (acceptance decision: pending)",
    );
  });

  it("fails when an accepted residual risk is rated unacceptable", () => {
    const decision = withAssessment(assessmentYaml({ residual: "unacceptable" }));
    expect(decision.assessment.title).toContain("residual risk is rated unacceptable");
  });

  it("fails when the tier's evidence is missing at the head", () => {
    const decision = evaluate(
      creditChange({ headFiles: { ...creditHeadFiles(), [MODEL_CARD]: null, [DATA_SHEET]: null } }),
      NOW,
    );
    expect(decision.assessment.title).toBe(
      "credit-scoring: model_card docs/model-cards/credit-scoring.md is missing at the head of this change (+1 more)",
    );
  });

  it("fails when the change touches an update_on kind without updating the assessment", () => {
    const decision = evaluate(
      creditChange({ changedFiles: changed("data/credit/loans.csv") }),
      NOW,
    );
    expect(decision.assessment.title).toBe(
      "credit-scoring: this change touches data, so it must also update the risk assessment governance/assessments/credit-scoring.yml",
    );
  });

  it("does not require an assessment update for kinds outside update_on", () => {
    const decision = evaluate(
      creditChange({ changedFiles: changed("prompts/credit/tone.md") }),
      NOW,
    );
    expect(decision.assessment.conclusion).toBe("success");
  });

  it("does not require an assessment where the tier makes it optional", () => {
    const decision = evaluate(facts({ changedFiles: changed("prompts/chat/hello.md") }), NOW);
    expect(decision.assessment).toMatchObject({
      conclusion: "success",
      title: "No risk assessment required (chat-helper)",
    });
    expect(decision.assessment.systems[0]?.status).toBe("not_required");
  });

  it("fails when the AI policy is missing at the base", () => {
    const decision = evaluate(
      creditChange({ approvals: approved, baseFiles: { [POLICY_FILE]: null } }),
      NOW,
    );
    expect(decision.assessment).toMatchObject({
      conclusion: "failure",
      title: "AI policy docs/ai-policy.md is missing on main",
    });
  });

  it("summarises several problems as the first one plus (+N more)", () => {
    const decision = withAssessment(
      assessmentYaml({ review_by: "2026-10-01", decision: "rejected" }),
    );
    expect(decision.assessment.title).toBe(
      "credit-scoring: risk assessment expired on 2026-10-01 (+1 more)",
    );
  });
});

describe("evaluate: fails closed", () => {
  it("fails both gates when more than 3000 files changed", () => {
    const decision = evaluate(
      facts({ changedFiles: changed("README.md"), changedFilesTruncated: true }),
      NOW,
    );
    const title = "more than 3000 files changed: aigate cannot see them all";
    expect(decision.assessment).toMatchObject({ conclusion: "failure", title });
    expect(decision.oversight).toMatchObject({ conclusion: "failure", title });
  });

  it("turns an unexpected exception into a failing decision instead of throwing", () => {
    const broken = { ...facts(), changedFiles: null } as unknown as Facts;
    const decision = evaluate(broken, NOW);
    expect(decision.assessment.conclusion).toBe("failure");
    expect(decision.oversight.conclusion).toBe("failure");
    expect(decision.assessment.title).toMatch(/^aigate could not evaluate: /);
    expect(decision.error).toBeTruthy();
  });

  it("fails rather than throws when the evaluation time is invalid", () => {
    const decision = evaluate(creditChange(), new Date(Number.NaN));
    expect(decision.oversight.title).toBe(
      "aigate could not evaluate: the evaluation time is not a valid date",
    );
  });
});

describe("evaluate: the CLI (approvals not evaluated)", () => {
  it("reports what approvals are required, as action_required", () => {
    const decision = evaluate(
      creditChange({ evaluateApprovals: false, pullRequest: undefined }),
      NOW,
    );
    expect(decision.oversight).toMatchObject({
      conclusion: "action_required",
      title: "credit-scoring needs 2 approvals from acme/model-risk or alice",
    });
    expect(decision.assessment.conclusion).toBe("success");
  });

  it("succeeds when no approval is required", () => {
    const decision = evaluate(
      facts({ evaluateApprovals: false, changedFiles: changed("prompts/chat/hello.md") }),
      NOW,
    );
    expect(decision.oversight).toMatchObject({
      conclusion: "success",
      title: "No approvals required",
    });
  });
});
