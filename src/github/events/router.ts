/**
 * The one event router of the App and the Action: which events can change a gate's outcome,
 * and for which pull request. Everything else is dropped here, before any API call, with the
 * reason (docs/architecture.md#events). Payloads are parsed with zod at this edge; a payload
 * that does not have the expected shape is dropped, never trusted.
 */
import * as z from "zod";
import { MARKER_PREFIX } from "../../core/attestation/comment.js";
import { queuedPullRequest } from "../../core/policy/merge-group.js";
import type { ReviewRequestTrigger } from "../../core/policy/review-requests.js";
import { CHECK_NAMES } from "../flow/checks.js";
import type { RequestCommand } from "../flow/contract.js";
import type { BasePushTarget } from "./base-push.js";
import { carriesMarker, droppedWork, type Ignored, rightsOf } from "./commands.js";
import type { MergeGroupTarget } from "./merge-group.js";
import {
  CheckRunEvent,
  CheckSuiteEvent,
  CommentEvent,
  PullRequestEvent,
  Repository,
  ReviewEvent,
} from "./payloads.js";
import { requestCommandOf, reviewTrigger } from "./review-requests.js";

/** The events app.yml subscribes to, with the actions that matter. */
export const HANDLED_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.edited",
  "pull_request.review_requested",
  "pull_request.review_request_removed",
  "pull_request_review.submitted",
  "pull_request_review.edited",
  "pull_request_review.dismissed",
  "issue_comment.created",
  "issue_comment.edited",
  "issue_comment.deleted",
  "check_run.rerequested",
  "check_suite.rerequested",
  "merge_group.checks_requested",
  "push",
] as const;

export type HandledEvent = (typeof HANDLED_EVENTS)[number];

export interface EventTarget {
  owner: string;
  repo: string;
  pullNumber: number;
  /** The head the event names, so an error check can be written even if reading the PR fails. */
  headSha?: string;
  /** Why this event is worth a reconcile, for the log. */
  why: string;
  /**
   * The body of a deleted comment that carried an attestation: signed evidence is re-posted,
   * because deleting a comment (a revocation, say) must not undo what it attested.
   */
  deleted?: { commentId: number; body: string; by?: string };
  /**
   * Whether the event is about a comment of the pull request's conversation. False lets a
   * reconcile trust the pull request's count of none and not list the comments
   * (docs/deployment.md#11-rate-limit-economy); absent, they are always listed.
   */
  fromComment?: boolean;
  /**
   * Someone asked to evaluate afresh (a re-run of a check, `/aigate recheck`): the App's check
   * runs are listed from GitHub rather than taken from what it last wrote there, so a record
   * that went wrong is healed (docs/deployment.md#11-rate-limit-economy).
   */
  relist?: true;
  /** What the event means for review requests (docs/policy.md#review-requests). */
  requestReviews?: ReviewRequestTrigger;
  /** A `/aigate request` comment, to be answered (docs/policy.md#review-requests). */
  requestCommand?: RequestCommand;
}

/** A merge queue asking for both checks on a group (docs/app.md#merge-queues). */
export interface MergeGroupRoute {
  mergeGroup: MergeGroupTarget;
  why: string;
}

/** A push that may have changed the base of open pull requests. */
export interface BasePushRoute {
  basePush: BasePushTarget;
  why: string;
}

export type { Ignored };

export type Route = EventTarget | MergeGroupRoute | BasePushRoute | Ignored;

const MergeGroupEvent = z.looseObject({
  action: z.string(),
  repository: Repository,
  merge_group: z.looseObject({
    head_sha: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/),
    head_ref: z.string().optional(),
    base_sha: z
      .string()
      .regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/)
      .optional(),
  }),
});
const ChangedPaths = z.array(z.string()).optional();
const SHA = z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/);
const PushEvent = z.looseObject({
  ref: z.string(),
  before: SHA.optional(),
  after: SHA.optional(),
  deleted: z.boolean().optional(),
  forced: z.boolean().optional(),
  repository: Repository.and(z.looseObject({ default_branch: z.string().optional() })),
  commits: z
    .array(z.looseObject({ added: ChangedPaths, modified: ChangedPaths, removed: ChangedPaths }))
    .nullable()
    .optional(),
});

/** GitHub lists at most this many commits in a push event. */
const MAX_PUSH_COMMITS = 2048;

function mergeGroupRoute(payload: unknown): MergeGroupRoute | Ignored {
  const p = MergeGroupEvent.safeParse(payload);
  if (!p.success) return { ignored: "the merge_group event names no group head to check" };
  if (p.data.action !== "checks_requested") {
    return { ignored: `merge_group action '${p.data.action}' needs nothing` };
  }
  const group = p.data.merge_group;
  const target: MergeGroupTarget = {
    owner: p.data.repository.owner.login,
    repo: p.data.repository.name,
    headSha: group.head_sha,
    pull:
      group.head_ref === undefined
        ? { ok: false, reason: "the merge_group event has no head_ref" }
        : queuedPullRequest(group.head_ref),
  };
  if (group.base_sha !== undefined) target.baseSha = group.base_sha;
  if (group.head_ref !== undefined) target.headRef = group.head_ref;
  return { mergeGroup: target, why: "merge_group.checks_requested" };
}

function basePushRoute(payload: unknown): BasePushRoute | Ignored {
  const p = PushEvent.safeParse(payload);
  if (!p.success) return { ignored: "the push event names no branch or tag" };
  if (p.data.deleted) return { ignored: "a deleted branch or tag changes no open pull request" };
  const ref = /^refs\/(heads|tags)\/(.+)$/.exec(p.data.ref);
  if (!ref?.[2]) return { ignored: `a push to ${p.data.ref} changes no base` };
  const target: BasePushTarget = {
    owner: p.data.repository.owner.login,
    repo: p.data.repository.name,
    ref: ref[2],
    branch: ref[1] === "heads",
  };
  if (p.data.forced === true) target.forced = true;
  if (p.data.before !== undefined) target.before = p.data.before;
  if (p.data.after !== undefined) target.after = p.data.after;
  if (p.data.repository.default_branch !== undefined) {
    target.defaultBranch = p.data.repository.default_branch;
  }
  const commits = p.data.commits ?? [];
  // A forced push can drop commits that changed the manifest: what changed is then unknown.
  if (commits.length > 0 && commits.length < MAX_PUSH_COMMITS && !p.data.forced) {
    target.paths = [
      ...new Set(
        commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])]),
      ),
    ];
  }
  return { basePush: target, why: `push to ${p.data.ref}` };
}

/**
 * The pull request to reconcile for an event, or null when the event cannot change the outcome.
 * `appId` lets the App ignore the comments it wrote itself.
 */
export function targetOf(event: string, payload: unknown, appId?: number): EventTarget | null {
  const routed = routeEvent(event, payload, appId);
  return "pullNumber" in routed ? routed : null;
}

/**
 * The App's route for a verified delivery of event `name` (its X-GitHub-Event header): an
 * event or action outside HANDLED_EVENTS is ignored, the rest go through routeEvent. The
 * server answers an ignored delivery at once (202) and the App's handler drops it; both ask
 * here (docs/deployment.md#3-how-webhooks-are-answered).
 */
export function routeDelivery(name: string, payload: unknown, appId?: number): Route {
  const action = (payload as { action?: unknown } | null)?.action;
  const event = `${name}.${typeof action === "string" ? action : ""}`;
  const handled = (HANDLED_EVENTS as readonly string[]).some((e) => e === name || e === event);
  if (!handled) {
    return {
      ignored: `${typeof action === "string" ? event : name} is not an event aigate handles`,
    };
  }
  return routeEvent(event, payload, appId);
}

/**
 * The pull request to reconcile for `name.action`, or why the event is ignored. Events that
 * the router does not know are ignored too: each door says which it subscribes to.
 */
export function routeEvent(event: string, payload: unknown, appId?: number): Route {
  const [name, action] = event.split(".");
  const ignored = (reason: string): Ignored => ({ ignored: reason });
  const unreadable = ignored("the event names no pull request");
  const at = (
    repository: z.infer<typeof Repository>,
    pullNumber: number,
    headSha: string | undefined,
    why: string,
  ) => {
    const t: EventTarget = {
      owner: repository.owner.login,
      repo: repository.name,
      pullNumber,
      why,
      fromComment: name === "issue_comment",
    };
    if (headSha) t.headSha = headSha;
    return t;
  };
  switch (name) {
    case "pull_request": {
      const p = PullRequestEvent.safeParse(payload);
      if (!p.success) return unreadable;
      const { pull_request: pr, repository } = p.data;
      if (["opened", "synchronize", "reopened", "ready_for_review"].includes(p.data.action)) {
        const t = at(repository, pr.number, pr.head.sha, `pull_request.${p.data.action}`);
        t.requestReviews = reviewTrigger(p.data.action);
        return t;
      }
      // A request made or removed by hand changes whom the oversight check lists as asked, and
      // when (docs/app.md#review-requests); aigate's own (a bot's) is on the check already.
      if (
        p.data.action === "review_request_removed" ||
        (p.data.action === "review_requested" && p.data.sender?.type !== "Bot")
      ) {
        return at(repository, pr.number, pr.head.sha, `pull_request.${p.data.action}`);
      }
      // A retitled PR changes nothing; a new base changes the manifest and the diff.
      if (p.data.action === "edited" && p.data.changes?.base !== undefined) {
        return at(repository, pr.number, pr.head.sha, "pull_request.edited (base changed)");
      }
      return ignored(
        `pull_request action '${p.data.action}' cannot change the gates: nothing to do`,
      );
    }
    case "pull_request_review": {
      const p = ReviewEvent.safeParse(payload);
      if (!p.success) return unreadable;
      const { pull_request: pr, repository, review } = p.data;
      const state = review.state.toLowerCase();
      const why = `pull_request_review.${p.data.action} (${state})`;
      if (p.data.action === "dismissed") return at(repository, pr.number, pr.head.sha, why);
      if (
        p.data.action === "submitted" &&
        (state === "approved" || state === "changes_requested")
      ) {
        return at(repository, pr.number, pr.head.sha, why);
      }
      // An edited or plain review matters only if its text names systems or asks for a recheck.
      const commander = { login: review.user?.login ?? "", association: review.author_association };
      const now = rightsOf(review.body, commander, pr.user?.login);
      const before = rightsOf(p.data.changes?.body?.from, commander, pr.user?.login);
      if (
        now.evaluate ||
        before.evaluate ||
        carriesMarker(review.body, p.data.changes?.body?.from)
      ) {
        const t = at(repository, pr.number, pr.head.sha, why);
        if (now.work.includes("recheck")) t.relist = true;
        return t;
      }
      if (now.dropped.length > 0) return droppedWork(commander, now.dropped);
      return ignored("the review neither approves nor requests changes nor carries a command");
    }
    case "issue_comment": {
      const p = CommentEvent.safeParse(payload);
      if (!p.success) return unreadable;
      if (p.data.issue.pull_request === undefined) {
        return ignored("the comment is on an issue, not a pull request: nothing to do");
      }
      const { comment, repository, issue } = p.data;
      const ours =
        appId !== undefined &&
        comment.performed_via_github_app?.id === appId &&
        p.data.sender?.type === "Bot";
      if (ours && p.data.action === "created") return ignored("aigate wrote this comment itself");
      if (!["created", "edited", "deleted"].includes(action ?? p.data.action)) {
        return ignored(`issue_comment action '${p.data.action}' cannot change the gates`);
      }
      const commander = {
        login: comment.user?.login ?? "",
        association: comment.author_association,
      };
      const previous = p.data.changes?.body?.from;
      const now = rightsOf(comment.body, commander, issue.user?.login);
      const before = rightsOf(previous, commander, issue.user?.login);
      if (now.evaluate || before.evaluate || carriesMarker(comment.body, previous)) {
        const t = at(repository, issue.number, undefined, `issue_comment.${p.data.action}`);
        if (p.data.action !== "deleted" && now.work.includes("recheck")) t.relist = true;
        const command = requestCommandOf(p.data.action, comment, now);
        if (command) t.requestCommand = command;
        if (
          p.data.action === "deleted" &&
          comment.id !== undefined &&
          comment.body?.includes(MARKER_PREFIX)
        ) {
          t.deleted = { commentId: comment.id, body: comment.body };
          const by = p.data.sender?.login;
          if (by) t.deleted.by = by;
        }
        return t;
      }
      if (p.data.action !== "deleted" && now.dropped.length > 0) {
        return droppedWork(commander, now.dropped);
      }
      return ignored("the comment carries no aigate command: nothing to do");
    }
    case "check_run": {
      const p = CheckRunEvent.safeParse(payload);
      if (!p.success) return unreadable;
      if (!CHECK_NAMES.includes(p.data.check_run.name)) return ignored("not an aigate check run");
      const pr = p.data.check_run.pull_requests[0];
      return pr
        ? {
            ...at(p.data.repository, pr.number, p.data.check_run.head_sha, "check_run.rerequested"),
            relist: true,
          }
        : ignored("the check run belongs to no open pull request");
    }
    case "check_suite": {
      const p = CheckSuiteEvent.safeParse(payload);
      if (!p.success) return unreadable;
      const pr = p.data.check_suite.pull_requests[0];
      return pr
        ? {
            ...at(
              p.data.repository,
              pr.number,
              p.data.check_suite.head_sha,
              "check_suite.rerequested",
            ),
            relist: true,
          }
        : ignored("the check suite belongs to no open pull request");
    }
    case "merge_group":
      return mergeGroupRoute(payload);
    case "push":
      return basePushRoute(payload);
    default:
      return ignored(`${name ?? event} events cannot change the gates`);
  }
}
