/**
 * The records of an evidence pack (`aigate export`). JSON Lines is the canonical form: one
 * record a line, each with a `type`; CSV and HTML are views of the same records.
 */

/** A GitHub account as the pack names it; `id` is null only when GitHub did not give one. */
export interface AccountRef {
  login: string;
  id: number | null;
  type: string;
}

export interface PullRequestRecord {
  type: "pull_request";
  repository: string;
  repository_id: number;
  pull_request: number;
  number: number;
  title: string;
  author: AccountRef | null;
  state: string;
  draft: boolean;
  created_at: string;
  updated_at: string;
  merged_at: string | null;
  base_ref: string;
  base_sha: string;
  head_ref: string;
  head_sha: string;
  html_url: string;
  /** The commit merging created (merge, squash or last rebased commit); null when not merged. */
  merge_commit_sha: string | null;
}

export interface CheckRunRecord {
  type: "check_run";
  repository: string;
  pull_request: number;
  id: number;
  name: string;
  head_sha: string;
  /** Whether `head_sha` is the pull request's head at export time. */
  current_head: boolean;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  started_at: string | null;
  completed_at: string | null;
  /** The slug of the GitHub App that wrote the run: only aigate's own runs are its evidence. */
  app: string | null;
  html_url: string | null;
}

/**
 * A merge verification on the commit a merged pull request landed as (docs/export.md): the check
 * run with its signed record (`envelope`, the canonical DSSE JSON), for `aigate verify --vsa`.
 */
export interface MergeVerificationRecord {
  type: "merge_verification";
  repository: string;
  pull_request: number;
  commit: string;
  id: number;
  conclusion: string | null;
  title: string | null;
  /** The canonical envelope JSON from the run's marker, or null when it has none that decodes. */
  envelope: string | null;
  /** For a keyless record, the Sigstore bundle JSON that carries the envelope and its signature. */
  bundle?: string;
  app: string | null;
  html_url: string | null;
}

export interface ReviewRecord {
  type: "review";
  repository: string;
  pull_request: number;
  id: number;
  user: AccountRef | null;
  state: string;
  commit_id: string;
  submitted_at: string;
  body: string;
}

/** An issue comment as GitHub's REST API returns it (the fields `aigate verify` reads). */
export interface ExportedComment {
  id: number;
  body: string;
  user: AccountRef | null;
  created_at: string;
  updated_at: string;
  html_url: string;
  issue_url: string;
}

/** Exactly the line `aigate verify --evidence` reads. */
export interface AttestationCommentRecord {
  type: "attestation_comment";
  repository: string;
  repository_id: number;
  pull_request: number;
  comment: ExportedComment;
}

export const NO_EDIT_HISTORY =
  "changed after it was created; GitHub's REST API keeps no edit history, so earlier bodies " +
  "are not in this pack (the pull request page shows the edit history)";

export interface CommentEditRecord {
  type: "comment_edit";
  repository: string;
  pull_request: number;
  comment_id: number;
  user: AccountRef | null;
  created_at: string;
  updated_at: string;
  /** Whether the comment carries an attestation marker. */
  attestation: boolean;
  /** The body as it is now. */
  body: string;
  html_url: string;
  note: string;
}

export interface VerificationRecord {
  type: "verification";
  repository: string;
  pull_request: number;
  comment_id: number;
  verdict: string;
  reason: string;
  also: string[];
  digest: string | null;
  key_id: string | null;
  decision: string | null;
  approver: { id: number; login: string } | null;
  systems: string[];
  head_sha: string | null;
  issued_at: string | null;
}

export type Selection = { pr: number } | { since: string } | { all: true };

export interface SummaryRecord {
  type: "summary";
  repository: string;
  generated_at: string;
  api_url: string;
  selection: Selection;
  pull_requests: number[];
  /** How many records of each type precede this one. */
  records: Record<string, number>;
  /** With `--jwks`: the verdicts and whether the evidence is valid; otherwise null. */
  verification: { total: number; counts: Record<string, number>; ok: boolean } | null;
}

export type EvidenceRecord =
  | PullRequestRecord
  | CheckRunRecord
  | MergeVerificationRecord
  | ReviewRecord
  | AttestationCommentRecord
  | CommentEditRecord
  | VerificationRecord
  | SummaryRecord;

/** One JSON object a line, `\n`-terminated. */
export function toJsonLines(records: readonly EvidenceRecord[]): string {
  return records.map((record) => `${JSON.stringify(record)}\n`).join("");
}
