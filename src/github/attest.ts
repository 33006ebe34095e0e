/**
 * The attestation comments of a pull request: verifying those found (cached by content), and
 * writing new ones — signed statements, and deleted statements posted again unchanged
 * (docs/app.md#7-what-the-app-does-on-each-event). Signing itself is the core's (`signStatements`).
 */
import { createHash } from "node:crypto";
import {
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
} from "../core/attestation/index.js";
import type { CommentFacts } from "../core/types.js";
import type { AdapterCache } from "./cache.js";
import type { GitHubClient, Log, PullRequestTarget } from "./client.js";
import type { PullRequestRead } from "./facts.js";
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

/**
 * Verifies the attestations found on a pull request. The same comments verify the same way
 * against the same keys, so the report is cached by their digest.
 */
export function verifyFound(
  pr: PullRequestRead,
  found: FoundAttestation[],
  jwks: Jwks,
  cache: AdapterCache,
): VerificationReport {
  const expect = { repo: pr.repository.fullName, pr: pr.pullRequest.number };
  const key = createHash("sha256")
    .update(JSON.stringify([jwks, expect, found]))
    .digest("hex");
  const cached = cache.verifications.get(key);
  if (cached) return cached;
  const report = verifyAttestations(found, jwks, expect);
  cache.verifications.set(key, report);
  return report;
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
): Restoration | null {
  const found: FoundAttestation = { ...location(pr, deleted.commentId), body: deleted.body };
  const expect = { repo: pr.repository.fullName, pr: pr.pullRequest.number };
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
  const comment = `**Restored by aigate:** comment ${deleted.commentId}, which carried this signed statement, was deleted${by}. Deleting a comment does not withdraw signed evidence, so it is posted again unchanged (same digest).\n\n${renderAttestationComment(envelope.data, alone.statement)}`;
  return { deleted, found, comment, digest: alone.digest };
}

/** Posts a restored statement. */
export async function postRestoration(
  client: GitHubClient,
  target: PullRequestTarget,
  restored: Restoration,
  log: Log,
): Promise<void> {
  await postComment(client, target, restored.comment);
  log.info(
    `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: restored deleted attestation ${restored.digest} (comment ${restored.deleted.commentId})`,
  );
}

/** Posts signed statements in the order they were chained. */
export async function postStatements(
  client: GitHubClient,
  target: PullRequestTarget,
  issued: IssuedStatement[],
  log: Log,
): Promise<void> {
  for (const { planned, statement, signed } of issued) {
    await postComment(client, target, renderAttestationComment(signed.envelope, statement));
    log.info(
      `aigate: ${target.owner}/${target.repo}#${target.pullNumber}: ${planned.decision} attestation for ${planned.source.kind} ${planned.source.id} by ${planned.approver.login} (${signed.digest})`,
    );
  }
}
