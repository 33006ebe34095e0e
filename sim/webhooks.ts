import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import {
  checkRunJson,
  commentJson,
  issueJson,
  organizationJson,
  pullJson,
  pullSimpleJson,
  repoJson,
  reviewJson,
  userJson,
} from "./representations.js";
import type {
  SimCheckRun,
  SimComment,
  SimPullRequest,
  SimRepo,
  SimReview,
  SimUser,
  UserRef,
} from "./state.js";

/** Probot's default webhook path. */
export const WEBHOOK_PATH = "/api/github/webhooks";

export type WebhookPayload = Record<string, unknown>;

export interface DeliverOptions {
  deliveryId?: string;
  /** Webhook path on the app (Probot's default unless told). */
  path?: string;
  /** Send this `X-Hub-Signature-256` instead of the correct one; `null` omits the header. */
  signature?: string | null;
}

/**
 * POSTs `payload` to the app's webhook endpoint exactly as GitHub does: raw JSON body signed
 * with HMAC-SHA256 in `X-Hub-Signature-256`, `X-GitHub-Event`, `X-GitHub-Delivery`.
 * Resolves to the HTTP status the app answered.
 */
export async function deliver(
  appUrl: string,
  secret: string,
  eventName: string,
  payload: WebhookPayload,
  options: DeliverOptions = {},
): Promise<number> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/sim",
    "x-github-event": eventName,
    "x-github-delivery": options.deliveryId ?? randomUUID(),
    "x-github-hook-installation-target-type": "integration",
  };
  const signature = options.signature === undefined ? await sign(secret, body) : options.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const base = appUrl.replace(/\/+$/, "");
  const url = base.endsWith(options.path ?? WEBHOOK_PATH)
    ? base
    : `${base}${options.path ?? WEBHOOK_PATH}`;
  const response = await fetch(url, { method: "POST", headers, body });
  await response.arrayBuffer();
  return response.status;
}

/** What every event of `repo` carries: the repository, its organisation, the sender, the installation. */
export function common(repo: SimRepo, sender: SimUser): WebhookPayload {
  const urls = repo.state.urls;
  return {
    repository: repoJson(repo, urls),
    ...(repo.owner.type === "Organization"
      ? { organization: organizationJson(repo.owner, urls) }
      : {}),
    sender: userJson(sender, urls),
    installation: {
      id: repo.installationId,
      node_id: Buffer.from(`0:Installation${repo.installationId}`).toString("base64"),
    },
  };
}

const pullOf = (repo: SimRepo, pr: SimPullRequest | number) =>
  typeof pr === "number" ? repo.pullRequest(pr) : pr;

export type PullRequestAction =
  | "opened"
  | "synchronize"
  | "reopened"
  | "edited"
  | "closed"
  | "ready_for_review"
  | "converted_to_draft"
  | "review_requested"
  | "review_request_removed";

/**
 * A `pull_request` event for the pull request's current state. For `synchronize`, `before`
 * defaults to the head before the latest push and `after` is the current head.
 */
export function pullRequestEvent(
  action: PullRequestAction,
  repo: SimRepo,
  pr: SimPullRequest | number,
  options: { sender?: UserRef; before?: string; changes?: Record<string, unknown> } = {},
): WebhookPayload {
  const p = pullOf(repo, pr);
  const sender = options.sender ? repo.state.user(options.sender) : p.author;
  return {
    action,
    number: p.number,
    ...(action === "synchronize"
      ? { before: options.before ?? p.previousHeadSha ?? p.baseSha, after: p.headSha }
      : {}),
    ...(options.changes ? { changes: options.changes } : {}),
    pull_request: pullJson(p, repo.state.urls),
    ...common(repo, sender),
  };
}

/** A `pull_request_review` event (`submitted`, `edited` or `dismissed`). */
export function pullRequestReviewEvent(
  action: "submitted" | "edited" | "dismissed",
  repo: SimRepo,
  pr: SimPullRequest | number,
  review: SimReview,
  options: { sender?: UserRef } = {},
): WebhookPayload {
  const p = pullOf(repo, pr);
  const sender = options.sender ? repo.state.user(options.sender) : review.user;
  return {
    action,
    review: reviewJson(p, review, repo.state.urls),
    pull_request: pullSimpleJson(p, repo.state.urls),
    ...common(repo, sender),
  };
}

/**
 * An `issue_comment` event on a pull request. For `edited`, `changes.body.from` defaults to
 * the comment's previous body.
 */
export function issueCommentEvent(
  action: "created" | "edited" | "deleted",
  repo: SimRepo,
  pr: SimPullRequest | number,
  comment: SimComment,
  options: { changes?: { body?: { from: string } }; sender?: UserRef } = {},
): WebhookPayload {
  const p = pullOf(repo, pr);
  const sender = options.sender ? repo.state.user(options.sender) : comment.user;
  const previous = comment.revisions.at(-2);
  const changes =
    options.changes ??
    (action === "edited" && previous ? { body: { from: previous.body } } : undefined);
  return {
    action,
    issue: issueJson(p, repo.state.urls),
    comment: commentJson(repo, comment, repo.state.urls),
    ...(changes ? { changes } : {}),
    ...common(repo, sender),
  };
}

/** A `check_run` event with action `rerequested` (someone pressed "Re-run"). */
export function checkRunRerequestedEvent(
  repo: SimRepo,
  run: SimCheckRun,
  options: { sender?: UserRef } = {},
): WebhookPayload {
  const prAuthor = [...repo.pulls.values()].find((p) => p.headSha === run.headSha)?.author;
  const sender = options.sender
    ? repo.state.user(options.sender)
    : (prAuthor ?? repo.state.user("octocat"));
  return {
    action: "rerequested",
    check_run: checkRunJson(repo, run, repo.state.urls),
    ...common(repo, sender),
  };
}
