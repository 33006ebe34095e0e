/**
 * What an event means for review requests (docs/policy.md#review-requests): the trigger of a
 * pull request's action, and a new `/aigate request` comment with whether GitHub calls its
 * author a collaborator (only collaborators may ask).
 */
import { parseCommands } from "../../core/commands.js";
import type { ReviewRequestTrigger } from "../../core/policy/review-requests.js";
import type { RequestCommand } from "../flow/contract.js";

const TRIGGERS: Record<string, ReviewRequestTrigger> = {
  opened: "opened",
  reopened: "reopened",
  ready_for_review: "ready_for_review",
  synchronize: "push",
};

/** GitHub's author associations of the people who may ask aigate to request reviews. */
const COLLABORATORS: ReadonlySet<string> = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

/** The review-request trigger of a `pull_request` action. */
export function reviewTrigger(action: string): ReviewRequestTrigger {
  return TRIGGERS[action] ?? "other";
}

/** A new comment's `/aigate request`, or undefined. */
export function requestCommandOf(
  action: string,
  comment: {
    id?: number | undefined;
    body?: string | null | undefined;
    user?: { login: string } | null | undefined;
    author_association?: string | undefined;
  },
): RequestCommand | undefined {
  if (action !== "created" || comment.id === undefined || !comment.user) return undefined;
  if (!parseCommands(comment.body).request) return undefined;
  return {
    commentId: comment.id,
    login: comment.user.login,
    collaborator: COLLABORATORS.has(comment.author_association ?? ""),
  };
}
