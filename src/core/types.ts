/**
 * The plain data the engine works on (facts in, Decision out). The GitHub adapter
 * and the CLI build Facts; `evaluate(facts, now)` in src/core/policy turns them
 * into a Decision; src/core/report renders a Decision for people.
 * Nothing here performs I/O.
 */

import type { LocatedError } from "./errors.js";
import type { Lifecycle, Manifest, OrgPolicyOrigin, PathKind, Tier } from "./manifest/schema.js";
import type { OrgPolicyRead } from "./org-policy/parse.js";

/** The kinds of path a manifest names that the tree may not hold (docs/manifest.md). */
export type PathRule =
  | "glob-matches-no-file"
  | "assessment-missing"
  | "evidence-missing"
  | "policy-missing";

/** A manifest path that matches nothing in the repository's tree, located at the manifest line. */
export interface PathFinding extends LocatedError {
  rule: PathRule;
  /** An error, or a warning for a system in design, retired or prohibited. */
  severity: "error" | "warning";
  /** The system whose path it is; absent for the AI policy. */
  system?: string;
}

export type ChangeStatus =
  | "added"
  | "modified"
  | "removed"
  | "renamed"
  | "copied"
  | "changed"
  | "unchanged";

/** One file of a diff; renames carry the previous name, which counts as touched too. */
export interface ChangedFile {
  path: string;
  status: ChangeStatus;
  previousPath?: string;
}

export interface Actor {
  /** Numeric GitHub id; absent when the CLI only knows a login. */
  id?: number;
  login: string;
  type: "User" | "Bot" | "Organization";
}

/** A commit of the PR, for separation of duties. `null` = not attributable to an account. */
export interface CommitFacts {
  sha: string;
  author: Actor | null;
  committer: Actor | null;
  /** Name/email from git, for the message when the commit cannot be attributed. */
  authorName?: string;
  committerName?: string;
  /** The committer date, set by whoever pushed it: a hint of when a head appeared, never proof. */
  committedAt?: string;
}

export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED" | "PENDING";

/** A pull-request review as GitHub lists it: an approval source or a veto. */
export interface ReviewFacts {
  id: number;
  reviewer: Actor | null;
  state: ReviewState;
  body: string;
  /** The commit the review was given on; empty when GitHub no longer ties it to one. */
  commit: string;
  submittedAt: string;
}

/** A comment on the pull request's conversation: a command, an attestation or a reply. */
export interface CommentFacts {
  id: number;
  author: Actor | null;
  body: string;
  createdAt: string;
  updatedAt: string;
  /** GitHub's `author_association` of the comment, when the door read it (command-rights.ts). */
  association?: string;
}

/** A file read at a given commit. `text` is absent for evidence whose content is not needed. */
export interface FileFacts {
  path: string;
  sha256: string;
  text?: string;
}

/** Why an approver may approve a system; written into the attestation. */
export interface Eligibility {
  system: string;
  /** e.g. "listed user", "member of acme/model-risk", "governance owner (member of acme/ai-governance)". */
  reason: string;
}

/** One recorded sign-off, as the engine counts it (from a verified attestation, or planned for one). */
export interface ApprovalRecord {
  approver: Actor;
  /** The systems this approval covers, each with why the approver is eligible. */
  systems: Eligibility[];
  /** Head commit the approval was given on. */
  commit: string;
  /** Branch the pull request targeted when the approval was given, when its attestation says. */
  baseRef?: string;
  source: { kind: "review" | "comment"; id: number; at: string };
  /** sha256 of the DSSE envelope, when it comes from an attestation. */
  attestationDigest?: string;
  note?: string;
  /**
   * Why the adapter could not record this source, when the cause lies outside the engine's
   * rules (e.g. team membership the token may not read). Reported as the rejection reason.
   */
  refusal?: string;
}

/** An eligible approver's live CHANGES_REQUESTED review: a veto until dismissed or replaced. */
export interface Veto {
  approver: Actor;
  systems: Eligibility[];
  reviewId: number;
  at: string;
  commit: string;
}

/** An attestation that was found but counts for nothing (forged, edited, replayed …). */
export interface RejectedAttestation {
  commentId: number;
  commentAuthor?: string;
  reason: string;
}

export interface PullRequestFacts {
  number: number;
  author: Actor;
  baseRef: string;
  baseSha: string;
  headSha: string;
  title?: string;
  draft?: boolean;
}

/** The manifest as read from the base commit (never from the head: docs/policy.md#the-manifest-comes-from-the-base-commit). */
export type ManifestFacts =
  | { status: "missing"; path: string; baseSha: string }
  | { status: "present"; path: string; baseSha: string; sha256: string; text: string };

export interface Facts {
  repository: { id?: number; fullName: string };
  /** Absent in the local CLI, which has no pull request. */
  pullRequest?: PullRequestFacts;
  manifest: ManifestFacts;
  /**
   * The organisation policy the base manifest extends, as read at its REF
   * (docs/policy.md#organisation-policies); absent when it extends none.
   */
  orgPolicy?: OrgPolicyRead;
  /** The policy the proposed manifest extends, when the change touches the manifest and it extends one. */
  proposedOrgPolicy?: OrgPolicyRead;
  /** The head version of the manifest, when the change modifies it (validated, not enforced). */
  proposedManifest?: { text: string; sha256: string } | { removed: true };
  changedFiles: ChangedFile[];
  /** True when the list is incomplete (GitHub lists at most 3000 files): gates fail closed. */
  changedFilesTruncated: boolean;
  /** How many files the list that was read can hold, when not a pull request's 3000 (a compare's 300). */
  changedFilesLimit?: number;
  /** Files at the head that the plan asked for (assessments, evidence, policy). `null` = absent. */
  headFiles: Record<string, FileFacts | null>;
  /** Files at the base that the plan asked for (the AI policy). `null` = absent. */
  baseFiles: Record<string, FileFacts | null>;
  commits: CommitFacts[];
  /** True when GitHub did not list every commit (at most 250): separation of duties fails closed. */
  commitsTruncated?: boolean;
  approvals: ApprovalRecord[];
  vetoes: Veto[];
  rejectedAttestations: RejectedAttestation[];
  /**
   * Files changed between an approved commit and the head, keyed by that commit.
   * A missing key or `null` (history rewritten, compare failed) makes the approval stale: fail closed.
   */
  changedSince: Record<string, string[] | null>;
  /** Whether approvals can be evaluated at all (false in the CLI: it only reports what is required). */
  evaluateApprovals: boolean;
  /**
   * Every file path of the tree this change leaves, when the door read it (the CLI always; the
   * App and the Action when the change edits the manifest). With it, the paths of the manifest
   * as this change leaves it that match no file are reported (docs/manifest.md).
   */
  headTree?: readonly string[];
}

export type Conclusion = "success" | "failure" | "action_required" | "neutral";

export interface AffectedFile {
  path: string;
  kind: PathKind | "manifest";
  status: ChangeStatus;
  /** Set when the file matched through its previous name (moved out of a governed path). */
  previousPath?: string;
}

export interface AffectedSystem {
  id: string;
  name: string;
  tier: Tier;
  lifecycle: Lifecycle;
  kinds: Array<PathKind | "manifest">;
  files: AffectedFile[];
  /** Number of matching files beyond `files` (kept short for the report). */
  moreFiles: number;
}

export interface AssessmentResult {
  system: string;
  status: "pass" | "fail" | "not_required";
  /** What is wrong, each a sentence a person can act on. Empty when passing. */
  problems: string[];
  /** Located errors in the assessment file, for annotations. */
  errors: LocatedError[];
  assessment?: {
    path: string;
    sha256: string;
    assessedAt?: string;
    reviewBy?: string;
    residualRisk?: string;
  };
  evidence: Array<{ kind: string; path: string; present: boolean; sha256?: string }>;
}

export interface CountedApproval {
  approver: string;
  approverId?: number;
  reason: string;
  commit: string;
  at: string;
  source: "review" | "comment";
  sourceId: number;
  attestationDigest?: string;
}

export interface RejectedApproval {
  approver: string;
  commit?: string;
  at?: string;
  source?: "review" | "comment";
  sourceId?: number;
  /** Why it does not count: author, committer, bot, stale after a governed push, … */
  reason: string;
  stale?: boolean;
}

export interface OversightResult {
  system: string;
  required: number;
  status: "met" | "waiting" | "blocked" | "not_required";
  counted: CountedApproval[];
  rejected: RejectedApproval[];
  vetoes: Array<{ approver: string; reviewId: number; at: string }>;
  /** Who may approve, for the "what is still needed" line. */
  eligible: { teams: string[]; users: string[] };
  problems: string[];
}

/** A reviewer requested on the pull request: a login, or a team written `org/team-slug`. */
export interface RequestedReviewer {
  name: string;
  team: boolean;
  /**
   * When the current request was made, and by whom (aigate, or the account GitHub names);
   * absent when not known (docs/app.md#review-requests).
   */
  asked?: { at: string; by?: string; aigate?: true };
}

/**
 * Review requests as the human-oversight summary lists them (docs/policy.md#review-requests):
 * drawn by the report, decided by `planReviewRequests`.
 */
export interface ReviewRequestReport {
  requested: RequestedReviewer[];
  /** Per waiting system: who can still approve, teams whose members cannot be read, teams that cannot be requested. */
  systems: Array<{
    system: string;
    canApprove: string[];
    unreadableTeams: string[];
    foreignTeams: string[];
  }>;
  /** Requests GitHub refused, with its reason: the repository's owners must fix them. */
  refused: Array<{ reviewers: string[]; reason: string }>;
  /** Reviewers not requested because a pull request has at most 15 requested. */
  overflow: string[];
  /**
   * Reviewers not requested because the installation's write budget was nearly spent
   * (docs/deployment.md#the-write-budget).
   */
  heldBack?: string[];
}

export interface GateResult {
  conclusion: Conclusion;
  /** One line, e.g. "Waiting for 1 of 2 approvals (credit-scoring)". */
  title: string;
  /** Problems of the gate as a whole (not of one system), e.g. too many files changed. */
  problems?: string[];
}

export interface Decision {
  repository: string;
  pullRequest?: {
    number: number;
    baseRef: string;
    baseSha: string;
    headSha: string;
    author: string;
  };
  manifest: {
    path: string;
    baseSha: string;
    status: "ok" | "missing" | "invalid";
    sha256?: string;
    errors: LocatedError[];
    /** The organisation policy merged under the manifest, and where it was read. */
    policy?: OrgPolicyOrigin;
    /** Why the organisation policy the manifest extends could not be read (both gates fail). */
    unreadablePolicy?: string;
  };
  /** Validation of the manifest as changed by this PR (it takes effect only once merged). */
  proposedManifest?: {
    status: "ok" | "invalid" | "removed";
    sha256?: string;
    errors: LocatedError[];
  };
  affected: AffectedSystem[];
  /** Systems in the manifest that this change does not touch, by id. */
  unaffected: string[];
  changedFiles: number;
  changedFilesTruncated: boolean;
  assessment: GateResult & {
    systems: AssessmentResult[];
    /** The AI policy document (`governance.policy`) as found at the base commit. */
    policy?: { path: string; present: boolean; sha256?: string };
  };
  oversight: GateResult & {
    systems: OversightResult[];
    rejectedAttestations: RejectedAttestation[];
    /** Who was asked for a review, when the door planned review requests (never changes the conclusion). */
    reviewRequests?: ReviewRequestReport;
  };
  /**
   * Paths of the manifest as this change leaves it that match no file of the head's tree
   * (errors and warnings); present when the tree was read. Errors fail the risk-assessment gate:
   * as the proposed manifest's errors when the change edits it, as gate problems otherwise.
   */
  deadPaths?: PathFinding[];
  /**
   * Set when the decision is for a merge queue's group (docs/app.md#merge-queues): the checks go
   * on its head, the change is the group's diff, the approvals are the pull request's.
   */
  mergeGroup?: { ref: string; headSha: string; baseSha: string };
  /**
   * Answers to commands the flow did not post because the installation's write budget was
   * nearly spent (docs/deployment.md#the-write-budget); set by the flow, shown on the human
   * oversight check.
   */
  answersHeldBack?: number;
  /** ISO-8601 time the decision was made (the `now` it was given). */
  evaluatedAt: string;
  /** Set when evaluation itself failed (both gates are then red): what went wrong. */
  error?: string;
}

export type { Manifest };
