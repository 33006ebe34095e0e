/**
 * The write budget of an installation (docs/deployment.md#the-write-budget). GitHub allows an
 * installation about 80 content-creating requests a minute and 500 an hour; within them aigate
 * must write every attestation, merge verification and check run of the organisation. So each
 * installation counts its content-creating writes over a rolling minute and hour, and above
 * 80 % of either limit the optional writes — answers to commands, review requests — are
 * dropped (never queued: a queued answer would still spend the budget later). Evidence is never
 * dropped. Pure: the adapter keeps the counts (in Redis when replicas share them).
 */

/** GitHub's documented limits on content-creating requests of one installation. */
export const GITHUB_CONTENT_WRITE_LIMITS = { perMinute: 80, perHour: 500 } as const;

/** The share of each limit optional writes may fill. */
export const OPTIONAL_WRITE_SHARE = 0.8;

/** The windows the counts are kept over. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** What a write is, as far as the budget goes. */
export type WriteKind =
  | "attestation"
  | "merge-verification"
  | "check-run"
  | "tracking-issue"
  | "answer"
  | "review-request";

/** The writes the budget may drop: nothing a gate or an auditor depends on. */
export const OPTIONAL_WRITES: ReadonlySet<WriteKind> = new Set(["answer", "review-request"]);

/** Content-creating writes already made in the rolling minute and hour. */
export interface WriteCounts {
  minute: number;
  hour: number;
}

/** The counts at which optional writes stop: 80 % of each limit (64 a minute, 400 an hour). */
export const OPTIONAL_WRITE_CEILING: WriteCounts = {
  minute: Math.floor(GITHUB_CONTENT_WRITE_LIMITS.perMinute * OPTIONAL_WRITE_SHARE),
  hour: Math.floor(GITHUB_CONTENT_WRITE_LIMITS.perHour * OPTIONAL_WRITE_SHARE),
};

/**
 * Whether a write of `kind` may go ahead after `counts` writes: evidence always; an optional
 * write only while both counts are below the ceiling, so optional writes never take the
 * installation past 80 % of either limit.
 */
export function mayWrite(
  kind: WriteKind,
  counts: WriteCounts,
  ceiling: WriteCounts = OPTIONAL_WRITE_CEILING,
): boolean {
  if (!OPTIONAL_WRITES.has(kind)) return true;
  return counts.minute < ceiling.minute && counts.hour < ceiling.hour;
}

/** The counts of the writes made at `times` (ms since the epoch) as seen at `now`. */
export function countsAt(times: Iterable<number>, now: number): WriteCounts {
  let minute = 0;
  let hour = 0;
  for (const at of times) {
    if (at > now) continue;
    if (now - at < HOUR_MS) hour++;
    if (now - at < MINUTE_MS) minute++;
  }
  return { minute, hour };
}
