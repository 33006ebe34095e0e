import {
  type BundleVerifier,
  crossCheckWitnesses,
  DELETED_AFTER_COUNTING,
  type FoundAttestation,
  INFORMATIONAL_VERDICTS,
  verifyAttestations,
  type WitnessFinding,
} from "../../core/attestation/index.js";
import type { PullEvidence } from "./collect.js";
import type { SummaryRecord, VerificationRecord } from "./records.js";

/**
 * Verifies each pull request's attestation comments against the trusted keys, exactly as
 * `aigate verify` does with the pack: one verdict per comment, chain checks per pull request,
 * statements for an older head reported as stale (informational), and every digest aigate's
 * human-oversight runs counted looked for among them (a missing one was deleted after counting).
 */
export function verifyPull(
  evidence: PullEvidence,
  jwks: unknown,
  bundles?: BundleVerifier,
): { records: VerificationRecord[]; deleted: WitnessFinding[] } {
  const { pull } = evidence;
  const found: FoundAttestation[] = evidence.attestations.map((line) => {
    const item: FoundAttestation = {
      body: line.comment.body,
      repository: line.repository,
      repositoryId: line.repository_id,
      pullRequest: line.pull_request,
      commentId: line.comment.id,
      createdAt: line.comment.created_at,
      updatedAt: line.comment.updated_at,
    };
    if (line.comment.user) item.commentAuthor = line.comment.user.login;
    return item;
  });
  const report = verifyAttestations(found, jwks, {
    repo: pull.repository,
    pr: pull.number,
    head: pull.head_sha,
    ...(bundles ? { bundles } : {}),
  });
  const witnesses = crossCheckWitnesses(
    evidence.checkRuns.map((run) => ({
      id: run.id,
      repository: run.repository,
      pullRequest: run.pull_request,
      name: run.name,
      app: run.app,
      headSha: run.head_sha,
      summary: run.summary,
    })),
    report.statements,
  );
  const records = report.statements.map((s): VerificationRecord => {
    const p = s.statement?.predicate;
    return {
      type: "verification",
      repository: pull.repository,
      pull_request: pull.number,
      comment_id: s.commentId,
      verdict: s.verdict,
      reason: s.reason,
      also: [...s.also],
      digest: s.digest ?? null,
      key_id: s.keyId ?? null,
      decision: p?.decision ?? null,
      approver: p ? { id: p.approver.id, login: p.approver.login } : null,
      systems: p ? p.systems.map((system) => system.id) : [],
      head_sha: p?.pull_request.head_sha ?? null,
      issued_at: p?.issued_at ?? null,
    };
  });
  return { records, deleted: witnesses.findings };
}

/** Whether a verdict leaves the evidence valid (valid or informational). */
export function isAcceptable(verdict: string): boolean {
  return (INFORMATIONAL_VERDICTS as ReadonlySet<string>).has(verdict);
}

/**
 * The verification part of the summary: counts of each verdict that occurred (a counted
 * attestation missing from the pack as `deleted_after_counting`), and the outcome.
 */
export function verificationSummary(
  records: readonly VerificationRecord[],
  deleted: readonly WitnessFinding[] = [],
): NonNullable<SummaryRecord["verification"]> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  if (deleted.length > 0) counts[DELETED_AFTER_COUNTING] = deleted.length;
  return {
    total: records.length,
    counts,
    ok: deleted.length === 0 && records.every((r) => isAcceptable(r.verdict)),
  };
}
