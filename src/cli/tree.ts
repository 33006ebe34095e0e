import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { LocalGit } from "./git.js";

/**
 * The files of the repository at `root`, as a pull request would see them: in a git
 * repository, what git lists (tracked and untracked, not ignored, not deleted); in a plain
 * folder, every file below it but `.git`. Symbolic links are listed, never followed.
 */
export async function repositoryFiles(root: string): Promise<string[]> {
  const git = new LocalGit(root);
  const top = await git.topLevel().catch(() => null);
  if (top !== null && resolve(top) === resolve(root)) return git.workingTreeFiles();
  return folderFiles(root);
}

async function folderFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const pending: string[] = [""];
  while (pending.length > 0) {
    const folder = pending.pop() ?? "";
    const entries = await readdir(join(root, folder), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = folder === "" ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== ".git") pending.push(path);
      } else {
        files.push(path);
      }
    }
  }
  return files;
}
