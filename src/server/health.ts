/**
 * Liveness and readiness (docs/deployment.md#4-health-and-readiness). `/aigate/healthz` says the
 * process answers; `/aigate/readyz` says it can do its work: the signing key is loaded, Redis
 * answers when one is configured, the last GitHub call did not fail authentication, and the
 * server is not shutting down. The body names each condition and holds no secret.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GitHubCall, GitHubTelemetry } from "../github/operator/telemetry.js";

export const HEALTHZ_PATH = "/aigate/healthz";
export const READYZ_PATH = "/aigate/readyz";

/** Remembers whether GitHub last refused the App's credentials (401). */
export class GitHubAuthWatch implements GitHubTelemetry {
  #failing = false;
  called(call: GitHubCall): void {
    if (call.status === 401) this.#failing = true;
    else if ((call.status >= 200 && call.status < 300) || call.status === 304)
      this.#failing = false;
  }
  get failing(): boolean {
    return this.#failing;
  }
}

export interface ReadinessSources {
  signingKeyId(): string | undefined;
  /** The Redis client's state, when REDIS_URL is set. */
  redisStatus?: () => string;
  github: GitHubAuthWatch;
  accepting(): boolean;
}

export interface Readiness {
  ready: boolean;
  checks: {
    signing_key: "loaded" | "missing";
    redis: "not configured" | "connected" | "unreachable";
    github_auth: "ok" | "failing";
    webhooks: "accepting" | "shutting down";
  };
}

export function readiness(sources: ReadinessSources): Readiness {
  const redisStatus = sources.redisStatus?.();
  const checks: Readiness["checks"] = {
    signing_key: sources.signingKeyId() ? "loaded" : "missing",
    redis:
      redisStatus === undefined
        ? "not configured"
        : redisStatus === "ready"
          ? "connected"
          : "unreachable",
    github_auth: sources.github.failing ? "failing" : "ok",
    webhooks: sources.accepting() ? "accepting" : "shutting down",
  };
  const ready =
    checks.signing_key === "loaded" &&
    checks.redis !== "unreachable" &&
    checks.github_auth === "ok" &&
    checks.webhooks === "accepting";
  return { ready, checks };
}

/** Serves healthz and readyz; false for any other path. */
export function healthHandler(
  sources: ReadinessSources,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = req.url?.split("?")[0];
    if (path !== HEALTHZ_PATH && path !== READYZ_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    const body =
      path === HEALTHZ_PATH ? { status: "alive" } : (readiness(sources) as Readiness | object);
    const status = "ready" in body && body.ready === false ? 503 : 200;
    res
      .writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
      .end(req.method === "HEAD" ? undefined : `${JSON.stringify(body)}\n`);
    return true;
  };
}
