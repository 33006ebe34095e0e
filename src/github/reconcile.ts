/**
 * The one flow the App and the Action both run for a pull request (docs/architecture.md):
 * read the live facts, ask the core for a plan, write what it calls for — attestations,
 * replies, then both check runs. It remembers nothing between events: a missed webhook is
 * healed by the next event.
 */
import type { Jwks, Signer } from "../core/attestation/index.js";
import { MANIFEST_PATH } from "../core/manifest/schema.js";
import { evaluate } from "../core/policy/index.js";
import { renderReply } from "../core/report/index.js";
import type { Decision } from "../core/types.js";
import { type DeletedAttestation, postRestoration, postStatements } from "./attest.js";
import type { AdapterCache } from "./cache.js";
import type { CheckRecords } from "./check-records.js";
import { errorChecks, renderChecks } from "./checks.js";
import type { GitHubClient, Log, PullRequestTarget } from "./client.js";
import { describeFailure, type GitHubFailure } from "./errors.js";
import { type PullRequestRead, readPullRequest } from "./facts.js";
import { type HeldLock, LockLostError, PROCESS_LOCK } from "./lock.js";
import { type EventPlan, planEvent } from "./plan-event.js";
import { type CheckContent, type PublishOutcome, postComment, publishChecks } from "./publish.js";
import { readPullRequestState } from "./pull-request.js";
import type { FlowTelemetry } from "./telemetry.js";

export interface ReconcileDeps {
  /** Signs new attestations; without one, approvals are evaluated but none is recorded. */
  signer?: Signer | undefined;
  /** The GitHub App's id, when known: only its own check runs are updated. */
  appId?: number | undefined;
  /** Every key whose attestations count: the signer's and earlier ones. */
  trustedJwks: Jwks;
  issuer: { kind: "app" | "action" };
  now: () => Date;
  log: Log;
  cache: AdapterCache;
  manifestPath?: string | undefined;
  /**
   * False where the token cannot write (a fork's pull_request event): the decision is made but
   * no comment or check run is written. Default true.
   */
  write?: boolean | undefined;
  /** The per-pull-request lock this work holds, checked before every write (default: held). */
  lock?: HeldLock | undefined;
  /** Told about attestations and checks written (the App's metrics). */
  telemetry?: FlowTelemetry | undefined;
  /**
   * What the App last wrote to its check runs on each commit, kept by every write; it stands
   * in for listing them when known for certain (check-records.ts). Without it they are listed.
   */
  checkRecords?: CheckRecords | undefined;
}

export interface ReconcileResult {
  /** Absent when the PR is closed or the evaluation failed. */
  decision?: Decision;
  checks: Record<string, PublishOutcome>;
  attestations: { approved: number; revoked: number };
  replies: number;
  skipped?: string;
  error?: GitHubFailure;
  /**
   * Across replicas (docs/app.md#8-scaling): `queued` when the event was left to the reconcile
   * in progress on its pull request, which runs again for it; `rerun` for such a run, made for
   * events queued behind this one.
   */
  coalesced?: "queued" | "rerun";
}

/** The pull request to reconcile, with what the event itself tells. */
export type ReconcileTarget = PullRequestTarget & {
  /** The head the event names, so an error check can be written even if reading the PR fails. */
  headSha?: string;
  /** A deleted comment that carried an attestation: its signed statement is posted again. */
  deleted?: DeletedAttestation;
  /** Whether the event is about a comment (see EventTarget): false allows trusting a count of none. */
  fromComment?: boolean;
  /** Asked to evaluate afresh (see EventTarget): the check runs are listed, not recalled. */
  relist?: boolean;
};

/** The result of an event that wrote nothing yet. */
export function emptyResult(): ReconcileResult {
  return { checks: {}, attestations: { approved: 0, revoked: 0 }, replies: 0 };
}

/** Reconciles one pull request. Never throws for a GitHub error: it ends in red checks instead. */
export async function reconcile(
  client: GitHubClient,
  target: ReconcileTarget,
  deps: ReconcileDeps,
): Promise<ReconcileResult> {
  const result = emptyResult();
  let headSha = target.headSha;
  try {
    const pr = await readPullRequest(client, target);
    headSha = pr.pullRequest.headSha;
    if (pr.state === "closed") {
      result.skipped = "the pull request is closed";
      return result;
    }
    const manifestPath = deps.manifestPath ?? MANIFEST_PATH;
    const state = await readPullRequestState(client, deps.cache, target, pr, manifestPath);
    const plan = await planEvent(client, target, state, deps);
    await writeEvidence(client, target, pr, plan, deps, result);
    const decision = evaluate(plan.facts, deps.now(), state.change.prepared);
    result.decision = decision;
    await writeChecks(client, target, headSha, renderChecks(decision), deps, result);
    return result;
  } catch (error) {
    if (error instanceof LockLostError) {
      // Whoever holds the lock now reconciles this pull request; writing here could undo it.
      deps.log.warn(
        `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: ${error.message}; stopped without writing`,
      );
      result.skipped = error.message;
      return result;
    }
    return failClosed(client, target, headSha, error, deps, result);
  }
}

/**
 * Both checks red for a failure before reconciling could start (the per-pull-request lock
 * could not be taken). Never throws.
 */
export async function reportFailure(
  client: GitHubClient,
  target: PullRequestTarget & Pick<ReconcileTarget, "headSha" | "relist">,
  error: unknown,
  deps: ReconcileDeps,
): Promise<ReconcileResult> {
  let headSha = target.headSha;
  if (!headSha) {
    try {
      headSha = (await readPullRequest(client, target)).pullRequest.headSha;
    } catch (readError) {
      deps.log.error(
        `aigate: could not read the pull request to report a failure: ${describeFailure(readError).description}`,
      );
    }
  }
  return failClosed(client, target, headSha, error, deps, emptyResult());
}

/** The evidence an event writes before its checks: a restored statement, new ones, replies. */
async function writeEvidence(
  client: GitHubClient,
  target: ReconcileTarget,
  pr: PullRequestRead,
  plan: EventPlan,
  deps: ReconcileDeps,
  result: ReconcileResult,
): Promise<void> {
  const context = {
    pr,
    jwks: deps.trustedJwks,
    cache: deps.cache,
    lock: deps.lock ?? PROCESS_LOCK,
    log: deps.log,
  };
  if (plan.restore) {
    await postRestoration(client, target, plan.restore, context);
    deps.telemetry?.attestationRestored();
  }
  await postStatements(client, target, plan.issued, context);
  for (const issued of plan.issued) {
    if (issued.planned.decision === "approved") result.attestations.approved++;
    else result.attestations.revoked++;
    deps.telemetry?.attestationIssued(issued.planned.decision);
  }
  for (const reply of plan.replies) {
    await postComment(client, target, renderReply(reply));
    result.replies++;
  }
}

async function writeChecks(
  client: GitHubClient,
  target: PullRequestTarget & Pick<ReconcileTarget, "relist">,
  headSha: string,
  checks: CheckContent[],
  deps: ReconcileDeps,
  result: ReconcileResult,
): Promise<void> {
  if (deps.write === false) return;
  await (deps.lock ?? PROCESS_LOCK).assertHeld();
  const where = { owner: target.owner, repo: target.repo, headSha };
  const written = await publishChecks(client, where, checks, deps.appId, deps.now(), {
    records: deps.checkRecords,
    relist: target.relist === true,
  });
  Object.assign(result.checks, written);
  for (const check of checks) {
    if (written[check.name] !== "unchanged") deps.telemetry?.checkWritten(check.conclusion);
  }
}

async function failClosed(
  client: GitHubClient,
  target: PullRequestTarget & Pick<ReconcileTarget, "relist">,
  headSha: string | undefined,
  error: unknown,
  deps: ReconcileDeps,
  result: ReconcileResult,
): Promise<ReconcileResult> {
  const failure = describeFailure(error);
  result.error = failure;
  deps.log.error(
    `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: ${failure.description}`,
  );
  if (headSha) {
    try {
      await writeChecks(client, target, headSha, errorChecks(failure, deps.now()), deps, result);
    } catch (writeError) {
      deps.log.error(
        `aigate: could not write the error checks either: ${describeFailure(writeError).description}`,
      );
    }
  }
  return result;
}
