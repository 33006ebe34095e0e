/**
 * Turning planned approvals and revocations into signed statements (docs/attestation.md):
 * each predicate is built from the facts of the pull request as read, signed with the
 * issuer's key, and chained to the one before it by `prev`. Pure: posting is the adapter's.
 */
import type { OrgPolicyOrigin } from "../manifest/schema.js";
import type { CompiledMatcher } from "../match.js";
import type { PlannedStatement } from "../policy/approval-plan.js";
import type {
  AffectedSystem,
  ApprovalRecord,
  ChangedFile,
  FileFacts,
  Manifest,
  PullRequestFacts,
} from "../types.js";
import { approvedFiles, fileEntries } from "./files.js";
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
  /**
   * The change's files and the sha256 at the head of each that an approval names (read for the
   * paths `filesToRead` returns). Without it, statements name the pull request only.
   */
  files?: {
    matcher: CompiledMatcher;
    changedFiles: readonly ChangedFile[];
    digests: Readonly<Record<string, string | null>>;
  };
}

/**
 * A keyless signer (docs/attestation.md#keyless-bundles): signs a statement into a Sigstore
 * bundle whose DSSE envelope is the attestation. Signing is the adapter's (network); the
 * statement and its chaining are the core's.
 */
export interface KeylessSigner {
  keyless: true;
  sign(statement: ApprovalStatement): Promise<SignedAttestation>;
  /**
   * Signs the exact bytes of an in-toto statement another module built and checked (the merge
   * verification's VSA) into a bundle the same way (docs/attestation.md#keyless-merge-verifications).
   */
  signPayload(payload: Buffer): Promise<SignedAttestation>;
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
  for (const p of planned) {
    const statement = statementOf(
      p,
      context,
      { kind: context.issuer.kind, key_id: signer.keyId },
      prev,
    );
    const signed = signer.sign(statement);
    issued.push({ planned: p, statement, signed });
    prev = signed.digest;
  }
  return issued;
}

/** As `signStatements`, keyless: each statement becomes a Sigstore bundle, one after the other. */
export async function signStatementsKeyless(
  planned: PlannedStatement[],
  context: IssueContext,
  signer: KeylessSigner,
): Promise<IssuedStatement[]> {
  const issued: IssuedStatement[] = [];
  let prev = context.prev;
  for (const p of planned) {
    const statement = statementOf(p, context, { kind: "action", signing: "sigstore" }, prev);
    const signed = await signer.sign(statement);
    issued.push({ planned: p, statement, signed });
    prev = signed.digest;
  }
  return issued;
}

/** The statement for one planned approval or revocation. */
function statementOf(
  p: PlannedStatement,
  context: IssueContext,
  issuer: ApprovalPredicate["issuer"],
  prev: string | null,
): ApprovalStatement {
  const { pullRequest: pr } = context;
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
    issuer,
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
  const files = context.files;
  if (!files || p.decision !== "approved") return statementFor(predicate);
  const approved = approvedFiles(
    files.matcher,
    files.changedFiles,
    p.systems.map((e) => e.system),
  );
  return statementFor(predicate, fileEntries(approved, files.digests));
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
