import type { GovernedCommit, Unjudged } from "./governed.js";
import type { VerificationResult, VerifiedLevel } from "./statement.js";

/**
 * The verdict on one governed commit that landed (docs/app.md#merge-verification): it came from
 * a merged pull request, both aigate checks were green on that pull request's final head, every
 * governed file it changed is at the commit what it was at the approved head, and the approvals
 * still verify. Pure: the adapter reads the facts, this decides.
 */

/** The state of one aigate check on the pull request's final head, as last written. */
export type CheckState =
  | "success"
  | "failure"
  | "action_required"
  | "neutral"
  | "pending"
  | "missing";

/** The pull request GitHub associates with the commit (`commits/{sha}/pulls`). */
export interface LandedPullRequest {
  number: number;
  /** Its page. */
  url: string;
  title: string;
  merged: boolean;
  baseRef: string;
  /** The final head: what the checks and approvals were given on. */
  headSha: string;
  /** What merging created: the merge or squash commit, or the last rebased commit. */
  mergeCommitSha: string | null;
}

/** An approval attestation on the pull request, as verified now. */
export interface InputAttestation {
  /** The comment carrying it. */
  uri: string;
  /** `sha256:` digest of its canonical envelope. */
  digest: string;
  valid: boolean;
  /** Why it does not verify, when it does not. */
  reason?: string;
  approver: string;
  systems: string[];
  /** The commit it was given on. */
  commit: string;
}

/** A governed file the commit changed: its blob at what landed and at the approved head (null: absent). */
export interface FileComparison {
  path: string;
  landed: string | null;
  approved: string | null;
}

export interface MergeFacts {
  commit: GovernedCommit;
  branch: string;
  /** The first-parent commits the push added, oldest first: a rebase merge lands several. */
  pushed: string[];
  /** Undefined when GitHub associates no pull request with the commit. */
  pullRequest?: LandedPullRequest;
  checks?: { assessment: CheckState; oversight: CheckState };
  /** Each governed file the commit changed, compared; read only when the pull request landed here. */
  files?: FileComparison[];
  attestations: InputAttestation[];
  /** The assessments the approvals recorded (system, path, sha256), for the summary. */
  assessments: Array<{ system: string; path: string; sha256: string }>;
  /** Set on the push's head when part of the push was not judged. */
  unjudged?: Unjudged;
}

export type ReasonKind =
  | "manifest_invalid"
  | "no_pull_request"
  | "not_merged_here"
  | "checks_not_green"
  | "files_differ"
  | "approvals_do_not_verify"
  | "not_judged";

export interface Reason {
  kind: ReasonKind;
  /** A sentence a person can act on. */
  message: string;
}

export interface MergeVerdict {
  result: VerificationResult;
  levels: VerifiedLevel[];
  reasons: Reason[];
  /** The attestations the decision used (every valid approval on the pull request). */
  inputs: InputAttestation[];
}

/** Whether the commit is what merging the pull request put on the branch. */
function landedFrom(pr: LandedPullRequest, facts: MergeFacts): boolean {
  if (!pr.merged || pr.baseRef !== facts.branch || pr.mergeCommitSha === null) return false;
  const sha = facts.commit.sha;
  if (pr.mergeCommitSha === sha) return true;
  // A rebase merge: the commits before the last rebased one, pushed together with it.
  const at = facts.pushed.indexOf(sha);
  const last = facts.pushed.indexOf(pr.mergeCommitSha);
  return at !== -1 && last > at;
}

const CHECK_LABELS = { assessment: "risk assessment", oversight: "human oversight" } as const;

/** Decides one governed commit. Total: every input gives a verdict, never an exception. */
export function judgeMerge(facts: MergeFacts): MergeVerdict {
  const reasons: Reason[] = [];
  const inputs = facts.attestations.filter((a) => a.valid);
  const short = facts.commit.sha.slice(0, 7);
  if (facts.commit.manifest.state === "invalid") {
    reasons.push({
      kind: "manifest_invalid",
      message: `The manifest ${facts.commit.manifest.path} at the first parent ${facts.commit.manifest.commit.slice(0, 7)} is not valid (${facts.commit.manifest.problem}), so no change under it can pass.`,
    });
  }
  if (facts.unjudged)
    reasons.push({ kind: "not_judged", message: unjudgedMessage(facts.unjudged) });

  const pr = facts.pullRequest;
  let landed = false;
  if (!pr) {
    reasons.push({
      kind: "no_pull_request",
      message: `No pull request: commit ${short} was pushed to ${facts.branch} directly.`,
    });
  } else if (!landedFrom(pr, facts)) {
    reasons.push({
      kind: "not_merged_here",
      message: pr.merged
        ? `No pull request landed commit ${short}: #${pr.number} was merged into ${pr.baseRef} as ${pr.mergeCommitSha?.slice(0, 7) ?? "nothing"}, and this commit was pushed to ${facts.branch} outside it.`
        : `No pull request landed commit ${short}: #${pr.number}, which contains it, is not merged; the commit was pushed to ${facts.branch} directly.`,
    });
  } else {
    landed = true;
  }

  const checks = facts.checks ?? { assessment: "missing", oversight: "missing" };
  const red = (["assessment", "oversight"] as const).filter((g) => checks[g] !== "success");
  if (landed && pr && red.length > 0) {
    reasons.push({
      kind: "checks_not_green",
      message: `Merged with red or missing checks on the final head ${pr.headSha.slice(0, 7)} of #${pr.number}: ${red.map((g) => `${CHECK_LABELS[g]} ${checks[g].replace("_", " ")}`).join(", ")}.`,
    });
  }

  const differing = landed ? (facts.files ?? []).filter((f) => f.landed !== f.approved) : [];
  for (const file of differing) {
    reasons.push({
      kind: "files_differ",
      message: `${file.path} differs from what was approved: blob ${file.landed ?? "(absent)"} at ${short}, blob ${file.approved ?? "(absent)"} at the approved head ${pr?.headSha.slice(0, 7) ?? ""}.`,
    });
  }
  const same = landed && facts.files !== undefined && differing.length === 0;

  const broken = facts.attestations.filter((a) => !a.valid);
  for (const a of broken) {
    reasons.push({
      kind: "approvals_do_not_verify",
      message: `The approval attestation ${a.digest} (${a.uri}) no longer verifies: ${a.reason ?? "invalid"}.`,
    });
  }

  const valid = facts.commit.manifest.state === "prepared" && !facts.unjudged;
  const levels: VerifiedLevel[] = [];
  if (valid && same && checks.assessment === "success") levels.push("ORG_SOURCE_AI_RISK_ASSESSED");
  if (valid && same && checks.oversight === "success" && broken.length === 0) {
    levels.push("ORG_SOURCE_AI_HUMAN_OVERSIGHT");
  }
  const result = reasons.length === 0 && levels.length === 2 ? "PASSED" : "FAILED";
  return { result, levels, reasons, inputs };
}

/** The failure a push's head carries for what was not judged commit by commit. */
export function unjudgedMessage(unjudged: Unjudged): string {
  const parts: string[] = [];
  if (unjudged.forced) {
    parts.push(
      "The push rewrote the branch's history (a forced push): commits it removed are not judged",
    );
  }
  if (unjudged.count > 0) {
    parts.push(
      `${unjudged.count} commit${unjudged.count === 1 ? "" : "s"} of the push beyond the first 250 ${unjudged.count === 1 ? "was" : "were"} not judged one by one`,
    );
  }
  return `${parts.join("; ")}.`;
}
