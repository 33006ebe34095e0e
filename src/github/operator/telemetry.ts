/**
 * What the adapter tells an operator's metrics about its work. The App wires a Prometheus
 * implementation (src/server/metrics.ts); the Action and the CLI use the silent one, so
 * nothing here pulls a metrics library into them.
 */

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
}

export const silentGitHubTelemetry: GitHubTelemetry = { called: () => {} };

const silentFlowTelemetry: FlowTelemetry = {
  attestationIssued: () => {},
  attestationRestored: () => {},
  checkWritten: () => {},
  lockWaited: () => {},
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
}

export const silentAppTelemetry: AppTelemetry = {
  ...silentFlowTelemetry,
  event: () => {},
  reconciled: () => {},
};
