/**
 * The reads of the AI system register across repositories (docs/audit.md): which repositories
 * an owner has, and each one's manifest and assessments at its default branch. Each repository
 * costs as few requests as the store allows: one conditional read of the branch head (a 304
 * when nothing was pushed), then, only for a new commit, one recursive tree read and the blobs
 * whose SHA the store does not hold.
 */
import { createHash } from "node:crypto";
import { MANIFEST_PATH } from "../../core/manifest/schema.js";
import {
  filesToRead,
  type RepositorySnapshot,
  type SnapshotFile,
} from "../../core/register/index.js";
import type { GitHubClient } from "../client.js";
import { describeFailure, statusOf } from "../errors.js";

/** A repository as an owner's listing (or `repos.get`) describes it. */
export interface RepositoryListing {
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  archived: boolean;
}

/** Which blob each path had at one commit (null: absent): immutable, so cached by commit. */
export interface TreeSnapshot {
  manifest: string | null;
  files: Record<string, string | null>;
}

/**
 * What the register keeps between runs. Trees are keyed by commit and blobs by SHA, so they can
 * never be stale; the branch head is kept with its ETag for a conditional read.
 */
export interface InventoryStore {
  head(repository: string, branch: string): { sha: string; etag: string } | undefined;
  setHead(repository: string, branch: string, value: { sha: string; etag: string }): void;
  tree(repository: string, commit: string): TreeSnapshot | undefined;
  setTree(repository: string, commit: string, tree: TreeSnapshot): void;
  blob(sha: string): string | undefined;
  setBlob(sha: string, text: string): void;
}

/** A store that keeps nothing: every run reads everything. */
export function memoryStore(): InventoryStore {
  const heads = new Map<string, { sha: string; etag: string }>();
  const trees = new Map<string, TreeSnapshot>();
  const blobs = new Map<string, string>();
  return {
    head: (repository, branch) => heads.get(`${repository}@${branch}`),
    setHead: (repository, branch, value) => heads.set(`${repository}@${branch}`, value),
    tree: (repository, commit) => trees.get(`${repository}@${commit}`),
    setTree: (repository, commit, tree) => trees.set(`${repository}@${commit}`, tree),
    blob: (sha) => blobs.get(sha),
    setBlob: (sha, text) => blobs.set(sha, text),
  };
}

/** The token was refused: every other read would fail the same way, so the run stops. */
export class TokenRejectedError extends Error {
  override name = "TokenRejectedError";
}

interface ApiRepository {
  name: string;
  full_name: string;
  owner: { login: string };
  default_branch?: string;
  archived?: boolean;
}

function listing(r: ApiRepository): RepositoryListing {
  return {
    owner: r.owner.login,
    name: r.name,
    fullName: r.full_name,
    defaultBranch: r.default_branch ?? "main",
    archived: r.archived ?? false,
  };
}

function rejected(error: unknown): never {
  throw new TokenRejectedError(
    `GitHub rejected the token (401): check GITHUB_TOKEN or GH_TOKEN, and GITHUB_API_URL (${describeFailure(error).description})`,
  );
}

/** Every repository of an organisation (or a user) the token can see, sorted by name. */
export async function listRepositories(
  client: GitHubClient,
  owner: string,
): Promise<RepositoryListing[]> {
  const order = { sort: "full_name", per_page: 100 } as const;
  try {
    const repos = await client.paginate(client.rest.repos.listForOrg, {
      org: owner,
      type: "all",
      ...order,
    });
    return repos.map(listing);
  } catch (error) {
    if (statusOf(error) === 401) rejected(error);
    if (statusOf(error) !== 404) throw error;
  }
  // Not an organisation: a user's repositories.
  const repos = await client.paginate(client.rest.repos.listForUser, {
    username: owner,
    type: "owner",
    ...order,
  });
  return repos.map(listing);
}

/**
 * One repository named on the command line, or a snapshot saying why it cannot be read. A
 * rejected token stops the run.
 */
export async function readListing(
  client: GitHubClient,
  owner: string,
  repo: string,
): Promise<RepositoryListing | RepositorySnapshot> {
  try {
    const { data } = await client.rest.repos.get({ owner, repo });
    return listing(data);
  } catch (error) {
    if (statusOf(error) === 401) rejected(error);
    return unreadable(`${owner}/${repo}`, error);
  }
}

function unreadable(repository: string, error: unknown): RepositorySnapshot {
  const status = statusOf(error);
  const { description } = describeFailure(error);
  const why =
    status === 404
      ? "not found, or the token cannot read it"
      : status === 403
        ? "the token may not read it"
        : "could not be read";
  return { repository, kind: "unreadable", reason: `${why}: ${description}` };
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The branch head, conditionally: a 304 answers from the store. null for an empty repository. */
async function readHead(
  client: GitHubClient,
  store: InventoryStore,
  repo: RepositoryListing,
): Promise<string | null> {
  const known = store.head(repo.fullName, repo.defaultBranch);
  try {
    const response = await client.rest.git.getRef({
      owner: repo.owner,
      repo: repo.name,
      ref: `heads/${repo.defaultBranch}`,
      ...(known ? { headers: { "if-none-match": known.etag } } : {}),
    });
    const etag = response.headers.etag;
    if (typeof etag === "string") {
      store.setHead(repo.fullName, repo.defaultBranch, { sha: response.data.object.sha, etag });
    }
    return response.data.object.sha;
  } catch (error) {
    // A 304 means "unchanged" only when we asked for it with the ETag we hold.
    if (statusOf(error) === 304 && known) return known.sha;
    if (statusOf(error) === 409) return null; // GitHub: "Git Repository is empty."
    throw error;
  }
}

async function readBlob(
  client: GitHubClient,
  store: InventoryStore,
  repo: RepositoryListing,
  sha: string,
): Promise<SnapshotFile> {
  let text = store.blob(sha);
  if (text === undefined) {
    const { data } = await client.rest.git.getBlob({
      owner: repo.owner,
      repo: repo.name,
      file_sha: sha,
    });
    text = Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8").toString(
      "utf8",
    );
    store.setBlob(sha, text);
  }
  return { text, sha256: sha256(text) };
}

/**
 * Which blob the manifest and its assessments are at a commit: from one recursive tree read, or,
 * when GitHub cuts the tree (over 100 000 entries), from the contents API path by path.
 */
async function readTree(
  client: GitHubClient,
  store: InventoryStore,
  repo: RepositoryListing,
  commit: string,
): Promise<TreeSnapshot> {
  const cached = store.tree(repo.fullName, commit);
  if (cached) return cached;
  const { data } = await client.rest.git.getTree({
    owner: repo.owner,
    repo: repo.name,
    tree_sha: commit,
    recursive: "1",
  });
  const blobs = new Map<string, string>();
  for (const entry of data.tree) {
    if (entry.type === "blob" && entry.path && entry.sha) blobs.set(entry.path, entry.sha);
  }
  const shaOf = async (path: string): Promise<string | null> => {
    if (!data.truncated) return blobs.get(path) ?? null;
    return blobs.get(path) ?? (await contentSha(client, store, repo, commit, path));
  };
  const manifest = await shaOf(MANIFEST_PATH);
  const tree: TreeSnapshot = { manifest, files: {} };
  if (manifest !== null) {
    const text = (await readBlob(client, store, repo, manifest)).text;
    for (const path of filesToRead({ text, sha256: sha256(text) })) {
      tree.files[path] = await shaOf(path);
    }
  }
  store.setTree(repo.fullName, commit, tree);
  return tree;
}

/** A file's blob SHA through the contents API (which also gives the content, kept by SHA). */
async function contentSha(
  client: GitHubClient,
  store: InventoryStore,
  repo: RepositoryListing,
  commit: string,
  path: string,
): Promise<string | null> {
  try {
    const { data } = await client.rest.repos.getContent({
      owner: repo.owner,
      repo: repo.name,
      path,
      ref: commit,
    });
    if (Array.isArray(data) || data.type !== "file") return null;
    const content = "content" in data && typeof data.content === "string" ? data.content : "";
    if (content !== "" || data.size === 0) {
      store.setBlob(data.sha, Buffer.from(content, "base64").toString("utf8"));
    }
    return data.sha;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/**
 * A repository's manifest and assessments at its default branch, or why they cannot be read
 * (archived, empty, a read GitHub refused). Throws only when the token itself is rejected.
 */
export async function readRepositorySnapshot(
  client: GitHubClient,
  store: InventoryStore,
  repo: RepositoryListing,
): Promise<RepositorySnapshot> {
  const repository = repo.fullName;
  if (repo.archived) {
    return {
      repository,
      kind: "archived",
      reason: "archived (read-only): its systems are not in the register",
    };
  }
  try {
    const commit = await readHead(client, store, repo);
    if (commit === null) {
      return { repository, kind: "empty", reason: "empty: the repository has no commits" };
    }
    const tree = await readTree(client, store, repo, commit);
    if (tree.manifest === null) {
      return { repository, kind: "read", commit, manifest: null, files: {} };
    }
    const manifest = await readBlob(client, store, repo, tree.manifest);
    const files: Record<string, SnapshotFile | null> = {};
    for (const [path, sha] of Object.entries(tree.files)) {
      files[path] = sha === null ? null : await readBlob(client, store, repo, sha);
    }
    return { repository, kind: "read", commit, manifest, files };
  } catch (error) {
    if (statusOf(error) === 401) rejected(error);
    return unreadable(repository, error);
  }
}
