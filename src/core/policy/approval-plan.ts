/**
 * Approval planning (docs/policy.md#the-human-oversight-gate): from the live approval sources of a
 * pull request — reviews and comments — and the attestations already on it, which statements to
 * issue, which to revoke, which commands to answer, and which requests for changes are vetoes.
 * Pure: team membership is looked up through an injected function, and nothing is written.
 * Eligibility is decided by the same rules the oversight gate counts with.
 */
import { MARKER_PREFIX } from "../attestation/comment.js";
import type { ApprovalStatement } from "../attestation/statement.js";
import { INFORMATIONAL_VERDICTS, type VerificationReport } from "../attestation/verify.js";
import { answersTo } from "../command-rights.js";
import { parseCommands, unknownSystems } from "../commands.js";
import { MANIFEST_SYSTEM_ID, type Manifest } from "../manifest/schema.js";
import type {
  Actor,
  AffectedSystem,
  ApprovalRecord,
  CommentFacts,
  CommitFacts,
  Eligibility,
  PullRequestFacts,
  ReviewFacts,
  Veto,
} from "../types.js";
import {
  approverEligibilities,
  approverIneligibility,
  type Ineligibility,
  resolveApprovalSystems,
  separationOfDuties,
} from "./eligibility.js";
import { isAnswersBody, repliedCommentIds, replyTarget } from "./replied.js";

/** Team memberships of one account: the teams it is an active member of, and those unreadable. */
export interface TeamsOf {
  member: string[];
  /** Teams whose membership the token may not read: never counted, and the reason is said. */
  unreadable: string[];
}

/** Looks up which of `teams` (as `org/team-slug`) an account is a member of. */
export type TeamsLookup = (login: string, teams: string[]) => Promise<TeamsOf>;

/** A statement to sign and post, keyed by decision, source kind and id (idempotency). */
export interface PlannedStatement {
  key: string;
  decision: "approved" | "revoked";
  approver: Actor & { id: number };
  systems: Eligibility[];
  source: { kind: "review" | "comment"; id: number; at: string; commit: string };
  note?: string;
  /** The digest of the approval this statement revokes. */
  revokes?: string;
}

/** Why an `/approve` comment was not recorded; worded for its author by the report module. */
export type ReplyReason =
  | { kind: "unknown_systems"; systems: string[] }
  | { kind: "stale"; headSha: string }
  | { kind: "edited" }
  | { kind: "unknown_account" }
  | { kind: "ineligible"; reason: Ineligibility }
  | { kind: "not_an_approver"; systems: string[] }
  | { kind: "teams_unreadable"; teams: string[] }
  /** The comment's commands could not all be read (the problems say which lines, and why). */
  | { kind: "command_problems" };

/**
 * An answer owed to a comment: an `/approve` that could not be recorded, or command lines
 * that could not be read (an id that is not a system id, a second `/approve` …).
 */
export interface Reply {
  commentId: number;
  login: string;
  reason: ReplyReason;
  /** Lines of the comment that were ignored, each with why (from the command parser). */
  problems: string[];
}

export interface ApprovalPlan {
  /** Approvals, then revocations, in the order they are to be signed and posted. */
  statements: PlannedStatement[];
  replies: Reply[];
  /** Approval sources that cannot count, passed to the engine so the check lists why. */
  ineligible: ApprovalRecord[];
  /** Live requests for changes by eligible approvers. */
  vetoes: Veto[];
}

export interface ApprovalPlanInput {
  pullRequest: PullRequestFacts;
  manifest: Manifest;
  affected: AffectedSystem[];
  commits: CommitFacts[];
  reviews: ReviewFacts[];
  comments: CommentFacts[];
  /** The verification of the attestation comments now on the pull request. */
  report: VerificationReport;
  now: Date;
}

interface Candidate {
  approver: Actor | null;
  kind: "review" | "comment";
  id: number;
  at: string;
  commit: string;
  named: string[];
  note?: string;
}

type Verdict =
  | { ok: true; systems: Eligibility[] }
  | { ok: false; reply: ReplyReason; refusal?: string };

/** `decision:kind:id` of every source an intact attestation already covers. */
export function attestedSources(report: VerificationReport): Set<string> {
  const keys = new Set<string>();
  for (const s of report.statements) {
    if (!s.statement || !INFORMATIONAL_VERDICTS.has(s.verdict)) continue;
    const p = s.statement.predicate;
    keys.add(`${p.decision}:${p.source.kind}:${p.source.id}`);
  }
  return keys;
}

/** The digest of the newest intact attestation on the PR, for the next statement's `prev`. */
export function newestDigest(report: VerificationReport): string | null {
  let newest: { at: string; digest: string } | undefined;
  for (const s of report.statements) {
    if (!s.statement || !s.digest || !INFORMATIONAL_VERDICTS.has(s.verdict)) continue;
    const at = s.statement.predicate.issued_at;
    if (!newest || at > newest.at) newest = { at, digest: s.digest };
  }
  return newest?.digest ?? null;
}

/** The teams whose membership can make someone eligible for the affected systems. */
function teamsOfInterest(manifest: Manifest, affected: AffectedSystem[]): string[] {
  const teams = new Set<string>();
  for (const a of affected) {
    const system = manifest.systems.find((s) => s.id === a.id);
    for (const t of system?.approvers.teams ?? []) teams.add(t);
    if (a.id === MANIFEST_SYSTEM_ID || system?.lifecycle === "retired") {
      for (const t of manifest.governance.owners.teams) teams.add(t);
    }
  }
  return [...teams];
}

/**
 * The plan for one pull request: an attestation for each eligible source that has none, a
 * revocation for each attested source that was dismissed, deleted or revoked, a reply to each
 * `/approve` that cannot be recorded (once), and the vetoes. Never writes anything.
 */
export async function planApprovals(
  input: ApprovalPlanInput,
  lookupTeams: TeamsLookup,
): Promise<ApprovalPlan> {
  const { pullRequest, manifest, affected, report } = input;
  const plan: ApprovalPlan = { statements: [], replies: [], ineligible: [], vetoes: [] };
  const attested = attestedSources(report);
  const teams = teamsOfInterest(manifest, affected);
  const duties = separationOfDuties(input.commits, false, manifest.committersCanApprove);
  const known = new Set([...manifest.systems.map((s) => s.id), MANIFEST_SYSTEM_ID]);
  const replied = repliedCommentIds(input.comments);

  const judge = async (candidate: Candidate): Promise<Verdict> => {
    const { approver } = candidate;
    if (!approver || approver.id === undefined) {
      return { ok: false, reply: { kind: "unknown_account" } };
    }
    const reason = approverIneligibility(approver, pullRequest.author, duties);
    if (reason) return { ok: false, reply: { kind: "ineligible", reason } };
    const teamsOf = await lookupTeams(approver.login, teams);
    const eligibilities = approverEligibilities(manifest, affected, approver, teamsOf.member);
    const systems = resolveApprovalSystems(affected, eligibilities, candidate.named);
    if (systems.length > 0) return { ok: true, systems };
    if (teamsOf.unreadable.length > 0) {
      const reply: ReplyReason = { kind: "teams_unreadable", teams: teamsOf.unreadable };
      return { ok: false, reply, refusal: teamsUnreadable(teamsOf.unreadable) };
    }
    const ids = candidate.named.length > 0 ? candidate.named : affected.map((a) => a.id);
    return { ok: false, reply: { kind: "not_an_approver", systems: ids } };
  };
  const reply = (comment: CommentFacts, reason: ReplyReason, problems: string[]): void => {
    if (replied.has(comment.id) || !comment.author) return;
    // A stranger's refusal costs the installation no write (docs/app.md#who-may-command-what).
    const commander = { login: comment.author.login, association: comment.association };
    if (!answersTo(commander, pullRequest.author.login)) return;
    plan.replies.push({ commentId: comment.id, login: comment.author.login, reason, problems });
    replied.add(comment.id);
  };

  const headCommitAt = input.commits.find((c) => c.sha === pullRequest.headSha)?.committedAt;
  const commands = new Map<number, ReturnType<typeof parseCommands>>();
  for (const comment of input.comments) {
    if (
      comment.body.includes(MARKER_PREFIX) ||
      replyTarget(comment.body) !== undefined ||
      isAnswersBody(comment.body)
    )
      continue;
    const parsed = parseCommands(comment.body);
    commands.set(comment.id, parsed);
    const decision = parsed.decision;
    const problems = parsed.problems;
    if (decision?.kind !== "approve" || attested.has(`approved:comment:${comment.id}`)) {
      // Lines that were ignored are said once, so nobody believes an approval was recorded.
      if (problems.length > 0) reply(comment, { kind: "command_problems" }, problems);
      continue;
    }
    const key = `approved:comment:${comment.id}`;
    const unknown = unknownSystems(decision.systems, known);
    if (unknown.length > 0) {
      reply(comment, { kind: "unknown_systems", systems: unknown }, problems);
      continue;
    }
    // A comment binds to the head it was written on; when the head is newer, ask again.
    if (headCommitAt !== undefined && comment.createdAt < headCommitAt) {
      reply(comment, { kind: "stale", headSha: pullRequest.headSha }, problems);
      continue;
    }
    // Anyone with write access can edit anyone's comment, and GitHub does not say who did: an
    // edited comment is not proof that its author approved.
    if (comment.updatedAt !== comment.createdAt) {
      reply(comment, { kind: "edited" }, problems);
      continue;
    }
    const candidate: Candidate = {
      approver: comment.author,
      kind: "comment",
      id: comment.id,
      at: comment.createdAt,
      commit: pullRequest.headSha,
      named: decision.systems,
    };
    if (decision.note) candidate.note = decision.note;
    const verdict = await judge(candidate);
    if (!verdict.ok) {
      reply(comment, verdict.reply, problems);
      if (comment.author) {
        plan.ineligible.push(ineligibleRecord(candidate, comment.author, verdict.refusal));
      }
      continue;
    }
    plan.statements.push(approval(key, candidate, verdict.systems));
    if (problems.length > 0) reply(comment, { kind: "command_problems" }, problems);
  }

  for (const review of input.reviews) {
    // A review GitHub no longer ties to a commit (its commit is gone, e.g. after a force-push)
    // cannot be bound to any head; binding it to the current one would let it survive the push.
    if (review.state !== "APPROVED" || !review.commit || !review.reviewer) continue;
    const key = `approved:review:${review.id}`;
    if (attested.has(key)) continue;
    const command = parseCommands(review.body).decision;
    const candidate: Candidate = {
      approver: review.reviewer,
      kind: "review",
      id: review.id,
      at: review.submittedAt,
      commit: review.commit,
      named: command?.kind === "approve" ? command.systems : [],
    };
    const verdict = await judge(candidate);
    if (!verdict.ok) {
      plan.ineligible.push(ineligibleRecord(candidate, review.reviewer, verdict.refusal));
      continue;
    }
    plan.statements.push(approval(key, candidate, verdict.systems));
  }

  plan.statements.push(...revocations(input, commands, attested));
  plan.vetoes = await vetoes(input, teams, lookupTeams);
  return plan;
}

/** Why team approvers cannot be recognised, for the check run. */
export function teamsUnreadable(teams: string[]): string {
  return `aigate's token may not read the membership of ${teams.join(", ")}, so team approvers cannot be recognised (a workflow's GITHUB_TOKEN cannot read teams: give aigate a GitHub App token with Members: read)`;
}

function approval(key: string, candidate: Candidate, systems: Eligibility[]): PlannedStatement {
  const approver = candidate.approver as Actor & { id: number };
  const statement: PlannedStatement = {
    key,
    decision: "approved",
    approver: { ...approver, id: approver.id },
    systems,
    source: { kind: candidate.kind, id: candidate.id, at: candidate.at, commit: candidate.commit },
  };
  if (candidate.note) statement.note = candidate.note;
  return statement;
}

function ineligibleRecord(candidate: Candidate, approver: Actor, refusal?: string): ApprovalRecord {
  return {
    approver,
    systems: [],
    commit: candidate.commit,
    source: { kind: candidate.kind, id: candidate.id, at: candidate.at },
    ...(refusal ? { refusal } : {}),
  };
}

/**
 * Revocations due: an attested review that was dismissed, an attested `/approve` comment that
 * was deleted or no longer says so, and a `/revoke` by the approver.
 */
function revocations(
  input: ApprovalPlanInput,
  commands: Map<number, ReturnType<typeof parseCommands>>,
  attested: Set<string>,
): PlannedStatement[] {
  const statements: PlannedStatement[] = [];
  const now = input.now.toISOString();
  const headSha = input.pullRequest.headSha;
  const live = input.report.statements.filter(
    (s) =>
      s.statement?.predicate.decision === "approved" &&
      s.digest &&
      INFORMATIONAL_VERDICTS.has(s.verdict) &&
      s.verdict !== "revoked",
  );
  const revocation = (
    s: (typeof live)[number],
    source: PlannedStatement["source"],
  ): PlannedStatement => {
    const p = (s.statement as ApprovalStatement).predicate;
    return {
      key: `revoked:${source.kind}:${source.id}`,
      decision: "revoked",
      approver: { id: p.approver.id, login: p.approver.login, type: "User" },
      systems: p.systems.map((e) => ({ system: e.id, reason: e.reason })),
      source,
      revokes: s.digest as string,
    };
  };
  const reviewById = new Map(input.reviews.map((r) => [r.id, r]));
  const commentIds = new Set(input.comments.map((c) => c.id));
  for (const s of live) {
    const p = (s.statement as ApprovalStatement).predicate;
    const gone =
      p.source.kind === "review"
        ? reviewById.get(p.source.id)?.state === "DISMISSED"
        : !commentIds.has(p.source.id) || commands.get(p.source.id)?.decision?.kind !== "approve";
    const key = `revoked:${p.source.kind}:${p.source.id}`;
    if (!gone || attested.has(key)) continue;
    statements.push(
      revocation(s, { kind: p.source.kind, id: p.source.id, at: now, commit: headSha }),
    );
    attested.add(key);
  }
  for (const comment of input.comments) {
    const decision = commands.get(comment.id)?.decision;
    if (decision?.kind !== "revoke" || !comment.author) continue;
    const key = `revoked:comment:${comment.id}`;
    if (attested.has(key)) continue;
    const author = comment.author;
    const target = live.find((s) => {
      const p = (s.statement as ApprovalStatement).predicate;
      const revokedAlready = statements.some((i) => i.revokes === s.digest);
      const covers =
        decision.systems.length === 0 || p.systems.some((e) => decision.systems.includes(e.id));
      return (
        p.approver.id === author.id && covers && !revokedAlready && p.source.at <= comment.createdAt
      );
    });
    if (!target) continue;
    statements.push(
      revocation(target, {
        kind: "comment",
        id: comment.id,
        at: comment.createdAt,
        commit: headSha,
      }),
    );
    attested.add(key);
  }
  return statements;
}

/** Live requests for changes by eligible approvers: their latest decisive review. */
async function vetoes(
  input: ApprovalPlanInput,
  teams: string[],
  lookupTeams: TeamsLookup,
): Promise<Veto[]> {
  const latest = new Map<number, ReviewFacts>();
  for (const review of input.reviews) {
    if (
      !review.reviewer?.id ||
      !["APPROVED", "CHANGES_REQUESTED", "DISMISSED"].includes(review.state)
    )
      continue;
    const seen = latest.get(review.reviewer.id);
    if (!seen || review.submittedAt >= seen.submittedAt) latest.set(review.reviewer.id, review);
  }
  const result: Veto[] = [];
  for (const review of latest.values()) {
    if (review.state !== "CHANGES_REQUESTED" || !review.reviewer) continue;
    // A reviewer whose team membership cannot be read vetoes only as a listed user.
    const teamsOf = await lookupTeams(review.reviewer.login, teams);
    const systems = approverEligibilities(
      input.manifest,
      input.affected,
      review.reviewer,
      teamsOf.member,
    );
    if (systems.length === 0) continue;
    result.push({
      approver: review.reviewer,
      systems,
      reviewId: review.id,
      at: review.submittedAt,
      commit: review.commit,
    });
  }
  return result;
}
