/**
 * What the review request tests read from the simulated GitHub: who aigate asked, when a
 * reviewer was asked, and how often the pull request's events were read.
 */
import type { SimPullRequest, SimRepo } from "../../sim/index.js";
import type { Stack } from "../../sim/stack.js";

/** Who aigate asked, in order: `team:slug` or a login, one entry per review_requested event. */
export function requestedBy(pr: SimPullRequest, actor = "aigate[bot]"): string[] {
  return pr.requestEvents
    .filter((e) => e.event === "review_requested" && e.actor.login === actor)
    .map((e) => ("user" in e.reviewer ? e.reviewer.user.login : `team:${e.reviewer.team}`));
}

/** When the latest `review_requested` event for a login or `team:slug` was made. */
export function askedAt(pr: SimPullRequest, reviewer: string): string {
  const at = pr.requestEvents
    .filter((e) => e.event === "review_requested")
    .filter((e) =>
      "user" in e.reviewer
        ? e.reviewer.user.login === reviewer
        : `team:${e.reviewer.team}` === reviewer,
    )
    .at(-1)?.createdAt;
  if (!at) throw new Error(`no review_requested event for ${reviewer}`);
  return at;
}

/** The reads of the pull request's issue events (its review request history) so far. */
export function eventReads(stack: Stack, repo: SimRepo, pr: SimPullRequest): number {
  const path = `/repos/${repo.fullName}/issues/${pr.number}/events`;
  return stack.sim.requests.filter(
    (r) => r.operationId === "issues/list-events" && r.path.endsWith(path),
  ).length;
}
