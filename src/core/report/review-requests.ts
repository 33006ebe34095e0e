/**
 * Review requests for people (docs/policy.md#review-requests): the section of the
 * human-oversight summary that says who was asked and when, who can still approve and what
 * the owners must fix, and the answer to `/aigate request`. Drawn from what the planner
 * decided; never consulted by it.
 */

import type { AnswerEntry } from "../policy/replied.js";
import type { ReviewRequestPlan } from "../policy/review-requests.js";
import type { Decision, ReviewRequestReport } from "../types.js";
import { bullets, md } from "./markdown.js";

export const REVIEW_REQUESTS_HEADING = "Review requests";

function names(list: string[]): string {
  return list.map(md).join(", ");
}

/** The oversight summary's section on review requests, when the door planned them. */
export function reviewRequestsSection(
  decision: Decision,
): { heading: string; body: string } | undefined {
  const report = decision.oversight.reviewRequests;
  if (!report || !hasContent(report)) return undefined;
  const parts: string[] = [];
  if (report.requested.length > 0) {
    parts.push(`Review requested from:\n\n${bullets(report.requested.map(requestedLine))}`);
  }
  const still = report.systems.filter((s) => s.canApprove.length > 0);
  if (still.length > 0) {
    parts.push(
      `Can still approve (never the author, a committer, a bot or someone who already approved):\n\n${bullets(
        still.map((s) => `${md(s.system)}: ${names(s.canApprove)}`),
      )}`,
    );
  }
  if (report.heldBack && report.heldBack.length > 0) {
    parts.push(
      `Not requested now, to keep the installation's writes for the evidence while its budget is nearly spent: ${names(report.heldBack)}. \`/aigate request\` asks again.`,
    );
  }
  const fix: string[] = [];
  for (const r of report.refused) {
    fix.push(`GitHub refused to request ${names(r.reviewers)}: ${md(r.reason)}`);
  }
  const unreadable = unique(report.systems.flatMap((s) => s.unreadableTeams));
  if (unreadable.length > 0) {
    fix.push(
      `aigate's token cannot see the members of ${names(unreadable)}, so the team was requested as a team: give the token Members: read to choose people from it`,
    );
  }
  const foreign = unique(report.systems.flatMap((s) => s.foreignTeams));
  if (foreign.length > 0) {
    fix.push(
      `${names(foreign)} belong${foreign.length === 1 ? "s" : ""} to another organisation, and GitHub requests only the repository's own teams: list its people as users, or a team of this organisation`,
    );
  }
  if (report.overflow.length > 0) {
    fix.push(
      `not requested, because a pull request has at most 15 reviewers requested: ${names(report.overflow)}`,
    );
  }
  if (fix.length > 0) {
    parts.push(
      `For the repository's owners to fix (this does not fail the check):\n\n${bullets(fix)}`,
    );
  }
  return { heading: REVIEW_REQUESTS_HEADING, body: parts.join("\n\n") };
}

/**
 * One requested reviewer, with when and by whom the request was made where that is known
 * (docs/app.md#review-requests): a time that is not known is left out, never guessed.
 */
function requestedLine(reviewer: ReviewRequestReport["requested"][number]): string {
  const name = `${md(reviewer.name)}${reviewer.team ? " (team)" : ""}`;
  const asked = reviewer.asked;
  if (!asked) return name;
  const by = asked.aigate ? " by aigate" : asked.by ? ` by ${md(asked.by)}` : "";
  return `${name}: asked${by} at ${md(asked.at)}`;
}

function hasContent(report: ReviewRequestReport): boolean {
  return (
    report.requested.length > 0 ||
    report.refused.length > 0 ||
    report.overflow.length > 0 ||
    (report.heldBack?.length ?? 0) > 0 ||
    report.systems.some(
      (s) => s.canApprove.length > 0 || s.unreadableTeams.length > 0 || s.foreignTeams.length > 0,
    )
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** How `/aigate request` was answered: what the plan and GitHub did, or the write budget. */
export interface RequestAnswer {
  plan: ReviewRequestPlan;
  /** Requests GitHub refused, with its reason. */
  refused: ReviewRequestReport["refused"];
  /** Reviewers not asked because the installation's write budget was nearly spent. */
  heldBack?: string[];
}

/**
 * The answer to an `/aigate request`, as an entry of aigate's one answer comment
 * (docs/app.md#answers): the comment's marker names the command it answers.
 */
export function renderRequestAnswer(
  commentId: number,
  login: string,
  answer: RequestAnswer,
): AnswerEntry {
  return { commentId, login, text: requestAnswerText(commentId, login, answer) };
}

function requestAnswerText(commentId: number, login: string, answer: RequestAnswer): string {
  const head = `@${md(login)}`;
  const { plan, refused } = answer;
  const held = answer.heldBack ?? [];
  const notSent = new Set(
    [...refused.flatMap((r) => r.reviewers), ...held].map((n) => n.toLowerCase()),
  );
  const sent = [...plan.teams, ...plan.users].filter((n) => !notSent.has(n.toLowerCase()));
  const lines: string[] = [];
  if (sent.length > 0) lines.push(`${head} aigate asked ${names(sent)} for a review.`);
  else if (held.length > 0) {
    lines.push(
      `${head} nothing was requested now: the installation's writes are kept for the evidence while its budget is nearly spent; ask again in a few minutes.`,
    );
  } else if (refused.length > 0) lines.push(`${head} aigate could not request reviews:`);
  else lines.push(`${head} nothing was requested: ${nothingReason(plan)}.`);
  const notes = refused.map(
    (r) => `GitHub refused to request ${names(r.reviewers)}: ${md(r.reason)}`,
  );
  if (plan.overflow.length > 0) {
    notes.push(`not requested, at most 15 reviewers: ${names(plan.overflow)}`);
  }
  const text = notes.length > 0 ? `${lines.join("\n")}\n\n${bullets(notes)}` : lines.join("\n");
  return `${text}\n\n<sub>In answer to [this comment](#issuecomment-${commentId}).</sub>`;
}

function nothingReason(plan: ReviewRequestPlan): string {
  switch (plan.skipped) {
    case "off":
      return "the governance manifest sets `request_reviews: off`";
    case "draft":
      return "the pull request is a draft; mark it ready for review";
    case "trigger":
      return "this event does not ask for reviews";
    case "nothing_waits":
      return "no AI system of this change is waiting for approvals";
    case "covered":
      return "the reviewers already requested can give the approvals still missing";
    default: {
      const pending = unique(plan.systems.flatMap((s) => s.pending));
      if (pending.length > 0) {
        return `the reviewers already requested (${names(pending)}) can give the approvals still missing`;
      }
      return "everyone who can approve has already approved, is excluded, or had their request removed by a person";
    }
  }
}
