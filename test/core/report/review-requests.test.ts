import { describe, expect, it } from "vitest";
import type { TeamsLookup } from "../../../src/core/policy/approval-plan.js";
import { evaluate } from "../../../src/core/policy/index.js";
import {
  type RequestMemory,
  rememberRequests,
  reviewRequestReport,
} from "../../../src/core/policy/request-memory.js";
import {
  planReviewRequests,
  type ReviewRequestInput,
  type ReviewRequestOutcome,
  type ReviewRequestPlan,
} from "../../../src/core/policy/review-requests.js";
import { renderAnswers, renderCheck, renderRequestAnswer } from "../../../src/core/report/index.js";
import { REVIEW_REQUESTS_HEADING } from "../../../src/core/report/review-requests.js";
import type { Decision } from "../../../src/core/types.js";
import { ALICE, AUTHOR, approval, creditChange, NOW } from "../policy/fixtures.js";

const TEAM = "acme/model-risk";
const noTeams: TeamsLookup = async () => ({ member: [], unreadable: [] });

/** A credit-scoring change waiting for one more approval (alice approved). */
function waitingDecision(): Decision {
  return evaluate(creditChange({ approvals: [approval(ALICE, ["credit-scoring"])] }), NOW);
}

function input(
  decision: Decision,
  overrides: Partial<ReviewRequestInput> = {},
): ReviewRequestInput {
  return {
    mode: "teams",
    trigger: "opened",
    repository: decision.repository,
    pullRequest: { number: 42, author: AUTHOR, draft: false },
    oversight: decision.oversight.systems,
    commits: [],
    committersCanApprove: false,
    requested: { users: [], teams: [] },
    history: [],
    ...overrides,
  };
}

/** The report as the flow draws it: from the memory this evaluation leaves. */
function report(
  facts: ReviewRequestInput,
  plan: ReviewRequestPlan,
  outcome?: ReviewRequestOutcome,
  previous?: RequestMemory,
) {
  const memory = rememberRequests(previous, facts, {
    manifest: "m",
    history: facts.history,
    plan,
    ...(outcome ? { outcome } : {}),
  });
  return reviewRequestReport(facts, plan, memory, outcome);
}

function oversightSummary(decision: Decision): string {
  return renderCheck(decision, "oversight").summary;
}

describe("the oversight summary's review requests", () => {
  it("lists who is asked, when and by whom, and who can still approve", async () => {
    const decision = waitingDecision();
    const facts = input(decision, {
      requested: { users: [{ id: 12, login: "bob", type: "User" }], teams: [] },
      history: [
        {
          kind: "requested",
          reviewer: { kind: "user", login: "bob" },
          actor: { id: 1, login: "dana", type: "User" },
          at: "2026-11-27T08:00:00Z",
        },
      ],
    });
    const plan = await planReviewRequests(facts, noTeams, async () => null);
    expect(plan.teams).toEqual([TEAM]);
    decision.oversight.reviewRequests = report(facts, plan, {
      sent: { users: plan.users, teams: plan.teams },
      refused: [],
      sentAt: [{ reviewers: plan.teams, at: "2026-11-27T12:00:01Z" }],
    });
    const summary = oversightSummary(decision);
    expect(summary).toContain(`## ${REVIEW_REQUESTS_HEADING}`);
    await expect(summary).toMatchFileSnapshot("__snapshots__/review-requests-asked.oversight.txt");
  });

  it("reports a refused request and a team whose members cannot be read for the owners to fix, without failing the check", async () => {
    const decision = waitingDecision();
    const before = renderCheck(decision, "oversight");
    const facts = input(decision, { mode: "users" });
    const plan = await planReviewRequests(facts, noTeams, async () => null);
    decision.oversight.reviewRequests = report(facts, plan, {
      sent: { users: plan.users, teams: plan.teams },
      refused: [
        {
          reviewers: [TEAM],
          reason: "the team has no access to acme/credit (GitHub 422, request id ABCD:1234)",
        },
      ],
    });
    const after = renderCheck(decision, "oversight");
    expect(after.title).toBe(before.title);
    expect(decision.oversight.conclusion).toBe("action_required");
    await expect(after.summary).toMatchFileSnapshot(
      "__snapshots__/review-requests-refused.oversight.txt",
    );
  });

  it("says who can still approve the same way on an event that asks no one", async () => {
    const decision = waitingDecision();
    const asking = input(decision);
    const quiet = input(decision, { trigger: "other" });
    const asked = report(asking, await planReviewRequests(asking, noTeams, async () => null));
    const other = report(quiet, await planReviewRequests(quiet, noTeams, async () => null));
    expect(other.systems).toEqual(asked.systems);
    expect(other.systems[0]?.canApprove).toEqual([TEAM]);
  });

  it("reads the same on a later event that asks no one: the times and the owners' notes stay", async () => {
    const decision = waitingDecision();
    const facts = input(decision, { mode: "users" });
    const plan = await planReviewRequests(facts, noTeams, async () => null);
    const outcome: ReviewRequestOutcome = {
      sent: { users: plan.users, teams: plan.teams },
      refused: [{ reviewers: ["bob"], reason: "bob is not a collaborator (GitHub 422)" }],
      sentAt: [{ reviewers: plan.teams, at: "2026-11-27T12:00:01Z" }],
    };
    const memory = rememberRequests(undefined, facts, { manifest: "m", plan, outcome });
    const first = reviewRequestReport(facts, plan, memory, outcome);
    decision.oversight.reviewRequests = first;
    const before = oversightSummary(decision);
    // The next event: GitHub lists the team as requested; no timeline, no plan, no request.
    const later = input(decision, {
      mode: "users",
      trigger: "other",
      requested: { users: [], teams: [TEAM] },
    });
    const idle: ReviewRequestPlan = { users: [], teams: [], systems: [], overflow: [] };
    const kept = rememberRequests(memory, later, { manifest: "m" });
    decision.oversight.reviewRequests = reviewRequestReport(later, idle, kept);
    const after = oversightSummary(decision);
    expect(after).toBe(before);
    expect(after).toContain("acme/model-risk (team): asked by aigate at 2026-11-27T12:00:01Z");
    expect(after).toContain("GitHub refused to request bob");
    expect(after).toContain("cannot see the members of acme/model-risk");
  });

  it("adds nothing when there is nothing to say", () => {
    const decision = waitingDecision();
    const plain = oversightSummary(decision);
    decision.oversight.reviewRequests = { requested: [], systems: [], refused: [], overflow: [] };
    expect(oversightSummary(decision)).toBe(plain);
  });
});

describe("the answer to /aigate request", () => {
  it.each([
    [
      "asked",
      async () => {
        const decision = waitingDecision();
        const plan = await planReviewRequests(
          input(decision, { trigger: "command" }),
          noTeams,
          async () => null,
        );
        return renderRequestAnswer(7, "dana", { plan, refused: [] });
      },
    ],
    [
      "draft",
      async () => {
        const decision = waitingDecision();
        const plan = await planReviewRequests(
          input(decision, {
            trigger: "command",
            pullRequest: { number: 42, author: AUTHOR, draft: true },
          }),
          noTeams,
          async () => null,
        );
        return renderRequestAnswer(7, "dana", { plan, refused: [] });
      },
    ],
    [
      "covered",
      async () => {
        const decision = waitingDecision();
        const plan = await planReviewRequests(
          input(decision, { trigger: "command", requested: { users: [], teams: [TEAM] } }),
          noTeams,
          async () => null,
        );
        return renderRequestAnswer(7, "dana", { plan, refused: [] });
      },
    ],
    [
      "refused",
      async () => {
        const decision = waitingDecision();
        const plan = await planReviewRequests(
          input(decision, { trigger: "command" }),
          noTeams,
          async () => null,
        );
        return renderRequestAnswer(7, "dana", {
          plan,
          refused: [{ reviewers: [TEAM], reason: "the team has no access to the repository" }],
        });
      },
    ],
    [
      "held-back",
      async () => {
        const decision = waitingDecision();
        const plan = await planReviewRequests(
          input(decision, { trigger: "command" }),
          noTeams,
          async () => null,
        );
        return renderRequestAnswer(7, "dana", { plan, refused: [], heldBack: [TEAM] });
      },
    ],
  ])("answers %s", async (name, render) => {
    const entry = await render();
    // An entry of the one answer comment, naming the command it answers.
    expect(entry.commentId).toBe(7);
    expect(entry.login).toBe("dana");
    expect(entry.text.endsWith("[this comment](#issuecomment-7).</sub>")).toBe(true);
    const text = renderAnswers([entry]);
    expect(text).toContain("<!-- aigate-answer:7:dana -->\n");
    await expect(text).toMatchFileSnapshot(`__snapshots__/request-answer-${name}.md`);
  });
});
