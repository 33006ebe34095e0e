/**
 * Turns whatever a GitHub call threw into one line a person can act on
 * (docs/architecture.md#failures): the call that failed, GitHub's status and its
 * `x-github-request-id`, never a token or a key. GitHub's answers are recognised as Octokit's
 * `RequestError`, the one error type every Octokit request throws.
 */
import { RequestError } from "@octokit/request-error";

export interface GitHubFailure {
  /** e.g. "GitHub 502 on POST /repos/acme/app/issues/7/comments (request id ABCD:1234)". */
  description: string;
  status?: number;
  call?: string;
  requestId?: string;
}

/** GitHub's HTTP status, when the error is GitHub's answer to a request. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof RequestError ? error.status : undefined;
}

/** GitHub answered 404: the thing read is not there (a file, a team membership …). */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** A 403 that is a missing permission, not an exhausted rate limit (which must end red). */
export function isForbiddenNotRateLimited(error: unknown): boolean {
  if (!(error instanceof RequestError) || error.status !== 403) return false;
  return String(error.response?.headers?.["x-ratelimit-remaining"] ?? "") !== "0";
}

/** Why GitHub may refuse a token check runs (403), and which tokens can read them. */
export const CHECK_RUNS_REFUSED =
  "the token cannot read check runs. A fine-grained personal access token cannot be granted the Checks permission; use a workflow token with checks: read, an App installation token or a classic token";

export function describeFailure(error: unknown): GitHubFailure {
  if (error instanceof RequestError) {
    const { status } = error;
    const method = error.request.method;
    const url = error.request.url;
    const header = error.response?.headers?.["x-github-request-id"];
    const requestId =
      typeof header === "string" && /^[A-Za-z0-9:.-]{1,100}$/.test(header) ? header : undefined;
    const call = method && url ? `${method} ${pathOf(url)}` : undefined;
    const parts = [`GitHub ${status}`];
    if (call) parts.push(`on ${call}`);
    parts.push(`(request id ${requestId ?? "not given"})`);
    return {
      description: parts.join(" "),
      status,
      ...(call ? { call } : {}),
      ...(requestId ? { requestId } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { description: `internal error: ${redact(message).slice(0, 300)}` };
}

/** The path of a request URL without host or query (queries can carry tokens on some clients). */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/^\/api\/v3(?=\/)/, "");
  } catch {
    return url.split("?")[0] ?? url;
  }
}

/** Removes anything shaped like a PEM block or a GitHub token from a message. */
export function redact(text: string): string {
  return text
    .replace(/-----BEGIN [^-]+-----[\s\S]*?-----END [^-]+-----/g, "[redacted key]")
    .replace(/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|v1\.[0-9a-f]{40})\b/g, "[redacted token]")
    .replace(/\b(?:token|bearer)\s+[A-Za-z0-9._-]{20,}/gi, "[redacted token]");
}
