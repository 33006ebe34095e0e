/**
 * Turning planned approvals and revocations into signed statements (docs/attestation.md):
 * each predicate is built from the facts of the pull request as read, signed with the
 * issuer's key, and chained to the one before it by `prev`. Pure: posting is the adapter's.
 */
import type { OrgPolicyOrigin } from "../manifest/schema.js";
import type { PlannedStatement } from "../policy/approval-plan.js";
import type {
  AffectedSystem,
  ApprovalRecord,
  FileFacts,
  Manifest,
  PullRequestFacts,
} from "../types.js";
import type { SignedAttestation, Signer } from "./keys.js";
import {
  type ApprovalPredicate,
  type ApprovalStatement,
  approvalFromStatement,
  statementFor,
} from "./statement.js";
import { approvalsFrom, type VerificationReport } from "./verify.js";

/** What every statement issued on one pull request in one event records besides the approval. */
export interface IssueContext {
  repository: { id: number; fullName: string };
  pullRequest: PullRequestFacts;
  manifest: { path: string; baseSha: string; sha256: string };
  /** The organisation policy merged under the manifest, when it extends one and was read at a commit. */
  policy?: OrgPolicyOrigin;
  assessments: Array<{ system: string; path: string; sha256: string }>;
  issuer: { kind: "app" | "action" };
  issuedAt: Date;
  /** The digest of the newest attestation already on the pull request (the chain's tail). */
  prev: string | null;
}

export interface IssuedStatement {
  planned: PlannedStatement;
  statement: ApprovalStatement;
  signed: SignedAttestation;
}

/** The assessment digests an approval records: each affected system's assessment as read at the head. */
export function assessmentDigests(
  manifest: Manifest,
  affected: AffectedSystem[],
  headFiles: Record<string, FileFacts | null>,
): IssueContext["assessments"] {
  return affected.flatMap((a) => {
    const path = manifest.systems.find((s) => s.id === a.id)?.assessment;
    const file = path ? headFiles[path] : undefined;
    return path && file ? [{ system: a.id, path, sha256: file.sha256 }] : [];
  });
}

/** Signs the planned statements in order, each chained to the previous one by `prev`. */
export function signStatements(
  planned: PlannedStatement[],
  context: IssueContext,
  signer: Signer,
): IssuedStatement[] {
  const issued: IssuedStatement[] = [];
  let prev = context.prev;
  const { pullRequest: pr } = context;
  for (const p of planned) {
    const predicate: ApprovalPredicate = {
      decision: p.decision,
      repository: { id: context.repository.id, full_name: context.repository.fullName },
      pull_request: {
        number: pr.number,
        base_ref: pr.baseRef,
        base_sha: pr.baseSha,
        head_sha: pr.headSha,
      },
      manifest: {
        path: context.manifest.path,
        base_sha: context.manifest.baseSha,
        sha256: context.manifest.sha256,
      },
      assessments: context.assessments,
      systems: p.systems.map((e) => ({ id: e.system, reason: e.reason })),
      approver: { id: p.approver.id, login: p.approver.login },
      source: p.source,
      issuer: { kind: context.issuer.kind, key_id: signer.keyId },
      issued_at: context.issuedAt.toISOString(),
      prev,
    };
    const policy = context.policy;
    if (policy?.commit !== undefined) {
      predicate.policy = {
        repository: policy.repository,
        path: policy.path,
        commit: policy.commit,
        sha256: policy.sha256,
      };
    }
    if (p.note !== undefined) predicate.note = p.note;
    if (p.revokes !== undefined) predicate.revokes = p.revokes;
    const statement = statementFor(predicate);
    const signed = signer.sign(statement);
    issued.push({ planned: p, statement, signed });
    prev = signed.digest;
  }
  return issued;
}

/**
 * The approvals the engine counts after this event: those already attested (less any revoked
 * now), those just issued, and the sources that cannot count (so the check says why).
 */
export function approvalsAfter(
  report: VerificationReport,
  issued: IssuedStatement[],
  ineligible: ApprovalRecord[],
): ApprovalRecord[] {
  const revoked = new Set(issued.flatMap((i) => (i.planned.revokes ? [i.planned.revokes] : [])));
  return [
    ...approvalsFrom(report).filter(
      (a) => !a.attestationDigest || !revoked.has(a.attestationDigest),
    ),
    ...issued
      .filter((i) => i.planned.decision === "approved")
      .map((i) => approvalFromStatement(i.statement, i.signed.digest)),
    ...ineligible,
  ];
}
