/**
 * The one flow the App and the Action both run for a pull request (docs/architecture.md):
 * read the live facts, ask the core for a plan, write what it calls for — attestations,
 * replies, then both check runs. It remembers nothing between events: a missed webhook is
 * healed by the next event.
 */
import { MANIFEST_PATH } from "../../core/manifest/schema.js";
import { evaluate } from "../../core/policy/index.js";
import type { GitHubClient, PullRequestTarget } from "../client.js";
import { describeFailure } from "../errors.js";
import {
  type PullRequestRead,
  readPullRequest,
  readPullRequestState,
} from "../reads/pull-request.js";
import { LockLostError, PROCESS_LOCK } from "../replicas/lock.js";
import { writeAnswers as writeAnswerComment } from "./answers.js";
import { postRestoration, postStatements } from "./attest.js";
import { errorChecks, renderChecks } from "./checks.js";
import {
  emptyResult,
  type ReconcileDeps,
  type ReconcileResult,
  type ReconcileTarget,
} from "./contract.js";
import { answersAfter, type EventPlan, planEvent } from "./plan-event.js";
import { type CheckContent, publishChecks } from "./publish.js";
import { type RequestAnswered, requestReviews } from "./review-requests.js";

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
    // After the evidence, so the request waits behind the attestation comments.
    const request = await requestReviews(client, target, state, decision, deps, result);
    await writeAnswers(client, target, answersOf(plan, request), deps, result);
    if (result.heldBack) decision.answersHeldBack = result.heldBack;
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

/** The evidence an event writes before its checks: a restored statement, new ones. */
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
    bundles: plan.bundles,
    storeAttestations: deps.storeAttestations,
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
}

/**
 * aigate's answer comment after this event (docs/app.md#answers): the replies of the plan, and
 * the answer to `/aigate request` when there is one, found among the comments it read.
 */
function answersOf(plan: EventPlan, request: RequestAnswered | undefined): EventPlan["answers"] {
  if (!request) return plan.answers;
  return answersAfter(request.comments, plan, [request.entry]) ?? plan.answers;
}

/** The answer comment's one write, when it has something new to say; an optional write. */
async function writeAnswers(
  client: GitHubClient,
  target: ReconcileTarget,
  answers: EventPlan["answers"],
  deps: ReconcileDeps,
  result: ReconcileResult,
): Promise<void> {
  if (!answers || deps.write === false) return;
  const outcome = await writeAnswerComment(client, target, answers, {
    lock: deps.lock ?? PROCESS_LOCK,
    admit: deps.admitWrite,
    log: deps.log,
  });
  if (outcome === "created" || outcome === "edited") result.replies += answers.count;
  if (outcome === "held-back") {
    result.heldBack = answers.count;
    deps.telemetry?.writeDropped("answer");
    deps.log.warn(
      `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: ${answers.count} answer(s) held back: the installation's write budget is nearly spent`,
    );
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
