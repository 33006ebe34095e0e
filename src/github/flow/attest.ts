/**
 * The attestation comments of a pull request: verifying those found (cached by content), and
 * writing new ones — signed statements, and deleted statements posted again unchanged
 * (docs/app.md#7-what-the-app-does-on-each-event). Signing itself is the core's (`signStatements`).
 */
import { createHash } from "node:crypto";
import {
  type BundleVerifier,
  EnvelopeSchema,
  extractAttestation,
  type FoundAttestation,
  INFORMATIONAL_VERDICTS,
  type IssuedStatement,
  type Jwks,
  MARKER_PREFIX,
  renderAttestationComment,
  type StatementVerdict,
  type VerificationReport,
  verifyAttestations,
} from "../../core/attestation/index.js";
import type { CommentFacts } from "../../core/types.js";
import type { GitHubClient, Log, PullRequestTarget } from "../client.js";
import { describeFailure } from "../errors.js";
import type { AdapterCache } from "../reads/cache.js";
import { readComments } from "../reads/conversation.js";
import type { PullRequestRead } from "../reads/pull-request.js";
import { type HeldLock, LockLostError } from "../replicas/lock.js";
import { asEvidence } from "../replicas/write-priority.js";
import { type StoredBundle, storeAttestation } from "./attestation-store.js";
import { postComment } from "./publish.js";

/** A deleted comment that carried an attestation, as the deletion event delivered it. */
export interface DeletedAttestation {
  commentId: number;
  body: string;
  by?: string;
}

/** A deleted statement that is genuine and no longer on the pull request: to post again. */
export interface Restoration {
  deleted: DeletedAttestation;
  found: FoundAttestation;
  comment: string;
  digest: string;
}

function location(pr: PullRequestRead, commentId: number): Omit<FoundAttestation, "body"> {
  return {
    repository: pr.repository.fullName,
    repositoryId: pr.repository.id,
    pullRequest: pr.pullRequest.number,
    commentId,
  };
}

/** The comments that carry an attestation marker, as the verifier takes them. */
export function attestationComments(
  pr: PullRequestRead,
  comments: CommentFacts[],
): FoundAttestation[] {
  return comments
    .filter((c) => c.body.includes(MARKER_PREFIX))
    .map((c) => {
      const item: FoundAttestation = {
        ...location(pr, c.id),
        createdAt: c.createdAt,
        updatedAt: c.updatedAt,
        body: c.body,
      };
      if (c.author) item.commentAuthor = c.author.login;
      return item;
    });
}

/** The comment bodies of found attestations, for `verifierFor`. */
export function bodiesOf(found: readonly FoundAttestation[]): unknown[] {
  return found.map((f) => ("body" in f ? f.body : undefined));
}

/**
 * Verifies the attestations found on a pull request. The same comments verify the same way
 * against the same keys, so the report is cached by their digest.
 */
export function verifyFound(
  pr: PullRequestRead,
  found: FoundAttestation[],
  jwks: Jwks,
  cache: AdapterCache,
  bundles?: BundleVerifier,
): VerificationReport {
  const expect = { repo: pr.repository.fullName, pr: pr.pullRequest.number };
  const key = createHash("sha256")
    .update(JSON.stringify([jwks, expect, found, bundles ? bundleVerifierId(bundles) : null]))
    .digest("hex");
  const cached = cache.verifications.get(key);
  if (cached) return cached;
  const report = verifyAttestations(found, jwks, bundles ? { ...expect, bundles } : expect);
  cache.verifications.set(key, report);
  return report;
}

const verifierIds = new WeakMap<BundleVerifier, number>();
let lastVerifierId = 0;
/** One id per bundle verifier (trusted root and signers), so cached verdicts never mix them. */
function bundleVerifierId(verifier: BundleVerifier): number {
  const known = verifierIds.get(verifier);
  if (known !== undefined) return known;
  lastVerifierId += 1;
  verifierIds.set(verifier, lastVerifierId);
  return lastVerifierId;
}

/**
 * A deleted attestation to post again, rendered from its verified payload with its envelope
 * unchanged (same digest): deleting a comment — a revocation, say — must not undo what it
 * attested. Forged or foreign statements, and statements still present elsewhere (a copy, or
 * restored already by another event), are not restored.
 */
export function restoration(
  pr: PullRequestRead,
  deleted: DeletedAttestation,
  present: VerificationReport,
  jwks: Jwks,
  bundles?: BundleVerifier,
): Restoration | null {
  const found: FoundAttestation = { ...location(pr, deleted.commentId), body: deleted.body };
  const expect = {
    repo: pr.repository.fullName,
    pr: pr.pullRequest.number,
    ...(bundles ? { bundles } : {}),
  };
  const [alone]: Array<StatementVerdict | undefined> = verifyAttestations(
    [found],
    jwks,
    expect,
  ).statements;
  // Verified alone, a genuine statement's predecessor is absent: that is expected here.
  const genuine =
    alone !== undefined &&
    (INFORMATIONAL_VERDICTS.has(alone.verdict) || alone.verdict === "missing_predecessor");
  if (!genuine || !alone.statement || !alone.digest) return null;
  if (present.statements.some((s) => s.digest === alone.digest)) return null;
  const extracted = extractAttestation(deleted.body);
  if (!extracted.ok) return null;
  const envelope = EnvelopeSchema.safeParse(JSON.parse(extracted.envelope.canonical));
  if (!envelope.success) return null;
  const by = deleted.by ? ` by @${deleted.by}` : "";
  const comment = `**Restored by aigate:** comment ${deleted.commentId}, which carried this signed statement, was deleted${by}. Deleting a comment does not withdraw signed evidence, so it is posted again unchanged (same digest).\n\n${renderAttestationComment(envelope.data, alone.statement, extracted.bundle)}`;
  return { deleted, found, comment, digest: alone.digest };
}

/** Where evidence is posted: the pull request as read, the keys that verify, the lock held. */
export interface EvidenceContext {
  pr: PullRequestRead;
  jwks: Jwks;
  /** Verifies keyless bundles, where the manifest allows signers. */
  bundles?: BundleVerifier | undefined;
  /** Also store each keyless bundle in GitHub's attestation store. */
  storeAttestations?: boolean | undefined;
  cache: AdapterCache;
  lock: HeldLock;
  log: Log;
}

/** Tries of one evidence comment when GitHub's answer leaves unknown whether it was created. */
export const EVIDENCE_ATTEMPTS = 3;
/** How long one evidence POST may take before its outcome counts as unknown. */
const EVIDENCE_TIMEOUT_MS = 30_000;

/** Posts a restored statement, unless it is on the pull request already. */
export async function postRestoration(
  client: GitHubClient,
  target: PullRequestTarget,
  restored: Restoration,
  context: EvidenceContext,
): Promise<void> {
  const posted = await postEvidence(client, target, restored.comment, context, (report) =>
    report.statements.some((s) => hasDigest(s, restored.digest)) ? "ours" : "absent",
  );
  if (posted) {
    context.log.info(
      `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: restored deleted attestation ${restored.digest} (comment ${restored.deleted.commentId})`,
    );
  }
}

/**
 * Posts signed statements in the order they were chained. A statement whose source another
 * holder of the lock recorded meanwhile stops the event: the statements after it name it as
 * their predecessor, and whoever recorded it reconciles this pull request from live facts.
 */
export async function postStatements(
  client: GitHubClient,
  target: PullRequestTarget,
  issued: IssuedStatement[],
  context: EvidenceContext,
): Promise<void> {
  for (const { planned, statement, signed } of issued) {
    const body = renderAttestationComment(signed.envelope, statement, signed.bundle);
    const posted = await postEvidence(client, target, body, context, (report) => {
      const same = report.statements.filter(
        (s) => s.statement && sourceKey(s.statement.predicate) === planned.key,
      );
      if (same.some((s) => hasDigest(s, signed.digest))) return "ours";
      return same.some((s) => INFORMATIONAL_VERDICTS.has(s.verdict)) ? "theirs" : "absent";
    });
    if (!posted) {
      throw new LockLostError(
        `${planned.source.kind} ${planned.source.id} was recorded by another holder of the lock meanwhile`,
      );
    }
    context.log.info(
      `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: ${planned.decision} attestation for ${planned.source.kind} ${planned.source.id} by ${planned.approver.login} (${signed.digest})`,
    );
    if (signed.bundle !== undefined && context.storeAttestations) {
      await storeAttestation(client, target, signed.bundle as StoredBundle, context.log);
    }
  }
}

type Presence = "ours" | "theirs" | "absent";

/**
 * Creates one evidence comment exactly once (docs/attestation.md#exactly-once): the lock is
 * checked and the live comments read again before every attempt, and a POST whose outcome is
 * unknown (a 5xx, a reset connection, a timeout: it may have landed) is retried only after a
 * read shows it did not. Octokit's own retries are off for it: they would repeat it blindly.
 * Resolves true when the comment is on the pull request, false when another holder of the
 * lock recorded the same source first.
 */
async function postEvidence(
  client: GitHubClient,
  target: PullRequestTarget,
  body: string,
  context: EvidenceContext,
  presence: (report: VerificationReport) => Presence,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    await context.lock.assertHeld();
    const comments = await readComments(client, target);
    const report = verifyFound(
      context.pr,
      attestationComments(context.pr, comments),
      context.jwks,
      context.cache,
      context.bundles,
    );
    const found = presence(report);
    if (found === "ours") return true;
    if (found === "theirs") return false;
    try {
      // Ahead of the installation's queued writes: the read above is not paced, this POST is.
      await asEvidence(() =>
        postComment(client, target, body, { retries: 0, timeoutMs: EVIDENCE_TIMEOUT_MS }),
      );
      return true;
    } catch (error) {
      if (!outcomeUnknown(error) || attempt >= EVIDENCE_ATTEMPTS) throw error;
      context.log.warn(
        `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: an evidence comment may or may not have been created (${describeFailure(error).description}); reading before trying again`,
      );
    }
  }
}

/** A failure after which the comment may exist: no answer, or a server error. */
function outcomeUnknown(error: unknown): boolean {
  const status = describeFailure(error).status;
  return status === undefined || status >= 500;
}

function hasDigest(s: StatementVerdict, digest: string): boolean {
  return s.digest === digest || s.issuedDigest === digest;
}

function sourceKey(p: { decision: string; source: { kind: string; id: number } }): string {
  return `${p.decision}:${p.source.kind}:${p.source.id}`;
}
