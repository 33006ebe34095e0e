/**
 * Merge verification end to end: pushes to the default branch delivered signed to the real App,
 * the simulated GitHub holding the pull requests, their checks and attestations; the records
 * verified offline with the CLI (docs/app.md#merge-verification).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pushEvent, type SimPullRequest, type SimRepo } from "../../sim/index.js";
import { governedRepo } from "../../sim/stack.js";
import { MERGE_VERIFICATION_CHECK_NAME } from "../../src/core/report/index.js";
import { runCli } from "../support/run-cli.js";
import { draft, drivenStack, modelChange } from "./driver.js";

const app = drivenStack();
const stack = app.stack;

/** Delivers the push that moved `branch` from `before`; returns the requests it cost. */
async function deliverPush(
  repo: SimRepo,
  before: string,
  options: { forced?: boolean } = {},
): Promise<number> {
  const mark = stack().sim.requests.length;
  expect(await stack().send("push", pushEvent(repo, "main", before, options))).toBe(200);
  return stack().sim.requests.length - mark;
}

/** A pull request with both checks green: opened and approved by two eligible reviewers. */
async function approvedPull(repo: SimRepo, version = "v2"): Promise<SimPullRequest> {
  const pr = await app.open(repo, modelChange(version));
  await app.review(repo, pr, "alice");
  await app.review(repo, pr, "erin");
  expect(app.checks(repo, pr).oversight).toMatchObject({ conclusion: "success" });
  expect(app.checks(repo, pr).assessment).toMatchObject({ conclusion: "success" });
  return pr;
}

function records(repo: SimRepo, sha: string) {
  return stack()
    .sim.state.checkRuns(repo, sha)
    .all.filter((r) => r.name === MERGE_VERIFICATION_CHECK_NAME);
}

async function verifyOffline(repo: SimRepo, sha: string, text: string) {
  const dir = mkdtempSync(join(tmpdir(), "aigate-mv-"));
  try {
    writeFileSync(join(dir, "check.txt"), text);
    const jwks = await (await fetch(`${stack().appUrl}/aigate/jwks.json`)).text();
    writeFileSync(join(dir, "jwks.json"), jwks);
    const host = new URL(stack().sim.url).host;
    return await runCli(
      [
        "verify",
        "--vsa",
        "check.txt",
        "--jwks",
        "jwks.json",
        "--commit",
        sha,
        "--resource-uri",
        `git+https://${host}/${repo.fullName}`,
      ],
      dir,
      {},
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("merge verification of what lands on the default branch", () => {
  it("a merged governed pull request gets success, and its record verifies offline", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await approvedPull(repo);
    const before = repo.resolveRef("main") ?? "";
    const merge = pr.merge("frank");
    await deliverPush(repo, before);
    const [run] = records(repo, merge);
    expect(records(repo, merge)).toHaveLength(1);
    expect(run).toMatchObject({ conclusion: "success" });
    expect(run?.output.title).toBe("Verified: #1 landed as approved (credit-scoring)");
    expect(run?.output.summary).toContain("@alice");
    const verified = await verifyOffline(repo, merge, run?.output.text ?? "");
    expect(verified.stdout).toContain("PASSED");
    expect(verified.code).toBe(0);
    // The pull request's own commit reached main through the merge: it gets no record.
    expect(records(repo, pr.headSha)).toEqual([]);
    // The export carries the record with the approvals, and the pack verifies offline.
    const dir = mkdtempSync(join(tmpdir(), "aigate-mv-export-"));
    try {
      const env = { GITHUB_TOKEN: "ghp_export", GITHUB_API_URL: stack().sim.apiUrl };
      const exported = await runCli(
        ["export", "--repo", repo.fullName, "--pr", String(pr.number), "--out", "pack.jsonl"],
        dir,
        env,
      );
      expect(exported.code).toBe(0);
      const jwks = await (await fetch(`${stack().appUrl}/aigate/jwks.json`)).text();
      writeFileSync(join(dir, "jwks.json"), jwks);
      const verified = await runCli(
        ["verify", "--vsa", "pack.jsonl", "--jwks", "jwks.json", "--commit", merge],
        dir,
        {},
      );
      expect(verified.stdout).toContain("inputs 2 matched, 0 not in the pack");
      expect(verified.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a direct push of a governed file fails: no pull request", async () => {
    const repo = governedRepo(stack().sim);
    const before = repo.resolveRef("main") ?? "";
    const sha = repo.commit("main", {
      files: { "models/credit/model.onnx": "weights\n" },
      author: "mallory",
    });
    await deliverPush(repo, before);
    const [run] = records(repo, sha);
    expect(run).toMatchObject({ conclusion: "failure" });
    expect(run?.output.title).toMatch(
      /^Bypass: No pull request: commit [0-9a-f]{7} was pushed to main directly/,
    );
    const verified = await verifyOffline(repo, sha, run?.output.text ?? "");
    expect(verified.stdout).toContain("the record is genuine, and it says FAILED");
    expect(verified.code).toBe(1);
    // The bypass reaches the owners: an issue created on the first, updated in place after.
    const issues = () =>
      [...repo.issues.values()].filter(
        (i) => i.title === "AI governance: changes that bypassed the gates",
      );
    expect(issues()).toHaveLength(1);
    expect(issues()[0]?.body).toContain(`| \`${sha}\` | main |`);
    const before2 = repo.resolveRef("main") ?? "";
    const second = repo.commit("main", {
      files: { "models/credit/model.onnx": "again\n" },
      author: "mallory",
    });
    await deliverPush(repo, before2);
    expect(issues()).toHaveLength(1);
    expect(issues()[0]?.body).toContain(`| \`${second}\` | main |`);
    expect(issues()[0]?.body).toContain(`| \`${sha}\` | main |`);
  });

  it("an admin merge with red checks fails", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await app.open(repo, modelChange());
    expect(app.checks(repo, pr).oversight?.conclusion).not.toBe("success");
    const before = repo.resolveRef("main") ?? "";
    const merge = pr.merge("frank");
    await deliverPush(repo, before);
    const [run] = records(repo, merge);
    expect(run).toMatchObject({ conclusion: "failure" });
    expect(run?.output.summary).toContain("Merged with red or missing checks");
  });

  it("a squash merge whose governed file differs from the approved head fails, naming the file and both blobs", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await approvedPull(repo);
    const before = repo.resolveRef("main") ?? "";
    const squash = pr.squash("frank", {
      "models/credit/model.py": "def score(application):\n    return 0.9\n",
    });
    await deliverPush(repo, before);
    const [run] = records(repo, squash);
    expect(run).toMatchObject({ conclusion: "failure" });
    const landed = repo.fileAt(squash, "models/credit/model.py")?.sha ?? "";
    const approved = repo.fileAt(pr.headSha, "models/credit/model.py")?.sha ?? "";
    expect(run?.output.summary).toContain(
      `models/credit/model.py differs from what was approved: blob ${landed} at ${squash.slice(0, 7)}, blob ${approved} at the approved head ${pr.headSha.slice(0, 7)}`,
    );
  });

  it("the approved blobs come from the file list the App read for the head: 6 requests, no tree read", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await approvedPull(repo);
    const before = repo.resolveRef("main") ?? "";
    const merge = pr.merge("frank");
    const mark = stack().sim.requests.length;
    await deliverPush(repo, before);
    const calls = stack()
      .sim.requests.slice(mark)
      .map((r) => r.operationId);
    expect(records(repo, merge)[0]).toMatchObject({ conclusion: "success" });
    expect(calls).not.toContain("git/get-tree");
    expect(calls).toHaveLength(6);
  });

  it("a head the App never read is read from its tree, and a differing file is still named with both blobs", async () => {
    const repo = governedRepo(stack().sim);
    // Opened and merged while the App heard nothing of it.
    const pr = draft(repo, modelChange("unseen"));
    const before = repo.resolveRef("main") ?? "";
    const squash = pr.squash("frank", {
      "models/credit/model.py": "def score(application):\n    return 0.1\n",
    });
    const mark = stack().sim.requests.length;
    await deliverPush(repo, before);
    const calls = stack()
      .sim.requests.slice(mark)
      .map((r) => r.operationId);
    expect(calls).toContain("git/get-tree");
    const [run] = records(repo, squash);
    expect(run).toMatchObject({ conclusion: "failure" });
    const landed = repo.fileAt(squash, "models/credit/model.py")?.sha ?? "";
    const approved = repo.fileAt(pr.headSha, "models/credit/model.py")?.sha ?? "";
    expect(landed).not.toBe(approved);
    expect(run?.output.summary).toContain(
      `models/credit/model.py differs from what was approved: blob ${landed} at ${squash.slice(0, 7)}, blob ${approved} at the approved head ${pr.headSha.slice(0, 7)}`,
    );
  });

  it("a squash merge of what was approved gets success", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await approvedPull(repo);
    const before = repo.resolveRef("main") ?? "";
    const squash = pr.squash("frank");
    await deliverPush(repo, before);
    expect(records(repo, squash)[0]).toMatchObject({ conclusion: "success" });
  });

  it("a rebase merge: each landed commit that changed a governed path gets a record", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await approvedPull(repo);
    await app.push(repo, pr, {
      "models/credit/model.py": "def score(application):\n    return 0.7\n",
    });
    await app.review(repo, pr, "alice");
    await app.review(repo, pr, "erin");
    expect(app.checks(repo, pr).oversight).toMatchObject({ conclusion: "success" });
    const before = repo.resolveRef("main") ?? "";
    const landed = pr.rebase("frank");
    expect(landed).toHaveLength(2);
    await deliverPush(repo, before);
    for (const sha of landed)
      expect(records(repo, sha)[0]).toMatchObject({ conclusion: "success" });
  });

  it("a forced push: the head's record fails, saying history was rewritten", async () => {
    const repo = governedRepo(stack().sim);
    const start = repo.resolveRef("main") ?? "";
    const dropped = repo.commit("main", { files: { "README.md": "dropped\n" }, author: "frank" });
    // History rewritten: main starts again from `start` with another commit.
    repo.branches.set("main", start);
    const head = repo.commit("main", { files: { "README.md": "rewritten\n" }, author: "mallory" });
    await deliverPush(repo, dropped, { forced: true });
    const [run] = records(repo, head);
    expect(run).toMatchObject({ conclusion: "failure" });
    expect(run?.output.summary).toContain("The push rewrote the branch's history (a forced push)");
  });

  it("a push touching nothing governed gets no record and costs no request", async () => {
    const repo = governedRepo(stack().sim);
    // The first push tells the App the branch's manifest; the next one costs nothing.
    let before = repo.resolveRef("main") ?? "";
    repo.commit("main", { files: { "README.md": "one\n" }, author: "frank" });
    await deliverPush(repo, before);
    before = repo.resolveRef("main") ?? "";
    const sha = repo.commit("main", { files: { "README.md": "two\n" }, author: "frank" });
    expect(await deliverPush(repo, before)).toBe(0);
    expect(records(repo, sha)).toEqual([]);
  });

  it("a redelivered push writes no second record", async () => {
    const repo = governedRepo(stack().sim);
    const before = repo.resolveRef("main") ?? "";
    const sha = repo.commit("main", {
      files: { "models/credit/model.onnx": "w\n" },
      author: "mallory",
    });
    const payload = pushEvent(repo, "main", before);
    expect(await stack().send("push", payload)).toBe(200);
    expect(await stack().send("push", payload)).toBe(200);
    expect(records(repo, sha)).toHaveLength(1);
  });
});
