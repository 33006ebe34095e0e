import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
import type { GitHubClient } from "../../github/client.js";

const ExportOctokit = Octokit.plugin(retry, throttling);

/** Waits longer than this for a rate limit are not worth holding an export open for. */
const MAX_RATE_LIMIT_WAIT_SECONDS = 15 * 60;

export interface ExportClientOptions {
  token: string;
  apiUrl: string;
  /** Where notices go (rate-limit waits); never receives the token. */
  notice: (message: string) => void;
  /** Which command is calling, for GitHub's logs. */
  userAgent?: string;
}

/**
 * A REST client for the export: retries on server errors and backs off on rate limits through
 * Octokit's retry and throttling plugins (DESIGN §8.8).
 */
export function createExportClient(options: ExportClientOptions): GitHubClient {
  const { notice } = options;
  return new ExportOctokit({
    auth: options.token,
    baseUrl: options.apiUrl,
    userAgent: options.userAgent ?? "aigate-export",
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => notice(message),
      error: (message: string) => notice(message),
    },
    throttle: {
      onRateLimit: (
        retryAfter: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        if (retryCount >= 2 || retryAfter > MAX_RATE_LIMIT_WAIT_SECONDS) return false;
        notice(
          `GitHub rate limit reached on ${request.method} ${request.url}: waiting ${retryAfter}s`,
        );
        return true;
      },
      onSecondaryRateLimit: (
        retryAfter: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        if (retryCount >= 3) return false;
        notice(
          `GitHub secondary rate limit on ${request.method} ${request.url}: waiting ${retryAfter}s`,
        );
        return true;
      },
    },
  });
}
