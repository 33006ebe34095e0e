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
      /systems\[0\]\.evidence\.model_card: .*docs\/model-cards\/credit-scoring\.md, does not exist/,
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

describe("aigate validate: paths that match no file", () => {
  it("a typo'd glob fails validate with the closest existing folder (exit 1)", () => {
    const repo = track(TempRepo.fromDemo());
    repo.edit(".github/ai-governance.yml", '"models/credit/**"', '"modles/credit/**"');
    const run = repo.aigate(["validate"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^\.github\/ai-governance\.yml:\d+:\d+: systems\[0\]\.paths\.model\[0\]: "modles\/credit\/\*\*" matches no file — did you mean "models\/credit\/\*\*"\?$/m,
    );
  });

  it("judges the tree git sees: an ignored file does not make a glob match", () => {
    const repo = track(TempRepo.fromDemo());
    repo.write(".gitignore", "weights/\n");
    repo.write("weights/churn.onnx", "binary");
    repo.edit(".github/ai-governance.yml", '"models/churn/**"', '"weights/**"');
    const run = repo.aigate(["validate"]);
    expect(run.stderr).toMatch(/"weights\/\*\*" matches no file/);
    expect(run.code).toBe(1);
  });

  it("warns, and passes, for a system in design whose files do not exist yet", () => {
    const repo = track(TempRepo.fromDemo());
    repo.edit(".github/ai-governance.yml", '"models/credit/**"', '"models/credit-v2/**"');
    repo.edit(".github/ai-governance.yml", "lifecycle: production", "lifecycle: design");
    const run = repo.aigate(["validate"]);
    expect(run.stderr).toMatch(
      /^warning: .*"models\/credit-v2\/\*\*" matches no file .*\(a warning: credit-scoring is in design: nothing is built yet\)$/m,
    );
    expect(run.stdout).toMatch(/^valid \(1 warning\(s\)\): /m);
    expect(run.code).toBe(0);
  });

  it("names a glob that is not valid glob syntax at its line", () => {
    const repo = track(TempRepo.fromDemo());
    repo.edit(".github/ai-governance.yml", '"models/credit/**"', '"models/credit/*.{json"');
    const run = repo.aigate(["validate"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /ai-governance\.yml:\d+:\d+: systems\[0\]\.paths\.model\[0\]: "models\/credit\/\*\.\{json" is not a valid glob/,
    );
  });
});

describe("aigate validate: what kind of file it is", () => {
  it("recognises an assessment file by its content instead of reporting manifest errors", () => {
    const repo = track(TempRepo.fromDemo());
    const run = repo.aigate(["validate", "governance/assessments/credit-scoring.yml"]);
    expect(run.stdout).toContain("valid: governance/assessments/credit-scoring.yml");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("reports an assessment's own errors, located in it", () => {
    const repo = track(TempRepo.fromDemo());
    repo.edit("governance/assessments/credit-scoring.yml", "likelihood: 2", "likelihood: 9");
    const run = repo.aigate(["validate", "governance/assessments/credit-scoring.yml"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^governance\/assessments\/credit-scoring\.yml:\d+:\d+: harms\[1\]\.likelihood: must be at most 5/m,
    );
  });

  it("validates the file as the kind --kind names", () => {
    const repo = track(TempRepo.fromDemo());
    const asManifest = repo.aigate([
      "validate",
      "--kind",
      "manifest",
      "governance/assessments/credit-scoring.yml",
    ]);
    expect(asManifest.code).toBe(1);
    expect(asManifest.stderr).toContain('missing required key "governance"');
    const asAssessment = repo.aigate(["validate", "--kind", "assessment", "docs/ai-policy.md"]);
    expect(asAssessment.code).toBe(1);
    expect(asAssessment.stderr).toContain("docs/ai-policy.md");
  });

  it("refuses a kind it does not know (exit 2), listing the kinds", () => {
    const repo = track(TempRepo.fromDemo());
    const run = repo.aigate(["validate", "--kind", "asessment"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Allowed choices are manifest, assessment, policy");
  });
});

describe("aigate validate --json errors", () => {
  it("are JSON on standard output, with exit 2", () => {
    const repo = track(new TempRepo());
    repo.git("init", "-q");
    const run = repo.aigate(["validate", "--json"]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error:
        "no manifest at .github/ai-governance.yml: run 'aigate init --scan' to propose one, or pass its path",
    });
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
      "valid (2 warning(s)): .github/ai-governance.yml, governance/assessments/loan-chat.yml",
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

  it("--tier hihg is refused with the suggestion validate gives", () => {
    const repo = track(new TempRepo());
    repo.git("init", "-q");
    const run = repo.aigate(["init", "--tier", "hihg", "--approver", "a", "--owner", "acme/gov"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'aigate: --tier hihg: expected one of minimal, limited, high, prohibited, got "hihg" — did you mean "high"?\n',
    );
    expect(repo.aigate(["validate"]).code).toBe(2);
  });

  it("--owner that is not a team is refused with validate's message, writing nothing", () => {
    const repo = track(new TempRepo());
    repo.git("init", "-q");
    const run = repo.aigate(["init", "--approver", "alice", "--owner", "acme"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "aigate: --owner acme: a team is written org/team-slug, e.g. acme/model-risk\n",
    );
    expect(run.stdout).toBe("");
  });

  it("names each bad value and the flag it came from", () => {
    const repo = track(new TempRepo());
    repo.git("init", "-q");
    const run = repo.aigate([
      "init",
      "--system",
      "My Model",
      "--approver",
      "alice",
      "--approver",
      "not a login",
      "--owner",
      "acme/gov",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "aigate: --system My Model: a system id uses lowercase letters, digits and '-', e.g. credit-scoring",
    );
    expect(run.stderr).toContain(
      "aigate: --approver not a login: a user is a GitHub login, e.g. alice",
    );
  });

  it("every scaffold passes validate as written, for every tier", () => {
    for (const tier of ["minimal", "limited", "high", "prohibited"]) {
      const repo = track(new TempRepo());
      repo.git("init", "-q");
      const init = repo.aigate([
        "init",
        "--tier",
        tier,
        "--team",
        "acme/model-risk",
        "--owner",
        "acme/gov",
      ]);
      expect(init.code, `${tier}: ${init.stderr}`).toBe(0);
      const validate = repo.aigate(["validate"]);
      expect(validate.code, `${tier}: ${validate.stderr}`).toBe(0);
    }
  });

  it("scaffolds a system in design whose paths are warnings until its files exist", () => {
    const repo = track(new TempRepo());
    repo.git("init", "-q");
    repo.aigate(["init", "--system", "loan-chat", "--approver", "alice", "--owner", "acme/gov"]);
    expect(repo.read(".github/ai-governance.yml")).toContain("lifecycle: design");
    const validate = repo.aigate(["validate"]);
    expect(validate.stderr).toContain("warning: .github/ai-governance.yml:");
    expect(validate.stderr).toContain('"models/loan-chat/**" matches no file');
  });

  it("suggests --scan when the repository has files that the scaffold's paths miss", () => {
    const repo = track(new TempRepo());
    repo.git("init", "-q");
    repo.write("models/fraud/model.onnx", "weights");
    repo.commitAll("model");
    const run = repo.aigate(["init", "--approver", "alice", "--owner", "acme/gov"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "hint: this repository has 1 file(s), and the paths above match none of them: 'aigate init --scan' proposes systems",
    );
  });
});
