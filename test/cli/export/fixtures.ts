import type {
  AttestationCommentRecord,
  CheckRunRecord,
  CommentEditRecord,
  EvidenceRecord,
  PullRequestRecord,
  ReviewRecord,
  SummaryRecord,
  VerificationRecord,
} from "../../../src/cli/export/records.js";

/** Markup a hostile user might put anywhere GitHub lets them write. */
export const HOSTILE =
  `<script>alert(1)</script><img src=x onerror=alert(2)>"'&` + `</td></tr></table><h1>forged</h1>`;

export const REPOSITORY = "acme/models";
const HEAD = "b".repeat(40);

export const pull: PullRequestRecord = {
  type: "pull_request",
  repository: REPOSITORY,
  repository_id: 501,
  pull_request: 7,
  number: 7,
  title: HOSTILE,
  author: { login: "dave", id: 101, type: "User" },
  state: "open",
  draft: false,
  created_at: "2026-03-01T09:00:00Z",
  updated_at: "2026-03-01T10:30:00Z",
  merged_at: null,
  base_ref: "main",
  base_sha: "a".repeat(40),
  head_ref: "feature",
  head_sha: HEAD,
  html_url: "https://github.com/acme/models/pull/7",
  merge_commit_sha: null,
};

export const checkRun: CheckRunRecord = {
  type: "check_run",
  repository: REPOSITORY,
  pull_request: 7,
  id: 1001,
  name: "AI governance: human oversight",
  head_sha: HEAD,
  current_head: true,
  status: "completed",
  conclusion: "action_required",
  title: "Waiting for 1 of 2 approvals (credit-scoring)",
  summary: `## Summary\n${HOSTILE}`,
  started_at: "2026-03-01T10:00:00Z",
  completed_at: "2026-03-01T10:00:01Z",
  app: "aigate",
  html_url: "javascript:alert(1)",
};

export const review: ReviewRecord = {
  type: "review",
  repository: REPOSITORY,
  pull_request: 7,
  id: 2001,
  user: { login: "mallory", id: 102, type: "User" },
  state: "COMMENTED",
  commit_id: HEAD,
  submitted_at: "2026-03-01T10:05:00Z",
  body: HOSTILE,
};

export const attestation: AttestationCommentRecord = {
  type: "attestation_comment",
  repository: REPOSITORY,
  repository_id: 501,
  pull_request: 7,
  comment: {
    id: 3001,
    body: `approved ${HOSTILE}\n<!-- aigate-attestation:v1 !!! -->`,
    user: { login: "aigate[bot]", id: 5, type: "Bot" },
    created_at: "2026-03-01T10:06:00Z",
    updated_at: "2026-03-01T10:06:00Z",
    html_url: "https://github.com/acme/models/pull/7#issuecomment-3001",
    issue_url: "https://api.github.com/repos/acme/models/issues/7",
  },
};

export const edit: CommentEditRecord = {
  type: "comment_edit",
  repository: REPOSITORY,
  pull_request: 7,
  comment_id: 3002,
  user: { login: "mallory", id: 102, type: "User" },
  created_at: "2026-03-01T10:07:00Z",
  updated_at: "2026-03-01T10:30:00Z",
  attestation: false,
  body: HOSTILE,
  html_url: "https://github.com/acme/models/pull/7#issuecomment-3002",
  note: "changed after it was created",
};

export const verification: VerificationRecord = {
  type: "verification",
  repository: REPOSITORY,
  pull_request: 7,
  comment_id: 3001,
  verdict: "bad_signature",
  reason: `signature does not verify ${HOSTILE}`,
  also: [],
  digest: `sha256:${"c".repeat(64)}`,
  key_id: null,
  decision: null,
  approver: null,
  systems: [],
  head_sha: null,
  issued_at: null,
};

export const summary: SummaryRecord = {
  type: "summary",
  repository: REPOSITORY,
  generated_at: "2026-03-02T00:00:00.000Z",
  api_url: "https://api.github.com",
  selection: { pr: 7 },
  pull_requests: [7],
  records: { pull_request: 1, check_run: 1, review: 1, attestation_comment: 1, comment_edit: 1 },
  verification: { total: 1, counts: { bad_signature: 1 }, ok: false },
};

export const pack: EvidenceRecord[] = [
  pull,
  checkRun,
  review,
  attestation,
  edit,
  verification,
  summary,
];
