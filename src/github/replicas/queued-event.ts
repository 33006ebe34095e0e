/**
 * What an event carries to the replica that reconciles it for it (docs/app.md#8-scaling): an
 * event that finds its pull request or merge group locked is queued in Redis, and the lock's
 * holder reconciles again for it. A rerun reads every fact live; what live facts cannot tell
 * travels with the event: a deleted attestation comment's body (it is restored), the head the
 * event names (so a failure still writes red checks there), whether it asked to evaluate afresh
 * (a recheck lists the check runs), what it means for review requests (the trigger, and a
 * `/aigate request` comment to answer), and a merge group's refs (its checks go on the group's
 * head, not the pull request's). Equal events are queued once.
 */
import * as z from "zod";
import type { PullRequestTarget } from "../client.js";
import type { MergeGroupTarget } from "../events/merge-group.js";
import type { ReconcileTarget } from "../flow/contract.js";

export type QueuedEvent =
  | {
      pull: PullRequestTarget &
        Pick<
          ReconcileTarget,
          "headSha" | "deleted" | "relist" | "requestReviews" | "requestCommand"
        >;
    }
  | { group: MergeGroupTarget };

const Pull = z.strictObject({
  owner: z.string(),
  repo: z.string(),
  pullNumber: z.int().positive(),
  headSha: z.string().optional(),
  deleted: z
    .strictObject({ commentId: z.int().positive(), body: z.string(), by: z.string().optional() })
    .optional(),
  relist: z.literal(true).optional(),
  requestReviews: z
    .enum(["opened", "ready_for_review", "reopened", "push", "command", "other"])
    .optional(),
  requestCommand: z
    .strictObject({
      commentId: z.int().positive(),
      login: z.string(),
    })
    .optional(),
});
const Group = z.strictObject({
  owner: z.string(),
  repo: z.string(),
  headSha: z.string(),
  baseSha: z.string().optional(),
  headRef: z.string().optional(),
  pull: z.union([
    z.strictObject({ ok: z.literal(true), pullNumber: z.int().positive() }),
    z.strictObject({ ok: z.literal(false), reason: z.string() }),
  ]),
});
const Queued = z.union([z.strictObject({ pull: Pull }), z.strictObject({ group: Group })]);

/**
 * The event as a text, its fields in one order, so that equal events give equal texts; the
 * log's `why` is left out for the same reason.
 */
export function encodeQueued(event: QueuedEvent): string {
  if ("group" in event) {
    const g = event.group;
    const group: MergeGroupTarget = {
      owner: g.owner,
      repo: g.repo,
      headSha: g.headSha,
      pull: g.pull.ok
        ? { ok: true, pullNumber: g.pull.pullNumber }
        : { ok: false, reason: g.pull.reason },
    };
    if (g.baseSha !== undefined) group.baseSha = g.baseSha;
    if (g.headRef !== undefined) group.headRef = g.headRef;
    return JSON.stringify({ group });
  }
  const p = event.pull;
  const pull: QueuedEvent & { pull: unknown } = {
    pull: { owner: p.owner, repo: p.repo, pullNumber: p.pullNumber },
  };
  if (p.headSha !== undefined) pull.pull.headSha = p.headSha;
  if (p.deleted !== undefined) {
    pull.pull.deleted = { commentId: p.deleted.commentId, body: p.deleted.body };
    if (p.deleted.by !== undefined) pull.pull.deleted.by = p.deleted.by;
  }
  if (p.relist === true) pull.pull.relist = true;
  if (p.requestReviews !== undefined) pull.pull.requestReviews = p.requestReviews;
  if (p.requestCommand !== undefined) {
    const c = p.requestCommand;
    pull.pull.requestCommand = { commentId: c.commentId, login: c.login };
  }
  return JSON.stringify(pull);
}

/** The event back from its text; an error that says why when the text is not one. */
export function decodeQueued(text: string): QueuedEvent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("a queued event is not JSON");
  }
  const parsed = Queued.safeParse(json);
  if (!parsed.success)
    throw new Error(`a queued event has an unexpected shape: ${parsed.error.message}`);
  const event = parsed.data;
  if ("group" in event) return { group: stripUndefined(event.group) };
  return { pull: stripUndefined(event.pull) };
}

/** zod's optional fields come back as present-but-undefined under exactOptionalPropertyTypes. */
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
