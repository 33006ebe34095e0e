/**
 * The reads of an export: the repository, the pull requests selected, and for each one its
 * check runs on every commit, reviews, attestation comments and edited comments. Reads go
 * through the App's adapter (src/github/reads/facts.ts) wherever it returns what the pack needs.
 */
import { MARKER_NAME } from "../../core/attestation/index.js";
import { extractVerification } from "../../core/merge-verification/index.js";
import { CHECK_NAMES, MERGE_VERIFICATION_CHECK_NAME } from "../../core/report/index.js";
import type { Actor } from "../../core/types.js";
import type { GitHubClient, PullRequestTarget } from "../../github/client.js";
import { CHECK_RUNS_REFUSED, describeFailure, statusOf } from "../../github/errors.js";
import { createAdapterCache } from "../../github/reads/cache.js";
import { type ListedCheckRun, readAllCheckRuns } from "../../github/reads/check-runs.js";
import { readComments, readCommits, readReviews } from "../../github/reads/conversation.js";
import { UsageError } from "../context.js";
import {
  type AccountRef,
  type AttestationCommentRecord,
  type CheckRunRecord,
  type CommentEditRecord,
  type MergeVerificationRecord,
  NO_EDIT_HISTORY,
  type PullRequestRecord,
  type ReviewRecord,
  type Selection,
} from "./records.js";

export interface RepositoryRef {
  owner: string;
  repo: string;
  /** As GitHub spells it. */
  fullName: string;
  id: number;
}

/** Everything the pack holds about one pull request, before verification. */
export interface PullEvidence {
  pull: PullRequestRecord;
  checkRuns: CheckRunRecord[];
  reviews: ReviewRecord[];
  attestations: AttestationCommentRecord[];
  edits: CommentEditRecord[];
  /** The merge verifications of the commit the pull request landed as, when merged. */
  mergeVerifications: MergeVerificationRecord[];
}

/** A GitHub failure as a usage error (exit 2): what failed, GitHub's status and request id. */
function failure(error: unknown, notFound?: string): UsageError {
  const status = statusOf(error);
  if (status === 404 && notFound) return new UsageError(notFound);
  if (status === 401) {
    return new UsageError(
      "GitHub rejected the token (401): check GITHUB_TOKEN or GH_TOKEN, and GITHUB_API_URL",
    );
  }
  return new UsageError(`cannot read the evidence: ${describeFailure(error).description}`);
}

async function read<T>(call: () => Promise<T>, notFound?: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw failure(error, notFound);
  }
}

function account(actor: Actor | null): AccountRef | null {
  return actor ? { login: actor.login, id: actor.id ?? null, type: actor.type } : null;
}

interface ApiUser {
  login: string;
  id: number;
  type?: string;
}

function apiAccount(user: ApiUser | null | undefined): AccountRef | null {
  return user ? { login: user.login, id: user.id, type: user.type ?? "User" } : null;
}

/** The fields of a pull request that `pulls.get` and `pulls.list` both return. */
interface ApiPull {
  number: number;
  title: string;
  state: string;
  draft?: boolean;
  user: ApiUser | null;
  created_at: string;
  updated_at: string;
  merged_at: string | null;
  merge_commit_sha?: string | null;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  html_url: string;
}

function pullRecord(repository: RepositoryRef, pr: ApiPull): PullRequestRecord {
  return {
    type: "pull_request",
    repository: repository.fullName,
    repository_id: repository.id,
    pull_request: pr.number,
    number: pr.number,
    title: pr.title,
    author: apiAccount(pr.user),
    state: pr.state,
    draft: pr.draft ?? false,
    created_at: pr.created_at,
    updated_at: pr.updated_at,
    merged_at: pr.merged_at,
    base_ref: pr.base.ref,
    base_sha: pr.base.sha,
    head_ref: pr.head.ref,
    head_sha: pr.head.sha,
    html_url: pr.html_url,
    merge_commit_sha: pr.merged_at ? (pr.merge_commit_sha ?? null) : null,
  };
}

/** The repository, as GitHub names it; a repository the token cannot see is a usage error. */
export async function readRepository(
  client: GitHubClient,
  owner: string,
  repo: string,
): Promise<RepositoryRef> {
  const { data } = await read(
    () => client.rest.repos.get({ owner, repo }),
    `repository ${owner}/${repo} not found, or the token cannot read it`,
  );
  return { owner: data.owner.login, repo: data.name, fullName: data.full_name, id: data.id };
}

/**
 * The pull requests selected: one (`--pr`), every one updated at or after `sinceMs`
 * (`--since`; listed newest update first, paging stops at the first older one), or all.
 */
export async function selectPullRequests(
  client: GitHubClient,
  repository: RepositoryRef,
  selection: Selection,
  sinceMs?: number,
): Promise<PullRequestRecord[]> {
  const { owner, repo } = repository;
  if ("pr" in selection) {
    const { data } = await read(
      () => client.rest.pulls.get({ owner, repo, pull_number: selection.pr }),
      `no pull request #${selection.pr} in ${repository.fullName}`,
    );
    return [pullRecord(repository, data)];
  }
  const pulls: PullRequestRecord[] = [];
  await read(async () => {
    const pages = client.paginate.iterator(client.rest.pulls.list, {
      owner,
      repo,
      state: "all",
      sort: "updated",
      direction: "desc",
      per_page: 100,
    });
    for await (const page of pages) {
      let older = false;
      for (const pr of page.data) {
        if (sinceMs !== undefined && Date.parse(pr.updated_at) < sinceMs) {
          older = true;
          continue;
        }
        pulls.push(pullRecord(repository, pr));
      }
      if (older) break;
    }
  });
  return pulls;
}

const GOVERNANCE_CHECKS: ReadonlySet<string> = new Set(Object.values(CHECK_NAMES));

/** Every run of aigate's two checks on one commit (all of them, not only the latest). */
async function checkRunsOn(
  client: GitHubClient,
  repository: RepositoryRef,
  pull: PullRequestRecord,
  sha: string,
): Promise<CheckRunRecord[]> {
  let runs: ListedCheckRun[];
  try {
    runs = await readAllCheckRuns(client, repository, sha);
  } catch (error) {
    // A commit only a review names may be gone after a force push: it has no runs to show.
    const status = statusOf(error);
    if (sha !== pull.head_sha && (status === 404 || status === 422)) return [];
    if (status === 403) {
      throw new UsageError(`${describeFailure(error).description}: ${CHECK_RUNS_REFUSED}`);
    }
    throw failure(error);
  }
  return runs
    .filter((run) => GOVERNANCE_CHECKS.has(run.name))
    .sort((a, b) => a.id - b.id)
    .map((run) => ({
      type: "check_run",
      repository: repository.fullName,
      pull_request: pull.number,
      id: run.id,
      name: run.name,
      head_sha: run.head_sha,
      current_head: run.head_sha === pull.head_sha,
      status: run.status,
      conclusion: run.conclusion,
      title: run.output.title,
      summary: run.output.summary,
      started_at: run.started_at ?? null,
      completed_at: run.completed_at ?? null,
      app: run.app?.slug ?? null,
      html_url: run.html_url,
    }));
}

/** The merge verification runs on the commit a pull request landed as (one request). */
async function mergeVerificationsOn(
  client: GitHubClient,
  repository: RepositoryRef,
  pull: PullRequestRecord,
  sha: string,
): Promise<MergeVerificationRecord[]> {
  let runs: ListedCheckRun[];
  try {
    runs = await readAllCheckRuns(client, repository, sha, MERGE_VERIFICATION_CHECK_NAME);
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || status === 422) return [];
    throw failure(error);
  }
  return runs
    .filter((run) => run.name === MERGE_VERIFICATION_CHECK_NAME)
    .sort((a, b) => a.id - b.id)
    .map((run) => {
      const extracted = extractVerification(run.output.text ?? null);
      return {
        type: "merge_verification",
        repository: repository.fullName,
        pull_request: pull.number,
        commit: sha,
        id: run.id,
        conclusion: run.conclusion,
        title: run.output.title,
        envelope: extracted.ok ? extracted.envelope.canonical : null,
        // A keyless record: the Sigstore bundle that carries the envelope (docs/export.md).
        ...(extracted.ok && extracted.bundle !== undefined
          ? { bundle: JSON.stringify(extracted.bundle) }
          : {}),
        app: run.app?.slug ?? null,
        html_url: run.html_url,
      };
    });
}

/** Whether a comment carries (or tries to carry) an attestation marker: `aigate verify`'s test. */
function looksLikeAttestation(body: string): boolean {
  return body.includes(MARKER_NAME);
}

/** Reads one pull request's evidence. */
export async function collectPullEvidence(
  client: GitHubClient,
  repository: RepositoryRef,
  apiUrl: string,
  pull: PullRequestRecord,
): Promise<PullEvidence> {
  const target: PullRequestTarget = {
    owner: repository.owner,
    repo: repository.repo,
    pullNumber: pull.number,
  };
  const [commits, reviewFacts, comments] = await read(() =>
    Promise.all([
      readCommits(client, createAdapterCache(), target, {
        baseSha: pull.base_sha,
        headSha: pull.head_sha,
      }),
      readReviews(client, target),
      readComments(client, target),
    ]),
  );

  // The PR's commits, then any other commit a review was given on (a head since force-pushed
  // away keeps its check runs while GitHub keeps the commit).
  const shas = [...new Set([...commits.map((c) => c.sha), pull.head_sha])];
  for (const review of reviewFacts) {
    if (review.commit !== "" && !shas.includes(review.commit)) shas.push(review.commit);
  }
  const perCommit = await Promise.all(
    shas.map((sha) => checkRunsOn(client, repository, pull, sha)),
  );

  const reviews: ReviewRecord[] = reviewFacts.map((r) => ({
    type: "review",
    repository: repository.fullName,
    pull_request: pull.number,
    id: r.id,
    user: account(r.reviewer),
    state: r.state,
    commit_id: r.commit,
    submitted_at: r.submittedAt,
    body: r.body,
  }));

  const issueUrl = `${apiUrl}/repos/${repository.fullName}/issues/${pull.number}`;
  const attestations: AttestationCommentRecord[] = [];
  const edits: CommentEditRecord[] = [];
  for (const c of [...comments].sort((a, b) => a.id - b.id)) {
    const htmlUrl = `${pull.html_url}#issuecomment-${c.id}`;
    const attestation = looksLikeAttestation(c.body);
    if (attestation) {
      attestations.push({
        type: "attestation_comment",
        repository: repository.fullName,
        repository_id: repository.id,
        pull_request: pull.number,
        comment: {
          id: c.id,
          body: c.body,
          user: account(c.author),
          created_at: c.createdAt,
          updated_at: c.updatedAt,
          html_url: htmlUrl,
          issue_url: issueUrl,
        },
      });
    }
    if (c.updatedAt !== c.createdAt) {
      edits.push({
        type: "comment_edit",
        repository: repository.fullName,
        pull_request: pull.number,
        comment_id: c.id,
        user: account(c.author),
        created_at: c.createdAt,
        updated_at: c.updatedAt,
        attestation,
        body: c.body,
        html_url: htmlUrl,
        note: NO_EDIT_HISTORY,
      });
    }
  }
  const mergeVerifications =
    pull.merge_commit_sha === null
      ? []
      : await mergeVerificationsOn(client, repository, pull, pull.merge_commit_sha);
  return { pull, checkRuns: perCommit.flat(), reviews, attestations, edits, mergeVerifications };
}
