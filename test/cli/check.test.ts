import { afterEach, describe, expect, it } from "vitest";
import type { Decision } from "../../src/core/types.js";
import { TempRepo } from "../support/git-repo.js";

const repos: TempRepo[] = [];
function demoOnBranch(): TempRepo {
  const repo = TempRepo.fromDemo();
  repos.push(repo);
  repo.branch("feature");
  return repo;
}
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

function json(repo: TempRepo, now?: string): Decision {
  const run = repo.aigate(["check", "--base", "main", "--json"], now);
  return JSON.parse(run.stdout) as Decision;
}

describe("aigate check on a local change (base...HEAD)", () => {
  it("passes with 'No AI systems affected' when the change touches no governed path", () => {
    const repo = demoOnBranch();
    repo.write("README.md", "changed\n");
    repo.commitAll("docs");
    const run = repo.aigate(["check", "--base", "main"]);
    expect(run.stdout).toContain("No AI systems affected");
    expect(run.code).toBe(0);
  });

  it("fails (exit 1) when a high-risk model and its data change without updating the assessment", () => {
    const repo = demoOnBranch();
    repo.write("models/credit/weights.json", '{"bias": 0}\n');
    repo.write("data/credit/extra.csv", "income,debt\n1,2\n");
    repo.commitAll("retrain");
    const run = repo.aigate(["check", "--base", "main"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("credit-scoring (Credit scoring model) - tier high, production");
    expect(run.stdout).toContain("model: models/credit/weights.json [modified]");
    expect(run.stdout).toContain("data: data/credit/extra.csv [added]");
    expect(run.stdout).toMatch(/governance\/assessments\/credit-scoring\.yml/);
  });

  it("passes (exit 0) once the assessment is updated, and reports the approvals still needed", () => {
    const repo = demoOnBranch();
    repo.write("models/credit/weights.json", '{"bias": 0}\n');
    repo.edit(
      "governance/assessments/credit-scoring.yml",
      'assessed_at: "2026-09-15"',
      'assessed_at: "2026-11-20"',
    );
    repo.commitAll("retrain and re-assess");
    const run = repo.aigate(["check", "--base", "main"]);
    expect(run.stdout).toContain("AI governance: risk assessment - PASS");
    expect(run.stdout).toContain(
      "credit-scoring: needs 2 approvals on the pull request from acme/model-risk, @alice",
    );
    expect(run.stdout).not.toContain("- credit-scoring needs");
    expect(run.code).toBe(0);
  });

  it("counts a file moved out of a governed path as touching that system", () => {
    const repo = demoOnBranch();
    repo.write("archive/.keep", "");
    repo.git("mv", "prompts/support/system.md", "archive/system.md");
    repo.commitAll("move the prompt away");
    const decision = json(repo);
    const support = decision.affected.find((s) => s.id === "support-assistant");
    expect(support?.files).toEqual([
      {
        path: "archive/system.md",
        kind: "prompts",
        status: "renamed",
        previousPath: "prompts/support/system.md",
      },
    ]);
  });

  it("counts a deleted governed file", () => {
    const repo = demoOnBranch();
    repo.git("rm", "-q", "models/churn/model.py");
    repo.commitAll("drop churn model");
    const decision = json(repo);
    expect(decision.affected.map((s) => s.id)).toEqual(["churn-forecast"]);
    expect(decision.affected[0]?.files[0]?.status).toBe("removed");
  });

  it("reads the manifest from the base: a branch that drops a system from the manifest is still gated for it", () => {
    const repo = demoOnBranch();
    const manifest = repo.read(".github/ai-governance.yml");
    repo.write(
      ".github/ai-governance.yml",
      manifest.replace(/\n {2}- id: credit-scoring[\s\S]*?(?=\n {2}- id: support-assistant)/, ""),
    );
    repo.write("models/credit/weights.json", '{"bias": 0}\n');
    repo.commitAll("drop the gate and change the model");
    const decision = json(repo);
    expect(decision.affected.map((s) => s.id)).toEqual(["credit-scoring", "aigate:manifest"]);
    expect(decision.manifest.baseSha).toBe(repo.git("rev-parse", "main").trim());
    expect(repo.aigate(["check", "--base", "main"]).code).toBe(1);
  });

  it("reports an invalid manifest on the branch without enforcing it", () => {
    const repo = demoOnBranch();
    repo.edit(".github/ai-governance.yml", "tier: minimal", "tier: negligible");
    repo.commitAll("typo");
    const decision = json(repo);
    expect(decision.proposedManifest?.status).toBe("invalid");
    expect(decision.proposedManifest?.errors[0]).toMatchObject({
      file: ".github/ai-governance.yml",
      field: "systems[2].tier",
    });
  });

  it("exits 2 when the manifest on the base is invalid, naming file and line", () => {
    const repo = new TempRepo();
    repos.push(repo);
    repo.write(
      ".github/ai-governance.yml",
      "version: 1\ngovernance:\n  owners: {}\nsystems: []\nextra: true\n",
    );
    repo.git("init", "-q", "-b", "main");
    repo.commitAll("bad manifest");
    repo.branch("feature");
    repo.write("x.txt", "x");
    repo.commitAll("x");
    const run = repo.aigate(["check", "--base", "main"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/\.github\/ai-governance\.yml:5:1: .*extra/);
  });

  it("fails when the change touches a prohibited system", () => {
    const repo = TempRepo.fromDemo();
    repos.push(repo);
    const manifest = repo.read(".github/ai-governance.yml");
    repo.write(
      ".github/ai-governance.yml",
      `${manifest}\n  - id: emotion-screening\n    name: Emotion screening\n    purpose: Infer emotions of job candidates\n    owner: "@acme/hr"\n    lifecycle: design\n    tier: prohibited\n    paths:\n      model: ["models/emotion/**"]\n`,
    );
    repo.commitAll("declare prohibited system");
    repo.branch("feature");
    repo.write("models/emotion/model.py", "pass\n");
    repo.commitAll("start it anyway");
    const run = repo.aigate(["check", "--base", "main"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("emotion-screening is prohibited");
  });

  it("fails when the assessment is past its review date", () => {
    const repo = demoOnBranch();
    repo.write("prompts/support/system.md", "new prompt\n");
    repo.commitAll("prompt");
    const run = repo.aigate(["check", "--base", "main"], "2027-08-02T00:00:00Z");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("2027-08-01");
  });

  it("reads the assessment from the working tree, so it can be fixed before committing", () => {
    const repo = demoOnBranch();
    repo.write("prompts/support/system.md", "new prompt\n");
    repo.commitAll("prompt");
    repo.edit(
      "governance/assessments/support-assistant.yml",
      "decision: accepted",
      "decision: pending",
    );
    expect(repo.aigate(["check", "--base", "main"]).code).toBe(1);
  });

  it("prints the Decision with --json", () => {
    const repo = demoOnBranch();
    repo.write("prompts/support/system.md", "new prompt\n");
    repo.commitAll("prompt");
    const decision = json(repo);
    expect(decision.affected.map((s) => s.id)).toEqual(["support-assistant"]);
    expect(decision.assessment.conclusion).toBe("success");
    expect(decision.oversight.conclusion).toBe("action_required");
    expect(decision.manifest).toMatchObject({ status: "ok", path: ".github/ai-governance.yml" });
    expect(decision.manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("exits 2 outside a git repository", () => {
    const dir = new TempRepo();
    repos.push(dir);
    const run = dir.aigate(["check"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("not inside a git repository");
  });

  it("exits 2 when the base does not exist", () => {
    const repo = demoOnBranch();
    const run = repo.aigate(["check", "--base", "no-such-branch"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no-such-branch is not a commit here");
  });

  it("exits 2 on an unknown option", () => {
    const repo = demoOnBranch();
    expect(repo.aigate(["check", "--bse", "main"]).code).toBe(2);
  });
});
