import { readFile, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import type { FileFacts } from "../core/types.js";
import { type FileContent, fileContent } from "../facts/reader.js";

/**
 * The bytes of a repository-relative path in a working tree, as a file, or null when it is
 * absent. Paths come from a manifest, so they are confined to the repository root.
 */
export async function readWorkingContent(root: string, path: string): Promise<FileContent | null> {
  const full = resolve(root, path);
  const rel = relative(root, full);
  if (rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) return null;
  try {
    const info = await stat(full);
    if (!info.isFile()) return null;
    return fileContent(await readFile(full));
  } catch {
    return null;
  }
}

/** A working-tree file as the engine sees it (without its text when `withText` is false). */
export async function readWorkingFile(
  root: string,
  path: string,
  withText = true,
): Promise<FileFacts | null> {
  const file = await readWorkingContent(root, path);
  if (!file) return null;
  return withText ? { path, ...file } : { path, sha256: file.sha256 };
}

export function joinRepo(root: string, path: string): string {
  return join(root, ...path.split("/"));
}
