/**
 * Review requests end to end (docs/policy.md#review-requests): the real App server, webhooks
 * over HTTP, the simulated GitHub's requested reviewers and review request events.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  issueCommentEvent,
  pullRequestEvent,
  type SimPullRequest,
  type SimRepo,
} from "../../sim/index.js";
import {
  appIdentity,
  FIXTURE_REPO,
  governedRepo,
  type Replica,
  readTree,
  type Stack,
  startReplica,
  startStack,
} from "../../sim/stack.js";
import { draft, driver, modelChange } from "./driver.js";
import { askedAt, requestedBy } from "./review-requests-reads.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { AIGATE_METRICS: "1" } });
});
afterAll(async () => {
  await stack?.stop();
});

const app = driver(() => stack);

async function send(repo: SimRepo, pr: SimPullRequest, action: "opened" | "ready_for_review") {
  expect(await stack.send("pull_request", pullRequestEvent(action, repo, pr))).toBe(200);
}

describe("review requests", () => {
  it("opened: the approver team is requested once, and the oversight check says so", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    expect(requestedBy(pr)).toEqual(["team:model-risk"]);
    expect(pr.requestedTeams).toEqual(["model-risk"]);
    const oversight = app.checks(repo, pr).oversight;
    expect(oversight?.conclusion).toBe("action_required");
    expect(oversight?.summary).toContain("### Review requests");
    expect(oversight?.summary).toMatch(/\| model-risk \(team\)|acme\/model-risk \(team\)/);
    // A review or a comment asks no one more.
    await app.review(repo, pr, "erin");
    repo.addCollaborator("dave");
    await app.comment(repo, pr, "dave", "/aigate recheck");
    expect(requestedBy(pr)).toEqual(["team:model-risk"]);
  });

  it("a draft: nothing until it is marked ready for review", async () => {
    const repo = governedRepo(stack.sim);
    const pr = draft(repo, modelChange());
    pr.draft = true;
    await send(repo, pr, "opened");
    await app.push(repo, pr, modelChange("v3"));
    expect(requestedBy(pr)).toEqual([]);
    pr.draft = false;
    await send(repo, pr, "ready_for_review");
    expect(requestedBy(pr)).toEqual(["team:model-risk"]);
  });

  it("a request removed by a person is never added again", async () => {
    const repo = governedRepo(stack.sim);
    repo.addCollaborator("dave");
    const pr = await app.open(repo, modelChange());
    pr.removeRequestedReviewers(stack.sim.state.user("carol"), [], ["model-risk"]);
    await send(repo, pr, "opened");
    await app.comment(repo, pr, "dave", "/aigate request");
    expect(requestedBy(pr)).toEqual(["team:model-risk"]);
    expect(pr.requestedTeams).toEqual([]);
    const answer = app.replies(repo, pr).at(-1)?.body ?? "";
    expect(answer).toContain("@dave nothing was requested");
    // Every answer on the pull request is in the one answer comment, edited in place.
    await app.comment(repo, pr, "frank", "/approve credit-scoring");
    const [only, ...more] = app.replies(repo, pr);
    expect(more).toEqual([]);
    expect(only?.body).toContain("@dave nothing was requested");
    expect(only?.body).toContain("@frank your `/approve` was not recorded");
  });

  it("an eligible reviewer the author picked: nothing is requested", async () => {
    const repo = governedRepo(stack.sim);
    const pr = draft(repo, modelChange());
    const dave = stack.sim.state.user("dave");
    pr.requestReviewers(dave, [stack.sim.state.user("alice"), stack.sim.state.user("erin")], []);
    await send(repo, pr, "opened");
    expect(requestedBy(pr)).toEqual([]);
    expect(requestedBy(pr, "dave")).toEqual(["alice", "erin"]);
    // Requests made by hand are shown with when and by whom, from the timeline.
    const summary = app.checks(repo, pr).oversight?.summary ?? "";
    for (const login of ["alice", "erin"]) {
      expect(summary).toContain(`- ${login}: asked by dave at ${askedAt(pr, login)}\n`);
    }
  });

  it("a governed push: only the approvers whose approval went stale are asked again", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    await app.review(repo, pr, "alice");
    await app.review(repo, pr, "erin");
    expect(app.checks(repo, pr).oversight?.conclusion).toBe("success");
    await app.push(repo, pr, modelChange("v3"));
    expect(app.checks(repo, pr).oversight?.conclusion).toBe("action_required");
    expect(requestedBy(pr)).toEqual(["team:model-risk", "alice", "erin"]);
    // The same push delivered again asks no one more.
    expect(
      await stack.send(
        "pull_request",
        pullRequestEvent("synchronize", repo, pr, { before: pr.previousHeadSha ?? "" }),
      ),
    ).toBe(200);
    expect(requestedBy(pr)).toEqual(["team:model-risk", "alice", "erin"]);
  });

  it("a redelivery and a second replica: one request", async () => {
    const repo = governedRepo(stack.sim);
    const pr = draft(repo, modelChange());
    const payload = pullRequestEvent("opened", repo, pr);
    const replicas: Replica[] = [];
    const identity = appIdentity();
    try {
      for (let i = 0; i < 2; i++) replicas.push(await startReplica(stack.sim, identity));
      const [first, second] = replicas;
      if (!first || !second) throw new Error("two replicas");
      const answers = await Promise.all([
        first.send("pull_request", payload),
        second.send("pull_request", payload),
      ]);
      expect(answers).toEqual([200, 200]);
      expect(await first.send("pull_request", payload)).toBe(200);
    } finally {
      for (const replica of replicas) await replica.stop();
    }
    expect(requestedBy(pr)).toEqual(["team:model-risk"]);
  });

  it("a refused request is reported for the owners, and both checks are still written", async () => {
    const repo = governedRepo(stack.sim);
    repo.teamsWithAccess.delete("model-risk");
    const pr = await app.open(repo, modelChange());
    expect(requestedBy(pr)).toEqual([]);
    const { assessment, oversight } = app.checks(repo, pr);
    expect(assessment?.status).toBe("completed");
    expect(oversight).toMatchObject({ status: "completed", conclusion: "action_required" });
    expect(oversight?.summary).toContain("For the repository's owners to fix");
    expect(oversight?.summary).toContain("GitHub refused to request acme/model-risk");
    expect(oversight?.summary).toContain("Reviews may only be requested from collaborators");
  });

  it("users: enough eligible people are requested, the same ones on every event", async () => {
    const tree = readTree(FIXTURE_REPO);
    const manifest = tree[".github/ai-governance.yml"] ?? "";
    const repo = governedRepo(stack.sim, {
      ...tree,
      ".github/ai-governance.yml": manifest.replace(
        "  policy: docs/ai-policy.md",
        "  policy: docs/ai-policy.md\n  request_reviews: users",
      ),
    });
    repo.addCollaborator("erin");
    repo.addCollaborator("carol");
    const pr = await app.open(repo, modelChange());
    const asked = requestedBy(pr);
    expect(asked).toHaveLength(2);
    for (const login of asked) expect(["alice", "erin", "carol"]).toContain(login);
    expect(pr.requestedTeams).toEqual([]);
    await send(repo, pr, "opened");
    expect(requestedBy(pr)).toEqual(asked);
  });

  it("/aigate request from someone who may not command is dropped before any request, and counted", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    pr.removeRequestedReviewers(stack.sim.state.user("carol"), [], ["model-risk"]);
    const calls = stack.sim.requests.length;
    const c = repo.addComment(pr.number, { user: "mallory", body: "/aigate request" });
    // Answered at once, before any GitHub request: no answer comment, no review request.
    expect(await stack.send("issue_comment", issueCommentEvent("created", repo, pr, c))).toBe(202);
    expect(stack.sim.requests.length).toBe(calls);
    expect(app.replies(repo, pr)).toEqual([]);
    expect(
      stack.logs.some((l) =>
        l.includes("@mallory (association NONE) may not ask for /aigate request"),
      ),
    ).toBe(true);
    expect(requestedBy(pr)).toEqual(["team:model-risk"]);
    const metrics = await (await fetch(`${stack.appUrl}/aigate/metrics`)).text();
    expect(metrics).toMatch(/aigate_commands_dropped_total\{command="request"\} [1-9]/);
  });
});
