import { createHash } from "node:crypto";

/** A file tree: path → git blob sha. Flat, like `git ls-tree -r`. */
export type Tree = ReadonlyMap<string, string>;

export interface Signature {
  name: string;
  email: string;
  date: string;
}

export interface Commit {
  sha: string;
  treeSha: string;
  parents: readonly string[];
  tree: Tree;
  message: string;
  /** Git signatures; `authorLogin`/`committerLogin` are the GitHub accounts they map to, if any. */
  author: Signature;
  committer: Signature;
  authorLogin: string | null;
  committerLogin: string | null;
}

/** The git blob sha of `content`, exactly as `git hash-object` computes it. */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** A content address for a flat tree (stable under insertion order). */
export function treeSha(tree: Tree): string {
  const hash = createHash("sha1").update("tree\0");
  for (const path of [...tree.keys()].sort()) hash.update(`${path}\0${tree.get(path)}\n`);
  return hash.digest("hex");
}

/** A content address for a commit: tree, parents, signatures and message. */
export function commitSha(c: Omit<Commit, "sha">): string {
  const text = [
    `tree ${c.treeSha}`,
    ...c.parents.map((p) => `parent ${p}`),
    `author ${c.author.name} <${c.author.email}> ${c.author.date}`,
    `committer ${c.committer.name} <${c.committer.email}> ${c.committer.date}`,
    "",
    c.message,
  ].join("\n");
  return createHash("sha1")
    .update(`commit ${Buffer.byteLength(text)}\0${text}`)
    .digest("hex");
}

export type FileStatus = "added" | "removed" | "modified" | "renamed";

export interface FileChange {
  filename: string;
  status: FileStatus;
  /** Blob sha after the change (before it, for a removed file). */
  sha: string;
  previousSha: string | null;
  /** For a renamed file, its path before the change. */
  previousFilename?: string;
}

/** Files that differ between two trees, sorted by path like GitHub's diff. */
export function diffTrees(from: Tree, to: Tree): FileChange[] {
  const changes: FileChange[] = [];
  for (const [path, sha] of to) {
    const before = from.get(path);
    if (before === undefined)
      changes.push({ filename: path, status: "added", sha, previousSha: null });
    else if (before !== sha)
      changes.push({ filename: path, status: "modified", sha, previousSha: before });
  }
  for (const [path, sha] of from) {
    if (!to.has(path)) changes.push({ filename: path, status: "removed", sha, previousSha: sha });
  }
  return changes.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
}

/**
 * The changes as GitHub's file lists show them: a removed file and an added file with the same
 * content are one rename (`status: "renamed"`, `previous_filename`). GitHub also pairs files
 * that are only similar; the simulation pairs exact copies only. Push payloads list no renames.
 */
export function withRenames(changes: FileChange[]): FileChange[] {
  const removed = new Map<string, FileChange[]>();
  for (const c of changes) {
    if (c.status !== "removed") continue;
    removed.set(c.sha, [...(removed.get(c.sha) ?? []), c]);
  }
  const paired = new Set<FileChange>();
  const out: FileChange[] = [];
  for (const c of changes) {
    if (c.status !== "added") continue;
    const from = removed.get(c.sha)?.find((r) => !paired.has(r));
    if (!from) continue;
    paired.add(from);
    paired.add(c);
    out.push({ ...c, status: "renamed", previousSha: c.sha, previousFilename: from.filename });
  }
  for (const c of changes) if (!paired.has(c)) out.push(c);
  return out.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
}

/** Line counts for a change, the way a unified diff would count them (multiset of lines). */
export function lineStats(before: string | null, after: string | null) {
  const count = (text: string | null) => {
    const m = new Map<string, number>();
    if (text === null || text === "") return m;
    for (const line of text.replace(/\n$/, "").split("\n")) m.set(line, (m.get(line) ?? 0) + 1);
    return m;
  };
  const a = count(before);
  const b = count(after);
  let additions = 0;
  let deletions = 0;
  for (const [line, n] of b) additions += Math.max(0, n - (a.get(line) ?? 0));
  for (const [line, n] of a) deletions += Math.max(0, n - (b.get(line) ?? 0));
  return { additions, deletions, changes: additions + deletions };
}
