/**
 * Commands from accounts with no association to the repository, and aigate's one answer comment
 * (docs/app.md#who-may-command-what, docs/app.md#answers), end to end: the real App server,
 * signed webhooks, the simulated GitHub.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver, issueCommentEvent } from "../../sim/index.js";
import { governedRepo, type Stack, startStack } from "../../sim/stack.js";
import { ASSESSMENT, driver, modelChange, OVERSIGHT } from "./driver.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { AIGATE_METRICS: "1" } });
});
afterAll(async () => {
  await stack?.stop();
});

const app = driver(() => stack);

function since(mark: number, operationId: string) {
  return stack.sim.requests.slice(mark).filter((r) => r.operationId === operationId);
}

describe("aigate's answers on a pull request: one comment, edited in place", () => {
  it("answers each account's newest command in one comment, one write per reconcile with something new", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    const mark = stack.sim.requests.length;

    await app.comment(repo, pr, "dave", "/approve credit-scoring");
    expect(since(mark, "issues/create-comment")).toHaveLength(1);
    // frank is a member of the organisation, but no approver of credit-scoring.
    await app.comment(repo, pr, "frank", "/approve credit-scoring");
    await app.comment(repo, pr, "dave", "/approve credit-scoring -- once more");
    const answers = app.replies(repo, pr);
    expect(answers).toHaveLength(1);
    expect(since(mark, "issues/create-comment")).toHaveLength(1);
    expect(since(mark, "issues/update-comment")).toHaveLength(2);
    const body = answers[0]?.body ?? "";
    expect(body).toContain("@frank your `/approve` was not recorded: you are not an approver");
    expect(body.match(/@dave your `\/approve` was not recorded/g)).toHaveLength(1);
    const newest = repo
      .issueComments(pr.number)
      .filter((c) => c.user.login === "dave")
      .at(-1);
    expect(body).toContain(`#issuecomment-${newest?.id}`);

    // Nothing new to say: no write at all.
    const quiet = stack.sim.requests.length;
    await app.comment(repo, pr, "frank", "/aigate recheck");
    expect(since(quiet, "issues/update-comment")).toEqual([]);
    expect(since(quiet, "issues/create-comment")).toEqual([]);
  });
});

describe("what was recorded, in the answer comment", () => {
  it("an account refused before reads that its newest /approve was recorded; the attestation comment stays separate", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    await app.comment(repo, pr, "erin", "/approve credit-scorin");
    expect(app.replies(repo, pr)[0]?.body).toContain(
      "@erin your `/approve` was not recorded: the governance manifest has no system `credit-scorin`",
    );
    const mark = stack.sim.requests.length;
    await app.comment(repo, pr, "erin", "/approve credit-scoring");
    const [answers] = app.replies(repo, pr);
    expect(answers?.body).toContain("@erin your `/approve` was recorded for credit-scoring");
    expect(answers?.body).not.toContain("credit-scorin`");
    expect(app.attestations(repo, pr)).toHaveLength(1);
    expect(since(mark, "issues/update-comment")).toHaveLength(1);
    // alice was never answered: her recorded approval is answered by its attestation alone.
    await app.comment(repo, pr, "alice", "/approve credit-scoring");
    expect(app.replies(repo, pr)[0]?.body).not.toContain("@alice");
  });
});

describe("a stranger's burst of commands", () => {
  it("40 stranger commands cost no comment and no request for the rechecks; a real approval during the burst is recorded and green", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    const mark = stack.sim.requests.length;
    const logsBefore = stack.logs.length;
    const send = (user: string, body: string) => {
      const c = repo.addComment(pr.number, { user, body });
      return deliver(
        stack.appUrl,
        stack.secret,
        "issue_comment",
        issueCommentEvent("created", repo, pr, c),
      );
    };
    const burst = Array.from({ length: 40 }, (_, i) =>
      send("mallory", i % 2 === 0 ? "/approve credit-scoring" : "/aigate recheck"),
    );
    const real = [
      send("alice", "/approve credit-scoring"),
      send("erin", "/approve credit-scoring"),
    ];
    const statuses = await Promise.all([...burst, ...real]);
    await stack.server.queue.idle();
    // Every recheck was answered at once and dropped before any request.
    expect(statuses.filter((s) => s === 202)).toHaveLength(20);
    const dropped = stack.logs
      .slice(logsBefore)
      .filter((l) => l.includes("@mallory (association NONE) may not ask for /aigate recheck"));
    expect(dropped).toHaveLength(20);

    const requests = stack.sim.requests.slice(mark);
    expect(requests.filter((r) => r.operationId === "issues/create-comment")).toHaveLength(2);
    expect(app.replies(repo, pr)).toEqual([]);
    expect(app.attestations(repo, pr).map((c) => c.body)).toEqual([
      expect.stringContaining("approval by @"),
      expect.stringContaining("approval by @"),
    ]);
    expect(app.checks(repo, pr).oversight).toMatchObject({
      conclusion: "success",
      title: "2 of 2 approvals recorded",
    });
    const oversight = stack.sim.state.checkRuns(repo, pr.headSha).latest[OVERSIGHT];
    expect(oversight?.output.summary).toContain("mallory");
    expect(stack.sim.state.checkRuns(repo, pr.headSha).latest[ASSESSMENT]?.conclusion).toBe(
      "success",
    );

    const metrics = await (await fetch(`${stack.appUrl}/aigate/metrics`)).text();
    expect(metrics).toMatch(/aigate_commands_dropped_total\{command="recheck"\} (\d+)/);
    const count = Number(
      /aigate_commands_dropped_total\{command="recheck"\} (\d+)/.exec(metrics)?.[1],
    );
    expect(count).toBeGreaterThanOrEqual(20);
  });
});
