/**
 * The App's Prometheus metrics (docs/deployment.md#10-metrics-and-what-to-alert-on), written by prom-client. One
 * registry per server, so two servers in one process (tests, the load harness) never mix
 * their counts.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { FlowTelemetry, GitHubCall, GitHubTelemetry } from "../github/operator/telemetry.js";

export type EventOutcome = "handled" | "dropped" | "duplicate" | "failed" | "rejected";

export interface AppMetrics extends FlowTelemetry, GitHubTelemetry {
  registry: Registry;
  event(name: string, action: string, outcome: EventOutcome): void;
  reconciled(seconds: number): void;
  queueDepth(depth: number): void;
  commandDropped(command: string): void;
}

/** The route templates GitHub calls are labelled with: bounded, unlike URLs. */
const MAX_ROUTES = 200;

/** Names of the segment after each fixed segment of GitHub's REST paths. */
const PARAMETER_AFTER: Record<string, string> = {
  orgs: "{org}",
  teams: "{team_slug}",
  memberships: "{username}",
  users: "{username}",
  installations: "{installation_id}",
  commits: "{ref}",
  compare: "{basehead}",
};

/**
 * `GET /repos/{owner}/{repo}/pulls/{pull_number}` as Octokit gives it, or the same shape
 * made from a full URL (pagination sends the next page's URL): owners, repositories, numbers
 * and file paths never become label values.
 */
export function routeTemplate(route: string): string {
  const [method = "GET", target = ""] = route.split(" ", 2);
  if (!/^https?:\/\//.test(target)) return route;
  const segments = new URL(target).pathname
    .replace(/^\/api\/v3(?=\/)/, "")
    .split("/")
    .filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? "";
    const previous = segments[i - 1] ?? "";
    if (previous === "repos" && i === 1) out.push("{owner}");
    else if (segments[0] === "repos" && i === 2) out.push("{repo}");
    else if (previous === "contents") {
      out.push("{path}");
      break;
    } else out.push(PARAMETER_AFTER[previous] ?? (/^\d+$/.test(segment) ? "{number}" : segment));
  }
  return `${method} /${out.join("/")}`;
}

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const events = new Counter({
    name: "aigate_webhook_events_total",
    help: "Webhook deliveries received, by event, action and outcome (handled, dropped, duplicate: a redelivery of one already handled, failed, rejected).",
    labelNames: ["event", "action", "outcome"] as const,
    registers,
  });
  const reconcile = new Histogram({
    name: "aigate_reconcile_duration_seconds",
    help: "Time to reconcile one pull request for one event, lock wait included.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  const requests = new Counter({
    name: "aigate_github_requests_total",
    help: "GitHub API calls by route and final status (after Octokit's retries); 304 is a conditional request answered from the cache, not counted by GitHub against the rate limit.",
    labelNames: ["operation", "status"] as const,
    registers,
  });
  const remaining = new Gauge({
    name: "aigate_github_rate_limit_remaining",
    help: "Requests left in the current rate-limit window, from GitHub's x-ratelimit-remaining, by installation and resource.",
    labelNames: ["installation", "resource"] as const,
    registers,
  });
  const lockWaits = new Histogram({
    name: "aigate_lock_wait_seconds",
    help: "Time an event waited for the per-pull-request Redis lock: 0 when it took it at once, else until the holder took the queued event for a rerun.",
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 150, 300, 600],
    registers,
  });
  const issued = new Counter({
    name: "aigate_attestations_issued_total",
    help: "Signed attestation comments posted, by decision (approved, revoked).",
    labelNames: ["decision"] as const,
    registers,
  });
  const restored = new Counter({
    name: "aigate_attestations_restored_total",
    help: "Deleted attestation comments posted again, unchanged.",
    registers,
  });
  const checks = new Counter({
    name: "aigate_checks_written_total",
    help: "Check runs created or updated, by conclusion.",
    labelNames: ["conclusion"] as const,
    registers,
  });
  const commandsDropped = new Counter({
    name: "aigate_commands_dropped_total",
    help: "Comment commands asking for work (/aigate recheck, /aigate request) dropped before any GitHub request, because the account is not an owner, member or collaborator of the repository nor the pull request's author.",
    labelNames: ["command"] as const,
    registers,
  });
  const writesDropped = new Counter({
    name: "aigate_writes_dropped_total",
    help: "Optional writes (answers to commands, review requests) dropped because the installation had spent 80 % of GitHub's content-creation limits in the last minute or hour.",
    labelNames: ["kind"] as const,
    registers,
  });
  const depth = new Gauge({
    name: "aigate_webhook_queue_depth",
    help: "Webhook deliveries accepted and not yet processed.",
    registers,
  });
  const routes = new Set<string>();

  return {
    registry,
    event: (name, action, outcome) => events.inc({ event: name, action, outcome }),
    reconciled: (seconds) => reconcile.observe(seconds),
    queueDepth: (n) => depth.set(n),
    called(call: GitHubCall) {
      let operation = routeTemplate(call.route);
      if (!routes.has(operation)) {
        if (routes.size >= MAX_ROUTES) operation = `${call.method} other`;
        else routes.add(operation);
      }
      requests.inc({ operation, status: String(call.status) });
      const left = Number(call.headers["x-ratelimit-remaining"]);
      if (call.installationId !== undefined && Number.isFinite(left)) {
        const resource = call.headers["x-ratelimit-resource"];
        remaining.set(
          {
            installation: String(call.installationId),
            resource: typeof resource === "string" ? resource : "core",
          },
          left,
        );
      }
    },
    attestationIssued: (decision) => issued.inc({ decision }),
    attestationRestored: () => restored.inc(),
    checkWritten: (conclusion) => checks.inc({ conclusion }),
    lockWaited: (seconds) => lockWaits.observe(seconds),
    commandDropped: (command) => commandsDropped.inc({ command }),
    writeDropped: (kind) => writesDropped.inc({ kind }),
  };
}
