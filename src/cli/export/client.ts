import { throttleOptions } from "../../github/backoff.js";
import type { GitHubClient } from "../../github/client.js";

/** Waits longer than this for a rate limit are not worth holding an export open for. */
const MAX_RATE_LIMIT_WAIT_SECONDS = 15 * 60;

export interface ExportClientOptions {
  token: string;
  apiUrl: string;
  /** Where notices go (rate-limit waits); never receives the token. */
  notice: (message: string) => void;
  /** Which command is calling, for GitHub's logs. */
  userAgent?: string;
  /**
   * Statuses that are answers, not failures, for this command (e.g. 409 for an empty
   * repository): never retried, never logged.
   */
  expected?: number[];
}

/** Octokit's retry plugin never retries these: the request itself is wrong or refused. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 451];

/**
 * A REST client for the export: retries on server errors and backs off on rate limits through
 * Octokit's retry and throttling plugins, with the policy every aigate client shares.
 */
export async function createExportClient(options: ExportClientOptions): Promise<GitHubClient> {
  // Loaded by the commands that call GitHub only, so that the others start faster.
  const [{ retry }, { throttling }, { Octokit }] = await Promise.all([
    import("@octokit/plugin-retry"),
    import("@octokit/plugin-throttling"),
    import("@octokit/rest"),
  ]);
  const ExportOctokit = Octokit.plugin(retry, throttling);
  const { notice } = options;
  const expected = options.expected ?? [];
  return new ExportOctokit({
    retry: { doNotRetry: [...DO_NOT_RETRY, ...expected] },
    auth: options.token,
    baseUrl: options.apiUrl,
    userAgent: options.userAgent ?? "aigate-export",
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => notice(message),
      // Octokit logs every failed request; the command reports the ones that matter itself.
      error: (message: string) => {
        if (expected.length === 0) notice(message);
      },
    },
    throttle: throttleOptions({ maxWaitSeconds: MAX_RATE_LIMIT_WAIT_SECONDS, notice }),
  });
}
