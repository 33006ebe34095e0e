/**
 * The change as GitHub holds it: the files a pull request or a compare lists, a file at a
 * commit (cached: commits are immutable), a branch's head, a commit's tree, and the reader
 * the one fact-gathering path reads a pull request through.
 */
import { MAX_COMPARE_FILES, MAX_PULL_REQUEST_FILES } from "../../core/limits.js";
import type { ChangedFile, ChangeStatus } from "../../core/types.js";
import { fileContent, type SourceReader } from "../../facts/reader.js";
import type { GitHubClient, PullRequestTarget } from "../client.js";
import { isNotFound } from "../errors.js";
import { readFilesBatched } from "./blob-batch.js";
import type { AdapterCache, FileAtCommit } from "./cache.js";

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
): Promise<{
  files: ChangedFile[];
  truncated: boolean;
  blobs: Map<string, string>;
  /** The head every listed entry names, when they name one. */
  listedAt: string | undefined;
}> {
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
  return { files, truncated, blobs, listedAt: listedAt(listed) };
}

/**
 * The head every entry of a file list names (`contents_url`'s `ref`), or undefined when the
 * entries name none or several: a list read while the head moved cannot be told apart from the
 * new head's, so only a list that names one head is remembered as that head's.
 */
function listedAt(
  listed: ReadonlyArray<{ status: string; contents_url?: string | undefined }>,
): string | undefined {
  let head: string | undefined;
  for (const f of listed) {
    if (f.status === "removed") continue; // GitHub may link a removed file at the base
    const ref = refOf(f.contents_url);
    if (ref === undefined || (head !== undefined && ref !== head)) return undefined;
    head = ref;
  }
  return head;
}

function refOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).searchParams.get("ref") ?? undefined;
  } catch {
    return undefined;
  }
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
    // The files an approval names, in GraphQL batches checked blob by blob (docs/attestation.md#how-the-files-are-read).
    readFiles: (revision, paths) =>
      readFilesBatched(
        client,
        cache.blobs,
        repo,
        revision,
        paths,
        revision === pr.headSha ? headBlobs : new Map(),
        (path) => readFileAt(client, cache, repo, revision, path),
      ),
    async changedFiles() {
      const changed = await readChangedFiles(client, target, pr.changedFilesCount);
      headBlobs = changed.blobs;
      if (!changed.truncated && changed.listedAt === pr.headSha) {
        // What a merge verification compares the landed files with (docs/app.md#merge-verification).
        const atHead = new Map<string, string | null>(changed.blobs);
        for (const f of changed.files) if (f.status === "removed") atHead.set(f.path, null);
        cache.pullHeads.set(`${target.owner}/${target.repo}@${pr.headSha}`, atHead);
      }
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
