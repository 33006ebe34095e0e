/**
 * An evidence comment's timeout bounds GitHub's answer, not the wait for its turn in the
 * client's throttling: against the simulated GitHub over loopback.
 */
import { Octokit } from "@octokit/rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubSim, startGitHubSimulator } from "../../../sim/index.js";
import { governedRepo } from "../../../sim/stack.js";
import type { GitHubClient } from "../../../src/github/client.js";
import { postComment } from "../../../src/github/flow/publish.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

let sim: GitHubSim;
beforeAll(async () => {
  sim = await startGitHubSimulator();
});
afterAll(async () => {
  await sim?.stop();
});

/** A client whose requests wait `queuedMs` before they are sent, as throttling makes them. */
function throttled(queuedMs: number): GitHubClient {
  const client = new Octokit({ baseUrl: sim.apiUrl, auth: "test-token", log: quiet });
  client.hook.wrap("request", async (request, options) => {
    await new Promise((resolve) => setTimeout(resolve, queuedMs));
    return request(options);
  });
  return client as unknown as GitHubClient;
}

function pullRequest() {
  const repo = governedRepo(sim);
  repo.createBranch("change");
  repo.commit("change", { files: { "notes.md": "notes\n" }, author: "dave" });
  const pr = repo.openPullRequest({ head: "change", author: "dave", title: "Notes" });
  return { repo, pr, target: { owner: repo.owner.login, repo: repo.name, pullNumber: pr.number } };
}

describe("posting an evidence comment with a timeout", () => {
  it("does not count the wait for its turn in the throttling against the timeout", async () => {
    const { repo, pr, target } = pullRequest();
    // The wait (4 s) is twice the timeout (2 s), which a loaded machine's answer stays under.
    const id = await postComment(throttled(4_000), target, "evidence", { timeoutMs: 2_000 });
    expect(repo.issueComments(pr.number).map((c) => c.id)).toContain(id);
  });

  it("gives up on an answer slower than the timeout", async () => {
    const { target } = pullRequest();
    sim.slowNext("issues/create-comment", 6_000);
    await expect(
      postComment(throttled(0), target, "evidence", { retries: 0, timeoutMs: 2_000 }),
    ).rejects.toThrow(/abort|timeout/i);
  });
});
