import { RequestError } from "@octokit/request-error";
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GITHUB_ACTIONS_APP, type GitHubSim, startGitHubSimulator } from "../../sim/index.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let sim: GitHubSim;
let gh: Octokit;
let counter = 0;

beforeAll(async () => {
  sim = await startGitHubSimulator();
  gh = new Octokit({ baseUrl: sim.apiUrl, auth: "test-token", log: quiet });
  sim.state.addTeam("acme/model-risk", ["erin", "frank"]);
  sim.state.addTeam("acme/web", ["gina"]);
});

afterAll(async () => {
  await sim.stop();
});

function pullRequest() {
  const name = `requests-${++counter}`;
  const repo = sim.state.createRepo({ owner: "acme", name });
  repo.commit("main", { files: { "a.txt": "1\n" }, author: { login: "carol" }, message: "a" });
  repo.commit("feature", { files: { "a.txt": "2\n" }, author: { login: "dave" }, message: "b" });
  const pr = repo.openPullRequest({ head: "feature", base: "main", author: "dave", title: "t" });
  repo.grantTeam("model-risk");
  repo.addCollaborator("alice");
  return { repo, pr, params: { owner: "acme", repo: name, pull_number: pr.number } };
}

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 0;
  } catch (error) {
    if (error instanceof RequestError) return error.status;
    throw error;
  }
}

describe("review requests in the simulated GitHub", () => {
  it("requests users and teams, lists them on the pull request and in the timeline", async () => {
    const { params } = pullRequest();
    const created = await gh.rest.pulls.requestReviewers({
      ...params,
      reviewers: ["alice", "erin"],
      team_reviewers: ["model-risk"],
    });
    expect(created.status).toBe(201);
    const pull = await gh.rest.pulls.get(params);
    expect(pull.data.requested_reviewers?.map((u) => u.login)).toEqual(["alice", "erin"]);
    expect(pull.data.requested_teams?.map((t) => t.slug)).toEqual(["model-risk"]);
    const listed = await gh.rest.pulls.listRequestedReviewers(params);
    expect(listed.data.users.map((u) => u.login)).toEqual(["alice", "erin"]);
    const timeline = await gh.rest.issues.listEventsForTimeline({
      owner: params.owner,
      repo: params.repo,
      issue_number: params.pull_number,
    });
    const events = timeline.data.map((e) => ({
      event: e.event,
      who:
        "requested_reviewer" in e && e.requested_reviewer
          ? e.requested_reviewer.login
          : "requested_team" in e && e.requested_team
            ? e.requested_team.slug
            : undefined,
      actor: "actor" in e ? e.actor?.login : undefined,
    }));
    expect(events).toEqual([
      { event: "review_requested", who: "alice", actor: "aigate[bot]" },
      { event: "review_requested", who: "erin", actor: "aigate[bot]" },
      { event: "review_requested", who: "model-risk", actor: "aigate[bot]" },
    ]);
    const issueEvents = await gh.rest.issues.listEvents({
      owner: params.owner,
      repo: params.repo,
      issue_number: params.pull_number,
    });
    expect(issueEvents.data.map((e) => e.event)).toEqual([
      "review_requested",
      "review_requested",
      "review_requested",
    ]);
    const last = issueEvents.data[2];
    expect(last && "requested_team" in last ? last.requested_team?.slug : undefined).toBe(
      "model-risk",
    );
  });

  it("records a removal by a person, and a submitted review answers the request", async () => {
    const { pr, params } = pullRequest();
    await gh.rest.pulls.requestReviewers({
      ...params,
      reviewers: ["alice", "erin"],
      team_reviewers: ["model-risk"],
    });
    pr.removeRequestedReviewers(sim.state.user("dave"), [sim.state.user("alice")], []);
    pr.addReview({ user: "erin", state: "COMMENTED" });
    expect(pr.requestedUsers).toEqual([]);
    expect(pr.requestedTeams).toEqual([]);
    expect(pr.requestEvents.map((e) => [e.event, e.actor.login])).toEqual([
      ["review_requested", "aigate[bot]"],
      ["review_requested", "aigate[bot]"],
      ["review_requested", "aigate[bot]"],
      ["review_request_removed", "dave"],
    ]);
  });

  it("refuses, whole, a request naming a non-collaborator, a team without access, the author or a duplicate", async () => {
    const { pr, params } = pullRequest();
    expect(
      await status(gh.rest.pulls.requestReviewers({ ...params, reviewers: ["mallory"] })),
    ).toBe(422);
    expect(
      await status(
        gh.rest.pulls.requestReviewers({
          ...params,
          reviewers: ["alice"],
          team_reviewers: ["web"],
        }),
      ),
    ).toBe(422);
    expect(await status(gh.rest.pulls.requestReviewers({ ...params, reviewers: ["dave"] }))).toBe(
      422,
    );
    expect(
      await status(gh.rest.pulls.requestReviewers({ ...params, reviewers: ["alice", "Alice"] })),
    ).toBe(422);
    expect(pr.requestedUsers).toEqual([]);
    expect(pr.requestEvents).toEqual([]);
  });

  it("refuses more than 15 requested reviewers", async () => {
    const { repo, params } = pullRequest();
    const many = Array.from({ length: 16 }, (_, i) => `reviewer${i}`);
    for (const login of many) repo.addCollaborator(login);
    expect(await status(gh.rest.pulls.requestReviewers({ ...params, reviewers: many }))).toBe(422);
    expect(
      await status(gh.rest.pulls.requestReviewers({ ...params, reviewers: many.slice(0, 15) })),
    ).toBe(0);
  });

  it("refuses team requests and team member lists to a workflow's GITHUB_TOKEN", async () => {
    const { params } = pullRequest();
    sim.state.addToken("workflow-token", { app: GITHUB_ACTIONS_APP });
    const workflow = new Octokit({ baseUrl: sim.apiUrl, auth: "workflow-token", log: quiet });
    expect(
      await status(
        workflow.rest.pulls.requestReviewers({ ...params, team_reviewers: ["model-risk"] }),
      ),
    ).toBe(403);
    expect(
      await status(workflow.rest.pulls.requestReviewers({ ...params, reviewers: ["alice"] })),
    ).toBe(0);
    expect(
      await status(workflow.rest.teams.listMembersInOrg({ org: "acme", team_slug: "model-risk" })),
    ).toBe(403);
    const members = await gh.rest.teams.listMembersInOrg({ org: "acme", team_slug: "model-risk" });
    expect(members.data.map((u) => u.login)).toEqual(["erin", "frank"]);
  });
});
