/**
 * Review requests in the reconcile flow (docs/policy.md#review-requests): once the evidence is
 * written and the decision made, ask whom the core's planner names — one request, made after
 * the attestation comments and outside their priority, so it waits behind them in the write
 * queue — and give the oversight check what was asked and what GitHub refused. The request
 * history is read only when the planner may ask someone. A refused request is reported, never
 * thrown: the checks are still written.
 */
import { RequestError } from "@octokit/request-error";
import { repliedCommentIds } from "../../core/policy/replied.js";
import {
  planReviewRequests,
  type ReviewRequestInput,
  type ReviewRequestOutcome,
  type ReviewRequestPlan,
  reviewRequestReport,
  skipReason,
} from "../../core/policy/review-requests.js";
import { renderRequestAnswer } from "../../core/report/index.js";
import type { CommentFacts, Decision, Manifest } from "../../core/types.js";
import type { GitHubClient } from "../client.js";
import { describeFailure, redact, statusOf } from "../errors.js";
import { readComments, readTeamsOf } from "../reads/conversation.js";
import type { PullRequestRead, PullRequestState } from "../reads/pull-request.js";
import { readReviewRequestEvents, teamMembersLookup } from "../reads/review-requests.js";
import { PROCESS_LOCK } from "../replicas/lock.js";
import type { ReconcileDeps, ReconcileResult, ReconcileTarget } from "./contract.js";
import { postComment } from "./publish.js";

/**
 * Asks for reviews as the planner decides, answers a `/aigate request` once, and sets
 * `decision.oversight.reviewRequests` for the check. Reads nothing when no one may be asked.
 * A GitHub error on the way is logged and leaves the checks to be written: a notification
 * never decides a gate.
 */
export async function requestReviews(
  client: GitHubClient,
  target: ReconcileTarget,
  state: PullRequestState,
  decision: Decision,
  deps: ReconcileDeps,
  result: ReconcileResult,
): Promise<void> {
  try {
    await requestAndAnswer(client, target, state, decision, deps, result);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    deps.log.warn(
      `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: review requests skipped: ${describeFailure(error).description}`,
    );
  }
}

async function requestAndAnswer(
  client: GitHubClient,
  target: ReconcileTarget,
  state: PullRequestState,
  decision: Decision,
  deps: ReconcileDeps,
  result: ReconcileResult,
): Promise<void> {
  const manifest = state.change.prepared?.preparation.ok
    ? state.change.prepared.preparation.manifest
    : undefined;
  const command = target.requestCommand;
  if (command && (await answered(client, target, state, command.commentId))) return;
  if (!manifest || decision.error || !decision.pullRequest) {
    if (command) await answer(client, target, deps, command, undefined, []);
    return;
  }
  const base = inputOf(target, state.pr, manifest, state, decision);
  // What every evaluation can say, whatever happens next: the check reads the same on each.
  if (waits(decision) && manifest.requestReviews !== "off") {
    decision.oversight.reviewRequests = reviewRequestReport(base, idle());
  }
  if (command && !command.collaborator) {
    await answer(client, target, deps, command, "not_a_collaborator", []);
    return;
  }
  if (!waits(decision) || manifest.requestReviews === "off") {
    if (command) await answer(client, target, deps, command, plannedNothing(base), []);
    return;
  }
  const input =
    skipReason(base) === null
      ? { ...base, history: await readReviewRequestEvents(client, target) }
      : base;
  const plan = await planReviewRequests(
    input,
    (login, teams) => readTeamsOf(client, deps.cache, login, teams),
    teamMembersLookup(client),
  );
  let outcome: ReviewRequestOutcome | undefined;
  if (deps.write !== false && plan.users.length + plan.teams.length > 0) {
    await (deps.lock ?? PROCESS_LOCK).assertHeld();
    outcome = await send(client, target, plan, deps);
    result.reviewRequests = {
      requested: [...outcome.sent.teams, ...outcome.sent.users].filter(
        (name) => !outcome?.refused.some((r) => r.reviewers.includes(name)),
      ),
      refused: outcome.refused.flatMap((r) => r.reviewers),
    };
  }
  decision.oversight.reviewRequests = reviewRequestReport(input, plan, outcome);
  if (command) await answer(client, target, deps, command, plan, outcome?.refused ?? []);
}

function waits(decision: Decision): boolean {
  return decision.oversight.systems.some((s) => s.status === "waiting");
}

function idle(): ReviewRequestPlan {
  return { users: [], teams: [], systems: [], overflow: [] };
}

function plannedNothing(input: ReviewRequestInput): ReviewRequestPlan {
  return { ...idle(), skipped: input.mode === "off" ? "off" : "nothing_waits" };
}

function inputOf(
  target: ReconcileTarget,
  pr: PullRequestRead,
  manifest: Manifest,
  state: PullRequestState,
  decision: Decision,
): ReviewRequestInput {
  return {
    mode: manifest.requestReviews,
    trigger: target.requestCommand ? "command" : (target.requestReviews ?? "other"),
    repository: `${target.owner}/${target.repo}`,
    pullRequest: {
      number: pr.pullRequest.number,
      author: pr.pullRequest.author,
      draft: pr.pullRequest.draft === true,
    },
    oversight: decision.oversight.systems,
    commits: state.commits,
    committersCanApprove: manifest.committersCanApprove,
    requested: pr.requested,
    history: [],
  };
}

/**
 * One request for every reviewer. GitHub refuses a request whole when one reviewer cannot be
 * requested; the teams and the users are then tried apart, so a team without access does not
 * keep the users from being asked.
 */
async function send(
  client: GitHubClient,
  target: ReconcileTarget,
  plan: ReviewRequestPlan,
  deps: ReconcileDeps,
): Promise<ReviewRequestOutcome> {
  const outcome: ReviewRequestOutcome = {
    sent: { users: plan.users, teams: plan.teams },
    refused: [],
  };
  const attempt = async (users: string[], teams: string[]): Promise<string | null> => {
    try {
      await client.rest.pulls.requestReviewers({
        owner: target.owner,
        repo: target.repo,
        pull_number: target.pullNumber,
        reviewers: users,
        team_reviewers: teams.map((t) => t.slice(t.indexOf("/") + 1)),
      });
      return null;
    } catch (error) {
      // Only GitHub's answers are refusals; anything else is ours and fails the reconcile.
      if (!(error instanceof RequestError)) throw error;
      return refusalReason(error, teams.length > 0, deps);
    }
  };
  const both = await attempt(plan.users, plan.teams);
  if (both === null) return outcome;
  if (plan.users.length === 0 || plan.teams.length === 0) {
    outcome.refused.push({ reviewers: [...plan.teams, ...plan.users], reason: both });
    return outcome;
  }
  for (const [users, teams] of [
    [[], plan.teams],
    [plan.users, []],
  ] as const) {
    const reason = await attempt([...users], [...teams]);
    if (reason !== null) outcome.refused.push({ reviewers: [...teams, ...users], reason });
  }
  return outcome;
}

function refusalReason(error: RequestError, teams: boolean, deps: ReconcileDeps): string {
  const failure = describeFailure(error);
  const message = redact(
    (
      (error.response?.data as { message?: unknown } | undefined)?.message ?? error.message
    ).toString(),
  ).slice(0, 300);
  const hint =
    statusOf(error) === 403 && teams
      ? "; requesting a team needs a token that can read the organisation's teams (a workflow's GITHUB_TOKEN cannot)"
      : "";
  deps.log.warn(`aigate: a review request was refused: ${message} (${failure.description})`);
  return `${message} (${failure.description})${hint}`;
}

/** Whether aigate already answered the command (a redelivery, another replica). */
async function answered(
  client: GitHubClient,
  target: ReconcileTarget,
  state: PullRequestState,
  commentId: number,
): Promise<boolean> {
  // The comments are read only when an AI system is touched; a command needs them either way.
  const comments: CommentFacts[] =
    state.comments.length > 0 || state.change.affected.length > 0
      ? state.comments
      : await readComments(client, target);
  return repliedCommentIds(comments).has(commentId);
}

async function answer(
  client: GitHubClient,
  target: ReconcileTarget,
  deps: ReconcileDeps,
  command: NonNullable<ReconcileTarget["requestCommand"]>,
  plan: ReviewRequestPlan | "not_a_collaborator" | undefined,
  refused: ReviewRequestOutcome["refused"],
): Promise<void> {
  if (deps.write === false) return;
  await (deps.lock ?? PROCESS_LOCK).assertHeld();
  const body = renderRequestAnswer(
    command.commentId,
    command.login,
    plan === "not_a_collaborator"
      ? { kind: "not_a_collaborator" }
      : { kind: "planned", plan: plan ?? { ...idle(), skipped: "nothing_waits" }, refused },
  );
  await postComment(client, target, body);
}
