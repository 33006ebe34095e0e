/**
 * Re-evaluation when the base changes, end to end: pushes delivered signed to the real App, the
 * simulated GitHub holding the open pull requests (docs/app.md#re-evaluation-when-the-base-changes).
 */
import { describe, expect, it } from "vitest";
import { pushEvent, type SimRepo } from "../../sim/index.js";
import { FIXTURE_REPO, governedRepo, readTree } from "../../sim/stack.js";
import { drivenStack, MANIFEST_PATH, modelChange } from "./driver.js";

const app = drivenStack();
const stack = app.stack;

/** Commits `files` to `branch` and delivers the push, as GitHub does. */
async function pushTo(
  repo: SimRepo,
  branch: string,
  files: Record<string, string>,
  author = "frank",
): Promise<number> {
  const before = repo.resolveRef(branch) ?? "";
  repo.commit(branch, { files, author, message: "Change on the base" });
  const mark = stack().sim.requests.length;
  expect(await stack().send("push", pushEvent(repo, branch, before))).toBe(200);
  return stack().sim.requests.length - mark;
}

describe("re-evaluation when the base changes", () => {
  it("a manifest push on the base re-evaluates an open pull request: green to waiting", async () => {
    const repo = governedRepo(stack().sim);
    const pr = await app.open(repo, modelChange());
    await app.review(repo, pr, "alice");
    await app.review(repo, pr, "erin");
    expect(app.checks(repo, pr).oversight).toMatchObject({ conclusion: "success" });

    const manifest = repo.fileAt("main", MANIFEST_PATH)?.content ?? "";
    await pushTo(repo, "main", {
      [MANIFEST_PATH]: manifest.replace("approvals: 2", "approvals: 3"),
    });
    expect(app.checks(repo, pr).oversight).toMatchObject({
      conclusion: "action_required",
      title: "Waiting for 1 of 3 approvals (credit-scoring)",
    });
    // A later event still judges by the base branch as it is now, not as it was at the PR's last push.
    await app.comment(repo, pr, "carol", "/aigate recheck");
    expect(app.checks(repo, pr).oversight?.title).toBe(
      "Waiting for 1 of 3 approvals (credit-scoring)",
    );
  });

  it("a push that changes neither the manifest nor a policy is dropped before any API call", async () => {
    const repo = governedRepo(stack().sim);
    await app.open(repo, modelChange());
    expect(await pushTo(repo, "main", { "README.md": "hello\n" })).toBe(0);
  });

  it("a push to the organisation policy at the branch manifests name re-evaluates their pull requests", async () => {
    const policyRepo = stack().sim.state.createRepo({ owner: "acme", name: "policy-live" });
    const policy = "version: 1\ndefaults:\n  tiers:\n    high: { approvals: 2 }\n";
    policyRepo.commit("main", { files: { "policy.yml": policy }, author: "frank" });
    const files = readTree(FIXTURE_REPO);
    files[MANIFEST_PATH] = (files[MANIFEST_PATH] ?? "").replace(
      "version: 1\n",
      "version: 1\nextends: acme/policy-live:policy.yml@main\n",
    );
    const repo = governedRepo(stack().sim, files);
    const pr = await app.open(repo, modelChange());
    await app.review(repo, pr, "alice");
    await app.review(repo, pr, "erin");
    expect(app.checks(repo, pr).oversight).toMatchObject({ conclusion: "success" });

    await pushTo(policyRepo, "main", {
      "policy.yml": policy.replace("approvals: 2", "approvals: 3"),
    });
    expect(app.checks(repo, pr).oversight).toMatchObject({
      conclusion: "failure",
      title: "Invalid governance manifest",
    });
    expect(app.checks(repo, pr).oversight?.summary).toContain(
      "2 for credit-scoring is fewer than the organisation policy requires of tier high",
    );
  });
});
