/**
 * Every write the adapter makes (docs/architecture.md#three-doors-one-engine): check runs and comments. One function writes every
 * check run — pass, wait, configuration error, internal error — so they all look the same,
 * none is ever left in progress, and nothing is written when the content has not changed.
 */
import {
  MAX_ANNOTATION_MESSAGE_CHARS,
  MAX_ANNOTATIONS_PER_REQUEST,
  MAX_CHECK_SUMMARY_CHARS,
  MAX_CHECK_TEXT_CHARS,
  MAX_CHECK_TITLE_CHARS,
  MAX_COMMENT_CHARS,
} from "../core/limits.js";
import type { CheckAnnotation } from "../core/report/index.js";
import type { Conclusion } from "../core/types.js";
import type { GitHubClient } from "./client.js";
import { redact, statusOf } from "./errors.js";
import { readCheckRuns } from "./facts.js";

/** One annotation as the checks API takes it; the report module renders them. */
export type { CheckAnnotation };

/** What a check run should say. */
export interface CheckContent {
  name: string;
  conclusion: Conclusion;
  title: string;
  summary: string;
  text?: string;
  annotations: CheckAnnotation[];
}

/** A check run already on the head commit, as read by `readCheckRuns`. */
export interface ExistingCheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  annotationsCount: number;
}

export type PublishOutcome = "created" | "updated" | "unchanged";

export interface CheckTarget {
  owner: string;
  repo: string;
  headSha: string;
}

/**
 * Writes one check run for the head commit: creates it, or updates the run already there for
 * the same name and head, or does nothing when that run already says exactly this.
 * A run carries at most the annotations one request takes (the report module lists the rest
 * in its summary), so every run is written in one request, completed, never in progress.
 */
export async function publishCheck(
  client: GitHubClient,
  target: CheckTarget,
  content: CheckContent,
  existing: ExistingCheckRun | undefined,
  now: Date,
): Promise<PublishOutcome> {
  const title = clip(redact(content.title), MAX_CHECK_TITLE_CHARS);
  const summary = clip(redact(content.summary), MAX_CHECK_SUMMARY_CHARS);
  const text =
    content.text === undefined ? undefined : clip(redact(content.text), MAX_CHECK_TEXT_CHARS);
  const annotations = content.annotations.slice(0, MAX_ANNOTATIONS_PER_REQUEST).map((a) => ({
    ...a,
    message: clip(redact(a.message), MAX_ANNOTATION_MESSAGE_CHARS),
  }));
  if (
    existing &&
    existing.status === "completed" &&
    existing.conclusion === content.conclusion &&
    existing.title === title &&
    comparable(existing.summary) === comparable(summary) &&
    (existing.text ?? undefined) === text &&
    existing.annotationsCount === annotations.length
  ) {
    return "unchanged";
  }
  const completed = {
    status: "completed" as const,
    conclusion: content.conclusion,
    completed_at: now.toISOString(),
    output: { title, summary, annotations, ...(text !== undefined ? { text } : {}) },
  };
  let outcome: PublishOutcome;
  // Annotations added by an update are appended to the run's old ones, so a run that already
  // carries annotations is replaced by a new run rather than updated.
  // A run another app wrote (same name, e.g. the Action's token changed) cannot be updated:
  // GitHub answers 403, and our own run is created beside it instead.
  const updated =
    existing && existing.annotationsCount === 0
      ? await client.rest.checks
          .update({
            owner: target.owner,
            repo: target.repo,
            check_run_id: existing.id,
            ...completed,
          })
          .then(() => true)
          .catch((error: unknown) => {
            if (statusOf(error) === 403) return false;
            throw error;
          })
      : false;
  if (existing && updated) {
    outcome = "updated";
  } else {
    await client.rest.checks.create({
      owner: target.owner,
      repo: target.repo,
      name: content.name,
      head_sha: target.headSha,
      ...completed,
    });
    outcome = "created";
  }
  return outcome;
}

/**
 * Writes both check runs for a head commit, each beside our own run of the same name already
 * there (only the App's own runs, with `appId`), and says what each write did.
 */
export async function publishChecks(
  client: GitHubClient,
  target: CheckTarget,
  checks: CheckContent[],
  appId: number | undefined,
  now: Date,
): Promise<Record<string, PublishOutcome>> {
  const names = checks.map((c) => c.name);
  const existing = await readCheckRuns(client, target, target.headSha, names, appId);
  const outcomes: Record<string, PublishOutcome> = {};
  for (const content of checks) {
    outcomes[content.name] = await publishCheck(
      client,
      target,
      content,
      existing.get(content.name),
      now,
    );
  }
  return outcomes;
}

/**
 * Posts a comment on the pull request's conversation. `timeoutMs` bounds GitHub's answer: it
 * runs from when the request is sent, not from when it was made, so the time it waits its turn
 * in the client's throttling (comments are paced seconds apart per installation) does not count.
 */
export async function postComment(
  client: GitHubClient,
  target: { owner: string; repo: string; pullNumber: number },
  body: string,
  options: { retries?: number; timeoutMs?: number } = {},
): Promise<number> {
  const request: { retries?: number; fetch?: typeof fetch } = {};
  if (options.retries !== undefined) request.retries = options.retries;
  if (options.timeoutMs !== undefined) request.fetch = fetchWithin(client, options.timeoutMs);
  const response = await client.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.pullNumber,
    body: clip(redact(body), MAX_COMMENT_CHARS),
    ...(Object.keys(request).length > 0 ? { request } : {}),
  });
  return response.data.id;
}

/** The client's own fetch, with a timeout that starts when it is called. */
function fetchWithin(client: GitHubClient, timeoutMs: number): typeof fetch {
  const configured = (
    client.request.endpoint.DEFAULTS.request as { fetch?: typeof fetch } | undefined
  )?.fetch;
  return (input, init) => {
    const send = configured ?? globalThis.fetch;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return send(input, { ...init, signal });
  };
}

/**
 * A summary without the time it was evaluated at: an evaluation that decides the same thing
 * again is not a change worth a write (the run keeps the time the content was first decided).
 */
function comparable(summary: string | null): string | null {
  return summary === null ? null : summary.replace(/^\| Evaluated at \|[^\n]*$/m, "");
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = "\n\n… (truncated to fit GitHub's limit)";
  return text.slice(0, max - marker.length) + marker;
}
