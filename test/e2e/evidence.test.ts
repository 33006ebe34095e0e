/**
 * Evidence is created exactly once when GitHub's answer to its POST is lost or fails: the App
 * reads the live comments before it tries again, and never lets Octokit repeat the POST blindly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { governedRepo, type Stack, startStack } from "../../sim/stack.js";
import { EVIDENCE_ATTEMPTS } from "../../src/github/flow/attest.js";
import { driver, modelChange } from "./driver.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const app = driver(() => stack);
let version = 0;

/** Comment-creating requests since `mark`, and the reads of the comments between them. */
function commentCalls(mark: number): string[] {
  return stack.sim.requests
    .slice(mark)
    .filter(
      (r) => r.operationId === "issues/create-comment" || r.operationId === "issues/list-comments",
    )
    .map((r) => `${r.operationId} ${r.status}`);
}

describe("an attestation comment whose creation ends without a clear answer", () => {
  it("is not posted again when the connection broke after GitHub created it", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange(`e${++version}`));
    const mark = stack.sim.requests.length;
    stack.sim.faultNext("issues/create-comment", "reset-after-write");
    await app.review(repo, pr, "alice");
    expect(app.attestations(repo, pr)).toHaveLength(1);
    const calls = commentCalls(mark);
    expect(calls.filter((c) => c.startsWith("issues/create-comment"))).toEqual([
      "issues/create-comment 0",
    ]);
    // Read before the POST, and again after it failed: the comment was there.
    expect(calls.at(-1)).toMatch(/^issues\/list-comments (200|304)$/);
    expect(app.checks(repo, pr).oversight?.title).toBe(
      "Waiting for 1 of 2 approvals (credit-scoring)",
    );
  });

  it("is posted again, once, after a server error, with a read in between", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange(`e${++version}`));
    const mark = stack.sim.requests.length;
    stack.sim.failNext("issues/create-comment", 502);
    await app.review(repo, pr, "alice");
    expect(app.attestations(repo, pr)).toHaveLength(1);
    const calls = commentCalls(mark);
    const posts = calls.filter((c) => c.startsWith("issues/create-comment"));
    expect(posts).toEqual(["issues/create-comment 502", "issues/create-comment 201"]);
    const between = calls.slice(calls.indexOf(posts[0] ?? ""), calls.lastIndexOf(posts[1] ?? ""));
    expect(between.some((c) => c.startsWith("issues/list-comments"))).toBe(true);
    expect(app.checks(repo, pr).oversight?.title).toBe(
      "Waiting for 1 of 2 approvals (credit-scoring)",
    );
  });

  it("gives up after a bounded number of tries and fails closed", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange(`e${++version}`));
    const mark = stack.sim.requests.length;
    stack.sim.failNext("issues/create-comment", 503, EVIDENCE_ATTEMPTS);
    await app.review(repo, pr, "alice");
    expect(app.attestations(repo, pr)).toEqual([]);
    expect(commentCalls(mark).filter((c) => c.startsWith("issues/create-comment"))).toHaveLength(
      EVIDENCE_ATTEMPTS,
    );
    const oversight = app.checks(repo, pr).oversight;
    expect(oversight?.conclusion).toBe("failure");
    expect(oversight?.title).toMatch(/^aigate could not evaluate: GitHub 503/);
    // The next event heals it.
    await app.comment(repo, pr, "frank", "/aigate recheck");
    expect(app.attestations(repo, pr)).toHaveLength(1);
    expect(app.checks(repo, pr).oversight?.title).toBe(
      "Waiting for 1 of 2 approvals (credit-scoring)",
    );
  });
});
