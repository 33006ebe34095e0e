import { afterEach, describe, expect, it } from "vitest";
import { TempRepo } from "../support/git-repo.js";

const repos: TempRepo[] = [];
function track(repo: TempRepo): TempRepo {
  repos.push(repo);
  return repo;
}
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

describe("aigate validate", () => {
  it("accepts the demo repository's manifest and both assessments", () => {
    const repo = track(TempRepo.fromDemo());
    const run = repo.aigate(["validate"]);
    expect(run.stdout).toContain(
      "valid: .github/ai-governance.yml, governance/assessments/credit-scoring.yml, governance/assessments/support-assistant.yml",
    );
    expect(run.code).toBe(0);
  });

  it("exits 1 with file:line:column for a schema error in the manifest", () => {
    const repo = track(TempRepo.fromDemo());
    repo.edit(".github/ai-governance.yml", "    approvals: 2\n", "    aprovals: 2\n");
    const run = repo.aigate(["validate"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^\.github\/ai-governance\.yml:\d+:5: systems\[0\]/m);
    expect(run.stderr).toContain("approvals");
  });

  it("exits 1 naming the assessment field when an assessment names another system", () => {
    const repo = track(TempRepo.fromDemo());
    repo.edit(
      "governance/assessments/support-assistant.yml",
      "system: support-assistant",
      "system: credit-scoring",
    );
    const run = repo.aigate(["validate"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'governance/assessments/support-assistant.yml:3:9: system: names system "credit-scoring"',
    );
  });

  it("exits 1 when required evidence or the AI policy is missing, located at the manifest line", () => {
    const repo = track(TempRepo.fromDemo());
    repo.git("rm", "-q", "docs/model-cards/credit-scoring.md", "docs/ai-policy.md");
    const run = repo.aigate(["validate"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /ai-governance\.yml:\d+:\d+: governance\.policy: the AI policy docs\/ai-policy\.md does not exist/,
    );
    expect(run.stderr).toMatch(
      /systems\[0\]\.evidence\.model_card: .*docs\/model-cards\/credit-scoring\.md does not exist/,
    );
  });

  it("exits 2 when there is no manifest", () => {
    const repo = track(new TempRepo());
    repo.git("init", "-q");
    const run = repo.aigate(["validate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("aigate init");
  });

  it("validates a manifest given by path", () => {
    const repo = track(TempRepo.fromDemo());
    const run = repo.aigate(["validate", ".github/ai-governance.yml"]);
    expect(run.code).toBe(0);
  });
});

describe("aigate init", () => {
  it("scaffolds a manifest, an assessment and a policy that validate right away", () => {
    const repo = track(new TempRepo());
    repo.git("init", "-q");
    const init = repo.aigate([
      "init",
      "--system",
      "loan-chat",
      "--approver",
      "alice",
      "--owner",
      "acme/ai-governance",
    ]);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain("created .github/ai-governance.yml");
    expect(init.stdout).toContain("created governance/assessments/loan-chat.yml");
    expect(init.stdout).toContain("created docs/ai-policy.md");
    const validate = repo.aigate(["validate"]);
    expect(validate.stdout).toContain(
      "valid: .github/ai-governance.yml, governance/assessments/loan-chat.yml",
    );
    expect(validate.code).toBe(0);
  });

  it("scaffolds the evidence a high-risk system needs", () => {
    const repo = track(new TempRepo());
    repo.git("init", "-q");
    const init = repo.aigate([
      "init",
      "--tier",
      "high",
      "--team",
      "acme/model-risk",
      "--owner",
      "acme/gov",
    ]);
    expect(init.stdout).toContain("created docs/model-cards/my-model.md");
    expect(repo.aigate(["validate"]).code).toBe(0);
  });

  it("refuses to overwrite existing files without --force", () => {
    const repo = track(TempRepo.fromDemo());
    const run = repo.aigate(["init", "--approver", "alice", "--owner", "acme/gov"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(".github/ai-governance.yml already exists");
    expect(repo.read(".github/ai-governance.yml")).toContain("credit-scoring");
  });

  it("exits 2 without approvers, saying which option to pass", () => {
    const repo = track(new TempRepo());
    const run = repo.aigate(["init", "--owner", "acme/gov"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--approver LOGIN");
  });

  it("exits 2 for a tier that is not an EU AI Act tier", () => {
    const repo = track(new TempRepo());
    const run = repo.aigate(["init", "--tier", "medium", "--approver", "a", "--owner", "acme/gov"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("expected one of minimal, limited, high, prohibited");
  });
});
