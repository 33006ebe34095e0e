/**
 * The one retry and rate-limit policy of every aigate client — the App, the Action and the
 * CLI's reads (docs/architecture.md#failures): Octokit's retry plugin repeats server errors,
 * its throttling plugin waits out rate limits. A wait longer than the caller can afford, or a
 * limit hit again after the retries, ends the request with GitHub's error: the caller fails
 * closed with the request id instead of hanging.
 */

/** What a caller can afford: how long one wait may be, and where to say that it waits. */
export interface BackoffPolicy {
  /** Longest wait for one rate limit, in seconds. */
  maxWaitSeconds: number;
  /** Told about every wait (never a token): a log line, a CLI notice. */
  notice: (message: string) => void;
}

/** Retries after a primary rate limit (the hourly quota) and after a secondary one. */
const RATE_LIMIT_RETRIES = 2;
const SECONDARY_LIMIT_RETRIES = 3;

interface LimitedRequest {
  method: string;
  url: string;
}

/** The `throttle` option of an Octokit with the throttling plugin. */
export function throttleOptions(policy: BackoffPolicy) {
  const waitOrGiveUp =
    (what: string, retries: number) =>
    (retryAfter: number, request: LimitedRequest, _octokit: unknown, retryCount: number) => {
      if (retryCount >= retries || retryAfter > policy.maxWaitSeconds) return false;
      policy.notice(
        `GitHub ${what} on ${request.method} ${request.url}: waiting ${retryAfter}s (retry ${retryCount + 1} of ${retries})`,
      );
      return true;
    };
  return {
    onRateLimit: waitOrGiveUp("rate limit reached", RATE_LIMIT_RETRIES),
    onSecondaryRateLimit: waitOrGiveUp("secondary rate limit", SECONDARY_LIMIT_RETRIES),
  };
}
