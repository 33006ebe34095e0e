/**
 * Every read the adapter makes (docs/architecture.md). Each function reads one kind of fact
 * over an injected Octokit and returns plain data; what is immutable (a file at a commit, a
 * compare) is cached, everything else is read live.
 */
import { MAX_COMPARE_FILES, MAX_PULL_REQUEST_FILES } from "../core/limits.js";
import type { TeamsOf } from "../core/policy/approval-plan.js";
import type {
  Actor,
  ChangedFile,
  ChangeStatus,
  CommentFacts,
  CommitFacts,
  PullRequestFacts,
  ReviewFacts,
  ReviewState,
} from "../core/types.js";
import { fileContent, type SourceReader } from "../facts/reader.js";
import type { AdapterCache, FileAtCommit } from "./cache.js";
import type { GitHubClient, PullRequestTarget } from "./client.js";
import { isForbiddenNotRateLimited, isNotFound } from "./errors.js";
import type { ExistingCheckRun } from "./publish.js";

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
}

interface GitHubUser {
  id: number;
  login: string;
  type: string;
}

function toActor(user: GitHubUser | null | undefined): Actor | null {
  if (!user) return null;
  const type = user.type === "Bot" || user.type === "Organization" ? user.type : "User";
  return { id: user.id, login: user.login, type };
}

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
  };
  if (Number.isSafeInteger(data.comments) && data.comments >= 0) read.commentsCount = data.comments;
  return read;
}

const STATUSES: ReadonlySet<string> = new Set([
  "added",
  "modified",
  "removed",
  "renamed",
  "copied",
  "changed",
  "unchanged",
]);

/** Every changed file, all pages; `truncated` when GitHub's 3000-file cap hides some. */
export async function readChangedFiles(
  client: GitHubClient,
  target: PullRequestTarget,
  changedFilesCount: number,
): Promise<{ files: ChangedFile[]; truncated: boolean; blobs: Map<string, string> }> {
  const listed = await client.paginate(client.rest.pulls.listFiles, {
    owner: target.owner,
    repo: target.repo,
    pull_number: target.pullNumber,
    per_page: 100,
  });
  const files = listed.map(changedFile);
  const truncated = files.length >= MAX_PULL_REQUEST_FILES || changedFilesCount > files.length;
  // The blob each changed file has at the head, as the list gives it.
  const blobs = new Map<string, string>();
  for (const f of listed) if (f.status !== "removed" && f.sha) blobs.set(f.filename, f.sha);
  return { files, truncated, blobs };
}

function changedFile(f: { filename: string; status: string; previous_filename?: string }) {
  const status = (STATUSES.has(f.status) ? f.status : "changed") as ChangeStatus;
  const file: ChangedFile = { path: f.filename, status };
  if (f.previous_filename) file.previousPath = f.previous_filename;
  return file;
}

/**
 * The files of `base...head` through the compare API (a merge queue's group): `truncated` when
 * the compare lists its cap, or says nothing of the files, or the head is not ahead of the base.
 */
export async function readComparedFiles(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  base: string,
  head: string,
): Promise<{ files: ChangedFile[]; truncated: boolean }> {
  const { data } = await client.rest.repos.compareCommitsWithBasehead({
    owner: repo.owner,
    repo: repo.repo,
    basehead: `${base}...${head}`,
    per_page: 100,
  });
  const files = (data.files ?? []).map(changedFile);
  const truncated =
    data.files === undefined ||
    data.status === "diverged" ||
    data.status === "behind" ||
    files.length >= MAX_COMPARE_FILES;
  return { files, truncated };
}

/**
 * The commit a branch points at now, or null when there is no such branch. A pull request's
 * `base.sha` is where its base branch was at its last push, not where it is now
 * (docs/app.md#re-evaluation-when-the-base-changes); the manifest is read at the branch's head.
 */
export async function readBranchHead(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  branch: string,
): Promise<string | null> {
  try {
    const { data } = await client.rest.git.getRef({
      owner: repo.owner,
      repo: repo.repo,
      ref: `heads/${branch}`,
    });
    return data.object.sha;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** A file at a commit, or null when it does not exist there. Cached: commits are immutable. */
export async function readFileAt(
  client: GitHubClient,
  cache: AdapterCache,
  repo: { owner: string; repo: string },
  ref: string,
  path: string,
): Promise<FileAtCommit | null> {
  const key = `${repo.owner}/${repo.repo}@${ref}:${path}`;
  const cached = cache.files.get(key);
  if (cached !== undefined) return cached;
  let file: FileAtCommit | null;
  try {
    const { data } = await client.rest.repos.getContent({
      owner: repo.owner,
      repo: repo.repo,
      path,
      ref,
    });
    if (Array.isArray(data) || data.type !== "file") {
      file = null; // a directory or a submodule where a document was expected
    } else {
      const known = cache.blobs.get(data.sha);
      if (known) {
        file = known;
      } else {
        let base64 = "content" in data && typeof data.content === "string" ? data.content : "";
        // Files over 1 MB come without content; the blob API serves them.
        if (data.size > 0 && base64 === "") {
          const blob = await client.rest.git.getBlob({
            owner: repo.owner,
            repo: repo.repo,
            file_sha: data.sha,
          });
          base64 = blob.data.content;
        }
        file = { blobSha: data.sha, ...fileContent(Buffer.from(base64, "base64")) };
        cache.blobs.set(data.sha, file);
      }
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
    file = null;
  }
  cache.files.set(key, file);
  return file;
}

/** The PR's commits with their GitHub accounts, for separation of duties. */
export async function readCommits(
  client: GitHubClient,
  cache: AdapterCache,
  target: PullRequestTarget,
  pr: { baseSha: string; headSha: string },
): Promise<CommitFacts[]> {
  const key = `${target.owner}/${target.repo}#${target.pullNumber}@${pr.baseSha}..${pr.headSha}`;
  const cached = cache.commits.get(key);
  if (cached) return cached;
  const listed = await client.paginate(client.rest.pulls.listCommits, {
    owner: target.owner,
    repo: target.repo,
    pull_number: target.pullNumber,
    per_page: 100,
  });
  const commits: CommitFacts[] = listed.map((c) => {
    const commit: CommitFacts = {
      sha: c.sha,
      author: toActor(c.author as GitHubUser | null),
      committer: toActor(c.committer as GitHubUser | null),
    };
    if (c.commit.author?.name) commit.authorName = c.commit.author.name;
    if (c.commit.committer?.name) commit.committerName = c.commit.committer.name;
    if (c.commit.committer?.date) commit.committedAt = c.commit.committer.date;
    return commit;
  });
  cache.commits.set(key, commits);
  return commits;
}

export async function readReviews(
  client: GitHubClient,
  target: PullRequestTarget,
): Promise<ReviewFacts[]> {
  const listed = await client.paginate(client.rest.pulls.listReviews, {
    owner: target.owner,
    repo: target.repo,
    pull_number: target.pullNumber,
    per_page: 100,
  });
  return listed.map((r) => ({
    id: r.id,
    reviewer: toActor(r.user as GitHubUser | null),
    state: r.state as ReviewState,
    body: r.body ?? "",
    commit: r.commit_id ?? "",
    submittedAt: r.submitted_at ?? "",
  }));
}

export async function readComments(
  client: GitHubClient,
  target: PullRequestTarget,
): Promise<CommentFacts[]> {
  const listed = await client.paginate(client.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.pullNumber,
    per_page: 100,
  });
  return listed.map((c) => ({
    id: c.id,
    author: toActor(c.user as GitHubUser | null),
    body: c.body ?? "",
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  }));
}

/**
 * The teams (as `org/team-slug`) among `teams` that `login` is an active member of.
 * Needs the `members: read` permission; a 404 means "not a member"; a 403 (a workflow's
 * GITHUB_TOKEN has no members permission) leaves the team unreadable. Cached for a minute.
 */
export async function readTeamsOf(
  client: GitHubClient,
  cache: AdapterCache,
  login: string,
  teams: string[],
): Promise<TeamsOf> {
  const result: TeamsOf = { member: [], unreadable: [] };
  for (const team of new Set(teams)) {
    const [org, slug] = team.split("/");
    if (!org || !slug) continue;
    const key = `${team.toLowerCase()}:${login.toLowerCase()}`;
    let member = cache.memberships.get(key);
    if (member === undefined) {
      try {
        const { data } = await client.rest.teams.getMembershipForUserInOrg({
          org,
          team_slug: slug,
          username: login,
        });
        member = data.state === "active";
      } catch (error) {
        if (isForbiddenNotRateLimited(error)) {
          result.unreadable.push(team);
          continue;
        }
        if (!isNotFound(error)) throw error;
        member = false;
      }
      cache.memberships.set(key, member);
    }
    if (member) result.member.push(team);
  }
  return result;
}

/**
 * Paths changed between an approved commit and the head, or null when GitHub cannot say
 * (history rewritten, more than a compare lists): the caller fails closed.
 */
export async function readChangedSince(
  client: GitHubClient,
  cache: AdapterCache,
  repo: { owner: string; repo: string },
  from: string,
  to: string,
): Promise<string[] | null> {
  if (from === to) return [];
  const key = `${repo.owner}/${repo.repo}@${from}...${to}`;
  const cached = cache.compares.get(key);
  if (cached !== undefined) return cached;
  let paths: string[] | null;
  try {
    const { data } = await client.rest.repos.compareCommitsWithBasehead({
      owner: repo.owner,
      repo: repo.repo,
      basehead: `${from}...${to}`,
      per_page: 100,
    });
    const files = data.files;
    // A diverged compare means the approved commit is not an ancestor of the head; a compare
    // without its list of files says nothing about what changed.
    if (
      !files ||
      data.status === "diverged" ||
      data.status === "behind" ||
      files.length >= MAX_COMPARE_FILES
    )
      paths = null;
    else
      paths = files.flatMap((f) =>
        f.previous_filename ? [f.filename, f.previous_filename] : [f.filename],
      );
  } catch (error) {
    if (!isNotFound(error)) throw error;
    paths = null;
  }
  cache.compares.set(key, paths);
  return paths;
}

/** A check run as GitHub lists it on a commit. */
export type ListedCheckRun = Awaited<
  ReturnType<GitHubClient["rest"]["checks"]["listForRef"]>
>["data"]["check_runs"][number];

/**
 * Every check run on a commit, by any App, every run of each name (not only the newest): one
 * page unless the commit carries more than 100.
 */
export function readAllCheckRuns(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  sha: string,
): Promise<ListedCheckRun[]> {
  return client.paginate(client.rest.checks.listForRef, {
    owner: repo.owner,
    repo: repo.repo,
    ref: sha,
    filter: "all",
    per_page: 100,
  });
}

/**
 * Our check runs on the head commit, by name (the newest of each name). With `appId`, only that
 * app's: any app (or workflow) can write a run with our names, and it is not ours to update.
 */
export async function readCheckRuns(
  client: GitHubClient,
  repo: { owner: string; repo: string },
  headSha: string,
  names: string[],
  appId?: number,
): Promise<Map<string, ExistingCheckRun>> {
  const { data } = await client.rest.checks.listForRef({
    owner: repo.owner,
    repo: repo.repo,
    ref: headSha,
    filter: "latest",
    per_page: 100,
    ...(appId !== undefined ? { app_id: appId } : {}),
  });
  const wanted = new Set(names);
  const runs = new Map<string, ExistingCheckRun>();
  for (const run of data.check_runs) {
    if (!wanted.has(run.name)) continue;
    if (appId !== undefined && run.app && run.app.id !== appId) continue;
    const seen = runs.get(run.name);
    if (seen && seen.id > run.id) continue;
    runs.set(run.name, {
      id: run.id,
      name: run.name,
      status: run.status,
      conclusion: run.conclusion,
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotationsCount: run.output.annotations_count,
    });
  }
  return runs;
}

/**
 * The pull request's change as the one fact-gathering path reads it: files at a commit through
 * the contents API (cached), the changed files through the pull request's file list.
 */
export function pullRequestReader(
  client: GitHubClient,
  cache: AdapterCache,
  target: PullRequestTarget,
  pr: { headSha: string; changedFilesCount: number },
): SourceReader {
  const repo = { owner: target.owner, repo: target.repo };
  let headBlobs = new Map<string, string>();
  return {
    async readFile(revision, path) {
      // A file the pull request changes whose content was already read at another commit (a
      // previous head, another pull request) needs no request: the file list names its blob.
      // Only for this event: the list is as current as its own read, and is never cached as
      // the file at this head.
      const blob = revision === pr.headSha ? headBlobs.get(path) : undefined;
      const known = blob === undefined ? undefined : cache.blobs.get(blob);
      return known ?? readFileAt(client, cache, repo, revision, path);
    },
    async changedFiles() {
      const changed = await readChangedFiles(client, target, pr.changedFilesCount);
      headBlobs = changed.blobs;
      return { files: changed.files, truncated: changed.truncated };
    },
    treeFiles: (revision) => readTreeFiles(client, cache, repo, revision),
  };
}

/**
 * Every file path of a commit's tree, in one request (the recursive tree API), cached by the
 * tree's SHA (and the commit's tree by commit): null when GitHub cuts the listing, which
 * then says nothing about which paths exist.
 */
async function readTreeFiles(
  client: GitHubClient,
  cache: AdapterCache,
  repo: { owner: string; repo: string },
  commit: string,
): Promise<readonly string[] | null> {
  const commitKey = `${repo.owner}/${repo.repo}@${commit}`;
  const knownTree = cache.commitTrees.get(commitKey);
  if (knownTree !== undefined) {
    const files = cache.trees.get(knownTree);
    if (files !== undefined) return files;
  }
  const { data } = await client.rest.git.getTree({
    owner: repo.owner,
    repo: repo.repo,
    tree_sha: commit,
    recursive: "true",
  });
  // Submodules ("commit") and folders ("tree") are not files a glob can match.
  const files = data.truncated
    ? null
    : data.tree.flatMap((entry) => (entry.type === "blob" && entry.path ? [entry.path] : []));
  cache.commitTrees.set(commitKey, data.sha);
  cache.trees.set(data.sha, files);
  return files;
}
