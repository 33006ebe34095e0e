/**
 * What an event means for review requests (docs/policy.md#review-requests): the trigger of a
 * pull request's action, and a new `/aigate request` comment the router honoured — who may ask
 * is decided by the rule for every command that asks for work (docs/app.md#who-may-command-what).
 */
import type { CommandRights } from "../../core/command-rights.js";
import type { ReviewRequestTrigger } from "../../core/policy/review-requests.js";
import type { RequestCommand } from "../flow/contract.js";

const TRIGGERS: Record<string, ReviewRequestTrigger> = {
  opened: "opened",
  reopened: "reopened",
  ready_for_review: "ready_for_review",
  synchronize: "push",
};

/** The review-request trigger of a `pull_request` action. */
export function reviewTrigger(action: string): ReviewRequestTrigger {
  return TRIGGERS[action] ?? "other";
}

/**
 * A new comment's `/aigate request`, when its author may ask for it (`rights`, from the
 * comment's `author_association`), or undefined: a dropped request never reaches the flow.
 */
export function requestCommandOf(
  action: string,
  comment: {
    id?: number | undefined;
    user?: { login: string } | null | undefined;
  },
  rights: Pick<CommandRights, "work">,
): RequestCommand | undefined {
  if (action !== "created" || comment.id === undefined || !comment.user) return undefined;
  if (!rights.work.includes("request")) return undefined;
  return { commentId: comment.id, login: comment.user.login };
}
