/**
 * Turns whatever a GitHub call threw into one line a person can act on (DESIGN §8.8):
 * the call that failed, GitHub's status and its `x-github-request-id`, never a token or a key.
 */
export interface GitHubFailure {
  /** e.g. "GitHub 502 on POST /repos/acme/app/issues/7/comments (request id ABCD:1234)". */
  description: string;
  status?: number;
  call?: string;
  requestId?: string;
}

interface RequestErrorLike {
  status?: unknown;
  request?: { method?: unknown; url?: unknown };
  response?: { headers?: Record<string, unknown> };
  message?: unknown;
}

export function describeFailure(error: unknown): GitHubFailure {
  const e = (typeof error === "object" && error !== null ? error : {}) as RequestErrorLike;
  const status = typeof e.status === "number" ? e.status : undefined;
  const method = typeof e.request?.method === "string" ? e.request.method : undefined;
  const url = typeof e.request?.url === "string" ? e.request.url : undefined;
  const header = e.response?.headers?.["x-github-request-id"];
  const requestId =
    typeof header === "string" && /^[A-Za-z0-9:.-]{1,100}$/.test(header) ? header : undefined;
  if (status !== undefined || method !== undefined) {
    const call = method && url ? `${method} ${pathOf(url)}` : undefined;
    const parts = [`GitHub ${status ?? "error"}`];
    if (call) parts.push(`on ${call}`);
    parts.push(`(request id ${requestId ?? "not given"})`);
    return {
      description: parts.join(" "),
      ...(status !== undefined ? { status } : {}),
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
