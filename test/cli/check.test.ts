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

/** A repository whose manifest on main is invalid (line 5: an unknown key), on a branch. */
function invalidManifestOnMain(): TempRepo {
  const repo = new TempRepo();
  repos.push(repo);
  repo.write(
    ".github/ai-governance.yml",
    "version: 1\ngovernance:\n  owners: {}\nsystems: []\nextra: true\n",
  );
  repo.git("init", "-q", "-b", "main");
  repo.commitAll("bad manifest");
  repo.branch("feature");
  return repo;
}

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
    const repo = invalidManifestOnMain();
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

describe("aigate check: paths of the manifest that match no file", () => {
  it("fails with the suggestion when a typo'd glob on the base gates nothing, instead of 'No AI systems affected, PASS'", () => {
    const repo = TempRepo.fromDemo();
    repos.push(repo);
    repo.edit(".github/ai-governance.yml", '"models/credit/**"', '"modles/credit/**"');
    repo.commitAll("typo on main");
    repo.branch("feature");
    repo.write("models/credit/weights.json", '{"bias": 0}\n');
    repo.commitAll("retrain");
    const run = repo.aigate(["check", "--base", "main"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^AI governance: risk assessment - FAIL: \.github\/ai-governance\.yml:\d+:\d+: systems\[0\]\.paths\.model\[0\]: "modles\/credit\/\*\*" matches no file — did you mean "models\/credit\/\*\*"\?/m,
    );
    const decision = json(repo);
    expect(decision.deadPaths?.map((f) => [f.rule, f.severity, f.field])).toEqual([
      ["glob-matches-no-file", "error", "systems[0].paths.model[0]"],
    ]);
  });

  it("reports the dead paths of the manifest as the change leaves it, among its errors", () => {
    const repo = demoOnBranch();
    repo.edit(".github/ai-governance.yml", '"data/credit/**"', '"data/credt/**"');
    repo.commitAll("typo in the manifest");
    const run = repo.aigate(["check", "--base", "main"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "the manifest as changed here is invalid (it takes effect only once merged):",
    );
    expect(run.stdout).toContain(
      '"data/credt/**" matches no file — did you mean "data/credit/**"?',
    );
  });
});

describe("aigate check: rough edges", () => {
  it("says when the assessment change is uncommitted, and what to run", () => {
    const repo = demoOnBranch();
    repo.write("models/credit/weights.json", '{"bias": 0}\n');
    repo.write("data/credit/extra.csv", "income,debt\n1,2\n");
    repo.commitAll("retrain");
    repo.edit(
      "governance/assessments/credit-scoring.yml",
      'assessed_at: "2026-09-15"',
      'assessed_at: "2026-11-20"',
    );
    const run = repo.aigate(["check", "--base", "main"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "note: governance/assessments/credit-scoring.yml has changes not committed yet. check compares commits (main...HEAD), so the change counts once it is committed: git add governance/assessments/credit-scoring.yml && git commit",
    );
  });

  it("says nothing about uncommitted changes when the assessment is committed", () => {
    const repo = demoOnBranch();
    repo.write("models/credit/weights.json", '{"bias": 0}\n');
    repo.commitAll("retrain");
    const run = repo.aigate(["check", "--base", "main"]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("not committed yet");
  });

  it("in a shallow clone whose history stops before the merge base, says so and what to run", () => {
    const origin = TempRepo.fromDemo();
    repos.push(origin);
    origin.branch("feature");
    origin.write("models/credit/weights.json", '{"bias": 0}\n');
    origin.commitAll("retrain");
    origin.git("checkout", "-q", "main");
    origin.write("README.md", "main moved on\n");
    origin.commitAll("main moves on");
    const clone = new TempRepo("aigate-shallow-");
    repos.push(clone);
    clone.git(
      "clone",
      "-q",
      "--depth",
      "1",
      "--no-single-branch",
      `file://${origin.dir}`,
      clone.dir,
    );
    clone.git("checkout", "-q", "feature");
    const run = clone.aigate(["check", "--base", "origin/main"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("share no history");
    expect(run.stderr).toContain(
      "This clone is shallow, so its history may stop before the merge base: fetch the full history with 'git fetch --unshallow' (in GitHub Actions, give actions/checkout 'fetch-depth: 0').",
    );
  });

  it("--json errors are JSON on standard output (exit 2)", () => {
    const repo = demoOnBranch();
    const run = repo.aigate(["check", "--base", "nope", "--json"]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error: "base nope is not a commit here: pass --base REF (a branch, tag or commit)",
    });
    const unknown = repo.aigate(["check", "--json", "--bogus"]);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toEqual({ error: "unknown option '--bogus'" });
  });

  it("an invalid base manifest says so, and never 'No AI systems affected'", () => {
    const repo = invalidManifestOnMain();
    repo.write("models/x.onnx", "x");
    repo.commitAll("x");
    const run = repo.aigate(["check", "--base", "main"]);
    expect(run.code).toBe(2);
    expect(run.stdout).not.toContain("No AI systems affected");
    expect(run.stdout).toContain(
      "AI systems affected: unknown until the manifest on the base is fixed.",
    );
    expect(run.stdout).toContain(
      "AI governance: risk assessment - FAIL: Invalid governance manifest",
    );
  });
});
