import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type GitHubSim, startGitHubSimulator } from "../../sim/index.js";
import { TempRepo } from "../support/git-repo.js";
import { type CliRun, runCli } from "../support/run-cli.js";

const TOKEN = "ghp_policytesttoken0123456789abcdefABCDEF";
const POLICY_PATH = "ai-governance/policy.yml";
const POLICY = [
  "version: 1",
  "governance:",
  "  owners: { teams: [acme/compliance] }",
  "defaults:",
  "  invalidate_on_push: governed",
  "  tiers:",
  "    high: { approvals: 2, evidence: [model_card, data_sheet] }",
  "",
].join("\n");
const STRICTER = POLICY.replace("approvals: 2,", "approvals: 3,");
const NO_TOKEN = { GITHUB_TOKEN: "", GH_TOKEN: "" };

let sim: GitHubSim;
const repos: TempRepo[] = [];

beforeAll(async () => {
  sim = await startGitHubSimulator();
});
afterAll(async () => {
  await sim.stop();
});
afterEach(() => {
  for (const repo of repos.splice(0)) repo.remove();
});

/** The demo repository, its manifest extending the organisation policy at `ref`. */
function extendingRepo(ref: string): TempRepo {
  const repo = TempRepo.fromDemo();
  repos.push(repo);
  repo.edit(
    ".github/ai-governance.yml",
    "version: 1\n",
    `version: 1\nextends: acme/.github:${POLICY_PATH}@${ref}\n`,
  );
  return repo;
}

function aigate(
  repo: TempRepo,
  args: string[],
  env: NodeJS.ProcessEnv = NO_TOKEN,
): Promise<CliRun> {
  return runCli(args, repo.dir, env);
}

let orgCounter = 0;

/** An organisation's `.github` repository holding `policy` on main; returns its owner and commit. */
function policyRepository(policy: string): { owner: string; commit: string } {
  const owner = `acme${++orgCounter}`;
  const repo = sim.state.createRepo({ owner, name: ".github" });
  const commit = repo.commit("main", { files: { [POLICY_PATH]: policy }, author: "carol" });
  return { owner, commit };
}

function viaApi(repo: TempRepo, owner: string): void {
  repo.edit(".github/ai-governance.yml", "extends: acme/", `extends: ${owner}/`);
}

const apiEnv = () => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: sim.apiUrl });

describe("aigate validate, for a manifest that extends an organisation policy", () => {
  const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";

  it("takes the policy from --policy-file and validates the manifest under it", async () => {
    const repo = extendingRepo(SHA);
    repo.write("org-policy.yml", POLICY);
    const run = await aigate(repo, ["validate", "--policy-file", "org-policy.yml"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("valid: .github/ai-governance.yml, org-policy.yml, ");
    expect(run.code).toBe(0);
  });

  it("exits 1 when the manifest loosens the policy, naming both places", async () => {
    const repo = extendingRepo(SHA);
    repo.write("org-policy.yml", STRICTER);
    const run = await aigate(repo, ["validate", "--policy-file", "org-policy.yml"]);
    expect(run.stderr).toMatch(
      /^\.github\/ai-governance\.yml:\d+:\d+: systems\[0\]\.approvals: 2 for credit-scoring is fewer than the organisation policy requires of tier high \(org-policy\.yml line 7 sets defaults\.tiers\.high\.approvals: 3\); a repository may raise it, never lower it$/m,
    );
    expect(run.code).toBe(1);
  });

  it("exits 2 without --policy-file or GITHUB_TOKEN, saying what is missing", async () => {
    const repo = extendingRepo(SHA);
    const run = await aigate(repo, ["validate"]);
    expect(run.stderr).toBe(
      `aigate: the manifest extends the organisation policy acme/.github:${POLICY_PATH}@${SHA}: pass a copy with --policy-file FILE, or set GITHUB_TOKEN to a token that can read acme/.github\n`,
    );
    expect(run.code).toBe(2);
  });

  it("exits 2 when --policy-file cannot be read", async () => {
    const repo = extendingRepo(SHA);
    const run = await aigate(repo, ["validate", "--policy-file", "nowhere.yml"]);
    expect(run.stderr).toBe(
      "aigate: --policy-file nowhere.yml cannot be read: pass the policy's path\n",
    );
    expect(run.code).toBe(2);
  });

  it("reads the policy through the API when GITHUB_TOKEN is set", async () => {
    const { owner, commit } = policyRepository(POLICY);
    const repo = extendingRepo(commit);
    viaApi(repo, owner);
    const run = await aigate(repo, ["validate"], apiEnv());
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain(
      `valid: .github/ai-governance.yml, ${owner}/.github:${POLICY_PATH}, `,
    );
    expect(run.code).toBe(0);
  });

  it("warns, without failing, when REF is a branch rather than a commit SHA", async () => {
    const { owner } = policyRepository(POLICY);
    const repo = extendingRepo("main");
    viaApi(repo, owner);
    const run = await aigate(repo, ["validate", "--json"], apiEnv());
    const result = JSON.parse(run.stdout) as { valid: boolean; warnings: { message: string }[] };
    expect(result.valid).toBe(true);
    expect(result.warnings.map((w) => w.message)).toEqual([
      'the organisation policy is not pinned: "main" is a branch or tag, so the policy can change without a change here; pin it to a full commit SHA',
    ]);
    expect(run.code).toBe(0);
  });

  it("exits 2 naming the policy and the call when the API cannot give it", async () => {
    const { owner } = policyRepository(POLICY);
    const repo = extendingRepo("no-such-branch");
    viaApi(repo, owner);
    const run = await aigate(repo, ["validate"], apiEnv());
    expect(run.stderr).toMatch(
      new RegExp(
        `^aigate: the organisation policy ${owner}/\\.github:${POLICY_PATH}@no-such-branch could not be read: GitHub \\d{3} on GET /repos/${owner}/\\.github/commits/no-such-branch \\(request id [^)]+\\); check that GITHUB_TOKEN can read ${owner}/\\.github, or pass a copy with --policy-file FILE$`,
        "m",
      ),
    );
    expect(run.code).toBe(2);
  });

  it("reports an invalid policy at the manifest's extends line and at the policy's own lines", async () => {
    const repo = extendingRepo(SHA);
    repo.write("org-policy.yml", `${POLICY}systems: []\n`);
    const run = await aigate(repo, ["validate", "--policy-file", "org-policy.yml"]);
    expect(run.stderr).toContain(
      `.github/ai-governance.yml:5:10: extends: the organisation policy acme/.github:${POLICY_PATH}@${SHA} is invalid (1 error in org-policy.yml)`,
    );
    expect(run.stderr).toContain(
      "org-policy.yml:8:10: systems: an organisation policy declares no systems",
    );
    expect(run.code).toBe(1);
  });

  it("notes a --policy-file that a manifest without extends does not use", async () => {
    const repo = TempRepo.fromDemo();
    repos.push(repo);
    repo.write("org-policy.yml", POLICY);
    const run = await aigate(repo, ["validate", "--policy-file", "org-policy.yml"]);
    expect(run.stdout).toContain(
      "note: --policy-file org-policy.yml is not used: .github/ai-governance.yml extends no organisation policy",
    );
    expect(run.code).toBe(0);
  });
});

describe("aigate validate --kind policy", () => {
  it("validates an organisation policy file", async () => {
    const repo = TempRepo.fromDemo();
    repos.push(repo);
    repo.write("policy.yml", POLICY);
    const run = await aigate(repo, ["validate", "--kind", "policy", "policy.yml"]);
    expect(run.stdout).toBe("valid: policy.yml\n");
    expect(run.code).toBe(0);
  });

  it("exits 1 for a policy that declares systems or extends another", async () => {
    const repo = TempRepo.fromDemo();
    repos.push(repo);
    repo.write("policy.yml", `${POLICY}extends: acme/base:policy.yml@main\nsystems: []\n`);
    const run = await aigate(repo, ["validate", "--kind", "policy", "policy.yml"]);
    expect(run.stderr).toBe(
      [
        "policy.yml:8:10: extends: an organisation policy cannot extend another policy: there is one level, a repository's manifest extends a policy",
        "policy.yml:9:10: systems: an organisation policy declares no systems: each repository lists its own AI systems in its manifest",
        "",
      ].join("\n"),
    );
    expect(run.code).toBe(1);
  });

  it("exits 2 without the file, or for a kind it does not know", async () => {
    const repo = TempRepo.fromDemo();
    repos.push(repo);
    const missing = await aigate(repo, ["validate", "--kind", "policy"]);
    expect(missing.stderr).toContain("--kind policy needs the policy file");
    expect(missing.code).toBe(2);
    const unknown = await aigate(repo, ["validate", "--kind", "polcy", "x.yml"]);
    expect(unknown.stderr).toContain("Allowed choices are manifest, assessment, policy");
    expect(unknown.code).toBe(2);
  });
});

describe("aigate check, for a manifest that extends an organisation policy", () => {
  const SHA = "3f786850e387550fdab836ed7e6dc881de23001b";
  const NOW = { ...NO_TOKEN, AIGATE_NOW: "2026-11-27T12:00:00Z" };

  /** The extending manifest committed on main, and a retrain with its re-assessment on a branch. */
  function retrain(): TempRepo {
    const repo = extendingRepo(SHA);
    repo.commitAll("extend the organisation policy");
    repo.branch("feature");
    repo.write("models/credit/weights.json", '{"bias": 0}\n');
    repo.edit(
      "governance/assessments/credit-scoring.yml",
      'assessed_at: "2026-09-15"',
      'assessed_at: "2026-11-20"',
    );
    repo.commitAll("retrain and re-assess");
    return repo;
  }

  it("evaluates under the policy from --policy-file and names it", async () => {
    const repo = retrain();
    repo.write("org-policy.yml", STRICTER.replace("approvals: 3,", "approvals: 2,"));
    const run = await aigate(
      repo,
      ["check", "--base", "main", "--policy-file", "org-policy.yml"],
      NOW,
    );
    expect(run.stdout).toContain(
      `organisation policy: acme/.github:${POLICY_PATH}@${SHA} (${SHA.slice(0, 7)}, sha256 `,
    );
    expect(run.stdout).toContain("AI governance: risk assessment - PASS");
    expect(run.code).toBe(0);
  });

  it("exits 2 with the located loosening when the base manifest loosens the policy", async () => {
    const repo = retrain();
    repo.write("org-policy.yml", STRICTER);
    const run = await aigate(
      repo,
      ["check", "--base", "main", "--policy-file", "org-policy.yml"],
      NOW,
    );
    expect(run.stdout).toContain(
      "systems[0].approvals: 2 for credit-scoring is fewer than the organisation policy requires of tier high (org-policy.yml line 7 sets defaults.tiers.high.approvals: 3)",
    );
    expect(run.code).toBe(2);
  });

  it("exits 2 without --policy-file or GITHUB_TOKEN, saying what is missing", async () => {
    const run = await aigate(retrain(), ["check", "--base", "main"], NOW);
    expect(run.stderr).toContain(
      `aigate: the manifest extends the organisation policy acme/.github:${POLICY_PATH}@${SHA}: pass a copy with --policy-file FILE, or set GITHUB_TOKEN`,
    );
    expect(run.code).toBe(2);
  });
});
