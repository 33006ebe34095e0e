import { z } from "zod";
import type { ApprovalRecord } from "../types.js";

/**
 * The signed approval statement (docs/attestation.md): an in-toto Statement v1 whose subject is the
 * pull request at its head commit and whose predicate records one approval or revocation.
 * The zod schemas below are the single source of truth; docs/attestation.md describes them.
 */

export const STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
/** The one predicate type aigate signs and accepts. A new predicate version gets a new URI. */
export const PREDICATE_TYPE = "https://aigate.dev/attestation/approval/v1";

const HEX64 = /^[0-9a-f]{64}$/;
/** A git object id: SHA-1 (40 hex) or SHA-256 (64 hex) repositories. */
const gitSha = z
  .string()
  .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, "must be a lowercase hex git commit SHA");
const fileSha256 = z.string().regex(HEX64, "must be a lowercase hex SHA-256");
/** The digest of another attestation (see `envelopeDigest`). */
const AttestationDigestSchema = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, "must be sha256: followed by 64 lowercase hex digits");
const githubId = z.int().positive();
const isoTime = z.iso.datetime({ offset: true });
const repoPath = z.string().min(1).max(1024);
const systemId = z.string().min(1).max(200);
const fullName = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must be OWNER/REPO");
/** RFC 7638 thumbprint of an Ed25519 JWK: base64url of a SHA-256, no padding. */
const KeyIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, "must be an RFC 7638 JWK thumbprint (43 base64url characters)");

export const PredicateSchema = z
  .strictObject({
    decision: z.enum(["approved", "revoked"]),
    repository: z.strictObject({ id: githubId, full_name: fullName }),
    pull_request: z.strictObject({
      number: githubId,
      base_ref: z.string().min(1).max(255),
      base_sha: gitSha,
      head_sha: gitSha,
    }),
    manifest: z.strictObject({ path: repoPath, base_sha: gitSha, sha256: fileSha256 }),
    /**
     * The organisation policy merged under the manifest (`extends`), as read. Absent when the
     * manifest extends none, and in statements issued before policies existed: those still verify.
     */
    policy: z
      .strictObject({
        repository: fullName,
        path: repoPath,
        commit: gitSha,
        sha256: fileSha256,
      })
      .optional(),
    assessments: z.array(z.strictObject({ system: systemId, path: repoPath, sha256: fileSha256 })),
    /** The systems approved (or revoked), each with why the approver is eligible for it. */
    systems: z.array(z.strictObject({ id: systemId, reason: z.string().min(1).max(500) })).min(1),
    approver: z.strictObject({
      id: githubId,
      // Enterprise managed users' logins end in `_shortcode`.
      login: z
        .string()
        .regex(/^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,99})$/, "must be a GitHub user login"),
    }),
    source: z.strictObject({
      kind: z.enum(["review", "comment"]),
      id: githubId,
      at: isoTime,
      commit: gitSha,
    }),
    issuer: z.strictObject({ kind: z.enum(["app", "action"]), key_id: KeyIdSchema }),
    issued_at: isoTime,
    /** Digest of the newest attestation the issuer saw on this PR; null for the first. */
    prev: AttestationDigestSchema.nullable(),
    note: z.string().max(1000).optional(),
    /** For `decision: revoked`: the digest of the approval statement revoked. */
    revokes: AttestationDigestSchema.optional(),
  })
  .superRefine((predicate, ctx) => {
    if (predicate.decision === "revoked" && predicate.revokes === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["revokes"],
        message: "a revocation names the digest it revokes",
      });
    }
    if (predicate.decision === "approved" && predicate.revokes !== undefined) {
      ctx.addIssue({ code: "custom", path: ["revokes"], message: "only a revocation has revokes" });
    }
  });

export type ApprovalPredicate = z.infer<typeof PredicateSchema>;

const SubjectSchema = z.strictObject({
  name: z.string().min(1),
  digest: z.strictObject({ gitCommit: gitSha }),
});

export const StatementSchema = z
  .strictObject({
    _type: z.literal(STATEMENT_TYPE),
    subject: z.array(SubjectSchema).length(1),
    predicateType: z.literal(PREDICATE_TYPE),
    predicate: PredicateSchema,
  })
  .superRefine((statement, ctx) => {
    const subject = statement.subject[0];
    const { repository, pull_request } = statement.predicate;
    const name = subjectName(repository.full_name, pull_request.number);
    if (subject && subject.name !== name) {
      ctx.addIssue({ code: "custom", path: ["subject", 0, "name"], message: `must be ${name}` });
    }
    if (subject && subject.digest.gitCommit !== pull_request.head_sha) {
      ctx.addIssue({
        code: "custom",
        path: ["subject", 0, "digest", "gitCommit"],
        message: "must equal predicate.pull_request.head_sha",
      });
    }
  });

export type ApprovalStatement = z.infer<typeof StatementSchema>;

/** The in-toto subject name of a pull request. */
export function subjectName(fullName: string, pullRequest: number): string {
  return `github.com/${fullName}/pull/${pullRequest}`;
}

/** Wraps a predicate into its Statement, the subject derived from the predicate itself. */
export function statementFor(predicate: ApprovalPredicate): ApprovalStatement {
  return {
    _type: STATEMENT_TYPE,
    subject: [
      {
        name: subjectName(predicate.repository.full_name, predicate.pull_request.number),
        digest: { gitCommit: predicate.pull_request.head_sha },
      },
    ],
    predicateType: PREDICATE_TYPE,
    predicate,
  };
}

/** The approval the engine counts for a verified statement (`digest` = its envelope digest). */
export function approvalFromStatement(
  statement: ApprovalStatement,
  digest: string,
): ApprovalRecord {
  const { approver, systems, source, note, pull_request } = statement.predicate;
  const record: ApprovalRecord = {
    approver: { id: approver.id, login: approver.login, type: "User" },
    systems: systems.map((s) => ({ system: s.id, reason: s.reason })),
    commit: source.commit,
    baseRef: pull_request.base_ref,
    source: { kind: source.kind, id: source.id, at: source.at },
    attestationDigest: digest,
  };
  if (note !== undefined) record.note = note;
  return record;
}

/** A zod error as one line a person can act on: `field: message; field: message`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path
        .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
        .join("");
      return `${path.replace(/^\./, "") || "(root)"}: ${issue.message}`;
    })
    .join("; ");
}
