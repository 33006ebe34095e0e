import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ChangedFile, ChangeStatus } from "../core/types.js";
import { UsageError } from "./context.js";

const run = promisify(execFile);

/** Git access for the offline CLI: every read goes through `git` itself, never the working tree by accident. */
export class LocalGit {
  constructor(readonly cwd: string) {}

  private async git(args: string[]): Promise<string> {
    try {
      const { stdout } = await run("git", args, {
        cwd: this.cwd,
        maxBuffer: 256 * 1024 * 1024,
        encoding: "utf8",
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
      });
      return stdout;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim();
      throw new GitError(`git ${args.join(" ")} failed${stderr ? `: ${stderr}` : ""}`);
    }
  }

  /** The repository's top-level folder; a usage error outside a git repository. */
  async topLevel(): Promise<string> {
    try {
      return (await this.git(["rev-parse", "--show-toplevel"])).trim();
    } catch {
      throw new UsageError(
        `${this.cwd} is not inside a git repository (aigate check compares commits)`,
      );
    }
  }

  /** Resolves a ref to a commit SHA, or null when it does not exist. */
  async resolve(ref: string): Promise<string | null> {
    if (ref.startsWith("-")) return null;
    try {
      return (
        (await this.git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim() || null
      );
    } catch {
      return null;
    }
  }

  /** The default base: the remote's default branch when known, else main, else master. */
  async defaultBase(): Promise<string | null> {
    try {
      const remoteHead = (
        await this.git(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"])
      ).trim();
      if (remoteHead) return remoteHead.replace(/^refs\/remotes\//, "");
    } catch {
      // no remote default branch: fall through to the usual names
    }
    for (const candidate of ["origin/main", "main", "origin/master", "master"]) {
      if (await this.resolve(candidate)) return candidate;
    }
    return null;
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    try {
      return (await this.git(["merge-base", a, b])).trim() || null;
    } catch {
      return null;
    }
  }

  /** The file's bytes at a commit, or null when it does not exist there. */
  async show(commit: string, path: string): Promise<Buffer | null> {
    try {
      const { stdout } = await run("git", ["show", `${commit}:${path}`], {
        cwd: this.cwd,
        maxBuffer: 64 * 1024 * 1024,
        encoding: "buffer",
      });
      return stdout;
    } catch {
      return null;
    }
  }

  /** Files changed from the merge base of `base` and `head` to `head` (`base...head`), renames detected. */
  async changedFiles(base: string, head: string): Promise<ChangedFile[]> {
    const out = await this.git([
      "diff",
      "--name-status",
      "-z",
      "-M",
      "--no-color",
      `${base}...${head}`,
    ]);
    return parseNameStatus(out);
  }

  /** The URL of a remote, or null. */
  async remoteUrl(name: string): Promise<string | null> {
    try {
      return (await this.git(["remote", "get-url", name])).trim() || null;
    } catch {
      return null;
    }
  }

  /**
   * The files of the working tree as git sees them: tracked and untracked, without what
   * `.gitignore` ignores or what was deleted. Git lists a symbolic link as a file and never
   * descends into a linked folder.
   */
  async workingTreeFiles(): Promise<string[]> {
    const listed = splitZ(
      await this.git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"]),
    );
    const deleted = new Set(splitZ(await this.git(["ls-files", "-z", "--deleted"])));
    return deleted.size === 0 ? listed : listed.filter((path) => !deleted.has(path));
  }

  /** True in a shallow clone (CI's default checkout), where history may end before the merge base. */
  async isShallow(): Promise<boolean> {
    try {
      return (await this.git(["rev-parse", "--is-shallow-repository"])).trim() === "true";
    } catch {
      return false;
    }
  }

  /** Those of `paths` with changes not committed yet (staged, unstaged or untracked). */
  async uncommitted(paths: readonly string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    const out = await this.git([
      "status",
      "--porcelain=v1",
      "-z",
      "--untracked-files=all",
      "--",
      ...paths,
    ]);
    const changed = new Set<string>();
    const fields = splitZ(out);
    for (let i = 0; i < fields.length; i++) {
      const entry = fields[i] ?? "";
      changed.add(entry.slice(3));
      // A rename's entry is followed by its old path.
      if (entry[0] === "R" || entry[0] === "C") i++;
    }
    return paths.filter((path) => changed.has(path));
  }

  /**
   * The first-parent history of `ref`, oldest first, each commit with its files changed against
   * its first parent (renames as a removal and an addition); `since`/`until` bound the committer
   * date. One `git log` for the whole history.
   */
  async firstParentLog(
    ref: string,
    window: { since?: string; until?: string } = {},
  ): Promise<FirstParentCommit[]> {
    const args = [
      "log",
      "--first-parent",
      "--diff-merges=first-parent",
      "--no-renames",
      "--name-status",
      "-z",
      "--format=%x1e%H%x1f%P%x1f%cI%x1f%s",
    ];
    if (window.since !== undefined) args.push(`--since=${window.since}`);
    if (window.until !== undefined) args.push(`--until=${window.until}`);
    args.push(ref, "--");
    const commits: FirstParentCommit[] = [];
    for (const chunk of (await this.git(args)).split("\x1e")) {
      if (chunk === "") continue;
      const end = chunk.indexOf("\0");
      const header = end === -1 ? chunk : chunk.slice(0, end);
      const [sha = "", parents = "", date = "", subject = ""] = header.split("\x1f");
      const rest = end === -1 ? "" : chunk.slice(end + 1).replace(/^\n/, "");
      commits.push({
        sha,
        parents: parents.split(" ").filter((p) => p !== ""),
        date,
        subject,
        changed: parseNameStatus(rest),
      });
    }
    return commits.reverse();
  }

  /** True when tracked files have uncommitted changes. */
  async isDirty(): Promise<boolean> {
    return (await this.git(["status", "--porcelain", "--untracked-files=no"])).trim() !== "";
  }
}

/** A commit of a first-parent history with its changes against its first parent. */
export interface FirstParentCommit {
  sha: string;
  parents: string[];
  date: string;
  subject: string;
  changed: ChangedFile[];
}

function splitZ(out: string): string[] {
  return out.split("\0").filter((field) => field !== "");
}

class GitError extends Error {
  override name = "GitError";
}

const STATUS: Record<string, ChangeStatus> = {
  A: "added",
  M: "modified",
  D: "removed",
  R: "renamed",
  C: "copied",
  T: "changed",
};

/** Parses `git diff --name-status -z` output: renames and copies carry two paths. */
function parseNameStatus(out: string): ChangedFile[] {
  const fields = out.split("\0");
  const files: ChangedFile[] = [];
  let i = 0;
  while (i < fields.length) {
    const code = fields[i++];
    if (!code) continue;
    const status = STATUS[code[0] ?? ""] ?? "changed";
    if (status === "renamed" || status === "copied") {
      const previousPath = fields[i++] ?? "";
      const path = fields[i++] ?? "";
      files.push({ path, status, previousPath });
    } else {
      files.push({ path: fields[i++] ?? "", status });
    }
  }
  return files.filter((f) => f.path !== "");
}
