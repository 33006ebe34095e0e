import { createHash } from "node:crypto";
import { realpath, stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { MANIFEST_PATH } from "../../core/manifest/schema.js";
import {
  filesToRead,
  type RepositorySnapshot,
  type SnapshotFile,
} from "../../core/register/index.js";
import { UsageError } from "../context.js";
import { LocalGit } from "../git.js";
import { readWorkingFile } from "../repo.js";

/** owner/name from a remote URL of GitHub (https or ssh), if it is one. */
function repositoryFromRemote(url: string | null): string | undefined {
  return url?.match(/[/:]([^/:]+\/[^/]+?)(?:\.git)?\/?$/)?.[1];
}

/**
 * A checkout as the register reads it: the manifest and its assessments as committed at HEAD
 * (uncommitted changes are not in the register), or the working tree of a folder outside git.
 * Named by its GitHub remote when it is a repository's root, else by its folder.
 */
export async function readCheckout(cwd: string, path: string): Promise<RepositorySnapshot> {
  const root = resolve(cwd, path);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`${path} is not a folder`);
  const git = new LocalGit(root);
  const commit = await git.resolve("HEAD");
  // A folder below a repository's root (a monorepo's part) is named by its folder.
  const topLevel = commit === null ? null : await git.topLevel().catch(() => null);
  const atRoot = topLevel !== null && (await realpath(topLevel)) === (await realpath(root));
  const repository =
    (atRoot ? repositoryFromRemote(await git.remoteUrl("origin")) : undefined) ?? basename(root);

  const read = async (file: string): Promise<SnapshotFile | null> => {
    if (commit === null) {
      const found = await readWorkingFile(root, file);
      return found?.text === undefined ? null : { text: found.text, sha256: found.sha256 };
    }
    // `./` makes the path relative to this folder, which may sit below the repository's root.
    const bytes = await git.show(commit, `./${file}`);
    if (bytes === null) return null;
    return {
      text: bytes.toString("utf8"),
      sha256: createHash("sha256").update(bytes).digest("hex"),
    };
  };

  const manifest = await read(MANIFEST_PATH);
  const files: Record<string, SnapshotFile | null> = {};
  if (manifest) {
    for (const file of filesToRead(manifest)) files[file] = await read(file);
  }
  return { repository, kind: "read", commit, manifest, files };
}
