/** The facts a merge verification reads: a landed commit, its pull request, that pull request's checks, head tree and attestations. */
import * as z from "zod";
import {
  type BundlesFor,
  type FoundAttestation,
  type Jwks,
  type SignerIdentity,
  verifierFor,
  verifyAttestations,
} from "../../core/attestation/index.js";
import type {
  CheckState,
  InputAttestation,
  LandedPullRequest,
} from "../../core/merge-verification/index.js";
import { ASSESSMENT_CHECK_NAME, OVERSIGHT_CHECK_NAME } from "../../core/report/index.js";
import type { ChangedFile } from "../../core/types.js";
import type { GitHubClient } from "../client.js";
import type { AdapterCache } from "../reads/cache.js";
import { readComments } from "../reads/conversation.js";

export interface Repo {
  owner: string;
  repo: string;
}

/** A commit with its first-parent diff: each file with its blob at the commit (null when removed). */
export interface LandedCommit {
  sha: string;
  parents: string[];
  files: Array<ChangedFile & { blob: string | null }>;
  /** GitHub lists at most 300 files of a commit: more cannot be judged file by file. */
  truncated: boolean;
}

const STATUSES: Record<string, ChangedFile["status"]> = {
  added: "added",
  removed: "removed",
  modified: "modified",
  renamed: "renamed",
  copied: "copied",
  changed: "changed",
  unchanged: "modified",
};

/** GitHub's largest file list for one commit. */
const MAX_COMMIT_FILES = 300;

/** `GET /repos/{o}/{r}/commits/{sha}`: parents and files against the first parent. */
export async function readLandedCommit(
  client: GitHubClient,
  repo: Repo,
  sha: string,
): Promise<LandedCommit> {
  const { data } = await client.rest.repos.getCommit({
    ...repo,
    ref: sha,
    per_page: MAX_COMMIT_FILES,
  });
  const files = (data.files ?? []).map((f) => {
    const status = STATUSES[f.status] ?? "changed";
    const file: ChangedFile & { blob: string | null } = {
      path: f.filename,
      status,
      blob: status === "removed" ? null : (f.sha ?? null),
    };
    if (f.previous_filename) file.previousPath = f.previous_filename;
    return file;
  });
  return {
    sha: data.sha,
    parents: data.parents.map((p) => p.sha),
    files,
    truncated: files.length >= MAX_COMMIT_FILES,
  };
}

/**
 * The pull request that landed `sha` on `branch`, among those GitHub associates with the commit
 * (`GET /repos/{o}/{r}/commits/{sha}/pulls`): the merged one whose merge created it, else a
 * merged one into the branch, else any (which the verdict then refuses).
 */
export async function readAssociatedPull(
  client: GitHubClient,
  repo: Repo,
  sha: string,
  branch: string,
): Promise<LandedPullRequest | undefined> {
  const { data } = await client.rest.repos.listPullRequestsAssociatedWithCommit({
    ...repo,
    commit_sha: sha,
    per_page: 100,
  });
  const pulls = data.map((p) => ({
    number: p.number,
    url: p.html_url,
    title: p.title,
    merged: p.merged_at !== null && p.merged_at !== undefined,
    baseRef: p.base.ref,
    headSha: p.head.sha,
    mergeCommitSha: p.merged_at ? (p.merge_commit_sha ?? null) : null,
  }));
  return (
    pulls.find((p) => p.merged && p.mergeCommitSha === sha) ??
    pulls.find((p) => p.merged && p.baseRef === branch) ??
    pulls[0]
  );
}

const CHECK_STATES: ReadonlySet<string> = new Set([
  "success",
  "failure",
  "action_required",
  "neutral",
]);

/** What aigate's two checks last concluded on a commit (the pull request's final head). */
export async function readGateChecks(
  client: GitHubClient,
  repo: Repo,
  headSha: string,
  appId: number | undefined,
): Promise<{ assessment: CheckState; oversight: CheckState }> {
  const { data } = await client.rest.checks.listForRef({
    ...repo,
    ref: headSha,
    filter: "latest",
    per_page: 100,
    ...(appId !== undefined ? { app_id: appId } : {}),
  });
  const state = (name: string): CheckState => {
    const run = data.check_runs.find((r) => r.name === name);
    if (!run) return "missing";
    if (run.status !== "completed") return "pending";
    return run.conclusion && CHECK_STATES.has(run.conclusion)
      ? (run.conclusion as CheckState)
      : "failure";
  };
  return { assessment: state(ASSESSMENT_CHECK_NAME), oversight: state(OVERSIGHT_CHECK_NAME) };
}

/**
 * The blob each path has at a pull request's head, from the file list the App read for that
 * head (docs/app.md#merge-verification), or undefined when a path is not on it: then the head's
 * tree is read. A path the pull request does not change is never taken from the list.
 */
export function knownBlobsAt(
  cache: AdapterCache,
  repo: Repo,
  head: string,
  paths: readonly string[],
): Map<string, string | null> | undefined {
  const listed = cache.pullHeads.get(`${repo.owner}/${repo.repo}@${head}`);
  if (!listed || !paths.every((p) => listed.has(p))) return undefined;
  return new Map(paths.map((p) => [p, listed.get(p) ?? null]));
}

/** The blob of each path in a commit's tree (null where absent); one recursive tree read. */
export async function readBlobsAt(
  client: GitHubClient,
  repo: Repo,
  sha: string,
  paths: string[],
): Promise<Map<string, string | null> | undefined> {
  const { data } = await client.rest.git.getTree({ ...repo, tree_sha: sha, recursive: "true" });
  if (data.truncated) return undefined;
  const blobs = new Map(
    data.tree.flatMap((e) =>
      e.type === "blob" && e.path && e.sha ? [[e.path, e.sha] as const] : [],
    ),
  );
  return new Map(paths.map((p) => [p, blobs.get(p) ?? null]));
}

const ApprovalSchema = z.object({
  decision: z.string(),
  approver: z.object({ login: z.string() }),
  systems: z.array(z.object({ id: z.string() })),
  source: z.object({ commit: z.string() }),
  assessments: z.array(z.object({ system: z.string(), path: z.string(), sha256: z.string() })),
});

/**
 * The pull request's attestations as they verify now: each approval that counts, each comment
 * whose statement no longer verifies, and the assessments the newest approval recorded.
 */
export async function readApprovalInputs(
  client: GitHubClient,
  repo: Repo,
  pr: LandedPullRequest,
  jwks: Jwks,
  web: string,
  /** The keyless verifier's door and the signers the governing manifest allows. */
  keyless: { bundles: BundlesFor | undefined; signers: readonly SignerIdentity[] },
): Promise<{
  attestations: InputAttestation[];
  assessments: Array<{ system: string; path: string; sha256: string }>;
}> {
  const comments = await readComments(client, { ...repo, pullNumber: pr.number });
  const found: FoundAttestation[] = comments
    .filter((c) => c.body.includes("aigate-attestation:"))
    .map((c) => ({
      body: c.body,
      repository: `${repo.owner}/${repo.repo}`,
      pullRequest: pr.number,
      commentId: c.id,
      createdAt: c.createdAt,
    }));
  const verifier = await verifierFor(
    keyless.bundles,
    keyless.signers,
    comments.map((c) => c.body),
  );
  const report = verifyAttestations(found, jwks, {
    repo: `${repo.owner}/${repo.repo}`,
    pr: pr.number,
    head: pr.headSha,
    ...(verifier ? { bundles: verifier } : {}),
  });
  const attestations: InputAttestation[] = [];
  let assessments: Array<{ system: string; path: string; sha256: string }> = [];
  for (const verdict of report.statements) {
    const uri = `${web}/${repo.owner}/${repo.repo}/pull/${pr.number}#issuecomment-${verdict.commentId}`;
    const predicate = ApprovalSchema.safeParse(verdict.statement?.predicate);
    const base = {
      uri,
      digest: verdict.digest ?? "sha256:unknown",
      approver: predicate.success ? predicate.data.approver.login : "unknown",
      systems: predicate.success ? predicate.data.systems.map((s) => s.id) : [],
      commit: predicate.success ? predicate.data.source.commit : "",
    };
    if (verdict.verdict === "valid") {
      if (predicate.success && predicate.data.decision === "approved") {
        attestations.push({ ...base, valid: true });
        assessments = predicate.data.assessments;
      }
    } else if (!["duplicate_source", "revoked", "stale", "fork"].includes(verdict.verdict)) {
      attestations.push({ ...base, valid: false, reason: `${verdict.verdict}: ${verdict.reason}` });
    }
  }
  return { attestations, assessments };
}
