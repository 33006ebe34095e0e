/**
 * Everything one reconcile reads about a pull request, before anything is decided or written
 * (docs/architecture.md#one-webhook): the change through the one fact-gathering path, and —
 * only when an AI system is touched — its commits, reviews and comments, read in parallel.
 */

import { MAX_PULL_REQUEST_COMMITS } from "../../core/limits.js";
import type { ManifestPreparation } from "../../core/manifest/prepare.js";
import { prepareManifest } from "../../core/manifest/prepare.js";
import type { OrgPolicyRead } from "../../core/org-policy/parse.js";
import type { PolicyReference } from "../../core/org-policy/reference.js";
import type {
  Actor,
  ApprovalRecord,
  CommentFacts,
  CommitFacts,
  Facts,
  PullRequestFacts,
  ReviewFacts,
} from "../../core/types.js";
import {
  type ChangeFiles,
  type ChangeRead,
  type ChangeTarget,
  factsOfChange,
  readChange,
  readChangeFiles,
} from "../../facts/gather.js";
import type { SourceReader } from "../../facts/reader.js";
import type { GitHubClient, PullRequestTarget } from "../client.js";
import type { AdapterCache } from "./cache.js";
import { pullRequestReader, readBranchHead, readChangedSince } from "./change.js";
import { readComments, readCommits, readReviews, toActor } from "./conversation.js";
import { readOrgPolicy } from "./org-policy.js";

export interface PullRequestRead {
  repository: { id: number; fullName: string; owner: string; repo: string };
  pullRequest: PullRequestFacts;
  state: "open" | "closed";
  /** The count GitHub reports, which can exceed what the files API lists. */
  changedFilesCount: number;
  /** The count GitHub reports, which can exceed what the commits API lists. */
  commitsCount: number;
  /** The conversation's comments as GitHub counts them; absent when the answer has no count. */
  commentsCount?: number;
  /** Reviewers requested now, teams written `owner/slug` (docs/policy.md#review-requests). */
  requested: { users: Actor[]; teams: string[] };
}

/** The pull request itself: its base and head, author, state and counts. */
export async function readPullRequest(
  client: GitHubClient,
  target: PullRequestTarget,
): Promise<PullRequestRead> {
  const { data } = await client.rest.pulls.get({
    owner: target.owner,
    repo: target.repo,
    pull_number: target.pullNumber,
  });
  const author = toActor(data.user) ?? { login: "ghost", type: "User" as const };
  const read: PullRequestRead = {
    repository: {
      id: data.base.repo.id,
      fullName: data.base.repo.full_name,
      owner: target.owner,
      repo: target.repo,
    },
    pullRequest: {
      number: data.number,
      author,
      baseRef: data.base.ref,
      baseSha: data.base.sha,
      headSha: data.head.sha,
      title: data.title,
      draft: data.draft ?? false,
    },
    state: data.state === "closed" ? "closed" : "open",
    changedFilesCount: data.changed_files,
    commitsCount: typeof data.commits === "number" ? data.commits : 0,
    requested: {
      users: (data.requested_reviewers ?? []).flatMap((u) => toActor(u) ?? []),
      // GitHub requests only the repository owner's teams.
      teams: (data.requested_teams ?? []).map((t) => `${target.owner}/${t.slug}`),
    },
  };
  if (Number.isSafeInteger(data.comments) && data.comments >= 0) read.commentsCount = data.comments;
  return read;
}

export interface PullRequestState {
  pr: PullRequestRead;
  change: ChangeRead & ChangeFiles;
  /** Empty when the change touches no AI system: nothing else is read then. */
  commits: CommitFacts[];
  /** True when GitHub did not list every commit (separation of duties fails closed). */
  commitsTruncated: boolean;
  reviews: ReviewFacts[];
  comments: CommentFacts[];
  /** Reads files of this change (at the head: the files an approval names, when signing). */
  reader?: SourceReader;
}

/** Reads the state one reconcile decides from. */
export async function readPullRequestState(
  client: GitHubClient,
  cache: AdapterCache,
  target: PullRequestTarget & { fromComment?: boolean },
  pr: PullRequestRead,
  manifestPath: string,
): Promise<PullRequestState> {
  // The base branch may have moved since the pull request's last push: govern by where it is now.
  const tip = await readBranchHead(client, target, pr.pullRequest.baseRef);
  if (tip && tip !== pr.pullRequest.baseSha) {
    pr = { ...pr, pullRequest: { ...pr.pullRequest, baseSha: tip } };
  }
  const reader = pullRequestReader(client, cache, target, {
    headSha: pr.pullRequest.headSha,
    changedFilesCount: pr.changedFilesCount,
  });
  const changeTarget = changeTargetFor(client, cache, target, {
    baseSha: pr.pullRequest.baseSha,
    headSha: pr.pullRequest.headSha,
    manifestPath,
  });
  const change = await readChange(reader, changeTarget);
  const state: PullRequestState = {
    pr,
    change: { ...change, headFiles: {}, baseFiles: {} },
    commits: [],
    commitsTruncated: false,
    reviews: [],
    comments: [],
    reader,
  };
  // A change that touches no AI system needs no reviews, comments or commits (docs/architecture.md#scale).
  if (change.affected.length === 0) return state;
  const [files, commits, reviews, comments] = await Promise.all([
    readChangeFiles(reader, changeTarget, change),
    readCommits(client, cache, target, pr.pullRequest),
    readReviews(client, target),
    conversationIsEmpty(pr, target) ? [] : readComments(client, target),
  ]);
  state.change = { ...change, ...files };
  state.commits = commits;
  // Commits GitHub does not list cannot be checked for their authors and committers.
  state.commitsTruncated =
    commits.length >= MAX_PULL_REQUEST_COMMITS || pr.commitsCount > commits.length;
  state.reviews = reviews;
  state.comments = comments;
  return state;
}

/**
 * Whether the comments need not be listed: the pull request, as read for this event, counts
 * none, and the event is known not to be about a comment. The count is as current as the read
 * of the pull request: a 304 is answered from the copy whose ETag GitHub just confirmed, and
 * GitHub's ETag covers the count. A comment the count does not show yet (GitHub counts a
 * moment late) has its own event, which always lists them; so does an event that says nothing
 * about what it is. Issuing an attestation reads the comments again whatever the count says.
 */
export function conversationIsEmpty(
  pr: Pick<PullRequestRead, "commentsCount">,
  target: { fromComment?: boolean },
): boolean {
  return pr.commentsCount === 0 && target.fromComment === false;
}

/**
 * The change `baseSha...headSha` as the App and the Action gather it: the manifest prepared once
 * per content and policy, the organisation policy read with the same token, at its REF.
 */
export function changeTargetFor(
  client: GitHubClient,
  cache: AdapterCache,
  repo: { owner: string; repo: string },
  change: { baseSha: string; headSha: string; manifestPath: string },
): ChangeTarget {
  return {
    ...change,
    prepare: (text, sha256, path, orgPolicy) =>
      cachedPreparation(cache, text, sha256, path, orgPolicy),
    readPolicy: (reference) => {
      rememberExtender(cache, reference, repo);
      return readOrgPolicy(client, cache, reference);
    },
  };
}

/** The key of a policy named at a branch or tag, as a push to it names it. */
export function policyKey(owner: string, repo: string, path: string, ref: string): string {
  return `${owner}/${repo}:${path}@${ref}`.toLowerCase();
}

/** Notes that `repo` extends a policy at a branch or tag: a push there re-evaluates it. */
function rememberExtender(
  cache: AdapterCache,
  reference: PolicyReference,
  repo: { owner: string; repo: string },
): void {
  if (reference.pinned) return;
  const key = policyKey(reference.owner, reference.repo, reference.path, reference.ref);
  const name = `${repo.owner}/${repo.repo}`;
  const known = cache.policyExtenders.get(key) ?? [];
  if (!known.includes(name)) cache.policyExtenders.set(key, [...known, name]);
}

/** The facts the engine decides from, before approvals are added. */
export function factsOf(state: PullRequestState): Facts {
  const facts = changeFacts(state.pr, state.change);
  facts.commits = state.commits;
  facts.commitsTruncated = state.commitsTruncated;
  return facts;
}

/** The facts of a pull request's change as gathered, before commits and approvals are added. */
export function changeFacts(pr: PullRequestRead, change: ChangeRead & ChangeFiles): Facts {
  const repository = { id: pr.repository.id, fullName: pr.repository.fullName };
  return { ...factsOfChange(repository, change, true), pullRequest: pr.pullRequest };
}

/**
 * The files changed since each approved commit that is not the head (in parallel): what
 * decides whether a push made those approvals stale. Sources that cannot count need none.
 */
export async function readChangesSince(
  client: GitHubClient,
  cache: AdapterCache,
  target: PullRequestTarget,
  approvals: ApprovalRecord[],
  headSha: string,
): Promise<Facts["changedSince"]> {
  const commits = new Set(
    approvals.filter((a) => a.systems.length > 0 && a.commit !== headSha).map((a) => a.commit),
  );
  const repo = { owner: target.owner, repo: target.repo };
  const compares = await Promise.all(
    [...commits].map(
      async (commit) =>
        [commit, await readChangedSince(client, cache, repo, commit, headSha)] as const,
    ),
  );
  return Object.fromEntries(compares);
}

/**
 * The manifest prepared once per content, path and organisation policy, across events and pull
 * requests. A policy that could not be read is not cached: the next event reads it again.
 */
function cachedPreparation(
  cache: AdapterCache,
  text: string,
  sha256: string,
  path: string,
  orgPolicy: OrgPolicyRead | undefined,
): ManifestPreparation {
  if (orgPolicy && !orgPolicy.ok) return prepareManifest(text, path, orgPolicy);
  const policy = orgPolicy ? `:${orgPolicy.policy.sha256}@${orgPolicy.policy.commit ?? ""}` : "";
  const key = `${path}:${sha256}${policy}`;
  const hit = cache.manifests.get(key);
  if (hit !== undefined) return hit;
  const prepared = prepareManifest(text, path, orgPolicy);
  cache.manifests.set(key, prepared);
  return prepared;
}
