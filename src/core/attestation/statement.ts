import * as z from "zod";
import type { ApprovalRecord } from "../types.js";
import { type FileEntries, MAX_DELETED_FILES, MAX_FILE_SUBJECTS } from "./files.js";

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
    /**
     * Who signed: the App or the Action with its Ed25519 key, or the Action keyless, whose
     * identity is the Sigstore certificate's (docs/attestation.md#keyless-bundles).
     */
    issuer: z.union([
      z.strictObject({ kind: z.enum(["app", "action"]), key_id: KeyIdSchema }),
      z.strictObject({ kind: z.literal("action"), signing: z.literal("sigstore") }),
    ]),
    issued_at: isoTime,
    /** Digest of the newest attestation the issuer saw on this PR; null for the first. */
    prev: AttestationDigestSchema.nullable(),
    note: z.string().max(1000).optional(),
    /** For `decision: revoked`: the digest of the approval statement revoked. */
    revokes: AttestationDigestSchema.optional(),
    /**
     * The governed files the approval covers (docs/attestation.md#file-subjects): how many are
     * present at the head (named as subjects, up to a cap) and those gone from it. Absent in
     * revocations and in statements issued before file subjects existed.
     */
    files: z
      .strictObject({
        count: z.int().nonnegative(),
        deleted: z.array(repoPath).max(MAX_DELETED_FILES),
        deleted_count: z.int().nonnegative(),
      })
      .optional(),
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
    if (predicate.decision === "revoked" && predicate.files !== undefined) {
      ctx.addIssue({ code: "custom", path: ["files"], message: "a revocation names no files" });
    }
    const files = predicate.files;
    if (files && files.deleted_count < files.deleted.length) {
      ctx.addIssue({
        code: "custom",
        path: ["files", "deleted_count"],
        message: "must count at least the files listed in deleted",
      });
    }
  });

export type ApprovalPredicate = z.infer<typeof PredicateSchema>;

/** The pull request at its head; when the file subjects were cut, it says how many files there were. */
const PullRequestSubjectSchema = z.strictObject({
  name: z.string().min(1),
  digest: z.strictObject({ gitCommit: gitSha }),
  annotations: z
    .strictObject({ files_cut: z.literal(true), files_count: z.int().positive() })
    .optional(),
});

/** A governed file at the head: its path and the sha256 of its raw bytes. */
const FileSubjectSchema = z.strictObject({
  name: repoPath,
  digest: z.strictObject({ sha256: fileSha256 }),
});

export const StatementSchema = z
  .strictObject({
    _type: z.literal(STATEMENT_TYPE),
    subject: z
      .tuple([PullRequestSubjectSchema], FileSubjectSchema)
      .refine((s) => s.length <= MAX_FILE_SUBJECTS + 1, {
        message: `at most ${MAX_FILE_SUBJECTS} file subjects`,
      }),
    predicateType: z.literal(PREDICATE_TYPE),
    predicate: PredicateSchema,
  })
  .superRefine((statement, ctx) => {
    const [subject, ...files] = statement.subject;
    const { repository, pull_request } = statement.predicate;
    const name = subjectName(repository.full_name, pull_request.number);
    if (subject.name !== name) {
      ctx.addIssue({ code: "custom", path: ["subject", 0, "name"], message: `must be ${name}` });
    }
    if (subject.digest.gitCommit !== pull_request.head_sha) {
      ctx.addIssue({
        code: "custom",
        path: ["subject", 0, "digest", "gitCommit"],
        message: "must equal predicate.pull_request.head_sha",
      });
    }
    checkFileSubjects(files, subject.annotations, statement.predicate.files, ctx);
  });

/** The file subjects agree with the predicate's count: sorted, each path once, and a cut list says so. */
function checkFileSubjects(
  files: Array<{ name: string }>,
  annotations: { files_count: number } | undefined,
  recorded: { count: number } | undefined,
  ctx: z.RefinementCtx,
): void {
  const issue = (path: Array<string | number>, message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  if (recorded === undefined) {
    if (files.length > 0) issue(["predicate", "files"], "file subjects need predicate.files");
    if (annotations) issue(["subject", 0, "annotations"], "file subjects were not cut");
    return;
  }
  for (let i = 1; i < files.length; i++) {
    const before = files[i - 1]?.name ?? "";
    if (!((files[i]?.name ?? "") > before)) {
      issue(["subject", i + 1, "name"], "file subjects are sorted by path, each path once");
    }
  }
  if (files.length > recorded.count) {
    issue(["predicate", "files", "count"], "must count at least the file subjects");
  }
  const cut = files.length < recorded.count;
  if (cut && annotations?.files_count !== recorded.count) {
    issue(
      ["subject", 0, "annotations"],
      `the file subjects were cut: files_cut and files_count ${recorded.count} are required`,
    );
  }
  if (!cut && annotations) issue(["subject", 0, "annotations"], "file subjects were not cut");
}

export type ApprovalStatement = z.infer<typeof StatementSchema>;

/** The in-toto subject name of a pull request. */
export function subjectName(fullName: string, pullRequest: number): string {
  return `github.com/${fullName}/pull/${pullRequest}`;
}

/**
 * Wraps a predicate into its Statement, the pull-request subject derived from the predicate
 * itself; with `files`, the file subjects follow and the predicate records their count.
 */
export function statementFor(predicate: ApprovalPredicate, files?: FileEntries): ApprovalStatement {
  const pr: ApprovalStatement["subject"][0] = {
    name: subjectName(predicate.repository.full_name, predicate.pull_request.number),
    digest: { gitCommit: predicate.pull_request.head_sha },
  };
  if (!files)
    return { _type: STATEMENT_TYPE, subject: [pr], predicateType: PREDICATE_TYPE, predicate };
  if (files.subjects.length < files.count) {
    pr.annotations = { files_cut: true, files_count: files.count };
  }
  return {
    _type: STATEMENT_TYPE,
    subject: [pr, ...files.subjects],
    predicateType: PREDICATE_TYPE,
    predicate: {
      ...predicate,
      files: { count: files.count, deleted: files.deleted, deleted_count: files.deletedCount },
    },
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
