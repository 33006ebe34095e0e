import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GITHUB_ACTIONS_APP,
  type GitHubSim,
  governedRepository,
  type SimRepo,
  startGitHubSimulator,
  systemId,
} from "../../sim/index.js";
import { main } from "../../src/cli/index.js";
import {
  createSigner,
  generateKeyPair,
  jwksFrom,
  renderAttestationComment,
  statementFor,
} from "../../src/core/attestation/index.js";
import type { Register } from "../../src/core/register/index.js";
import { ASSESSMENT_CHECK_NAME, OVERSIGHT_CHECK_NAME } from "../../src/core/report/index.js";
import { createKeylessSigner } from "../../src/sigstore/sign.js";
import { oversightSummary } from "../core/attestation/helpers.js";
import { actionsToken, startMockSigstore } from "../support/sigstore.js";

const TOKEN = "ghp_registertesttoken0123456789abcdefABCD";
const NOW = "2026-11-27T12:00:00Z";

let sim: GitHubSim;
let dir: string;

beforeAll(async () => {
  sim = await startGitHubSimulator();
  dir = mkdtempSync(join(tmpdir(), "aigate-register-"));
});

afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function aigate(
  args: string[],
  env: NodeJS.ProcessEnv = { GITHUB_TOKEN: TOKEN, GITHUB_API_URL: sim.apiUrl },
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "aigate", ...args], {
    cwd: dir,
    env: { AIGATE_NOW: NOW, ...env },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** Replaces commit shas and request ids (they depend on the order of requests) for snapshots. */
function normalise(register: Register): Register {
  const text = JSON.stringify(register)
    .replace(/"commit":"[0-9a-f]{40}"/g, '"commit":"<commit>"')
    .replace(/ at [0-9a-f]{12}:/g, " at <commit>:")
    .replace(/request id 5150:[0-9A-F]+:SIM/g, "request id <id>");
  return JSON.parse(text) as Register;
}

/**
 * Organisation `regorg`: one repository of each case the register must name, plus a healthy one.
 * The token cannot read `regorg/secret`.
 */
function organisation(org: string): void {
  sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
  governedRepository(sim, org, "healthy", { systems: 2 });
  governedRepository(sim, org, "overdue", { systems: 1, reviewBy: "2026-11-01" });
  governedRepository(sim, org, "due-soon", { systems: 1, reviewBy: "2026-12-15" });
  const broken = sim.state.createRepo({ owner: org, name: "broken" });
  broken.commit("main", { files: { ".github/ai-governance.yml": "systems: [\n  - id: x\n" } });
  const plain = sim.state.createRepo({ owner: org, name: "plain" });
  plain.commit("main", { files: { "README.md": "no AI here\n" } });
  governedRepository(sim, org, "attic").archived = true;
  sim.state.createRepo({ owner: org, name: "fresh" });
  governedRepository(sim, org, "secret");
  const other = governedRepository(sim, org, "mixed-up", { systems: 1 });
  other.commit("main", {
    files: {
      [`governance/assessments/${systemId("mixed-up", 0)}.yml`]: (
        other.fileAt("main", `governance/assessments/${systemId("mixed-up", 0)}.yml`)?.content ?? ""
      ).replace(`system: ${systemId("mixed-up", 0)}`, "system: someone-else"),
    },
  });
  sim.failNext((r) => r.path.includes(`/repos/${org}/secret/`), 403, 1_000, {
    message: "Resource not accessible by personal access token",
  });
}

describe("aigate register --org against the simulated GitHub", () => {
  let register: Register;
  let run: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    organisation("regorg");
    run = await aigate(["register", "--org", "regorg", "--no-cache"]);
    register = JSON.parse(run.stdout) as Register;
  });

  it("exits 1: an assessment is expired, another names another system, a manifest is invalid, a repository unreadable", () => {
    expect(run.code, run.stderr).toBe(1);
  });

  it("lists every system with its status, and names every repository without systems (snapshot)", () => {
    expect(register.systems.map((s) => [s.repository, s.system, s.assessment.status])).toEqual([
      ["regorg/due-soon", "due-soon-model-1", "expiring"],
      ["regorg/healthy", "healthy-model-1", "current"],
      ["regorg/healthy", "healthy-model-2", "current"],
      ["regorg/mixed-up", "mixed-up-model-1", "invalid"],
      ["regorg/overdue", "overdue-model-1", "expired"],
    ]);
    expect(register.problems.map((p) => [p.repository, p.kind])).toEqual([
      ["regorg/attic", "archived"],
      ["regorg/broken", "invalid_manifest"],
      ["regorg/fresh", "empty"],
      ["regorg/plain", "not_governed"],
      ["regorg/secret", "unreadable"],
    ]);
    expect(register.problems[4]?.reason).toMatch(
      /^the token may not read it: GitHub 403 on GET \/repos\/regorg\/secret\/git\/ref\/heads%2Fmain \(request id 5150:[0-9A-F]+:SIM\)$/,
    );
    expect(register.source).toEqual({ kind: "github", description: "organisation regorg" });
    expect(normalise(register)).toMatchSnapshot();
  });

  it("shows progress on standard error, one line a repository when it is not a terminal", () => {
    expect(run.stderr).toContain("aigate: reading organisation regorg: 9 repository(ies)\n");
    expect(run.stderr.match(/^aigate: \[\d+\/9\] regorg\//gm)).toHaveLength(9);
    expect(run.stderr).not.toContain(TOKEN);
  });
});

describe("aigate register --repo", () => {
  it("reads only the repositories named, and names one the token cannot see", async () => {
    sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
    governedRepository(sim, "named", "one", { systems: 1 });
    governedRepository(sim, "named", "two", { systems: 3 });
    const run = await aigate([
      "register",
      "--repo",
      "named/one",
      "--repo",
      "named/nowhere",
      "--no-cache",
      "--format",
      "md",
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("| named/one | one-model-1 |");
    expect(run.stdout).not.toContain("named/two");
    expect(run.stdout).toMatch(
      /\| named\/nowhere \| unreadable \| not found, or the token cannot read it: GitHub 404 on GET \/repos\/named\/nowhere/,
    );
  });
});

describe("aigate register: requests per repository, with the cache", () => {
  it("costs one conditional request per repository when nothing changed, answered 304", async () => {
    sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
    for (let i = 0; i < 5; i++) governedRepository(sim, "cached", `r${i}`, { systems: 5 });
    const cache = join(dir, "cache");
    const args = ["register", "--org", "cached", "--cache-dir", cache];

    let mark = sim.requests.length;
    const first = await aigate(args);
    expect(first.code, first.stderr).toBe(0);
    const cold = sim.requests.slice(mark);
    // list (1) + per repository: head, tree, manifest blob, 5 assessment blobs.
    expect(cold.length).toBe(1 + 5 * 8);

    mark = sim.requests.length;
    const second = await aigate(args);
    const warm = sim.requests.slice(mark);
    expect(second.stdout).toBe(first.stdout);
    expect(warm.map((r) => r.operationId)).toEqual([
      "repos/list-for-org",
      ...Array(5).fill("git/get-ref"),
    ]);
    expect(warm.filter((r) => r.status === 304)).toHaveLength(5);

    // One assessment changes: one head, one tree, one blob more for that repository.
    sim.state.repo("cached", "r2")?.commit("main", {
      files: {
        [`governance/assessments/${systemId("r2", 0)}.yml`]: (
          sim.state
            .repo("cached", "r2")
            ?.fileAt("main", `governance/assessments/${systemId("r2", 0)}.yml`)?.content ?? ""
        ).replace("review_by: 2027-06-30", "review_by: 2027-07-31"),
      },
    });
    mark = sim.requests.length;
    const third = await aigate(args);
    const changed = sim.requests.slice(mark).filter((r) => r.status !== 304);
    expect(changed.map((r) => r.operationId)).toEqual([
      "repos/list-for-org",
      "git/get-ref",
      "git/get-tree",
      "git/get-blob",
    ]);
    expect(
      (JSON.parse(third.stdout) as Register).systems.find((s) => s.system === systemId("r2", 0))
        ?.assessment.review_by,
    ).toBe("2027-07-31");
  });

  it("falls back to the contents API when GitHub cuts a large tree", async () => {
    sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
    governedRepository(sim, "huge", "monorepo", { systems: 2 });
    sim.state.treeEntryLimit = 3;
    try {
      const run = await aigate(["register", "--repo", "huge/monorepo", "--no-cache"]);
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as Register).totals.by_status.current).toBe(2);
    } finally {
      sim.state.treeEntryLimit = 100_000;
    }
  });
});

describe("aigate register --with-approvals", () => {
  it("adds the last merged change whose verified attestations approve each system", async () => {
    sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
    const repo = governedRepository(sim, "approving", "models", { systems: 2 });
    const first = systemId("models", 0);
    const key = generateKeyPair();
    const signer = createSigner(key.privateKeyPem);
    writeFileSync(join(dir, "jwks.json"), JSON.stringify(jwksFrom([key.publicKeyPem])));
    const base = repo.resolveRef("main") ?? "";
    const head = repo.commit("tune", {
      files: { [`models/${first}/model.py`]: "weights = 42\n" },
      author: "dave",
    });
    const pr = repo.openPullRequest({ head: "tune", author: "dave", title: "Tune model 1" });
    const review = pr.addReview({ user: "alice", state: "APPROVED" });
    const alice = sim.state.user("alice");
    const statement = statementFor({
      decision: "approved",
      repository: { id: repo.id, full_name: repo.fullName },
      pull_request: { number: pr.number, base_ref: "main", base_sha: base, head_sha: head },
      manifest: { path: ".github/ai-governance.yml", base_sha: base, sha256: "a".repeat(64) },
      assessments: [],
      systems: [{ id: first, reason: "listed user" }],
      approver: { id: alice.id, login: alice.login },
      source: { kind: "review", id: review.id, at: review.submittedAt, commit: head },
      issuer: { kind: "app", key_id: signer.keyId },
      issued_at: "2026-06-30T09:00:00Z",
      prev: null,
    });
    const signed = signer.sign(statement);
    repo.addComment(pr.number, {
      user: sim.state.appBot,
      body: renderAttestationComment(signed.envelope, statement),
    });
    pr.merge("dave");

    const run = await aigate([
      "register",
      "--repo",
      "approving/models",
      "--with-approvals",
      "--jwks",
      "jwks.json",
      "--no-cache",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const register = JSON.parse(run.stdout) as Register;
    expect(register.with_approvals).toBe(true);
    expect(
      register.systems.map((s) => [s.system, s.last_approved_change?.pull_request ?? null]),
    ).toEqual([
      [first, pr.number],
      [systemId("models", 1), null],
    ]);
    expect(register.systems[0]?.last_approved_change).toMatchObject({
      title: "Tune model 1",
      approvers: [{ login: "alice", id: alice.id }],
      attestations: [signed.digest],
    });
  });
});

describe("aigate register --with-approvals, keyless", () => {
  it("counts a bundle from an allowed workflow, with the same flags as aigate verify, and no other", async () => {
    const sigstore = await startMockSigstore();
    try {
      sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
      const repo = governedRepository(sim, "keyless", "models", { systems: 1 });
      const system = systemId("models", 0);
      const workflow = `${repo.fullName}/.github/workflows/aigate.yml`;
      writeFileSync(join(dir, "trusted_root.json"), JSON.stringify(sigstore.trustedRoot));
      const base = repo.resolveRef("main") ?? "";
      const head = repo.commit("tune", {
        files: { [`models/${system}/model.py`]: "weights = 7\n" },
        author: "dave",
      });
      const pr = repo.openPullRequest({ head: "tune", author: "dave", title: "Tune keyless" });
      const review = pr.addReview({ user: "alice", state: "APPROVED" });
      const alice = sim.state.user("alice");
      const statement = statementFor({
        decision: "approved",
        repository: { id: repo.id, full_name: repo.fullName },
        pull_request: { number: pr.number, base_ref: "main", base_sha: base, head_sha: head },
        manifest: { path: ".github/ai-governance.yml", base_sha: base, sha256: "a".repeat(64) },
        assessments: [],
        systems: [{ id: system, reason: "listed user" }],
        approver: { id: alice.id, login: alice.login },
        source: { kind: "review", id: review.id, at: review.submittedAt, commit: head },
        issuer: { kind: "action", signing: "sigstore" },
        issued_at: new Date().toISOString(),
        prev: null,
      });
      const signed = await createKeylessSigner({
        endpoints: { fulcioURL: sigstore.fulcioURL, rekorURL: sigstore.rekorURL },
        getToken: async () => actionsToken(workflow),
        entryType: "intoto",
      }).sign(statement);
      repo.addComment(pr.number, {
        user: "github-actions[bot]",
        body: renderAttestationComment(signed.envelope, statement, signed.bundle),
      });
      pr.merge("dave");

      const register = async (signer: string) => {
        const run = await aigate([
          "register",
          "--repo",
          "keyless/models",
          "--with-approvals",
          "--trusted-root",
          "trusted_root.json",
          "--signer-workflow",
          signer,
          "--no-cache",
        ]);
        expect(run.code, run.stderr).toBe(0);
        return (JSON.parse(run.stdout) as Register).systems[0]?.last_approved_change ?? null;
      };
      expect(await register(workflow)).toMatchObject({
        pull_request: pr.number,
        approvers: [{ login: "alice", id: alice.id }],
        attestations: [signed.digest],
      });
      expect(await register(workflow.replace("aigate.yml", "other.yml"))).toBeNull();
    } finally {
      await sigstore.close();
    }
  });

  it("refuses the keyless flags without --with-approvals, and --with-approvals with neither keys nor signers", async () => {
    const lone = await aigate([
      "register",
      "--repo",
      "keyless/models",
      "--signer-workflow",
      "a/b/.github/workflows/c.yml",
    ]);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toContain("use them with --with-approvals");
    const bare = await aigate(["register", "--repo", "keyless/models", "--with-approvals"]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("--signer-workflow or --manifest");
  });
});

describe("aigate register --with-check-runs", () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  let repo: SimRepo;
  let unchecked: number;

  /** A merged pull request; `runs` are written on its head by `writer` (the aigate App by default). */
  async function merged(
    title: string,
    runs: Array<{ name: string; conclusion: string; summary?: string; writer?: Octokit }>,
  ) {
    const branch = `change-${title.toLowerCase().replaceAll(" ", "-")}`;
    repo.commit(branch, { files: { [`models/${systemId("checked", 0)}/${branch}.py`]: "x\n" } });
    const pr = repo.openPullRequest({ head: branch, author: "dave", title });
    for (const run of runs) {
      await (run.writer ?? aigateApp).rest.checks.create({
        owner: repo.owner.login,
        repo: repo.name,
        name: run.name,
        head_sha: pr.headSha,
        status: "completed",
        conclusion: run.conclusion as "success",
        output: { title: run.conclusion, summary: run.summary ?? run.conclusion },
      });
    }
    pr.merge("dave");
    return pr;
  }

  let aigateApp: Octokit;
  beforeAll(async () => {
    sim.state.setNow(new Date("2026-06-30T09:00:00Z"));
    aigateApp = new Octokit({ baseUrl: sim.apiUrl, auth: "app-installation-token", log: quiet });
    sim.state.addToken("workflow-token", { app: GITHUB_ACTIONS_APP });
    const workflow = new Octokit({ baseUrl: sim.apiUrl, auth: "workflow-token", log: quiet });
    repo = governedRepository(sim, "checked", "checked", { systems: 1 });
    await merged("Approved", [
      { name: ASSESSMENT_CHECK_NAME, conclusion: "success" },
      {
        name: OVERSIGHT_CHECK_NAME,
        conclusion: "success",
        summary: oversightSummary(digest("a"), digest("b")),
      },
      // A workflow that writes runs with aigate's names is never counted.
      { name: OVERSIGHT_CHECK_NAME, conclusion: "failure", writer: workflow },
    ]);
    await merged("Merged while red", [
      { name: ASSESSMENT_CHECK_NAME, conclusion: "failure" },
      { name: OVERSIGHT_CHECK_NAME, conclusion: "action_required" },
    ]);
    unchecked = (await merged("Merged without aigate", [])).number;
    repo.commit("closed", { files: { "README.md": "closed\n" } });
    repo.openPullRequest({ head: "closed", author: "dave", title: "Closed" }).close();
  });

  it("counts what the aigate App's checks concluded on each merged pull request (JSON, Markdown)", async () => {
    const run = await aigate([
      "register",
      "--repo",
      repo.fullName,
      "--with-check-runs",
      "--no-cache",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as Register).check_runs?.repositories).toEqual([
      {
        repository: "checked/checked",
        pull_requests: 4,
        merged: 3,
        merged_with_both_checks: 2,
        risk_assessment: { success: 1, failure: 1, action_required: 0, other: 0, missing: 1 },
        human_oversight: { success: 1, failure: 0, action_required: 1, other: 0, missing: 1 },
        approvals_counted: 2,
        merged_with_counted_approvals: 1,
      },
    ]);
    const md = await aigate([
      "register",
      "--repo",
      repo.fullName,
      "--with-check-runs",
      "--no-cache",
      "--format",
      "md",
    ]);
    expect(md.stdout).toContain("## Check runs of recently merged pull requests");
    expect(md.stdout).toContain("| checked/checked | 3 | 2 | 1 | 1 | 0 | 2 |");
    expect(md.stderr).toContain("aigate: [1/1] checked/checked: 3 merged pull request(s)\n");
  });

  it("counts the runs of the App named by --app-slug instead", async () => {
    const run = await aigate([
      "register",
      "--repo",
      repo.fullName,
      "--with-check-runs",
      "--app-slug",
      "github-actions",
      "--no-cache",
    ]);
    const counts = (JSON.parse(run.stdout) as Register).check_runs;
    expect(counts?.app).toBe("github-actions");
    expect(counts?.totals.human_oversight).toMatchObject({ failure: 1, missing: 2 });
  });

  it("reads a merged pull request's runs until they have settled; the next run asks for the pull requests conditionally and reads only the unsettled one", async () => {
    const cache = join(dir, "checks-cache");
    const args = ["register", "--repo", repo.fullName, "--with-check-runs", "--cache-dir", cache];
    let mark = sim.requests.length;
    const first = await aigate(args);
    expect(first.code, first.stderr).toBe(0);
    const cold = sim.requests.slice(mark).map((r) => r.operationId);
    expect(cold.filter((op) => op === "checks/list-for-ref")).toHaveLength(3);

    mark = sim.requests.length;
    const second = await aigate(args);
    expect(second.stdout).toBe(first.stdout);
    const warm = sim.requests.slice(mark);
    expect(warm.map((r) => `${r.operationId} ${r.status}`)).toEqual([
      "repos/get 200",
      "git/get-ref 304",
      "pulls/list 304",
      // Its runs may still be written: a pull request without both checks is read every time.
      "checks/list-for-ref 200",
    ]);
    expect(warm.at(-1)?.path).toContain(
      `/commits/${repo.pullRequest(unchecked).headSha}/check-runs`,
    );
  });

  it("gives the SoA its counts", async () => {
    const run = await aigate([
      "soa",
      "--repo",
      repo.fullName,
      "--with-check-runs",
      "--no-cache",
      "--format",
      "csv",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      "human-oversight check by aigate on 3 pull request(s) merged among the last 50 closed of each governed repository: 1 success, 1 action required, 1 missing; 2 approval(s) counted, on 1 pull request(s)",
    );
  });

  it("stops with exit 2 and says which tokens can read check runs when GitHub refuses them", async () => {
    sim.failNext("checks/list-for-ref", 403, 1, {
      message: "Resource not accessible by personal access token",
    });
    const run = await aigate([
      "register",
      "--repo",
      repo.fullName,
      "--with-check-runs",
      "--no-cache",
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(
      /cannot read the merged pull requests of checked\/checked: GitHub 403 on GET \/repos\/checked\/checked\/commits\/[0-9a-f]{40}\/check-runs.*: the token cannot read check runs\. A fine-grained personal access token cannot be granted the Checks permission/,
    );
  });

  it.each([
    [
      ["--with-check-runs"],
      "--with-check-runs reads check runs of merged pull requests from GitHub",
    ],
    [["--repo", "a/b", "--app-slug", "gate"], "--app-slug names the App whose check runs count"],
    [["--repo", "a/b", "--with-check-runs", "--app-slug", "No Such"], "--app-slug No Such"],
    [
      ["--repo", "a/b", "--format", "csv", "--table", "checks"],
      "--table checks holds the check-run counts: add --with-check-runs",
    ],
  ])("refuses %j with exit 2", async (args, message) => {
    const run = await aigate(["register", ...args, "--no-cache"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe("aigate register --org: errors that stop the run (exit 2)", () => {
  it("for a token GitHub rejects", async () => {
    sim.failNext("repos/list-for-org", 401, 1, { message: "Bad credentials" });
    const run = await aigate(["register", "--org", "regorg", "--no-cache"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("GitHub rejected the token (401)");
    expect(run.stdout).toBe("");
  });

  it("for an organisation that does not exist", async () => {
    const run = await aigate(["register", "--org", "no-such-org", "--no-cache"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("no organisation or user no-such-org");
  });
});
