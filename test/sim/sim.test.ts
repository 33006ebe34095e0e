import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAppAuth } from "@octokit/auth-app";
import { RequestError } from "@octokit/request-error";
import { Octokit } from "@octokit/rest";
import { createNodeMiddleware, Webhooks } from "@octokit/webhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blobSha,
  checkRunRerequestedEvent,
  deliver,
  GITHUB_ACTIONS_APP,
  type GitHubSim,
  issueCommentEvent,
  PULL_FILES_CAP,
  pullRequestEvent,
  pullRequestReviewEvent,
  type SimRepo,
  startGitHubSimulator,
} from "../../sim/index.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let sim: GitHubSim;
let gh: Octokit;
let repoCounter = 0;

beforeAll(async () => {
  sim = await startGitHubSimulator();
  gh = new Octokit({ baseUrl: sim.apiUrl, auth: "test-token", log: quiet });
});

afterAll(async () => {
  await sim.stop();
});

const MANIFEST = "version: 1\nsystems: []\n";

/** A repository whose `main` has a manifest and a model file, and a `feature` branch PR. */
function governedRepo(
  featureFiles: Record<string, string | null> = { "models/credit/model.py": "v2\n" },
) {
  const name = `repo-${++repoCounter}`;
  const repo = sim.state.createRepo({ owner: "acme", name });
  const baseSha = repo.commit("main", {
    files: { ".github/ai-governance.yml": MANIFEST, "models/credit/model.py": "v1\n" },
    author: { login: "carol" },
    message: "Initial commit",
  });
  const headSha = repo.commit("feature", {
    files: featureFiles,
    author: { login: "dave" },
    message: "Change the model",
  });
  const pr = repo.openPullRequest({ head: "feature", base: "main", author: "dave", title: "Tune" });
  return { repo, name, baseSha, headSha, pr, owner: "acme" };
}

function manyFiles(n: number): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`data/f${String(i).padStart(5, "0")}.csv`, `${i}\n`]),
  );
}

const opsSince = (mark: number) => sim.requests.slice(mark).map((r) => r.operationId);

describe("app installation authentication", () => {
  it("issues an installation token for any JWT, and requests with it act as the app's bot", async () => {
    const { repo, name, pr } = governedRepo();
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const appOctokit = new Octokit({
      baseUrl: sim.apiUrl,
      authStrategy: createAppAuth,
      auth: { appId: sim.state.app.id, privateKey, installationId: repo.installationId },
      log: quiet,
    });
    const mark = sim.requests.length;
    const { data } = await appOctokit.issues.createComment({
      owner: "acme",
      repo: name,
      issue_number: pr.number,
      body: "hello",
    });
    expect(opsSince(mark)).toEqual([
      "apps/create-installation-access-token",
      "issues/create-comment",
    ]);
    expect(data.user?.login).toBe("aigate[bot]");
    expect(data.user?.type).toBe("Bot");
    expect(data.performed_via_github_app?.slug).toBe("aigate");
  });

  it("refuses a token for an installation that does not exist", async () => {
    await expect(
      gh.apps.createInstallationAccessToken({ installation_id: 424242 }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it("finds the installation of a repository and 404s for an unknown one", async () => {
    const { repo, name } = governedRepo();
    const { data } = await gh.apps.getRepoInstallation({ owner: "acme", repo: name });
    expect(data.id).toBe(repo.installationId);
    expect(data.app_id).toBe(sim.state.app.id);
    await expect(
      gh.apps.getRepoInstallation({ owner: "acme", repo: "missing" }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it("describes the authenticated app", async () => {
    const { data } = await gh.apps.getAuthenticated();
    expect(data?.slug).toBe("aigate");
  });
});

describe("pull requests", () => {
  it("serves a pull request with its head and base commits", async () => {
    const { name, pr, baseSha, headSha } = governedRepo();
    const { data } = await gh.pulls.get({ owner: "acme", repo: name, pull_number: pr.number });
    expect(data.number).toBe(pr.number);
    expect(data.head).toMatchObject({ ref: "feature", sha: headSha });
    expect(data.base).toMatchObject({ ref: "main", sha: baseSha });
    expect(data.user.login).toBe("dave");
    expect(data.changed_files).toBe(1);
    expect(data.base.repo.full_name).toBe(`acme/${name}`);
  });

  it("moves the head when the head branch gets a commit", async () => {
    const { repo, name, pr } = governedRepo();
    const next = repo.commit("feature", { files: { "notes.md": "x\n" }, author: "dave" });
    const { data } = await gh.pulls.get({ owner: "acme", repo: name, pull_number: pr.number });
    expect(data.head.sha).toBe(next);
    expect(data.commits).toBe(2);
  });

  it("merges into the base branch with a merge commit and closes the pull request", async () => {
    const { repo, name, pr, headSha } = governedRepo();
    const mainHead = repo.commit("main", { files: { "README.md": "meanwhile\n" } });
    const mergeSha = pr.merge();
    expect(repo.getCommit(mergeSha).parents).toEqual([mainHead, headSha]);
    expect(repo.fileAt("main", "models/credit/model.py")?.content).toBe("v2\n");
    expect(repo.fileAt("main", "README.md")?.content).toBe("meanwhile\n");
    const { data } = await gh.pulls.get({ owner: "acme", repo: name, pull_number: pr.number });
    expect(data).toMatchObject({ state: "closed", merged: true });
    expect(pullRequestEvent("closed", repo, pr)).toMatchObject({ pull_request: { merged: true } });
  });

  it("keeps the base's changes out of the files after the base is merged into the head", async () => {
    const { repo, name, pr } = governedRepo();
    repo.commit("main", { files: { "docs/ai-policy.md": "policy\n" } });
    const update = repo.merge("main", "feature", { author: "dave" });
    expect(pr.headSha).toBe(update);
    expect(repo.fileAt("feature", "docs/ai-policy.md")?.content).toBe("policy\n");
    const { data } = await gh.pulls.listFiles({
      owner: "acme",
      repo: name,
      pull_number: pr.number,
    });
    expect(data.map((f) => f.filename)).toEqual(["models/credit/model.py"]);
  });

  it("answers 404 for a pull request that does not exist", async () => {
    const { name } = governedRepo();
    await expect(
      gh.pulls.get({ owner: "acme", repo: name, pull_number: 999 }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it("lists pull requests filtered by state and head", async () => {
    const { repo, name, pr } = governedRepo();
    repo.commit("other", { files: { "x.md": "x\n" } });
    const other = repo.openPullRequest({ head: "other", author: "erin" });
    other.close();
    const open = await gh.pulls.list({ owner: "acme", repo: name });
    expect(open.data.map((p) => p.number)).toEqual([pr.number]);
    const all = await gh.pulls.list({ owner: "acme", repo: name, state: "all" });
    expect(all.data.map((p) => p.number)).toEqual([other.number, pr.number]);
    const byHead = await gh.pulls.list({
      owner: "acme",
      repo: name,
      state: "all",
      head: "acme:other",
    });
    expect(byHead.data.map((p) => p.number)).toEqual([other.number]);
  });
});

describe("pull request files", () => {
  it("lists added, modified and removed files with blob shas", async () => {
    const { name, pr } = governedRepo({
      "models/credit/model.py": "v2\n",
      "data/credit/train.csv": "a,b\n",
      ".github/ai-governance.yml": null,
    });
    const { data } = await gh.pulls.listFiles({
      owner: "acme",
      repo: name,
      pull_number: pr.number,
    });
    expect(data.map((f) => [f.filename, f.status])).toEqual([
      [".github/ai-governance.yml", "removed"],
      ["data/credit/train.csv", "added"],
      ["models/credit/model.py", "modified"],
    ]);
    expect(data.find((f) => f.status === "modified")).toMatchObject({
      sha: blobSha("v2\n"),
      additions: 1,
      deletions: 1,
    });
  });

  it("paginates with per_page and Link headers", async () => {
    const { name, pr } = governedRepo(manyFiles(250));
    const first = await gh.pulls.listFiles({
      owner: "acme",
      repo: name,
      pull_number: pr.number,
      per_page: 100,
    });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain("page=3");
    const mark = sim.requests.length;
    const all = await gh.paginate(gh.pulls.listFiles, {
      owner: "acme",
      repo: name,
      pull_number: pr.number,
      per_page: 100,
    });
    expect(all).toHaveLength(250);
    expect(new Set(all.map((f) => f.filename)).size).toBe(250);
    expect(opsSince(mark)).toEqual(["pulls/list-files", "pulls/list-files", "pulls/list-files"]);
  });

  it(`stops at ${PULL_FILES_CAP} files like GitHub, while changed_files counts them all`, async () => {
    const { name, pr } = governedRepo(manyFiles(3050));
    const all = await gh.paginate(gh.pulls.listFiles, {
      owner: "acme",
      repo: name,
      pull_number: pr.number,
      per_page: 100,
    });
    expect(all).toHaveLength(PULL_FILES_CAP);
    const { data } = await gh.pulls.get({ owner: "acme", repo: name, pull_number: pr.number });
    expect(data.changed_files).toBe(3050);
  });
});

describe("contents at a ref", () => {
  it("returns a file as base64 with its git blob sha", async () => {
    const { name, baseSha } = governedRepo();
    const { data } = await gh.repos.getContent({
      owner: "acme",
      repo: name,
      path: ".github/ai-governance.yml",
      ref: baseSha,
    });
    if (Array.isArray(data) || data.type !== "file") throw new Error("expected a file");
    expect(Buffer.from(data.content, "base64").toString("utf8")).toBe(MANIFEST);
    expect(data.sha).toBe(blobSha(MANIFEST));
    expect(data.path).toBe(".github/ai-governance.yml");
  });

  it("computes blob shas exactly as git does", () => {
    // `printf 'hello\n' | git hash-object --stdin`
    expect(blobSha("hello\n")).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
  });

  it("reads each ref's version: base and head differ", async () => {
    const { name, baseSha, headSha } = governedRepo();
    const at = async (ref: string) => {
      const { data } = await gh.repos.getContent({
        owner: "acme",
        repo: name,
        path: "models/credit/model.py",
        ref,
      });
      return Array.isArray(data) || data.type !== "file"
        ? ""
        : Buffer.from(data.content, "base64").toString();
    };
    expect(await at(baseSha)).toBe("v1\n");
    expect(await at(headSha)).toBe("v2\n");
    expect(await at("feature")).toBe("v2\n");
    expect(await at("main")).toBe("v1\n");
  });

  it("answers 404 for a file absent at that ref", async () => {
    const { name, headSha } = governedRepo({ ".github/ai-governance.yml": null });
    await expect(
      gh.repos.getContent({
        owner: "acme",
        repo: name,
        path: ".github/ai-governance.yml",
        ref: headSha,
      }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      gh.repos.getContent({ owner: "acme", repo: name, path: "nope.txt" }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("takes the file path with literal slashes as well as encoded", async () => {
    const { name } = governedRepo();
    for (const path of ["models/credit/model.py", "models%2Fcredit%2Fmodel.py"]) {
      const response = await fetch(`${sim.apiUrl}/repos/acme/${name}/contents/${path}?ref=main`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        path: "models/credit/model.py",
        sha: blobSha("v1\n"),
      });
    }
  });

  it("serves the raw media type and directory listings", async () => {
    const { name } = governedRepo();
    const raw = await gh.repos.getContent({
      owner: "acme",
      repo: name,
      path: ".github/ai-governance.yml",
      mediaType: { format: "raw" },
    });
    expect(raw.data).toBe(MANIFEST);
    const dir = await gh.repos.getContent({ owner: "acme", repo: name, path: "models" });
    expect(Array.isArray(dir.data) && dir.data.map((e) => [e.name, e.type])).toEqual([
      ["credit", "dir"],
    ]);
  });

  it("leaves the content of a file over 1 MB out, as GitHub does, and serves it as a blob", async () => {
    const big = `${"x".repeat(1024 * 1024)}\n`;
    const { name } = governedRepo({ "data/credit/big.csv": big });
    const { data } = await gh.repos.getContent({
      owner: "acme",
      repo: name,
      path: "data/credit/big.csv",
      ref: "feature",
    });
    if (Array.isArray(data) || data.type !== "file") throw new Error("expected a file");
    expect(data).toMatchObject({
      encoding: "none",
      content: "",
      size: big.length,
      sha: blobSha(big),
    });
    const blob = await gh.git.getBlob({ owner: "acme", repo: name, file_sha: data.sha });
    expect(Buffer.from(blob.data.content, "base64").toString()).toBe(big);
  });

  it("serves blobs by sha", async () => {
    const { name } = governedRepo();
    const { data } = await gh.git.getBlob({
      owner: "acme",
      repo: name,
      file_sha: blobSha(MANIFEST),
    });
    expect(Buffer.from(data.content, "base64").toString()).toBe(MANIFEST);
    await expect(
      gh.git.getBlob({ owner: "acme", repo: name, file_sha: blobSha("never committed") }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe("comparing commits", () => {
  it("lists the files changed between any ancestor and the head", async () => {
    const { repo, name, baseSha, headSha } = governedRepo();
    const third = repo.commit("feature", {
      files: { "prompts/system.txt": "be nice\n" },
      author: "dave",
    });
    const { data } = await gh.repos.compareCommitsWithBasehead({
      owner: "acme",
      repo: name,
      basehead: `${headSha}...${third}`,
    });
    expect(data.files?.map((f) => f.filename)).toEqual(["prompts/system.txt"]);
    expect(data).toMatchObject({ status: "ahead", ahead_by: 1, behind_by: 0, total_commits: 1 });
    const whole = await gh.repos.compareCommitsWithBasehead({
      owner: "acme",
      repo: name,
      basehead: `${baseSha}...${third}`,
    });
    expect(whole.data.files?.map((f) => f.filename)).toEqual([
      "models/credit/model.py",
      "prompts/system.txt",
    ]);
    expect(whole.data.commits.map((c) => c.sha)).toEqual([headSha, third]);
  });

  it("diffs from the merge base, so later base commits do not appear", async () => {
    const { repo, name } = governedRepo();
    repo.commit("main", { files: { "README.md": "moved on\n" } });
    const { data } = await gh.repos.compareCommitsWithBasehead({
      owner: "acme",
      repo: name,
      basehead: "main...feature",
    });
    expect(data.files?.map((f) => f.filename)).toEqual(["models/credit/model.py"]);
    expect(data.status).toBe("diverged");
  });

  it("answers 404 for an unknown commit", async () => {
    const { name, baseSha } = governedRepo();
    await expect(
      gh.repos.compareCommitsWithBasehead({
        owner: "acme",
        repo: name,
        basehead: `${baseSha}...${"f".repeat(40)}`,
      }),
    ).rejects.toMatchObject({ status: 404 });
  });
});

describe("commits", () => {
  it("lists a pull request's commits with GitHub accounts, or null when unattributed", async () => {
    const { repo, name, pr, headSha } = governedRepo();
    const anonymous = repo.commit("feature", {
      files: { "a.txt": "a\n" },
      author: null,
      committer: null,
    });
    const { data } = await gh.pulls.listCommits({
      owner: "acme",
      repo: name,
      pull_number: pr.number,
    });
    expect(data.map((c) => [c.sha, c.author?.login ?? null])).toEqual([
      [headSha, "dave"],
      [anonymous, null],
    ]);
    expect(data[1]?.parents.map((p) => p.sha)).toEqual([headSha]);
  });

  it("serves one commit with the files it changed", async () => {
    const { name, headSha } = governedRepo();
    const { data } = await gh.repos.getCommit({ owner: "acme", repo: name, ref: headSha });
    expect(data.files?.map((f) => f.filename)).toEqual(["models/credit/model.py"]);
    expect(data.commit.message).toBe("Change the model");
    expect(data.committer?.login).toBe("dave");
  });

  it("lists commits from a branch, newest first", async () => {
    const { name, baseSha, headSha } = governedRepo();
    const { data } = await gh.repos.listCommits({ owner: "acme", repo: name, sha: "feature" });
    expect(data.map((c) => c.sha)).toEqual([headSha, baseSha]);
  });
});

describe("reviews", () => {
  it("lists reviews with their commit, and shows dismissed ones as DISMISSED", async () => {
    const { name, pr, headSha } = governedRepo();
    const approved = pr.addReview({ user: "alice", state: "APPROVED", body: "ok" });
    const veto = pr.addReview({
      user: "bob",
      state: "CHANGES_REQUESTED",
      body: "no",
      commit: headSha,
    });
    pr.dismissReview(veto.id);
    const { data } = await gh.pulls.listReviews({
      owner: "acme",
      repo: name,
      pull_number: pr.number,
    });
    expect(data.map((r) => [r.id, r.user?.login, r.state, r.commit_id])).toEqual([
      [approved.id, "alice", "APPROVED", headSha],
      [veto.id, "bob", "DISMISSED", headSha],
    ]);
  });
});

describe("issue comments", () => {
  it("creates, reads, edits and deletes comments, keeping the state in step", async () => {
    const { repo, name, pr } = governedRepo();
    const { data: created } = await gh.issues.createComment({
      owner: "acme",
      repo: name,
      issue_number: pr.number,
      body: "first",
    });
    const { data: got } = await gh.issues.getComment({
      owner: "acme",
      repo: name,
      comment_id: created.id,
    });
    expect(got.body).toBe("first");
    await gh.issues.updateComment({
      owner: "acme",
      repo: name,
      comment_id: created.id,
      body: "second",
    });
    expect(sim.state.comments(repo, pr).map((c) => c.body)).toEqual(["second"]);
    expect(sim.state.comments(`acme/${name}`, pr.number)[0]?.revisions.map((r) => r.body)).toEqual([
      "first",
      "second",
    ]);
    const deleted = await gh.issues.deleteComment({
      owner: "acme",
      repo: name,
      comment_id: created.id,
    });
    expect(deleted.status).toBe(204);
    expect(sim.state.comments(repo, pr)).toEqual([]);
    await expect(
      gh.issues.getComment({ owner: "acme", repo: name, comment_id: created.id }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });

  it("refuses a comment body over 65 536 characters (422)", async () => {
    const { name, pr } = governedRepo();
    await expect(
      gh.issues.createComment({
        owner: "acme",
        repo: name,
        issue_number: pr.number,
        body: "x".repeat(65_537),
      }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it("paginates comments in creation order", async () => {
    const { repo, name, pr } = governedRepo();
    for (let i = 0; i < 45; i++)
      repo.addComment(pr.number, { user: i % 2 ? "alice" : "bob", body: `c${i}` });
    const first = await gh.issues.listComments({
      owner: "acme",
      repo: name,
      issue_number: pr.number,
    });
    expect(first.data).toHaveLength(30);
    expect(first.headers.link).toContain('rel="next"');
    const all = await gh.paginate(gh.issues.listComments, {
      owner: "acme",
      repo: name,
      issue_number: pr.number,
      per_page: 20,
    });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 45 }, (_, i) => `c${i}`));
    expect(all[1]?.user?.login).toBe("alice");
  });

  it("lists a repository's comments updated since a time", async () => {
    const { repo, name, pr } = governedRepo();
    sim.state.setNow(new Date("2026-01-01T00:00:00Z"));
    const old = repo.addComment(pr.number, { user: "alice", body: "old" });
    sim.state.setNow(new Date("2026-02-01T00:00:00Z"));
    const recent = repo.addComment(pr.number, { user: "alice", body: "new" });
    sim.state.setNow(() => new Date());
    const all = await gh.issues.listCommentsForRepo({ owner: "acme", repo: name });
    expect(all.data.map((c) => c.id)).toEqual([old.id, recent.id]);
    const since = await gh.issues.listCommentsForRepo({
      owner: "acme",
      repo: name,
      since: "2026-01-15T00:00:00Z",
    });
    expect(since.data.map((c) => c.id)).toEqual([recent.id]);
    expect(since.data[0]?.created_at).toBe("2026-02-01T00:00:00Z");
  });

  it("shows comments edited or deleted through the builder", async () => {
    const { repo, name, pr } = governedRepo();
    const a = repo.addComment(pr.number, { user: "alice", body: "/approve" });
    const b = repo.addComment(pr.number, { user: "bob", body: "/approve" });
    repo.editComment(a.id, "/approve credit-scoring");
    repo.deleteComment(b.id);
    const { data } = await gh.issues.listComments({
      owner: "acme",
      repo: name,
      issue_number: pr.number,
    });
    expect(data.map((c) => [c.id, c.body])).toEqual([[a.id, "/approve credit-scoring"]]);
  });
});

describe("check runs", () => {
  it("creates, updates, gets and lists check runs, keeping each run's history", async () => {
    const { repo, name, headSha } = governedRepo();
    const { data: created } = await gh.checks.create({
      owner: "acme",
      repo: name,
      name: "AI governance: human oversight",
      head_sha: headSha,
      status: "in_progress",
    });
    expect(created).toMatchObject({ status: "in_progress", conclusion: null, head_sha: headSha });
    expect(created.app?.slug).toBe("aigate");
    await gh.checks.update({
      owner: "acme",
      repo: name,
      check_run_id: created.id,
      conclusion: "action_required",
      output: { title: "Waiting for 1 of 2 approvals", summary: "…" },
    });
    const { data: got } = await gh.checks.get({
      owner: "acme",
      repo: name,
      check_run_id: created.id,
    });
    expect(got).toMatchObject({ status: "completed", conclusion: "action_required" });
    expect(got.output.title).toBe("Waiting for 1 of 2 approvals");

    const runs = sim.state.checkRuns(repo, headSha);
    expect(runs.latest["AI governance: human oversight"]?.conclusion).toBe("action_required");
    expect(runs.all[0]?.history.map((h) => h.status)).toEqual(["in_progress", "completed"]);
  });

  it("lists the latest run per name and filters by check_name", async () => {
    const { repo, name, headSha } = governedRepo();
    const create = (checkName: string, conclusion: "success" | "failure") =>
      gh.checks.create({
        owner: "acme",
        repo: name,
        name: checkName,
        head_sha: headSha,
        conclusion,
      });
    await create("AI governance: risk assessment", "failure");
    const newer = await create("AI governance: risk assessment", "success");
    await create("AI governance: human oversight", "success");
    const latest = await gh.checks.listForRef({ owner: "acme", repo: name, ref: headSha });
    expect(latest.data.total_count).toBe(2);
    const byName = await gh.checks.listForRef({
      owner: "acme",
      repo: name,
      ref: headSha,
      check_name: "AI governance: risk assessment",
    });
    expect(byName.data.check_runs.map((r) => r.id)).toEqual([newer.data.id]);
    const all = await gh.checks.listForRef({
      owner: "acme",
      repo: name,
      ref: "feature",
      filter: "all",
    });
    expect(all.data.total_count).toBe(3);
    expect(sim.state.checkRuns(repo, headSha).all).toHaveLength(3);
    expect(sim.state.checkRuns(repo, headSha).latest["AI governance: risk assessment"]?.id).toBe(
      newer.data.id,
    );
  });

  it("lists a run's annotations, accumulated over updates", async () => {
    const { name, headSha } = governedRepo();
    const annotation = (line: number) => ({
      path: ".github/ai-governance.yml",
      start_line: line,
      end_line: line,
      annotation_level: "failure" as const,
      message: `problem on line ${line}`,
    });
    const { data } = await gh.checks.create({
      owner: "acme",
      repo: name,
      name: "AI governance: risk assessment",
      head_sha: headSha,
      output: { title: "Invalid governance manifest", summary: "s", annotations: [annotation(1)] },
    });
    await gh.checks.update({
      owner: "acme",
      repo: name,
      check_run_id: data.id,
      conclusion: "failure",
      output: { title: "Invalid governance manifest", summary: "s", annotations: [annotation(2)] },
    });
    const { data: annotations } = await gh.checks.listAnnotations({
      owner: "acme",
      repo: name,
      check_run_id: data.id,
    });
    expect(annotations.map((a) => a.start_line)).toEqual([1, 2]);
    const { data: run } = await gh.checks.get({ owner: "acme", repo: name, check_run_id: data.id });
    expect(run.output.annotations_count).toBe(2);
  });

  it("refuses an update from an app that did not create the run (403)", async () => {
    const { name, headSha } = governedRepo();
    const { data } = await gh.checks.create({
      owner: "acme",
      repo: name,
      name: "x",
      head_sha: headSha,
    });
    sim.state.addToken("other-app-token", {
      app: { id: 99, slug: "other", name: "Other", ownerLogin: "acme" },
    });
    const other = new Octokit({ baseUrl: sim.apiUrl, auth: "other-app-token", log: quiet });
    await expect(
      other.checks.update({
        owner: "acme",
        repo: name,
        check_run_id: data.id,
        conclusion: "success",
      }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it("refuses a completed check run without a conclusion (400, schema)", async () => {
    const { name, headSha } = governedRepo();
    const error: unknown = await gh.checks
      .create({ owner: "acme", repo: name, name: "x", head_sha: headSha, status: "completed" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ status: 400 });
  });

  it("writes check runs as the app a token belongs to, and refuses user tokens (403)", async () => {
    const { repo, name, headSha } = governedRepo();
    sim.state.addToken("workflow-token", { app: GITHUB_ACTIONS_APP });
    const workflow = new Octokit({ baseUrl: sim.apiUrl, auth: "workflow-token", log: quiet });
    await workflow.checks.create({
      owner: "acme",
      repo: name,
      name: "from-action",
      head_sha: headSha,
    });
    expect(sim.state.checkRuns(repo, headSha).latest["from-action"]?.app.slug).toBe(
      "github-actions",
    );
    sim.state.addToken("alice-pat", { user: "alice" });
    const alice = new Octokit({ baseUrl: sim.apiUrl, auth: "alice-pat", log: quiet });
    await expect(
      alice.checks.create({ owner: "acme", repo: name, name: "from-alice", head_sha: headSha }),
    ).rejects.toMatchObject({ status: 403 });
    const { data } = await alice.issues.createComment({
      owner: "acme",
      repo: name,
      issue_number: 1,
      body: "/approve",
    });
    expect(data.user?.login).toBe("alice");
    expect(data.performed_via_github_app).toBeNull();
  });

  it("rejects a check run without head_sha by OpenAPI validation (400)", async () => {
    const { name } = governedRepo();
    const response = await fetch(`${sim.apiUrl}/repos/acme/${name}/check-runs`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "token t" },
      body: JSON.stringify({ name: "AI governance: risk assessment" }),
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain("head_sha");
  });

  it("rejects a check run on an unknown commit (422) and more than 50 annotations (400, schema)", async () => {
    const { name, headSha } = governedRepo();
    await expect(
      gh.checks.create({ owner: "acme", repo: name, name: "x", head_sha: "e".repeat(40) }),
    ).rejects.toMatchObject({ status: 422 });
    const annotations = Array.from({ length: 51 }, (_, i) => ({
      path: ".github/ai-governance.yml",
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: "failure" as const,
      message: "bad",
    }));
    await expect(
      gh.checks.create({
        owner: "acme",
        repo: name,
        name: "x",
        head_sha: headSha,
        output: { title: "t", summary: "s", annotations },
      }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it("accepts outputs at GitHub's size limits and refuses one character more", async () => {
    const { repo, name, headSha } = governedRepo();
    const { data } = await gh.checks.create({
      owner: "acme",
      repo: name,
      name: "big",
      head_sha: headSha,
      conclusion: "failure",
      output: { title: "t", summary: "s".repeat(65_535), text: "t".repeat(65_535) },
    });
    expect(sim.state.checkRuns(repo, headSha).latest.big?.output.summary).toHaveLength(65_535);
    await expect(
      gh.checks.update({
        owner: "acme",
        repo: name,
        check_run_id: data.id,
        output: { title: "t", summary: "s".repeat(65_536) },
      }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe("repositories of an owner, refs and trees", () => {
  it("lists an organisation's repositories page by page, with archived, size and pushed_at", async () => {
    const org = `listed-${++repoCounter}`;
    for (let i = 0; i < 3; i++) {
      const repo = sim.state.createRepo({ owner: org, name: `r${i}` });
      if (i < 2) repo.commit("main", { files: { "a.txt": `${i}\n` } });
      if (i === 1) repo.archived = true;
    }
    const repos = await gh.paginate(gh.rest.repos.listForOrg, {
      org,
      per_page: 2,
      sort: "full_name",
    });
    expect(repos.map((r) => [r.full_name, r.archived, (r.size ?? 0) > 0])).toEqual([
      [`${org}/r0`, false, true],
      [`${org}/r1`, true, true],
      [`${org}/r2`, false, false],
    ]);
    const missing = await gh.rest.repos.listForOrg({ org: "nobody-here" }).catch((e) => e);
    expect(missing).toBeInstanceOf(RequestError);
    expect((missing as RequestError).status).toBe(404);
  });

  it("reads a branch ref, and answers 409 for an empty repository", async () => {
    const { repo, owner, name, baseSha } = governedRepo();
    const { data } = await gh.rest.git.getRef({ owner, repo: name, ref: "heads/main" });
    expect(data.object.sha).toBe(baseSha);
    expect(repo.resolveRef("main")).toBe(baseSha);
    const empty = sim.state.createRepo({ owner, name: `empty-${++repoCounter}` });
    const failed = await gh.rest.git
      .getRef({ owner, repo: empty.name, ref: "heads/main" })
      .catch((e) => e);
    expect((failed as RequestError).status).toBe(409);
  });

  it("lists a commit's tree recursively with git blob shas, and cuts it when too large", async () => {
    const { owner, name, baseSha } = governedRepo();
    const { data } = await gh.rest.git.getTree({
      owner,
      repo: name,
      tree_sha: baseSha,
      recursive: "1",
    });
    expect(data.truncated).toBe(false);
    expect(data.tree.map((e) => [e.path, e.type])).toEqual([
      [".github", "tree"],
      [".github/ai-governance.yml", "blob"],
      ["models", "tree"],
      ["models/credit", "tree"],
      ["models/credit/model.py", "blob"],
    ]);
    expect(data.tree[1]?.sha).toBe(blobSha(MANIFEST));
    sim.state.treeEntryLimit = 2;
    try {
      const cut = await gh.rest.git.getTree({
        owner,
        repo: name,
        tree_sha: "main",
        recursive: "1",
      });
      expect([cut.data.truncated, cut.data.tree.length]).toEqual([true, 2]);
    } finally {
      sim.state.treeEntryLimit = 100_000;
    }
  });
});

describe("issues", () => {
  it("creates, lists by label and state, updates and closes an issue", async () => {
    const { repo, owner, name } = governedRepo();
    await gh.rest.issues.createLabel({ owner, repo: name, name: "tracking" });
    const again = await gh.rest.issues
      .createLabel({ owner, repo: name, name: "tracking" })
      .catch((e) => e);
    expect((again as RequestError).status).toBe(422);
    const created = await gh.rest.issues.create({
      owner,
      repo: name,
      title: "Due",
      body: "one",
      labels: ["tracking"],
    });
    expect(created.status).toBe(201);
    expect(created.data.number).toBeGreaterThan(1);
    const listed = await gh.rest.issues.listForRepo({ owner, repo: name, labels: "tracking" });
    expect(listed.data.map((i) => [i.number, i.body])).toEqual([[created.data.number, "one"]]);
    await gh.rest.issues.update({
      owner,
      repo: name,
      issue_number: created.data.number,
      state: "closed",
    });
    expect(
      (await gh.rest.issues.listForRepo({ owner, repo: name, labels: "tracking" })).data,
    ).toEqual([]);
    const all = await gh.rest.issues.listForRepo({ owner, repo: name, state: "all" });
    expect(all.data[0]).toMatchObject({ state: "closed", state_reason: "completed" });
    expect(repo.issues.get(created.data.number)?.edits).toBe(1);
  });
});

describe("conditional requests", () => {
  it("gives every read an ETag and answers 304 to If-None-Match while nothing changed", async () => {
    const { repo, owner, name } = governedRepo();
    const first = await gh.rest.git.getRef({ owner, repo: name, ref: "heads/main" });
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/"[0-9a-f]{40}"$/);
    const mark = sim.requests.length;
    const again = await gh.rest.git
      .getRef({ owner, repo: name, ref: "heads/main", headers: { "if-none-match": etag } })
      .catch((e) => e);
    expect((again as RequestError).status).toBe(304);
    expect(sim.requests.slice(mark).map((r) => r.status)).toEqual([304]);

    repo.commit("main", { files: { "b.txt": "b\n" } });
    const moved = await gh.rest.git.getRef({
      owner,
      repo: name,
      ref: "heads/main",
      headers: { "if-none-match": etag },
    });
    expect(moved.status).toBe(200);
    expect(moved.headers.etag).not.toBe(etag);
  });
});

describe("team membership", () => {
  it("answers 200 active for a member and 404 otherwise", async () => {
    sim.state.addTeam("acme/model-risk", ["alice"]);
    const { data } = await gh.teams.getMembershipForUserInOrg({
      org: "acme",
      team_slug: "model-risk",
      username: "alice",
    });
    expect(data.state).toBe("active");
    await expect(
      gh.teams.getMembershipForUserInOrg({
        org: "acme",
        team_slug: "model-risk",
        username: "mallory",
      }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      gh.teams.getMembershipForUserInOrg({
        org: "acme",
        team_slug: "no-such-team",
        username: "alice",
      }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("answers 200 with state pending for an invited member", async () => {
    sim.state.setTeamMember("acme/ai-governance", "ivan", "pending");
    const { data } = await gh.teams.getMembershipForUserInOrg({
      org: "acme",
      team_slug: "ai-governance",
      username: "ivan",
    });
    expect(data.state).toBe("pending");
  });
});

describe("users", () => {
  it("serves users with numeric ids and their type", async () => {
    sim.state.addUser({ login: "renovate[bot]" });
    const bot = await gh.users.getByUsername({ username: "renovate[bot]" });
    expect(bot.data).toMatchObject({ login: "renovate[bot]", type: "Bot" });
    const alice = await gh.users.getByUsername({ username: "alice" });
    expect(alice.data.type).toBe("User");
    expect(typeof alice.data.id).toBe("number");
    await expect(gh.users.getByUsername({ username: "ghost-of-nobody" })).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe("failure injection and request records", () => {
  it("fails the next matching request with 502 and a request id, then recovers", async () => {
    const { name, pr } = governedRepo();
    sim.failNext("pulls/get", 502, 1);
    const error: unknown = await gh.pulls
      .get({ owner: "acme", repo: name, pull_number: pr.number })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    if (!(error instanceof RequestError)) return;
    expect(error.status).toBe(502);
    const requestId = error.response?.headers["x-github-request-id"];
    expect(requestId).toBeTruthy();
    expect(sim.requests.at(-1)).toMatchObject({ operationId: "pulls/get", status: 502, requestId });
    const ok = await gh.pulls.get({ owner: "acme", repo: name, pull_number: pr.number });
    expect(ok.status).toBe(200);
  });

  it("matches failures by predicate and only for the given number of times", async () => {
    const { name, pr } = governedRepo();
    sim.failNext((r) => r.method === "GET" && r.path.endsWith("/files"), 503, 2);
    const attempt = () =>
      gh.pulls.listFiles({ owner: "acme", repo: name, pull_number: pr.number }).then(
        (r) => r.status,
        (e: unknown) => (e instanceof RequestError ? e.status : 0),
      );
    expect([await attempt(), await attempt(), await attempt()]).toEqual([503, 503, 200]);
  });

  it("records the operation of requests answered by generated defaults or refused by validation", async () => {
    const { name, pr } = governedRepo();
    sim.resetRequests();
    await gh.issues.listLabelsOnIssue({ owner: "acme", repo: name, issue_number: pr.number });
    await fetch(`${sim.apiUrl}/repos/acme/${name}/check-runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(sim.requests.map((r) => [r.operationId, r.status])).toEqual([
      ["issues/list-labels-on-issue", 200],
      ["checks/create", 400],
    ]);
  });

  it("injects failures into operations without a stateful handler too", async () => {
    const { name, pr } = governedRepo();
    sim.failNext("issues/list-labels-on-issue", 500);
    await expect(
      gh.issues.listLabelsOnIssue({ owner: "acme", repo: name, issue_number: pr.number }),
    ).rejects.toMatchObject({ status: 500 });
  });

  it("refuses to inject a failure into an operation GitHub does not have", () => {
    expect(() => sim.failNext("pulls/get-everything", 502)).toThrow(/no GitHub operation/);
  });

  it("records method, path, operation id and status of every request", async () => {
    const { name, pr } = governedRepo();
    sim.resetRequests();
    await gh.pulls.get({ owner: "acme", repo: name, pull_number: pr.number });
    await gh.issues.listComments({ owner: "acme", repo: name, issue_number: pr.number });
    expect(
      sim.requests.map(({ method, path, operationId, status }) => ({
        method,
        path,
        operationId,
        status,
      })),
    ).toEqual([
      {
        method: "GET",
        path: `/api/v3/repos/acme/${name}/pulls/${pr.number}`,
        operationId: "pulls/get",
        status: 200,
      },
      {
        method: "GET",
        path: `/api/v3/repos/acme/${name}/issues/${pr.number}/comments`,
        operationId: "issues/list-comments",
        status: 200,
      },
    ]);
  });
});

describe("webhook delivery", () => {
  const secret = "webhook-secret";
  let receiver: Server;
  let appUrl: string;
  const received: { name: string; id: string; payload: unknown }[] = [];

  beforeAll(async () => {
    // The same verification Probot performs.
    const webhooks = new Webhooks({ secret, log: quiet });
    webhooks.onAny((event) => {
      received.push({ name: event.name, id: event.id, payload: event.payload });
    });
    receiver = createServer(
      createNodeMiddleware(webhooks, { path: "/api/github/webhooks", log: quiet }),
    );
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    appUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("delivers a signed event that a verifying receiver accepts", async () => {
    const { repo, pr } = governedRepo();
    const status = await deliver(
      appUrl,
      secret,
      "pull_request",
      pullRequestEvent("opened", repo, pr),
      {
        deliveryId: "delivery-1",
      },
    );
    expect(status).toBe(200);
    expect(received.at(-1)).toMatchObject({ name: "pull_request", id: "delivery-1" });
  });

  it("is rejected by the receiver when signed with another secret", async () => {
    const { repo, pr } = governedRepo();
    const before = received.length;
    const status = await deliver(
      appUrl,
      "wrong",
      "pull_request",
      pullRequestEvent("opened", repo, pr),
    );
    expect(status).toBeGreaterThanOrEqual(400);
    expect(received).toHaveLength(before);
  });
});

describe("webhook payloads", () => {
  let repo: SimRepo;
  beforeAll(() => {
    repo = governedRepo().repo;
  });

  it("builds pull_request events from the state, with the installation", () => {
    const pr = repo.pullRequest(1);
    const before = pr.headSha;
    const after = repo.commit("feature", { files: { "b.txt": "b\n" }, author: "dave" });
    const payload = pullRequestEvent("synchronize", repo, pr, { before });
    expect(payload).toMatchObject({
      action: "synchronize",
      number: 1,
      before,
      after,
      installation: { id: repo.installationId },
      repository: { full_name: repo.fullName, owner: { login: "acme" } },
      organization: { login: "acme" },
      sender: { login: "dave", type: "User" },
      pull_request: {
        head: { sha: after, ref: "feature" },
        base: { ref: "main" },
        user: { login: "dave" },
      },
    });
  });

  it("takes a synchronize event's before from the previous head", () => {
    const pr = repo.pullRequest(1);
    const before = pr.headSha;
    repo.commit("feature", { files: { "c.txt": "c\n" }, author: "dave" });
    expect(pullRequestEvent("synchronize", repo, pr)).toMatchObject({ before, after: pr.headSha });
  });

  it("builds pull_request_review events with the reviewer as sender", () => {
    const pr = repo.pullRequest(1);
    const review = pr.addReview({
      user: "alice",
      state: "APPROVED",
      body: "/approve credit-scoring",
    });
    expect(pullRequestReviewEvent("submitted", repo, pr, review)).toMatchObject({
      action: "submitted",
      review: { id: review.id, state: "APPROVED", commit_id: pr.headSha, user: { login: "alice" } },
      pull_request: { number: 1 },
      sender: { login: "alice" },
    });
  });

  it("builds issue_comment events; an edit carries the previous body", () => {
    const comment = repo.addComment(1, { user: "alice", body: "/approve" });
    repo.editComment(comment.id, "/revoke");
    expect(issueCommentEvent("edited", repo, 1, comment)).toMatchObject({
      action: "edited",
      issue: { number: 1, pull_request: { url: expect.stringContaining("/pulls/1") } },
      comment: { id: comment.id, body: "/revoke", user: { login: "alice" } },
      changes: { body: { from: "/approve" } },
      sender: { login: "alice" },
    });
  });

  it("builds check_run rerequested events", async () => {
    const pr = repo.pullRequest(1);
    const { data } = await gh.checks.create({
      owner: "acme",
      repo: repo.name,
      name: "AI governance: human oversight",
      head_sha: pr.headSha,
    });
    const run = sim.state.checkRuns(repo, pr.headSha).all.find((r) => r.id === data.id);
    if (!run) throw new Error("check run not recorded");
    expect(checkRunRerequestedEvent(repo, run)).toMatchObject({
      action: "rerequested",
      check_run: { id: data.id, name: "AI governance: human oversight", head_sha: pr.headSha },
      installation: { id: repo.installationId },
    });
  });
});

describe("lifecycle", () => {
  it("binds 127.0.0.1 only and stops cleanly", async () => {
    const own = await startGitHubSimulator();
    expect(own.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
    const ok = await fetch(`${own.apiUrl}/users/aigate[bot]`);
    expect(ok.status).toBe(200);
    await own.stop();
    await expect(fetch(`${own.apiUrl}/users/aigate[bot]`)).rejects.toThrow();
  });
});
