/**
 * Everything one reconcile reads about a pull request, before anything is decided or written
 * (docs/architecture.md#one-webhook): the change through the one fact-gathering path, and —
 * only when an AI system is touched — its commits, reviews and comments, read in parallel.
 */

import { MAX_PULL_REQUEST_COMMITS } from "../core/limits.js";
import type { ManifestPreparation } from "../core/manifest/prepare.js";
import { prepareManifest } from "../core/manifest/prepare.js";
import type { OrgPolicyRead } from "../core/org-policy/parse.js";
import type {
  ApprovalRecord,
  CommentFacts,
  CommitFacts,
  Facts,
  ReviewFacts,
} from "../core/types.js";
import {
  type ChangeFiles,
  type ChangeRead,
  type ChangeTarget,
  readChange,
  readChangeFiles,
} from "../facts/gather.js";
import type { AdapterCache } from "./cache.js";
import type { GitHubClient, PullRequestTarget } from "./client.js";
import {
  type PullRequestRead,
  pullRequestReader,
  readChangedSince,
  readComments,
  readCommits,
  readReviews,
} from "./facts.js";
import { readOrgPolicy } from "./org-policy.js";

export interface PullRequestState {
  pr: PullRequestRead;
  change: ChangeRead & ChangeFiles;
  /** Empty when the change touches no AI system: nothing else is read then. */
  commits: CommitFacts[];
  /** True when GitHub did not list every commit (separation of duties fails closed). */
  commitsTruncated: boolean;
  reviews: ReviewFacts[];
  comments: CommentFacts[];
}

/** Reads the state one reconcile decides from. */
export async function readPullRequestState(
  client: GitHubClient,
  cache: AdapterCache,
  target: PullRequestTarget,
  pr: PullRequestRead,
  manifestPath: string,
): Promise<PullRequestState> {
  const reader = pullRequestReader(client, cache, target, pr.changedFilesCount);
  const changeTarget: ChangeTarget = {
    baseSha: pr.pullRequest.baseSha,
    headSha: pr.pullRequest.headSha,
    manifestPath,
    prepare: (text, sha256, path, orgPolicy) =>
      cachedPreparation(cache, text, sha256, path, orgPolicy),
    // The policy is read with the same token as the manifest, at its REF.
    readPolicy: (reference) => readOrgPolicy(client, cache, reference),
  };
  const change = await readChange(reader, changeTarget);
  const state: PullRequestState = {
    pr,
    change: { ...change, headFiles: {}, baseFiles: {} },
    commits: [],
    commitsTruncated: false,
    reviews: [],
    comments: [],
  };
  // A change that touches no AI system needs no reviews, comments or commits (docs/architecture.md#scale).
  if (change.affected.length === 0) return state;
  const [files, commits, reviews, comments] = await Promise.all([
    readChangeFiles(reader, changeTarget, change),
    readCommits(client, cache, target, pr.pullRequest),
    readReviews(client, target),
    readComments(client, target),
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

/** The facts the engine decides from, before approvals are added. */
export function factsOf(state: PullRequestState): Facts {
  const { pr, change } = state;
  const facts: Facts = {
    repository: { id: pr.repository.id, fullName: pr.repository.fullName },
    pullRequest: pr.pullRequest,
    manifest: change.manifest,
    changedFiles: change.changedFiles,
    changedFilesTruncated: change.changedFilesTruncated,
    headFiles: change.headFiles,
    baseFiles: change.baseFiles,
    commits: state.commits,
    commitsTruncated: state.commitsTruncated,
    approvals: [],
    vetoes: [],
    rejectedAttestations: [],
    changedSince: {},
    evaluateApprovals: true,
  };
  if (change.proposedManifest) facts.proposedManifest = change.proposedManifest;
  if (change.headTree) facts.headTree = change.headTree;
  if (change.orgPolicy) facts.orgPolicy = change.orgPolicy;
  if (change.proposedOrgPolicy) facts.proposedOrgPolicy = change.proposedOrgPolicy;
  return facts;
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
