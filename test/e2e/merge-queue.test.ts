/**
 * Merge queues end to end: the real App over HTTP, the simulated GitHub building queue entries
 * the way GitHub does, `merge_group.checks_requested` delivered signed (docs/app.md#merge-queues).
 */
import { describe, expect, it } from "vitest";
import {
  enqueue,
  mergeGroupEvent,
  type SimMergeGroup,
  type SimPullRequest,
  type SimRepo,
} from "../../sim/index.js";
import { governedRepo } from "../../sim/stack.js";
import { drivenStack, MANIFEST_PATH, modelChange } from "./driver.js";

const app = drivenStack();
const stack = app.stack;

/** Both checks as aigate wrote them on the group's head. */
function groupChecks(repo: SimRepo, group: SimMergeGroup) {
  return app.checks(repo, group.headSha);
}

async function queue(
  repo: SimRepo,
  pr: SimPullRequest,
  options: { headRef?: string | null; group?: SimMergeGroup } = {},
): Promise<SimMergeGroup> {
  const group = options.group ?? enqueue(repo, pr);
  const payload = mergeGroupEvent(repo, group, { headRef: options.headRef });
  expect(await stack().send("merge_group", payload)).toBe(200);
  return group;
}

/** A pull request changing the model and its assessment, approved by two eligible approvers. */
async function approvedPullRequest(repo: SimRepo): Promise<SimPullRequest> {
  const pr = await app.open(repo, modelChange());
  await app.review(repo, pr, "alice");
  await app.review(repo, pr, "erin");
  expect(app.checks(repo, pr).oversight?.conclusion).toBe("success");
  return pr;
}

describe("merge queues in the App", () => {
  it("a merge group of an approved pull request ends green on the group head", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await approvedPullRequest(repo);
    const attestations = app.attestations(repo, pr).length;
    const group = await queue(repo, pr);
    const checks = groupChecks(repo, group);
    expect(checks.assessment).toMatchObject({ status: "completed", conclusion: "success" });
    expect(checks.oversight).toMatchObject({
      conclusion: "success",
      title: "2 of 2 approvals recorded",
    });
    expect(checks.oversight?.summary).toContain("| Merge group |");
    // Nothing is attested for a group.
    expect(app.attestations(repo, pr)).toHaveLength(attestations);
  });

  it("a merge group of an unapproved pull request ends red", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await app.open(repo, modelChange());
    await app.review(repo, pr, "alice");
    const group = await queue(repo, pr);
    expect(groupChecks(repo, group).oversight).toMatchObject({
      conclusion: "failure",
      title: "Waiting for 1 of 2 approvals (credit-scoring)",
    });
  });

  it("an unparseable queue ref ends red on the group head", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await approvedPullRequest(repo);
    for (const headRef of ["refs/heads/gh-readonly-queue/main/pr-x-abc", null]) {
      const group = await queue(repo, pr, { headRef });
      const checks = groupChecks(repo, group);
      for (const check of [checks.assessment, checks.oversight]) {
        expect(check).toMatchObject({
          status: "completed",
          conclusion: "failure",
          title: "Merge queue entry not recognised",
        });
      }
    }
  });

  it("a stricter manifest at the group's base ends red", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await approvedPullRequest(repo);
    // An entry ahead in the queue raised the approvals; the group is built on it.
    const manifest = repo.fileAt("main", MANIFEST_PATH)?.content ?? "";
    repo.commit("main", {
      files: { [MANIFEST_PATH]: manifest.replace("approvals: 2", "approvals: 3") },
      author: "frank",
    });
    const group = await queue(repo, pr);
    expect(groupChecks(repo, group).oversight).toMatchObject({
      conclusion: "failure",
      title: "Waiting for 1 of 3 approvals (credit-scoring)",
    });
  });

  it("a governed path the group changes but the pull request does not ends red", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await approvedPullRequest(repo);
    const group = enqueue(repo, pr);
    const branch = group.headRef.replace("refs/heads/", "");
    const headSha = repo.commit(branch, {
      files: { "data/credit/extra.csv": "income\n1\n" },
      author: "mallory",
    });
    const tampered = await queue(repo, pr, { group: { ...group, headSha } });
    for (const check of [
      groupChecks(repo, tampered).assessment,
      groupChecks(repo, tampered).oversight,
    ]) {
      expect(check?.conclusion).toBe("failure");
    }
    expect(groupChecks(repo, tampered).oversight?.title).toContain(
      `the merge group changes governed files that pull request #${pr.number} does not: data/credit/extra.csv`,
    );
  });

  it("a merge group for a closed pull request ends red, saying so", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await approvedPullRequest(repo);
    const group = enqueue(repo, pr);
    pr.close();
    await queue(repo, pr, { group });
    expect(groupChecks(repo, group).assessment).toMatchObject({
      conclusion: "failure",
      title: `Merge group for pull request #${pr.number}, which is closed`,
    });
  });

  it("a destroyed merge group needs nothing: answered 202 at once", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await approvedPullRequest(repo);
    const group = enqueue(repo, pr);
    const mark = stack().sim.requests.length;
    const payload = mergeGroupEvent(repo, group, { action: "destroyed" });
    expect(await stack().send("merge_group", payload)).toBe(202);
    expect(stack().sim.requests.slice(mark)).toEqual([]);
    expect(groupChecks(repo, group).assessment).toBeUndefined();
  });
});
