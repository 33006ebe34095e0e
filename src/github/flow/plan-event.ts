/**
 * The plan step of one reconcile (docs/architecture.md#one-webhook): the core's approval plan,
 * cut to what this door may write, signed, and the facts the engine decides from once it is
 * written. It reads only what the plan needs: the comments again just before signing, team
 * memberships as the planner asks, and the changes since each approved commit.
 */
import {
  approvalsAfter,
  assessmentDigests,
  type BundleVerifier,
  filesToRead,
  type IssueContext,
  type IssuedStatement,
  rejectedFrom,
  signStatements,
  signStatementsKeyless,
  verifierFor,
} from "../../core/attestation/index.js";
import {
  type ApprovalPlan,
  attestedSources,
  newestDigest,
  planApprovals,
} from "../../core/policy/index.js";
import {
  type AnswerEntry,
  findAnswersComment,
  mergeAnswers,
  parseAnswers,
  type RecordedCommand,
  renderAnswers,
} from "../../core/report/index.js";
import type { Facts } from "../../core/types.js";
import { readFileDigests } from "../../facts/gather.js";
import type { GitHubClient } from "../client.js";
import { readComments, readTeamsOf } from "../reads/conversation.js";
import { factsOf, type PullRequestState, readChangesSince } from "../reads/pull-request.js";
import {
  attestationComments,
  bodiesOf,
  type Restoration,
  restoration,
  verifyFound,
} from "./attest.js";
import type { ReconcileDeps, ReconcileTarget } from "./contract.js";

/** What one event decided to write, and the facts the engine evaluates after those writes. */
export interface EventPlan {
  facts: Facts;
  /** Verifies keyless bundles for the base manifest's signers, when any is allowed. */
  bundles?: BundleVerifier;
  restore: Restoration | null;
  issued: IssuedStatement[];
  replies: ApprovalPlan["replies"];
  /**
   * aigate's answer comment as the replies leave it, when it has something new to say: one
   * comment per pull request, edited in place (docs/app.md#answers).
   */
  answers?: { body: string; commentId?: number; count: number };
}

/**
 * The plan for one event: the core's approval plan, cut to what can be written, signed, and
 * the facts the engine decides from once it is written. Reads only what the plan needs: the
 * comments again just before signing, and the changes since each approved commit.
 */
export async function planEvent(
  client: GitHubClient,
  target: ReconcileTarget,
  state: PullRequestState,
  deps: ReconcileDeps,
): Promise<EventPlan> {
  const { pr, change } = state;
  const facts = factsOf(state);
  const preparation = change.prepared?.preparation;
  const event: EventPlan = { facts, restore: null, issued: [], replies: [] };
  if (!preparation?.ok || change.affected.length === 0 || change.manifest.status !== "present") {
    return event;
  }

  const { trustedJwks: jwks, cache } = deps;
  // Keyless approvals count when the base manifest's governance.signers allows their workflow.
  // Their verifier is asked for only once a comment carries a bundle or this event posts
  // evidence: the Action loads Sigstore's libraries then, and other runs never parse them.
  const signers = preparation.manifest.governance.signers ?? [];
  const loadBundles = async (bodies?: readonly unknown[]) => {
    if (event.bundles) return;
    const bundles = await verifierFor(deps.bundles, signers, bodies);
    if (bundles) event.bundles = bundles;
  };
  const verify = async (comments: typeof state.comments) => {
    const found = attestationComments(pr, comments);
    const all = event.restore ? [...found, event.restore.found] : found;
    await loadBundles(bodiesOf(all));
    return verifyFound(pr, all, jwks, cache, event.bundles);
  };
  let report = await verify(state.comments);
  if (target.deleted && deps.write !== false) {
    await loadBundles([target.deleted.body]);
    event.restore = restoration(pr, target.deleted, report, jwks, event.bundles);
    if (event.restore) {
      // Posted after a read of the live comments, each verified: a bundle among them must be.
      await loadBundles();
      report = await verify(state.comments);
    }
  }
  const plan = await planApprovals(
    {
      pullRequest: pr.pullRequest,
      manifest: preparation.manifest,
      affected: change.affected,
      commits: state.commits,
      reviews: state.reviews,
      comments: state.comments,
      report,
      now: deps.now(),
    },
    (login, teams) => readTeamsOf(client, cache, login, teams),
  );
  let statements = plan.statements;
  event.replies = deps.write === false ? [] : plan.replies;
  const canSign = deps.signer !== undefined || deps.keylessSigner !== undefined;
  // Without a signer or write access nothing can be recorded; the evaluation still runs.
  if ((!canSign || deps.write === false) && statements.length > 0) {
    deps.log.warn(
      `aigate: ${statements.length} approval source(s) left unrecorded: ${canSign ? "read-only token" : (deps.unsignedReason ?? "no signing key")}`,
    );
    statements = [];
  }
  if (canSign && statements.length > 0) {
    // Each statement is posted after a read of the live comments, each verified: a keyless
    // statement this event signs, or one another writer posted meanwhile, must verify.
    await loadBundles();
    // Another replica or an earlier delivery may have issued some meanwhile: read again.
    report = await verify(await readComments(client, target));
    const attested = attestedSources(report);
    statements = statements.filter((s) => !attested.has(s.key));
    const context: IssueContext = {
      repository: facts.repository as { id: number; fullName: string },
      pullRequest: pr.pullRequest,
      manifest: change.manifest,
      ...(preparation.manifest.orgPolicy ? { policy: preparation.manifest.orgPolicy } : {}),
      assessments: assessmentDigests(preparation.manifest, change.affected, change.headFiles),
      issuer: deps.issuer,
      issuedAt: deps.now(),
      prev: newestDigest(report),
    };
    // The governed files each approval names, read at the head only now (docs/attestation.md#file-subjects).
    const paths = filesToRead(preparation.compiled, change.changedFiles, statements);
    if (state.reader && !change.changedFilesTruncated) {
      context.files = {
        matcher: preparation.compiled,
        changedFiles: change.changedFiles,
        digests: await readFileDigests(state.reader, pr.pullRequest.headSha, paths),
      };
    }
    event.issued = deps.keylessSigner
      ? await signStatementsKeyless(statements, context, deps.keylessSigner)
      : deps.signer
        ? signStatements(statements, context, deps.signer)
        : [];
  }
  facts.approvals = approvalsAfter(report, event.issued, plan.ineligible);
  facts.rejectedAttestations = rejectedFrom(report);
  facts.vetoes = plan.vetoes;
  facts.changedSince = await readChangesSince(
    client,
    cache,
    target,
    facts.approvals,
    pr.pullRequest.headSha,
  );
  const answers = deps.write === false ? undefined : answersAfter(state.comments, event);
  if (answers) event.answers = answers;
  return event;
}

/**
 * aigate's answer comment after this event, when it has something new to say: the replies,
 * what was recorded for an account it had refused before, and `others` — answers the flow
 * wrote itself, such as the answer to `/aigate request` (docs/app.md#answers).
 */
export function answersAfter(
  comments: PullRequestState["comments"],
  event: Pick<EventPlan, "issued" | "replies">,
  others: readonly AnswerEntry[] = [],
): EventPlan["answers"] {
  const recorded: RecordedCommand[] = event.issued.flatMap(({ planned }) =>
    planned.source.kind === "comment"
      ? [
          {
            commentId: planned.source.id,
            login: planned.approver.login,
            decision: planned.decision,
            systems: planned.systems.map((s) => s.system),
          },
        ]
      : [],
  );
  if (event.replies.length === 0 && recorded.length === 0 && others.length === 0) return undefined;
  const held = findAnswersComment(comments);
  const existing = held ? parseAnswers(held.body) : [];
  const merged = mergeAnswers(existing, event.replies, recorded, others);
  if (!merged.changed) return undefined;
  const answers: NonNullable<EventPlan["answers"]> = {
    body: renderAnswers(merged.entries),
    count: event.replies.length + others.length,
  };
  if (held) answers.commentId = held.id;
  return answers;
}
