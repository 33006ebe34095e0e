/**
 * What the human-oversight check says of review requests end to end (docs/app.md#review-requests):
 * when and by whom each reviewer was asked, and the owners' notes while they hold. Apart from
 * review-requests.test.ts so that each file's writes stay well inside one installation's write
 * budget per minute, which would otherwise hold review requests back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullRequestEvent, type SimPullRequest, type SimRepo } from "../../sim/index.js";
import {
  appIdentity,
  governedRepo,
  type Stack,
  startReplica,
  startStack,
} from "../../sim/stack.js";
import { driver, modelChange } from "./driver.js";
import { askedAt, eventReads as eventReadsOf, requestedBy } from "./review-requests-reads.js";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { AIGATE_METRICS: "1" } });
});
afterAll(async () => {
  await stack?.stop();
});

const app = driver(() => stack);
const eventReads = (repo: SimRepo, pr: SimPullRequest) => eventReadsOf(stack, repo, pr);

describe("what the oversight check says of review requests", () => {
  it("says when aigate asked, through a review that rewrites the check and a restart of the App", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    const line = `- acme/model-risk (team): asked by aigate at ${askedAt(pr, "team:model-risk")}\n`;
    expect(app.checks(repo, pr).oversight?.summary).toContain(line);
    // alice (a listed user, not of the team) approves: the check is rewritten, the time stays.
    const before = app.checks(repo, pr).oversight?.summary;
    await app.review(repo, pr, "alice");
    const after = app.checks(repo, pr).oversight;
    expect(after?.summary).not.toBe(before);
    expect(after?.title).toContain("1 of 2");
    expect(after?.summary).toContain(line);
    // A restarted App (a new process with an empty memory, the same GitHub) reads the timeline
    // once to say the same, on a push that writes the checks of a new head.
    const replica = await startReplica(stack.sim, {
      ...appIdentity(),
      signingKeyPem: stack.signingKeyPem,
    });
    try {
      const restarted = driver(() => ({ ...stack, send: replica.send }));
      const reads = () => eventReads(repo, pr);
      const readsBefore = reads();
      await restarted.push(repo, pr, { "README.md": "Notes on the new model.\n" });
      expect(restarted.checks(repo, pr).oversight?.title).toContain("1 of 2");
      expect(restarted.checks(repo, pr).oversight?.summary).toContain(line);
      expect(reads()).toBe(readsBefore + 1);
      // Learnt once: the next event reads no timeline.
      repo.addCollaborator("dave");
      await restarted.comment(repo, pr, "dave", "/aigate recheck");
      expect(restarted.checks(repo, pr).oversight?.summary).toContain(line);
      expect(reads()).toBe(readsBefore + 1);
    } finally {
      await replica.stop();
    }
    expect(requestedBy(pr)).toEqual(["team:model-risk"]);
  });

  it("keeps a refusal on the check through events that ask no one, until it no longer holds", async () => {
    const repo = governedRepo(stack.sim);
    repo.teamsWithAccess.delete("model-risk");
    repo.addCollaborator("dave");
    const pr = await app.open(repo, modelChange());
    const note = "GitHub refused to request acme/model-risk";
    expect(app.checks(repo, pr).oversight?.summary).toContain(note);
    // An approving review rewrites the check: the refusal still holds, and is still there.
    await app.review(repo, pr, "alice");
    expect(app.checks(repo, pr).oversight?.title).toContain("1 of 2");
    expect(app.checks(repo, pr).oversight?.summary).toContain(note);
    // The owners give the team access, and someone asks again: the request goes through.
    repo.grantTeam("model-risk");
    await app.comment(repo, pr, "dave", "/aigate request");
    expect(requestedBy(pr)).toEqual(["team:model-risk"]);
    const summary = app.checks(repo, pr).oversight?.summary ?? "";
    expect(summary).not.toContain(note);
    expect(summary).not.toContain("For the repository's owners to fix");
    expect(summary).toContain(
      `- acme/model-risk (team): asked by aigate at ${askedAt(pr, "team:model-risk")}\n`,
    );
  });

  it("drops a refusal once the quorum is met", async () => {
    const repo = governedRepo(stack.sim);
    repo.teamsWithAccess.delete("model-risk");
    const pr = await app.open(repo, modelChange());
    expect(app.checks(repo, pr).oversight?.summary).toContain("GitHub refused to request");
    await app.review(repo, pr, "alice");
    await app.review(repo, pr, "erin");
    const oversight = app.checks(repo, pr).oversight;
    expect(oversight?.conclusion).toBe("success");
    expect(oversight?.summary).not.toContain("GitHub refused to request");
    // Waiting again after a governed push: the old refusal is not shown as if it still held.
    repo.grantTeam("model-risk");
    await app.push(repo, pr, modelChange("v3"));
    expect(app.checks(repo, pr).oversight?.conclusion).toBe("action_required");
    expect(app.checks(repo, pr).oversight?.summary).not.toContain("GitHub refused to request");
  });

  it("a request removed and made again by hand: the check says who asked, and when", async () => {
    const repo = governedRepo(stack.sim);
    const pr = await app.open(repo, modelChange());
    const carol = stack.sim.state.user("carol");
    pr.removeRequestedReviewers(carol, [], ["model-risk"]);
    const hand = (action: "review_requested" | "review_request_removed") =>
      stack.send("pull_request", pullRequestEvent(action, repo, pr, { sender: "carol" }));
    expect(await hand("review_request_removed")).toBe(200);
    expect(app.checks(repo, pr).oversight?.summary).not.toContain("Review requested from");
    pr.requestReviewers(carol, [], ["model-risk"]);
    expect(await hand("review_requested")).toBe(200);
    const line = `- acme/model-risk (team): asked by carol at ${askedAt(pr, "team:model-risk")}\n`;
    expect(app.checks(repo, pr).oversight?.summary).toContain(line);
    await app.review(repo, pr, "alice");
    expect(app.checks(repo, pr).oversight?.title).toContain("1 of 2");
    expect(app.checks(repo, pr).oversight?.summary).toContain(line);
    // aigate asked once; the person's request was never made again by aigate.
    expect(requestedBy(pr)).toEqual(["team:model-risk"]);
  });
});
