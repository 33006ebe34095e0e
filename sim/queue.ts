/**
 * Merge queues and pushes as GitHub delivers them: a group branch built the way GitHub builds
 * one (`gh-readonly-queue/<base>/pr-<N>-<sha>`, the pull request merged onto the base, or onto
 * the group ahead of it), and `merge_group` and `push` payloads for it.
 */
import { diffTrees } from "./git.js";
import type { SimPullRequest, SimRepo, UserRef } from "./state.js";
import { common, type WebhookPayload } from "./webhooks.js";

/** One entry of a merge queue: its branch, its head and the base it was built on. */
export interface SimMergeGroup {
  /** `refs/heads/gh-readonly-queue/<base>/pr-<N>-<sha>`, as `merge_group.head_ref` names it. */
  headRef: string;
  headSha: string;
  baseSha: string;
  baseRef: string;
}

/**
 * Queues `pr`: a group branch from `after` (the base branch's head by default, or the head of
 * the group ahead) with the pull request merged in, as GitHub does for a queue entry.
 */
export function enqueue(
  repo: SimRepo,
  pr: SimPullRequest,
  options: { after?: SimMergeGroup } = {},
): SimMergeGroup {
  const baseSha = options.after?.headSha ?? repo.resolveRef(pr.baseRef);
  if (!baseSha) throw new Error(`${repo.fullName}: no branch ${pr.baseRef}`);
  const branch = `gh-readonly-queue/${pr.baseRef}/pr-${pr.number}-${pr.headSha}`;
  repo.createBranch(branch, baseSha);
  const headSha = repo.merge(pr.headRef, branch, {
    message: `Merge pull request #${pr.number} into the merge queue`,
  });
  return { headRef: `refs/heads/${branch}`, headSha, baseSha, baseRef: `refs/heads/${pr.baseRef}` };
}

/** A `merge_group` event for `group` (`checks_requested` unless told), optionally altered. */
export function mergeGroupEvent(
  repo: SimRepo,
  group: SimMergeGroup,
  options: { action?: "checks_requested" | "destroyed"; headRef?: string | null } = {},
): WebhookPayload {
  const headRef = options.headRef === undefined ? group.headRef : options.headRef;
  return {
    action: options.action ?? "checks_requested",
    merge_group: {
      head_sha: group.headSha,
      ...(headRef !== null ? { head_ref: headRef } : {}),
      base_sha: group.baseSha,
      base_ref: group.baseRef,
      head_commit: { id: group.headSha, tree_id: repo.getCommit(group.headSha).treeSha },
    },
    ...common(repo, repo.state.user("github-merge-queue[bot]")),
  };
}

/**
 * A `push` event for `branch` moving from `before` to its current head, with the commits in
 * between (first parents) and the files each added, modified or removed. `commits: null`
 * leaves the list out, as a malformed or truncated payload would.
 */
export function pushEvent(
  repo: SimRepo,
  branch: string,
  before: string,
  options: { sender?: UserRef; commits?: null; forced?: boolean } = {},
): WebhookPayload {
  const after = repo.resolveRef(branch);
  if (!after) throw new Error(`${repo.fullName}: no branch ${branch}`);
  const commits: WebhookPayload[] = [];
  for (let sha = after; sha !== before; ) {
    const commit = repo.getCommit(sha);
    const parent = commit.parents[0];
    const changes = diffTrees(parent ? repo.getCommit(parent).tree : new Map(), commit.tree);
    const of = (status: string) =>
      changes.filter((c) => c.status === status).map((c) => c.filename);
    commits.unshift({
      id: sha,
      message: commit.message,
      added: of("added"),
      modified: of("modified"),
      removed: of("removed"),
    });
    if (!parent) break;
    sha = parent;
  }
  const sender = repo.state.user(options.sender ?? "octocat");
  return {
    ref: `refs/heads/${branch}`,
    before,
    after,
    created: false,
    deleted: false,
    forced: options.forced ?? false,
    ...(options.commits === null ? {} : { commits }),
    head_commit: commits.at(-1) ?? null,
    pusher: { name: sender.login, email: `${sender.login}@users.noreply.github.com` },
    ...common(repo, sender),
  };
}
