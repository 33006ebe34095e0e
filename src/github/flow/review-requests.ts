/**
 * Review requests in the reconcile flow (docs/policy.md#review-requests): once the evidence is
 * written and the decision made, ask whom the core's planner names — one request, made after
 * the attestation comments and queued behind the installation's other writes
 * (docs/deployment.md#evidence-first) — and give the oversight check what was asked and what
 * GitHub refused. A request is an optional write: above the write budget's threshold it is
 * dropped, counted and logged (docs/deployment.md#the-write-budget). The request history is
 * read only when the planner may ask someone. A refused request is reported, never thrown: the
 * checks are still written. The answer to `/aigate request` goes to aigate's one answer
 * comment (docs/app.md#answers), written by the flow with the other answers.
 */
import { RequestError } from "@octokit/request-error";
import * as z from "zod";
import { repliedCommentIds } from "../../core/policy/replied.js";
import {
  needsTimeline,
  type RequestMemory,
  rememberRequests,
  reviewRequestReport,
} from "../../core/policy/request-memory.js";
import {
  planReviewRequests,
  type ReviewRequestInput,
  type ReviewRequestOutcome,
  type ReviewRequestPlan,
  skipReason,
} from "../../core/policy/review-requests.js";
import { type AnswerEntry, renderRequestAnswer } from "../../core/report/index.js";
import type { CommentFacts, Decision, Manifest } from "../../core/types.js";
import type { GitHubClient } from "../client.js";
import { describeFailure, redact, statusOf } from "../errors.js";
import { BUDGETED } from "../operator/telemetry.js";
import { readComments, readTeamsOf } from "../reads/conversation.js";
import type { PullRequestRead, PullRequestState } from "../reads/pull-request.js";
import { readReviewRequestEvents, teamMembersLookup } from "../reads/review-requests.js";
import { PROCESS_LOCK } from "../replicas/lock.js";
import { localRequestMemory, type RequestMemoryStore } from "../replicas/request-memory.js";
import { asOptional } from "../replicas/write-priority.js";
import type { ReconcileDeps, ReconcileResult, ReconcileTarget } from "./contract.js";

/** The answer to an `/aigate request`, and the comments the answer comment is found among. */
export interface RequestAnswered {
  entry: AnswerEntry;
  comments: CommentFacts[];
}

/**
 * Asks for reviews as the planner decides, and sets `decision.oversight.reviewRequests` for the
 * check. Returns the answer to a `/aigate request` not answered yet. Reads nothing when no one
 * may be asked. A GitHub error on the way is logged and leaves the checks to be written: a
 * notification never decides a gate.
 */
export async function requestReviews(
  client: GitHubClient,
  target: ReconcileTarget,
  state: PullRequestState,
  decision: Decision,
  deps: ReconcileDeps,
  result: ReconcileResult,
): Promise<RequestAnswered | undefined> {
  try {
    return await requestAndAnswer(client, target, state, decision, deps, result);
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    deps.log.warn(
      `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: review requests skipped: ${describeFailure(error).description}`,
    );
    return undefined;
  }
}

async function requestAndAnswer(
  client: GitHubClient,
  target: ReconcileTarget,
  state: PullRequestState,
  decision: Decision,
  deps: ReconcileDeps,
  result: ReconcileResult,
): Promise<RequestAnswered | undefined> {
  const manifest = state.change.prepared?.preparation.ok
    ? state.change.prepared.preparation.manifest
    : undefined;
  const command = target.requestCommand;
  const comments = command ? await commentsOf(client, target, state) : state.comments;
  if (command && repliedCommentIds(comments).has(command.commentId)) return undefined;
  const reply = (answer: Parameters<typeof renderRequestAnswer>[2]) =>
    command && deps.write !== false
      ? { entry: renderRequestAnswer(command.commentId, command.login, answer), comments }
      : undefined;
  if (!manifest || decision.error || !decision.pullRequest) {
    return reply({ plan: { ...idle(), skipped: "nothing_waits" }, refused: [] });
  }
  const base = inputOf(target, state.pr, manifest, state, decision);
  const store = memoryStore(deps);
  const previous = await store.read(target);
  const identity = manifestIdentity(decision, manifest);
  if (!waits(decision) || manifest.requestReviews === "off") {
    // Nothing is shown: notes that no longer hold are dropped, times of requests gone forgotten.
    await keep(store, target, previous, rememberRequests(previous, base, { manifest: identity }));
    return reply({ plan: plannedNothing(base), refused: [] });
  }
  // What every evaluation can say, whatever happens next: the check reads the same on each.
  const known = rememberRequests(previous, base, { manifest: identity });
  decision.oversight.reviewRequests = reviewRequestReport(base, idle(), known);
  // The timeline is read when someone may be asked, or when a reviewer requested now has no
  // remembered time (asked by hand, or a memory lost): never a time that may be wrong.
  const history =
    skipReason(base) === null || needsTimeline(previous, base.requested)
      ? await readReviewRequestEvents(client, target, deps.appId)
      : undefined;
  const input = history ? { ...base, history } : base;
  const plan = await planReviewRequests(
    input,
    (login, teams) => readTeamsOf(client, deps.cache, login, teams),
    teamMembersLookup(client),
  );
  let outcome: ReviewRequestOutcome | undefined;
  let heldBack: string[] | undefined;
  if (deps.write !== false && plan.users.length + plan.teams.length > 0) {
    await (deps.lock ?? PROCESS_LOCK).assertHeld();
    const budgeted = deps.admitWrite !== undefined;
    if (budgeted && !(await deps.admitWrite?.("review-request"))) {
      heldBack = [...plan.teams, ...plan.users];
      result.reviewRequests = { requested: [], refused: [], heldBack };
      deps.telemetry?.writeDropped("review-request");
      deps.log.warn(
        `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: review request for ${heldBack.join(", ")} held back: the installation's write budget is nearly spent`,
      );
    } else {
      outcome = await asOptional(() => send(client, target, plan, deps, budgeted));
      result.reviewRequests = {
        requested: [...outcome.sent.teams, ...outcome.sent.users].filter(
          (name) => !outcome?.refused.some((r) => r.reviewers.includes(name)),
        ),
        refused: outcome.refused.flatMap((r) => r.reviewers),
      };
    }
  }
  const memory = rememberRequests(previous, input, {
    manifest: identity,
    ...(history ? { history } : {}),
    plan,
    ...(outcome ? { outcome } : {}),
  });
  await keep(store, target, previous, memory);
  const report = reviewRequestReport(input, plan, memory, outcome);
  if (heldBack) report.heldBack = heldBack;
  decision.oversight.reviewRequests = report;
  return reply({
    plan,
    refused: outcome?.refused ?? [],
    ...(heldBack ? { heldBack } : {}),
  });
}

function memoryStore(deps: ReconcileDeps): RequestMemoryStore {
  return deps.requestMemory ?? localRequestMemory(deps.cache.requests);
}

/** Writes the memory when it changed: an event that learnt nothing writes nothing. */
async function keep(
  store: RequestMemoryStore,
  target: ReconcileTarget,
  previous: RequestMemory | undefined,
  memory: RequestMemory,
): Promise<void> {
  if (previous !== undefined && JSON.stringify(previous) === JSON.stringify(memory)) return;
  await store.write(target, memory);
}

/** What the owners' notes were met under: the manifest, the organisation policy and the mode. */
function manifestIdentity(decision: Decision, manifest: Manifest): string {
  return [
    decision.manifest.sha256 ?? "",
    decision.manifest.policy?.sha256 ?? "",
    manifest.requestReviews,
  ].join(":");
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
  budgeted: boolean,
): Promise<ReviewRequestOutcome> {
  const outcome: ReviewRequestOutcome = {
    sent: { users: plan.users, teams: plan.teams },
    refused: [],
    sentAt: [],
  };
  // The first request was admitted, and counted, by the write budget; the others are counted
  // as any write is.
  let admitted = budgeted;
  const attempt = async (users: string[], teams: string[]): Promise<string | null> => {
    const request = admitted ? { [BUDGETED]: true } : {};
    admitted = false;
    try {
      const answer = await client.rest.pulls.requestReviewers({
        owner: target.owner,
        repo: target.repo,
        pull_number: target.pullNumber,
        reviewers: users,
        team_reviewers: teams.map((t) => t.slice(t.indexOf("/") + 1)),
        request,
      });
      outcome.sentAt?.push({ reviewers: [...teams, ...users], at: answeredAt(answer, deps) });
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

const Answered = z.looseObject({
  headers: z.looseObject({ date: z.string().optional() }).optional(),
  data: z.looseObject({ updated_at: z.string().optional() }).optional(),
});

/**
 * When GitHub recorded a request: the pull request's `updated_at` in its answer (the request
 * is the change that set it), else the answer's date, else now; to the second, as GitHub
 * writes times (docs/app.md#review-requests).
 */
function answeredAt(answer: unknown, deps: ReconcileDeps): string {
  const parsed = Answered.safeParse(answer);
  const stamp = parsed.success
    ? (parsed.data.data?.updated_at ?? parsed.data.headers?.date)
    : undefined;
  const time = stamp === undefined ? Number.NaN : Date.parse(stamp);
  const date = Number.isNaN(time) ? deps.now() : new Date(time);
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
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

/**
 * The comments a command's answer is decided from: the state's, or read now when the state
 * skipped them (they are read only when an AI system is touched).
 */
async function commentsOf(
  client: GitHubClient,
  target: ReconcileTarget,
  state: PullRequestState,
): Promise<CommentFacts[]> {
  return state.comments.length > 0 || state.change.affected.length > 0
    ? state.comments
    : await readComments(client, target);
}
