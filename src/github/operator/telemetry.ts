/**
 * What the adapter tells an operator's metrics about its work. The App wires a Prometheus
 * implementation (src/server/metrics.ts); the Action and the CLI use the silent one, so
 * nothing here pulls a metrics library into them.
 */

/**
 * The request option that marks a write the installation's write budget counted when it
 * admitted it, so the count of every write (the App's telemetry) does not count it twice.
 */
export const BUDGETED = "aigateBudgeted";

/** One GitHub call, as its caller finally saw it (after Octokit's retries). */
export interface GitHubCall {
  method: string;
  /** The route template, e.g. `GET /repos/{owner}/{repo}/pulls/{pull_number}`. */
  route: string;
  /** GitHub's status; 304 when a conditional request was answered from the cache. */
  status: number;
  /** The installation the call was made for, when it was made as one. */
  installationId?: number;
  /** Response headers (rate-limit state, request id). */
  headers: Record<string, unknown>;
  /** A write the installation's write budget counted when it admitted it (an answer). */
  budgeted?: boolean;
}

export interface GitHubTelemetry {
  called(call: GitHubCall): void;
}

/** What the reconcile flow reports as it works. */
export interface FlowTelemetry {
  attestationIssued(decision: "approved" | "revoked"): void;
  attestationRestored(): void;
  checkWritten(conclusion: string): void;
  /** Seconds spent waiting for the per-pull-request lock before the work could start. */
  lockWaited(seconds: number): void;
  /** An optional write (an answer, a review request) the write budget dropped. */
  writeDropped(kind: "answer" | "review-request"): void;
}

export const silentGitHubTelemetry: GitHubTelemetry = { called: () => {} };

const silentFlowTelemetry: FlowTelemetry = {
  attestationIssued: () => {},
  attestationRestored: () => {},
  checkWritten: () => {},
  lockWaited: () => {},
  writeDropped: () => {},
};

/** What the App reports about each delivery, besides the flow's own telemetry. */
export interface AppTelemetry extends FlowTelemetry {
  event(
    name: string,
    action: string,
    outcome: "handled" | "dropped" | "duplicate" | "failed" | "rejected",
  ): void;
  /** Seconds one reconcile took, lock wait included. */
  reconciled(seconds: number): void;
  /** A command for work dropped before any request: the account may not ask for it. */
  commandDropped(command: string): void;
}

export const silentAppTelemetry: AppTelemetry = {
  ...silentFlowTelemetry,
  event: () => {},
  reconciled: () => {},
  commandDropped: () => {},
};
