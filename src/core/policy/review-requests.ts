/**
 * Review requests (docs/policy.md#review-requests): while the human-oversight gate waits on a
 * system, whom aigate asks for a review, and when. Pure: team membership is looked up through
 * injected functions, and nothing is sent. The same rules decide for the App and the Action.
 */
import { createHash } from "node:crypto";
import { MAX_REVIEW_REQUESTS } from "../limits.js";
import type { RequestReviews } from "../manifest/schema.js";
import type { Actor, CommitFacts, OversightResult, ReviewRequestReport } from "../types.js";
import type { TeamsLookup } from "./approval-plan.js";
import { sameActor, separationOfDuties } from "./eligibility.js";

/**
 * What started this evaluation, as far as review requests go: the pull request opened, marked
 * ready for review or reopened (ask who is needed), a push (ask again only the approvers whose
 * approval went stale), `/aigate request` (ask again on purpose), or anything else (ask no one).
 */
export type ReviewRequestTrigger =
  | "opened"
  | "ready_for_review"
  | "reopened"
  | "push"
  | "command"
  | "other";

/** A reviewer as GitHub requests one: a user by login, or a team written `org/team-slug`. */
export type Reviewer = { kind: "user"; login: string } | { kind: "team"; team: string };

/** A `review_requested` or `review_request_removed` event of the pull request's timeline. */
export interface ReviewRequestEvent {
  kind: "requested" | "removed";
  reviewer: Reviewer;
  /** Who requested or removed it; absent when GitHub does not say (then a person is assumed). */
  actor?: Actor;
  /** Made by aigate itself (through this App), as GitHub's `performed_via_github_app` says. */
  viaAigate?: boolean;
  at: string;
}

export interface ReviewRequestInput {
  mode: RequestReviews;
  trigger: ReviewRequestTrigger;
  /** `owner/name`: the pull request's id for the stable choice, and the organisation of its teams. */
  repository: string;
  pullRequest: { number: number; author: Actor; draft: boolean };
  /** The oversight gate's result per affected system (which wait, how many approvals are missing). */
  oversight: OversightResult[];
  commits: CommitFacts[];
  committersCanApprove: boolean;
  /** Reviewers GitHub lists as requested now, by hand or earlier; teams written `org/team-slug`. */
  requested: { users: Actor[]; teams: string[] };
  /** The timeline's review request events, in any order. */
  history: ReviewRequestEvent[];
}

/** The logins of a team's members, or null when the token may not read them. */
export type MembersLookup = (team: string) => Promise<string[] | null>;

/** Why a person is never asked for a review of this pull request. */
export type RequestExclusion = "bot" | "author" | "committer" | "approved" | "removed";

/** What was decided for one waiting system, for the check run. */
export interface SystemRequests {
  system: string;
  /** Approvals still missing. */
  missing: number;
  /** Reviewers already requested (by hand or earlier) who count toward the missing approvals. */
  pending: string[];
  /** Reviewers this plan asks. */
  asked: string[];
  /**
   * The approver teams, and the listed users who may still approve (not the author, a committer,
   * a bot or an approver); worked out from what every evaluation reads, so it is the same on each.
   */
  canApprove: string[];
  /** Approver teams whose members the token may not read: requested as teams. */
  unreadableTeams: string[];
  /** Approver teams of another organisation, which GitHub cannot request on this repository. */
  foreignTeams: string[];
}

export interface ReviewRequestPlan {
  /** Logins to request: with the teams and those already requested at most 15, no duplicate. */
  users: string[];
  /** Teams to request, written `org/team-slug`. */
  teams: string[];
  systems: SystemRequests[];
  /** Reviewers left out because a pull request has at most 15 users and teams requested. */
  overflow: string[];
  /** Approver teams whose members this plan read: a note that they cannot be read no longer holds. */
  readableTeams?: string[];
  /** Why no one at all is asked, when that is the answer before looking at any system. */
  skipped?: "off" | "draft" | "trigger" | "nothing_waits" | "covered";
}

const ASKING: ReadonlySet<ReviewRequestTrigger> = new Set([
  "opened",
  "ready_for_review",
  "reopened",
  "push",
  "command",
]);

function isBotLogin(login: string): boolean {
  return /\[bot\]$/i.test(login);
}

function reviewerKey(reviewer: Reviewer): string {
  return reviewer.kind === "user"
    ? `user:${reviewer.login.toLowerCase()}`
    : `team:${reviewer.team.toLowerCase()}`;
}

interface RequestHistory {
  /** The latest time each reviewer was requested. */
  lastRequested: Map<string, string>;
  /** Reviewers whose latest request event is a removal by a person. */
  removedByPerson: Set<string>;
}

function requestHistory(events: ReviewRequestEvent[]): RequestHistory {
  const lastRequested = new Map<string, string>();
  const latest = new Map<string, ReviewRequestEvent>();
  for (const event of events) {
    const key = reviewerKey(event.reviewer);
    const seen = latest.get(key);
    if (!seen || seen.at <= event.at) latest.set(key, event);
    const requested = lastRequested.get(key);
    if (event.kind === "requested" && (requested === undefined || requested < event.at)) {
      lastRequested.set(key, event.at);
    }
  }
  const removedByPerson = new Set<string>();
  for (const [key, event] of latest) {
    const byBot =
      event.actor !== undefined && (event.actor.type === "Bot" || isBotLogin(event.actor.login));
    if (event.kind === "removed" && !byBot) removedByPerson.add(key);
  }
  return { lastRequested, removedByPerson };
}

/** Rank of a login for a pull request: the same every evaluation, different between pull requests. */
function rank(repository: string, number: number, login: string): string {
  return createHash("sha256")
    .update(`${repository.toLowerCase()}#${number}:${login.toLowerCase()}`)
    .digest("hex");
}

function missingOf(result: OversightResult): number {
  return result.required - Math.min(result.counted.length, result.required);
}

/** Why no one is asked, before looking at who could be; null when the planner may ask someone. */
export function skipReason(
  input: Pick<ReviewRequestInput, "mode" | "pullRequest" | "trigger" | "oversight" | "requested">,
): ReviewRequestPlan["skipped"] | null {
  if (input.mode === "off") return "off";
  if (input.pullRequest.draft) return "draft";
  if (!ASKING.has(input.trigger)) return "trigger";
  const waiting = input.oversight.filter((s) => s.status === "waiting" && missingOf(s) > 0);
  if (waiting.length === 0) return "nothing_waits";
  // After a push only stale approvers are asked again: none, no one to ask.
  if (input.trigger === "push" && !waiting.some((s) => s.rejected.some((r) => r.stale))) {
    return "nothing_waits";
  }
  // What GitHub lists as requested already covers every waiting system (a redelivery, a second
  // replica): no one is asked, whatever the history says, so it need not be read.
  if (input.trigger !== "command" && waiting.every((s) => coveredByRequested(s, input))) {
    return "covered";
  }
  return null;
}

/**
 * Whether the reviewers GitHub lists as requested cover a system without any team read: one
 * of its teams, or enough of its listed users (after a push: every stale approver).
 */
function coveredByRequested(
  result: OversightResult,
  input: Pick<ReviewRequestInput, "trigger" | "requested">,
): boolean {
  const users = new Set(input.requested.users.map((u) => u.login.toLowerCase()));
  if (input.trigger === "push") {
    const counted = new Set(result.counted.map((c) => c.approver.toLowerCase()));
    return result.rejected
      .filter((r) => r.stale && !counted.has(r.approver.toLowerCase()))
      .every((r) => users.has(r.approver.toLowerCase()));
  }
  const teams = new Set(input.requested.teams.map((t) => t.toLowerCase()));
  if (result.eligible.teams.some((t) => teams.has(t.toLowerCase()))) return true;
  const listed = result.eligible.users.filter((u) => users.has(u.toLowerCase())).length;
  return listed >= missingOf(result);
}

/**
 * Who can still approve each waiting system, and its teams GitHub cannot request here: from
 * what every evaluation reads (no timeline, no team reads), so it reads the same on every
 * event. Someone whose request a person removed may still approve.
 */
export function approverSummary(
  input: Pick<
    ReviewRequestInput,
    "repository" | "pullRequest" | "oversight" | "commits" | "committersCanApprove"
  >,
): Array<Pick<SystemRequests, "system" | "canApprove" | "foreignTeams">> {
  const organisation = teamOrganisation(input.repository.split("/")[0] ?? "");
  const duties = separationOfDuties(input.commits, false, input.committersCanApprove);
  return input.oversight
    .filter((s) => s.status === "waiting" && missingOf(s) > 0)
    .map((result) => {
      const approved = new Set(result.counted.map((c) => c.approver.toLowerCase()));
      const excluded = (login: string): boolean => {
        const actor: Actor = { login, type: "User" };
        return (
          isBotLogin(login) ||
          sameActor(input.pullRequest.author, actor) ||
          duties.committerOf(actor) !== null ||
          approved.has(login.toLowerCase())
        );
      };
      return {
        system: result.system,
        canApprove: [
          ...result.eligible.teams,
          ...result.eligible.users.filter((u) => !excluded(u)),
        ],
        foreignTeams: result.eligible.teams.filter((t) => teamOrganisation(t) !== organisation),
      };
    });
}

/**
 * Whom to ask for a review now (docs/policy.md#review-requests), and what the check says about
 * each waiting system. Never the author, a committer (unless committers may approve), a bot,
 * anyone who approved, or anyone whose request a person removed; nobody when requested
 * reviewers already cover the missing approvals; nobody twice for the same reason.
 */
export async function planReviewRequests(
  input: ReviewRequestInput,
  teamsOf: TeamsLookup,
  membersOf: MembersLookup,
): Promise<ReviewRequestPlan> {
  const plan: ReviewRequestPlan = { users: [], teams: [], systems: [], overflow: [] };
  const skipped = skipReason(input);
  if (skipped) return { ...plan, skipped };
  const waiting = input.oversight.filter((s) => s.status === "waiting" && missingOf(s) > 0);

  const { trigger, repository, pullRequest } = input;
  const organisation = (repository.split("/")[0] ?? "").toLowerCase();
  const duties = separationOfDuties(input.commits, false, input.committersCanApprove);
  const history = requestHistory(input.history);
  const requestedUsers = new Map(input.requested.users.map((u) => [u.login.toLowerCase(), u]));
  const requestedTeams = new Set(input.requested.teams.map((t) => t.toLowerCase()));
  const wanted = new Map<string, Reviewer>();
  const members = new Map<string, Promise<string[] | null>>();
  const membersCached = (team: string) => {
    const key = team.toLowerCase();
    let found = members.get(key);
    if (!found) {
      found = membersOf(team);
      members.set(key, found);
    }
    return found;
  };

  for (const result of waiting) {
    const missing = missingOf(result);
    const approved = new Set(result.counted.map((c) => c.approver.toLowerCase()));
    // When each stale approver last approved: a request after it was already sent for them.
    const lastApproval = new Map<string, string>();
    for (const r of result.rejected) {
      if (!r.stale || r.at === undefined) continue;
      const login = r.approver.toLowerCase();
      const at = lastApproval.get(login);
      if (at === undefined || at < r.at) lastApproval.set(login, r.at);
    }
    const exclusion = (actor: Actor): RequestExclusion | null => {
      const login = actor.login.toLowerCase();
      if (actor.type === "Bot" || isBotLogin(login)) return "bot";
      if (sameActor(pullRequest.author, actor)) return "author";
      if (duties.committerOf(actor)) return "committer";
      if (approved.has(login)) return "approved";
      if (history.removedByPerson.has(`user:${login}`)) return "removed";
      return null;
    };
    const userOk = (login: string) => exclusion({ login, type: "User" }) === null;
    /** Asked already since the reviewer last approved (or ever, for one who has not). */
    const askedBefore = (reviewer: Reviewer): boolean => {
      if (trigger === "command") return false;
      const key = reviewerKey(reviewer);
      const requested = history.lastRequested.get(key);
      if (requested === undefined) return false;
      const since =
        reviewer.kind === "user" ? lastApproval.get(reviewer.login.toLowerCase()) : undefined;
      return since === undefined || requested > since;
    };

    const eligibleUsers = result.eligible.users.filter((u) => !isBotLogin(u));
    const eligibleTeams = result.eligible.teams;
    const summary = approverSummary(input).find((a) => a.system === result.system);
    const entry: SystemRequests = {
      system: result.system,
      missing,
      pending: [],
      asked: [],
      canApprove: summary?.canApprove ?? [],
      unreadableTeams: [],
      foreignTeams: summary?.foreignTeams ?? [],
    };
    plan.systems.push(entry);

    // Reviewers already requested who can approve count toward the missing approvals.
    const requestedTeam = eligibleTeams.find((t) => requestedTeams.has(t.toLowerCase()));
    if (requestedTeam) entry.pending.push(requestedTeam);
    for (const [login, actor] of requestedUsers) {
      if (exclusion(actor) !== null) continue;
      const listed = eligibleUsers.some((u) => u.toLowerCase() === login);
      const member =
        !listed && eligibleTeams.length > 0
          ? (await teamsOf(actor.login, eligibleTeams)).member.length > 0
          : false;
      if (listed || member) entry.pending.push(actor.login);
    }
    if (requestedTeam || entry.pending.length >= missing) continue;
    const need = missing - entry.pending.length;

    const ask = (reviewer: Reviewer): void => {
      if (askedBefore(reviewer)) return;
      const key = reviewerKey(reviewer);
      if (!wanted.has(key)) wanted.set(key, reviewer);
      entry.asked.push(reviewer.kind === "user" ? reviewer.login : reviewer.team);
    };
    const askTeam = (team: string): void => {
      if (teamOrganisation(team) !== organisation) return;
      if (history.removedByPerson.has(`team:${team.toLowerCase()}`)) return;
      ask({ kind: "team", team });
    };
    const notRequested = (login: string) => !requestedUsers.has(login.toLowerCase());

    if (trigger === "push") {
      // Only the approvers whose approval went stale, each once per stale approval.
      for (const login of [...lastApproval.keys()].sort()) {
        const name = result.rejected.find((r) => r.approver.toLowerCase() === login)?.approver;
        if (name && userOk(name) && notRequested(name)) ask({ kind: "user", login: name });
      }
      continue;
    }

    if (input.mode === "teams") {
      if (eligibleTeams.length > 0) {
        for (const team of eligibleTeams) askTeam(team);
      } else {
        for (const login of eligibleUsers) {
          if (userOk(login) && notRequested(login)) ask({ kind: "user", login });
        }
      }
      continue;
    }

    // users: enough eligible people, ranked the same way on every evaluation of this pull request.
    const candidates = new Map<string, string>();
    for (const login of eligibleUsers) candidates.set(login.toLowerCase(), login);
    for (const team of eligibleTeams) {
      const logins = await membersCached(team);
      if (logins === null) {
        entry.unreadableTeams.push(team);
        askTeam(team);
        continue;
      }
      plan.readableTeams = [...new Set([...(plan.readableTeams ?? []), team])];
      for (const login of logins) {
        if (!candidates.has(login.toLowerCase())) candidates.set(login.toLowerCase(), login);
      }
    }
    const chosen = [...candidates.values()]
      .filter((login) => userOk(login) && notRequested(login))
      .map((login) => ({ login, rank: rank(repository, pullRequest.number, login) }))
      .sort((a, b) => a.rank.localeCompare(b.rank) || a.login.localeCompare(b.login))
      .slice(0, need);
    for (const { login } of chosen) ask({ kind: "user", login });
  }

  const room = Math.max(
    0,
    MAX_REVIEW_REQUESTS - input.requested.users.length - input.requested.teams.length,
  );
  for (const [index, reviewer] of [...wanted.values()].entries()) {
    const name = reviewer.kind === "user" ? reviewer.login : reviewer.team;
    if (index >= room) plan.overflow.push(name);
    else if (reviewer.kind === "user") plan.users.push(reviewer.login);
    else plan.teams.push(reviewer.team);
  }
  return plan;
}

function teamOrganisation(team: string): string {
  return (team.split("/")[0] ?? "").toLowerCase();
}

/** What the door did with a plan: the requests it sent, and those GitHub refused. */
export interface ReviewRequestOutcome {
  sent: { users: string[]; teams: string[] };
  refused: ReviewRequestReport["refused"];
  /** When GitHub recorded each request that went through (docs/app.md#review-requests). */
  sentAt?: Array<{ reviewers: string[]; at: string }>;
}
