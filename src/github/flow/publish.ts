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
} from "../../core/limits.js";
import type { CheckAnnotation } from "../../core/report/index.js";
import type { Conclusion } from "../../core/types.js";
import type { GitHubClient } from "../client.js";
import { redact, statusOf } from "../errors.js";
import { type ExistingCheckRun, readCheckRuns } from "../reads/check-runs.js";
import {
  type CheckRecords,
  checkFingerprint,
  type RecordedRun,
  type RecordTarget,
} from "../replicas/check-records.js";

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
export type PublishOutcome = "created" | "updated" | "unchanged";

export interface CheckTarget {
  owner: string;
  repo: string;
  headSha: string;
}

/** A check run's content as a write sends it: clipped to GitHub's limits, secrets redacted. */
interface PreparedCheck {
  name: string;
  conclusion: Conclusion;
  title: string;
  summary: string;
  text: string | undefined;
  annotations: CheckAnnotation[];
  /** What the run says once written, as `checkFingerprint` compares it. */
  fingerprint: string;
}

function prepare(content: CheckContent): PreparedCheck {
  const title = clip(redact(content.title), MAX_CHECK_TITLE_CHARS);
  const summary = clip(redact(content.summary), MAX_CHECK_SUMMARY_CHARS);
  const text =
    content.text === undefined ? undefined : clip(redact(content.text), MAX_CHECK_TEXT_CHARS);
  const annotations = content.annotations.slice(0, MAX_ANNOTATIONS_PER_REQUEST).map((a) => ({
    ...a,
    message: clip(redact(a.message), MAX_ANNOTATION_MESSAGE_CHARS),
  }));
  const fingerprint = checkFingerprint({
    status: "completed",
    conclusion: content.conclusion,
    title,
    summary,
    text,
    annotationsCount: annotations.length,
  });
  return {
    name: content.name,
    conclusion: content.conclusion,
    title,
    summary,
    text,
    annotations,
    fingerprint,
  };
}

/** A run listed on GitHub, as a write compares it. */
export function recordedRun(run: ExistingCheckRun): RecordedRun {
  return { id: run.id, fingerprint: checkFingerprint(run), annotationsCount: run.annotationsCount };
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
  const check = prepare(content);
  const known = existing ? recordedRun(existing) : undefined;
  if (known?.fingerprint === check.fingerprint) return "unchanged";
  return (await writeCheck(client, target, check, known, now)).outcome;
}

/** Creates or updates one run; answers what it did and the run as now written. */
async function writeCheck(
  client: GitHubClient,
  target: CheckTarget,
  check: PreparedCheck,
  existing: RecordedRun | undefined,
  now: Date,
): Promise<{ outcome: PublishOutcome; run: RecordedRun }> {
  const completed = {
    status: "completed" as const,
    conclusion: check.conclusion,
    completed_at: now.toISOString(),
    output: {
      title: check.title,
      summary: check.summary,
      annotations: check.annotations,
      ...(check.text !== undefined ? { text: check.text } : {}),
    },
  };
  const written = (id: number) => ({
    id,
    fingerprint: check.fingerprint,
    annotationsCount: check.annotations.length,
  });
  // Annotations added by an update are appended to the run's old ones, so a run that already
  // carries annotations is replaced by a new run rather than updated.
  // A run another app wrote (same name, e.g. the Action's token changed) cannot be updated:
  // GitHub answers 403, and our own run is created beside it instead.
  if (existing && existing.annotationsCount === 0) {
    const updated = await client.rest.checks
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
      });
    if (updated) return { outcome: "updated", run: written(existing.id) };
  }
  const { data } = await client.rest.checks.create({
    owner: target.owner,
    repo: target.repo,
    name: check.name,
    head_sha: target.headSha,
    ...completed,
  });
  return { outcome: "created", run: written(data.id) };
}

/**
 * Writes both check runs for a head commit, each beside our own run of the same name already
 * there (only the App's own runs, with `appId`), and says what each write did. With `records`
 * and `appId`, what the App last wrote there stands in for listing the runs when it is known
 * for certain (check-records.ts), and every write keeps it; with `relist` the runs are listed
 * whatever the record says, and the record is made again from what GitHub lists.
 */
export async function publishChecks(
  client: GitHubClient,
  target: CheckTarget,
  checks: CheckContent[],
  appId: number | undefined,
  now: Date,
  options: { records?: CheckRecords | undefined; relist?: boolean } = {},
): Promise<Record<string, PublishOutcome>> {
  const names = checks.map((c) => c.name);
  const { records } = options;
  const book = records && appId !== undefined ? { records, at: { ...target, appId } } : undefined;
  // The ticket is taken before the runs are listed, so that a write by anyone else that the
  // list may not show yet is seen as an overlap and no record is kept from it.
  const begun = book ? await ticketFor(book.records, book.at, names) : undefined;
  const recalled = options.relist ? null : (begun?.recorded ?? null);
  const listedAt = recalled?.listedAt ?? Date.now();
  const existing =
    recalled?.runs ??
    new Map(
      [...(await readCheckRuns(client, target, target.headSha, names, appId))].map(
        ([name, run]) => [name, recordedRun(run)] as const,
      ),
    );
  const outcomes: Record<string, PublishOutcome> = {};
  const changing: PreparedCheck[] = [];
  for (const content of checks) {
    const check = prepare(content);
    if (existing.get(check.name)?.fingerprint === check.fingerprint) {
      outcomes[check.name] = "unchanged";
    } else {
      changing.push(check);
    }
  }
  const after = new Map(existing);
  try {
    for (const check of changing) {
      const { outcome, run } = await writeCheck(
        client,
        target,
        check,
        existing.get(check.name),
        now,
      );
      outcomes[check.name] = outcome;
      after.set(check.name, run);
    }
  } finally {
    // Written without a ticket: no record made meanwhile may be trusted (check-records.ts).
    if (book && !begun && changing.length > 0) await book.records.forget(book.at);
  }
  // A write that was not answered threw above and is never ended (check-records.ts).
  if (book && begun)
    await book.records.end(book.at, begun.ticket, names, { runs: after, listedAt });
  return outcomes;
}

/**
 * A ticket to write; undefined when the record's store does not answer. The checks are then
 * written without one — a red check saying why must not wait for Redis — and the record is
 * marked untrusted before and after, at once or as soon as the store answers again.
 */
async function ticketFor(
  records: CheckRecords,
  at: RecordTarget,
  names: readonly string[],
): Promise<Awaited<ReturnType<CheckRecords["begin"]>> | undefined> {
  try {
    return await records.begin(at, names);
  } catch {
    await records.forget(at);
    return undefined;
  }
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

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = "\n\n… (truncated to fit GitHub's limit)";
  return text.slice(0, max - marker.length) + marker;
}
