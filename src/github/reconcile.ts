/**
 * The one flow the App and the Action both run for a pull request (DESIGN §5): read the live
 * facts, issue the attestations and revocations the approval sources call for, evaluate from
 * the verified attestations, and write both check runs. It remembers nothing between events:
 * a missed webhook is healed by the next event.
 */
import { createHash } from "node:crypto";
import {
  type ApprovalPredicate,
  type ApprovalStatement,
  approvalFromStatement,
  approvalsFrom,
  EnvelopeSchema,
  extractAttestation,
  type FoundAttestation,
  INFORMATIONAL_VERDICTS,
  type Jwks,
  rejectedFrom,
  renderAttestationComment,
  type Signer,
  statementFor,
  type VerificationReport,
  verifyAttestations,
} from "../core/attestation/index.js";
import { parseCommands, unknownSystems } from "../core/commands.js";
import { parseManifest } from "../core/manifest/parse.js";
import { MANIFEST_PATH, MANIFEST_SYSTEM_ID, type Manifest } from "../core/manifest/schema.js";
import { type CompiledMatcher, compileMatcher, matchChanges } from "../core/match.js";
import {
  approverEligibilities,
  evaluate,
  planReads,
  resolveApprovalSystems,
} from "../core/policy/index.js";
import type {
  Actor,
  AffectedSystem,
  ApprovalRecord,
  Decision,
  Eligibility,
  Facts,
  Veto,
} from "../core/types.js";
import type { AdapterCache } from "./cache.js";
import { CHECK_NAMES, errorChecks, renderChecks } from "./checks.js";
import type { GitHubClient, Log, PullRequestTarget } from "./client.js";
import { describeFailure, type GitHubFailure } from "./errors.js";
import {
  type CommentFacts,
  type CommitRead,
  MAX_LISTED_COMMITS,
  type PullRequestRead,
  type ReviewFacts,
  readChangedFiles,
  readChangedSince,
  readCheckRuns,
  readComments,
  readCommits,
  readFileAt,
  readFiles,
  readManifest,
  readPullRequest,
  readReviews,
  readTeamsOf,
} from "./facts.js";
import { type PublishOutcome, postComment, publishCheck } from "./publish.js";

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
}

export interface ReconcileResult {
  /** Absent when the PR is closed or the evaluation failed. */
  decision?: Decision;
  checks: Record<string, PublishOutcome>;
  attestations: { approved: number; revoked: number };
  replies: number;
  skipped?: string;
  error?: GitHubFailure;
}

const REPLY_MARKER = /<!-- aigate-reply:(\d+) -->/;

/** The pull request to reconcile, with what the event itself tells. */
export type ReconcileTarget = PullRequestTarget & {
  /** The head the event names, so an error check can be written even if reading the PR fails. */
  headSha?: string;
  /** A deleted comment that carried an attestation: its signed statement is posted again. */
  deleted?: { commentId: number; body: string; by?: string };
};

function emptyResult(): ReconcileResult {
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
    const facts = await gatherAndAttest(client, target, pr, deps, result);
    const decision = evaluate(facts, deps.now());
    result.decision = decision;
    await writeChecks(client, target, headSha, renderChecks(decision), deps, result);
    return result;
  } catch (error) {
    return failClosed(client, target, headSha, error, deps, result);
  }
}

/**
 * Both checks red for a failure before reconciling could start (the per-pull-request lock
 * could not be taken). Never throws.
 */
export async function reportFailure(
  client: GitHubClient,
  target: PullRequestTarget & { headSha?: string },
  error: unknown,
  deps: ReconcileDeps,
): Promise<ReconcileResult> {
  const result = emptyResult();
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
  return failClosed(client, target, headSha, error, deps, result);
}

async function failClosed(
  client: GitHubClient,
  target: PullRequestTarget,
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

async function writeChecks(
  client: GitHubClient,
  target: PullRequestTarget,
  headSha: string,
  checks: ReturnType<typeof renderChecks>,
  deps: ReconcileDeps,
  result: ReconcileResult,
): Promise<void> {
  if (deps.write === false) return;
  const repo = { owner: target.owner, repo: target.repo };
  const existing = await readCheckRuns(client, repo, headSha, CHECK_NAMES, deps.appId);
  for (const content of checks) {
    result.checks[content.name] = await publishCheck(
      client,
      { ...repo, headSha },
      content,
      existing.get(content.name),
      deps.now(),
    );
  }
}

/** Everything `evaluate` needs; on the way, issues the attestations and replies due. */
async function gatherAndAttest(
  client: GitHubClient,
  target: ReconcileTarget,
  pr: PullRequestRead,
  deps: ReconcileDeps,
  result: ReconcileResult,
): Promise<Facts> {
  const repo = { owner: target.owner, repo: target.repo };
  const manifestPath = deps.manifestPath ?? MANIFEST_PATH;
  const { baseSha, headSha } = pr.pullRequest;
  const [changed, manifestFacts] = await Promise.all([
    readChangedFiles(client, target, pr.changedFilesCount),
    readManifest(client, deps.cache, repo, baseSha, manifestPath),
  ]);
  const facts: Facts = {
    repository: { id: pr.repository.id, fullName: pr.repository.fullName },
    pullRequest: pr.pullRequest,
    manifest: manifestFacts,
    changedFiles: changed.files,
    changedFilesTruncated: changed.truncated,
    headFiles: {},
    baseFiles: {},
    commits: [],
    approvals: [],
    vetoes: [],
    rejectedAttestations: [],
    changedSince: {},
    evaluateApprovals: true,
  };
  const touchesManifest = changed.files.some(
    (f) => f.path === manifestPath || f.previousPath === manifestPath,
  );
  if (touchesManifest) {
    const proposed = await readFileAt(client, deps.cache, repo, headSha, manifestPath);
    facts.proposedManifest = proposed
      ? { text: proposed.text, sha256: proposed.sha256 }
      : { removed: true };
  }
  if (manifestFacts.status !== "present") return facts;
  const parsed = parsedManifest(deps.cache, manifestFacts.text, manifestFacts.sha256, manifestPath);
  if (!parsed) return facts;
  const { manifest, compiled } = parsed;
  const affected = matchChanges(compiled, changed.files);
  // A change that touches no AI system needs no reviews, comments or commits (DESIGN §9).
  if (affected.length === 0) return facts;

  const plan = planReads(manifest, affected, manifestPath);
  const [headFiles, baseFiles, commits, reviews, listedComments] = await Promise.all([
    readFiles(client, deps.cache, repo, headSha, plan.head),
    readFiles(client, deps.cache, repo, baseSha, plan.base),
    readCommits(client, deps.cache, target, pr.pullRequest),
    readReviews(client, target),
    readComments(client, target),
  ]);
  facts.headFiles = headFiles;
  facts.baseFiles = baseFiles;
  facts.commits = commits;
  // Commits GitHub does not list cannot be checked for their authors and committers.
  facts.commitsTruncated = commits.length >= MAX_LISTED_COMMITS || pr.commitsCount > commits.length;

  const ctx: AttestContext = {
    client,
    target,
    pr,
    deps,
    manifest,
    affected,
    facts,
    commits,
    teams: teamsOfInterest(manifest, affected),
  };
  let comments = listedComments;
  let report = verify(comments, ctx);
  if (target.deleted && (await restoreDeleted(target.deleted, report, ctx))) {
    comments = await readComments(client, target);
    report = verify(comments, ctx);
  }
  const work = await planWork(reviews, comments, report, ctx);
  // Without a signing key or write access nothing can be recorded; the evaluation still runs.
  if (!deps.signer || deps.write === false) {
    if (work.issues.length > 0) {
      deps.log.warn(
        `aigate: ${work.issues.length} approval source(s) left unrecorded: ${deps.signer ? "read-only token" : "no signing key"}`,
      );
    }
    work.issues = [];
    if (deps.write === false) work.replies = [];
  }
  if (work.issues.length > 0) {
    // Another replica or an earlier delivery may have issued some meanwhile: read again.
    const fresh = await readComments(client, target);
    report = verify(fresh, ctx);
    const attested = attestedSources(report);
    work.issues = work.issues.filter((i) => !attested.has(i.key));
  }
  const issued = await issue(work.issues, report, ctx, result);
  for (const reply of work.replies) {
    await postComment(client, target, reply);
    result.replies++;
  }

  const revoked = new Set(issued.revokedDigests);
  facts.approvals = [
    ...approvalsFrom(report).filter(
      (a) => !a.attestationDigest || !revoked.has(a.attestationDigest),
    ),
    ...issued.approvals,
    ...work.ineligible,
  ];
  facts.rejectedAttestations = rejectedFrom(report);
  facts.vetoes = await vetoes(reviews, ctx);
  for (const approval of facts.approvals) {
    // Ineligible sources (no systems) never count, so their staleness needs no compare.
    if (approval.systems.length === 0) continue;
    if (approval.commit === headSha || approval.commit in facts.changedSince) continue;
    facts.changedSince[approval.commit] = await readChangedSince(
      client,
      deps.cache,
      repo,
      approval.commit,
      headSha,
    );
  }
  return facts;
}

interface ParsedManifest {
  manifest: Manifest;
  compiled: CompiledMatcher;
}

/** The manifest parsed and its globs compiled once per content (null when it is invalid). */
function parsedManifest(
  cache: AdapterCache,
  text: string,
  sha256: string,
  path: string,
): ParsedManifest | null {
  const key = `${path}:${sha256}`;
  const hit = cache.manifests.get(key) as ParsedManifest | null | undefined;
  if (hit !== undefined) return hit;
  const parsed = parseManifest(text, path);
  const value = parsed.ok
    ? { manifest: parsed.manifest, compiled: compileMatcher(parsed.manifest, path) }
    : null;
  cache.manifests.set(key, value);
  return value;
}

interface AttestContext {
  client: GitHubClient;
  target: PullRequestTarget;
  pr: PullRequestRead;
  deps: ReconcileDeps;
  manifest: Manifest;
  affected: AffectedSystem[];
  facts: Facts;
  commits: CommitRead[];
  teams: string[];
}

/** A statement to sign and post, keyed by decision, source kind and id (idempotency). */
interface PlannedIssue {
  key: string;
  decision: "approved" | "revoked";
  approver: Actor & { id: number };
  systems: Eligibility[];
  source: { kind: "review" | "comment"; id: number; at: string; commit: string };
  note?: string;
  revokes?: string;
}

interface Work {
  issues: PlannedIssue[];
  replies: string[];
  /** Approval sources that cannot count, passed to the engine so the check lists why. */
  ineligible: ApprovalRecord[];
}

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

function verify(comments: CommentFacts[], ctx: AttestContext): VerificationReport {
  const found: FoundAttestation[] = comments
    .filter((c) => c.body.includes("aigate-attestation:"))
    .map((c) => {
      const item: FoundAttestation = {
        repository: ctx.pr.repository.fullName,
        repositoryId: ctx.pr.repository.id,
        pullRequest: ctx.pr.pullRequest.number,
        commentId: c.id,
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
        body: c.body,
      };
      if (c.author) item.commentAuthor = c.author.login;
      return item;
    });
  const expect = { repo: ctx.pr.repository.fullName, pr: ctx.pr.pullRequest.number };
  const key = createHash("sha256")
    .update(JSON.stringify([ctx.deps.trustedJwks, expect, found]))
    .digest("hex");
  const cached = ctx.deps.cache.verifications.get(key) as VerificationReport | undefined;
  if (cached) return cached;
  const report = verifyAttestations(found, ctx.deps.trustedJwks, expect);
  ctx.deps.cache.verifications.set(key, report);
  return report;
}

/**
 * Posts a deleted attestation again, rendered from its verified payload with its envelope
 * unchanged (same digest): deleting a comment — a revocation, say — must not undo what it
 * attested. Forged or foreign statements are not restored. True when a comment was posted.
 */
async function restoreDeleted(
  deleted: NonNullable<ReconcileTarget["deleted"]>,
  report: VerificationReport,
  ctx: AttestContext,
): Promise<boolean> {
  if (ctx.deps.write === false) return false;
  const where: FoundAttestation = {
    repository: ctx.pr.repository.fullName,
    repositoryId: ctx.pr.repository.id,
    pullRequest: ctx.pr.pullRequest.number,
    commentId: deleted.commentId,
    body: deleted.body,
  };
  const expect = { repo: ctx.pr.repository.fullName, pr: ctx.pr.pullRequest.number };
  const [alone] = verifyAttestations([where], ctx.deps.trustedJwks, expect).statements;
  // Verified alone, a genuine statement's predecessor is absent: that is expected here.
  const genuine =
    alone !== undefined &&
    (INFORMATIONAL_VERDICTS.has(alone.verdict) || alone.verdict === "missing_predecessor");
  if (!genuine || !alone.statement || !alone.digest) return false;
  // Still present elsewhere (a copy, or restored already by another event): nothing to do.
  if (report.statements.some((s) => s.digest === alone.digest)) return false;
  const extracted = extractAttestation(deleted.body);
  if (!extracted.ok) return false;
  const envelope = EnvelopeSchema.safeParse(JSON.parse(extracted.envelope.canonical));
  if (!envelope.success) return false;
  const by = deleted.by ? ` by @${deleted.by}` : "";
  await postComment(
    ctx.client,
    ctx.target,
    `**Restored by aigate:** comment ${deleted.commentId}, which carried this signed statement, was deleted${by}. Deleting a comment does not withdraw signed evidence, so it is posted again unchanged (same digest).\n\n${renderAttestationComment(envelope.data, alone.statement)}`,
  );
  ctx.deps.log.info(
    `aigate: ${ctx.pr.repository.fullName}#${ctx.pr.pullRequest.number}: restored deleted attestation ${alone.digest} (comment ${deleted.commentId})`,
  );
  return true;
}

/** `decision:kind:id` of every source an intact attestation already covers. */
function attestedSources(report: VerificationReport): Set<string> {
  const keys = new Set<string>();
  for (const s of report.statements) {
    if (!s.statement || !INFORMATIONAL_VERDICTS.has(s.verdict)) continue;
    const p = s.statement.predicate;
    keys.add(`${p.decision}:${p.source.kind}:${p.source.id}`);
  }
  return keys;
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

/** Why an approver cannot approve, or the systems this approval covers. */
async function judge(
  candidate: Candidate,
  ctx: AttestContext,
): Promise<{ ok: true; systems: Eligibility[] } | { ok: false; reason: string; refusal?: string }> {
  const { approver } = candidate;
  if (!approver || approver.id === undefined)
    return { ok: false, reason: "the account is unknown" };
  const author = ctx.pr.pullRequest.author;
  if (approver.id === author.id || approver.login.toLowerCase() === author.login.toLowerCase()) {
    return {
      ok: false,
      reason: "you opened this pull request, and an author cannot approve their own change",
    };
  }
  if (approver.type !== "User" || /\[bot\]$/i.test(approver.login)) {
    return { ok: false, reason: "bots cannot approve" };
  }
  if (!ctx.manifest.committersCanApprove) {
    const commit = ctx.facts.commits.find(
      (c) => c.author?.id === approver.id || c.committer?.id === approver.id,
    );
    if (commit) {
      return {
        ok: false,
        reason: `you authored or committed ${commit.sha.slice(0, 7)} of this pull request, and committers cannot approve it`,
      };
    }
  }
  const teamsOf = await readTeamsOf(ctx.client, ctx.deps.cache, approver.login, ctx.teams);
  const eligibilities = approverEligibilities(ctx.manifest, ctx.affected, approver, teamsOf.member);
  const systems = resolveApprovalSystems(ctx.affected, eligibilities, candidate.named);
  if (systems.length === 0) {
    const ids = candidate.named.length > 0 ? candidate.named : ctx.affected.map((a) => a.id);
    if (teamsOf.unreadable.length > 0) {
      const cause = `aigate's token may not read the membership of ${teamsOf.unreadable.join(", ")}, so team approvers cannot be recognised (a workflow's GITHUB_TOKEN cannot read teams: give aigate a GitHub App token with Members: read)`;
      return { ok: false, reason: cause, refusal: cause };
    }
    return {
      ok: false,
      reason: `you are not an approver for ${ids.join(", ")} in the governance manifest`,
    };
  }
  return { ok: true, systems };
}

async function planWork(
  reviews: ReviewFacts[],
  comments: CommentFacts[],
  report: VerificationReport,
  ctx: AttestContext,
): Promise<Work> {
  const work: Work = { issues: [], replies: [], ineligible: [] };
  const attested = attestedSources(report);
  const headSha = ctx.pr.pullRequest.headSha;
  const known = new Set([...ctx.manifest.systems.map((s) => s.id), MANIFEST_SYSTEM_ID]);
  const replied = new Set(
    comments.flatMap((c) => {
      const id = REPLY_MARKER.exec(c.body)?.[1];
      return id && c.author?.type === "Bot" ? [Number(id)] : [];
    }),
  );

  const candidates: Candidate[] = [];
  for (const review of reviews) {
    // A review GitHub no longer ties to a commit (its commit is gone, e.g. after a force-push)
    // cannot be bound to any head; binding it to the current one would let it survive the push.
    if (review.state !== "APPROVED" || !review.commit) continue;
    const command = parseCommands(review.body).decision;
    candidates.push({
      approver: review.reviewer,
      kind: "review",
      id: review.id,
      at: review.submittedAt,
      commit: review.commit,
      named: command?.kind === "approve" ? command.systems : [],
    });
  }
  const headCommitAt = headCommitTime(ctx);
  const commentCommands = new Map<number, ReturnType<typeof parseCommands>>();
  for (const comment of comments) {
    if (comment.body.includes("aigate-attestation:") || REPLY_MARKER.test(comment.body)) continue;
    const parsed = parseCommands(comment.body);
    commentCommands.set(comment.id, parsed);
    const decision = parsed.decision;
    if (decision?.kind !== "approve") continue;
    const key = `approved:comment:${comment.id}`;
    if (attested.has(key)) continue;
    const unknown = unknownSystems(decision.systems, known);
    const reply = (reason: string): void => {
      if (!replied.has(comment.id) && comment.author) {
        work.replies.push(
          `<!-- aigate-reply:${comment.id} -->\n@${comment.author.login} your \`/approve\` was not recorded: ${reason}.`,
        );
        replied.add(comment.id);
      }
    };
    if (unknown.length > 0) {
      reply(`the governance manifest has no system ${unknown.map((u) => `\`${u}\``).join(", ")}`);
      continue;
    }
    // A comment binds to the head it was written on; when the head is newer, ask again.
    if (headCommitAt !== undefined && comment.createdAt < headCommitAt) {
      reply(
        `it is stale: commits were pushed after it (head is now ${headSha.slice(0, 7)}); approve again`,
      );
      continue;
    }
    // Anyone with write access can edit anyone's comment, and GitHub does not say who did: an
    // edited comment is not proof that its author approved.
    if (comment.updatedAt !== comment.createdAt) {
      reply(
        "the comment was edited after it was posted, and an edit need not be its author's; post a new `/approve` comment",
      );
      continue;
    }
    const candidate: Candidate = {
      approver: comment.author,
      kind: "comment",
      id: comment.id,
      at: comment.createdAt,
      commit: headSha,
      named: decision.systems,
    };
    if (decision.note) candidate.note = decision.note;
    const verdict = await judge(candidate, ctx);
    if (!verdict.ok) {
      reply(verdict.reason);
      if (comment.author) {
        work.ineligible.push(ineligibleRecord(candidate, comment.author, verdict.refusal));
      }
      continue;
    }
    work.issues.push(planApproval(key, candidate, verdict.systems));
  }

  for (const candidate of candidates) {
    const key = `approved:${candidate.kind}:${candidate.id}`;
    if (attested.has(key) || !candidate.approver) continue;
    const verdict = await judge(candidate, ctx);
    if (!verdict.ok) {
      work.ineligible.push(ineligibleRecord(candidate, candidate.approver, verdict.refusal));
      continue;
    }
    work.issues.push(planApproval(key, candidate, verdict.systems));
  }

  work.issues.push(...planRevocations(reviews, comments, commentCommands, report, attested, ctx));
  return work;
}

function planApproval(key: string, candidate: Candidate, systems: Eligibility[]): PlannedIssue {
  const approver = candidate.approver as Actor;
  const issue: PlannedIssue = {
    key,
    decision: "approved",
    approver: { ...approver, id: approver.id ?? 0 },
    systems,
    source: { kind: candidate.kind, id: candidate.id, at: candidate.at, commit: candidate.commit },
  };
  if (candidate.note) issue.note = candidate.note;
  return issue;
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

/** When the head commit was made, to tell whether a comment was written on an older head. */
function headCommitTime(ctx: AttestContext): string | undefined {
  return ctx.commits.find((c) => c.sha === ctx.pr.pullRequest.headSha)?.committedAt;
}

/**
 * Revocations due: an attested review that was dismissed, an attested `/approve` comment that
 * was deleted or no longer says so, and a `/revoke` by the approver.
 */
function planRevocations(
  reviews: ReviewFacts[],
  comments: CommentFacts[],
  commands: Map<number, ReturnType<typeof parseCommands>>,
  report: VerificationReport,
  attested: Set<string>,
  ctx: AttestContext,
): PlannedIssue[] {
  const issues: PlannedIssue[] = [];
  const now = ctx.deps.now().toISOString();
  const headSha = ctx.pr.pullRequest.headSha;
  const live = report.statements.filter(
    (s) =>
      s.statement?.predicate.decision === "approved" &&
      s.digest &&
      INFORMATIONAL_VERDICTS.has(s.verdict) &&
      s.verdict !== "revoked",
  );
  const reviewById = new Map(reviews.map((r) => [r.id, r]));
  const commentIds = new Set(comments.map((c) => c.id));
  for (const s of live) {
    const p = (s.statement as ApprovalStatement).predicate;
    const digest = s.digest as string;
    const approver = { id: p.approver.id, login: p.approver.login, type: "User" as const };
    const systems = p.systems.map((e) => ({ system: e.id, reason: e.reason }));
    if (p.source.kind === "review") {
      const review = reviewById.get(p.source.id);
      const key = `revoked:review:${p.source.id}`;
      if (review?.state === "DISMISSED" && !attested.has(key)) {
        issues.push({
          key,
          decision: "revoked",
          approver,
          systems,
          source: { kind: "review", id: p.source.id, at: now, commit: headSha },
          revokes: digest,
        });
        attested.add(key);
      }
    } else {
      const gone =
        !commentIds.has(p.source.id) || commands.get(p.source.id)?.decision?.kind !== "approve";
      const key = `revoked:comment:${p.source.id}`;
      if (gone && !attested.has(key)) {
        issues.push({
          key,
          decision: "revoked",
          approver,
          systems,
          source: { kind: "comment", id: p.source.id, at: now, commit: headSha },
          revokes: digest,
        });
        attested.add(key);
      }
    }
  }
  for (const comment of comments) {
    const decision = commands.get(comment.id)?.decision;
    if (decision?.kind !== "revoke" || !comment.author) continue;
    const key = `revoked:comment:${comment.id}`;
    if (attested.has(key)) continue;
    const author = comment.author;
    const target = live.find((s) => {
      const p = (s.statement as ApprovalStatement).predicate;
      const revokedAlready = issues.some((i) => i.revokes === s.digest);
      const covers =
        decision.systems.length === 0 || p.systems.some((e) => decision.systems.includes(e.id));
      return (
        p.approver.id === author.id && covers && !revokedAlready && p.source.at <= comment.createdAt
      );
    });
    if (!target?.statement || !target.digest) continue;
    const p = target.statement.predicate;
    issues.push({
      key,
      decision: "revoked",
      approver: { id: p.approver.id, login: p.approver.login, type: "User" },
      systems: p.systems.map((e) => ({ system: e.id, reason: e.reason })),
      source: { kind: "comment", id: comment.id, at: comment.createdAt, commit: headSha },
      revokes: target.digest,
    });
    attested.add(key);
  }
  return issues;
}

/** Signs and posts the planned statements, chained by `prev`. */
async function issue(
  planned: PlannedIssue[],
  report: VerificationReport,
  ctx: AttestContext,
  result: ReconcileResult,
): Promise<{ approvals: ApprovalRecord[]; revokedDigests: string[] }> {
  const out = { approvals: [] as ApprovalRecord[], revokedDigests: [] as string[] };
  const signer = ctx.deps.signer;
  if (planned.length === 0 || !signer) return out;
  let prev = newestDigest(report);
  const { pr, deps, facts } = ctx;
  const assessments = ctx.affected.flatMap((a) => {
    const path = ctx.manifest.systems.find((s) => s.id === a.id)?.assessment;
    const file = path ? facts.headFiles[path] : undefined;
    return path && file ? [{ system: a.id, path, sha256: file.sha256 }] : [];
  });
  const manifest = facts.manifest;
  if (manifest.status !== "present") return out;
  for (const p of planned) {
    const predicate: ApprovalPredicate = {
      decision: p.decision,
      repository: { id: pr.repository.id, full_name: pr.repository.fullName },
      pull_request: {
        number: pr.pullRequest.number,
        base_ref: pr.pullRequest.baseRef,
        base_sha: pr.pullRequest.baseSha,
        head_sha: pr.pullRequest.headSha,
      },
      manifest: { path: manifest.path, base_sha: manifest.baseSha, sha256: manifest.sha256 },
      assessments,
      systems: p.systems.map((e) => ({ id: e.system, reason: e.reason })),
      approver: { id: p.approver.id, login: p.approver.login },
      source: p.source,
      issuer: { kind: deps.issuer.kind, key_id: signer.keyId },
      issued_at: deps.now().toISOString(),
      prev,
    };
    if (p.note !== undefined) predicate.note = p.note;
    if (p.revokes !== undefined) predicate.revokes = p.revokes;
    const statement = statementFor(predicate);
    const signed = signer.sign(statement);
    await postComment(ctx.client, ctx.target, renderAttestationComment(signed.envelope, statement));
    prev = signed.digest;
    if (p.decision === "approved") {
      out.approvals.push(approvalFromStatement(statement, signed.digest));
      result.attestations.approved++;
    } else {
      if (p.revokes) out.revokedDigests.push(p.revokes);
      result.attestations.revoked++;
    }
    deps.log.info(
      `aigate: ${pr.repository.fullName}#${pr.pullRequest.number}: ${p.decision} attestation for ${p.source.kind} ${p.source.id} by ${p.approver.login} (${signed.digest})`,
    );
  }
  return out;
}

/** The digest of the newest intact attestation on the PR, for the next `prev`. */
function newestDigest(report: VerificationReport): string | null {
  let newest: { at: string; digest: string } | undefined;
  for (const s of report.statements) {
    if (!s.statement || !s.digest || !INFORMATIONAL_VERDICTS.has(s.verdict)) continue;
    const at = s.statement.predicate.issued_at;
    if (!newest || at > newest.at) newest = { at, digest: s.digest };
  }
  return newest?.digest ?? null;
}

/** Live requests for changes by eligible approvers: their latest decisive review. */
async function vetoes(reviews: ReviewFacts[], ctx: AttestContext): Promise<Veto[]> {
  const latest = new Map<number, ReviewFacts>();
  for (const review of reviews) {
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
    const teamsOf = await readTeamsOf(ctx.client, ctx.deps.cache, review.reviewer.login, ctx.teams);
    const systems = approverEligibilities(
      ctx.manifest,
      ctx.affected,
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
